"""`pipeline export`: write aligned units in an exchange format, or the translated article."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import StoreOption
from pipeline.formats import FORMATS
from pipeline.formats.errors import HELD_BACK, ExportError

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
            help="Required. File to write, '-' for standard output, or a folder, created when "
            "it ends with / (one file per language for po and xliff20, per document and "
            "language for article; omegat always writes a project folder).",
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
    allow_flagged: Annotated[
        bool,
        typer.Option(
            "--allow-flagged",
            help="Article: publish reviewed text even where its latest QA found an error.",
        ),
    ] = False,
    ready: Annotated[
        bool,
        typer.Option(
            "--ready",
            help="Article: write every article that can be published and name each one held "
            f"back, with why (exit {HELD_BACK} when any is); without it, one stops them all.",
        ),
    ] = False,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="tsv, csv: write cells as stored. Without it a cell a spreadsheet would run "
            "(starting with = + - @, a tab or a CR) is written after a ' mark, as OWASP "
            "advises (so is one starting with ' and one of those); import removes the mark.",
        ),
    ] = False,
    digits: Annotated[
        str | None,
        typer.Option(
            "--digits",
            hidden=True,
            help="No longer applies: datelines are rendered when translate makes the draft.",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export documents' segments and translations as TMX, XLIFF, PO, tables, JSONL or HTML.

    --format omegat writes a ready OmegaT project folder for one language: the documents as
    source files, reviewed translations in tm/auto (inserted), machine drafts in tm/mt
    (offered as matches), the glossary; 'pipeline review import DIR' reads it back.

    Each unit's id is "s<segment id>" in every format, so a reviewed XLIFF or PO file can be
    imported back. --format article writes the translated article itself (txt, md or html)
    from reviewed and final translations only, datelines included; a missing one, or a QA
    error, stops the export and names it (--ready: the others are written). Files are written
    under a temporary name and renamed when complete.

    --format tsv and csv keep spreadsheets from running cells as formulas: a cell starting
    with =, +, -, @, a tab or a CR gets a ' before it (spreadsheets show it as text), and
    'pipeline review import' and 'pipeline tm import' take it off again; --raw writes the
    cells as stored.

    Example: pipeline export --format xliff12 --to my article.md -o article.my.xlf
    """
    from pipeline.export import ExportRequest, parse_languages, parse_states
    from pipeline.export import export as run_export
    from pipeline.formats import format_info
    from pipeline.store import open_store, store_location

    if not format_name:
        raise ExportError(f"choose a format with --format: {', '.join(FORMATS)}")
    format_info(format_name)
    if not output:
        raise ExportError("say where to write with -o PATH (or -o - for standard output)")
    if digits is not None:
        raise ExportError(
            "--digits no longer applies to export: datelines are rendered when 'pipeline"
            " translate' makes the draft, and the article publishes the reviewed text"
        )
    request = ExportRequest(
        format=format_name,
        target_langs=parse_languages(to),
        documents=tuple(documents or ()),
        states=parse_states(state or ()),
        allow_draft=allow_draft,
        allow_flagged=allow_flagged,
        ready=ready,
        raw=raw,
    )
    destination = typer.get_binary_stream("stdout") if output == "-" else Path(output)
    folder = output.endswith(("/", os.sep))
    with open_store(store_location(store), create=False) as db:
        result = run_export(db, request, destination, folder=folder)
    for file in result.files:
        if not file.kind:  # a project's settings file
            continue
        where = "standard output" if file.path == "-" else file.path
        typer.echo(
            f"{result.format}: {file.units} {file.kind} ({', '.join(file.langs)}) to {where}",
            err=output == "-",
        )
    if format_info(format_name).folder:
        typer.echo(f"{result.format}: open {output} in OmegaT (Project > Open); see README.txt")
    for held in result.held:
        typer.echo(f"held back: {held.reason}", err=True)
    if result.held:
        raise typer.Exit(HELD_BACK)


def register(app: typer.Typer) -> None:
    """Add the ``export`` command to an app, its errors shown as one line and an exit code."""
    from pipeline.cli import friendly_errors

    app.command("export")(friendly_errors(export))
