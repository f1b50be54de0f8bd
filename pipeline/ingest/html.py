"""Read HTML articles: each run of inline content in a block element is one paragraph.

The skeleton is the parsed document re-serialised by lxml with each such run replaced by its
``{{p:N}}`` placeholder and each translatable attribute value (alt, title, aria-label,
placeholder, meta description) by an ``{{a:N}}`` one. Inline markup in a run becomes codes
(``html_inline``). Script, style, code, ``translate="no"`` and ``class="notranslate"``
content is left alone: verbatim in the skeleton, or protected codes inside a run.
"""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Sequence

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from pipeline import xmlsafe
from pipeline.burmese import LINE_BREAK, strip_controls
from pipeline.ingest import Article, Escaper, Paragraph, ReadOptions, placeholder, sealed
from pipeline.ingest.html_inline import Run, left_alone, mark_attributes, markup
from pipeline.records import Code, SegmentKind

_BLOCKS = """address article aside blockquote body caption center dd details dialog div dl dt
fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html legend li main
menu ol p section summary table tbody td tfoot th thead title tr ul"""
BLOCK_TAGS = frozenset(_BLOCKS.split())
# Block content never read: kept in the skeleton as it is.
SKIP_TAGS = frozenset({"nav", "pre"})
_DOCTYPE = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(<!DOCTYPE[^>]*>)", re.I | re.S)
# A paragraph's placeholder with the whitespace kept around it in the skeleton.
_SPACED_PLACEHOLDER = re.compile(r"\s*\{\{p:\d+\}\}\s*")
# The labels the Encoding Standard reads as UTF-8: a page saying one of them is left as it is.
_UTF8_LABELS = frozenset({"utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8"})
_CHARSET_VALUE = re.compile(r"""(charset\s*=\s*)("[^"]*"|'[^']*'|[^\s;"']+)""", re.I)
# Written as an entity: invisible in an editor, and the same in any encoding.
NBSP = "\xa0"
KINDS = {
    **{f"h{level}": SegmentKind.HEADING for level in range(1, 7)},
    "title": SegmentKind.HEADING,
    "li": SegmentKind.LIST_ITEM,
    "figcaption": SegmentKind.CAPTION,
    "caption": SegmentKind.CAPTION,
}


def written(text: str, codes: Sequence[Code]) -> tuple[Code, ...]:
    """Return a translation's codes as they are written back: their markup as it was."""
    return sealed(codes)


def escaper(mode: str) -> Escaper:
    """Return how text runs are escaped: as HTML text, or as an attribute value ("a")."""
    return _attribute if mode == "a" else _text


def _text(run: str, code: Code | None) -> str:
    # A line feed after markup stands for no space at all: the source had none after its
    # <br> (``html_inline.Run``); HTML text holds no other line feed.
    run = run[1:] if run.startswith("\n") else run
    # A line break character in a translation (pipeline.burmese.LINE_BREAK) is a <br>.
    return html_text.escape(run, quote=False).replace(NBSP, "&nbsp;").replace(LINE_BREAK, "<br>")


def _attribute(run: str, code: Code | None) -> str:
    return html_text.escape(run, quote=True).replace(NBSP, "&nbsp;").replace(LINE_BREAK, " ")


def parse(text: str, options: ReadOptions | None = None) -> Article:
    """Return the paragraphs of an HTML article and its skeleton."""
    try:
        # Parsed from bytes so that an XML or charset declaration in the file does no harm.
        root = lxml_html.document_fromstring(text.encode("utf-8"), parser=xmlsafe.html_parser())
    except etree.ParserError:  # nothing but comments: nothing to translate
        return Article(title="", skeleton=text, paragraphs=())
    xmlsafe.check_html(text, root)  # raises UnsafeXMLError, which read_article names the file in
    changes = _controls(root)
    _declare_utf8(root)
    title = _title(root)
    paragraphs: list[Paragraph] = []
    _walk(root, paragraphs)
    if not paragraphs:  # nothing to translate: the article is the file as it was
        return Article(title=title, skeleton=text, paragraphs=())
    return Article(
        title=title, skeleton=_skeleton(text, root), paragraphs=tuple(paragraphs), changes=changes
    )


def _declare_utf8(root: HtmlElement) -> None:
    """Make the page's <meta> charset declarations say utf-8: the rebuilt page is written in it."""
    for meta in root.iter("meta"):
        charset = meta.get("charset")
        if charset is not None and charset.strip().lower() not in _UTF8_LABELS:
            meta.set("charset", "utf-8")
        content = meta.get("content")
        if (meta.get("http-equiv") or "").strip().lower() == "content-type" and content:
            meta.set("content", _CHARSET_VALUE.sub(_utf8_value, content))


