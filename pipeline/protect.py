"""Protected spans: masked before machine translation and restored after.

URLs, e-mail addresses and placeholders must come out of MT exactly as they went in. Each is
replaced by a numbered token ``{N}``: braces and digits are copied through by most MT models,
and a token the model drops or mangles is reported, never silently repaired.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

from pipeline.records import Flag, Severity

_PATTERNS = (
    # URLs: scheme or www., up to whitespace; trailing sentence punctuation is not part of it.
    r"(?:https?://|ftp://|www\.)[^\s<>\"“”]+[^\s<>\"“”.,;:!?)\]'’]",
    # E-mail addresses. Only from the start of a run of address characters: a match found
    # from inside the run would be the same match, and trying every start rescans the run
    # for its "@" (quadratic: a 20k-letter word took 4 s, a 10 MB word never ended).
    r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    # Placeholders of common message formats: {name}, {{name}}, %s, %(name)s, $1.
    r"\{\{?\s*\w+\s*\}?\}|%(?:\(\w+\))?[sdif]|\$\d+",
)
# What a text must hold for each pattern to match anywhere: a long text is scanned only
# by the patterns it can match (a 10 MB word without "@" is not tried as an address).
_NEEDS = (("://", "www."), ("@",), ("{", "%", "$"))
_SOME = {
    used: re.compile("|".join(f"(?:{p})" for p, on in zip(_PATTERNS, used, strict=True) if on))
    for used in product((False, True), repeat=len(_PATTERNS))
    if any(used)
}
# Models often add spaces inside or around the braces: accept those when restoring.
_TOKEN = re.compile(r"\{\s*(\d+)\s*\}")


# (start, end) in one text and (start, end) of what stands there in the other, in order.
Replacement = tuple[int, int, int, int]


def mapped(
    replacements: Sequence[Replacement], begin: int, end: int, highs: Sequence[int] | None = None
) -> tuple[int, int]:
    """Return a span of one text in the other; a span ending inside a replacement takes it all.

    ``highs`` are the replacements' ends, given by a caller that maps many spans (a binary
    search, not a walk through every replacement).

    >>> mapped([(4, 7, 4, 20)], 0, 5), mapped([(4, 7, 4, 20)], 7, 9)
    ((0, 20), (20, 22))
    """
    ends = [r[1] for r in replacements] if highs is None else highs

    def point(at: int, start_side: bool) -> int:
        # The first replacement ending after ``at``, or an empty one standing at it.
        index = bisect_right(ends, at)
        for k in range(bisect_left(ends, at), index):
            if replacements[k][0] == at:
                index = k
                break
        if index < len(replacements):
            low, high, to_low, to_high = replacements[index]
            if low < at < high:
                return to_low if start_side else to_high
        if index == 0:
            return at
        _, high, _, to_high = replacements[index - 1]
        return at + to_high - high

    return point(begin, True), max(point(begin, True), point(end, False))


@dataclass(frozen=True)
class Masked:
    """A text with its protected spans replaced by ``{1}``, ``{2}``…

    ``replacements`` says where each token stands in ``text`` and its span in the original.
    """

    text: str
    spans: tuple[str, ...]
    replacements: tuple[Replacement, ...] = ()

    _ends: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ends", tuple(r[1] for r in self.replacements))

    def original(self, span: tuple[int, int]) -> tuple[int, int]:
        """Return a span of the masked text as a span of the original text."""
        return mapped(self.replacements, *span, self._ends)


@dataclass(frozen=True)
class Restored:
    """A translation with its tokens replaced by the protected spans, and where they went."""

    text: str
    flags: tuple[Flag, ...]
    replacements: tuple[Replacement, ...] = ()

    def restored(self, span: tuple[int, int]) -> tuple[int, int]:
        """Return a span of the masked translation as a span of the restored one."""
        return mapped(self.replacements, *span, self._ends)

    def token(self, index: int) -> tuple[int, int] | None:
        """Return the span of protected span ``index`` (from 1) when it was restored once."""
        found = self._spans.get(index, [])
        return found[0] if len(found) == 1 else None

    _indices: tuple[int, ...] = ()
    _ends: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)
    _spans: dict[int, list[tuple[int, int]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ends", tuple(r[1] for r in self.replacements))
        for r, i in zip(self.replacements, self._indices, strict=True):
            self._spans.setdefault(i, []).append((r[2], r[3]))


def _matches(text: str) -> Iterator[re.Match[str]]:
    """Return the matches of the protected-span patterns in a text, in order."""
    used = tuple(any(mark in text for mark in marks) for marks in _NEEDS)
    return _SOME[used].finditer(text) if any(used) else iter(())


def protected_spans(text: str) -> list[str]:
    """Return the protected spans of a text in order."""
    return [m.group(0) for m in _matches(text)]


def protected_matches(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each protected span of a text, in order."""
    return [m.span() for m in _matches(text)]


