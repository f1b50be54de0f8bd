"""The export job: resolve documents, stream units from the store, write them in a format.

Units are written as the store yields them, one document at a time, so memory does not grow
with the store. Every file is written beside its destination under a temporary name and
renamed into place only when all of an export's files are complete: a failed export leaves
no half-written file.

Articles are published only when complete and free of QA errors. Without ``ready`` one
article that is not stops the whole export; with it, the others are written and each held
back is named with why.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, Protocol, cast

from pipeline.formats import (
    Counted,
    ExportOptions,
    FormatInfo,
    Selected,
    format_info,
    state_of,
    writer,
)
from pipeline.formats.errors import ExportError, IncompleteArticleError
from pipeline.outputs import Commit, Protected, atomic_output, protected
from pipeline.records import Document, State, Unit
from pipeline.store.base import Store

if TYPE_CHECKING:
    from pipeline.glossary.match import TermHit
    from pipeline.omegat.project import ProjectFile

__all__ = [
    "ExportRequest",
    "ExportResult",
    "ExportedFile",
    "HeldArticle",
    "atomic_output",
    "check_articles",
    "export",
    "held_articles",
    "parse_languages",
    "parse_states",
    "resolve_documents",
    "select",
]


@dataclass(frozen=True)
class ExportRequest:
    """What to export: a format, target languages, documents and states."""

    format: str
    # Empty: every language the documents have translations into.
    target_langs: tuple[str, ...] = ()
    # Document ids, paths or URIs; empty: the latest version of every document.
    documents: tuple[str, ...] = ()
    # Empty: every state. A segment with no translation counts as initial.
    states: tuple[State, ...] = ()
    allow_draft: bool = False
    # Articles: publish reviewed text whose latest QA found errors.
    allow_flagged: bool = False
    # Articles: write those that can be published, hold back (and name) the rest.
    ready: bool = False
    # Tables: cells as stored, not marked against formula injection.
    raw: bool = False


@dataclass(frozen=True)
class HeldArticle:
    """An article not written: its document, language and one line saying why."""

    document: Document
    lang: str
    reason: str


@dataclass(frozen=True)
class ExportedFile:
    """One file an export wrote ("-" for standard output), its languages and unit count."""

    path: str
    langs: tuple[str, ...]
    units: int
    # What ``units`` counts: "units"; in a project also "entries", "terms", "" (settings).
    kind: str = "units"


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    format: str
    documents: tuple[Document, ...]
    target_langs: tuple[str, ...]
    files: tuple[ExportedFile, ...]
    # Articles held back by an export with ``ready``.
    held: tuple[HeldArticle, ...] = ()

    @property
    def units(self) -> int:
        """Return the number of units written, over all files."""
        return sum(file.units for file in self.files if file.kind == "units")


@dataclass(frozen=True)
class _Part:
    """The documents and languages of one output file, and its name inside a folder."""

    documents: tuple[Document, ...]
    langs: tuple[str, ...]
    name: str


def parse_languages(value: str | Sequence[str]) -> tuple[str, ...]:
    """Return the canonical codes of "my,hi" (or a list), each language once.

    >>> parse_languages("my, hi, MY, my_MM, mya")
    ('my', 'hi')
    """
    from pipeline.locale import canonical_language

    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in v.split(",")]
    return tuple(dict.fromkeys(canonical_language(code) for code in parts if code.strip()))


def parse_digits(value: str | None) -> Literal["native", "latin"] | None:
    """Return a digits policy from its name, or raise ExportError."""
    if value is None:
        return None
    if value == "native":
        return "native"
    if value == "latin":
        return "latin"
    raise ExportError(f"--digits takes native or latin, not {value!r}")


def parse_states(values: Iterable[str]) -> tuple[State, ...]:
    """Return states from names such as "reviewed", or raise ExportError naming the choices."""
    states: list[State] = []
    for value in values:
        for name in value.split(","):
            try:
                states.append(State(name.strip().lower()))
            except ValueError:
                choices = ", ".join(s.value for s in State)
                raise ExportError(
                    f"unknown state {name.strip()!r}; choose from {choices}"
                ) from None
    return tuple(dict.fromkeys(states))


def resolve_documents(store: Store, refs: Sequence[str]) -> tuple[Document, ...]:
    """Return the named documents (or the latest version of every one), each once."""
    docs = [store.document(ref) for ref in refs] if refs else store.documents()
    if not docs:
        raise ExportError(f"no documents in {store.location}; add one with 'pipeline ingest FILE'")
    return tuple({doc.id: doc for doc in docs}.values())


def select(units: Iterable[Unit], langs: Sequence[str], states: Sequence[State]) -> Iterator[Unit]:
    """Yield the units with a target in a wanted state, each marked with the languages it has.

    A language with no translation counts as initial. Targets in other states are left out,
    and formats leave the unit out of (or blank in) those languages. With no states, every
    unit passes unchanged.
    """
    if not states:
        yield from units
        return
    wanted = set(states)
    for unit in units:
        chosen = frozenset(
            lang for lang in langs if state_of(unit.translations.get(lang)) in wanted
        )
        if chosen:
            kept = {lang: t for lang, t in unit.translations.items() if lang in chosen}
            yield Selected(unit.document, unit.segment, kept, unit.matches, languages=chosen)


def held_articles(
    store: Store,
    documents: Sequence[Document],
    langs: Sequence[str],
    allow_draft: bool = False,
    allow_flagged: bool = False,
) -> list[HeldArticle]:
    """Return the articles that cannot be published (missing or flagged segments), and why."""
    from pipeline.formats.article import problems

    held = []
    for doc in documents:
        for lang in langs:
            units = list(store.units([doc.id], [lang]))
            reason = problems(doc, lang, units, allow_draft, allow_flagged)
            if reason is not None:
                held.append(HeldArticle(doc, lang, reason))
    return held


def check_articles(
    store: Store,
    documents: Sequence[Document],
    langs: Sequence[str],
    allow_draft: bool,
    allow_flagged: bool = False,
) -> None:
    """Raise IncompleteArticleError on one line if any article cannot be published."""
    held = held_articles(store, documents, langs, allow_draft, allow_flagged)
    if held:
        extra = len(held) - 2
        more = f" (and {extra} more article{'s' if extra > 1 else ''})" if extra > 0 else ""
        raise IncompleteArticleError("; ".join(h.reason for h in held[:2]) + more)


def export(
    store: Store,
    request: ExportRequest,
    output: Path | BinaryIO,
    *,
    created_at: datetime | None = None,
    folder: bool = False,
) -> ExportResult:
    """Export documents from the store to a file, a folder (one file per part) or a stream.

    With ``folder``, ``output`` is a folder, created when the export has something to write.
    """
    info = format_info(request.format)
    documents = resolve_documents(store, request.documents)
    langs = request.target_langs or _languages_of(store, documents)
    _check_request(info, request)
    if info.folder:
        made = created_at or datetime.now(UTC)
        return _export_project(store, info, documents, _one_language(langs), output, made)
    parts = _plan(info, documents, langs)
    held: tuple[HeldArticle, ...] = ()
    if info.per_document:
        held, parts = _gate(store, documents, langs, parts, request)
        if not parts:
            return ExportResult(info.name, documents, langs, (), held)
    if folder and isinstance(output, Path):
        make_folder(output)
    destinations = _destinations(info, parts, output)
    sources = {doc.source_lang for doc in documents}
    options = ExportOptions(
        target_langs=langs,
        source_lang=sources.pop() if len(sources) == 1 else "",
        created_at=created_at or datetime.now(UTC),
        allow_draft=request.allow_draft,
        raw=request.raw,
        history=store.revisions,
        terms=None if info.per_document else _TermLookup(store),
    )
    pairs = zip(parts, destinations, strict=True)
    files = _write_parts(store, info, pairs, options, request, _protected(store, documents))
    when = options.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    paths = ", ".join(f.path for f in files)
    # Only what was written counts as exported (the desk's "changed since the last export").
    with store.transaction():
        for part in parts:
            store.record_export([d.id for d in part.documents], part.langs, info.name, paths, when)
    return ExportResult(info.name, documents, langs, files, held)


class _Layout(Protocol):
    """A folder format's module (pipeline.omegat.project): its folders and its files."""

    FOLDERS: tuple[str, ...]

    def check_folder(self, folder: Path) -> None: ...

    def project_files(
        self, store: Store, documents: Sequence[Document], lang: str, options: ExportOptions
    ) -> list[ProjectFile]: ...


