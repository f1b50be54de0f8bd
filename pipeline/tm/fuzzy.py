"""Fuzzy memory matches, scored as CAT tools score them: token edit distance, in percent.

A source is normalised (:func:`pipeline.records.normalise`, then case-folded) and cut into
tokens: words, numbers (one token each, so ``1,250`` is one placeable), single punctuation
marks, and one token per inline code (its type, so a moved tag costs one edit). Each distinct
token is given one code point, so a segment becomes a short string whose character edit
distance is the token edit distance; rapidfuzz's Levenshtein computes it in C++. The score is
``100 × (1 − distance / max(len a, len b))``.

The index keeps a posting list per token; a lookup scores only the entries a prefix filter
(see :meth:`FuzzyIndex.lookup`) leaves, which is exact: it finds every match the full scan
finds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import ceil, floor
from typing import Generic, TypeVar

import numpy
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from pipeline.records import Code, normalise
from pipeline.tm import TOKEN, MemoryEntry

DEFAULT_THRESHOLD = 75.0
# Code points for tokens: skip the controls, and the surrogates, which a str may not hold.
_FIRST, _SURROGATES = 0x100, range(0xD800, 0xE000)


T = TypeVar("T")


@dataclass(frozen=True)
class FuzzyMatch(Generic[T]):
    """An indexed item matching a source at score percent (100 only when tokens are equal)."""

    entry: T
    score: float


def tokens(text: str, codes: Sequence[Code] = ()) -> list[str]:
    """Return the tokens of a source: words, numbers, punctuation, codes at their place.

    >>> tokens("Police paid $1,250 on 5 May.")
    ['police', 'paid', '$', '1,250', 'on', '5', 'may', '.']
    """
    folded = normalise(text).casefold()
    if not codes:
        return TOKEN.findall(folded)
    # Codes sit at offsets of the original text: tokenise the runs between them.
    found: list[str] = []
    done = 0
    for code in sorted(codes, key=lambda c: c.at):
        found += TOKEN.findall(text[done : code.at].casefold())
        found.append(f"\0{code.type.value}")
        done = code.at
    found += TOKEN.findall(text[done:].casefold())
    return found


class FuzzyIndex(Generic[T]):
    """Sources of one language pair, each with an item (its entry, or a row id), looked up by
    token edit distance."""

    def __init__(self) -> None:
        self._alphabet: dict[str, str] = {}
        self._keys: list[str] = []
        self._entries: list[T] = []
        # Token (its code point) -> the entries holding it, in index order.
        self._postings: dict[str, list[int]] = {}

    @classmethod
    def of(cls, entries: Iterable[MemoryEntry]) -> FuzzyIndex[MemoryEntry]:
        """Return an index of memory entries by their sources."""
        index: FuzzyIndex[MemoryEntry] = FuzzyIndex()
        for entry in entries:
            index.add(entry.source, entry.source_codes, entry)
        return index

    @property
    def size(self) -> int:
        """Return how many entries the index holds."""
        return len(self._keys)

    def _encode(self, words: Iterable[str]) -> str:
        chars = []
        for word in words:
            char = self._alphabet.get(word)
            if char is None:
                point = _FIRST + len(self._alphabet)
                if point >= _SURROGATES.start:
                    point += len(_SURROGATES)
                # Past the last code point (a million distinct tokens) tokens share points.
                char = chr(min(point, 0x10FFFE))
                self._alphabet[word] = char
            chars.append(char)
        return "".join(chars)

    def add(self, source: str, codes: Sequence[Code], item: T) -> None:
        """Index one item by its source."""
        key = self._encode(tokens(source, codes))
        position = len(self._keys)
        self._keys.append(key)
        self._entries.append(item)
        for char in set(key):
            self._postings.setdefault(char, []).append(position)

    def lookup(
        self,
        source: str,
        codes: Sequence[Code] = (),
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 3,
    ) -> list[FuzzyMatch[T]]:
        """Return up to limit best matches scoring at least threshold, best first.

        Exact, by a prefix filter: a score of T needs at least k = ⌈n·T/100⌉ of the query's
        n tokens in common (the distance is at least n minus the tokens shared), so a match
        holds one of the query's n − k + 1 rarest tokens. Only entries on those tokens'
        posting lists, of a length that can reach T, are scored.
        """
        query = self._query(tokens(source, codes))
        if not query:
            return []
        n, ratio = len(query), threshold / 100
        shared = ceil(n * ratio - 1e-9)
        rarest = sorted(query, key=lambda c: len(self._postings.get(c, ())))[: n - shared + 1]
        lists = [self._postings[c] for c in set(rarest) if c in self._postings]
        if not lists:
            return []
        low, high = max(1, shared), floor(n / ratio + 1e-9)
        candidates = [i for i in set().union(*lists) if low <= len(self._keys[i]) <= high]
        if not candidates:
            return []
        candidates.sort()
        scores = process.cdist(
            [query],
            [self._keys[i] for i in candidates],
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=ratio,
            dtype=numpy.float32,
        )[0]
        hits = numpy.flatnonzero(scores)
        best = hits[numpy.argsort(-scores[hits], kind="stable")][:limit]
        return [
            FuzzyMatch(self._entries[candidates[i]], round(100 * float(scores[i]), 1)) for i in best
        ]

    def scan(
        self, source: str, codes: Sequence[Code] = (), threshold: float = DEFAULT_THRESHOLD
    ) -> list[FuzzyMatch[T]]:
        """Return every match at threshold by scoring every entry (the benchmark's peer)."""
        query = self._query(tokens(source, codes))
        found: list[FuzzyMatch[T]] = []
        for key, entry in zip(self._keys, self._entries, strict=True):
            score = Levenshtein.normalized_similarity(query, key)
            if score >= threshold / 100:
                found.append(FuzzyMatch(entry, round(100 * score, 1)))
        found.sort(key=lambda m: -m.score)
        return found

    def _query(self, words: list[str]) -> str:
        # Tokens the index has never seen match nothing: one fresh point stands for them all.
        unseen = chr(0x10FFFF)
        return "".join(self._alphabet.get(w, unseen) for w in words)
