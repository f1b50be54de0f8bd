"""Exchange formats: one module per format, each a pure generator plus a thin writer.

``FORMATS`` maps a format name to the module and function that write it. A module is
imported only when its format is used, so importing this package pulls in neither lxml nor
babel. Every writer has the signature of :class:`Writer`: it reads units once, in the order
the store yields them, and writes encoded chunks as it goes, never the whole file at once.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, BinaryIO, Literal, Protocol, cast

from pipeline import __version__
from pipeline.formats.errors import UnknownFormatError
from pipeline.records import Document, Flag, MemoryMatch, Revision, State, Translation, Unit

if TYPE_CHECKING:
    from pipeline.glossary.match import TermHit

__all__ = [
    "ALIASES",
    "FORMATS",
    "PSEUDO_WARNING",
    "Counted",
    "ExportOptions",
    "FormatInfo",
    "Selected",
    "Writer",
    "exported_in",
    "flag_line",
    "format_info",
    "match_lines",
    "one_line",
    "state_of",
    "term_line",
    "terms_of",
    "write_chunks",
    "writer",
    "xml_text",
]

PSEUDO_WARNING = "PSEUDO-TRANSLATION: not a translation"
# Characters XML 1.0 cannot hold, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FormatInfo:
    """What the export job needs to know about a format before importing it."""

    name: str
    module: str
    function: str
    extension: str
    description: str
    # False: one file holds one target language (PO, XLIFF 2.0, articles).
    many_targets: bool = True
    # True: one file holds one document (articles).
    per_document: bool = False
    # True: the output is a folder the format lays out itself; ``module`` is then a full
    # module path and ``function`` returns the folder's files (an OmegaT project).
    folder: bool = False


FORMATS: dict[str, FormatInfo] = {
    info.name: info
    for info in (
        FormatInfo("xliff12", "xliff12", "write", "xlf", "XLIFF 1.2, one <file> per document"),
        FormatInfo("xliff20", "xliff20", "write", "xlf", "XLIFF 2.0", many_targets=False),
        FormatInfo("tmx", "tmx", "write", "tmx", "TMX 1.4b translation memory"),
        FormatInfo("po", "po", "write", "po", "gettext PO catalog", many_targets=False),
        FormatInfo("tsv", "table", "write_tsv", "tsv", "tab-separated table"),
        FormatInfo("csv", "table", "write_csv", "csv", "comma-separated table (RFC 4180)"),
        FormatInfo("jsonl", "jsonl", "write", "jsonl", "one JSON object per unit"),
        FormatInfo("bilingual", "bilingual_html", "write", "html", "side-by-side HTML review"),
        FormatInfo(
            "article",
            "article",
            "write",
            "",
            "the translated article in its own format (txt, md, html)",
            many_targets=False,
            per_document=True,
        ),
        FormatInfo(
            "omegat",
            "pipeline.omegat.project",
            "project_files",
            "",
            "a ready OmegaT project folder for one language (source, tm/auto, tm/mt, glossary)",
            many_targets=False,
            folder=True,
        ),
    )
}
ALIASES = {
    "xliff": "xliff12",
    "xlf": "xliff12",
    "xliff2": "xliff20",
    "bilingual-html": "bilingual",
}


@dataclass(frozen=True)
class ExportOptions:
    """What a writer may need besides the units: languages, dates, history, drafts."""

    target_langs: tuple[str, ...]
    # The documents' common source language, "" when they differ.
    source_lang: str = "en"
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    tool_version: str = __version__
    allow_draft: bool = False
    # A translation's revisions, oldest first (Store.revisions); None leaves history out.
    history: Callable[[int], Sequence[Revision]] | None = None
    # Digits in dates the pipeline renders itself: "native", "latin", or the locale's default.
    digits: Literal["native", "latin"] | None = None
    # The one document of a per-document export (an article), even when it has no segments.
    document: Document | None = None
    # The glossary terms found in a unit's source for a language (Store.glossary); None: none.
    terms: Callable[[Unit, str], Sequence[TermHit]] | None = None
    # Tables: cells as stored, without the mark that keeps spreadsheets from running them.
    raw: bool = False


def terms_of(unit: Unit, lang: str, options: ExportOptions) -> Sequence[TermHit]:
    """Return the glossary hits of a unit's source for a target language."""
    return options.terms(unit, lang) if options.terms is not None else ()


