"""The command line: parse, call the library, print. No SQL, XML or model code here."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer

# typer vendors click (typer._click): its exceptions and contexts are the ones raised and passed.
from typer._click.core import Context
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

from pipeline.cli.options import MAX_BEAM, MAX_DECODING, StoreOption
from pipeline.errors import PipelineError, from_os_error
from pipeline.i18n import _

if TYPE_CHECKING:
    from pipeline.records import IngestResult
    from pipeline.store.base import Store

P = ParamSpec("P")
R = TypeVar("R")

# More bounds of the numbers translate takes (beam and decoding: pipeline.cli.options): past
# them a value is a typing slip, and CTranslate2 would fail on it or allocate for it.
MAX_THREADS = 1024
MAX_BATCH = 1_000_000
# Each worker is a process loading each model once: more than this is never meant.
MAX_WORKERS = 256


class OneLineUsageError(UsageError):
    """A usage error shown as every other error: one line on stderr, then exit 2."""

    def __init__(self, error: UsageError) -> None:
        super().__init__(error.format_message(), error.ctx)

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the error and where the command's help is, on one line."""
        # Values typed by the user may hold line breaks; the error stays one line.
        message = " ".join(self.format_message().split())
        if self.ctx is not None:
            message += f" (see '{self.ctx.command_path} --help')"
        typer.echo(_("error: {message}").format(message=message), err=True)


class OneLineErrors(TyperGroup):
    """The top command group: a bad option or argument anywhere is a OneLineUsageError."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        """Parse the top level's own options, a usage error as one line."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as error:
            raise _one_line(error) from None

    def invoke(self, ctx: Context) -> Any:
        """Run the command, a usage error of any sub-command as one line."""
        try:
            return super().invoke(ctx)
        except UsageError as error:
            raise _one_line(error) from None


def _one_line(error: UsageError) -> UsageError:
    """Return a usage error as one that prints one line (a bare group still shows its help)."""
    if isinstance(error, OneLineUsageError | NoArgsIsHelpError):
        return error
    return OneLineUsageError(error)


