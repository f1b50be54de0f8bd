"""The embedded default store: one SQLite file in WAL mode."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.errors import StoreError
from pipeline.i18n import _
from pipeline.store.schema import MIGRATIONS
from pipeline.store.sql import SQLStore, not_utf8

# How long a write waits for another process's transaction before it gives up.
BUSY_SECONDS = 30


def condition_error(path: Path, exc: sqlite3.DatabaseError) -> StoreError | None:
    """Return the clear error for a store that cannot be written now, or None for others.

    A read-only file or file system, a full disk and a lock held past the 30 s wait are
    conditions of the machine, not damage: the transaction was rolled back, so nothing
    already stored is lost, and the same command run again once fixed does the rest.
    """
    message = str(exc).lower()
    if "locked" in message:
        return StoreError(
            f"{path}: the store is locked by another process (waited {BUSY_SECONDS} s);"
            " nothing more was written, run the command again when that process is done"
        )
    if "disk is full" in message or "disk full" in message:
        return StoreError(
            f"{path}: the disk is full; the unfinished write was rolled back and nothing"
            " stored is lost: free space, then run the command again"
        )
    read_only = "readonly" in message or "read-only" in message
    if not read_only and "unable to open" in message and path.exists():
        try:
            read_only = os.statvfs(path.parent).f_flag & os.ST_RDONLY != 0 or not (
                os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
            )
        except OSError:
            read_only = False
    if read_only:
        return StoreError(
            f"{path}: the store is read-only (the file, its folder or the file system);"
            " nothing was written"
        )
    return None


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
            self._conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_SECONDS)
        except sqlite3.DatabaseError as exc:
            raise condition_error(path, exc) or StoreError(
                f"{path}: not a pipeline store ({exc})"
            ) from None
        try:
            self._conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed batch survives power loss, not only a killed process.
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            self._conn.close()  # the file stays open otherwise (and its mount busy)
            raise condition_error(path, exc) or StoreError(
                f"{path}: not a pipeline store ({exc})"
            ) from None
        self._depth = 0
        try:
            self.migrate(migrations)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise condition_error(path, exc) or StoreError(
                f"{path}: cannot open the store ({exc})"
            ) from None
        except StoreError:
            self._conn.close()
            raise

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(sql, params)
        except UnicodeEncodeError:
            raise not_utf8(params) from None

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
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise condition_error(Path(self.location), exc) or exc from None
        self._depth = 1
        try:
            yield
        except sqlite3.OperationalError as exc:
            self._rollback()
            raise condition_error(Path(self.location), exc) or exc from None
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                self._conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._rollback()
                raise condition_error(Path(self.location), exc) or exc from None
        finally:
            self._depth = 0

    def _rollback(self) -> None:
        """Roll back the open transaction; one SQLite already ended (a full disk) is fine."""
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

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
        try:
            self._conn.executemany(sql, rows)
        except UnicodeEncodeError:
            raise not_utf8() from None

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
