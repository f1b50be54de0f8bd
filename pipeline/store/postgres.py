"""A shared store on a PostgreSQL server, through psycopg 3.

The portable SQL of SQLStore runs as it is: ``?`` placeholders become psycopg's ``%s``. The
connection is in autocommit mode and ``transaction()`` spells BEGIN/COMMIT/ROLLBACK itself,
as the SQLite store does, at READ COMMITTED. Writers run side by side here (SQLite serialises
them with BEGIN IMMEDIATE), so every check-then-write first takes a transaction-level advisory
lock (``pg_advisory_xact_lock``) named by what it decides on: a (segment, language) pair for a
translation row (whether or not the row exists yet), its fuzzy matches or a claim on it, a
document's URI for ingest, the schema for a migration. A second writer waits for the first to
commit, then reads what it wrote. The pairs are always taken in one order, so two writers do
not deadlock on them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from pipeline.errors import StoreError
from pipeline.i18n import _
from pipeline.store.schema import MIGRATIONS
from pipeline.store.sql import SQLStore, not_utf8

CONNECT_TIMEOUT = 10


def redacted(url: str) -> str:
    """Return a URL fit to print: any password replaced by ``***``.

    >>> redacted("postgresql://ko:secret@db.example:5432/pipeline?password=x&sslmode=require")
    'postgresql://ko:***@db.example:5432/pipeline?password=***&sslmode=require'
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("@")[-1]
    netloc = re.sub(r"^([^:@]*):[^@]*@", r"\1:***@", parts.netloc)
    query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


@functools.lru_cache(maxsize=1024)
def to_psycopg(sql: str) -> str:
    """Return portable SQL with psycopg's placeholders: ``?`` → ``%s``, a literal ``%`` doubled.

    A ``?`` inside a quoted string or identifier is text, not a placeholder.

    >>> to_psycopg("SELECT 'a?' FROM t WHERE x = ? AND y LIKE 'it''s 5%'")
    "SELECT 'a?' FROM t WHERE x = %s AND y LIKE 'it''s 5%%'"
    """
    out: list[str] = []
    quote = ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        out.append("%%" if ch == "%" else ch)
    return "".join(out)