def term_line(hit: TermHit) -> str:
    """Return a glossary hit as one line for a reviewer.

    >>> from pipeline.glossary.match import TermHit
    >>> term_line(TermHit(0, 9, "Naypyitaw", "Naypyitaw", ("နေပြည်တော်",), ("နေပြည်",)))
    'term: Naypyitaw → နေပြည်တော်; do not use နေပြည်'
    """
    if hit.dnt:
        line = f"term: {hit.text}: do not translate"
    elif hit.targets:
        line = f"term: {hit.text} → {' / '.join(hit.targets)}"
        if len(hit.targets) > 1:
            line += " (several approved: choose one)"
    else:
        line = f"term: {hit.text}: no approved translation"
    if hit.forbidden:
        line += f"; do not use {', '.join(hit.forbidden)}"
    return one_line(line + "".join(f" ({note})" for note in hit.notes if note))


def match_lines(match: MemoryMatch, source: str) -> tuple[str, str]:
    """Return a fuzzy match as two lines: score, origin and target; what differs.

    >>> from pipeline.records import MemoryMatch
    >>> m = MemoryMatch("my", 87.5, "Police paid 5.", "ရဲ ၅", "memory:a.tmx")
    >>> match_lines(m, "Police paid 6.")
    ('fuzzy match 87.5% (memory:a.tmx): ရဲ ၅', 'the source differs: "5" → "6"')
    """
    from pipeline.tm.adapt import describe, differences

    found = describe(differences(source, match.source)) or "in case, spacing or markup only"
    return (
        one_line(f"fuzzy match {match.score:g}% ({match.origin}): {match.target}"),
        one_line(f"the source differs: {found}"),
    )


@dataclass(frozen=True)
class Selected(Unit):
    """A unit that passed a state filter: exported only in ``languages``, with those targets."""

    languages: frozenset[str] = frozenset()


def exported_in(unit: Unit, lang: str) -> bool:
    """Return whether a unit belongs in a language's part of an export (all do, unfiltered)."""
    return not isinstance(unit, Selected) or lang in unit.languages


class Writer(Protocol):
    """A format's writer: stream units into a binary file."""

    def __call__(self, units: Iterable[Unit], out: BinaryIO, options: ExportOptions) -> None: ...


def format_info(name: str) -> FormatInfo:
    """Return the format called ``name`` (or one of its aliases), or raise UnknownFormatError."""
    key = name.strip().lower()
    info = FORMATS.get(ALIASES.get(key, key))
    if info is None:
        raise UnknownFormatError(
            f"unknown export format {name!r}; choose one of {', '.join(FORMATS)}"
        )
    return info


def writer(name: str) -> Writer:
    """Import the module of a format and return its writer."""
    info = format_info(name)
    module = importlib.import_module(f"{__name__}.{info.module}")
    return cast(Writer, getattr(module, info.function))


def state_of(translation: Translation | None) -> State:
    """Return a target's state; no translation at all is ``initial``.

    >>> state_of(None).value
    'initial'
    """
    return translation.state if translation is not None else State.INITIAL


def one_line(text: str) -> str:
    """Return text with every run of whitespace, line breaks included, as one space.

    >>> one_line("two\\nlines  here ")
    'two lines here'
    """
    return " ".join(text.split())


def flag_line(flag: Flag) -> str:
    """Return a QA flag as one line: ``qa error: numbers: 19 is missing``."""
    return one_line(f"qa {flag.severity.value}: {flag.check}: {flag.message}")


def xml_text(text: str) -> str:
    """Return text with characters XML cannot hold (control codes) replaced by U+FFFD.

    >>> xml_text("bell\\x07") == "bell\\ufffd"
    True
    """
    return _NOT_XML.sub("\ufffd", text)


def write_chunks(chunks: Iterable[str | bytes], out: BinaryIO) -> None:
    """Write text (as UTF-8) and bytes chunks to a binary stream as they come."""
    for chunk in chunks:
        out.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)


class Counted:
    """An iterator over units that counts what it yields (what an export wrote)."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units = iter(units)
        self.count = 0

    def __iter__(self) -> Iterator[Unit]:
        return self

    def __next__(self) -> Unit:
        unit = next(self._units)
        self.count += 1
        return unit
