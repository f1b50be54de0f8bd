"""The translated article in its original format (txt, md, html), rebuilt from its skeleton.

Each ``{{p:N}}`` of the skeleton becomes paragraph N's translated segments joined as the
source was (``join_segments``: spaces, " - " before a credit); HTML is escaped and its
``<html lang>`` set to the target. A dateline holding an ISO date is rendered, not
translated: the date in the target locale with its digits policy (``pipeline.locale``).
Only reviewed and final translations are publishable.
With ``allow_draft``, drafts and pseudo-translations fill the gaps and the article opens
with a note saying so (txt/md: a first line; html: a comment and a banner).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import BinaryIO

from pipeline.formats import ExportOptions, write_chunks
from pipeline.formats.errors import ExportError, IncompleteArticleError
from pipeline.ingest import Escaper, Reader, placeholder_modes, reader, rebuild
from pipeline.inline import at_edges
from pipeline.inline import render as render_codes
from pipeline.locale import Digits, render_dateline
from pipeline.records import Document, SegmentKind, State, Translation, Unit
from pipeline.segment import join_segments

PUBLISHABLE = frozenset({State.REVIEWED, State.FINAL})
# Missing segments named in an error before "and N more".
SHOWN_MISSING = 8
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_LANG_ATTR = re.compile(r"""\s(?:xml:)?lang\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_DOCTYPE = re.compile(r"\A\s*<!DOCTYPE[^>]*>\n?", re.IGNORECASE)


def usable(t: Translation | None, allow_draft: bool = False) -> bool:
    """Return whether a translation may stand in the article.

    Reviewed and final text always may; drafts and pseudo-translations only when allowed.
    """
    if t is None or not t.text.strip():
        return False
    if t.is_pseudo:
        return allow_draft
    return t.state in PUBLISHABLE or (allow_draft and t.state is State.TRANSLATED)


def dateline(unit: Unit, lang: str, digits: Digits | None = None) -> str | None:
    """Return a dateline the pipeline renders itself in the target locale, if it holds a date.

    Dates are rendered, not translated: the dateline needs no reviewed translation.
    """
    if unit.segment.kind is not SegmentKind.DATELINE:
        return None
    rendered = render_dateline(unit.segment.source, lang, digits)
    return None if rendered == unit.segment.source else rendered


def missing(units: Iterable[Unit], lang: str, allow_draft: bool = False) -> list[Unit]:
    """Return the units whose translation into ``lang`` cannot stand in the article."""
    return [
        unit
        for unit in units
        if dateline(unit, lang) is None and not usable(unit.translations.get(lang), allow_draft)
    ]


def describe_missing(document: Document, lang: str, units: Sequence[Unit], total: int) -> str:
    """Return one line naming the segments an article lacks, the list cut after a few."""
    shown = ", ".join(
        f"{unit.unit_id} (¶{unit.segment.paragraph}.{unit.segment.sentence})"
        for unit in units[:SHOWN_MISSING]
    )
    more = f" and {len(units) - SHOWN_MISSING} more" if len(units) > SHOWN_MISSING else ""
    verb = "has" if len(units) == 1 else "have"
    return (
        f"{document.uri} ({lang}): {len(units)} of {total} segments {verb} no reviewed or final"
        f" translation: {shown}{more}; review them, or export with --allow-draft"
    )


@dataclass(frozen=True)
class Drafts:
    """How many unpublishable translations an article was built with."""

    drafts: int
    pseudo: int

    def note(self, lang: str, total: int) -> str:
        """Return the one-line warning that opens a draft article."""
        pseudo = ""
        if self.pseudo:
            which = "a PSEUDO-TRANSLATION" if self.pseudo == 1 else "PSEUDO-TRANSLATIONS"
            pseudo = f", {self.pseudo} of them {which} (not a translation at all)"
        return (
            f"DRAFT ({lang}), not for publication: {self.drafts} of {total} segments are"
            f" unreviewed drafts{pseudo}."
        )


