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


def store_location(option: str | None) -> str:
    """Return the store named by the option, else by $PIPELINE_STORE, else the default."""
    return option or os.environ.get(STORE_ENV) or DEFAULT_STORE


def open_store(location: str, *, create: bool = True) -> Store:
    """Open (upgrading, and with ``create`` creating) the store at a path."""
    from pipeline.store.sqlite import SQLiteStore

    path = Path(location)
    if not create and not path.exists():
        raise StoreError(
            _("no store at {path}; add an article with 'pipeline ingest FILE'").format(path=path)
        )
    return SQLiteStore(path)