def _export_project(
    store: Store,
    info: FormatInfo,
    documents: Sequence[Document],
    lang: str,
    output: Path | BinaryIO,
    created_at: datetime,
) -> ExportResult:
    """Write a project folder (OmegaT's) for one language; its files are renamed together."""
    if not isinstance(output, Path):
        raise ExportError(f"{info.name} writes a project folder: -o must be a folder, not -")
    layout = cast(_Layout, importlib.import_module(info.module))
    layout.check_folder(output)
    options = ExportOptions(target_langs=(lang,), created_at=created_at)
    files = layout.project_files(store, documents, lang, options)
    for sub in ("", *layout.FOLDERS):
        make_folder(output / sub)
    written = []
    with Commit(_protected(store, documents)) as commit:
        for file in files:
            with commit.open(output / file.path) as out:
                count = file.write(out)
            written.append(ExportedFile(str(output / file.path), (lang,), count, file.kind))
    stamp = created_at.astimezone(UTC).isoformat(timespec="microseconds")
    with store.transaction():
        store.record_export([d.id for d in documents], (lang,), info.name, str(output), stamp)
    return ExportResult(info.name, tuple(documents), (lang,), tuple(written))


def _protected(store: Store, documents: Sequence[Document]) -> Protected:
    """Return what an export must not overwrite: its store and its documents' source files."""
    return protected(store.location, [document.uri for document in documents])


