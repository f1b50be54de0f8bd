"""The embedded default store: one SQLite file in WAL mode."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.errors import StoreError
from pipeline.i18n import _
from pipeline.store.schema import MIGRATIONS
from pipeline.store.sql import SQLStore


class SQLiteStore(SQLStore):
    """A store in one SQLite file; each write runs in an IMMEDIATE transaction."""

    id_column = "INTEGER PRIMARY KEY"

    def __init__(self, path: Path, migrations: Sequence[Sequence[str]] = MIGRATIONS) -> None:
        self.location = str(path)
        if path.is_dir():
            raise StoreError(f"{path}: is a directory, not a store file")
        if not path.parent.exists():
            raise StoreError(f"{path}: folder {path.parent} does not exist")
        try:
            # Autocommit mode: transactions are begun and ended explicitly below.
            self._conn = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed batch survives power loss, not only a killed process.
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a pipeline store ({exc})") from None
        self._depth = 0
        try:
            self.migrate(migrations)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{path}: cannot open the store ({exc})") from None
        except StoreError:
            self._conn.close()
            raise

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one write transaction; nested blocks join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")
        finally:
            self._depth = 0

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Run the block's reads in one read transaction: in WAL mode, one view, no lock."""
        if self._depth:
            yield
            return
        self._conn.execute("BEGIN DEFERRED")
        self._depth = 1
        try:
            yield
        finally:
            self._depth = 0
            self._conn.execute("COMMIT")

    def _execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)

    def _tables(self) -> set[str]:
        rows = self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        ).fetchall()
        return {str(name) for (name,) in rows}

    def _table_exists(self, name: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def integrity_check(self) -> str:
        """Return SQLite's own verdict on the file ('ok' when sound)."""
        return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])

    def _database_problems(self) -> list[str]:
        """SQLite's integrity check (pages, indexes) and foreign key check, one line each."""
        rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        problems = [f"integrity_check: {message}" for (message,) in rows if message != "ok"]
        for table, rowid, parent, _key in self._conn.execute("PRAGMA foreign_key_check"):
            problems.append(
                _("{table}: row {rowid} names a {parent} row that does not exist").format(
                    table=table, rowid=rowid, parent=parent
                )
            )
        return problems

    def close(self) -> None:
        """Release the connection."""
        self._conn.close()
