"""Each language pair's glossary read from a store once, for the jobs that check many units."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.store.base import Store

if TYPE_CHECKING:
    from pipeline.glossary.match import Glossary


class Glossaries:
    """The store's glossaries by language pair, built on first use; None where one is empty."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._built: dict[tuple[str, str], Glossary | None] = {}

    def get(self, source_lang: str, target_lang: str) -> Glossary | None:
        """Return the glossary of a language pair, or None when the store has no term for it."""
        pair = (source_lang, target_lang)
        if pair not in self._built:
            entries = self._store.glossary(source_lang, target_lang)
            glossary = None
            if entries:
                from pipeline.glossary.match import Glossary

                glossary = Glossary(entries, source_lang, target_lang)
            self._built[pair] = glossary
        return self._built[pair]
