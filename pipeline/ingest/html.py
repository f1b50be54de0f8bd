"""Read HTML articles: each run of inline content in a block element is one paragraph.

The skeleton is the parsed document re-serialised with each such run replaced by its
placeholder; script, style, nav and similar elements are kept as they are and never read.
"""

from __future__ import annotations

import html as html_text
import re

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from pipeline.ingest import Article, Escaper, InlineText, Paragraph, ReadOptions, placeholder
from pipeline.records import Code, SegmentKind

_BLOCKS = """address article aside blockquote body caption center dd details dialog div dl dt
fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html legend li main
menu ol p section summary table tbody td tfoot th thead title tr ul"""
BLOCK_TAGS = frozenset(_BLOCKS.split())
# Content of these is code, chrome or not text: it never becomes segments.
_SKIPPED = "script style nav noscript template svg math iframe object canvas pre textarea select"
SKIP_TAGS = frozenset([*_SKIPPED.split(), "button", "audio", "video"])
_DOCTYPE = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(<!DOCTYPE[^>]*>)", re.I | re.S)
KINDS = {
    **{f"h{level}": SegmentKind.HEADING for level in range(1, 7)},
    "title": SegmentKind.HEADING,
    "li": SegmentKind.LIST_ITEM,
    "figcaption": SegmentKind.CAPTION,
    "caption": SegmentKind.CAPTION,
}


def escaper(mode: str) -> Escaper:
    """Return how text runs are escaped: as HTML text, or as an attribute value ("a")."""
    return _attribute if mode == "a" else _text


def _text(run: str, code: Code | None) -> str:
    return html_text.escape(run, quote=False)


def _attribute(run: str, code: Code | None) -> str:
    return html_text.escape(run, quote=True)


def parse(text: str, options: ReadOptions | None = None) -> Article:
    """Return the paragraphs of an HTML article and its skeleton."""
    parser = lxml_html.HTMLParser(encoding="utf-8")
    try:
        # Parsed from bytes so that an XML or charset declaration in the file does no harm.
        root = lxml_html.document_fromstring(text.encode("utf-8"), parser=parser)
    except etree.ParserError:  # nothing but comments: no text, which the caller reports
        return Article(title="", skeleton=text, paragraphs=())
    title = _title(root)
    paragraphs: list[Paragraph] = []
    _walk(root, paragraphs)
    # The file's own doctype, verbatim; lxml would otherwise invent an HTML 4.0 one.
    doctype = _DOCTYPE.match(text)
    skeleton = lxml_html.tostring(
        root, encoding="unicode", doctype=doctype.group(1) if doctype else None
    )
    return Article(title=title, skeleton=skeleton, paragraphs=tuple(paragraphs))


def _title(root: HtmlElement) -> str:
    """Return the text of <title>, else of the first <h1>, else ""."""
    for path in (".//title", ".//h1"):
        element = root.find(path)
        if element is not None:
            title = " ".join(element.text_content().split())
            if title:
                return title
    return ""


def _walk(element: HtmlElement, paragraphs: list[Paragraph]) -> None:
    """Turn each inline run under a block element into a paragraph, in document order."""
    if element.tag in SKIP_TAGS:
        return
    owner, run = element, []
    for child in list(element):
        if _is_inline(child):
            run.append(child)
            continue
        _flush(element, owner, run, paragraphs)
        _walk(child, paragraphs)
        owner, run = child, []
    _flush(element, owner, run, paragraphs)


def _is_inline(node: HtmlElement) -> bool:
    """Return whether a node is inline content: text markup holding no block or skipped element."""
    if not isinstance(node.tag, str):  # a comment or processing instruction
        return True
    if node.tag in BLOCK_TAGS or node.tag in SKIP_TAGS:
        return False
    return not any(
        isinstance(inner.tag, str) and (inner.tag in BLOCK_TAGS or inner.tag in SKIP_TAGS)
        for inner in node.iterdescendants()
    )


def _flush(
    block: HtmlElement, owner: HtmlElement, run: list[HtmlElement], out: list[Paragraph]
) -> None:
    """Make a paragraph of one run (owner's text or tail, then inline nodes) and replace it."""
    lead = (owner.text if owner is block else owner.tail) or ""
    builder = InlineText()
    builder.add(lead)
    for node in run:
        _add_inline(builder, node)
    paragraph = builder.paragraph(_kind(block))
    if not paragraph.text:
        return
    last = (run[-1].tail or "") if run else lead
    filled = _leading_space(lead) + placeholder(len(out)) + _trailing_space(last)
    if owner is block:
        block.text = filled
    else:
        owner.tail = filled
    for node in run:
        block.remove(node)
    out.append(paragraph)


def _add_inline(builder: InlineText, node: HtmlElement) -> None:
    """Add one inline node and its tail: text as text, elements as spans."""
    if isinstance(node.tag, str):
        attrs = {str(key): str(value) for key, value in node.attrib.items()}
        if node.tag == "br":
            builder.add(" ")
        elif node.tag == "img":
            builder.mark("img", attrs)
        else:
            builder.open(node.tag, attrs)
            builder.add(node.text or "")
            for child in node:
                _add_inline(builder, child)
            builder.close()
    builder.add(node.tail or "")


def _kind(block: HtmlElement) -> SegmentKind:
    """Return the kind given by the block or its nearest ancestor that sets one."""
    for element in (block, *block.iterancestors()):
        if element.tag in KINDS:
            return KINDS[element.tag]
    return SegmentKind.TEXT


def _leading_space(text: str) -> str:
    """Return the whitespace text starts with."""
    return text[: len(text) - len(text.lstrip())]


def _trailing_space(text: str) -> str:
    """Return the whitespace text ends with."""
    return text[len(text.rstrip()) :]
