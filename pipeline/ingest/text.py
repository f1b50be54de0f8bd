"""Read plain-text articles: blank lines end paragraphs; "- ", "* ", "1. " lines are list items."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.burmese import LINE_BREAK
from pipeline.ingest import Article, Escaper, Paragraph, ReadOptions, placeholder, sealed
from pipeline.records import Code, SegmentKind
from pipeline.segment import paragraph_bounds

_LINE = re.compile(r"[^\n]+")
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•]|\d{1,3}[.)])[ \t]+(?=\S)")


def written(text: str, codes: Sequence[Code]) -> tuple[Code, ...]:
    """Return a translation's codes as they are written back: their markup as it was."""
    return sealed(codes)


def escaper(mode: str) -> Escaper:
    """Return the escaper of plain text: none, text is written as it is."""
    return _as_is


def _as_is(run: str, code: Code | None) -> str:
    # A line break inside a paragraph (pipeline.burmese.LINE_BREAK) is a line feed.
    return run.replace(LINE_BREAK, "\n")


def parse(text: str, options: ReadOptions | None = None) -> Article:
    """Return the paragraphs of a plain-text article and its skeleton."""
    paragraphs: list[Paragraph] = []
    skeleton: list[str] = []
    done = 0
    for block_start, block_end in paragraph_bounds(text):
        for start, end, kind in _blocks(text, block_start, block_end):
            skeleton.append(text[done:start] + placeholder(len(paragraphs)))
            paragraphs.append(Paragraph(kind, _unwrap(text[start:end])))
            done = end
    skeleton.append(text[done:])
    return Article(title="", skeleton="".join(skeleton), paragraphs=tuple(paragraphs))


def _blocks(text: str, start: int, end: int) -> list[tuple[int, int, SegmentKind]]:
    """Return the paragraph, or the list items, of one blank-line-separated block."""
    line_start = text.rfind("\n", 0, start) + 1
    if not _LIST_MARKER.match(text, line_start):
        return [(start, end, SegmentKind.TEXT)]
    items: list[tuple[int, int, SegmentKind]] = []
    for line in _LINE.finditer(text, line_start, end):
        line_end = line.start() + len(line.group().rstrip())
        marker = _LIST_MARKER.match(text, line.start())
        if marker:
            items.append((marker.end(), line_end, SegmentKind.LIST_ITEM))
        else:  # a wrapped line continues the item above
            items[-1] = (items[-1][0], line_end, SegmentKind.LIST_ITEM)
    return items


def _unwrap(text: str) -> str:
    """Join a hard-wrapped paragraph's lines with single spaces; a tab is a space too."""
    return " ".join(line.strip() for line in text.split("\n")).replace("\t", " ")
