"""Build the engine a user asked for by name, with its decoding options."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from pipeline.engines import ENGINES, load_engine
from pipeline.engines.auto import FallbackEngine
from pipeline.engines.base import Engine, Hypothesis
from pipeline.records import Signature


class LazyEngine:
    """An engine built on first use, so a run with nothing to translate loads no model code."""

    def __init__(self, name: str, build: Callable[[], Engine]) -> None:
        self.name = name
        self._build = build
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """Return the engine, building it the first time."""
        if self._engine is None:
            self._engine = self._build()
        return self._engine

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Return whether the engine supports the pair."""
        return self.engine.supports(source_lang, target_lang)

    def signature(self, source_lang: str, target_lang: str) -> Signature:
        """Return the engine's signature for the pair."""
        return self.engine.signature(source_lang, target_lang)

    def translate(
        self, texts: Sequence[str], source_lang: str, target_lang: str, *, align: bool = False
    ) -> list[Hypothesis]:
        """Translate with the engine (an alignment only when asked: older engines lack it)."""
        if not align:
            return self.engine.translate(texts, source_lang, target_lang)
        return self.engine.translate(texts, source_lang, target_lang, align=True)


def build_engine(name: str, options: dict[str, Any]) -> Engine:
    """Return the named engine, built on first use; ``auto`` falls back to pseudo."""
    if name != "auto" and name not in ENGINES:
        load_engine(name)  # raises the one-line error naming the engines there are
    if name == "auto":
        return LazyEngine(
            name,
            lambda: FallbackEngine(load_engine("argos", **options), load_engine("pseudo"), _stderr),
        )
    if name == "pseudo":
        return LazyEngine(name, lambda: load_engine("pseudo"))
    return LazyEngine(name, lambda: load_engine(name, **options))


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)
