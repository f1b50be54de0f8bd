"""Plain-text renderings of store reports."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from pipeline.i18n import _, count
from pipeline.jobs import Finding
from pipeline.locale import labelled
from pipeline.records import State, StatusRow
from pipeline.translate import LanguageSummary


def status_table(rows: Sequence[StatusRow]) -> str:
    """Render status rows as one line per document and target language."""
    if not rows:
        return _("no documents; add one with 'pipeline ingest FILE'")
    states = list(State)
    header = [_("doc"), _("version"), _("target"), *(s.value for s in states), _("uri")]
    lines = ["\t".join(header)]
    for (doc_id, version, uri, lang), group in groupby(
        rows, key=lambda r: (r.document_id, r.version, r.uri, r.target_lang)
    ):
        by_state = {r.state: r for r in group}
        cells = [_cell(by_state.get(s)) for s in states]
        target = labelled(lang) if lang else "-"
        lines.append("\t".join([count(doc_id), count(version), target, *cells, uri]))
    return "\n".join(lines)


def _cell(row: StatusRow | None) -> str:
    """Render one state's counts; pseudo-translations are named, never passed off as work."""
    if row is None:
        return _("{segments} ({words} w)").format(segments=count(0), words=count(0))
    if row.pseudo:
        return _("{segments} ({words} w, {pseudo} pseudo)").format(
            segments=count(row.segments), words=count(row.words), pseudo=count(row.pseudo)
        )
    return _("{segments} ({words} w)").format(segments=count(row.segments), words=count(row.words))


def translate_summary(summaries: Sequence[LanguageSummary]) -> str:
    """Render what a translate run did, one line per language pair."""
    if not summaries:
        return _("nothing to translate")
    lines = []
    for s in summaries:
        message = (
            _(
                "{source} → {target}: {translated} PSEUDO-translated (not a translation), "
                "{reused} reused from memory, {skipped} skipped (credits), {failed} failed, "
                "{flagged} flagged by QA"
            )
            if s.pseudo
            else _(
                "{source} → {target}: {translated} translated, {reused} reused from memory, "
                "{skipped} skipped (credits), {failed} failed, {flagged} flagged by QA"
            )
        )
        lines.append(
            message.format(
                source=labelled(s.source_lang),
                target=labelled(s.target_lang),
                translated=count(s.translated),
                reused=count(s.reused),
                skipped=count(s.skipped),
                failed=count(s.failed),
                flagged=count(s.flagged),
            )
        )
        if s.rendered:
            lines.append(
                _("  {rendered} dateline(s) rendered from locale data, for review").format(
                    rendered=count(s.rendered)
                )
            )
        if s.fuzzy or s.terms:
            lines.append(
                _(
                    "  {fuzzy} with fuzzy memory matches offered for review, {filled} filled "
                    "from one (drafts), {terms} with glossary terms kept through the model"
                ).format(fuzzy=count(s.fuzzy), filled=count(s.filled), terms=count(s.terms))
            )
    return "\n".join(lines)


def qa_table(findings: Sequence[Finding]) -> str:
    """Render QA findings one per line: document, segment, language, severity, check, message."""
    if not findings:
        return _("no QA flags")
    lines = ["doc\tsegment\tposition\ttarget\tseverity\tcheck\tmessage"]
    lines += [
        f"{f.document.id}\t{f.segment.id}\t{f.segment.paragraph}.{f.segment.sentence}\t"
        f"{f.translation.target_lang}\t{f.flag.severity.value}\t{f.flag.check}\t{f.flag.message}"
        for f in findings
    ]
    return "\n".join(lines)
