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
from pipeline.align import Alignment
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


def pseudo_alignment(text: str, output: str) -> Alignment:
    """Return the exact alignment of a pseudo-translation: each character to its accented one.

    Accenting maps one character to one, after the opening bracket, so character i of the
    text is character i + 1 of the output; whitespace is not a token.
    """
    chars = tuple(i for i, ch in enumerate(text) if not ch.isspace())
    return Alignment(
        source=tuple((i, i + 1) for i in chars),
        target=tuple((i + 1, i + 2) for i in chars),
        links=tuple((k, k) for k in range(len(chars))),
    )


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
        self, texts: Sequence[str], source_lang: str, target_lang: str, *, align: bool = False
    ) -> list[Hypothesis]:
        """Pseudo-translate each text, with its exact alignment when asked."""
        outputs = [pseudo_translate(t) for t in texts]
        if not align:
            return [Hypothesis(out) for out in outputs]
        return [
            Hypothesis(out, alignment=pseudo_alignment(t, out))
            for t, out in zip(texts, outputs, strict=True)
        ]
