"""The SQLite store: the shared contract plus file-level behaviour (migrations, WAL)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.errors import StoreError
from pipeline.store.schema import MIGRATIONS, SCHEMA_VERSION
from pipeline.store.sqlite import SQLiteStore
from tests.store_contract import StoreContract, draft


class TestSQLiteStore(StoreContract):
    """Run the store contract against a fresh SQLite file."""

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SQLiteStore]:
        with SQLiteStore(tmp_path / "pipeline.db") as s:
            yield s


def test_new_store_is_wal_at_current_version(tmp_path: Path) -> None:
    """A new store records the current schema version and uses write-ahead logging."""
    path = tmp_path / "s.db"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert int(row[0]) == SCHEMA_VERSION


def test_older_schema_is_upgraded_keeping_data(tmp_path: Path) -> None:
    """Opening a store made by an older schema applies the missing migrations, data intact."""
    path = tmp_path / "s.db"
    with SQLiteStore(path) as old:
        doc = old.ingest(draft()).document
    extra = ("ALTER TABLE segments ADD COLUMN note TEXT NOT NULL DEFAULT ''",)
    with SQLiteStore(path, migrations=(*MIGRATIONS, extra)) as new:
        assert new.schema_version() == SCHEMA_VERSION + 1
        assert new.segments(doc.id)[0].source == "Police crossed the border."
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT note FROM segments").fetchall() == [("",), ("",)]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A store written by a newer pipeline is refused with a clear message, untouched."""
    path = tmp_path / "s.db"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this pipeline"):
        SQLiteStore(path)
    assert sqlite3.connect(path).execute("SELECT value FROM meta").fetchone()[0] == "99"


def test_failed_migration_rolls_back(tmp_path: Path) -> None:
    """A migration that fails leaves the store at its old version with its data."""
    path = tmp_path / "s.db"
    with SQLiteStore(path) as old:
        old.ingest(draft())
    broken = ("ALTER TABLE segments ADD COLUMN ok TEXT", "THIS IS NOT SQL")
    with pytest.raises(StoreError, match="cannot open"):
        SQLiteStore(path, migrations=(*MIGRATIONS, broken))
    with SQLiteStore(path) as again:
        assert again.schema_version() == SCHEMA_VERSION
        cols = [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(segments)")]
        assert "ok" not in cols


def test_not_a_store_is_refused(tmp_path: Path) -> None:
    """A file that is not SQLite gives a StoreError, not a traceback."""
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"not a pipeline store|cannot open"):
        SQLiteStore(path)


def test_a_schema_3_store_gains_inline_codes_in_place(tmp_path: Path) -> None:
    """A store from before inline codes opens at the newest schema, rows kept, no codes."""
    from pipeline.records import Origin, State, TranslationDraft

    path = tmp_path / "s.db"
    with SQLiteStore(path, migrations=MIGRATIONS[:3]) as old:
        assert old.schema_version() == 3
        # Rows as a v3 pipeline wrote them (this code's ingest writes the v4 columns).
        for sql in (
            "INSERT INTO documents (id, uri, version, title, source_lang, format, content_hash,"
            " skeleton, created_at) VALUES (1, 'a.txt', 1, 'a', 'en', 'txt', 'h', '{{p:0}}', 'x')",
            "INSERT INTO segments (id, document_id, paragraph, sentence, kind, source,"
            " source_hash, inline) VALUES (1, 1, 0, 0, 'text', 'Police crossed the border.',"
            " 'h', '[]')",
            "INSERT INTO translations (segment_id, target_lang, text, state, origin, author,"
            " created_at, updated_at) VALUES (1, 'my', 'ရဲ', 'reviewed', 'human', 'T', 'x', 'x')",
        ):
            old._execute(sql)
        doc = old.document("1")
    with SQLiteStore(path) as new:
        assert new.schema_version() == SCHEMA_VERSION == 10
        segment = new.segments(doc.id)[0]
        translation = new.translations(doc.id, "my")[segment.id]
        assert (segment.source, segment.codes) == ("Police crossed the border.", ())
        assert (translation.text, translation.codes) == ("ရဲ", ())
        new.write_translations(
            [TranslationDraft(segment.id, "my", "ရဲတပ်", State.REVIEWED, Origin.HUMAN, author="T")]
        )
        assert [r.codes for r in new.revisions(translation.id)] == [()]


def test_a_schema_4_store_gains_the_memory_table_in_place(tmp_path: Path) -> None:
    """A v4 store opens at the newest version with no memory, terms or conflicts, documents kept."""
    path = tmp_path / "v4.db"
    SQLiteStore(path, MIGRATIONS[:4]).close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO documents (uri, version, title, source_lang, format, content_hash,"
            " skeleton, created_at) VALUES ('a.txt', 1, 'a', 'en', 'txt', 'h', '{{p:0}}', 'x')"
        )
    with SQLiteStore(path) as new:
        assert new.schema_version() == SCHEMA_VERSION
        assert [d.uri for d in new.documents()] == ["a.txt"]
        assert new.memory_stats() == []
        assert new.glossary_stats() == []
        assert new.matches(1, "my") == {}
        assert new.edit_conflicts(1, "my") == {}
