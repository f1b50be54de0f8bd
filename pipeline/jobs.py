"""Whole jobs that the CLI's verbs call: each reads, checks, then writes in transactions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.records import (
    Document,
    DocumentDraft,
    Flag,
    IngestResult,
    Segment,
    Severity,
    Translation,
    TranslationDraft,
)
from pipeline.store.base import Store


def read_articles(
    paths: Sequence[Path], source_lang: str, fields: Sequence[str] | None = None
) -> list[DocumentDraft]:
    """Read and segment every article before anything is written, so bad input writes nothing.

    ``fields`` names the front matter keys whose values are translated (default: the
    reader's, title, description and summary).
    """
    from pipeline.ingest import ReadOptions, read_article

    options = ReadOptions() if fields is None else ReadOptions(fields=tuple(fields))
    return [read_article(path, source_lang, options) for path in paths]


def ingest_articles(store: Store, drafts: Sequence[DocumentDraft]) -> list[IngestResult]:
    """Store each article as a new document version unless it is unchanged."""
    return [store.ingest(draft) for draft in drafts]


@dataclass(frozen=True)
class Finding:
    """One QA flag on one stored translation."""

    document: Document
    segment: Segment
    translation: Translation
    flag: Flag


def qa_findings(
    store: Store, documents: Sequence[Document], target_langs: Sequence[str], *, recheck: bool
) -> list[Finding]:
    """Return the QA flags of translations; with ``recheck`` run the checks again and save them."""
    from pipeline.glossary.cache import Glossaries
    from pipeline.qa import check

    glossaries = Glossaries(store)
    findings: list[Finding] = []
    for doc in documents:
        langs = target_langs or store.target_languages(doc.id)
        reflagged: list[TranslationDraft] = []
        for unit in store.units([doc.id], langs):
            for lang, t in unit.translations.items():
                if recheck and t.signature is not None and t.signature.engine == "copy":
                    continue
                if recheck:
                    flags = check(
                        unit.segment.source,
                        t.text,
                        doc.source_lang,
                        lang,
                        pseudo=t.is_pseudo,
                        source_codes=unit.segment.codes,
                        target_codes=t.codes,
                        terms=glossaries.get(doc.source_lang, lang),
                    )
                    # Which codes MT had to put at an edge is known only when it did so.
                    flags += tuple(
                        f
                        for f in t.flags
                        if f.check == "tags" and f.severity is Severity.WARNING and f not in flags
                    )
                    if flags != t.flags:
                        reflagged.append(_reflagged(t, flags))
                        t = replace(t, flags=flags)
                findings.extend(Finding(doc, unit.segment, t, f) for f in t.flags)
        _save_flags(store, doc, reflagged)
    return findings


def _save_flags(store: Store, doc: Document, drafts: Sequence[TranslationDraft]) -> None:
    """Write new flags, except on a translation someone changed since it was checked.

    The re-read and the write are one transaction: a save made meanwhile (at the review
    desk, by an import) is never replaced by the text that was checked.
    """
    if not drafts:
        return
    with store.transaction():
        current = {
            lang: store.translations(doc.id, lang) for lang in {d.target_lang for d in drafts}
        }
        still = [
            d
            for d in drafts
            if (t := current[d.target_lang].get(d.segment_id)) is not None
            and (t.text, t.state, t.codes) == (d.text, d.state, d.codes)
        ]
        store.write_translations(still)


def _reflagged(t: Translation, flags: tuple[Flag, ...]) -> TranslationDraft:
    """Return a draft that changes only a translation's QA flags."""
    return TranslationDraft(
        t.segment_id,
        t.target_lang,
        t.text,
        t.state,
        t.origin,
        t.signature,
        t.score,
        t.author,
        note="qa recheck",
        flags=flags,
        codes=t.codes,
    )