def _one_language(langs: Sequence[str]) -> str:
    """Return the one target language of a project, or raise ExportError."""
    if len(langs) != 1:
        raise ExportError(
            f"an OmegaT project has one target language, not {', '.join(langs)}:"
            " export one project per language (--to my -o DIR-my)"
        )
    return langs[0]


def _check_request(info: FormatInfo, request: ExportRequest) -> None:
    """Raise ExportError for options that do not apply to the format."""
    if info.folder and request.states:
        raise ExportError(
            f"--state does not apply to {info.name}: a project holds every segment (reviewed"
            " translations in tm/auto, drafts in tm/mt)"
        )
    if info.per_document and request.states:
        raise ExportError(
            "--state does not apply to articles: they use reviewed and final translations"
            " (and drafts with --allow-draft)"
        )
    if not info.per_document and (request.ready or request.allow_flagged):
        flag = "--ready" if request.ready else "--allow-flagged"
        raise ExportError(f"{flag} applies to --format article only")


def _gate(
    store: Store,
    documents: Sequence[Document],
    langs: Sequence[str],
    parts: list[_Part],
    request: ExportRequest,
) -> tuple[tuple[HeldArticle, ...], list[_Part]]:
    """Return the articles held back and the parts left to write; without ready, raise."""
    if not request.ready:
        check_articles(store, documents, langs, request.allow_draft, request.allow_flagged)
        return (), parts
    held = held_articles(store, documents, langs, request.allow_draft, request.allow_flagged)
    out = {(h.document.id, h.lang) for h in held}
    return tuple(held), [p for p in parts if (p.documents[0].id, p.langs[0]) not in out]


def make_folder(path: Path) -> None:
    """Create an output folder and its parents, or raise ExportError saying why not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ExportError(f"cannot write to {path}/: {path} is a file, not a folder") from None
    except OSError as error:
        raise ExportError(f"cannot create folder {path}: {error.strerror or error}") from None


class _TermLookup:
    """The glossary hits of a unit's source for a language."""

    def __init__(self, store: Store) -> None:
        from pipeline.glossary.cache import Glossaries

        self._glossaries = Glossaries(store)

    def __call__(self, unit: Unit, lang: str) -> Sequence[TermHit]:
        glossary = self._glossaries.get(unit.document.source_lang, lang)
        return glossary.hits(unit.segment.source) if glossary is not None else ()


def _write_parts(
    store: Store,
    info: FormatInfo,
    parts: Iterable[tuple[_Part, Path | BinaryIO]],
    options: ExportOptions,
    request: ExportRequest,
    protect: Protected,
) -> tuple[ExportedFile, ...]:
    """Write each part's units; files are renamed into place only when all are written."""
    write = writer(info.name)
    written: list[ExportedFile] = []
    with Commit(protect) as commit:
        for part, destination in parts:
            doc_ids = [doc.id for doc in part.documents]
            selected = select(store.units(doc_ids, part.langs), part.langs, request.states)
            part_options = replace(options, target_langs=part.langs)
            if info.per_document:
                # An article is written even when its document has nothing to translate.
                units = Counted(selected)
                part_options = replace(part_options, document=part.documents[0])
            else:
                units = Counted(_nonempty(selected, part.langs, request.states))
            if isinstance(destination, Path):
                with commit.open(destination) as out:
                    write(units, out, part_options)
            else:
                write(units, destination, part_options)
                destination.flush()
            shown = str(destination) if isinstance(destination, Path) else "-"
            written.append(ExportedFile(shown, part.langs, units.count))
    return tuple(written)


