"""Texts in the form terms are compared in, each position mapped back to the original text.

The comparison form is NFC with whitespace runs as one space, soft hyphens and zero-width
characters dropped, and (for a case-insensitive look-up) :meth:`str.casefold`. A text is
normalised one cluster at a time (a character, the combining marks on it and whatever NFC
joins to it), so each cluster's place in the original text is known. Its boundaries are the
positions a match may start or end at (rules: :mod:`pipeline.glossary.match`).
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache

ASAT, VIRAMA, DOT_BELOW = "\u103a", "\u1039", "\u1037"
_IGNORED = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
# A position not inside an ASCII word: no word character before it, or none after it.
_ASCII_EDGES = re.compile(r"(?<![A-Za-z0-9_])|(?![A-Za-z0-9_])")
_GAPS = re.compile(r"[\s\u00ad\u200b\u200c\u200d\u2060\ufeff]+")


def is_myanmar(ch: str) -> bool:
    """Return whether a character is in a Myanmar block."""
    return "\u1000" <= ch <= "\u109f" or "\ua9e0" <= ch <= "\ua9ff" or "\uaa60" <= ch <= "\uaa7f"


def is_word(ch: str) -> bool:
    """Return whether a character is part of a word: a letter, digit, ``_`` or mark."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


def starts_syllable(text: str, i: int) -> bool:
    """Return whether a syllable may begin at a Myanmar character (Sylbreak's rule)."""
    ch = text[i]
    if "\u1000" <= ch <= "\u1021":
        after = text[i + 1 : i + 3]
        if after[:1] in (ASAT, VIRAMA) or after == DOT_BELOW + ASAT:
            return False  # it closes the syllable before it, or stacks on the next one
        return i == 0 or text[i - 1] != VIRAMA  # a stacked consonant stays in its syllable
    return "\u1023" <= ch <= "\u102a" or ch == "\u103f" or "\u1040" <= ch <= "\u104f"


@lru_cache(maxsize=65536)
def _composes(cluster: str, ch: str) -> bool:
    """Return whether NFC joins a character to the cluster before it."""
    nfc = unicodedata.normalize
    return nfc("NFC", cluster + ch) != nfc("NFC", cluster) + nfc("NFC", ch)


@dataclass(frozen=True)
class Form:
    """A text in comparison form, each position mapped back to the original text.

    ``starts[k]`` is the original offset where the cluster starting at ``k`` starts (-1 inside
    a cluster), ``ends[k]`` where the cluster ending at ``k`` ends; ``bounds`` holds the
    positions a match may start or end at, ``cuts`` the same in order.
    """

    text: str
    starts: array[int]
    ends: array[int]
    bounds: frozenset[int]
    cuts: tuple[int, ...]


def comparison_form(text: str, casefold: bool, burmese: bool) -> Form:
    """Return a text's comparison form (see the module docstring).

    >>> form = comparison_form("Stra\u00dfe  ja\u200bhr", casefold=True, burmese=False)
    >>> form.text, form.starts[form.text.index("j")], form.ends[len(form.text)]
    ('strasse jahr', 8, 13)
    """
    folded = text.casefold() if casefold else text
    stable = len(folded) == len(text) and unicodedata.is_normalized("NFC", text)
    if stable and (not casefold or unicodedata.is_normalized("NFC", folded)):
        pieces, starts, ends = _as_is(folded)
    else:
        pieces, starts, ends = _by_cluster(text, casefold)
    form = "".join(pieces)
    starts.append(len(text))
    bounds = _bounds(form, starts, burmese)
    return Form(form, starts, ends, frozenset(bounds), tuple(sorted(bounds)))


def _as_is(text: str) -> tuple[list[str], array[int], array[int]]:
    """Return the pieces and offsets of a text that is its own comparison form but for gaps."""
    pieces: list[str] = []
    # Machine integers, not Python ones: a 10 MB word would otherwise take most of a gigabyte.
    starts = array("q")
    ends = array("q", [-1])
    done = 0
    for gap in [*_GAPS.finditer(text), None]:
        a, b = (gap.start(), gap.end()) if gap else (len(text), len(text))
        if a > done:
            run = text[done:a]
            first = len(starts)
            pieces.append(run)
            starts.extend(range(done, a))
            ends.extend(range(done + 1, a + 1))
            if not run.isascii():
                for k, ch in enumerate(run):
                    if unicodedata.combining(ch):  # a mark continues the cluster before it
                        starts[first + k] = ends[first + k] = -1
        if gap and any(ch.isspace() for ch in gap.group()):  # else only ignored characters
            pieces.append(" ")
            starts.append(a)
            ends.append(b)
        done = b
    return pieces, starts, ends


def _by_cluster(text: str, casefold: bool) -> tuple[list[str], array[int], array[int]]:
    """Return the pieces and offsets of a text normalised one cluster at a time."""
    nfc = unicodedata.normalize
    pieces: list[str] = []
    starts = array("q")
    ends = array("q", [-1])
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _IGNORED:
            i += 1
            continue
        if ch.isspace():
            j = i + 1
            while j < n and (text[j].isspace() or text[j] in _IGNORED):
                j += 1
            if pieces and pieces[-1] == " ":
                ends[-1] = j  # a space run broken only by ignored characters
            else:
                pieces.append(" ")
                starts.append(i)
                ends.append(j)
            i = j
            continue
        j = i + 1
        while j < n and text[j] not in _IGNORED and not text[j].isspace():
            nxt = text[j]
            if not unicodedata.combining(nxt) and (nxt < "\u0300" or not _composes(text[i:j], nxt)):
                break
            j += 1
        piece = nfc("NFC", text[i:j])
        piece = nfc("NFC", piece.casefold()) if casefold else piece
        pieces.append(piece)
        starts.extend([i] + [-1] * (len(piece) - 1))
        ends.extend([-1] * (len(piece) - 1) + [j])
        i = j
    return pieces, starts, ends


def _bounds(text: str, starts: array[int], burmese: bool) -> set[int]:
    """Return the positions of a comparison form where a match may start or end."""
    if text.isascii():  # every position but those inside a word, found at C speed
        return {edge.start() for edge in _ASCII_EDGES.finditer(text)}
    bounds = {0, len(text)}
    for k in range(1, len(text)):
        if starts[k] < 0:
            continue
        before, here = text[k - 1], text[k]
        if before == " " or here == " ":
            bounds.add(k)
        elif burmese and (is_myanmar(before) or is_myanmar(here)):
            if is_myanmar(before) != is_myanmar(here) or starts_syllable(text, k):
                bounds.add(k)
        elif not (is_word(before) and is_word(here)):
            bounds.add(k)
    return bounds


class Text:
    """A text with its comparison forms made once each, for many look-ups."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._forms: dict[tuple[bool, bool], Form] = {}

    def form(self, casefold: bool, burmese: bool) -> Form:
        """Return the comparison form for a case rule and boundary rule."""
        key = (casefold, burmese)
        if key not in self._forms:
            self._forms[key] = comparison_form(self.text, casefold, burmese)
        return self._forms[key]
