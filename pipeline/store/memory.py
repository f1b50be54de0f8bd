"""The store's imported translation memory: add entries once, look them up, count them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pipeline.inline import codes_from_json, codes_to_json
from pipeline.records import Code, MemoryMatch, Segment, source_hash
from pipeline.store.rows import (
    REUSABLE,
    SEGMENT_COLUMNS,
    PairCount,
    now,
    pair_counts,
    segment_from,
)
from pipeline.tm import MemoryEntry

MATCH_COLUMNS = "score, source, source_codes, target, target_codes, origin, author"
COLUMNS = (
    "source_lang, target_lang, source, source_codes, target, target_codes, origin, tuid,"
    " created_at, created_by, changed_at, changed_by, props"
)


class MemoryTables:
    """Imported memory on a SQL store; mixed into SQLStore, which supplies _execute."""

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def _lock_translations(self, keys: Iterable[tuple[int, str]]) -> None:
        raise NotImplementedError

    def add_memory(self, entries: Iterable[MemoryEntry]) -> tuple[int, int]:
        """Add entries not already held (imported, or the text of an own translation).

        Return (added, already held). The caller runs this inside a transaction.
        """
        added = held = 0
        stamp = now()
        for e in entries:
            if self._own_translation(e):
                held += 1
                continue
            cursor = self._execute(
                f"INSERT INTO memory ({COLUMNS}, source_hash, imported_at, entry_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (entry_key) DO NOTHING",
                (
                    e.source_lang,
                    e.target_lang,
                    e.source,
                    json.dumps(codes_to_json(e.source_codes)),
                    e.target,
                    json.dumps(codes_to_json(e.target_codes)),
                    e.origin,
                    e.tuid,
                    e.created_at,
                    e.created_by,
                    e.changed_at,
                    e.changed_by,
                    json.dumps(dict(e.props), ensure_ascii=False),
                    source_hash(e.source),
                    stamp,
                    e.key,
                ),
            )
            if cursor.rowcount == 1:
                added += 1
            else:
                held += 1
        return added, held

    def _own_translation(self, e: MemoryEntry) -> bool:
        row = self._execute(
            "SELECT 1 FROM translations t JOIN segments s ON s.id = t.segment_id"
            " JOIN documents d ON d.id = s.document_id"
            " WHERE s.source_hash = ? AND d.source_lang = ? AND t.target_lang = ?"
            " AND t.text = ? LIMIT 1",
            (source_hash(e.source), e.source_lang, e.target_lang, e.target),
        ).fetchone()
        return row is not None

    def imported_memory(
        self, source_hashes: Iterable[str], source_lang: str, target_lang: str
    ) -> dict[str, MemoryEntry]:
        """Return the newest imported entry for each of these normalised sources, by hash."""
        found: dict[str, MemoryEntry] = {}
        for h in dict.fromkeys(source_hashes):
            row = self._execute(
                f"SELECT {COLUMNS} FROM memory WHERE source_hash = ? AND source_lang = ?"
                " AND target_lang = ? ORDER BY COALESCE(changed_at, created_at, imported_at)"
                " DESC, id DESC LIMIT 1",
                (h, source_lang, target_lang),
            ).fetchone()
            if row:
                found[h] = entry_from(row)
        return found

    def segments_by_source(
        self, source_hashes: Iterable[str], source_lang: str
    ) -> dict[str, list[Segment]]:
        """Return the stored segments of each normalised source in a language, newest first."""
        columns = ", ".join(f"s.{c.strip()}" for c in SEGMENT_COLUMNS.split(","))
        found: dict[str, list[Segment]] = {}
        for h in dict.fromkeys(source_hashes):
            rows = self._execute(
                f"SELECT {columns} FROM segments s JOIN documents d ON d.id = s.document_id"
                " WHERE s.source_hash = ? AND d.source_lang = ? ORDER BY s.id DESC",
                (h, source_lang),
            ).fetchall()
            if rows:
                found[h] = [segment_from(row) for row in rows]
        return found

    def memory_entries(self, pair: tuple[str, str] | None = None) -> Iterable[MemoryEntry]:
        """Yield every imported entry (of one source → target pair), in import order."""
        if pair is None:
            cursor = self._execute(f"SELECT {COLUMNS} FROM memory ORDER BY id")
        else:
            cursor = self._execute(
                f"SELECT {COLUMNS} FROM memory WHERE source_lang = ? AND target_lang = ?"
                " ORDER BY id",
                pair,
            )
        for row in cursor:
            yield entry_from(row)

    def memory_sources(self, pair: tuple[str, str]) -> Iterator[tuple[int, str, tuple[Code, ...]]]:
        """Yield (row id, source, source codes) of a pair's imported entries, for an index."""
        cursor = self._execute(
            "SELECT id, source, source_codes FROM memory WHERE source_lang = ? AND target_lang = ?"
            " ORDER BY id",
            pair,
        )
        for row_id, source, codes in cursor:
            yield row_id, source, () if codes == "[]" else codes_from_json(json.loads(codes))

    def memory_by_id(self, ids: Iterable[int]) -> dict[int, MemoryEntry]:
        """Return imported entries by row id."""
        found = {}
        for row_id in dict.fromkeys(ids):
            row = self._execute(f"SELECT {COLUMNS} FROM memory WHERE id = ?", (row_id,)).fetchone()
            if row:
                found[row_id] = entry_from(row)
        return found

    def own_memory(self, pair: tuple[str, str] | None = None) -> Iterable[MemoryEntry]:
        """Yield the reviewed and final translations of each document's newest version.

        Each entry's ``tuid`` is the unit id (``s<segment id>``); with ``pair``, only that pair's.
        """
        where = " AND d.source_lang = ? AND t.target_lang = ?" if pair else ""
        cursor = self._execute(
            # The columns of COLUMNS, so that one mapping reads both tables.
            "SELECT d.source_lang, t.target_lang, s.source, s.codes, t.text, t.codes, d.uri,"
            " 's' || s.id, t.created_at, NULLIF(t.author, ''), t.updated_at,"
            " NULLIF(t.author, ''), '{}'"
            " FROM translations t JOIN segments s ON s.id = t.segment_id"
            " JOIN documents d ON d.id = s.document_id"
            " WHERE t.state IN (?, ?) AND d.version = ("
            f"   SELECT MAX(v.version) FROM documents v WHERE v.uri = d.uri){where}"
            " ORDER BY d.id, s.paragraph, s.sentence, t.target_lang",
            REUSABLE + tuple(pair or ()),
        )
        for row in cursor.fetchall():
            yield entry_from(row)

    def write_matches(self, target_lang: str, found: Mapping[int, Sequence[MemoryMatch]]) -> None:
        """Replace the fuzzy matches offered for these segments in a language, best first."""
        stamp = now()
        # A segment's matches are replaced whole: two writers must not interleave their rows.
        self._lock_translations((segment_id, target_lang) for segment_id in found)
        for segment_id, matches in found.items():
            self._execute(
                "DELETE FROM matches WHERE segment_id = ? AND target_lang = ?",
                (segment_id, target_lang),
            )
            for rank, m in enumerate(matches):
                self._execute(
                    f"INSERT INTO matches (segment_id, target_lang, rank, {MATCH_COLUMNS},"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        segment_id,
                        target_lang,
                        rank,
                        m.score,
                        m.source,
                        json.dumps(codes_to_json(m.source_codes)),
                        m.target,
                        json.dumps(codes_to_json(m.target_codes)),
                        m.origin,
                        m.author,
                        stamp,
                    ),
                )

    def matches(self, document_id: int, target_lang: str) -> dict[int, tuple[MemoryMatch, ...]]:
        """Return the fuzzy matches offered for a document's segments in a language, by id."""
        rows = self._execute(
            f"SELECT segment_id, {MATCH_COLUMNS} FROM matches WHERE segment_id IN"
            " (SELECT id FROM segments WHERE document_id = ?) AND target_lang = ?"
            " ORDER BY segment_id, rank",
            (document_id, target_lang),
        ).fetchall()
        found: dict[int, list[MemoryMatch]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(
                MemoryMatch(
                    target_lang,
                    row[1],
                    row[2],
                    row[4],
                    row[6],
                    codes_from_json(json.loads(row[3])),
                    codes_from_json(json.loads(row[5])),
                    row[7],
                )
            )
        return {k: tuple(v) for k, v in found.items()}

    def memory_stats(self) -> list[PairCount]:
        """Return imported entries counted per language pair and file."""
        return pair_counts(self._execute, "memory")


def entry_from(row: Sequence[Any]) -> MemoryEntry:
    """Return a memory row (COLUMNS order) as an entry."""
    return MemoryEntry(
        row[0],
        row[1],
        row[2],
        row[4],
        codes_from_json(json.loads(row[3])),
        codes_from_json(json.loads(row[5])),
        origin=row[6],
        tuid=row[7],
        created_at=row[8],
        created_by=row[9],
        changed_at=row[10],
        changed_by=row[11],
        props=json.loads(row[12]),
    )
