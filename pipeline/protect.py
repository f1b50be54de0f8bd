"""Protected spans: masked before machine translation and restored after.

URLs, e-mail addresses and placeholders must come out of MT exactly as they went in. Each is
replaced by a numbered token ``{N}``: braces and digits are copied through by most MT models,
and a token the model drops or mangles is reported, never silently repaired.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.records import Flag, Severity

_PATTERNS = (
    # URLs: scheme or www., up to whitespace; trailing sentence punctuation is not part of it.
    r"(?:https?://|ftp://|www\.)[^\s<>\"“”]+[^\s<>\"“”.,;:!?)\]'’]",
    # E-mail addresses.
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    # Placeholders of common message formats: {name}, {{name}}, %s, %(name)s, $1.
    r"\{\{?\s*\w+\s*\}?\}|%(?:\(\w+\))?[sdif]|\$\d+",
)
_PROTECTED = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
# Models often add spaces inside or around the braces: accept those when restoring.
_TOKEN = re.compile(r"\{\s*(\d+)\s*\}")


# (start, end) in one text and (start, end) of what stands there in the other, in order.
Replacement = tuple[int, int, int, int]


def mapped(replacements: Sequence[Replacement], begin: int, end: int) -> tuple[int, int]:
    """Return a span of one text in the other; a span ending inside a replacement takes it all.

    >>> mapped([(4, 7, 4, 20)], 0, 5), mapped([(4, 7, 4, 20)], 7, 9)
    ((0, 20), (20, 22))
    """

    def point(at: int, start_side: bool) -> int:
        shift = 0
        for low, high, to_low, to_high in replacements:
            if low < at < high:
                return to_low if start_side else to_high
            if at < high or (at == low == high):
                break
            shift = to_high - high
        return at + shift

    return point(begin, True), max(point(begin, True), point(end, False))


@dataclass(frozen=True)
class Masked:
    """A text with its protected spans replaced by ``{1}``, ``{2}``…

    ``replacements`` says where each token stands in ``text`` and its span in the original.
    """

    text: str
    spans: tuple[str, ...]
    replacements: tuple[Replacement, ...] = ()

    def original(self, span: tuple[int, int]) -> tuple[int, int]:
        """Return a span of the masked text as a span of the original text."""
        return mapped(self.replacements, *span)


@dataclass(frozen=True)
class Restored:
    """A translation with its tokens replaced by the protected spans, and where they went."""

    text: str
    flags: tuple[Flag, ...]
    replacements: tuple[Replacement, ...] = ()

    def restored(self, span: tuple[int, int]) -> tuple[int, int]:
        """Return a span of the masked translation as a span of the restored one."""
        return mapped(self.replacements, *span)

    def token(self, index: int) -> tuple[int, int] | None:
        """Return the span of protected span ``index`` (from 1) when it was restored once."""
        found = [r for r, i in zip(self.replacements, self._indices, strict=True) if i == index]
        return (found[0][2], found[0][3]) if len(found) == 1 else None

    _indices: tuple[int, ...] = ()


def protected_spans(text: str) -> list[str]:
    """Return the protected spans of a text in order."""
    return [m.group(0) for m in _PROTECTED.finditer(text)]


def _runs(text: str, extra: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the spans to mask in order: the extra ranges, then patterns outside them."""
    ranges = sorted((b, e) for b, e in extra if e > b)
    merged: list[tuple[int, int]] = []
    for begin, end in ranges:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    found = [
        m.span()
        for m in _PROTECTED.finditer(text)
        if not any(m.start() < e and m.end() > b for b, e in merged)
    ]
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
        index = int(match.group(1))
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
    for index, original in enumerate(masked.spans, start=1):
        if index not in indices:
            flags.append(
                Flag("protected", Severity.ERROR, f"lost protected span {{{index}}}: {original}")
            )
    return Restored("".join(out), tuple(flags), tuple(replacements), tuple(indices))
