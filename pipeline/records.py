"""Typed records that cross layers: documents, segments, translations and how they were made."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class State(StrEnum):
    """Translation states, as in XLIFF 2.0."""

    INITIAL = "initial"
    TRANSLATED = "translated"
    REVIEWED = "reviewed"
    FINAL = "final"


class Origin(StrEnum):
    """Where a translation came from."""

    MT = "mt"
    TM = "tm"
    # Filled from a fuzzy memory match (``translate --fuzzy-fill``), for review.
    TM_FUZZY = "tm-fuzzy"
    HUMAN = "human"
    IMPORT = "import"


class SegmentKind(StrEnum):
    """What a segment is in its article; credits are names and never go to MT."""

    TEXT = "text"
    HEADING = "heading"
    CAPTION = "caption"
    CREDIT = "credit"
    DATELINE = "dateline"
    LIST_ITEM = "list_item"
    # A table cell, an attribute value (alt, title, meta description), a front matter value.
    CELL = "cell"
    ATTRIBUTE = "attribute"
    FIELD = "field"

    @property
    def translatable(self) -> bool:
        """Return whether text of this kind is sent to machine translation."""
        return self is not SegmentKind.CREDIT


def normalise(text: str) -> str:
    """Return text in the form used to compare sources: NFC, single spaces, stripped."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def source_hash(text: str) -> str:
    """Return the SHA-256 of the normalised text, the key for reuse and version matching."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def content_hash(data: bytes) -> str:
    """Return the SHA-256 of raw bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class InlineSpan:
    """Inline markup (emphasis, link, code) over ``text[start:end]`` of a paragraph.

    ``open`` and ``close`` are the original markup around the text; a standalone mark
    (image, line break, comment) has ``start == end``, ``standalone`` set and its markup
    in ``open``. ``protect`` marks content that is not translated (code, translate="no").
    """

    start: int
    end: int
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    open: str = ""
    close: str = ""
    standalone: bool = False
    protect: bool = False
    # Source order of the two ends, for markup that stands at one offset.
    seq: tuple[int, int] = (0, 0)


class CodeType(StrEnum):
    """The three kinds of inline code, as in XLIFF: a pair's two ends, or one standalone."""

    OPEN = "open"
    CLOSE = "close"
    STANDALONE = "standalone"


@dataclass(frozen=True)
class Code:
    """One inline code of a segment or translation: markup standing at ``text[at]``.

    The two ends of a pair share an ``id``; an ``open`` or ``close`` whose partner is in
    another segment (the markup spans a sentence boundary) is isolated. ``data`` is the
    original markup the code stands for, ``tag`` its element name ("a", "em", "img", "br",
    "html" for raw HTML in Markdown); ``protect`` says the paired content is left as it is
    (code spans, translate="no"). The plain text never holds the markup.
    """

    id: int
    type: CodeType
    tag: str
    data: str
    at: int
    protect: bool = False

    def moved(self, at: int) -> Code:
        """Return the same code at another offset."""
        return Code(self.id, self.type, self.tag, self.data, at, self.protect)

    def with_data(self, data: str) -> Code:
        """Return the same code written with other markup."""
        return Code(self.id, self.type, self.tag, data, self.at, self.protect)


@dataclass(frozen=True)
class SegmentDraft:
    """A segment as read from an article, before the store gives it an id."""

    paragraph: int
    sentence: int
    kind: SegmentKind
    source: str
    inline: tuple[InlineSpan, ...] = ()
    codes: tuple[Code, ...] = ()

    @property
    def source_hash(self) -> str:
        """Return the hash of the normalised source."""
        return source_hash(self.source)


@dataclass(frozen=True)
class DocumentDraft:
    """An article read from a file: its segments plus the skeleton to rebuild it.

    ``skeleton`` is the article with each paragraph's text replaced by a ``{{p:N}}``
    placeholder, where N is the paragraph index of its segments.
    """

    uri: str
    title: str
    source_lang: str
    format: str
    content_hash: str
    skeleton: str
    segments: tuple[SegmentDraft, ...]
    # What reading changed in the text: Zawgyi converted to Unicode, zero-width characters.
    normalisation: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """One stored version of an article."""

    id: int
    uri: str
    title: str
    source_lang: str
    format: str
    content_hash: str
    version: int
    skeleton: str
    created_at: str
    normalisation: tuple[str, ...] = ()


@dataclass(frozen=True)
class Segment:
    """A stored source segment."""

    id: int
    document_id: int
    paragraph: int
    sentence: int
    kind: SegmentKind
    source: str
    source_hash: str
    inline: tuple[InlineSpan, ...] = ()
    codes: tuple[Code, ...] = ()

    @property
    def words(self) -> int:
        """Return the number of whitespace-separated words in the source."""
        return len(self.source.split())