def _utf8_value(match: re.Match[str]) -> str:
    """Return a ``charset=`` value rewritten to utf-8, unless it already says so."""
    label = match.group(2).strip("\"'").lower()
    return match.group(0) if label in _UTF8_LABELS else match.group(1) + "utf-8"


def _controls(root: HtmlElement) -> tuple[str, ...]:
    """Apply the control character rule to what character references put in text and values.

    The file's own characters were normalised before parsing; ``&#11;`` was not.
    """
    changes: list[str] = []
    for node in root.iter():
        where = f"line {node.sourceline}"
        for name in ("text", "tail"):
            value = getattr(node, name)
            if value and not value.isprintable():
                cleaned, found = strip_controls(value, where)
                setattr(node, name, cleaned)
                changes += found
        for key, value in node.attrib.items():
            if not value.isprintable():
                cleaned, found = strip_controls(value, where)
                node.set(key, cleaned.replace(LINE_BREAK, " "))
                changes += found
    return tuple(changes)


def _skeleton(text: str, root: HtmlElement) -> str:
    """Return the document as lxml writes it, with the file's own doctype and outer comments."""
    # The file's own doctype, verbatim; lxml would otherwise invent an HTML 4.0 one.
    doctype = _DOCTYPE.match(text)
    before = [markup(node) for node in root.itersiblings(preceding=True) if not _declaration(node)]
    after = [markup(node) for node in root.itersiblings()]
    head = (doctype.group(1) + "\n") if doctype else ""
    page = head + "".join(reversed(before)) + markup(root) + "".join(after)
    # No-break spaces at a paragraph's ends are written as in its text (see ``escaper``).
    return _SPACED_PLACEHOLDER.sub(lambda m: m.group(0).replace(NBSP, "&nbsp;"), page)


def _declaration(node: HtmlElement) -> bool:
    """Return whether a node is an XML declaration, which lxml reads as a comment."""
    return not isinstance(node.tag, str) and str(node.text or "").startswith("?xml")


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
    if element.tag in SKIP_TAGS or left_alone(element):
        return
    _attributes(element, paragraphs)
    owner, run = element, []
    for child in list(element):
        if _is_inline(child):
            run.append(child)
            continue
        _flush(element, owner, run, paragraphs)
        _walk(child, paragraphs)
        owner, run = child, []
    _flush(element, owner, run, paragraphs)


def _attributes(element: HtmlElement, paragraphs: list[Paragraph]) -> None:
    """Make each translatable attribute of a skeleton element a paragraph and a placeholder."""
    for value in mark_attributes(element, len(paragraphs)):
        paragraphs.append(Paragraph(SegmentKind.ATTRIBUTE, value))


def _is_inline(node: HtmlElement) -> bool:
    """Return whether a node is inline content: a comment, or markup holding no block."""
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
    builder = Run(first=len(out) + 1)
    builder.text(lead)
    for node in run:
        builder.node(node)
    paragraph = builder.paragraph(_kind(block))
    if not paragraph.text:
        for node in run:  # markup only: it stays in the skeleton, its attributes read there
            if isinstance(node.tag, str):
                _skeleton_attributes(node, out)
        return
    last = (run[-1].tail or "") if run else lead
    filled = builder.indent + placeholder(len(out)) + _trailing_space(last)
    if owner is block:
        block.text = filled
    else:
        owner.tail = filled
    for node in run:
        block.remove(node)
    out.append(paragraph)
    out.extend(Paragraph(SegmentKind.ATTRIBUTE, value) for value in builder.attributes)


def _skeleton_attributes(element: HtmlElement, out: list[Paragraph]) -> None:
    """Read the translatable attributes of an element left in the skeleton, and its content's."""
    if left_alone(element):
        return
    _attributes(element, out)
    for child in element:
        if isinstance(child.tag, str):
            _skeleton_attributes(child, out)


def _kind(block: HtmlElement) -> SegmentKind:
    """Return the kind given by the block or its nearest ancestor that sets one."""
    for element in (block, *block.iterancestors()):
        if element.tag in KINDS:
            return KINDS[element.tag]
    return SegmentKind.TEXT


def _trailing_space(text: str) -> str:
    """Return the HTML whitespace text ends with (a no-break space is the paragraph's text)."""
    return text[len(text.rstrip(" \t\n\r\f")) :]
