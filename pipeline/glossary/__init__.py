"""Term lists (glossaries) brought from other tools: TBX and CSV/TSV, kept in the store.

A glossary entry pairs one source term with one target term (or none) for one language
pair, with the target term's status: ``preferred`` and ``admitted`` targets are approved,
a ``forbidden`` target must not appear in a translation. A do-not-translate entry keeps the
source term verbatim in every target language.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from pipeline.records import normalise

# The target language of a do-not-translate entry that names none: it holds for every one.
ANY_LANGUAGE = "*"


class TermStatus(StrEnum):
    """The status of a target term, as TBX's administrative status says it."""

    PREFERRED = "preferred"
    ADMITTED = "admitted"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class GlossaryEntry:
    """One source term and its target term for a language pair, with where it came from.

    ``target`` is "" for a do-not-translate entry (``dnt``: the source term is kept) and for
    a source term listed with no translation. ``concept`` is the TBX concept (termEntry or
    conceptEntry) id, or the row number of a table.
    """

    source_lang: str
    target_lang: str
    term: str
    target: str = ""
    status: TermStatus = TermStatus.PREFERRED
    dnt: bool = False
    pos: str = ""
    note: str = ""
    origin: str = ""
    concept: str = ""

    @property
    def key(self) -> str:
        """Return what makes two entries the same: languages, terms, status and dnt."""
        fields = [
            self.source_lang,
            self.target_lang,
            normalise(self.term),
            normalise(self.target),
            self.status.value,
            self.dnt,
        ]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()

    @property
    def approved(self) -> bool:
        """Return whether the target is one to use (preferred or admitted, not forbidden)."""
        return bool(self.target) and self.status is not TermStatus.FORBIDDEN