@dataclass(frozen=True)
class Signature:
    """How a translation was made, in the spirit of sacrebleu's signatures."""

    engine: str
    model: str = ""
    version: str = ""
    model_hash: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """Return a canonical JSON form, stable for equal signatures."""
        return json.dumps(
            {
                "engine": self.engine,
                "model": self.model,
                "version": self.version,
                "model_hash": self.model_hash,
                "options": self.options,
            },
            sort_keys=True,
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Signature:
        """Parse the form written by :meth:`to_json`."""
        data = json.loads(text)
        return cls(
            engine=data["engine"],
            model=data.get("model", ""),
            version=data.get("version", ""),
            model_hash=data.get("model_hash", ""),
            options=data.get("options", {}),
        )

    def __str__(self) -> str:
        parts = [f"engine:{self.engine}"]
        if self.model:
            parts.append(f"model:{self.model}")
        if self.version:
            parts.append(f"version:{self.version}")
        if self.model_hash:
            parts.append(f"hash:{self.model_hash[:12]}")
        parts.extend(f"{k}:{v}" for k, v in sorted(self.options.items()))
        return "|".join(parts)


class Severity(StrEnum):
    """How much a QA flag matters: errors block publication, warnings ask for a look."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Flag:
    """One QA finding on a translation."""

    check: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class TranslationDraft:
    """A translation about to be written: the store adds ids, timestamps and history."""

    segment_id: int
    target_lang: str
    text: str
    state: State
    origin: Origin
    signature: Signature | None = None
    score: float | None = None
    author: str = ""
    note: str = ""
    flags: tuple[Flag, ...] = ()
    # Inline codes placed in ``text`` (the plain text): the source's codes, moved.
    codes: tuple[Code, ...] = ()
    # Write only where the segment has no translation in the language past ``initial``:
    # a job that planned earlier never overwrites work that appeared since.
    if_absent: bool = False


@dataclass(frozen=True)
class Translation:
    """A stored translation of one segment into one language."""

    id: int
    segment_id: int
    target_lang: str
    text: str
    state: State
    origin: Origin
    signature: Signature | None
    score: float | None
    author: str
    created_at: str
    updated_at: str
    flags: tuple[Flag, ...] = ()
    codes: tuple[Code, ...] = ()

    @property
    def is_pseudo(self) -> bool:
        """Return whether the text is a pseudo-translation, never publishable as it is."""
        return self.signature is not None and self.signature.engine == "pseudo"


@dataclass(frozen=True)
class Revision:
    """One entry of a translation's append-only history."""

    id: int
    translation_id: int
    text: str
    state: State
    origin: Origin
    signature: Signature | None
    score: float | None
    author: str
    created_at: str
    note: str
    codes: tuple[Code, ...] = ()


@dataclass(frozen=True)
class EditConflict:
    """An edit that named a revision no longer the newest: kept, never applied silently."""

    id: int
    segment_id: int
    target_lang: str
    text: str
    codes: tuple[Code, ...]
    state: State
    author: str
    # The revision the reviewer edited (None: there was none, no translation).
    base: int | None
    # What the store holds now.
    current: Translation | None
    created_at: str


@dataclass(frozen=True)
class Saved:
    """An edit applied: the translation as stored and its new revision's id (None: unchanged)."""

    translation: Translation
    revision: int | None


@dataclass(frozen=True)
class IngestResult:
    """What ingesting one file did."""

    document: Document
    created: bool
    segments: int
    carried: int


@dataclass(frozen=True)
class StatusRow:
    """Segment and word counts in one state for a document and target language."""

    document_id: int
    uri: str
    version: int
    target_lang: str
    state: State
    segments: int
    words: int
    pseudo: int = 0


@dataclass(frozen=True)
class MemoryMatch:
    """A fuzzy memory match offered for a segment beside its translation, never as it.

    ``origin`` says where it is held: ``memory:<file> tu <tuid>`` for imported memory,
    ``translation:<id>`` for one of the store's own reviewed translations.
    """

    target_lang: str
    score: float
    source: str
    target: str
    origin: str
    source_codes: tuple[Code, ...] = ()
    target_codes: tuple[Code, ...] = ()
    author: str = ""


@dataclass(frozen=True)
class Unit:
    """One source segment with its document and its translations, as exports see it.

    ``matches`` holds the fuzzy memory matches translate found, per target language, best
    first.
    """

    document: Document
    segment: Segment
    translations: dict[str, Translation]
    matches: dict[str, tuple[MemoryMatch, ...]] = field(default_factory=dict)

    @property
    def unit_id(self) -> str:
        """Return the stable id of the unit in exchange files."""
        return f"s{self.segment.id}"
