"""Read article files (.txt, .md, .html) into documents of segments plus a skeleton to rebuild them.

Each format has one reader module with ``parse(text) -> Article``; it is imported only when a
file of that format is read, so importing this package pulls in neither lxml nor markdown-it.
"""

from __future__ import annotations

import importlib
import json
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, cast

from pipeline import xmlsafe
from pipeline.burmese import normalise_text
from pipeline.errors import InputError
from pipeline.i18n import _
from pipeline.inputs import RefusedFileError
from pipeline.records import (
    Code,
    CodeType,
    DocumentDraft,
    InlineSpan,
    SegmentDraft,
    SegmentKind,
    content_hash,
)
from pipeline.segment import Bounds, Part, default_gaps, gaps_between, segment_bounds

__all__ = [
    "Article",
    "Escaper",
    "InlineText",
    "Paragraph",
    "ReadOptions",
    "Reader",
    "clip_spans",
    "codes_of",
    "paragraph_bounds",
    "paragraph_gaps",
    "placeholder",
    "placeholder_modes",
    "read_article",
    "reader",
    "rebuild",
    "sealed",
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
# A paragraph's place in the skeleton, by where it stands: "p" running text, "c" a Markdown
# table cell, "a" an attribute value (HTML attribute, Markdown image text), "j" a quoted
# front matter value. Each reader escapes the text for the mode (its ``escaper``).
MODES = "pcaj"
# A placeholder may record its paragraph's gaps between segments, where they are not the
# default ones (``pipeline.segment.default_gaps``): ``{{p:3 ["", "", " — ", ""]}}``, a JSON
# list of what stands before, between and after its segments.
_PLACEHOLDER = re.compile(r"\{\{([pcaj]):(\d+)(?: (\[[^\[\]{}]*\]))?\}\}")
# Code markup that holds a placeholder (an image's alt text) is written back with a sentinel
# no text can hold: it carries this process's random token, and no stored text holds NUL.
# The file's own "{{" stands as ``{{=}}`` in markup (``pipeline.ingest.literal``); sealed, as "=".
_TOKEN = secrets.token_hex(8)
_SENTINEL = re.compile(rf"\x00{_TOKEN}:(?:([pcaj]):(\d+)|=)\x00")
# What ``rebuild`` and ``sealed`` read in markup: the file's own "{{", or a placeholder.
_FILLED = re.compile(r"\{\{=\}\}|" + _PLACEHOLDER.pattern)
DEFAULT_FIELDS = ("title", "description", "summary")
_SPACES = re.compile(r"\s+")
# Values that are one unit and never split into sentences.
UNSPLIT = frozenset({SegmentKind.ATTRIBUTE, SegmentKind.FIELD})


@dataclass(frozen=True)
class Paragraph:
    """One paragraph's plain text, its kind and the inline markup over it."""

    kind: SegmentKind
    text: str
    inline: tuple[InlineSpan, ...] = ()


@dataclass(frozen=True)
class Article:
    """What a reader makes of a file: title ("" if none), skeleton and paragraphs in order.

    ``changes`` says what the reader normalised beyond the file's text (characters that
    character references stand for, under the rule of ``pipeline.burmese.strip_controls``).
    """

    title: str
    skeleton: str
    paragraphs: tuple[Paragraph, ...]
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadOptions:
    """Choices a reader takes: which front matter keys hold text to translate."""

    fields: tuple[str, ...] = DEFAULT_FIELDS


# Escapes one run of text for a mode, knowing the innermost open code around it.
Escaper = Callable[[str, Code | None], str]


class Reader(Protocol):
    """A reader module: turns decoded, normalised text into an article, and escapes text back."""

    def parse(self, text: str, options: ReadOptions) -> Article: ...

    def escaper(self, mode: str) -> Escaper: ...

    def written(self, text: str, codes: Sequence[Code]) -> tuple[Code, ...]: ...


def reader(fmt: str) -> Reader:
    """Return the reader module of a document format ("txt", "md", "html")."""
    module = next(module for module, name in READERS.values() if name == fmt)
    return cast(Reader, importlib.import_module(f"{__name__}.{module}"))


def placeholder(index: int, mode: str = "p") -> str:
    """Return the skeleton placeholder of paragraph ``index`` in a mode (see MODES)."""
    return f"{{{{{mode}:{index}}}}}"


def placeholder_modes(skeleton: str) -> dict[int, str]:
    """Return the mode of each paragraph's placeholder in a skeleton.

    >>> placeholder_modes('<p title="{{a:1}}">{{p:0}}</p>')
    {1: 'a', 0: 'p'}
    """
    return {int(m.group(2)): m.group(1) for m in _PLACEHOLDER.finditer(skeleton)}


def rebuild(
    skeleton: str,
    paragraphs: Mapping[int, str],
    *,
    escape: Callable[[str], str] | None = None,
) -> str:
    """Replace each placeholder in the skeleton by ``paragraphs[N]``, escaped if asked.

    Paragraphs are filled in as given (callers render and escape them); ``escape`` is for
    callers that pass plain text. Each placeholder is filled once, from the skeleton alone:
    text that reads like a placeholder ("write {{p:0}}") stays text. Code markup that holds
    a placeholder (an image's alt text) is written with a sentinel (``sealed``), filled
    in the same single pass over each paragraph. The file's own ``{{`` stands as ``{{=}}``
    in the skeleton and in codes' markup (``pipeline.ingest.literal``) and is written back
    as ``{{``, never filled. A placeholder whose index is not in ``paragraphs`` is left as
    it is.
    """

    def text_of(index: int) -> str:
        text = paragraphs[index]
        return escape(text) if escape else text

    def unseal(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "{{"
        index = int(match.group(2))
        return text_of(index) if index in paragraphs else placeholder(index, match.group(1))

    def fill(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "{{"
        index = int(match.group(2))
        if index not in paragraphs:
            return match.group(0)
        return _SENTINEL.sub(unseal, text_of(index))

    return _FILLED.sub(fill, skeleton)


def sealed(codes: Sequence[Code]) -> tuple[Code, ...]:
    """Return codes whose markup placeholders are sentinels that ``rebuild`` alone fills."""
    return tuple(
        code.with_data(_FILLED.sub(_seal, code.data)) if "{{" in code.data else code
        for code in codes
    )


def _seal(match: re.Match[str]) -> str:
    if match.group(1) is None:
        return f"\x00{_TOKEN}:=\x00"
    return f"\x00{_TOKEN}:{match.group(1)}:{match.group(2)}\x00"


def paragraph_gaps(skeleton: str) -> dict[int, tuple[str, ...]]:
    """Return the gaps between segments recorded in a skeleton's (or markup's) placeholders.

    >>> paragraph_gaps('<p>{{p:0 ["", "", " \\u2014 ", "\\u00a0"]}}</p><p>{{p:1}}</p>')
    {0: ('', '', ' — ', '\xa0')}
    """
    return {
        int(m.group(2)): tuple(json.loads(m.group(3)))
        for m in _PLACEHOLDER.finditer(skeleton)
        if m.group(3)
    }


def _with_gaps(text: str, gaps: Mapping[int, tuple[str, ...]]) -> str:
    """Return text with the placeholders of paragraphs in ``gaps`` recording them."""

    def record(match: re.Match[str]) -> str:
        index = int(match.group(2))
        if index not in gaps:
            return match.group(0)
        return f"{{{{{match.group(1)}:{index} {json.dumps(list(gaps[index]))}}}}}"

    return _PLACEHOLDER.sub(record, text) if gaps and "{{" in text else text


def read_article(
    path: Path, source_lang: str = "en", options: ReadOptions | None = None
) -> DocumentDraft:
    """Read one article file into a document draft, or raise InputError saying what is wrong.

    A file with nothing to translate (only code, say) is a document with no segments: its
    article is its skeleton, the file as it was.
    """
    from pipeline.ingest import literal

    fmt = _reader_for(path)[1]
    data = _read_bytes(path)
    decoded, read_as = _decode(path, data, fmt)
    normalised = normalise_text(decoded, source_lang, segment=False)
    text = normalised.text
    try:
        article = literal.parse_shielded(reader(fmt), text, options or ReadOptions())
    except RefusedFileError as error:  # unsafe XML, blocks nested too deep
        raise InputError(f"{_shown(path)}: {error}") from None
    segments: list[SegmentDraft] = []
    gaps: dict[int, tuple[str, ...]] = {}
    for index, paragraph in enumerate(article.paragraphs):
        bounds = paragraph_bounds(paragraph, source_lang)
        segments += _drafts(index, paragraph, bounds)
        found = gaps_between(paragraph.text, bounds)
        if bounds and found != default_gaps([kind for kind, _, _ in bounds]):
            gaps[index] = found
    return DocumentDraft(
        uri=str(path.resolve()),
        title=article.title or path.stem,
        source_lang=source_lang,
        format=fmt,
        content_hash=content_hash(data),
        skeleton=_with_gaps(article.skeleton, gaps),
        segments=tuple(_segment_with_gaps(segment, gaps) for segment in segments),
        normalisation=read_as + normalised.changes + article.changes,
    )


def segment_paragraph(index: int, paragraph: Paragraph, lang: str) -> list[SegmentDraft]:
    """Return the segments of paragraph ``index``, each with its inline markup re-based."""
    return _drafts(index, paragraph, paragraph_bounds(paragraph, lang))


def paragraph_bounds(paragraph: Paragraph, lang: str) -> list[Part]:
    """Return the (kind, start, end) of each segment of a paragraph."""
    keep = [
        (span.start, span.end)
        for span in paragraph.inline
        if span.tag in ATOMIC_TAGS or span.protect or span.standalone
    ]
    if paragraph.kind in UNSPLIT:
        return [(paragraph.kind, 0, len(paragraph.text))]
    return segment_bounds(paragraph.text, lang, paragraph.kind, keep)


def _drafts(index: int, paragraph: Paragraph, bounds: Sequence[Part]) -> list[SegmentDraft]:
    """Return the segment drafts of a paragraph cut at ``bounds``."""
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
            codes=codes_of(paragraph.inline, start, end, marks=(reach[number], reach[number + 1])),
        )
        for number, (kind, start, end) in enumerate(bounds)
    ]


def _segment_with_gaps(segment: SegmentDraft, gaps: Mapping[int, tuple[str, ...]]) -> SegmentDraft:
    """Return a segment whose codes' markup placeholders (an image's text) record their gaps."""
    if not gaps or not any("{{" in code.data for code in segment.codes):
        return segment
    return replace(
        segment,
        codes=tuple(code.with_data(_with_gaps(code.data, gaps)) for code in segment.codes),
        inline=tuple(
            replace(span, open=_with_gaps(span.open, gaps), attrs=dict(span.attrs))
            for span in segment.inline
        ),
    )


def codes_of(spans: Sequence[InlineSpan], start: int, end: int, marks: Bounds) -> tuple[Code, ...]:
    """Return the inline codes of the segment text[start:end], offsets relative to ``start``.

    A span inside the segment is a pair; one that crosses its start or end leaves an
    isolated close or open; zero-width marks go with the segment whose ``marks`` hold them.
    Ids count from 1 in reading order; codes at one offset keep the order of the source.
    """
    events: list[tuple[int, int, InlineSpan, CodeType]] = []
    for span in spans:
        if span.start == span.end:
            if marks[0] <= span.start < marks[1]:
                at = min(max(span.start, start), end)
                if span.standalone:
                    events.append((at, span.seq[0], span, CodeType.STANDALONE))
                else:
                    events.append((at, span.seq[0], span, CodeType.OPEN))
                    events.append((at, span.seq[1], span, CodeType.CLOSE))
            continue
        if span.end <= start or span.start >= end:
            continue
        if span.start >= start:
            events.append((span.start, span.seq[0], span, CodeType.OPEN))
        if span.end <= end:
            events.append((span.end, span.seq[1], span, CodeType.CLOSE))
    events.sort(key=lambda event: (event[0], event[1]))
    ids: dict[int, int] = {}
    codes = []
    for at, _order, span, kind in events:
        code_id = ids.setdefault(id(span), len(ids) + 1)
        data = span.close if kind is CodeType.CLOSE else span.open
        codes.append(Code(code_id, kind, span.tag, data, at - start, span.protect))
    return tuple(codes)


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
                clipped.append(replace(span, start=at, end=at, attrs=dict(span.attrs)))
            continue
        lo, hi = max(span.start, start), min(span.end, end)
        if lo < hi:
            clipped.append(replace(span, start=lo - start, end=hi - start, attrs=dict(span.attrs)))
    return tuple(clipped)


@dataclass
class _Opened:
    tag: str
    attrs: dict[str, str]
    start: int
    markup: str
    protect: bool
    seq: int


class InlineText:
    """Accumulate a paragraph's plain text, collapsing whitespace, and its inline spans.

    Each span keeps the original markup of its two ends (``markup`` and ``close``), so the
    paragraph can be written back exactly; a sequence number keeps markup that stands at
    one offset in source order.
    """

    def __init__(self, *, collapse: bool = True) -> None:
        self._text = ""
        self._collapse = collapse
        self._open: list[_Opened] = []
        self._spans: list[InlineSpan] = []
        self._seq = 0

    @property
    def depth(self) -> int:
        """Return how many spans are open."""
        return len(self._open)

    def add(self, text: str) -> None:
        """Append text; whitespace runs become one space and none leads the paragraph."""
        if self._collapse:
            text = _SPACES.sub(" ", text)
            if not self._text or self._text.endswith(" "):
                text = text.lstrip(" ")
        self._text += text

    def open(
        self,
        tag: str,
        attrs: Mapping[str, str] | None = None,
        markup: str = "",
        *,
        protect: bool = False,
    ) -> None:
        """Start a span of inline markup (written as ``markup``) at the end of the text."""
        self._open.append(
            _Opened(tag, dict(attrs or {}), len(self._text), markup, protect, self._next())
        )

    def close(self, markup: str = "") -> None:
        """End the innermost open span, written as ``markup``."""
        opened = self._open.pop()
        self._spans.append(
            InlineSpan(
                opened.start,
                len(self._text),
                opened.tag,
                opened.attrs,
                open=opened.markup,
                close=markup,
                protect=opened.protect,
                seq=(opened.seq, self._next()),
            )
        )

    def mark(self, tag: str, attrs: Mapping[str, str] | None = None, markup: str = "") -> None:
        """Record standalone markup (an image, a line break) at the current end of the text."""
        at, seq = len(self._text), self._next()
        self._spans.append(
            InlineSpan(at, at, tag, dict(attrs or {}), open=markup, standalone=True, seq=(seq, seq))
        )

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def paragraph(self, kind: SegmentKind) -> Paragraph:
        """Return the text so far as a paragraph, spans trimmed to the words they cover."""
        text = self._text.rstrip() if self._collapse else self._text
        spans = tuple(_trim_span(text, span) for span in sorted(self._spans, key=_span_order))
        return Paragraph(kind, text, spans)


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
    return replace(span, start=start, end=end)


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
        return xmlsafe.read_whole(path)  # read and parsed whole, whatever the format
    except RefusedFileError as error:
        raise InputError(f"{_shown(path)}: {error}") from None
    except OSError as error:
        raise InputError(f"{_shown(path)}: cannot read ({error.strerror or error})") from error


def _decode(path: Path, data: bytes, fmt: str = "txt") -> tuple[str, tuple[str, ...]]:
    """Return the text (no BOM, NFC, LF line ends) and what it was read as, or raise InputError."""
    shown = _shown(path)
    encoding = _html_encoding(data) if fmt == "html" else "utf-8"
    wide = "" if encoding.startswith("utf-16") else _wide_encoding(data)
    if wide:
        raise InputError(f"{shown}: text is encoded as {wide}; re-save it as UTF-8")
    if b"\x00" in data and not encoding.startswith("utf-16"):
        raise InputError(
            _("{path}: binary file (contains NUL bytes); expected UTF-8 text").format(path=shown)
        )
    text = _decoded(shown, data, encoding)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        message = (
            _("{path}: file is empty (only whitespace)") if text else _("{path}: file is empty")
        )
        raise InputError(message.format(path=shown))
    return text, (() if encoding == "utf-8" else (f"read as {encoding}",))


def _html_encoding(data: bytes) -> str:
    """Return the WHATWG encoding of an HTML page: its BOM, its <meta>, else UTF-8."""
    from pipeline.ingest import encoding

    return encoding.bom_encoding(data) or encoding.declared_encoding(data) or "utf-8"


def _decoded(shown: str, data: bytes, encoding: str) -> str:
    """Return the bytes decoded from ``encoding``, BOM dropped, or raise InputError in one line."""
    if encoding == "utf-8":
        codec = "utf-8-sig"
    else:
        from pipeline.ingest.encoding import bom_encoding, python_codec

        codec = python_codec(encoding)
        data = data[2:] if bom_encoding(data) == encoding else data  # a UTF-16 BOM
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        byte = data[error.start]
        if encoding != "utf-8":
            raise InputError(
                f"{shown}: not valid {encoding} (byte 0x{byte:02x} at offset {error.start}), "
                "the encoding the page declares; re-save it as UTF-8"
            ) from error
        raise InputError(
            _(
                "{path}: not valid UTF-8 (byte 0x{byte:02x} at offset {offset}); "
                "re-save it as UTF-8"
            ).format(path=shown, byte=byte, offset=error.start)
        ) from error


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