def render(
    units: Sequence[Unit],
    lang: str,
    allow_draft: bool = False,
    digits: Digits | None = None,
    *,
    document: Document | None = None,
) -> str:
    """Return one document's article in ``lang``, or raise IncompleteArticleError.

    Each segment's text is written with its inline codes' markup, escaped for the place its
    paragraph has in the skeleton (running text, a table cell, an attribute value, …).
    ``document`` is needed only for a document with no segments, whose article is its file.
    """
    document = units[0].document if units else document
    if document is None:
        raise ExportError("an article export needs its document")
    lacking = missing(units, lang, allow_draft)
    if lacking:
        raise IncompleteArticleError(describe_missing(document, lang, lacking, len(units)))
    dates = {u.segment.id: d for u in units if (d := dateline(u, lang, digits)) is not None}
    texts = {u.segment.id: u.translations[lang] for u in units if u.segment.id not in dates}
    # Placeholders stand in the skeleton and in codes' markup (an inline image's alt text).
    markup = "".join(code.data for unit in units for code in unit.segment.codes)
    modes = placeholder_modes(document.skeleton + markup)
    article_reader = reader(document.format)
    paragraphs = {}
    for index, group in groupby(units, key=lambda unit: unit.segment.paragraph):
        escape = article_reader.escaper(modes.get(index, "p"))
        paragraphs[index] = join_segments(
            (unit.segment.kind, _coded(unit, texts, dates, escape, article_reader))
            for unit in group
        )
    drafts = Drafts(
        drafts=sum(t.state not in PUBLISHABLE or t.is_pseudo for t in texts.values()),
        pseudo=sum(t.is_pseudo for t in texts.values()),
    )
    note = drafts.note(lang, len(units)) if drafts.drafts else ""
    body = rebuild(document.skeleton, paragraphs)
    if document.format == "html":
        return _mark_html(set_html_lang(body, lang), note)
    return f"{note}\n\n{body}" if note else body


def _coded(
    unit: Unit,
    texts: dict[int, Translation],
    dates: dict[int, str],
    escape: Escaper,
    article_reader: Reader,
) -> str:
    """Return one segment's target text with its codes' markup, runs escaped."""
    segment = unit.segment
    if segment.id in dates:
        # A rendered date has no words to align: its codes keep to the edges.
        text = dates[segment.id]
        codes = at_edges(segment.source, segment.codes, text).codes
    else:
        translation = texts[segment.id]
        text, codes = translation.text, translation.codes
    return render_codes(text, article_reader.written(text, codes), inside=escape)


def set_html_lang(page: str, lang: str) -> str:
    """Return the page with its ``<html>`` tag's ``lang`` (and ``dir``) set to the target.

    >>> set_html_lang('<html lang="en">', "my")
    '<html lang="my">'
    """
    from pipeline.formats.bilingual_html import text_direction

    match = _HTML_TAG.search(page)
    if match is None:
        return page
    tag = _LANG_ATTR.sub("", match.group(0))
    direction = text_direction(lang)
    extra = f' dir="{direction}"' if direction == "rtl" and " dir=" not in tag else ""
    tag = f'{tag[:5]} lang="{html.escape(lang)}"{extra}{tag[5:]}'
    return page[: match.start()] + tag + page[match.end() :]


def _mark_html(page: str, note: str) -> str:
    """Add the draft note as a comment after the doctype and a banner atop the body."""
    if not note:
        return page
    comment = f"<!-- {note.replace('--', '- -')} -->\n"
    banner = (
        '\n<div class="pipeline-draft" role="note" style="background:#c00;color:#fff;'
        f'padding:.5rem 1rem;font-weight:bold">{html.escape(note)}</div>'
    )
    doctype = _DOCTYPE.match(page)
    at = doctype.end() if doctype else 0
    page = page[:at] + comment + page[at:]
    body = _BODY_TAG.search(page)
    if body is None:
        return page[: at + len(comment)] + banner.lstrip("\n") + "\n" + page[at + len(comment) :]
    return page[: body.end()] + banner + page[body.end() :]


def generate_article(units: Iterable[Unit], options: ExportOptions) -> Iterator[str]:
    """Yield the article of one document in the first target language."""
    held = list(units)
    if not held and options.document is None:
        return
    if len({unit.document.id for unit in held}) > 1:
        raise ExportError("an article export holds one document; name one, or -o a folder")
    yield render(
        held,
        options.target_langs[0],
        options.allow_draft,
        options.digits,
        document=options.document,
    )


def write(units: Iterable[Unit], out: BinaryIO, options: ExportOptions) -> None:
    """Write one document's translated article."""
    write_chunks(generate_article(units, options), out)
