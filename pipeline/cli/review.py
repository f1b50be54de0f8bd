"""`pipeline review`: bring reviewed XLIFF and PO files back into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import StoreOption

app = typer.Typer(
    name="review",
    help="Import reviewed exchange files (XLIFF 1.2, XLIFF 2.0, PO) as human revisions.\n\n"
    'Example: pipeline review import reviewed.xlf --reviewer "Thida"',
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="Reviewed .xlf (XLIFF 1.2 or 2.0) or .po file.")],
    reviewer: Annotated[
        str | None,
        typer.Option("--reviewer", help="Who reviewed it (default: the name in the file)."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Target language; required when the file names none."),
    ] = None,
    skip_conflicts: Annotated[
        bool,
        typer.Option(
            "--skip-conflicts", help="Apply the units without conflicts, report the rest."
        ),
    ] = False,
    store: StoreOption = None,
) -> None:
    """Check a reviewed file against the store, then save its edits as human revisions.

    Every unit is checked first: unknown ids, a source changed since export, the wrong
    target language, an empty target marked reviewed. With any conflict nothing is saved
    unless --skip-conflicts is given. Importing the same file twice changes nothing.

    Example: pipeline review import reviewed.xlf --reviewer "Thida"
    """
    from pipeline.review import read
    from pipeline.review.apply import import_review
    from pipeline.review.errors import ReviewConflictError
    from pipeline.store import open_store, store_location

    review = read(file)
    with open_store(store_location(store), create=False) as db:
        report = import_review(db, review, to=to, reviewer=reviewer, skip_conflicts=skip_conflicts)
    for conflict in report.conflicts:
        typer.echo(str(conflict), err=True)
    typer.echo(
        f"{report.file}: applied {report.applied}, unchanged {report.unchanged}, "
        f"conflicts {len(report.conflicts)}"
    )
    if report.stopped:
        count = len(report.conflicts)
        raise ReviewConflictError(
            f"{count} conflict{'s' if count != 1 else ''}; nothing imported "
            "(fix them, or apply the rest with --skip-conflicts)"
        )