app = typer.Typer(
    cls=OneLineErrors,
    name="pipeline",
    help=_(
        "Offline translation pipeline: ingest articles, translate them with local models, "
        "review and export aligned bilingual files.\n\nExample: pipeline ingest article.md"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        from pipeline.install import version_lines

        typer.echo("\n".join(version_lines()))
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help=_("Print the version, the store schema and the model libraries' versions."),
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
    ui_lang: Annotated[
        str | None,
        typer.Option(
            "--ui-lang",
            help=_("Language of these messages: en, my (Burmese) or hi (Hindi)."),
            show_default=False,
        ),
    ] = None,
) -> None:
    """Offline translation pipeline."""
    # The language was already chosen from the command line when messages were built.


def friendly_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a user-facing error into one line on stderr and the error's exit code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except PipelineError as exc:
            typer.echo(_("error: {message}").format(message=exc), err=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            # A path the system refuses (a name too long, a loop of links) where no layer
            # below named the failure: still one line.
            error = from_os_error(exc)
            typer.echo(_("error: {message}").format(message=error), err=True)
            raise typer.Exit(error.exit_code) from None

    wrapper.friendly = True  # type: ignore[attr-defined]
    return wrapper


def _open(store: str | None, *, create: bool = False) -> Store:
    from pipeline.store import open_store, store_location

    return open_store(store_location(store), create=create)


@app.command(
    help=_(
        "Split articles into segments and store them as new document versions.\n\n"
        "Re-ingesting an unchanged file changes nothing; an edited file becomes a new version "
        "whose unchanged segments keep their translations.\n\n"
        "Example: pipeline ingest article.md news/*.html"
    )
)
def ingest(
    files: Annotated[list[Path], typer.Argument(help=_("Articles to read (.txt, .md, .html)."))],
    lang: Annotated[str, typer.Option("--lang", help=_("Source language of the articles."))] = "en",
    fields: Annotated[
        str,
        typer.Option(
            "--fields",
            help=_("Front matter keys whose values are translated (comma-separated)."),
        ),
    ] = "title,description,summary",
    store: StoreOption = None,
) -> None:
    """Split articles into segments and store them as new document versions."""
    from pipeline import jobs
    from pipeline.ingest import folders

    keys = tuple(key.strip() for key in fields.split(",") if key.strip())
    if folders.has_folder(files):
        _ingest_folders(files, _language(lang), keys, store)
        return
    drafts = jobs.read_articles(files, _language(lang), keys)
    with _open(store, create=True) as db:
        for result in jobs.ingest_articles(db, drafts):
            _echo_ingested(result)


def _ingest_folders(files: list[Path], lang: str, keys: tuple[str, ...], store: str | None) -> None:
    """Ingest every file under the folders, going on past a bad one; exit 2 if any was refused."""
    from pipeline import jobs
    from pipeline.ingest import folders

    walk = folders.expand(files)
    ingested = refused = 0
    with _open(store, create=True) as db:
        for outcome in folders.read_each(walk.files, lang, keys):
            if isinstance(outcome, folders.Refusal):
                refused += 1
                typer.echo(_("refused: {reason}").format(reason=outcome.reason), err=True)
                continue
            for result in jobs.ingest_articles(db, [outcome]):
                ingested += 1
                _echo_ingested(result)
    typer.echo(
        _("{ingested} ingested, {refused} refused, {skipped} skipped (not an article file)").format(
            ingested=ingested, refused=refused, skipped=len(walk.skipped)
        )
    )
    if refused:
        raise typer.Exit(2)


def _echo_ingested(result: IngestResult) -> None:
    """Print one stored document: its new version, or that it was unchanged."""
    doc = result.document
    if result.created:
        message = _(
            "document {id}: {uri} version {version}, {segments} segments "
            "({carried} kept their translations)"
        )
    else:
        message = _("document {id}: {uri} unchanged (version {version})")
    typer.echo(
        message.format(
            id=doc.id,
            uri=doc.uri,
            version=doc.version,
            segments=result.segments,
            carried=result.carried,
        )
    )
    for change in doc.normalisation if result.created else ():
        typer.echo(_("  normalised: {change}").format(change=change))


@app.command(
    help=_(
        "Print a document's segments: id, position (paragraph.sentence), kind and source.\n\n"
        "Example: pipeline show 1 --json"
    )
)
def show(
    document: Annotated[str, typer.Argument(help=_("Document id, or the path it was read from."))],
    as_json: Annotated[bool, typer.Option("--json", help=_("One JSON object per line."))] = False,
    store: StoreOption = None,
) -> None:
    """Print a document's segments."""
    from pipeline.inline import marked

    with _open(store) as db:
        doc = db.document(document)
        segments = db.segments(doc.id)
    for seg in segments:
        if as_json:
            record = asdict(seg)
            record["kind"] = seg.kind.value
            typer.echo(json.dumps(record, ensure_ascii=False))
        else:
            # Inline codes in the readable form of PO files: <1>…</1>, <2/>.
            text = marked(seg.source, seg.codes)
            typer.echo(f"{seg.id}\t{seg.paragraph}.{seg.sentence}\t{seg.kind.value}\t{text}")


@app.command(
    help=_(
        "Print, per document and target language, segments and words in each state.\n\n"
        "Example: pipeline status article.md"
    )
)
def status(
    document: Annotated[
        str | None, typer.Argument(help=_("Document id or path (default: every document)."))
    ] = None,
    store: StoreOption = None,
) -> None:
    """Print segment and word counts per state."""
    from pipeline.report import status_table

    with _open(store) as db:
        doc_id = db.document(document).id if document else None
        rows = db.status(doc_id)
    typer.echo(status_table(rows))


def _languages(value: str) -> list[str]:
    """Return the comma-separated codes of an option, each language once and canonical."""
    from pipeline.export import parse_languages

    return list(parse_languages(value))


@app.command(
    help=_(
        "Translate every pending segment: translation memory first, then the model.\n\n"
        "Results are saved batch by batch: an interrupted run loses at most the batch in "
        "flight, and running the command again resumes. An unchanged article makes no model "
        "call.\n\n"
        "Example: pipeline translate article.md --to my,hi"
    )
)
def translate(
    documents: Annotated[
        list[str] | None,
        typer.Argument(
            help=_("Document ids or paths (default: every document)."), show_default=False
        ),
    ] = None,
    to: Annotated[str, typer.Option("--to", help=_("Target languages, comma-separated."))] = "",
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help=_(
                "argos (installed models), pseudo (visibly fake, for testing a pipeline), "
                "or auto (argos where a model is installed, else pseudo, with a warning)."
            ),
        ),
    ] = "argos",
    beam_size: Annotated[
        int | None, typer.Option(min=1, max=MAX_BEAM, help=_("Beam size for decoding."))
    ] = None,
    compute_type: Annotated[
        str | None, typer.Option(help=_("CTranslate2 compute type (default int8 on CPU)."))
    ] = None,
    inter_threads: Annotated[
        int | None, typer.Option(min=0, max=MAX_THREADS, help=_("Parallel translations."))
    ] = None,
    intra_threads: Annotated[
        int | None, typer.Option(min=0, max=MAX_THREADS, help=_("Threads per translation."))
    ] = None,
    max_batch_size: Annotated[
        int | None, typer.Option(min=0, max=MAX_BATCH, help=_("Sentences per model batch."))
    ] = None,
    device: Annotated[str | None, typer.Option(help=_("cpu, cuda or auto."))] = None,
    max_decoding_length: Annotated[
        int | None,
        typer.Option(min=1, max=MAX_DECODING, help=_("Most tokens decoded per sentence.")),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=MAX_BATCH, help=_("Segments saved per transaction."))
    ] = 256,
    fuzzy_threshold: Annotated[
        float,
        typer.Option(
            min=1,
            max=100,
            help=_("Lowest fuzzy match score (percent) offered beside the translation."),
        ),
    ] = 75.0,
    fuzzy_fill: Annotated[
        float | None,
        typer.Option(
            min=1,
            max=100,
            help=_(
                "Fill segments from fuzzy matches scoring at least this (percent) instead of "
                "the model, as drafts for review; differing numbers come from the source."
            ),
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=MAX_WORKERS,
            help=_(
                "Local processes translating at once, each loading each model once "
                "(they share the pending work; default 1)."
            ),
        ),
    ] = 1,
    executor: Annotated[
        str,
        typer.Option(
            "--executor",
            help=_(
                "local (this machine's processes) or ray (batches spread over Ray actors, one "
                "per --workers; needs the ray extra)."
            ),
        ),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(
            "--address",
            help=_("Ray cluster address (default: start a local one for the run)."),
            show_default=False,
        ),
    ] = None,
    digits: Annotated[
        str | None,
        typer.Option(
            "--digits",
            help=_(
                "Digits of the dates rendered in datelines: native or latin "
                "(default: the target locale's own)."
            ),
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Translate every pending segment."""
    from pipeline.cli.progress import progress_bar
    from pipeline.engines.factory import build_engine
    from pipeline.export import parse_digits
    from pipeline.translate import TranslationJob

    targets = [_language(code) for code in _languages(to)]
    if not targets:
        raise typer.BadParameter(_("name at least one target language, e.g. --to my,hi"))
    options = {
        "beam_size": beam_size,
        "compute_type": compute_type,
        "inter_threads": inter_threads,
        "intra_threads": intra_threads,
        "max_batch_size": max_batch_size,
        "device": device,
        "max_decoding_length": max_decoding_length,
    }
    if executor not in ("local", "ray"):
        raise typer.BadParameter(_("--executor takes local or ray"))
    if executor == "ray":
        from pipeline.ray_executor import import_ray

        import_ray()  # a missing extra is one line, before any work
    chosen = build_engine(engine, {k: v for k, v in options.items() if v is not None})
    with _open(store) as db:
        docs = [db.document(ref) for ref in documents] if documents else db.documents()
        job = TranslationJob(
            db,
            chosen,
            docs,
            targets,
            batch_size=batch_size,
            fuzzy_threshold=fuzzy_threshold,
            fuzzy_fill=fuzzy_fill,
            digits=parse_digits(digits),
        )
        total = job.plan()
        try:
            with progress_bar(total, "translating") as advance:
                if executor == "ray" and total:
                    from pipeline.ray_executor import run_ray

                    given = {k: v for k, v in options.items() if v is not None}
                    summaries = run_ray(
                        job,
                        engine,
                        given,
                        address=address,
                        actors=max(workers, 1),
                        progress=advance,
                    )
                elif workers > 1 and total:
                    from pipeline.store import store_location
                    from pipeline.workers import WorkOrder, run_workers

                    order = WorkOrder(
                        str(store_location(store)),
                        engine,
                        {k: v for k, v in options.items() if v is not None},
                        tuple(d.id for d in docs),
                        tuple(targets),
                        batch_size,
                        fuzzy_threshold,
                    )
                    summaries = run_workers(job, order, workers, advance)
                else:
                    summaries = job.run(advance)
        except KeyboardInterrupt:
            typer.echo(
                _("interrupted: finished batches are saved; run the same command to resume"),
                err=True,
            )
            raise typer.Exit(130) from None
    from pipeline.report import translate_summary

    typer.echo(translate_summary(summaries))


@app.command(
    help=_(
        "List the QA flags of stored translations (numbers, protected spans, punctuation, "
        "script, length, repetition, Zawgyi, inline tags ...).\n\n"
        "With --fail-on, exit non-zero when a flag of that severity or worse is found.\n\n"
        "Example: pipeline qa article.md --to my --fail-on error"
    )
)
def qa(
    documents: Annotated[
        list[str] | None,
        typer.Argument(
            help=_("Document ids or paths (default: every document)."), show_default=False
        ),
    ] = None,
    to: Annotated[
        str, typer.Option("--to", help=_("Target languages, comma-separated (default: all)."))
    ] = "",
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", help=_("error or warning."), show_default=False)
    ] = None,
    recheck: Annotated[
        bool, typer.Option("--recheck", help=_("Run the checks again and save their findings."))
    ] = False,
    store: StoreOption = None,
) -> None:
    """List the QA flags of stored translations."""
    from pipeline.jobs import qa_findings
    from pipeline.qa import fails
    from pipeline.records import Severity
    from pipeline.report import qa_table

    level = None
    if fail_on is not None:
        if fail_on not in (Severity.ERROR.value, Severity.WARNING.value):
            raise typer.BadParameter(_("--fail-on takes error or warning"))
        level = Severity(fail_on)
    targets = [_language(code) for code in _languages(to)]
    with _open(store) as db:
        docs = [db.document(ref) for ref in documents] if documents else db.documents()
        findings = qa_findings(db, docs, targets, recheck=recheck)
    typer.echo(qa_table(findings))
    if level is not None and fails([f.flag for f in findings], level):
        raise typer.Exit(1)


def _language(code: str) -> str:
    """Return the canonical code of a language (my for MY, my_MM, my-MM, mya, bur)."""
    from pipeline.locale import canonical_language

    return canonical_language(code)


def _mount_subcommands() -> None:
    from pipeline.cli import build, export, glossary, review, store, tm
    from pipeline.cli.models import app as models_app

    export.register(app)
    build.register(models_app)
    for typer_app in (app, models_app, review.app, tm.app, glossary.app, store.app):
        for info in typer_app.registered_commands:
            if info.callback is not None and not hasattr(info.callback, "friendly"):
                info.callback = friendly_errors(info.callback)
    app.add_typer(models_app, name="models")
    app.add_typer(review.app, name="review")
    app.add_typer(tm.app, name="tm")
    app.add_typer(glossary.app, name="glossary")
    app.add_typer(store.app, name="store")


_mount_subcommands()


def main() -> None:
    """Run the CLI, its help texts in the UI language."""
    import typer.main

    from pipeline.i18n import localise_command

    command = typer.main.get_command(app)
    localise_command(command)
    command()
