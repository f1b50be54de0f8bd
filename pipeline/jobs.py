"""Whole jobs that the CLI's verbs call: each reads, checks, then writes in transactions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.models import DocumentDraft, IngestResult
from pipeline.store.base import Store


def read_articles(paths: Sequence[Path], source_lang: str) -> list[DocumentDraft]:
    """Read and segment every article before anything is written, so bad input writes nothing."""
    from pipeline.ingest import read_article

    return [read_article(path, source_lang) for path in paths]


def ingest_articles(store: Store, drafts: Sequence[DocumentDraft]) -> list[IngestResult]:
    """Store each article as a new document version unless it is unchanged."""
    return [store.ingest(draft) for draft in drafts]
