"""`pipeline store`: whole-store operations, such as moving a store to PostgreSQL and back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pipeline.store.copy import TableCopy

app = typer.Typer(
    name="store",
    help="Whole stores: check one, copy one between SQLite files and PostgreSQL databases.\n\n"
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


@app.command("check")
def check(
    store: Annotated[
        str | None,
        typer.Argument(
            help="The store to check: a file or postgresql:// URL (default: the store)."
        ),
    ] = None,
) -> None:
    """Check a store: the database's own check, then the pipeline's invariants.

    SQLite runs its integrity and foreign key checks, PostgreSQL looks for invalid indexes
    and unvalidated constraints; then every row's parent must exist, each segment hold one
    translation per language, and each translation end its history in the text it holds.
    Prints "ok", or one line per problem and exits 1. It only reads: safe beside writers.

    Example: pipeline store check
    """
    from pipeline.store import open_store, store_location

    with open_store(store_location(store), create=False) as db:
        problems = db.check()
        location = db.location
    if not problems:
        typer.echo(f"{location}: ok")
        return
    for problem in problems:
        typer.echo(problem)
    typer.echo(f"{location}: {len(problems)} problem(s)", err=True)
    raise typer.Exit(1)
