"""The alignment store: documents, segments, translations and their history."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import StoreError
from pipeline.i18n import _

if TYPE_CHECKING:
    from pipeline.store.base import Store

DEFAULT_STORE = "pipeline.db"
STORE_ENV = "PIPELINE_STORE"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def store_location(option: str | None) -> str:
    """Return the store named by the option, else by $PIPELINE_STORE, else the default."""
    return option or os.environ.get(STORE_ENV) or DEFAULT_STORE


def is_postgres(location: str) -> bool:
    """Return whether a store location is a PostgreSQL URL rather than a SQLite file.

    >>> is_postgres("postgresql://translator@db.example/pipeline"), is_postgres("pipeline.db")
    (True, False)
    """
    return location.startswith(POSTGRES_SCHEMES)


def open_store(location: str, *, create: bool = True) -> Store:
    """Open (upgrading, and with ``create`` creating) the store at a path or PostgreSQL URL."""
    # str(): callers (tests, scripts) also pass a Path to a file.
    if is_postgres(str(location)):
        # Imported only here: a SQLite user's commands never load psycopg.
        from pipeline.store.postgres import PostgresStore

        return PostgresStore(location, create=create)
    from pipeline.store.sqlite import SQLiteStore

    path = Path(location)
    if not create and not path.exists():
        raise StoreError(
            _("no store at {path}; add an article with 'pipeline ingest FILE'").format(path=path)
        )
    return SQLiteStore(path)
