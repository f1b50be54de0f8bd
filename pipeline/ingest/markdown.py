"""Read Markdown (CommonMark) articles: headings, paragraphs, list items and image captions."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.ingest import Article, Escaper, InlineText, Paragraph, ReadOptions, placeholder
from pipeline.records import Code, SegmentKind

_SPAN_TAGS = {"em_open": "em", "strong_open": "strong", "link_open": "a", "s_open": "s"}


def escaper(mode: str) -> Escaper:
    """Return how text runs are written back into Markdown."""
    return _as_is


def _as_is(run: str, code: Code | None) -> str:
    return run


def parse(text: str, options: ReadOptions | None = None) -> Article:
    """Return the paragraphs of a Markdown article and its skeleton."""
    lines: list[str | None] = list(text.split("\n"))
    paragraphs: list[Paragraph] = []
    title = ""
    list_depth = 0
    previous = ""
    for token in MarkdownIt("commonmark").parse(text):
        list_depth += {"list_item_open": 1, "list_item_close": -1}.get(token.type, 0)
        heading, previous = previous == "heading_open", token.type
        if token.type != "inline" or token.map is None:
            continue
        paragraph = _paragraph(token, _kind(heading, list_depth))
        if not paragraph.text or not _put_placeholder(lines, token, len(paragraphs)):
            continue
        if heading and not title:
            title = paragraph.text
        paragraphs.append(paragraph)
    skeleton = "\n".join(line for line in lines if line is not None)
    return Article(title=title, skeleton=skeleton, paragraphs=tuple(paragraphs))


def _kind(heading: bool, list_depth: int) -> SegmentKind:
    """Return the kind of an inline block from where it sits."""
    if heading:
        return SegmentKind.HEADING
    return SegmentKind.LIST_ITEM if list_depth else SegmentKind.TEXT


def _paragraph(token: Token, kind: SegmentKind) -> Paragraph:
    """Return the plain text and spans of one inline token; a lone image gives its caption."""
    builder = InlineText()
    image = _lone_image(token)
    if image is not None:
        builder.add(image.content)
        return builder.paragraph(SegmentKind.CAPTION)
    _add_inline(builder, token.children or [])
    return builder.paragraph(kind)


def _add_inline(builder: InlineText, children: Sequence[Token]) -> None:
    """Add inline tokens to the builder: text as text, markup as spans."""
    for child in children:
        if child.type == "text":
            builder.add(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            builder.add(" ")
        elif child.type == "code_inline":
            builder.open("code")
            builder.add(child.content)
            builder.close()
        elif child.type == "image":
            builder.mark("img", {"src": str(child.attrGet("src") or ""), "alt": child.content})
        elif child.type in _SPAN_TAGS:
            attrs = {key: str(value) for key, value in child.attrs.items()}
            builder.open(_SPAN_TAGS[child.type], attrs)
        elif child.type.endswith("_close") and child.type.replace("_close", "_open") in _SPAN_TAGS:
            builder.close()
        # html_inline and anything unknown is markup: it stays out of the text.


def _lone_image(token: Token) -> Token | None:
    """Return the image if it is all the inline token holds."""
    children = [c for c in token.children or [] if c.type != "softbreak"]
    return children[0] if len(children) == 1 and children[0].type == "image" else None


def _put_placeholder(lines: list[str | None], token: Token, index: int) -> bool:
    """Replace the token's text in its source lines by the placeholder; False if not found."""
    found = _locate(lines, token)
    if found is None:
        return False
    first, start, last, end = found
    head, tail = lines[first] or "", lines[last] or ""
    lines[first : last + 1] = [head[:start] + placeholder(index) + tail[end:]] + [None] * (
        last - first
    )
    return True


def _locate(lines: Sequence[str | None], token: Token) -> tuple[int, int, int, int] | None:
    """Return (first line, start column, last line, end column) of the token's text."""
    assert token.map is not None
    first = token.map[0]
    head = lines[first] or ""
    image = _lone_image(token)
    if image is not None:
        # A lone image keeps its markup; only its alt text becomes the placeholder.
        column = head.find(f"![{image.content}]")
        return None if column < 0 else (first, column + 2, first, column + 2 + len(image.content))
    content = token.content.split("\n")
    last = first + len(content) - 1
    # The text ends its first line (after any "## " or "- ") and starts its last one.
    start = head.rfind(content[0])
    if last == first:
        return None if start < 0 else (first, start, first, start + len(content[0]))
    end = (lines[last] or "").find(content[-1]) if last < len(lines) else -1
    return None if start < 0 or end < 0 else (first, start, last, end + len(content[-1]))
