"""The store's glossaries: add entries once, read a language pair's terms, count them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pipeline.glossary import GlossaryEntry, TermStatus
from pipeline.store.rows import PairCount, now, pair_counts

COLUMNS = "source_lang, target_lang, term, target, status, dnt, pos, note, origin, concept"


class GlossaryTables:
    """Glossaries on a SQL store; mixed into SQLStore, which supplies _execute."""

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def add_terms(self, entries: Iterable[GlossaryEntry]) -> tuple[int, int]:
        """Add entries not already held; return (added, already held).

        The caller runs this inside a transaction.
        """
        added = held = 0
        stamp = now()
        for e in entries:
            cursor = self._execute(
                f"INSERT INTO glossary ({COLUMNS}, imported_at, entry_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entry_key) DO NOTHING",
                (
                    e.source_lang,
                    e.target_lang,
                    e.term,
                    e.target,
                    e.status.value,
                    1 if e.dnt else 0,
                    e.pos,
                    e.note,
                    e.origin,
                    e.concept,
                    stamp,
                    e.key,
                ),
            )
            if cursor.rowcount == 1:
                added += 1
            else:
                held += 1
        return added, held

    def glossary(self, source_lang: str, target_lang: str) -> list[GlossaryEntry]:
        """Return the entries for a language pair, do-not-translate ones of any target too."""
        rows = self._execute(
            f"SELECT {COLUMNS} FROM glossary WHERE source_lang = ?"
            " AND (target_lang = ? OR dnt = 1) ORDER BY id",
            (source_lang, target_lang),
        ).fetchall()
        return [
            GlossaryEntry(
                r[0], r[1], r[2], r[3], TermStatus(r[4]), bool(r[5]), r[6], r[7], r[8], r[9]
            )
            for r in rows
        ]

    def glossary_stats(self) -> list[PairCount]:
        """Return entries counted per language pair and file."""
        return pair_counts(self._execute, "glossary")
