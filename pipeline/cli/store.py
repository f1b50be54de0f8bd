"""`pipeline store`: whole-store operations, such as moving a store to PostgreSQL and back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pipeline.store.copy import TableCopy

app = typer.Typer(
    name="store",
    help="Whole stores: copy one between SQLite files and PostgreSQL databases.\n\n"
    "Example: pipeline store copy pipeline.db postgresql://translator@db.example/pipeline",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.command("copy")
def copy(
    source: Annotated[str, typer.Argument(help="The store to copy: a file or postgresql:// URL.")],
    destination: Annotated[
        str, typer.Argument(help="An empty store to copy into: a new file or an empty database.")
    ],
) -> None:
    """Copy every document, translation, revision, memory entry and term into an empty store.

    Each row keeps its id, so exported files and the review desk's revisions still match.
    The copy is one transaction: it is whole, or the destination is left as it was. A
    destination that holds anything is refused.

    Example: pipeline store copy pipeline.db postgresql://translator@db.example/pipeline
    """
    from pipeline.store import open_store
    from pipeline.store.copy import copy_store

    def progress(done: TableCopy) -> None:
        typer.echo(f"  {done.table}: {done.rows} row{'' if done.rows == 1 else 's'}", err=True)

    with open_store(source, create=False) as src, open_store(destination) as dst:
        copied = copy_store(src, dst, progress)
        typer.echo(
            f"copied {sum(c.rows for c in copied)} rows in {len(copied)} tables"
            f" from {src.location} to {dst.location}"
        )