def _reason(exc: BaseException) -> str:
    """Return an error's message as one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _connect_reason(exc: BaseException) -> str:
    """Return why a connection failed, without the host and port the URL already names.

    >>> _connect_reason(Exception('connection failed: connection to server at "127.0.0.1", '
    ...     'port 5432 failed: FATAL:  password authentication failed for user "ko"'))
    'password authentication failed for user "ko"'
    """
    reason = _reason(exc).rsplit(" failed: ", 1)[-1]
    return re.sub(r"^(connection is bad: |FATAL: )", "", reason)


class PostgresStore(SQLStore):
    """A store in a PostgreSQL database; concurrent writers are kept apart by advisory locks."""

    id_column = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    keep_ids_clause = " OVERRIDING SYSTEM VALUE"

    def __init__(
        self, url: str, migrations: Sequence[Sequence[str]] = MIGRATIONS, *, create: bool = True
    ) -> None:
        self.location = redacted(url)
        self._depth = 0
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        except (psycopg.Error, ValueError) as exc:
            # ValueError: a URL no connection can come from (a host name too long for IDNA,
            # a NUL), found before libpq is asked.
            raise StoreError(
                f"{self.location}: cannot connect to PostgreSQL: {_connect_reason(exc)}"
            ) from None
        try:
            self._check_encoding()
            if not create and self.schema_version() == 0:
                raise StoreError(
                    _("no store at {path}; add an article with 'pipeline ingest FILE'").format(
                        path=self.location
                    )
                )
            self.migrate(migrations)
        except psycopg.Error as exc:
            self._conn.close()
            raise StoreError(f"{self.location}: cannot open the store: {_reason(exc)}") from None
        except StoreError:
            self._conn.close()
            raise

    def _check_encoding(self) -> None:
        """Refuse a database that cannot hold every script (Burmese, Devanagari ...)."""
        encoding = self._execute("SHOW server_encoding").fetchone()[0]
        if encoding != "UTF8":
            raise StoreError(
                f"{self.location}: the database's encoding is {encoding}; the store needs UTF8"
                " (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0)"
            )

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(to_psycopg(sql), tuple(params))
        except psycopg.OperationalError as exc:
            # The server went away, a lock wait was cancelled ...: one line, not a traceback.
            raise StoreError(f"{self.location}: {_reason(exc)}") from None
        except UnicodeEncodeError:
            raise not_utf8(params) from None

    def _execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            with self._conn.cursor() as cursor:
                cursor.executemany(to_psycopg(sql), [tuple(r) for r in rows])
        except (psycopg.OperationalError, psycopg.DataError) as exc:
            # DataError: a value PostgreSQL cannot hold (a NUL character in text ...).
            raise StoreError(f"{self.location}: {_reason(exc)}") from None
        except UnicodeEncodeError:
            raise not_utf8() from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one write transaction; nested blocks join the outer one."""
        with self._outermost("BEGIN"):
            yield

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Run the block's reads on one snapshot of the database (REPEATABLE READ, read only)."""
        with self._outermost("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"):
            yield

    @contextmanager
    def _outermost(self, begin: str) -> Iterator[None]:
        """Begin with ``begin`` unless a transaction is open; commit, or roll back on error."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._execute(begin)
        self._depth = 1
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        else:
            self._execute("COMMIT")
        finally:
            self._depth = 0

    def _rollback(self) -> None:
        """Roll back, keeping the error that caused it when the connection is gone too."""
        with suppress(psycopg.Error):
            self._conn.execute("ROLLBACK")

    def _lock(self, key: str) -> None:
        """Wait for, then hold until the transaction ends, the advisory lock named ``key``."""
        self._execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (key,))

    def _table_exists(self, name: str) -> bool:
        # A query of the catalog, not to_regclass(): that reads a cache that may not yet
        # know a table another process has just created (two first opens, one migrating).
        row = self._execute(
            "SELECT 1 FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_name = ?",
            (name,),
        ).fetchone()
        return row is not None

    def _tables(self) -> set[str]:
        rows = self._execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        ).fetchall()
        return {str(name) for (name,) in rows}

    def _advance_ids(self) -> None:
        """Set each identity column's sequence to the largest id its table holds."""
        columns = self._execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ).fetchall()
        for table, column in columns:
            name, key = _quoted(table), _quoted(column)
            self._execute(
                f"SELECT setval(pg_get_serial_sequence(?, ?), MAX({key})) FROM {name}"
                f" HAVING MAX({key}) IS NOT NULL",
                (name, column),
            )

    def _database_problems(self) -> list[str]:
        """PostgreSQL's own view of the store's schema: invalid indexes, unchecked constraints,
        and, where the amcheck extension is installed, each B-tree index's structure."""
        problems = [
            _("index {name} is invalid (an interrupted CREATE INDEX); rebuild it").format(name=name)
            for (name,) in self._execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready)"
                " ORDER BY 1"
            ).fetchall()
        ]
        problems += [
            _("{table}: constraint {name} is not validated").format(table=table, name=name)
            for table, name in self._execute(
                "SELECT t.relname, c.conname FROM pg_constraint c"
                " JOIN pg_class t ON t.oid = c.conrelid"
                " JOIN pg_namespace n ON n.oid = t.relnamespace"
                " WHERE n.nspname = current_schema() AND NOT c.convalidated ORDER BY 1, 2"
            ).fetchall()
        ]
        if self._execute("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'").fetchone():
            for (index,) in self._execute(
                "SELECT c.oid::regclass::text FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND a.amname = 'btree' AND i.indisvalid"
            ).fetchall():
                # A savepoint: a failed check must not abort the snapshot's transaction.
                self._execute("SAVEPOINT index_check")
                try:
                    self._conn.execute("SELECT bt_index_check(%s::regclass)", (index,))
                except psycopg.Error as exc:
                    problems.append(f"{index}: {_reason(exc)}")
                    self._execute("ROLLBACK TO SAVEPOINT index_check")
                self._execute("RELEASE SAVEPOINT index_check")
        return problems

    def _table_rows(
        self, table: str, columns: Sequence[str]
    ) -> Generator[Sequence[Any], None, None]:
        """Yield every row of a table through a server-side cursor: memory stays flat."""
        names = ", ".join(_quoted(c) for c in columns)
        with self._conn.cursor(name=f"rows_of_{table}") as cursor:
            cursor.itersize = 1000
            cursor.execute(f"SELECT {names} FROM {_quoted(table)} ORDER BY 1")
            yield from cursor

    def close(self) -> None:
        """Release the connection."""
        self._conn.close()


def _quoted(identifier: str) -> str:
    """Return an SQL identifier in double quotes.

    >>> _quoted('odd"name')
    '"odd""name"'
    """
    return '"' + identifier.replace('"', '""') + '"'
