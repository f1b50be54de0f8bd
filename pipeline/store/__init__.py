"""The alignment store: documents, segments, translations and their history."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.store.base import Store

DEFAULT_STORE = "pipeline.db"
STORE_ENV = "PIPELINE_STORE"


def store_location(option: str | None) -> str:
    """Return the store named by the option, else by $PIPELINE_STORE, else the default."""
    return option or os.environ.get(STORE_ENV) or DEFAULT_STORE


def open_store(location: str) -> Store:
    """Open (creating or upgrading) the store at a path."""
    from pipeline.store.sqlite import SQLiteStore

    return SQLiteStore(Path(location))
