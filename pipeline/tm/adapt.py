"""What a fuzzy match differs in, and a match's target adapted to the source's numbers.

Both work on the tokens the fuzzy score counts (:data:`pipeline.tm.TOKEN`), compared
case-folded, and report the texts as written. A difference is a pair (what the match's
source has, what the segment's source has); one side is "" for a token only the other has.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher

from pipeline.locale import parse_digits, to_digits
from pipeline.records import normalise
from pipeline.tm import TOKEN

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Digit systems the pipeline writes, by the Unicode block name of a digit.
_SYSTEMS = {"MYANMAR": "mymr", "DEVANAGARI": "deva", "BENGALI": "beng"}

Difference = tuple[str, str]


def differences(source: str, match_source: str) -> list[Difference]:
    """Return what differs between a match's source and a segment's source, in text order.

    >>> differences("Police paid 1,300 on Monday.", "Police paid 1,250 on Tuesday.")
    [('1,250', '1,300'), ('Tuesday', 'Monday')]
    >>> differences("Police crossed the border again.", "Police crossed the border.")
    [('', 'again')]
    """
    ours, theirs = normalise(source), normalise(match_source)
    a = list(TOKEN.finditer(theirs))
    b = list(TOKEN.finditer(ours))
    matcher = SequenceMatcher(
        None, [m.group(0).casefold() for m in a], [m.group(0).casefold() for m in b], False
    )
    found: list[Difference] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        # Numbers replaced one for one are reported one by one: fill replaces each.
        if op == "replace" and i2 - i1 == j2 - j1:
            pairs = [(a[i], b[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            if all(_is_number(x.group(0)) and _is_number(y.group(0)) for x, y in pairs):
                found += [(x.group(0), y.group(0)) for x, y in pairs]
                continue
        found.append((_span(theirs, a[i1:i2]), _span(ours, b[j1:j2])))
    return found


def _span(text: str, tokens: Sequence[re.Match[str]]) -> str:
    return text[tokens[0].start() : tokens[-1].end()] if tokens else ""


def _is_number(token: str) -> bool:
    return _NUMBER.fullmatch(token) is not None


def _value(number: str) -> Decimal | None:
    try:
        return Decimal(parse_digits(number).replace(",", ""))
    except InvalidOperation:
        return None


def describe(found: Sequence[Difference]) -> str:
    """Return differences as one line, the match's text first.

    >>> describe([("1,250", "1,300"), ("", "again"), ("only", "")])
    '"1,250" → "1,300"; + "again"; − "only"'
    """
    parts = []
    for theirs, ours in found:
        if not theirs:
            parts.append(f'+ "{ours}"')
        elif not ours:
            parts.append(f'− "{theirs}"')
        else:
            parts.append(f'"{theirs}" → "{ours}"')
    return "; ".join(parts)


@dataclass(frozen=True)
class Adapted:
    """A match's target with the source's numbers: what was replaced, what was not found."""

    text: str
    replaced: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    # (start, end) in the match's target and the length written there instead, in order.
    edits: tuple[tuple[int, int, int], ...] = ()

    def offset(self, at: int) -> int:
        """Return where an offset of the match's target stands in the adapted text."""
        shift = 0
        for start, end, length in self.edits:
            if at <= start:
                break
            shift += length - (end - start) if at >= end else 0
        return at + shift


def adapt_numbers(target: str, found: Sequence[Difference]) -> Adapted:
    """Return a match's target with each differing number replaced by the source's.

    A number is found in the target by its value, whatever digits it is written in, and the
    source's number is written in the same digits.

    >>> adapted = adapt_numbers("ရဲ ၁,၂၅၀ ဦး", [("1,250", "1,300")])
    >>> adapted.text, adapted.replaced, adapted.missing
    ('ရဲ ၁,၃၀၀ ဦး', ('1,250 → 1,300',), ())
    >>> adapted = adapt_numbers("5 and 6 men", [("5", "15"), ("6", "7")])
    >>> adapted.text, adapted.offset(8)
    ('15 and 7 men', 9)
    >>> adapt_numbers("police", [("5", "6")]).missing
    ('5',)
    """
    replaced: list[str] = []
    missing: list[str] = []
    latin = parse_digits(target)  # one code point per digit: offsets agree
    numbers = list(_NUMBER.finditer(latin))
    edits: dict[int, tuple[int, str]] = {}  # start -> (end, new text)
    for theirs, ours in found:
        if not (theirs and ours and _is_number(theirs) and _is_number(ours)):
            continue
        wanted = _value(theirs)
        spot = next(
            (m for m in numbers if m.start() not in edits and _value(m.group(0)) == wanted),
            None,
        )
        if wanted is None or spot is None:
            missing.append(theirs)
            continue
        written = to_digits(parse_digits(ours), _system(target[spot.start() : spot.end()]))
        edits[spot.start()] = (spot.end(), written)
        replaced.append(f"{theirs} → {ours}")
    parts, done = [], 0
    for start in sorted(edits):
        end, written = edits[start]
        parts += [target[done:start], written]
        done = end
    parts.append(target[done:])
    spans = tuple((st, edits[st][0], len(edits[st][1])) for st in sorted(edits))
    return Adapted("".join(parts), tuple(replaced), tuple(missing), spans)


def _system(number: str) -> str:
    """Return the CLDR numbering system of the first digit of a number."""
    for ch in number:
        if ch.isdigit():
            name = unicodedata.name(ch, "")
            return next((v for k, v in _SYSTEMS.items() if name.startswith(k)), "latn")
    return "latn"
