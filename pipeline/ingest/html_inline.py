"""Inline HTML as codes: a run of inline nodes becomes plain text plus spans holding markup.

Each inline element's start and end tags are its lxml serialisation, so they re-parse to the
same element; void elements, comments and elements kept verbatim (script, svg, iframe…) are
standalone codes. Translatable attribute values (alt, title, …) become paragraphs of their
own, their place in the markup an ``{{a:N}}`` placeholder.
"""

from __future__ import annotations

import copy
import html as html_text
import re
from collections.abc import Iterable
from dataclasses import replace

from lxml import html as lxml_html
from lxml.html import HtmlElement

from pipeline.burmese import LINE_BREAK
from pipeline.ingest import InlineText, Paragraph, placeholder
from pipeline.records import InlineSpan, SegmentKind

__all__ = [
    "VERBATIM_INLINE",
    "Run",
    "left_alone",
    "mark_attributes",
    "markup",
    "translatable",
]

# Attributes whose values are text for readers, on any element.
TEXT_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
# <meta name|property=…> whose content is text for readers.
META_TEXT = frozenset(
    {"description", "og:title", "og:description", "twitter:title", "twitter:description"}
)
VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# Inline content kept as it is, as one standalone code.
VERBATIM_INLINE = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "canvas",
        "textarea",
        "select",
        "button",
        "audio",
        "video",
    ]
)
# Elements whose content is code: never read, never translated.
CODE_TAGS = frozenset({"script", "style", "code", "pre"})
# libxml2 percent-escapes these attributes when it serialises HTML (a space becomes %20).
_URI_ATTRIBUTES = frozenset({"href", "src", "action", "name"})
# HTML whitespace is ASCII only: a no-break space is text.
_SPACES = re.compile(r"[ \t\n\r\f]+")


def left_alone(element: HtmlElement) -> bool:
    """Return whether an element's content is not for translation (code, translate="no")."""
    if element.tag in CODE_TAGS:
        return True
    if str(element.get("translate", "")).strip().lower() == "no":
        return True
    return "notranslate" in str(element.get("class", "")).split()


def translatable(element: HtmlElement) -> list[str]:
    """Return the names of an element's attributes that hold text to translate, in order."""
    wanted = set(TEXT_ATTRIBUTES)
    # A meta that is also an http-equiv directive (a refresh) holds a URL, never text.
    if element.tag == "meta" and element.get("http-equiv") is None:
        key = str(element.get("name") or element.get("property") or "").strip().lower()
        if key in META_TEXT:
            wanted.add("content")
    return [
        str(name)
        for name, value in element.attrib.items()
        if str(name) in wanted and str(value).strip()
    ]


def mark_attributes(element: HtmlElement, first: int) -> list[str]:
    """Put a placeholder in each translatable attribute, numbered from ``first``; return values."""
    values: list[str] = []
    for name in translatable(element):
        value = str(element.get(name))
        text = value.strip()
        lead, trail = value[: value.index(text)], value[value.index(text) + len(text) :]
        element.set(name, lead + placeholder(first + len(values), "a") + trail)
        values.append(text)
    return values


def markup(node: HtmlElement) -> str:
    """Return lxml's serialisation of a node without its tail, URI attributes as written."""
    swapped: list[tuple[HtmlElement, str, str, str]] = []
    for element in _elements(node):
        for name, value in element.attrib.items():
            if str(name).lower() in _URI_ATTRIBUTES:
                # A token libxml2 leaves alone stands in; the value goes back escaped as usual.
                token = f"pipeline-uri-{id(swapped)}-{len(swapped)}-"
                swapped.append((element, str(name), str(value), token))
                element.set(name, token)
    # The http-equiv Content-Type meta is the page's own: lxml drops it unless told to keep it.
    text = str(
        lxml_html.tostring(
            node, encoding="unicode", with_tail=False, include_meta_content_type=True
        )
    )
    for element, name, value, token in swapped:
        element.set(name, value)
        text = text.replace(token, html_text.escape(value, quote=True), 1)
    return text


def _elements(node: HtmlElement) -> Iterable[HtmlElement]:
    """Return the node and its descendants that are elements (not comments)."""
    if not isinstance(node.tag, str):
        return ()
    return [e for e in node.iter() if isinstance(e.tag, str)]


def _bare(element: HtmlElement) -> HtmlElement:
    """Return a copy of an element with its attributes only: no text, tail or children."""
    bare = copy.copy(element)
    bare.text = bare.tail = None
    del bare[:]
    return bare


def _tags(bare: HtmlElement) -> tuple[str, str]:
    """Return a bare element's start and end tags (end "" for a void element)."""
    element = bare
    whole = markup(bare)
    end = f"</{element.tag}>"
    if element.tag in VOID_TAGS or not whole.endswith(end):
        return whole, ""
    return whole[: -len(end)], end


