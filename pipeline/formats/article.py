"""The translated article in its original format (txt, md, html), rebuilt from its skeleton.

Each ``{{p:N}}`` of the skeleton becomes paragraph N's translated segments joined as the
source was (``join_segments``: spaces, " - " before a credit); HTML is escaped and its
``<html lang>`` set to the target. Every segment, dateline included, is written as stored:
``translate`` renders a dateline's date from locale data as a draft, and what the reviewer
approved is what is published. Only reviewed and final translations are publishable, and
only when their latest QA found no error (``allow_flagged`` lets errors through).
With ``allow_draft``, drafts and pseudo-translations fill the gaps, QA errors do not stop
the article, and it opens with a note saying so (txt/md: a first line; html: a comment and
a banner).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import BinaryIO

from pipeline.formats import ExportOptions, state_of, write_chunks
from pipeline.formats.errors import ExportError, IncompleteArticleError
from pipeline.ingest import Escaper, Reader, paragraph_gaps, placeholder_modes, reader, rebuild
from pipeline.inline import render as render_codes
from pipeline.records import Document, Flag, SegmentKind, Severity, State, Translation, Unit
from pipeline.segment import Placed, join_segments

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


def missing(units: Iterable[Unit], lang: str, allow_draft: bool = False) -> list[Unit]:
    """Return the units whose translation into ``lang`` cannot stand in the article."""
    return [unit for unit in units if not usable(unit.translations.get(lang), allow_draft)]


def errors(translation: Translation | None) -> tuple[Flag, ...]:
    """Return the QA errors of a translation's latest check."""
    if translation is None:
        return ()
    return tuple(flag for flag in translation.flags if flag.severity is Severity.ERROR)


def flagged(units: Iterable[Unit], lang: str) -> list[tuple[Unit, Flag]]:
    """Return each unit whose translation into ``lang`` has a QA error, with its first error."""
    return [(unit, found[0]) for unit in units if (found := errors(unit.translations.get(lang)))]


def _where(unit: Unit) -> str:
    return f"{unit.unit_id} (¶{unit.segment.paragraph}.{unit.segment.sentence})"


def _listed(items: Sequence[str]) -> str:
    """Return items joined, the list cut after a few."""
    more = f" and {len(items) - SHOWN_MISSING} more" if len(items) > SHOWN_MISSING else ""
    return ", ".join(items[:SHOWN_MISSING]) + more


def describe_missing(document: Document, lang: str, units: Sequence[Unit], total: int) -> str:
    """Return one line naming the segments an article lacks, the list cut after a few."""
    return f"{document.uri} ({lang}): {_missing_clause(units, lang, total)}"


def _missing_clause(units: Sequence[Unit], lang: str, total: int) -> str:
    verb = "has" if len(units) == 1 else "have"
    # Stores made before datelines were rendered at translate time hold none for them.
    untouched = any(
        unit.segment.kind is SegmentKind.DATELINE
        and state_of(unit.translations.get(lang)) is State.INITIAL
        for unit in units
    )
    hint = "; 'pipeline translate' renders datelines" if untouched else ""
    return (
        f"{len(units)} of {total} segments {verb} no reviewed or final translation:"
        f" {_listed([_where(unit) for unit in units])}{hint}; review them, or export with"
        " --allow-draft"
    )


def _flagged_clause(found: Sequence[tuple[Unit, Flag]], total: int) -> str:
    verb = "has" if len(found) == 1 else "have"
    shown = [f"{_where(unit)} {flag.check}: {flag.message}" for unit, flag in found]
    return (
        f"{len(found)} of {total} segments {verb} a QA error: {_listed(shown)}; correct them,"
        " or export with --allow-flagged"
    )


def problems(
    document: Document,
    lang: str,
    units: Sequence[Unit],
    allow_draft: bool = False,
    allow_flagged: bool = False,
) -> str | None:
    """Return one line saying why an article cannot be published, or None when it can.

    Missing segments and QA errors are both named; with ``allow_draft`` the article is a
    marked draft and QA errors do not stop it.
    """
    clauses = []
    lacking = missing(units, lang, allow_draft)
    if lacking:
        clauses.append(_missing_clause(lacking, lang, len(units)))
    if not (allow_draft or allow_flagged):
        gaps = {unit.segment.id for unit in lacking}
        found = flagged((u for u in units if u.segment.id not in gaps), lang)
        if found:
            clauses.append(_flagged_clause(found, len(units)))
    return f"{document.uri} ({lang}): {'; '.join(clauses)}" if clauses else None


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
    *,
    allow_flagged: bool = False,
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
    why = problems(document, lang, units, allow_draft, allow_flagged)
    if why is not None:
        raise IncompleteArticleError(why)
    texts = {u.segment.id: u.translations[lang] for u in units}
    # Placeholders stand in the skeleton and in codes' markup (an inline image's alt text).
    markup = "".join(code.data for unit in units for code in unit.segment.codes)
    modes = placeholder_modes(document.skeleton + markup)
    article_reader = reader(document.format)
    paragraphs = {}
    gaps = paragraph_gaps(document.skeleton + markup)
    for index, group in groupby(units, key=lambda unit: unit.segment.paragraph):
        escape = article_reader.escaper(modes.get(index, "p"))
        paragraphs[index] = join_segments(
            [
                Placed(
                    unit.segment.kind,
                    unit.segment.source,
                    texts[unit.segment.id].text,
                    _coded(texts[unit.segment.id], escape, article_reader),
                )
                for unit in group
            ],
            gaps.get(index),
            escape,
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


def _coded(translation: Translation, escape: Escaper, article_reader: Reader) -> str:
    """Return one segment's target text with its codes' markup, runs escaped."""
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
    # QA errors are gated by the export job before any file is written (pipeline.export
    # check_articles, which knows --allow-flagged); here only missing text stops the article.
    yield render(
        held,
        options.target_langs[0],
        options.allow_draft,
        allow_flagged=True,
        document=options.document,
    )


def write(units: Iterable[Unit], out: BinaryIO, options: ExportOptions) -> None:
    """Write one document's translated article."""
    write_chunks(generate_article(units, options), out)
