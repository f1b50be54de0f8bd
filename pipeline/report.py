"""Plain-text renderings of store reports."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from pipeline.jobs import Finding
from pipeline.locale import labelled
from pipeline.models import State, StatusRow
from pipeline.translate import LanguageSummary


def status_table(rows: Sequence[StatusRow]) -> str:
    """Render status rows as one line per document and target language."""
    if not rows:
        return "no documents; add one with 'pipeline ingest FILE'"
    states = list(State)
    header = ["doc", "version", "target", *(s.value for s in states), "uri"]
    lines = ["\t".join(header)]
    for (doc_id, version, uri, lang), group in groupby(
        rows, key=lambda r: (r.document_id, r.version, r.uri, r.target_lang)
    ):
        by_state = {r.state: r for r in group}
        cells = [_cell(by_state[s]) if s in by_state else "0 (0 w)" for s in states]
        target = labelled(lang) if lang else "-"
        lines.append("\t".join([str(doc_id), str(version), target, *cells, uri]))
    return "\n".join(lines)


def _cell(row: StatusRow) -> str:
    """Render one state's counts; pseudo-translations are named, never passed off as work."""
    pseudo = f", {row.pseudo} pseudo" if row.pseudo else ""
    return f"{row.segments} ({row.words} w{pseudo})"


def translate_summary(summaries: Sequence[LanguageSummary]) -> str:
    """Render what a translate run did, one line per language pair."""
    if not summaries:
        return "nothing to translate"
    return "\n".join(
        f"{labelled(s.source_lang)} → {labelled(s.target_lang)}: {s.translated} "
        f"{'PSEUDO-translated (not a translation)' if s.pseudo else 'translated'}, "
        f"{s.reused} reused from "
        f"memory, {s.skipped} skipped (credits), {s.failed} failed, {s.flagged} flagged by QA"
        for s in summaries
    )


def qa_table(findings: Sequence[Finding]) -> str:
    """Render QA findings one per line: document, segment, language, severity, check, message."""
    if not findings:
        return "no QA flags"
    lines = ["doc\tsegment\tposition\ttarget\tseverity\tcheck\tmessage"]
    lines += [
        f"{f.document.id}\t{f.segment.id}\t{f.segment.paragraph}.{f.segment.sentence}\t"
        f"{f.translation.target_lang}\t{f.flag.severity.value}\t{f.flag.check}\t{f.flag.message}"
        for f in findings
    ]
    return "\n".join(lines)
