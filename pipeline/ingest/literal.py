"""Keep an article's own ``{{`` apart from the skeleton's placeholders.

A skeleton marks each paragraph's place with ``{{p:N}}`` (``pipeline.ingest.placeholder``).
A file may hold the same characters itself: a template in a script, a code block, an
attribute value. Before a reader parses the file each ``{{`` of it becomes ``{`` and a
character the file does not hold (same length, so offsets stay); after, paragraphs get
their ``{{`` back, and the skeleton and the codes' markup get ``{{=}}`` (``ESCAPE``),
which ``rebuild`` writes back as ``{{`` and never fills. A translation written into a
script because its source happened to read ``{{p:0}}`` cannot happen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pipeline.ingest import Article, Paragraph, Reader, ReadOptions

# In a skeleton or a code's markup: the file's own "{{", written back as it was.
ESCAPE = "{{=}}"
# Printable symbols no parser treats as markup; the first the file lacks stands in.
_STAND_INS = tuple(chr(point) for point in range(0x2B00, 0x2B50))


def parse_shielded(module: Reader, text: str, options: ReadOptions) -> Article:
    """Return the reader's article of ``text``, its own ``{{`` kept apart from placeholders."""
    if "{{" not in text:
        return module.parse(text, options)
    mark = next((char for char in _STAND_INS if char not in text), "")
    if not mark:  # a file holding all of them: refuse rather than guess
        from pipeline.errors import InputError

        raise InputError("holds '{{' and every stand-in character; cannot keep them apart")
    article = module.parse(text.replace("{{", "{" + mark), options)
    return _restored(article, "{" + mark)


def _restored(article: Article, shielded: str) -> Article:
    """Return the article with each shielded "{{" back: as text, or escaped in markup."""

    def as_text(value: str) -> str:
        return value.replace(shielded, "{{")

    def as_markup(value: str) -> str:
        return value.replace(shielded, ESCAPE)

    return replace(
        article,
        title=as_text(article.title),
        skeleton=as_markup(article.skeleton),
        paragraphs=tuple(_paragraph(p, as_text, as_markup) for p in article.paragraphs),
        changes=tuple(as_text(change) for change in article.changes),
    )


def _paragraph(
    paragraph: Paragraph, as_text: Callable[[str], str], as_markup: Callable[[str], str]
) -> Paragraph:
    """Return a paragraph with its text and its spans' markup restored."""
    spans = tuple(
        replace(
            span,
            attrs={key: as_text(value) for key, value in span.attrs.items()},
            open=as_markup(span.open),
            close=as_markup(span.close),
        )
        for span in paragraph.inline
    )
    return replace(paragraph, text=as_text(paragraph.text), inline=spans)
