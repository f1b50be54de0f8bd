"""`pipeline export`: write aligned units in an exchange format, or the translated article."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import StoreOption
from pipeline.formats import FORMATS
from pipeline.formats.errors import ExportError

_FORMAT_HELP = "; ".join(f"{info.name}: {info.description}" for info in FORMATS.values())


def export(
    documents: Annotated[
        list[str] | None,
        typer.Argument(
            help="Document ids or paths (default: the latest version of every document).",
            show_default=False,
        ),
    ] = None,
    format_name: Annotated[
        str, typer.Option("--format", "-f", help=f"Required. {_FORMAT_HELP}.", show_default=False)
    ] = "",
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="Target languages, comma-separated (default: every language translated).",
            show_default=False,
        ),
    ] = "",
    state: Annotated[
        list[str] | None,
        typer.Option(
            "--state",
            help="Only targets in this state (initial, translated, reviewed, final); repeatable.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="Required. File to write, '-' for standard output, or an existing folder "
            "(one file per language for po and xliff20, per document and language for article).",
            show_default=False,
        ),
    ] = "",
    allow_draft: Annotated[
        bool,
        typer.Option(
            "--allow-draft",
            help="Article: use unreviewed drafts (even pseudo) where no reviewed text exists; "
            "the article then opens with a DRAFT note.",
        ),
    ] = False,
    digits: Annotated[
        str | None,
        typer.Option(
            "--digits",
            help="Article: digits in rendered dates, native (၁၂၃, १२३) or latin "
            "(default: the target locale's own, e.g. Myanmar digits for my).",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export documents' segments and translations as TMX, XLIFF, PO, tables, JSONL or HTML.

    Each unit's id is "s<segment id>" in every format, so a reviewed XLIFF or PO file can be
    imported back. --format article writes the translated article itself (txt, md or html)
    from reviewed and final translations only; a missing one stops the export and names it.
    Files are written under a temporary name and renamed when complete.

    Example: pipeline export --format xliff12 --to my article.md -o article.my.xlf
    """
    from pipeline.export import ExportRequest, parse_digits, parse_languages, parse_states
    from pipeline.export import export as run_export
    from pipeline.formats import format_info
    from pipeline.store import open_store, store_location

    if not format_name:
        raise ExportError(f"choose a format with --format: {', '.join(FORMATS)}")
    format_info(format_name)
    if not output:
        raise ExportError("say where to write with -o PATH (or -o - for standard output)")
    if output.endswith(("/", os.sep)) and not Path(output).is_dir():
        raise ExportError(f"cannot write to {output}: no such folder")
    request = ExportRequest(
        format=format_name,
        target_langs=parse_languages(to),
        documents=tuple(documents or ()),
        states=parse_states(state or ()),
        allow_draft=allow_draft,
        digits=parse_digits(digits),
    )
    destination = typer.get_binary_stream("stdout") if output == "-" else Path(output)
    with open_store(store_location(store), create=False) as db:
        result = run_export(db, request, destination)
    for file in result.files:
        where = "standard output" if file.path == "-" else file.path
        typer.echo(
            f"{result.format}: {file.units} units ({', '.join(file.langs)}) to {where}",
            err=output == "-",
        )


def register(app: typer.Typer) -> None:
    """Add the ``export`` command to an app, its errors shown as one line and an exit code."""
    from pipeline.cli import friendly_errors

    app.command("export")(friendly_errors(export))
