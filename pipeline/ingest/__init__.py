"""Read article files (.txt, .md, .html) into documents of segments plus a skeleton to rebuild them.

Each format has one reader module with ``parse(text) -> Article``; it is imported only when a
file of that format is read, so importing this package pulls in neither lxml nor markdown-it.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from pipeline.burmese import normalise_text
from pipeline.errors import InputError
from pipeline.i18n import _
from pipeline.records import DocumentDraft, InlineSpan, SegmentDraft, SegmentKind, content_hash
from pipeline.segment import Bounds, segment_bounds

__all__ = [
    "Article",
    "InlineText",
    "Paragraph",
    "Reader",
    "clip_spans",
    "placeholder",
    "read_article",
    "rebuild",
    "segment_paragraph",
]

# Extension -> (reader module, format name).
READERS = {
    ".txt": ("text", "txt"),
    ".md": ("markdown", "md"),
    ".markdown": ("markdown", "md"),
    ".html": ("html", "html"),
    ".htm": ("html", "html"),
}
# Inline markup that is one unit of text: a sentence never ends inside a link or code span.
ATOMIC_TAGS = frozenset({"a", "code"})
_PLACEHOLDER = re.compile(r"\{\{p:(\d+)\}\}")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph's plain text, its kind and the inline markup over it."""

    kind: SegmentKind
    text: str
    inline: tuple[InlineSpan, ...] = ()


@dataclass(frozen=True)
class Article:
    """What a reader makes of a file: title ("" if none), skeleton and paragraphs in order."""

    title: str
    skeleton: str
    paragraphs: tuple[Paragraph, ...]


class Reader(Protocol):
    """A reader module: turns decoded, normalised text into an article."""

    def parse(self, text: str) -> Article: ...


def placeholder(index: int) -> str:
    """Return the skeleton placeholder of paragraph ``index``."""
    return f"{{{{p:{index}}}}}"


def rebuild(
    skeleton: str,
    paragraphs: Mapping[int, str],
    *,
    escape: Callable[[str], str] | None = None,
) -> str:
    """Replace each ``{{p:N}}`` in the skeleton by ``paragraphs[N]``, escaped if asked.

    Pass ``escape=html.escape`` for HTML skeletons. A placeholder whose index is not in
    ``paragraphs`` is left as it is (it may be literal text of the article).
    """

    def fill(match: re.Match[str]) -> str:
        index = int(match.group(1))
        if index not in paragraphs:
            return match.group(0)
        text = paragraphs[index]
        return escape(text) if escape else text

    return _PLACEHOLDER.sub(fill, skeleton)


def read_article(path: Path, source_lang: str = "en") -> DocumentDraft:
    """Read one article file into a document draft, or raise InputError saying what is wrong."""
    module, fmt = _reader_for(path)
    data = _read_bytes(path)
    normalised = normalise_text(_decode(path, data), source_lang)
    text = normalised.text
    reader = cast(Reader, importlib.import_module(f"{__name__}.{module}"))
    article = reader.parse(text)
    segments = tuple(
        segment
        for index, paragraph in enumerate(article.paragraphs)
        for segment in segment_paragraph(index, paragraph, source_lang)
    )
    if not segments:
        raise InputError(_("{path}: no text to translate").format(path=_shown(path)))
    return DocumentDraft(
        uri=str(path.resolve()),
        title=article.title or path.stem,
        source_lang=source_lang,
        format=fmt,
        content_hash=content_hash(data),
        skeleton=article.skeleton,
        segments=segments,
        normalisation=normalised.changes,
    )


def segment_paragraph(index: int, paragraph: Paragraph, lang: str) -> list[SegmentDraft]:
    """Return the segments of paragraph ``index``, each with its inline markup re-based."""
    keep = [(span.start, span.end) for span in paragraph.inline if span.tag in ATOMIC_TAGS]
    bounds = segment_bounds(paragraph.text, lang, paragraph.kind, keep)
    # A zero-width mark (image) goes with the segment it falls in or directly follows.
    reach = [0, *(start for _, start, _ in bounds[1:]), len(paragraph.text) + 1]
    return [
        SegmentDraft(
            paragraph=index,
            sentence=number,
            kind=kind,
            source=paragraph.text[start:end],
            inline=clip_spans(
                paragraph.inline, start, end, marks=(reach[number], reach[number + 1])
            ),
        )
        for number, (kind, start, end) in enumerate(bounds)
    ]


