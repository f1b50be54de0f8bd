"""Reviewed exchange files coming back: read XLIFF 1.2/2.0, PO, TMX, TSV/CSV and JSONL as records.

Each format has one reader module with ``read(path) -> ReviewFile``; it is imported only when
a file of that format is read, so importing this package pulls in neither lxml nor babel.
A folder is read as an OmegaT project (:mod:`pipeline.omegat.read`): its source files, with
the translator's work from ``omegat/project_save.tmx`` and ``target/``.
Readers return plain text plus inline codes (:mod:`pipeline.formats.codes_xml` for XLIFF and
TMX, the marked form of :func:`pipeline.inline.marked` for PO and tables, JSON for JSONL).
Checking the records against the store and writing them is :mod:`pipeline.review.apply`.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from pipeline.records import Code, State
from pipeline.review.errors import ReviewFileError

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = [
    "ReviewFile",
    "ReviewUnit",
    "given_state",
    "language_code",
    "parse_xliff",
    "parse_xml",
    "read",
    "reviewer_name",
]

# Format name -> reader module.
READERS = {
    "xliff12": "xliff12",
    "xliff20": "xliff20",
    "po": "po",
    "tmx": "tmx",
    "tsv": "table",
    "csv": "table",
    "jsonl": "jsonl",
}
_XLIFF_SUFFIXES = frozenset({".xlf", ".xliff", ".xml"})
_PO_SUFFIXES = frozenset({".po", ".pot"})
_TABLE_SUFFIXES = {".tsv": "tsv", ".tab": "tsv", ".csv": "csv"}
_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
_ARTICLE_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".html", ".htm"})
_PO_ENTRY = re.compile(rb"^(msgid|msgctxt)\s+\"", re.MULTILINE)
_TABLE_HEADER = re.compile(rb"^\"?id\"?[\t,]")
_HTML_HEAD = re.compile(rb"<(!doctype\s+html|html)\b", re.IGNORECASE)
_WHAT_WE_READ = "the files read are XLIFF 1.2/2.0, PO, TMX, TSV, CSV and JSONL"
_PLACEHOLDER_NAMES = frozenset({"FULL NAME", "pipeline"})
_XLIFF2_ROOT = re.compile(rb"<xliff\b[^>]*\bversion\s*=\s*[\"']2\.")


@dataclass(frozen=True)
class ReviewUnit:
    """One unit of a reviewed file: what the reviewer left for one source segment.

    ``source`` and ``target`` are plain text, ``source_codes`` and ``target_codes`` the
    inline codes read at offsets in them: ids, types and offsets as in the file, with no
    tag or markup (the importer takes those from the stored segment, never from the file).
    ``target`` is None when the unit has no target at all; ``problem`` is set when the
    reader could make the unit out but not its meaning (an unknown state value, say).
    """

    unit_id: str
    source: str
    target: str | None
    state: State
    source_codes: tuple[Code, ...] = ()
    target_codes: tuple[Code, ...] = ()
    target_lang: str | None = None
    reviewer: str | None = None
    notes: tuple[str, ...] = ()
    problem: str = ""
    # The document the file says the unit is from ("URI (document N)"), to name it when the
    # unit does not match the store: a file from another store or document.
    document: str = ""
    # False when the file gave the target no state of its own (an XLIFF target with no state
    # attribute): the state is then the reader's assumption, and ``--state`` decides.
    state_given: bool = True
    # True when the translator confirmed this target as their translation in a tool with no
    # approval (OmegaT): it takes ``--state`` even where the text is the stored one (machine
    # output inserted and confirmed unchanged is an approval).
    confirmed: bool = False


@dataclass(frozen=True)
class ReviewFile:
    """A reviewed file read into units, with the format it was read as."""

    path: Path
    format: str
    units: tuple[ReviewUnit, ...]


class Reader(Protocol):
    """A format module: reads one file or raises ReviewFileError."""

    def read(self, path: Path) -> ReviewFile: ...


def read(path: Path) -> ReviewFile:
    """Read a reviewed export (XLIFF 1.2/2.0, PO, TMX, TSV, CSV, JSONL) or an OmegaT project."""
    if path.is_dir():
        from pipeline.omegat import read as omegat

        return omegat.read(path)
    fmt = sniff(path, _read_bytes(path))
    reader = cast(Reader, importlib.import_module(f"{__name__}.{READERS[fmt]}"))
    found = reader.read(path)
    if not found.units:
        raise ReviewFileError(f"{path.name}: no translation units in the file")
    return found


def _read_bytes(path: Path) -> bytes:
    from pipeline import xmlsafe
    from pipeline.inputs import RefusedFileError

    try:
        return xmlsafe.read_whole(path)  # read and parsed whole: PO as well as XLIFF
    except RefusedFileError as exc:
        raise ReviewFileError(f"{path.name}: {exc}") from None
    except FileNotFoundError:
        raise ReviewFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ReviewFileError(f"{path}: is a folder, not a review file") from None
    except OSError as exc:
        raise ReviewFileError(f"{path}: cannot read it ({exc.strerror})") from None


def sniff(path: Path, data: bytes) -> str:
    """Return the format of a file (a key of READERS), or say in one line what it is instead.

    >>> sniff(Path("a.po"), b'msgid ""')
    'po'
    >>> sniff(Path("a.xlf"), b'<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0">')
    'xliff20'
    >>> sniff(Path("a.txt"), b'<?xml version="1.0"?><xliff version="1.2">')
    'xliff12'
    >>> sniff(Path("x"), b'\\xef\\xbb\\xbfid\\tdocument_id'), sniff(Path("x"), b'{"id": "s1"}')
    ('tsv', 'jsonl')
    """
    suffix = path.suffix.lower()
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix in _PO_SUFFIXES:
        return "po"
    if suffix in _TABLE_SUFFIXES:
        return _TABLE_SUFFIXES[suffix]
    if suffix in _JSONL_SUFFIXES or head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"<") or suffix in _XLIFF_SUFFIXES:
        return _sniff_xml(path, head)
    if _TABLE_HEADER.match(head):
        return "tsv" if b"\t" in head.partition(b"\n")[0] else "csv"
    if _PO_ENTRY.search(head):
        return "po"
    raise ReviewFileError(f"{path.name}: {_not_review(suffix)}; {_WHAT_WE_READ}")


def _sniff_xml(path: Path, head: bytes) -> str:
    """Return the format of an XML file: xliff20, xliff12 or tmx."""
    if b"<tmx" in head:
        return "tmx"
    if b"urn:oasis:names:tc:xliff:document:2." in head or _XLIFF2_ROOT.search(head):
        return "xliff20"
    if _HTML_HEAD.search(head) and b"<xliff" not in head:
        raise ReviewFileError(
            f"{path.name}: an HTML page, not a review file (to translate it: pipeline ingest); "
            + _WHAT_WE_READ
        )
    # The 1.2 reader checks the root element and version itself and says what is wrong.
    return "xliff12"


def _not_review(suffix: str) -> str:
    """Return what a file that no reader takes seems to be."""
    if suffix in _ARTICLE_SUFFIXES:
        return "an article, not a review file (to translate it: pipeline ingest)"
    return "not a review file (neither XML, PO, a table with an id column nor JSON Lines)"


def language_code(value: str | None) -> str | None:
    """Return the store's one code for a file's language tag; LanguageError if it is unknown.

    >>> language_code("my_MM"), language_code("hi-IN"), language_code("pt_BR"), language_code(None)
    ('my', 'hi', 'pt-BR', None)
    """
    from pipeline.locale import canonical_language

    if value is None or not value.strip():
        return None
    return canonical_language(value)


def given_state(value: str | None) -> tuple[State, str]:
    """Return a state named in a file (none: translated), or initial and the problem.

    >>> [state.value for state, _ in map(given_state, ("reviewed", None, "done"))]
    ['reviewed', 'translated', 'initial']
    >>> given_state("done")[1]
    "unknown state 'done'"
    """
    try:
        return State(value or State.TRANSLATED.value), ""
    except ValueError:
        return State.INITIAL, f"unknown state {value!r}"


def reviewer_name(value: str | None) -> str | None:
    """Return a translator header's name without its e-mail address; None for placeholders.

    Placeholders are gettext's ``FULL NAME`` and ``pipeline``, which our own export writes:
    a file nobody signed names no reviewer.

    >>> reviewer_name("Thida Aung <thida@example.org>"), reviewer_name("FULL NAME <EMAIL@ADDRESS>")
    ('Thida Aung', None)
    >>> reviewer_name("pipeline") is None
    True
    """
    if value is None:
        return None
    name = value.split("<", 1)[0].strip()
    if not name or name in _PLACEHOLDER_NAMES:
        return None
    return name


def parse_xml(path: Path) -> _Element:
    """Parse a review file's XML with the safe parser; a file that is not XML is one line."""
    from lxml import etree

    from pipeline import xmlsafe

    data = _read_bytes(path)
    try:
        return etree.fromstring(data, xmlsafe.xml_parser())
    except etree.XMLSyntaxError as exc:
        why = xmlsafe.refusal(exc)
        if why:
            raise ReviewFileError(f"{path.name}: {why}") from None
        raise ReviewFileError(f"{path.name}: not well-formed XML ({exc.msg})") from None


def parse_xliff(path: Path, major: str) -> _Element:
    """Parse an XLIFF file safely and return its root, checking the root and major version.

    Entities are never expanded, nothing is fetched, and a file with its own DTD is refused.
    """
    from lxml import etree

    root = parse_xml(path)
    if root.getroottree().docinfo.internalDTD is not None:
        # XLIFF needs no DTD of its own; an internal subset is how entity bombs arrive.
        raise ReviewFileError(f"{path.name}: has an internal DTD subset; refused for safety")
    if etree.QName(root).localname != "xliff":
        raise ReviewFileError(
            f"{path.name}: not XLIFF (root element <{etree.QName(root).localname}>)"
        )
    version = root.get("version", "")
    if version.split(".")[0] != major:
        shown = version or "no version"
        raise ReviewFileError(f"{path.name}: XLIFF {shown}, expected XLIFF {major}.x")
    return root
