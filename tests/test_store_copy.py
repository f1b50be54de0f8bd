"""`pipeline store copy`: a whole store, SQLite → PostgreSQL → SQLite, every row and id kept."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pipeline.errors import StoreError
from pipeline.store import is_postgres, open_store
from pipeline.store.copy import copy_store, schema_tables
from pipeline.store.sqlite import SQLiteStore
from tests.store_contract import draft
from tests.storekit import fill, pipeline

Tables = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def dump(location: str) -> Tables:
    """Return every table's column names and rows (by first column), read without the store."""
    if is_postgres(location):
        with psycopg.connect(location) as pg:
            names = [
                name
                for (name,) in pg.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema()"
                )
            ]
            return {name: _read(pg.execute(f'SELECT * FROM "{name}" ORDER BY 1')) for name in names}
    with sqlite3.connect(location) as lite:
        names = [n for (n,) in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: _read(lite.execute(f'SELECT * FROM "{name}" ORDER BY 1')) for name in names}


def _read(cursor: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    return [c[0] for c in cursor.description], [tuple(row) for row in cursor.fetchall()]


def copy_cli(source: str, destination: str) -> subprocess.CompletedProcess[str]:
    """Run `pipeline store copy` in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "store", "copy", source, destination],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PIPELINE_STORE"},
    )


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a SQLite store with rows in every table, made once through the CLI."""
    folder = tmp_path_factory.mktemp("full")
    location = str(folder / "full.db")
    fill(location, folder)
    with open_store(location) as store:
        pending = store.pending([store.document(str(folder / "a.md")).id], "my")
        assert store.claim([(pending[0].id, "my")], "copy-test") == {(pending[0].id, "my")}
    return Path(location)


@pytest.fixture
def full(made: Path, tmp_path: Path) -> str:
    """Return this test's own copy of the full store's file."""
    with sqlite3.connect(made) as source, sqlite3.connect(tmp_path / "full.db") as copy:
        source.backup(copy)
    return str(tmp_path / "full.db")


def test_sqlite_to_postgres_to_sqlite_keeps_every_row(
    full: str, pg_url: str, tmp_path: Path
) -> None:
    """Each table's rows, ids and history come back equal after a round trip through PostgreSQL."""
    original = dump(full)
    assert set(original) == set(schema_tables())
    assert all(rows for _, rows in original.values()), "every table should hold a row"
    there = copy_cli(full, pg_url)
    assert there.returncode == 0, there.stderr
    assert [line.split(":")[0].strip() for line in there.stderr.splitlines()] == schema_tables()
    assert "  revisions: " in there.stderr and f"in {len(original)} tables" in there.stdout
    assert dump(pg_url) == original
    back = str(tmp_path / "back.db")
    assert copy_cli(pg_url, back).returncode == 0
    assert dump(back) == original
    with SQLiteStore(Path(back)) as store:
        assert store.integrity_check() == "ok"


def test_the_copy_in_postgres_goes_on_with_new_ids(full: str, pg_url: str, tmp_path: Path) -> None:
    """New rows in the copy get ids past the copied ones, and the copy works as a store."""
    assert copy_cli(full, pg_url).returncode == 0
    before = {t: max((r[0] for r in rows), default=0) for t, (_, rows) in dump(full).items()}
    article = tmp_path / "late.txt"
    article.write_text("A late report arrived.\n", encoding="utf-8")
    assert f"document {before['documents'] + 1}:" in pipeline(pg_url, "ingest", str(article))
    out = pipeline(pg_url, "translate", "--to", "my", "--engine", "pseudo")
    assert "PSEUDO-translated" in out
    with open_store(pg_url) as store:
        new = store.translations(before["documents"] + 1, "my")
        assert [t.id for t in new.values()] == [before["translations"] + 1]


def test_sqlite_to_sqlite_copies_too(full: str, tmp_path: Path) -> None:
    """A copy between two SQLite files keeps every row."""
    other = str(tmp_path / "other.db")
    done = copy_cli(full, other)
    assert done.returncode == 0, done.stderr
    assert dump(other) == dump(full)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_copy_into_a_store_that_holds_rows_is_refused_and_changes_nothing(
    full: str, backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A non-empty destination: one line, exit 3, and its rows are as they were."""
    target = str(tmp_path / "busy.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    with open_store(target) as store:
        store.ingest(draft())
    before = dump(target)
    done = copy_cli(full, target)
    assert done.returncode == 3
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ") and "not empty (table documents has rows)" in line
    assert dump(target) == before


def test_a_failed_copy_leaves_the_destination_empty(full: str, pg_url: str) -> None:
    """A copy that fails part-way (a row PostgreSQL cannot hold) is one line and writes nothing."""
    with sqlite3.connect(full) as lite:
        lite.execute("UPDATE revisions SET note = ? WHERE id = 3", ("a NUL \x00 byte",))
    done = copy_cli(full, pg_url)
    assert done.returncode == 3
    assert done.stderr.splitlines()[-1].startswith("error: postgresql://pipeline@")
    assert "NUL" in done.stderr and done.stderr.endswith("(table revisions); nothing was copied\n")
    assert {table for table, (_, rows) in dump(pg_url).items() if rows} == {"meta"}


def test_a_table_no_migration_makes_stops_the_copy(full: str, tmp_path: Path) -> None:
    """A source with a table outside the schema is refused before anything is written."""
    with sqlite3.connect(full) as lite:
        lite.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    target = tmp_path / "t.db"
    with (
        open_store(full) as src,
        open_store(str(target)) as dst,
        pytest.raises(StoreError, match="notes not in this pipeline's schema"),
    ):
        copy_store(src, dst)
    assert dump(str(target))["documents"][1] == []


def test_a_store_is_not_copied_onto_itself(full: str) -> None:
    """The same store as source and destination is refused with one line."""
    done = copy_cli(full, full)
    assert done.returncode == 3 and "are the same store" in done.stderr
