"""Read Markdown (CommonMark with GFM tables) articles, keeping their structure.

Headings, paragraphs, list items and table cells become paragraphs; their inline markup
becomes spans holding the original markup (``markdown_inline``). The skeleton is the file
itself with each such block's text replaced by its placeholder: ``{{p:N}}`` for running
text, one ``{{c:N}}`` per table cell (the row is written anew, ``| a | b |``), ``{{a:N}}``
inside an image's brackets and ``{{j:N}}`` for a front matter value (``frontmatter``). Code
blocks, HTML blocks, thematic breaks and link reference definitions are kept as they are.

Where each block's text starts and ends is taken from the parser's own line marks while it
reads the block, so no text is searched for.

Nesting: markdown-it stops reading blocks nested deeper than its ``maxNesting`` and drops
the rest of the file without a word (CommonMark's preset allows 20 levels: a list nested
10 deep, a quote 20 deep), which would leave text untranslated. Articles are read with room
for :data:`MAX_DEPTH` nested quotes and lists, and one nested deeper is refused, naming the
limit, before anything could be dropped.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Final

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from pipeline.ingest import (
    Article,
    Escaper,
    Paragraph,
    ReadOptions,
    clip_spans,
    codes_of,
    frontmatter,
    markdown_escape,
    placeholder,
    sealed,
)
from pipeline.ingest.markdown_inline import InlineReader
from pipeline.inline import isolated, render
from pipeline.inputs import RefusedFileError
from pipeline.records import Code, CodeType, SegmentKind

__all__ = ["escaper", "parse", "parser"]

# Quotes and lists nested in one another: a list counts one, however its items are marked.
MAX_DEPTH: Final = 100
# The parser's levels: a list is two (list, item), a text block one more and its text one
# more; the margin keeps the parser from reaching its limit before the depth check refuses.
_MAX_NESTING: Final = 2 * MAX_DEPTH + 4
_CONTAINERS: Final = {
    "blockquote_open": 1,
    "bullet_list_open": 1,
    "ordered_list_open": 1,
    "blockquote_close": -1,
    "bullet_list_close": -1,
    "ordered_list_close": -1,
}

BlockRule = Callable[[StateBlock, int, int, bool], bool]
# Block rules whose tokens hold inline text, and so need to know where it stands.
_TEXT_RULES = ("table", "heading", "lheading", "paragraph")


def parser() -> MarkdownIt:
    """Return the Markdown parser articles are read with: CommonMark plus GFM tables."""
    return MarkdownIt("commonmark", {"maxNesting": _MAX_NESTING}).enable("table")


def escaper(mode: str) -> Escaper:
    """Return how text runs are written back into Markdown for a placeholder mode."""
    return markdown_escape.escaper(mode)


def written(text: str, codes: Sequence[Code]) -> tuple[Code, ...]:
    """Return a translation's codes as written back: ``_`` emphasis inside a word as ``*``.

    ``_`` neither opens nor closes emphasis inside a word, and a translation may put it
    there (Burmese writes no spaces between words); ``*`` does, and renders the same.
    """
    inside = {
        code.id
        for code in codes
        if code.tag in ("em", "strong")
        and code.data
        and set(code.data) == {"_"}
        and _touches_word(text, code)
    }
    inside -= isolated(codes)
    return sealed(
        [
            code.with_data(code.data.replace("_", "*")) if code.id in inside else code
            for code in codes
        ]
    )


def _touches_word(text: str, code: Code) -> bool:
    """Return whether an emphasis delimiter stands against a word character outside it."""
    outside = code.at - 1 if code.type is CodeType.OPEN else code.at
    # Letters, digits and the vowel signs of abugidas (Burmese း is a mark, not a letter).
    return 0 <= outside < len(text) and unicodedata.category(text[outside])[0] in "LMN"


def parse(text: str, options: ReadOptions | None = None) -> Article:
    """Return the paragraphs of a Markdown article and its skeleton."""
    front = frontmatter.read(text, (options or ReadOptions()).fields)
    paragraphs = [Paragraph(SegmentKind.FIELD, value) for value in front.values]
    body = text[front.end :]
    tokens = _located().parse(body)
    _check_depth(tokens, text[: front.end].count("\n"))
    edits, heading = _blocks(tokens, paragraphs)
    return Article(
        title=front.title or heading,
        skeleton=front.skeleton + _apply(body, edits),
        paragraphs=tuple(paragraphs),
    )


def _check_depth(tokens: Sequence[Token], lines_before: int) -> None:
    """Refuse quotes and lists nested deeper than MAX_DEPTH, which the parser would drop."""
    depth = 0
    for token in tokens:
        depth += _CONTAINERS.get(token.type, 0)
        if depth > MAX_DEPTH:
            raise RefusedFileError(
                f"quotes and lists nested more than {MAX_DEPTH} deep (line "
                f"{lines_before + (token.map or [0])[0] + 1}); refused, not left untranslated"
            )


@functools.cache
def _located() -> MarkdownIt:
    """Return the parser, its text block rules noting where each block's text stands."""
    md = parser()
    for rule in md.block.ruler.__rules__:
        if rule.name in _TEXT_RULES:
            md.block.ruler.at(rule.name, _noting(rule.fn), {"alt": list(rule.alt)})
    return md


