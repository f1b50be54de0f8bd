"""The store interface that the SQLite and PostgreSQL stores both fill."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Final, Protocol

from pipeline.records import (
    Code,
    Document,
    DocumentDraft,
    EditConflict,
    IngestResult,
    MemoryMatch,
    Revision,
    Saved,
    Segment,
    State,
    StatusRow,
    Translation,
    TranslationDraft,
    Unit,
)

if TYPE_CHECKING:
    from pipeline.glossary import GlossaryEntry
    from pipeline.store.rows import PairCount
    from pipeline.tm import MemoryEntry


# Row ids are 64-bit (SQLite INTEGER, PostgreSQL BIGINT): a number past this names no row, and
# binding it would fail (SQLite raises OverflowError, PostgreSQL an out-of-range error).
MAX_ROW_ID: Final = 2**63 - 1


def is_row_id(value: int) -> bool:
    """Return whether a number can be the id of a stored row (1 to MAX_ROW_ID)."""
    return 0 < value <= MAX_ROW_ID


def row_id(text: str) -> int | None:
    """Return the row id a user typed (ASCII digits, 1 to MAX_ROW_ID), or None."""
    # Unicode digits (², ١) are not ids, and a long run of digits is no id either: checking the
    # length first keeps int() away from its 4,300-digit limit.
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > len(str(MAX_ROW_ID)):
        return None
    value = int(text)
    return value if is_row_id(value) else None


class Store(Protocol):
    """An alignment store: every write is one transaction, never left half done."""

    location: str

    def close(self) -> None:
        """Release the connection."""
        ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...

    def check(self) -> list[str]:
        """Return one line per problem of the database or the store's invariants (none: ok)."""
        ...

    def schema_version(self) -> int:
        """Return the schema version the store is at."""
        ...

    def ingest(self, draft: DocumentDraft) -> IngestResult:
        """Store an article as a new document version, unless its content is unchanged."""
        ...

    def documents(self, *, all_versions: bool = False) -> list[Document]:
        """Return the latest version of each document (or every version)."""
        ...

    def document(self, ref: str) -> Document:
        """Return a document by id, or the latest version of a document by path or URI.

        A reference naming no document (an id out of range, a path that cannot exist) is
        NotFoundError.
        """
        ...

    def segments(self, document_id: int) -> list[Segment]:
        """Return a document's segments in reading order."""
        ...

    def translations(self, document_id: int, target_lang: str) -> dict[int, Translation]:
        """Return a document's translations into a language, keyed by segment id."""
        ...

    def target_languages(self, document_id: int) -> list[str]:
        """Return the languages a document has translations into."""
        ...

    def pending(self, document_ids: Sequence[int], target_lang: str) -> list[Segment]:
        """Return the segments with no translation into a language yet."""
        ...

    def memory(self, source_hashes: Iterable[str], target_lang: str) -> dict[str, Translation]:
        """Return reviewed or final translations of these normalised sources, by hash."""
        ...

    def write_translations(self, drafts: Sequence[TranslationDraft]) -> int:
        """Write translations and their history in one transaction; return how many changed."""
        ...

    def revisions(self, translation_id: int) -> list[Revision]:
        """Return a translation's history, oldest first."""
        ...

    def revision_ids(self, document_id: int, target_lang: str) -> dict[int, int]:
        """Return the id of each translation's newest revision in a language, by segment id."""
        ...

    def save_edit(self, draft: TranslationDraft, base: int | None) -> Saved | EditConflict:
        """Write an edit made on revision ``base``; keep it as a conflict if that is not the newest.

        ``base`` is None for an edit made where the segment had no revision (no translation).
        """
        ...

    def edit_conflicts(self, document_id: int, target_lang: str) -> dict[int, list[EditConflict]]:
        """Return a document's unresolved edit conflicts in a language by segment, oldest first."""
        ...

    def claim(
        self, keys: Iterable[tuple[int, str]], owner: str, ttl: float = 600.0
    ) -> set[tuple[int, str]]:
        """Claim pending (segment, language) keys nobody else holds; return those owned."""
        ...

    def release(self, owner: str, keys: Iterable[tuple[int, str]] | None = None) -> None:
        """Drop an owner's claims (all, or these keys), in the caller's transaction."""
        ...

    def record_export(
        self, document_ids: Sequence[int], langs: Sequence[str], fmt: str, path: str, when: str
    ) -> None:
        """Note that an export read these documents in these languages at ``when``."""
        ...

    def last_export(self, document_id: int, target_lang: str) -> str | None:
        """Return when a document was last exported in a language (ISO), or None."""
        ...

    def resolve_conflict(self, conflict_id: int, author: str) -> None:
        """Mark an edit conflict resolved by a reviewer (NotFoundError for an unknown id)."""
        ...

    def units(
        self,
        document_ids: Sequence[int],
        target_langs: Sequence[str],
        states: Sequence[State] | None = None,
    ) -> Iterator[Unit]:
        """Yield each segment with its translations into the languages, document by document."""
        ...

    def segment(self, segment_id: int) -> Segment:
        """Return one segment by id (NotFoundError for an unknown or out-of-range id)."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Return a context in which every write is one transaction."""
        ...

    def status(self, document_id: int | None = None) -> list[StatusRow]:
        """Return segment and word counts per document, target language and state."""
        ...

    def add_memory(self, entries: Iterable[MemoryEntry]) -> tuple[int, int]:
        """Add imported memory entries not already held; return (added, already held)."""
        ...

    def imported_memory(
        self, source_hashes: Iterable[str], source_lang: str, target_lang: str
    ) -> dict[str, MemoryEntry]:
        """Return the newest imported entry for each normalised source, by hash."""
        ...

    def segments_by_source(
        self, source_hashes: Iterable[str], source_lang: str
    ) -> dict[str, list[Segment]]:
        """Return the stored segments of each normalised source in a language, newest first."""
        ...

    def memory_entries(self, pair: tuple[str, str] | None = None) -> Iterable[MemoryEntry]:
        """Yield every imported memory entry (of one source → target pair)."""
        ...

    def memory_sources(self, pair: tuple[str, str]) -> Iterator[tuple[int, str, tuple[Code, ...]]]:
        """Yield (row id, source, source codes) of a pair's imported entries."""
        ...

    def memory_by_id(self, ids: Iterable[int]) -> dict[int, MemoryEntry]:
        """Return imported entries by row id."""
        ...

    def own_memory(self, pair: tuple[str, str] | None = None) -> Iterable[MemoryEntry]:
        """Yield the reviewed and final translations of each document's newest version."""
        ...

    def write_matches(self, target_lang: str, found: Mapping[int, Sequence[MemoryMatch]]) -> None:
        """Replace the fuzzy matches offered for these segments in a language."""
        ...

    def matches(self, document_id: int, target_lang: str) -> dict[int, tuple[MemoryMatch, ...]]:
        """Return the fuzzy matches offered for a document's segments in a language."""
        ...

    def add_terms(self, entries: Iterable[GlossaryEntry]) -> tuple[int, int]:
        """Add glossary entries not already held; return (added, already held)."""
        ...

    def glossary(self, source_lang: str, target_lang: str) -> list[GlossaryEntry]:
        """Return a language pair's glossary entries, do-not-translate ones of any target too."""
        ...

    def glossary_stats(self) -> list[PairCount]:
        """Return glossary entries counted per language pair and file."""
        ...

    def memory_stats(self) -> list[PairCount]:
        """Return imported entries counted per language pair and file."""
        ...
