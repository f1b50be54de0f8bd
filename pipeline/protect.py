"""Protected spans: masked before machine translation and restored after.

URLs, e-mail addresses and placeholders must come out of MT exactly as they went in. Each is
replaced by a numbered token ``{N}``: braces and digits are copied through by most MT models,
and a token the model drops or mangles is reported, never silently repaired.
"""

from __future__ import annotations

import re
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


@dataclass(frozen=True)
class Masked:
    """A text with its protected spans replaced by ``{1}``, ``{2}``…"""

    text: str
    spans: tuple[str, ...]


def protected_spans(text: str) -> list[str]:
    """Return the protected spans of a text in order."""
    return [m.group(0) for m in _PROTECTED.finditer(text)]


def mask(text: str) -> Masked:
    """Replace each protected span by a numbered token."""
    spans: list[str] = []

    def token(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return "{" + str(len(spans)) + "}"

    return Masked(_PROTECTED.sub(token, text), tuple(spans))


def unmask(text: str, masked: Masked) -> tuple[str, tuple[Flag, ...]]:
    """Put the protected spans back into a translation; flag any token lost or invented.

    >>> m = mask("Write to desk@example.org today.")
    >>> m.text
    'Write to {1} today.'
    >>> unmask("{ 1 } ကို စာရေးပါ။", m)
    ('desk@example.org ကို စာရေးပါ။', ())
    """
    seen: set[int] = set()
    flags: list[Flag] = []

    def span(match: re.Match[str]) -> str:
        index = int(match.group(1))
        if 1 <= index <= len(masked.spans):
            seen.add(index)
            return masked.spans[index - 1]
        flags.append(Flag("protected", Severity.ERROR, f"unknown token {match.group(0)}"))
        return match.group(0)

    restored = _TOKEN.sub(span, text) if masked.spans else text
    for index, original in enumerate(masked.spans, start=1):
        if index not in seen:
            flags.append(
                Flag("protected", Severity.ERROR, f"lost protected span {{{index}}}: {original}")
            )
    return restored, tuple(flags)
