"""Pseudo-translation: visibly not a translation, for testing a pipeline end to end.

Localisation teams pseudo-translate to find truncation, encoding and layout problems before
real translation: letters are accented, the text is bracketed and lengthened by about a
third. Digits, ``{N}`` mask tokens and anything outside ASCII letters are kept, so numbers
and protected spans survive as they would in a real translation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline import __version__
from pipeline.engines.base import Hypothesis
from pipeline.records import Signature

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķĺɱñöþʠŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
_TOKEN = re.compile(r"(\{\d+\})")
# Translations run about 30% longer than English source: pad by that much.
_EXPANSION = 0.3


def pseudo_translate(text: str) -> str:
    """Return the pseudo-translation of a text.

    >>> pseudo_translate("Police cross {1} at 5 p.m.")
    '⟦Þöĺîçé çŕöšš {1} àţ 5 þ.ɱ. ········⟧'
    """
    parts = _TOKEN.split(text)
    accented = "".join(p if _TOKEN.fullmatch(p) else p.translate(_ACCENTED) for p in parts)
    padding = "·" * max(1, round(len(text) * _EXPANSION))
    return f"⟦{accented} {padding}⟧"


class PseudoEngine:
    """A deterministic engine whose output can never be mistaken for a translation."""

    name = "pseudo"

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Return True: pseudo-translation works for every pair."""
        return True

    def signature(self, source_lang: str, target_lang: str) -> Signature:
        """Return the pseudo engine's signature."""
        return Signature(
            engine="pseudo",
            model="pseudo",
            version=__version__,
            options={"expansion": _EXPANSION},
        )

    def translate(
        self, texts: Sequence[str], source_lang: str, target_lang: str
    ) -> list[Hypothesis]:
        """Pseudo-translate each text."""
        return [Hypothesis(pseudo_translate(t)) for t in texts]
