"""`pipeline review`: bring reviewed exchange files back into the store, or review in a browser."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import StoreOption

app = typer.Typer(
    name="review",
    help="Import reviewed exchange files (XLIFF 1.2, XLIFF 2.0, PO, TMX, TSV, CSV, JSONL) as "
    "human revisions, or "
    "review in the browser.\n\n"
    'Example: pipeline review import reviewed.xlf --reviewer "Thida"',
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class EditState(StrEnum):
    """The states `review import --state` offers for an edit under a carried state."""

    reviewed = "reviewed"
    final = "final"
    translated = "translated"


@app.command("import")
def import_file(
    file: Annotated[
        Path,
        typer.Argument(
            help="A reviewed export (XLIFF 1.2 or 2.0, PO, the pipeline's TMX, TSV, CSV or "
            "JSONL) or an OmegaT project folder (pipeline export --format omegat)."
        ),
    ],
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
    state: Annotated[
        EditState,
        typer.Option(
            "--state",
            help="State of an edited target whose state the file carried back unchanged, "
            "and of a segment confirmed in OmegaT.",
        ),
    ] = EditState.reviewed,
    store: StoreOption = None,
) -> None:
    """Check a reviewed file against the store, then save its edits as human revisions.

    Every unit is checked first: unknown ids, a source changed since export, an unknown
    target language, an empty target marked reviewed. With any conflict nothing is saved
    unless --skip-conflicts is given. Importing the same file twice changes nothing.

    A state in the file counts where the reviewer changed it; an edited target whose state
    came back as it was exported is saved as reviewed (or --state). From an OmegaT project
    folder, every segment the translator confirmed is saved as reviewed (or --state),
    machine output confirmed unchanged included; a segment left untranslated is not.
    Targets for a language the document was never translated into are welcome. QA errors
    of what is saved are printed, one line each.

    Example: pipeline review import reviewed.xlf --reviewer "Thida"
    """
    from pipeline.records import State
    from pipeline.review import read
    from pipeline.review.apply import import_review
    from pipeline.review.errors import ReviewConflictError
    from pipeline.store import open_store, store_location

    review = read(file)
    with open_store(store_location(store), create=False) as db:
        report = import_review(
            db,
            review,
            to=to,
            reviewer=reviewer,
            skip_conflicts=skip_conflicts,
            edit_state=State(state.value),
        )
    for conflict in report.conflicts:
        typer.echo(str(conflict), err=True)
    if report.older:
        typer.echo(
            f"{len(report.older)} unit(s) hold an older revision than the store (saved after the"
            f" export): the store's newer text is kept: {', '.join(report.older)}",
            err=True,
        )
    if not report.stopped:
        for unit_id, changes in report.repaired:
            typer.echo(f"{unit_id}: target {'; '.join(changes)}")
        for error in report.errors:
            typer.echo(f"QA error: {error}")
    repaired = (
        f", repaired {len(report.repaired)} ({', '.join(u for u, _ in report.repaired)})"
        if report.repaired and not report.stopped
        else ""
    )
    errors = f", QA errors {len(report.errors)}" if report.errors and not report.stopped else ""
    typer.echo(
        f"{report.file}: applied {report.applied}, unchanged {report.unchanged}, "
        f"conflicts {len(report.conflicts)}{repaired}{errors}"
    )
    if report.stopped:
        count = len(report.conflicts)
        raise ReviewConflictError(
            f"{count} conflict{'s' if count != 1 else ''}; nothing imported "
            "(fix them, or apply the rest with --skip-conflicts)"
        )


@app.command("serve")
def serve(
    documents: Annotated[
        list[str] | None,
        typer.Argument(help="Document ids or paths (default: every document).", show_default=False),
    ] = None,
    to: Annotated[str, typer.Option("--to", help="Target languages, comma-separated.")] = "",
    port: Annotated[
        int,
        typer.Option("--port", help="Port to listen on (default: a free one).", min=0, max=65535),
    ] = 0,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; other hosts still need the token."),
    ] = "127.0.0.1",
    page_size: Annotated[
        int,
        typer.Option("--page-size", help="Segments on one page of a document.", min=1, max=5000),
    ] = 200,
    store: StoreOption = None,
) -> None:
    """Serve a review desk in the browser: source and target side by side, QA as you type.

    Prints the address with a secret token; nothing is served without it. Saves name the
    revision they edit, so two reviewers never overwrite each other: the second gets a
    conflict showing both texts. A long document is shown in pages (--page-size); the keys
    move across them. Stop it with Ctrl+C.

    Example: pipeline review serve article.md --to my,hi
    """
    from pipeline.cli import _language, _languages, _open
    from pipeline.desk import serve as serve_desk
    from pipeline.i18n import ui_language
    from pipeline.store import store_location

    location = str(store_location(store))
    with _open(store) as db:
        docs = [db.document(ref) for ref in documents or ()]
        shown = docs or db.documents()
        found = {lang for d in shown for lang in db.target_languages(d.id)}
        langs = [_language(code) for code in _languages(to)] or sorted(found)
    if not langs:
        raise typer.BadParameter("name the target languages to review, e.g. --to my,hi")
    typer.echo(f"review desk for {len(docs) or 'every'} document(s) in {', '.join(langs)}:")
    try:
        serve_desk(
            location,
            langs,
            [str(d.id) for d in docs],
            host=host,
            port=port,
            ui_lang=ui_language(),
            page_size=page_size,
            announce=lambda url: typer.echo(f"  {url}"),
        )
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
