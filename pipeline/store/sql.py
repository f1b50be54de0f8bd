"""The store's logic in portable SQL; dialects supply the connection and a few spellings."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pipeline import inline
from pipeline.errors import InputError, NotFoundError, ReviewError, StoreError
from pipeline.i18n import _
from pipeline.records import (
    Document,
    DocumentDraft,
    IngestResult,
    Revision,
    Segment,
    State,
    StatusRow,
    Translation,
    TranslationDraft,
    Unit,
)
from pipeline.store.base import is_row_id, row_id
from pipeline.store.claims import ClaimTables
from pipeline.store.edits import EditTables, ExportLog
from pipeline.store.glossary import GlossaryTables
from pipeline.store.memory import MemoryTables
from pipeline.store.rows import (
    DOCUMENT_COLUMNS,
    REUSABLE,
    REVISION_COLUMNS,
    SEGMENT_COLUMNS,
    TRANSLATION_COLUMNS,
    Row,
    codes_to_json,
    document_from,
    flags_to_json,
    inline_to_json,
    now,
    revision_from,
    segment_from,
    signature_from,
    translation_from,
)
from pipeline.store.schema import MIGRATIONS, after_migration, report_migration


class SQLStore(MemoryTables, GlossaryTables, EditTables, ExportLog, ClaimTables, ABC):
    """A store over a DB-API connection; subclasses open it and spell the dialect."""

    location: str
    id_column = "INTEGER PRIMARY KEY"

    # -- dialect hooks -------------------------------------------------------------

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement with ``?`` placeholders and return the cursor."""

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one write transaction: all of it is stored, or none."""
        yield

    @abstractmethod
    def _table_exists(self, name: str) -> bool:
        """Return whether a table exists."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    @abstractmethod
    def _tables(self) -> set[str]:
        """Return the names of the tables the store holds."""

    @abstractmethod
    def _execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement with ``?`` placeholders once for each row of parameters."""

    # An INSERT's clause that keeps the given values of an auto-increment key (a store copy).
    keep_ids_clause = ""

    def _lock(self, key: str) -> None:
        """Hold a lock named ``key`` until the transaction ends; a no-op by default.

        SQLite needs none: BEGIN IMMEDIATE already serialises writers. A dialect whose
        writers run side by side (PostgreSQL) takes a real lock here.
        """

    def _lock_translations(self, keys: Iterable[tuple[int, str]]) -> None:
        """Lock (segment, language) pairs before reading the rows a write will decide on.

        Each check-then-write (``_write``, ``save_edit``) holds these until its transaction
        ends, so two processes never both decide on the same row's old state. The pairs are
        taken in one global order, so two writers never wait on each other in a cycle.
        """
        for segment_id, lang in sorted(set(keys)):
            self._lock(f"translation {segment_id} {lang}")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Run the block's reads on one consistent view of the store."""
        with self.transaction():
            yield

    def _advance_ids(self) -> None:
        """Make the next generated ids follow the largest stored (after rows kept their ids)."""

    def _database_problems(self) -> list[str]:
        """Return what the database's own check finds wrong, one line each; none by default."""
        return []

    def check(self) -> list[str]:
        """Return one line per problem the database and the store's invariants show (none: ok).

        Reads only, on one snapshot: safe beside running writers.
        """
        from pipeline.store.check import invariant_problems

        with self.snapshot():
            problems = self._database_problems()
            return problems + invariant_problems(self._execute, self._tables())

    def _columns(self, table: str) -> list[str]:
        """Return a table's column names in their order."""
        cursor = self._execute(f'SELECT * FROM "{table}" WHERE 1 = 0')
        return [str(column[0]) for column in cursor.description]

    def _table_rows(
        self, table: str, columns: Sequence[str]
    ) -> Generator[Sequence[Any], None, None]:
        """Yield every row of a table (these columns), by its first column, a batch at a time."""
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self._execute(f'SELECT {names} FROM "{table}" ORDER BY 1')
        while batch := cursor.fetchmany(1000):
            yield from batch

    def __enter__(self) -> SQLStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------

    def schema_version(self) -> int:
        """Return the schema version the store is at (0 for an empty store)."""
        if not self._table_exists("meta"):
            return 0
        row = self._execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def migrate(self, migrations: Sequence[Sequence[str]] = MIGRATIONS) -> None:
        """Upgrade the schema to the newest version, refusing one newer than this code."""
        newest = len(migrations)
        if self._refuse_newer(newest) == newest:
            return
        report: list[str] = []
        with self.transaction():
            # Another process may have upgraded the store since the check above.
            self._lock("schema")
            current = self._refuse_newer(newest)
            if current == newest:
                return
            if current == 0:
                self._execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                self._execute("INSERT INTO meta (key, value) VALUES ('schema_version', '0')")
            for version, statements in enumerate(migrations[current:], start=current + 1):
                for sql in statements:
                    self._execute(sql.replace("{id}", self.id_column))
                report.extend(after_migration(version, self._execute))
            self._execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(newest),))
        report_migration(report)

    def _refuse_newer(self, newest: int) -> int:
        """Return the store's schema version, refusing one newer than ``newest``."""
        current = self.schema_version()
        if current > newest:
            raise StoreError(
                f"{self.location}: the store has schema version {current}, newer than this "
                f"pipeline's {newest}; upgrade the pipeline to open it"
            )
        return current

    # -- documents and segments -----------------------------------------------------------

    def ingest(self, draft: DocumentDraft) -> IngestResult:
        """Store an article as a new document version, unless its content is unchanged."""
        with self.transaction():
            self._lock(f"document {draft.uri}")
            latest = self._latest(draft.uri)
            if latest is not None and latest.content_hash == draft.content_hash:
                return IngestResult(latest, created=False, segments=0, carried=0)
            version = latest.version + 1 if latest else 1
            doc_id = self._insertdocument_from(draft, version)
            new_segments = self._insert_segments(doc_id, draft)
            carried = self._carry_translations(latest, new_segments) if latest else 0
            document = self.document(str(doc_id))
        return IngestResult(document, created=True, segments=len(new_segments), carried=carried)

    def _latest(self, uri: str) -> Document | None:
        row = self._execute(
            f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE uri = ? ORDER BY version DESC LIMIT 1",
            (uri,),
        ).fetchone()
        return document_from(row) if row else None

    def _insertdocument_from(self, draft: DocumentDraft, version: int) -> int:
        row = self._execute(
            "INSERT INTO documents (uri, version, title, source_lang, format, content_hash,"
            " skeleton, created_at, normalisation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            (
                draft.uri,
                version,
                draft.title,
                draft.source_lang,
                draft.format,
                draft.content_hash,
                draft.skeleton,
                now(),
                json.dumps(list(draft.normalisation), ensure_ascii=False),
            ),
        ).fetchone()
        return int(row[0])

    def _insert_segments(self, doc_id: int, draft: DocumentDraft) -> list[Segment]:
        segments = []
        for s in draft.segments:
            row = self._execute(
                "INSERT INTO segments (document_id, paragraph, sentence, kind, source,"
                " source_hash, inline, codes) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    doc_id,
                    s.paragraph,
                    s.sentence,
                    s.kind.value,
                    s.source,
                    s.source_hash,
                    inline_to_json(s.inline),
                    codes_to_json(s.codes),
                ),
            ).fetchone()
            segments.append(
                Segment(
                    int(row[0]),
                    doc_id,
                    s.paragraph,
                    s.sentence,
                    s.kind,
                    s.source,
                    s.source_hash,
                    s.inline,
                    s.codes,
                )
            )
        return segments

    def _carry_translations(self, previous: Document, segments: Sequence[Segment]) -> int:
        """Copy the previous version's translations onto unchanged segments."""
        by_hash: dict[str, Segment] = {}
        for old in self.segments(previous.id):
            by_hash.setdefault(old.source_hash, old)
        drafts = []
        for seg in segments:
            old_segment = by_hash.get(seg.source_hash)
            if old_segment is None:
                continue
            old_id = old_segment.id
            for t in self._translations_ofsegment_from(old_id):
                # Same plain text; the markup may have changed: the codes follow or are placed.
                placed = inline.carried(t.codes, old_segment.codes, seg.codes, seg.source, t.text)
                drafts.append(
                    TranslationDraft(
                        segment_id=seg.id,
                        target_lang=t.target_lang,
                        text=t.text,
                        state=t.state,
                        origin=t.origin,
                        signature=t.signature,
                        score=t.score,
                        author=t.author,
                        note=f"carried over from document {previous.id} "
                        f"(version {previous.version}), segment {old_id}",
                        flags=inline.reflagged(t.flags, seg.codes, placed),
                        codes=placed.codes,
                    )
                )
        self._write(drafts)
        return len({d.segment_id for d in drafts})

    def documents(self, *, all_versions: bool = False) -> list[Document]:
        """Return the latest version of each document (or every version)."""
        latest = (
            " WHERE version = (SELECT MAX(version) FROM documents d2 WHERE d2.uri = documents.uri)"
        )
        where = "" if all_versions else latest
        rows = self._execute(
            f"SELECT {DOCUMENT_COLUMNS} FROM documents{where} ORDER BY id"
        ).fetchall()
        return [document_from(r) for r in rows]

    def document(self, ref: str) -> Document:
        """Return a document by id, or the latest version of a document by path or URI."""
        number = row_id(ref)
        if number is not None:
            row = self._execute(
                f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ?", (number,)
            ).fetchone()
            if row:
                return document_from(row)
        for uri in _uri_candidates(ref):
            latest = self._latest(uri)
            if latest is not None:
                return latest
        raise NotFoundError(
            _("no document {ref} in {store}; see 'pipeline status'").format(
                ref=repr(ref), store=self.location
            )
        )

    def segments(self, document_id: int) -> list[Segment]:
        """Return a document's segments in reading order."""
        if not is_row_id(document_id):
            return []
        rows = self._execute(
            f"SELECT {SEGMENT_COLUMNS} FROM segments WHERE document_id = ?"
            " ORDER BY paragraph, sentence",
            (document_id,),
        ).fetchall()
        return [segment_from(r) for r in rows]

    # -- translations -------------------------------------------------------------------

    def _translations_ofsegment_from(self, segment_id: int) -> list[Translation]:
        rows = self._execute(
            f"SELECT {TRANSLATION_COLUMNS} FROM translations t WHERE t.segment_id = ?"
            " ORDER BY t.target_lang",
            (segment_id,),
        ).fetchall()
        return [translation_from(r) for r in rows]

    def translations(self, document_id: int, target_lang: str) -> dict[int, Translation]:
        """Return a document's translations into a language, keyed by segment id."""
        rows = self._execute(
            f"SELECT {TRANSLATION_COLUMNS} FROM translations t"
            " JOIN segments s ON s.id = t.segment_id"
            " WHERE s.document_id = ? AND t.target_lang = ?",
            (document_id, target_lang),
        ).fetchall()
        return {r[1]: translation_from(r) for r in rows}

    def target_languages(self, document_id: int) -> list[str]:
        """Return the languages a document has translations into."""
        rows = self._execute(
            "SELECT DISTINCT t.target_lang FROM translations t"
            " JOIN segments s ON s.id = t.segment_id WHERE s.document_id = ?"
            " ORDER BY t.target_lang",
            (document_id,),
        ).fetchall()
        return [r[0] for r in rows]

    def pending(self, document_ids: Sequence[int], target_lang: str) -> list[Segment]:
        """Return the segments with no translation into a language yet."""
        result: list[Segment] = []
        for doc_id in document_ids:
            rows = self._execute(
                f"SELECT {SEGMENT_COLUMNS} FROM segments WHERE document_id = ?"
                " AND NOT EXISTS (SELECT 1 FROM translations t WHERE t.segment_id = segments.id"
                " AND t.target_lang = ? AND t.state <> ?)"
                " ORDER BY paragraph, sentence",
                (doc_id, target_lang, State.INITIAL.value),
            ).fetchall()
            result.extend(segment_from(r) for r in rows)
        return result

    def memory(self, source_hashes: Iterable[str], target_lang: str) -> dict[str, Translation]:
        """Return reviewed or final translations of these normalised sources, by hash."""
        found: dict[str, Translation] = {}
        for h in dict.fromkeys(source_hashes):
            row = self._execute(
                f"SELECT {TRANSLATION_COLUMNS} FROM translations t"
                " JOIN segments s ON s.id = t.segment_id"
                " WHERE s.source_hash = ? AND t.target_lang = ? AND t.state IN (?, ?)"
                " ORDER BY CASE t.state WHEN 'final' THEN 0 ELSE 1 END, t.updated_at DESC"
                " LIMIT 1",
                (h, target_lang, *REUSABLE),
            ).fetchone()
            if row:
                found[h] = translation_from(row)
        return found

    def write_translations(self, drafts: Sequence[TranslationDraft]) -> int:
        """Write translations and their history in one transaction; return how many changed."""
        with self.transaction():
            return self._write(drafts)

    def _write(self, drafts: Sequence[TranslationDraft]) -> int:
        """Write drafts and their revisions; return how many changed (the caller's transaction).

        A draft with ``if_absent`` is skipped where the segment already has a translation in
        the language past ``initial``.
        """
        changed = 0
        stamp = now()
        self._lock_translations((d.segment_id, d.target_lang) for d in drafts)
        for d in drafts:
            signature = d.signature.to_json() if d.signature else None
            row = self._execute(
                "SELECT id, text, state, origin, signature, score, author, flags, codes"
                " FROM translations WHERE segment_id = ? AND target_lang = ?",
                (d.segment_id, d.target_lang),
            ).fetchone()
            values = (
                d.text,
                d.state.value,
                d.origin.value,
                signature,
                d.score,
                d.author,
                flags_to_json(d.flags),
                codes_to_json(d.codes),
            )
            if row is not None and tuple(row[1:]) == values:
                continue
            if d.if_absent and row is not None and row[2] != State.INITIAL.value:
                continue
            _refuse_unedited_pseudo(row, d)
            if row is None:
                tid = self._execute(
                    "INSERT INTO translations (segment_id, target_lang, text, state, origin,"
                    " signature, score, author, flags, codes, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (d.segment_id, d.target_lang, *values, stamp, stamp),
                ).fetchone()[0]
            else:
                tid = row[0]
                self._execute(
                    "UPDATE translations SET text = ?, state = ?, origin = ?, signature = ?,"
                    " score = ?, author = ?, flags = ?, codes = ?, updated_at = ? WHERE id = ?",
                    (*values, stamp, tid),
                )
            self._execute(
                "INSERT INTO revisions (translation_id, text, state, origin, signature, score,"
                " author, created_at, note, codes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (tid, *values[:6], stamp, d.note, values[7]),
            )
            changed += 1
        return changed

    def revisions(self, translation_id: int) -> list[Revision]:
        """Return a translation's history, oldest first."""
        if not is_row_id(translation_id):
            return []
        rows = self._execute(
            f"SELECT {REVISION_COLUMNS} FROM revisions WHERE translation_id = ? ORDER BY id",
            (translation_id,),
        ).fetchall()
        return [revision_from(r) for r in rows]

    def units(
        self,
        document_ids: Sequence[int],
        target_langs: Sequence[str],
        states: Sequence[State] | None = None,
    ) -> Iterator[Unit]:
        """Yield each segment with its translations into the languages, document by document.

        Reads one document at a time, so memory does not grow with the store. With
        ``states``, a translation in another state is left out of the unit.
        """
        wanted = set(states) if states else None
        for doc_id in document_ids:
            doc = self.document(str(doc_id))
            by_lang = {lang: self.translations(doc_id, lang) for lang in target_langs}
            offered = {lang: self.matches(doc_id, lang) for lang in target_langs}
            for seg in self.segments(doc_id):
                found = {
                    lang: t
                    for lang, done in by_lang.items()
                    if (t := done.get(seg.id)) is not None and (wanted is None or t.state in wanted)
                }
                matches = {lang: m[seg.id] for lang, m in offered.items() if seg.id in m}
                yield Unit(doc, seg, found, matches)

    def segment(self, segment_id: int) -> Segment:
        """Return one segment by id (NotFoundError for an unknown or out-of-range id)."""
        row = None
        if is_row_id(segment_id):
            row = self._execute(
                f"SELECT {SEGMENT_COLUMNS} FROM segments WHERE id = ?", (segment_id,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no segment {segment_id} in {self.location}")
        return segment_from(row)

    # -- reports --------------------------------------------------------------------

    def status(self, document_id: int | None = None) -> list[StatusRow]:
        """Return segment and word counts per document, target language and state.

        A segment with no translation into a language counts as ``initial``; a document
        with no translations at all gets rows with an empty target language.
        """
        docs = [self.document(str(document_id))] if document_id else self.documents()
        rows: list[StatusRow] = []
        for doc in docs:
            segments = self.segments(doc.id)
            for lang in self.target_languages(doc.id) or [""]:
                done = self.translations(doc.id, lang) if lang else {}
                segs: Counter[State] = Counter()
                words: Counter[State] = Counter()
                pseudo: Counter[State] = Counter()
                for seg in segments:
                    t = done.get(seg.id)
                    state = t.state if t else State.INITIAL
                    segs[state] += 1
                    words[state] += seg.words
                    pseudo[state] += 1 if t is not None and t.is_pseudo else 0
                rows.extend(
                    StatusRow(doc.id, doc.uri, doc.version, lang, s, segs[s], words[s], pseudo[s])
                    for s in State
                )
        return rows


def _refuse_unedited_pseudo(row: Row | None, draft: TranslationDraft) -> None:
    """Refuse to approve pseudo-translated text that no human has edited."""
    if draft.state not in (State.REVIEWED, State.FINAL):
        return
    is_pseudo = draft.signature is not None and draft.signature.engine == "pseudo"
    stored = signature_from(row[4]) if row is not None else None
    was_pseudo = stored is not None and stored.engine == "pseudo"
    if is_pseudo or (was_pseudo and row is not None and draft.text == row[1]):
        raise ReviewError(
            f"segment {draft.segment_id} ({draft.target_lang}) holds a pseudo-translation; "
            "it cannot be marked reviewed or final without a human edit"
        )


def _uri_candidates(ref: str) -> list[str]:
    """Return the URIs a user's reference may mean: as given, and as an absolute path.

    A reference no URI can hold (a NUL byte, bytes that are not UTF-8) means none.
    """
    from pathlib import Path

    if "\0" in ref or not _encodable(ref):
        return []
    candidates = [ref]
    try:
        absolute = str(Path(ref).resolve())
    except OSError:
        return candidates
    if absolute != ref and _encodable(absolute):
        candidates.append(absolute)
    return candidates


def not_utf8(params: Iterable[Any] = ()) -> InputError:
    """Return the error for text the store cannot hold: not UTF-8 (a name's undecodable bytes)."""
    bad = next((p for p in params if isinstance(p, str) and not _encodable(p)), None)
    shown = f" {bad[:120]!r}" if bad is not None else ""
    return InputError(
        f"text{shown} is not valid UTF-8 and cannot be stored"
        " (a file name with bytes that are not UTF-8? rename the file)"
    )


def _encodable(text: str) -> bool:
    """Return whether text is valid UTF-8 (an argument's undecodable bytes are surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