def _languages_of(store: Store, documents: Sequence[Document]) -> tuple[str, ...]:
    langs = sorted({lang for doc in documents for lang in store.target_languages(doc.id)})
    if not langs:
        raise ExportError("the documents have no translations yet; name languages with --to")
    return tuple(langs)


def _plan(info: FormatInfo, documents: Sequence[Document], langs: Sequence[str]) -> list[_Part]:
    """Split an export into the files it needs: per document and/or language, or one."""
    groups: list[tuple[tuple[Document, ...], tuple[str, ...]]]
    if info.per_document:
        groups = [((doc,), (lang,)) for doc in documents for lang in langs]
    elif not info.many_targets:
        groups = [(tuple(documents), (lang,)) for lang in langs]
    else:
        groups = [(tuple(documents), tuple(langs))]
    base = _common_folder(documents) if info.per_document and len(documents) > 1 else None
    names = [_name(info, docs, group_langs, base=base) for docs, group_langs in groups]
    clashes = {name for name in names if names.count(name) > 1}
    return [
        _Part(docs, group_langs, _name(info, docs, group_langs, name in clashes, base))
        for (docs, group_langs), name in zip(groups, names, strict=True)
    ]


def _common_folder(documents: Sequence[Document]) -> Path | None:
    """Return the deepest folder holding every document's file, or None if they share none."""
    folders = [Path(doc.uri).parent for doc in documents]
    if not all(folder.is_absolute() for folder in folders):
        return None  # not read from files: named flat, as before
    common = folders[0].parts
    for folder in folders[1:]:
        same = 0
        while same < min(len(common), len(folder.parts)) and common[same] == folder.parts[same]:
            same += 1
        common = common[:same]
    return Path(*common) if common else None


def _name(
    info: FormatInfo,
    docs: Sequence[Document],
    langs: Sequence[str],
    with_id: bool = False,
    base: Path | None = None,
) -> str:
    """Return a part's file name: "[<folder>/]<document stem>[.<lang>].<extension>".

    With ``base``, a document's name keeps its folders below base, so the export mirrors
    the tree it was read from.
    """
    source = Path(docs[0].uri)
    stem = source.stem if len(docs) == 1 else "export"
    if with_id:
        stem += f"-d{docs[0].id}"
    lang = (
        f".{langs[0]}" if len(langs) == 1 and (info.per_document or not info.many_targets) else ""
    )
    name = f"{stem}{lang}.{info.extension or docs[0].format}"
    if base is None or len(docs) != 1:
        return name
    return (source.parent.relative_to(base) / name).as_posix()


def _destinations(
    info: FormatInfo, parts: Sequence[_Part], output: Path | BinaryIO
) -> list[Path | BinaryIO]:
    """Return where each part goes, or raise ExportError if one destination cannot hold them."""
    if isinstance(output, Path) and _is_folder(output):
        return [_inside(output, part.name) for part in parts]
    if len(parts) > 1:
        why = "document and language" if info.per_document else "target language"
        shown = "standard output" if not isinstance(output, Path) else str(output)
        raise ExportError(
            f"{info.name} writes one file per {why}, {len(parts)} here; -o must be a folder"
            f" (a new one ends with /), not {shown}"
        )
    return [output]


def _inside(output: Path, name: str) -> Path:
    """Return output/name, making the folders of a mirrored tree, or raise ExportError."""
    destination = output / name
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(
            f"cannot make the folder {destination.parent}: {error.strerror}"
        ) from None
    if not _is_folder(destination.parent):
        raise ExportError(f"cannot write into {destination.parent}: not a folder")
    return destination


def _is_folder(path: Path) -> bool:
    """Return whether path is an existing folder; a name the system refuses is not one."""
    try:
        return path.is_dir()
    except OSError:  # too long, no access: the write says why, in one line
        return False


def _nonempty(
    units: Iterable[Unit], langs: Sequence[str], states: Sequence[State]
) -> Iterator[Unit]:
    """Yield the units, or raise ExportError before writing anything if there are none."""
    iterator = iter(units)
    first = next(iterator, None)
    if first is None:
        chosen = " or ".join(s.value for s in states)
        raise ExportError(f"nothing to export: no segment is {chosen} in {', '.join(langs)}")
    return chain([first], iterator)
