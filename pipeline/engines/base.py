"""The engine interface: translate a batch of texts for one language pair."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pipeline.records import Signature


@dataclass(frozen=True)
class Hypothesis:
    """One engine output for one input text."""

    text: str
    score: float | None = None


class Engine(Protocol):
    """A translation engine.

    ``translate`` returns one hypothesis per input text, in input order. The caller chunks
    its work into batches and writes each batch to the store in one transaction; an engine
    sorts and sub-batches inside a call as it sees fit.
    """

    name: str

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Return whether this engine can translate the pair (directly or by pivot)."""
        ...

    def signature(self, source_lang: str, target_lang: str) -> Signature:
        """Return the signature stored with every translation made for the pair."""
        ...

    def translate(
        self, texts: Sequence[str], source_lang: str, target_lang: str
    ) -> list[Hypothesis]:
        """Translate texts from source_lang into target_lang."""
        ...
