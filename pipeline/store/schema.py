"""The store's schema as numbered migrations, in SQL that SQLite and PostgreSQL both run.

``{id}`` stands for the dialect's auto-increment primary key column type. A migration that
needs Python as well (migration 10: one code per language) runs a step after its SQL, in the
same transaction (:func:`after_migration`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Migration = Sequence[str]
Execute = Callable[[str, Sequence[Any]], Any]

MIGRATIONS: tuple[Migration, ...] = (
    # 1: the initial schema.
    (
        """CREATE TABLE documents (
            id {id},
            uri TEXT NOT NULL,
            version INTEGER NOT NULL,
            title TEXT NOT NULL,
            source_lang TEXT NOT NULL,
            format TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            skeleton TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (uri, version)
        )""",
        """CREATE TABLE segments (
            id {id},
            document_id INTEGER NOT NULL REFERENCES documents (id),
            paragraph INTEGER NOT NULL,
            sentence INTEGER NOT NULL,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            source_hash TEXT NOT NULL,
            inline TEXT NOT NULL,
            UNIQUE (document_id, paragraph, sentence)
        )""",
        "CREATE INDEX segments_source_hash ON segments (source_hash)",
        """CREATE TABLE translations (
            id {id},
            segment_id INTEGER NOT NULL REFERENCES segments (id),
            target_lang TEXT NOT NULL,
            text TEXT NOT NULL,
            state TEXT NOT NULL,
            origin TEXT NOT NULL,
            signature TEXT,
            score DOUBLE PRECISION,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (segment_id, target_lang)
        )""",
        """CREATE TABLE revisions (
            id {id},
            translation_id INTEGER NOT NULL REFERENCES translations (id),
            text TEXT NOT NULL,
            state TEXT NOT NULL,
            origin TEXT NOT NULL,
            signature TEXT,
            score DOUBLE PRECISION,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            note TEXT NOT NULL
        )""",
        "CREATE INDEX revisions_translation ON revisions (translation_id)",
    ),
    # 2: QA flags per translation, as a JSON list of [check, severity, message].
    ("ALTER TABLE translations ADD COLUMN flags TEXT NOT NULL DEFAULT '[]'",),
    # 3: what ingest changed in a document's text (Zawgyi conversion, zero-width characters).
    ("ALTER TABLE documents ADD COLUMN normalisation TEXT NOT NULL DEFAULT '[]'",),
    # 4: inline codes (pipeline.inline), as JSON lists, on sources, translations and history.
    # Earlier documents keep no codes: they rebuild as plain text until ingested anew.
    (
        "ALTER TABLE segments ADD COLUMN codes TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE translations ADD COLUMN codes TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE revisions ADD COLUMN codes TEXT NOT NULL DEFAULT '[]'",
    ),
    # 5: translation memory imported from other tools (pipeline.tm): memory, not documents.
    # entry_key (languages, normalised texts, codes) makes a second import add nothing.
    (
        """CREATE TABLE memory (
            id {id},
            source_lang TEXT NOT NULL,
            target_lang TEXT NOT NULL,
            source TEXT NOT NULL,
            source_hash TEXT NOT NULL,
            source_codes TEXT NOT NULL,
            target TEXT NOT NULL,
            target_codes TEXT NOT NULL,
            origin TEXT NOT NULL,
            tuid TEXT,
            created_at TEXT,
            created_by TEXT,
            changed_at TEXT,
            changed_by TEXT,
            props TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            entry_key TEXT NOT NULL UNIQUE
        )""",
        "CREATE INDEX memory_lookup ON memory (source_hash, target_lang)",
    ),
    # 6: fuzzy memory matches offered beside a segment's translation (best first, by rank),
    # and glossaries (pipeline.glossary): one row per source term and target term.
    (
        """CREATE TABLE matches (
            id {id},
            segment_id INTEGER NOT NULL REFERENCES segments (id),
            target_lang TEXT NOT NULL,
            rank INTEGER NOT NULL,
            score DOUBLE PRECISION NOT NULL,
            source TEXT NOT NULL,
            source_codes TEXT NOT NULL,
            target TEXT NOT NULL,
            target_codes TEXT NOT NULL,
            origin TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (segment_id, target_lang, rank)
        )""",
        """CREATE TABLE glossary (
            id {id},
            source_lang TEXT NOT NULL,
            target_lang TEXT NOT NULL,
            term TEXT NOT NULL,
            target TEXT NOT NULL,
            status TEXT NOT NULL,
            dnt INTEGER NOT NULL,
            pos TEXT NOT NULL,
            note TEXT NOT NULL,
            origin TEXT NOT NULL,
            concept TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            entry_key TEXT NOT NULL UNIQUE
        )""",
        "CREATE INDEX glossary_pair ON glossary (source_lang, target_lang)",
    ),
    # 7: edits that named a revision no longer the newest (pipeline.store.edits), kept for a
    # reviewer to choose from instead of overwriting what another writer saved first.
    (
        """CREATE TABLE edit_conflicts (
            id {id},
            segment_id INTEGER NOT NULL REFERENCES segments (id),
            target_lang TEXT NOT NULL,
            text TEXT NOT NULL,
            codes TEXT NOT NULL,
            state TEXT NOT NULL,
            author TEXT NOT NULL,
            base INTEGER,
            created_at TEXT NOT NULL,
            resolved_at TEXT,
            resolved_by TEXT
        )""",
        "CREATE INDEX edit_conflicts_segment ON edit_conflicts (segment_id, target_lang)",
    ),
    # 8: what was exported when, per document and language: the review desk's "changed since
    # the last export" filter.
    (
        """CREATE TABLE exports (
            id {id},
            document_id INTEGER NOT NULL REFERENCES documents (id),
            target_lang TEXT NOT NULL,
            format TEXT NOT NULL,
            path TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX exports_document ON exports (document_id, target_lang)",
    ),
    # 9: claims on pending segments (pipeline.store.claims): a translate process (or worker)
    # claims a batch before the model translates it, so two never do the same work.
    (
        """CREATE TABLE claims (
            segment_id INTEGER NOT NULL REFERENCES segments (id),
            target_lang TEXT NOT NULL,
            owner TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            PRIMARY KEY (segment_id, target_lang)
        )""",
        "CREATE INDEX claims_owner ON claims (owner)",
    ),
    # 10: one code per language (pipeline.store.languages): codes such as my_MM, MY and mya
    # are merged into my in every table by the Python step below; each merged code is recorded
    # in meta as "language merge CODE".
    (),
)

SCHEMA_VERSION = len(MIGRATIONS)


def after_migration(version: int, execute: Execute) -> list[str]:
    """Run the Python step of a migration, if it has one; return its report, a line each."""
    if version == 10:
        from pipeline.store.languages import merge_languages
        from pipeline.store.rows import now

        return merge_languages(execute, now())
    return []


def report_migration(lines: Sequence[str]) -> None:
    """Print what an upgrade changed, once, on standard error (the store is opened once)."""
    import sys

    for line in lines:
        print(line, file=sys.stderr)
