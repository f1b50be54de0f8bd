"""The engine interface: translate a batch of texts for one language pair."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pipeline.align import Alignment
from pipeline.records import Signature


@dataclass(frozen=True)
class Hypothesis:
    """One engine output for one input text.

    ``alignment``, when asked for and the engine can tell, ties the tokens of ``text`` to
    those of the input as character spans of both (:class:`pipeline.align.Alignment`).
    """

    text: str
    score: float | None = None
    alignment: Alignment | None = None


class Engine(Protocol):
    """A translation engine.

    ``translate`` returns one hypothesis per input text, in input order. The caller chunks
    its work into batches and writes each batch to the store in one transaction; an engine
    sorts and sub-batches inside a call as it sees fit. With ``align=True`` it adds a token
    alignment to each hypothesis where it can (callers ask only when inline codes need it).
    """

    name: str

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Return whether this engine can translate the pair (directly or by pivot)."""
        ...

    def signature(self, source_lang: str, target_lang: str) -> Signature:
        """Return the signature stored with every translation made for the pair."""
        ...

    def translate(
        self, texts: Sequence[str], source_lang: str, target_lang: str, *, align: bool = False
    ) -> list[Hypothesis]:
        """Translate texts from source_lang into target_lang."""
        ...
