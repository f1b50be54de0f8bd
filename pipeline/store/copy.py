"""Copy a whole store into an empty one: SQLite and PostgreSQL, either way, ids and history kept.

The tables are the ones the migrations create, in that order (a table refers only to those
made before it), so a new migration's table is copied with no change here; a table in the
source that no migration makes stops the copy before anything is written. Every row keeps
its id, so the copy's revision ids (the review desk's tokens), unit ids (``s<segment id>``
in exported files) and conflict ids are the source's. The whole copy is one transaction on
the destination, read from one snapshot of the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from pipeline.errors import StoreError
from pipeline.store.base import Store
from pipeline.store.schema import MIGRATIONS, Migration
from pipeline.store.sql import SQLStore

BATCH = 1000
CREATE_TABLE = re.compile(r"\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class TableCopy:
    """How many rows of one table were copied."""

    table: str
    rows: int


def schema_tables(migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Return the store's tables in the order they are created, ``meta`` first.

    >>> schema_tables()[:4]
    ['meta', 'documents', 'segments', 'translations']
    """
    names = ["meta"]
    for statements in migrations:
        for sql in statements:
            found = CREATE_TABLE.match(sql)
            if found and found.group(1) not in names:
                names.append(found.group(1))
    return names


def copy_store(
    source: Store, target: Store, progress: Callable[[TableCopy], None] | None = None
) -> list[TableCopy]:
    """Copy every row of every table from source into an empty target; return the counts.

    ``progress`` is called as each table is done. A target that holds any row is refused,
    and on any error the target is left as it was.
    """
    src, dst = _sql_store(source), _sql_store(target)
    _refuse_same(src, dst)
    tables = _covered(src, dst)
    copied: list[TableCopy] = []
    with dst.transaction():
        _refuse_non_empty(dst, tables)
        with src.snapshot():
            for table in tables:
                try:
                    done = TableCopy(table, _copy_table(src, dst, table))
                except StoreError as exc:
                    raise StoreError(f"{exc} (table {table}); nothing was copied") from None
                copied.append(done)
                if progress is not None:
                    progress(done)
        dst._advance_ids()
    return copied


def _sql_store(store: Store) -> SQLStore:
    if not isinstance(store, SQLStore):
        raise StoreError(f"{store.location}: not a SQL store; it cannot be copied")
    return store


def _refuse_same(src: SQLStore, dst: SQLStore) -> None:
    """Refuse to copy a store onto itself."""
    if src.location == dst.location or (
        "://" not in src.location and Path(src.location).resolve() == Path(dst.location).resolve()
    ):
        raise StoreError(f"{dst.location}: the source and the destination are the same store")


def _covered(src: SQLStore, dst: SQLStore) -> list[str]:
    """Return the tables to copy, refusing stores whose tables are not the schema's."""
    if src.schema_version() != dst.schema_version():
        raise StoreError(
            f"{src.location} is at schema version {src.schema_version()} and {dst.location}"
            f" at {dst.schema_version()}; open both with the same pipeline"
        )
    tables = schema_tables()
    for store in (src, dst):
        unknown = sorted(store._tables() - set(tables))
        if unknown:
            raise StoreError(
                f"{store.location}: table(s) {', '.join(unknown)} not in this pipeline's schema;"
                " nothing copied"
            )
    return tables


def _refuse_non_empty(dst: SQLStore, tables: Sequence[str]) -> None:
    """Refuse a destination holding any row (beyond the schema's own ``meta``)."""
    for table in tables:
        if table != "meta" and dst._execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
            raise StoreError(
                f"{dst.location}: the destination is not empty (table {table} has rows);"
                " copy into a new, empty store"
            )


def _copy_table(src: SQLStore, dst: SQLStore, table: str) -> int:
    """Copy one table's rows, ids included; return how many."""
    columns = src._columns(table)
    if table == "meta":
        # The destination's schema version row is the source's, as both are at one version.
        dst._execute("DELETE FROM meta")
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    insert = f'INSERT INTO "{table}" ({names}){dst.keep_ids_clause} VALUES ({marks})'
    count = 0
    # closing(): a failed write ends the source's read (a server-side cursor) there and then.
    with closing(src._table_rows(table, columns)) as rows:
        for batch in _batches(rows):
            dst._execute_many(insert, batch)
            count += len(batch)
    return count


def _batches(rows: Iterator[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    while batch := list(islice(rows, BATCH)):
        yield batch
