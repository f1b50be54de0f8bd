"""`pipeline tm`: bring translation memories from other tools into the store; count them."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.options import StoreOption

if TYPE_CHECKING:
    from pipeline.store.rows import PairCount

app = typer.Typer(
    name="tm",
    help="Translation memory from other tools: import it, export it, count it.\n\n"
    "Example: pipeline tm import omegat-project.tmx",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
# Entries written per transaction: an interrupted import keeps what it wrote, and a re-run
# adds only the rest (entries already held are counted, not added).
BATCH = 5000


@app.command("import")
def import_memory(
    file: Annotated[
        Path, typer.Argument(help="A TMX, XLIFF 1.2/2.0, PO, TSV, CSV or JSONL file with targets.")
    ],
    from_code: Annotated[
        str, typer.Option("--from", help="Source language where the file names none.")
    ] = "en",
    to: Annotated[
        str | None,
        typer.Option("--to", help="Target language where the file names none.", show_default=False),
    ] = None,
    lang_map: Annotated[
        list[str] | None,
        typer.Option("--lang-map", help="TAG=CODE for an odd language tag, e.g. zh-Hant=zt."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Add a memory file's units to the store as memory (not documents), keeping provenance.

    Language tags are read as BCP 47, one code per language (my-MM, MY, mya → my; en-US,
    en_GB → en beside --from en; pt-BR stays pt-BR). Importing the same file again adds
    nothing; translate then reuses its exact matches as drafts for review.

    Example: pipeline tm import newsroom.tmx --lang-map x-burmese=my
    """
    from pipeline.cli import _open
    from pipeline.tm import parse_lang_map
    from pipeline.tm.codes import CodeMatch
    from pipeline.tm.read import read_memory

    mapping = parse_lang_map(lang_map or [])
    codes = CodeMatch()
    entries = read_memory(file, from_code, to, mapping, codes)
    added = held = 0
    with _open(store, create=True) as db:
        codes.store = db  # entries are read lazily: their codes meet the stored segments
        while batch := list(islice(entries, BATCH)):
            with db.transaction():
                a, h = db.add_memory(batch)
            added, held = added + a, held + h
            typer.echo(f"  {added + held} entries read…", err=True)
    typer.echo(f"{file}: {added} entries added, {held} already held")
    if (plain := codes.report()) is not None:
        typer.echo(f"{file}: {plain}", err=True)


@app.command("export")
def export_memory(
    output: Annotated[Path, typer.Option("--output", "-o", help="The TMX file to write.")],
    from_code: Annotated[str, typer.Option("--from", help="Source language of the header.")] = (
        "en"
    ),
    omegat: Annotated[
        bool,
        typer.Option(
            "--omegat",
            help="Write the memory as OmegaT matches it: TMX level 1, inline codes as "
            "OmegaT's tags (<g0>…</g0>) in the text, for a project's tm/ or tm/auto/ folder.",
        ),
    ] = False,
    store: StoreOption = None,
) -> None:
    """Write the whole memory as TMX 1.4: reviewed translations, then imported entries.

    Importing the file again adds nothing. Inline codes are TMX <bpt>/<ept>/<ph> for other
    tools; OmegaT 3.6 ignores those in a memory it did not write, so --omegat writes them
    as its own tags instead.

    Example: pipeline tm export -o memory.tmx
    """
    from itertools import chain

    from pipeline.cli import _language, _open
    from pipeline.outputs import atomic_output, protected
    from pipeline.tm.tmx_write import Written, write_memory, write_omegat_memory

    source = _language(from_code)
    with _open(store) as db, atomic_output(output, protected(db.location)) as out:
        entries = chain(db.own_memory(), db.memory_entries())
        if omegat:
            written = write_omegat_memory(entries, out, source)
        else:
            written = Written(write_memory(entries, out, source))
    typer.echo(f"{output}: {written.entries} entries")
    if written.skipped:
        typer.echo(
            f"{output}: {written.skipped} entries left out: their target has a code their"
            " source does not",
            err=True,
        )


@app.command("stats")
def stats(store: StoreOption = None) -> None:
    """Count the imported memory per language pair and file.

    Example: pipeline tm stats
    """
    from pipeline.cli import _open

    with _open(store) as db:
        echo_counts(db.memory_stats(), "entries")


def echo_counts(rows: Sequence[PairCount], unit: str) -> None:
    """Print entries per language pair and file as a tab-separated table."""
    typer.echo(f"source\ttarget\t{unit}\tfile")
    for row in rows:
        typer.echo(f"{row.source_lang}\t{row.target_lang}\t{row.entries}\t{row.origin}")