def _noting(rule: BlockRule) -> BlockRule:
    """Wrap a block rule so the tokens it makes record the source span of their text."""

    def noted(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        first = len(state.tokens)
        found = rule(state, start, end, silent)
        if found and not silent:
            _note_spans(state, state.tokens[first:])
        return found

    return noted


def _note_spans(state: StateBlock, tokens: Sequence[Token]) -> None:
    """Set ``meta["span"]``, the (start, end) offsets of the text, on text block tokens."""
    for index, token in enumerate(tokens):
        if token.map is None or token.type not in ("paragraph_open", "heading_open", "tr_open"):
            continue
        first, last = token.map[0], token.map[1] - 1
        start = state.bMarks[first] + state.tShift[first]
        if token.type == "heading_open" and token.markup[:1] == "#":
            # The parser's content is the source after the marker and its blanks, trimmed.
            start += len(token.markup)
            while state.src[start : start + 1] in (" ", "\t"):
                start += 1
            token.meta["span"] = (start, start + len(tokens[index + 1].content))
        elif token.type == "heading_open":  # setext: the underline stays
            token.meta["span"] = (start, state.eMarks[last - 1])
        else:
            token.meta["span"] = (start, state.eMarks[last])


_Edit = tuple[int, int, str]


def _blocks(tokens: Sequence[Token], paragraphs: list[Paragraph]) -> tuple[list[_Edit], str]:
    """Return the skeleton edits of the body's text blocks and the first heading's text."""
    edits: list[_Edit] = []
    heading = ""
    lists = 0
    span, kind = (0, 0), SegmentKind.TEXT
    row: list[str] | None = None
    for token in tokens:
        lists += {"list_item_open": 1, "list_item_close": -1}.get(token.type, 0)
        if token.type in ("paragraph_open", "heading_open", "tr_open"):
            span = token.meta.get("span", (0, 0))
            kind = _kind(token, lists)
            row = [] if token.type == "tr_open" else None
        elif token.type == "tr_close" and row is not None:
            edits.append((*span, "| " + " | ".join(row) + " |"))
            row = None
        elif token.type == "inline" and row is not None:
            row.append(_fill(token, SegmentKind.CELL, paragraphs))
        elif token.type == "inline":
            edits.append((*span, _fill(token, kind, paragraphs)))
            if kind is SegmentKind.HEADING and not heading and paragraphs:
                heading = paragraphs[-1].text
    return edits, heading


def _kind(token: Token, lists: int) -> SegmentKind:
    """Return the kind of the text a block token opens."""
    if token.type == "heading_open":
        return SegmentKind.HEADING
    return SegmentKind.LIST_ITEM if lists else SegmentKind.TEXT


def _fill(token: Token, kind: SegmentKind, paragraphs: list[Paragraph]) -> str:
    """Return what stands for an inline token in the skeleton: its placeholder, or its markup.

    Text with nothing to translate (an image alone, a code span, raw HTML) is written into
    the skeleton as it is; an image's text is still a paragraph of its own.
    """
    mode = "c" if kind is SegmentKind.CELL else "p"
    paragraph = InlineReader(paragraphs, cell=mode == "c").read(token.children or [], kind)
    if _translatable(paragraph):
        lead, paragraph, trail = _edges(paragraph)
        paragraphs.append(paragraph)
        return lead + placeholder(len(paragraphs) - 1, mode) + trail
    size = len(paragraph.text)
    codes = codes_of(paragraph.inline, 0, size, marks=(0, size + 1))
    return render(paragraph.text, codes, inside=escaper(mode))


def _edges(paragraph: Paragraph) -> tuple[str, Paragraph, str]:
    """Split off the blanks at a paragraph's ends (no-break spaces), which segments would lose.

    They stay in the skeleton around the placeholder, unless markup stands among them.
    """
    text = paragraph.text
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    if (start, end) == (0, len(text)) or start >= end:
        return "", paragraph, ""
    if any(span.start < start or span.end > end for span in paragraph.inline):
        return "", paragraph, ""
    inline = clip_spans(paragraph.inline, start, end)
    return (
        _references(text[:start]),
        Paragraph(paragraph.kind, text[start:end], inline),
        _references(text[end:]),
    )


def _references(blanks: str) -> str:
    """Return blanks as character references, which no parser trims from a block's edge."""
    return "".join(f"&#x{ord(char):X};" for char in blanks)


def _translatable(paragraph: Paragraph) -> bool:
    """Return whether a paragraph has words outside its protected spans."""
    shown = list(paragraph.text)
    for span in paragraph.inline:
        if span.protect:
            shown[span.start : span.end] = [" "] * (span.end - span.start)
    return bool("".join(shown).strip())


def _apply(text: str, edits: Iterable[_Edit]) -> str:
    """Return text with each (start, end) range replaced, ranges in order and apart."""
    out, done = [], 0
    for start, end, replacement in sorted(edits):
        out.append(text[done:start] + replacement)
        done = max(done, end)
    out.append(text[done:])
    return "".join(out)
