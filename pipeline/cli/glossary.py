"""`pipeline glossary`: bring term lists (TBX, CSV/TSV) into the store; count them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import StoreOption

app = typer.Typer(
    name="glossary",
    help="Glossaries (term lists) from other tools: import them, count them. Translate keeps "
    "a term with one approved target through the model; QA checks terms in every export.\n\n"
    "Example: pipeline glossary import names.tbx --to my",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.command("import")
def import_glossary(
    file: Annotated[Path, typer.Argument(help="A TBX (TBX-Basic, TBX v3), CSV or TSV file.")],
    from_code: Annotated[
        str, typer.Option("--from", help="Source language where the file names none.")
    ] = "en",
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Target language where the file names none usable (csv2tbx writes xx).",
            show_default=False,
        ),
    ] = None,
    lang_map: Annotated[
        list[str] | None,
        typer.Option("--lang-map", help="TAG=CODE for an odd language tag, e.g. zh-Hant=zt."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Add a glossary's terms to the store, each with its status, note and part of speech.

    Statuses: preferred and admitted targets are approved, forbidden (deprecated) ones are
    errors in QA; do-not-translate terms stay as written. Importing the same file again adds
    nothing. A DOCTYPE naming an external DTD is read without fetching it.

    Example: pipeline glossary import newsroom.tbx --to my
    """
    from pipeline.cli import _open
    from pipeline.glossary.read import read_glossary
    from pipeline.tm import parse_lang_map

    mapping = parse_lang_map(lang_map or [])
    entries = read_glossary(file, from_code, to, mapping)
    with _open(store, create=True) as db, db.transaction():
        added, held = db.add_terms(entries)
    typer.echo(f"{file}: {added} terms added, {held} already held")


@app.command("stats")
def stats(store: StoreOption = None) -> None:
    """Count the glossary entries per language pair and file.

    Example: pipeline glossary stats
    """
    from pipeline.cli import _open
    from pipeline.cli.tm import echo_counts

    with _open(store) as db:
        echo_counts(db.glossary_stats(), "terms")
