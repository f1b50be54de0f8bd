"""Rows to records and records to column values: the store's one place for that mapping."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pipeline import inline
from pipeline.records import (
    Code,
    Document,
    Flag,
    InlineSpan,
    Origin,
    Revision,
    Segment,
    SegmentKind,
    Severity,
    Signature,
    State,
    Translation,
)

Row = Sequence[Any]

DOCUMENT_COLUMNS = (
    "id, uri, title, source_lang, format, content_hash, version, skeleton, created_at,"
    " normalisation"
)
SEGMENT_COLUMNS = "id, document_id, paragraph, sentence, kind, source, source_hash, inline, codes"
TRANSLATION_COLUMNS = (
    "t.id, t.segment_id, t.target_lang, t.text, t.state, t.origin, t.signature, t.score,"
    " t.author, t.created_at, t.updated_at, t.flags, t.codes"
)
# Reviewed work is what a translation memory may reuse.
REUSABLE = (State.REVIEWED.value, State.FINAL.value)


@dataclass(frozen=True)
class PairCount:
    """Entries of an imported table (memory, glossary) per language pair and file."""

    source_lang: str
    target_lang: str
    origin: str
    entries: int


def pair_counts(execute: Callable[[str], Any], table: str) -> list[PairCount]:
    """Return a table's entries counted per language pair and file (its origin)."""
    rows = execute(
        f"SELECT source_lang, target_lang, origin, COUNT(*) FROM {table}"
        " GROUP BY source_lang, target_lang, origin ORDER BY source_lang, target_lang, origin"
    ).fetchall()
    return [PairCount(*row) for row in rows]


def now() -> str:
    """Return the current UTC time as an ISO 8601 string."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def inline_to_json(spans: Iterable[InlineSpan]) -> str:
    """Return inline spans as the JSON stored with a segment."""
    return json.dumps(
        [[s.start, s.end, s.tag, s.attrs] for s in spans], ensure_ascii=False, sort_keys=True
    )


def _inline_from_json(text: str) -> tuple[InlineSpan, ...]:
    """Return the inline spans stored as JSON."""
    return tuple(InlineSpan(a, b, tag, attrs) for a, b, tag, attrs in json.loads(text))


def codes_to_json(codes: Iterable[Code]) -> str:
    """Return inline codes as the JSON stored with a segment or translation."""
    return json.dumps(inline.codes_to_json(codes), ensure_ascii=False)


def _codes_from_json(text: str) -> tuple[Code, ...]:
    return inline.codes_from_json(json.loads(text))


def flags_to_json(flags: Iterable[Flag]) -> str:
    """Return QA flags as the JSON stored with a translation."""
    return json.dumps([[f.check, f.severity.value, f.message] for f in flags], ensure_ascii=False)


def _flags_from_json(text: str) -> tuple[Flag, ...]:
    """Return the QA flags stored as JSON."""
    return tuple(Flag(check, Severity(sev), msg) for check, sev, msg in json.loads(text))


def signature_from(text: str | None) -> Signature | None:
    """Return the signature stored as JSON, or None."""
    return Signature.from_json(text) if text else None


def document_from(row: Row) -> Document:
    """Return the Document a documents row holds."""
    return Document(
        id=row[0],
        uri=row[1],
        title=row[2],
        source_lang=row[3],
        format=row[4],
        content_hash=row[5],
        version=row[6],
        skeleton=row[7],
        created_at=row[8],
        normalisation=tuple(json.loads(row[9])),
    )


def segment_from(row: Row) -> Segment:
    """Return the Segment a segments row holds."""
    return Segment(
        id=row[0],
        document_id=row[1],
        paragraph=row[2],
        sentence=row[3],
        kind=SegmentKind(row[4]),
        source=row[5],
        source_hash=row[6],
        inline=_inline_from_json(row[7]),
        codes=_codes_from_json(row[8]),
    )


def translation_from(row: Row) -> Translation:
    """Return the Translation a translations row holds."""
    return Translation(
        id=row[0],
        segment_id=row[1],
        target_lang=row[2],
        text=row[3],
        state=State(row[4]),
        origin=Origin(row[5]),
        signature=signature_from(row[6]),
        score=row[7],
        author=row[8],
        created_at=row[9],
        updated_at=row[10],
        flags=_flags_from_json(row[11]),
        codes=_codes_from_json(row[12]),
    )


REVISION_COLUMNS = (
    "id, translation_id, text, state, origin, signature, score, author, created_at, note, codes"
)


def revision_from(row: Row) -> Revision:
    """Return the Revision a revisions row holds."""
    return Revision(
        id=row[0],
        translation_id=row[1],
        text=row[2],
        state=State(row[3]),
        origin=Origin(row[4]),
        signature=signature_from(row[5]),
        score=row[6],
        author=row[7],
        created_at=row[8],
        note=row[9],
        codes=_codes_from_json(row[10]),
    )