def clip_spans(
    spans: Sequence[InlineSpan], start: int, end: int, marks: Bounds | None = None
) -> tuple[InlineSpan, ...]:
    """Return the parts of spans over text[start:end], offsets relative to ``start``.

    A zero-width span is kept if it lies in ``marks`` (default: [start, end]).
    """
    low, high = marks or (start, end + 1)
    clipped = []
    for span in spans:
        if span.start == span.end:
            if low <= span.start < high:
                at = min(max(span.start, start), end) - start
                clipped.append(InlineSpan(at, at, span.tag, dict(span.attrs)))
            continue
        lo, hi = max(span.start, start), min(span.end, end)
        if lo < hi:
            clipped.append(InlineSpan(lo - start, hi - start, span.tag, dict(span.attrs)))
    return tuple(clipped)


class InlineText:
    """Accumulate a paragraph's plain text, collapsing whitespace, and its inline spans."""

    def __init__(self) -> None:
        self._text = ""
        self._open: list[tuple[str, dict[str, str], int]] = []
        self._spans: list[InlineSpan] = []

    def add(self, text: str) -> None:
        """Append text; whitespace runs become one space and none leads the paragraph."""
        text = _SPACES.sub(" ", text)
        if not self._text or self._text.endswith(" "):
            text = text.lstrip(" ")
        self._text += text

    def open(self, tag: str, attrs: Mapping[str, str] | None = None) -> None:
        """Start a span of inline markup at the current end of the text."""
        self._open.append((tag, dict(attrs or {}), len(self._text)))

    def close(self) -> None:
        """End the innermost open span."""
        tag, attrs, start = self._open.pop()
        self._spans.append(InlineSpan(start, len(self._text), tag, attrs))

    def mark(self, tag: str, attrs: Mapping[str, str] | None = None) -> None:
        """Record zero-width markup (an image) at the current end of the text."""
        self._spans.append(InlineSpan(len(self._text), len(self._text), tag, dict(attrs or {})))

    def paragraph(self, kind: SegmentKind) -> Paragraph:
        """Return the text so far as a paragraph, spans trimmed to the words they cover."""
        text = self._text.rstrip()
        spans = [_trim_span(text, span) for span in sorted(self._spans, key=_span_order)]
        kept = tuple(span for span in spans if span.start < span.end or span.tag == "img")
        return Paragraph(kind, text, kept)


def _span_order(span: InlineSpan) -> tuple[int, int]:
    """Sort spans by start, outer spans first."""
    return span.start, -span.end


def _trim_span(text: str, span: InlineSpan) -> InlineSpan:
    """Return the span clipped to the text and moved inwards past spaces."""
    start, end = min(span.start, len(text)), min(span.end, len(text))
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return InlineSpan(start, end, span.tag, span.attrs)


def _reader_for(path: Path) -> tuple[str, str]:
    """Return the (module, format) reading this path, or raise InputError."""
    if path.is_dir():
        raise InputError(
            _("{path}: is a directory; expected an article file").format(path=_shown(path))
        )
    suffix = path.suffix.lower()
    if suffix not in READERS:
        kind = f"'{path.suffix}'" if path.suffix else "(no extension)"
        raise InputError(
            _("{path}: unknown file type {kind}; expected .txt, .md or .html").format(
                path=_shown(path), kind=kind
            )
        )
    if not path.exists():
        raise InputError(_("{path}: no such file").format(path=_shown(path)))
    return READERS[suffix]


def _read_bytes(path: Path) -> bytes:
    """Return the file's bytes or raise InputError."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"{_shown(path)}: cannot read ({error.strerror or error})") from error


def _decode(path: Path, data: bytes) -> str:
    """Return UTF-8 text, BOM stripped, NFC, LF line ends; raise InputError if it is not text."""
    shown = _shown(path)
    wide = _wide_encoding(data)
    if wide:
        raise InputError(f"{shown}: text is encoded as {wide}; re-save it as UTF-8")
    if b"\x00" in data:
        raise InputError(
            _("{path}: binary file (contains NUL bytes); expected UTF-8 text").format(path=shown)
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        byte = data[error.start]
        raise InputError(
            _(
                "{path}: not valid UTF-8 (byte 0x{byte:02x} at offset {offset}); "
                "re-save it as UTF-8"
            ).format(path=shown, byte=byte, offset=error.start)
        ) from error
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        message = (
            _("{path}: file is empty (only whitespace)") if text else _("{path}: file is empty")
        )
        raise InputError(message.format(path=shown))
    return text


def _wide_encoding(data: bytes) -> str:
    """Return "UTF-16" or "UTF-32" if the bytes look like it (BOM, or NULs in every other byte)."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    even, odd = data[:4096:2], data[1:4096:2]
    # ASCII text in UTF-16 has NULs in at least half of one byte column and none in the other.
    for nuls, other in ((even, odd), (odd, even)):
        if len(nuls) >= 2 and other.count(0) == 0 and nuls.count(0) * 2 >= len(nuls):
            return "UTF-16"
    return ""


def _shown(path: Path) -> str:
    """Return the path as given, on one line."""
    return str(path).encode("unicode_escape").decode("ascii") if "\n" in str(path) else str(path)
