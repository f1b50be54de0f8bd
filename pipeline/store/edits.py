"""Revision-checked edits: a save names the revision it was made on, or is kept as a conflict.

A translation's token is the id of the newest row of its history: every write through the
store appends one, so the id names exactly what the reviewer saw, whatever its state (an
``initial`` translation written by the store has a revision like any other). A translation
with no history row at all (only in stores from before history) has no token, the same as a
segment with no translation: ``revision_ids`` leaves both out and ``save_edit`` takes None for
both, so the two always agree. A save naming a revision that is no longer the newest is not
applied: it is kept in ``edit_conflicts`` beside what the store holds, for a reviewer to choose;
unless it is what the store holds already, by the same author (the same save sent twice).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from pipeline.errors import NotFoundError, StoreError
from pipeline.inline import codes_from_json
from pipeline.records import EditConflict, Saved, Segment, State, Translation, TranslationDraft
from pipeline.store.rows import TRANSLATION_COLUMNS, Row, codes_to_json, now, translation_from

CONFLICT_COLUMNS = (
    "c.id, c.segment_id, c.target_lang, c.text, c.codes, c.state, c.author, c.base, c.created_at"
)


class EditTables:
    """Revision-checked saves and the conflicts they keep; mixed into SQLStore.

    SQLStore supplies ``_execute``, ``transaction``, ``_write`` and ``segment``.
    """

    location: str

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _write(self, drafts: Sequence[TranslationDraft]) -> int:
        raise NotImplementedError

    def segment(self, segment_id: int) -> Segment:
        raise NotImplementedError

    def _lock_translations(self, keys: Iterable[tuple[int, str]]) -> None:
        raise NotImplementedError

    def revision_ids(self, document_id: int, target_lang: str) -> dict[int, int]:
        """Return the id of each translation's newest revision in a language, by segment id."""
        rows = self._execute(
            "SELECT t.segment_id, MAX(r.id) FROM translations t"
            " JOIN segments s ON s.id = t.segment_id"
            " JOIN revisions r ON r.translation_id = t.id"
            " WHERE s.document_id = ? AND t.target_lang = ? GROUP BY t.segment_id",
            (document_id, target_lang),
        ).fetchall()
        return {int(segment_id): int(revision) for segment_id, revision in rows}

    def save_edit(self, draft: TranslationDraft, base: int | None) -> Saved | EditConflict:
        """Write an edit made on revision ``base``; keep it as a conflict if that is not the newest.

        The check and the write are one transaction holding the (segment, language) lock, so
        no writer, in this process or another, can save in between. The write is
        ``write_translations``' own: an unedited pseudo-translation is still refused as
        reviewed or final (ReviewError), and an edit equal to what is stored adds no revision.
        A stale ``base`` whose edit the store already holds, by the same author, is that
        edit sent twice: Saved with no new revision, not a conflict.
        """
        segment_id, lang = draft.segment_id, draft.target_lang
        with self.transaction():
            self.segment(segment_id)  # an unknown segment is NotFoundError, not a conflict
            self._lock_translations([(segment_id, lang)])
            if self._newest_revision(segment_id, lang) != base:
                current = self._stored(segment_id, lang)
                if current is not None and _repeats(draft, current):
                    # The same edit sent again (a double click, a retried request) after it
                    # was saved: already applied, nothing to choose between.
                    return Saved(current, None)
                return self._keep_conflict(draft, base)
            changed = self._write([draft])
            stored = self._stored(segment_id, lang)
            revision = self._newest_revision(segment_id, lang) if changed else None
        if stored is None:
            raise StoreError(f"segment {segment_id} ({lang}): the saved translation is missing")
        return Saved(stored, revision)

    def edit_conflicts(self, document_id: int, target_lang: str) -> dict[int, list[EditConflict]]:
        """Return a document's unresolved conflicts in a language by segment id, oldest first.

        Each conflict's ``current`` is what the store holds now.
        """
        rows = self._execute(
            f"SELECT {CONFLICT_COLUMNS}, {TRANSLATION_COLUMNS} FROM edit_conflicts c"
            " JOIN segments s ON s.id = c.segment_id"
            " LEFT JOIN translations t"
            " ON t.segment_id = c.segment_id AND t.target_lang = c.target_lang"
            " WHERE s.document_id = ? AND c.target_lang = ? AND c.resolved_at IS NULL"
            " ORDER BY c.id",
            (document_id, target_lang),
        ).fetchall()
        found: dict[int, list[EditConflict]] = {}
        for row in rows:
            found.setdefault(int(row[1]), []).append(_conflict_from(row))
        return found

    def resolve_conflict(self, conflict_id: int, author: str) -> None:
        """Mark a conflict resolved by a reviewer; resolving it again keeps the first resolution."""
        with self.transaction():
            row = self._execute(
                "SELECT resolved_at FROM edit_conflicts WHERE id = ?", (conflict_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no edit conflict {conflict_id} in {self.location}")
            if row[0] is None:
                self._execute(
                    "UPDATE edit_conflicts SET resolved_at = ?, resolved_by = ? WHERE id = ?",
                    (now(), author, conflict_id),
                )

    def _newest_revision(self, segment_id: int, target_lang: str) -> int | None:
        """Return the id of the newest revision of a segment's translation, or None."""
        row = self._execute(
            "SELECT MAX(r.id) FROM revisions r JOIN translations t ON t.id = r.translation_id"
            " WHERE t.segment_id = ? AND t.target_lang = ?",
            (segment_id, target_lang),
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def _stored(self, segment_id: int, target_lang: str) -> Translation | None:
        """Return a segment's translation into a language, or None."""
        row = self._execute(
            f"SELECT {TRANSLATION_COLUMNS} FROM translations t"
            " WHERE t.segment_id = ? AND t.target_lang = ?",
            (segment_id, target_lang),
        ).fetchone()
        return translation_from(row) if row else None

    def _keep_conflict(self, draft: TranslationDraft, base: int | None) -> EditConflict:
        """Record an edit that was not applied and return it with what the store holds."""
        stamp = now()
        row = self._execute(
            "INSERT INTO edit_conflicts (segment_id, target_lang, text, codes, state, author,"
            " base, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                draft.segment_id,
                draft.target_lang,
                draft.text,
                codes_to_json(draft.codes),
                draft.state.value,
                draft.author,
                base,
                stamp,
            ),
        ).fetchone()
        current = self._stored(draft.segment_id, draft.target_lang)
        return EditConflict(
            int(row[0]),
            draft.segment_id,
            draft.target_lang,
            draft.text,
            draft.codes,
            draft.state,
            draft.author,
            base,
            current,
            stamp,
        )


def _repeats(draft: TranslationDraft, current: Translation) -> bool:
    """Return whether an edit is what the store already holds, by the same author."""
    return (draft.text, draft.codes, draft.state, draft.origin, draft.author) == (
        current.text,
        current.codes,
        current.state,
        current.origin,
        current.author,
    )


def _conflict_from(row: Row) -> EditConflict:
    """Return the conflict a row holds: CONFLICT_COLUMNS, then the current translation's."""
    current = row[9:]
    return EditConflict(
        id=int(row[0]),
        segment_id=int(row[1]),
        target_lang=row[2],
        text=row[3],
        codes=codes_from_json(json.loads(row[4])),
        state=State(row[5]),
        author=row[6],
        base=None if row[7] is None else int(row[7]),
        current=translation_from(current) if current[0] is not None else None,
        created_at=row[8],
    )


class ExportLog:
    """When each document was exported in each language; mixed into SQLStore."""

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def record_export(
        self, document_ids: Sequence[int], langs: Sequence[str], fmt: str, path: str, when: str
    ) -> None:
        """Note that an export read these documents in these languages at ``when`` (ISO)."""
        with self.transaction():
            for doc_id in document_ids:
                for lang in langs:
                    self._execute(
                        "INSERT INTO exports (document_id, target_lang, format, path, created_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (doc_id, lang, fmt, path, when),
                    )

    def transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def last_export(self, document_id: int, target_lang: str) -> str | None:
        """Return when a document was last exported in a language (ISO), or None."""
        row = self._execute(
            "SELECT MAX(created_at) FROM exports WHERE document_id = ? AND target_lang = ?",
            (document_id, target_lang),
        ).fetchone()
        return row[0] if row else None
