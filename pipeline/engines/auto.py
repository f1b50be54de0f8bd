"""Route each language pair to the first engine that supports it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pipeline.engines.base import Engine, Hypothesis
from pipeline.errors import EngineError
from pipeline.records import Signature


class FallbackEngine:
    """Use the primary engine where it has a model, else the fallback, and say so once."""

    name = "auto"

    def __init__(
        self, primary: Engine, fallback: Engine, warn: Callable[[str], None] = print
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self._warn = warn
        self._warned: set[tuple[str, str]] = set()

    def _pick(self, source_lang: str, target_lang: str) -> Engine:
        if self.primary.supports(source_lang, target_lang):
            return self.primary
        if (source_lang, target_lang) not in self._warned:
            self._warned.add((source_lang, target_lang))
            self._warn(
                f"warning: no {self.primary.name} model for {source_lang}→{target_lang}: "
                f"using the {self.fallback.name} engine (its output is not a translation); "
                f"install a model with 'pipeline models install {source_lang} {target_lang}'"
            )
        if not self.fallback.supports(source_lang, target_lang):
            raise EngineError(f"no engine supports {source_lang}→{target_lang}")
        return self.fallback

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Return whether either engine supports the pair."""
        return self.primary.supports(source_lang, target_lang) or self.fallback.supports(
            source_lang, target_lang
        )

    def signature(self, source_lang: str, target_lang: str) -> Signature:
        """Return the signature of the engine that serves the pair."""
        return self._pick(source_lang, target_lang).signature(source_lang, target_lang)

    def translate(
        self, texts: Sequence[str], source_lang: str, target_lang: str, *, align: bool = False
    ) -> list[Hypothesis]:
        """Translate with the engine that serves the pair."""
        engine = self._pick(source_lang, target_lang)
        if not align:
            return engine.translate(texts, source_lang, target_lang)
        return engine.translate(texts, source_lang, target_lang, align=True)