def _runs(text: str, extra: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the spans to mask in order: the extra ranges, then patterns outside them."""
    ranges = sorted((b, e) for b, e in extra if e > b)
    merged: list[tuple[int, int]] = []
    for begin, end in ranges:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    found = []
    # Matches come in order: one walk through the ranges, not a scan of all of them each.
    ahead = 0
    for match in _matches(text):
        while ahead < len(merged) and merged[ahead][1] <= match.start():
            ahead += 1
        if ahead == len(merged) or merged[ahead][0] >= match.end():
            found.append(match.span())
    return sorted(merged + found)


def mask(
    text: str,
    extra: Sequence[tuple[int, int]] = (),
    substitutes: Mapping[tuple[int, int], str] | None = None,
) -> Masked:
    """Replace each protected span, and each ``extra`` range of text, by a numbered token.

    A range in ``substitutes`` (a glossary term) is restored as its substitute (the target
    term) instead of the original text, when it is masked as a whole.

    >>> mask("Run ls -l now", [(4, 9)])
    Masked(text='Run {1} now', spans=('ls -l',), replacements=((4, 7, 4, 9),))
    >>> unmask("{1} ရောက်သည်", mask("Naypyitaw today", [(0, 9)], {(0, 9): "နေပြည်တော်"}))
    ('နေပြည်တော် ရောက်သည်', ())
    """
    substitutes = substitutes or {}
    out: list[str] = []
    spans: list[str] = []
    replacements: list[Replacement] = []
    done = length = 0
    for begin, end in _runs(text, extra):
        out.append(text[done:begin])
        length += begin - done
        spans.append(substitutes.get((begin, end), text[begin:end]))
        token = "{" + str(len(spans)) + "}"
        out.append(token)
        replacements.append((length, length + len(token), begin, end))
        length += len(token)
        done = end
    out.append(text[done:])
    return Masked("".join(out), tuple(spans), tuple(replacements))


def unmask(text: str, masked: Masked) -> tuple[str, tuple[Flag, ...]]:
    """Put the protected spans back into a translation; flag any token lost or invented.

    >>> m = mask("Write to desk@example.org today.")
    >>> m.text
    'Write to {1} today.'
    >>> unmask("{ 1 } ကို စာရေးပါ။", m)
    ('desk@example.org ကို စာရေးပါ။', ())
    """
    restored = restore(text, masked)
    return restored.text, restored.flags


def restore(text: str, masked: Masked) -> Restored:
    """Return :func:`unmask`'s text and flags with where each token's span now stands."""
    if not masked.spans:
        return Restored(text, ())
    flags: list[Flag] = []
    out: list[str] = []
    replacements: list[Replacement] = []
    indices: list[int] = []
    done = length = 0
    for match in _TOKEN.finditer(text):
        digits = match.group(1)
        # A token of thousands of digits is no token of ours (and too long for int()).
        index = int(digits) if len(digits) <= len(str(len(masked.spans))) else 0
        if not 1 <= index <= len(masked.spans):
            flags.append(Flag("protected", Severity.ERROR, f"unknown token {match.group(0)}"))
            continue
        out.append(text[done : match.start()])
        length += match.start() - done
        span = masked.spans[index - 1]
        replacements.append((match.start(), match.end(), length, length + len(span)))
        indices.append(index)
        out.append(span)
        length += len(span)
        done = match.end()
    out.append(text[done:])
    seen = set(indices)
    for index, original in enumerate(masked.spans, start=1):
        if index not in seen:
            flags.append(
                Flag("protected", Severity.ERROR, f"lost protected span {{{index}}}: {original}")
            )
    return Restored("".join(out), tuple(flags), tuple(replacements), tuple(indices))