class Run:
    """Build one paragraph from a run of inline nodes, its attributes numbered from ``first``."""

    def __init__(self, first: int) -> None:
        self._builder = InlineText(collapse=False)
        self._first = first
        # What goes before the next text: "" nothing, " " the source's space, "\n" the
        # separator after a <br> the source wrote with no space after it.
        self._pending = ""
        self._started = False
        self._spaced = False  # the text ends in a space written before markup
        self.attributes: list[str] = []
        self._nodes = 0
        # The whitespace before the first text, kept before the paragraph in the skeleton:
        # all of it before any markup, then no-break and ideographic spaces (Chinese
        # articles indent paragraphs with U+3000), which are not collapsed as HTML spaces are.
        self.indent = ""

    def text(self, chunk: str) -> None:
        """Add text; a line break character (U+2028, see ``pipeline.burmese``) is a <br>."""
        first, *rest = chunk.split(LINE_BREAK)
        self._text(first)
        for piece in rest:
            self._nodes += 1
            self._flush_pending()
            self._break("<br>")
            self._text(piece)

    def _text(self, chunk: str) -> None:
        """Add text, each run of HTML whitespace one space, none at either end."""
        if not self._started:
            space = chunk[: len(chunk) - len(chunk.lstrip())]
            self.indent += _SPACES.sub("", space) if self._nodes else space
            chunk = chunk.lstrip()
        chunk = _SPACES.sub(" ", chunk)
        if chunk.startswith(" "):
            self._pending = " " if self._started and not self._spaced else ""
            chunk = chunk[1:]
        if not chunk:
            return
        if self._pending:
            self._builder.add(self._pending)
        self._pending = " " if chunk.endswith(" ") else ""
        self._builder.add(chunk.rstrip(" "))
        self._started, self._spaced = True, False

    def node(self, node: HtmlElement, protect: bool = False) -> None:
        """Add one inline node and its tail: text as text, markup as codes."""
        self._nodes += 1
        self._flush_pending()
        if not isinstance(node.tag, str) or node.tag in VERBATIM_INLINE:
            self._builder.mark(_name(node), {}, markup(node))
        else:
            self._element(node, protect)
        self.text(node.tail or "")

    def _element(self, element: HtmlElement, protect: bool) -> None:
        """Add an element as a pair of codes around its content, or as one standalone code."""
        bare = _bare(element)
        protect = protect or left_alone(element)
        if not protect:
            self.attributes += mark_attributes(bare, self._first + len(self.attributes))
        start, end = _tags(bare)
        attrs = {str(k): str(v) for k, v in element.attrib.items()}
        if element.tag == "br":
            self._break(start, attrs)
            return
        if element.tag in VOID_TAGS:
            self._builder.mark(element.tag, attrs, start)
            return
        self._builder.open(element.tag, attrs, start, protect=protect)
        self.text(element.text or "")
        for child in element:
            self.node(child, protect)
        self._builder.close(end)

    def _flush_pending(self) -> None:
        """Write the space pending before markup: it stays before it."""
        if self._pending:
            self._builder.add(self._pending)
            self._pending, self._spaced = "", True

    def _break(self, markup: str, attrs: dict[str, str] | None = None) -> None:
        """Add a line break: a standalone code, then what parts it from the next word.

        A line break parts words and may end a sentence: the plain text has the space the
        source has after it, or else a line feed, which the article drops again
        (``html.escaper``) so that the page keeps its own text.
        """
        self._builder.mark("br", attrs or {}, markup)
        if self._started and not self._spaced:
            self._pending = "\n"

    def paragraph(self, kind: SegmentKind) -> Paragraph:
        """Return the run's paragraph (its text empty if it holds only markup and spaces)."""
        paragraph = self._builder.paragraph(kind)
        # Only HTML whitespace goes: a trailing no-break space is the paragraph's own, kept
        # beside its last segment (``pipeline.segment.gaps_between``).
        text = paragraph.text.rstrip(" \n")
        if not text.strip():
            return Paragraph(kind, "")
        spans = [_trimmed(text, span) for span in paragraph.inline]
        return replace(paragraph, text=text, inline=tuple(_nested(spans)))


def _trimmed(text: str, span: InlineSpan) -> InlineSpan:
    """Return a span clipped to the text and moved inwards past any whitespace (no-break too)."""
    start, end = min(span.start, len(text)), min(span.end, len(text))
    while start < end and not span.standalone and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return replace(span, start=start, end=end)


def _nested(spans: list[InlineSpan]) -> list[InlineSpan]:
    """Return spans widened to hold what they held in the source (markup trimming moved out)."""
    by_width = sorted(range(len(spans)), key=lambda i: spans[i].seq[1] - spans[i].seq[0])
    for outer in by_width:
        span = spans[outer]
        inner = [s for s in spans if span.seq[0] < s.seq[0] and s.seq[1] < span.seq[1]]
        if inner and not span.standalone:
            start = min(span.start, *(s.start for s in inner))
            end = max(span.end, *(s.end for s in inner))
            spans[outer] = replace(span, start=start, end=end)
    return spans


def _name(node: HtmlElement) -> str:
    """Return the tag of an element, or "#comment" / "#pi" for other nodes."""
    if isinstance(node.tag, str):
        return node.tag
    return "#comment" if "Comment" in type(node).__name__ else "#pi"
