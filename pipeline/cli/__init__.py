"""The command line: parse, call the library, print. No SQL, XML or model code here."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.errors import PipelineError

if TYPE_CHECKING:
    from pipeline.store.base import Store

app = typer.Typer(
    name="pipeline",
    help="Offline translation pipeline: ingest articles, translate them with local models, "
    "review and export aligned bilingual files.\n\nExample: pipeline ingest seeds/*.txt",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store file (default: $PIPELINE_STORE, else pipeline.db in this folder).",
        show_default=False,
    ),
]


def _open(store: str | None) -> Store:
    from pipeline.store import open_store, store_location

    return open_store(store_location(store))


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="Articles to read (.txt, .md, .html).")],
    lang: Annotated[str, typer.Option("--lang", help="Source language of the articles.")] = "en",
    store: StoreOption = None,
) -> None:
    """Split articles into segments and store them as new document versions.

    Re-ingesting an unchanged file changes nothing; an edited file becomes a new version
    whose unchanged segments keep their translations.

    Example: pipeline ingest seeds/2021-03-05-myanmar-police-cross-into-india.txt
    """
    from pipeline import jobs

    drafts = jobs.read_articles(files, lang)
    with _open(store) as db:
        for result in jobs.ingest_articles(db, drafts):
            doc = result.document
            if result.created:
                typer.echo(
                    f"document {doc.id}: {doc.uri} version {doc.version}, "
                    f"{result.segments} segments ({result.carried} kept their translations)"
                )
            else:
                typer.echo(f"document {doc.id}: {doc.uri} unchanged (version {doc.version})")


@app.command()
def show(
    document: Annotated[str, typer.Argument(help="Document id, or the path it was read from.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    store: StoreOption = None,
) -> None:
    """Print a document's segments: id, position (paragraph.sentence), kind and source.

    Example: pipeline show 1 --json
    """
    with _open(store) as db:
        doc = db.document(document)
        segments = db.segments(doc.id)
    for seg in segments:
        if as_json:
            record = asdict(seg)
            record["kind"] = seg.kind.value
            typer.echo(json.dumps(record, ensure_ascii=False))
        else:
            typer.echo(f"{seg.id}\t{seg.paragraph}.{seg.sentence}\t{seg.kind.value}\t{seg.source}")


@app.command()
def status(
    document: Annotated[
        str | None, typer.Argument(help="Document id or path (default: every document).")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Print, per document and target language, segments and words in each state.

    Example: pipeline status seeds/2021-03-05-myanmar-police-cross-into-india.txt
    """
    from pipeline.report import status_table

    with _open(store) as db:
        doc_id = db.document(document).id if document else None
        rows = db.status(doc_id)
    typer.echo(status_table(rows))


def _mount_subcommands() -> None:
    from pipeline.cli.models import app as models_app

    app.add_typer(models_app, name="models")


def main() -> None:
    """Run the CLI; a user-facing error becomes one line on stderr and a non-zero exit."""
    _mount_subcommands()
    try:
        app()
    except PipelineError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
