"""Split article text into paragraphs and sentences and find datelines, captions and credits.

Sentences come from ``sentencex`` (Wikimedia's rule-based splitter); the post-rules below
only fix what it was measured to get wrong, each with a test in ``tests/test_segment.py``.
Everything here is a pure function over strings and ``(start, end)`` offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise

import sentencex

from pipeline.records import SegmentKind

Bounds = tuple[int, int]
Part = tuple[SegmentKind, int, int]

_PARAGRAPH = re.compile(r"(?:^[ \t]*\S[^\n]*(?:\n|\Z))+", re.MULTILINE)
_TERMINALS = ".!?।॥။…"
_OPENERS = "\"'“‘«([{"
# Sentence ends that need no space after them: Chinese and Japanese full stops, and the
# Devanagari and Burmese ones, which never stand inside a word.
_UNSPACED_TERMINALS = ("。", "！", "？", "｡", "．", "।", "॥", "။")
_CLOSERS = "\"'”’»)]}"
# Sentence ends after which the next sentence follows with no space, when a translation
# is joined: Chinese and Japanese full stops, and Burmese ။.
_NO_SPACE_AFTER = ("。", "！", "？", "｡", "．", "။")
CREDIT_GAP = " - "
# sentencex never breaks after a closing bracket: "(It was late.) Next." stays one sentence.
_BRACKET_END = re.compile(rf"[{_TERMINALS}][\"'”’»]*[)\]]\s+")
# sentencex breaks after "..." before a capital, but never after the single character "…".
_ELLIPSIS_END = re.compile(r"…[\"'”’»)\]]*\s+")
# Burmese quotative particles: ‹“…။” လို့ ပြောတယ်။› is one sentence ("… he said").
_MY_QUOTATIVE = ("လို့", "လို", "ဟု", "ဟူ", "တဲ့")
# Abbreviations sentencex breaks after (measured): डॉ. = Dr., प्रो. = Prof.
_NO_BREAK_AFTER = {"hi": ("डॉ.", "प्रो.")}

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
_SEPARATOR = r"\s*[-–—:](?=\s|$)"
_ISO_DATELINE = re.compile(rf"(?i:date:?\s+)?\d{{4}}-\d{{2}}-\d{{2}}(?:{_SEPARATOR})?(?=\s|$)")
_LONG_DATE = rf"{_DAY}(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}})"
_LONG_DATELINE = re.compile(rf"{_LONG_DATE}(?:{_SEPARATOR}|$)")
_WIRE_DATELINE = re.compile(
    r"[A-Z][A-Z'.\-]+(?:\s+[A-Z][A-Z'.\-]+)*"  # YANGON, NEW DELHI
    r"(?:,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)*?"  # , Myanmar
    rf"(?P<date>,\s*{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?)?"  # , March 5
    r"(?P<agency>\s*\([A-Z][^()\n]{0,30}\))?"  # (Reuters)
    rf"{_SEPARATOR}"
)
_CREDIT_DASH = re.compile(r"\s[-–—]\s+")
_CREDIT_WORDS = {"and", "de", "del", "der", "da", "di", "du", "la", "le", "van", "von", "via", "of"}
_CREDIT_MAX_WORDS = 8
_CREDITED = (SegmentKind.TEXT, SegmentKind.CAPTION)


def paragraph_bounds(text: str) -> list[Bounds]:
    """Return the (start, end) of each blank-line-separated paragraph, whitespace trimmed."""
    return [_trim(text, m.start(), m.end()) for m in _PARAGRAPH.finditer(text)]


def split_sentences(text: str, lang: str) -> list[str]:
    """Return the sentences of one paragraph's text."""
    return [text[start:end] for start, end in sentence_bounds(text, lang)]


def sentence_bounds(text: str, lang: str, keep: Sequence[Bounds] = ()) -> list[Bounds]:
    """Return the (start, end) of each sentence; none ends strictly inside a ``keep`` range."""
    cuts = {
        _before_openers(text, _after_closers(text, cut))
        for cut in _base_cuts(text, lang) | _extra_cuts(text)
    }
    inside = _inside(keep)
    kept = sorted(
        cut
        for cut in cuts
        if 0 < cut < len(text) and not inside(cut) and not _wrong_cut(text, cut, lang)
    )
    pieces = [
        _trim(text, start, end) for start, end in zip([0, *kept], [*kept, len(text)], strict=True)
    ]
    return [(start, end) for start, end in pieces if start < end]


def _inside(ranges: Sequence[Bounds]) -> Callable[[int], bool]:
    """Return a test of whether an offset is strictly inside one of the ranges.

    A binary search over the ranges by start, with the furthest end reached so far: a
    paragraph of many codes and many sentences is not compared range by range.

    >>> inside = _inside([(5, 9), (0, 3), (6, 7)])
    >>> [at for at in range(10) if inside(at)]
    [1, 2, 6, 7, 8]
    """
    ordered = sorted(ranges)
    starts = [start for start, _ in ordered]
    reach = list(accumulate((end for _, end in ordered), max))

    def inside(at: int) -> bool:
        index = bisect_left(starts, at)
        return index > 0 and reach[index - 1] > at

    return inside


def classify(text: str, kind: SegmentKind = SegmentKind.TEXT) -> list[Part]:
    """Split a paragraph into an optional dateline, its body and an optional trailing credit."""
    parts: list[Part] = []
    start = 0
    if kind is SegmentKind.TEXT:
        dateline = _dateline_end(text)
        if dateline:
            parts.append((SegmentKind.DATELINE, 0, dateline))
            start = _trim(text, dateline, len(text))[0]
    if start >= len(text):
        return parts
    credit = _credit_split(text, start, kind) if kind in _CREDITED else None
    if credit is None:
        return [*parts, (kind, start, len(text))]
    body_end, credit_start = credit
    return [
        *parts,
        (SegmentKind.CAPTION, start, body_end),
        (SegmentKind.CREDIT, credit_start, len(text)),
    ]


def segment_bounds(
    text: str, lang: str, kind: SegmentKind = SegmentKind.TEXT, keep: Sequence[Bounds] = ()
) -> list[Part]:
    """Return the (kind, start, end) of each segment of one paragraph's text."""
    segments: list[Part] = []
    for part_kind, start, end in classify(text, kind):
        if part_kind in (SegmentKind.DATELINE, SegmentKind.CREDIT):
            segments.append((part_kind, start, end))
            continue
        inner = [(s - start, e - start) for s, e in keep]
        for s, e in sentence_bounds(text[start:end], lang, inner):
            segments.append((part_kind, start + s, start + e))
    return segments


@dataclass(frozen=True)
class Placed:
    """One segment as it stands in a rebuilt paragraph: its source, target and written form."""

    kind: SegmentKind
    source: str
    target: str
    written: str


def default_gaps(kinds: Sequence[SegmentKind]) -> tuple[str, ...]:
    """Return the gaps a paragraph has when its skeleton records none: " - " before a credit.

    The first and last are what stands before the first segment and after the last.
    """
    between = (CREDIT_GAP if kind is SegmentKind.CREDIT else " " for kind in kinds[1:])
    return ("", *between, "")


def gaps_between(text: str, parts: Sequence[Part]) -> tuple[str, ...]:
    """Return the original characters before, between and after the segments of a paragraph.

    >>> text = SegmentKind.TEXT
    >>> gaps_between("A. B。C\xa0", [(text, 0, 2), (text, 3, 5), (text, 5, 6)])
    ('', ' ', '', '\xa0')
    """
    if not parts:
        return ()
    between = (text[before[2] : after[1]] for before, after in pairwise(parts))
    return (text[: parts[0][1]], *between, text[parts[-1][2] :])


def join_segments(
    parts: Iterable[Placed | tuple[SegmentKind, str]],
    gaps: Sequence[str] | None = None,
    escape: Callable[[str, None], str] | None = None,
) -> str:
    """Return a paragraph from its segments, each gap the original's, fitted to the target.

    ``gaps`` are the original characters before, between and after segments
    (``default_gaps`` when the skeleton records none); ``escape`` writes a gap for the
    article's format (a reader's ``Escaper``).
    """
    placed = [
        part if isinstance(part, Placed) else Placed(*part, part[1], part[1]) for part in parts
    ]
    if not placed:
        return ""
    if gaps is None or len(gaps) != len(placed) + 1:
        gaps = default_gaps([part.kind for part in placed])

    def written(gap: str) -> str:
        return escape(gap, None) if escape and gap else gap

    pieces = [written(gaps[0]), placed[0].written]
    for (before, after), gap in zip(pairwise(placed), gaps[1:-1], strict=True):
        pieces += [written(fitted_gap(before, gap, after)), after.written]
    return "".join([*pieces, written(gaps[-1])])


def fitted_gap(before: Placed, gap: str, after: Placed) -> str:
    """Return the gap between two sentences as the target language writes it.

    A dateline's or credit's separator is kept as it is. Between sentences the original's
    gap is kept when the source and target sentence ends agree on spacing; otherwise the
    target's rule wins: none after a sentence end that wants no space (Chinese and Japanese
    。！？, Burmese ။), one space after any other when the source had none.
    """
    if SegmentKind.DATELINE in (before.kind, after.kind) or after.kind is SegmentKind.CREDIT:
        return gap
    unspaced = unspaced_end(before.target)
    if unspaced == unspaced_end(before.source):
        return gap
    if unspaced:
        return ""
    return gap if gap else " "


def unspaced_end(text: str) -> bool:
    """Return whether text ends a sentence with a stop after which no space is written.

    >>> unspaced_end("这是一句。"), unspaced_end("It is."), unspaced_end("ဒါပါ။”")
    (True, False, True)
    """
    return text.rstrip().rstrip(_CLOSERS + "」』）】")[-1:] in _NO_SPACE_AFTER


def _trim(text: str, start: int, end: int) -> Bounds:
    """Return (start, end) moved inwards past whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _base_cuts(text: str, lang: str) -> set[int]:
    """Return the offsets where sentencex starts a new sentence."""
    boundaries = sentencex.get_sentence_boundaries(lang, text)
    return {int(boundary["start_index"]) for boundary in boundaries[1:]}


def _extra_cuts(text: str) -> set[int]:
    """Return sentence starts sentencex misses: after "(….)" and after "…"."""
    cuts = {m.end() for m in _BRACKET_END.finditer(text) if _opens_sentence(text, m.end(), True)}
    # "…" is split where sentencex splits "...": before a capital or an uncased letter.
    cuts |= {m.end() for m in _ELLIPSIS_END.finditer(text) if _opens_sentence(text, m.end(), False)}
    return cuts


def _opens_sentence(text: str, index: int, digits: bool) -> bool:
    """Return whether a sentence can start at text[index]: a capital or uncased letter, or digit."""
    while index < len(text) and text[index] in _OPENERS:
        index += 1
    if index >= len(text):
        return False
    char = text[index]
    return (char.isalpha() and not char.islower()) or (digits and char.isdigit())


def _after_closers(text: str, cut: int) -> int:
    """Return the cut moved past closing quotes/brackets, which belong to the sentence before."""
    moved = cut
    while moved < len(text) and text[moved] in _CLOSERS:
        moved += 1
    if moved == cut or (moved < len(text) and not text[moved].isspace()):
        return cut
    return _trim(text, moved, len(text))[0]


def _before_openers(text: str, cut: int) -> int:
    """Return the cut moved back before opening quotes/brackets, which open the next sentence.

    sentencex cuts ``said. “Most`` after the quote; the quote belongs to the sentence it opens.
    """
    moved = cut
    while moved > 0 and text[moved - 1] in _OPENERS and text[moved - 1] not in "\"'":
        moved -= 1
    if moved == cut or (moved > 0 and not text[moved - 1].isspace()):
        return cut
    return moved


def _wrong_cut(text: str, cut: int, lang: str) -> bool:
    """Return whether a sentencex boundary is known to be wrong for this language."""
    if not text[cut - 1].isspace() and not text[cut].isspace():
        # No space at the cut ("FastMail.FM", "...or", "said.(Oleg"): no sentence ends there,
        # except after a terminal that needs none (Chinese 。, Hindi ।).
        end = _stripped_end(text, cut, _CLOSERS)
        return text[end - 1 : end] not in _UNSPACED_TERMINALS if end else True
    # sentencex splits decimals written in Devanagari or Burmese digits: ३.५, ၃.၅.
    if text[cut - 1] == "." and text[cut - 2 : cut - 1].isdigit() and text[cut].isdigit():
        return True
    # The text before the cut, trailing spaces stripped, read from its end: a copy of all
    # of it for each cut made a text of many short sentences quadratic.
    end = _stripped_end(text, cut)
    last = text[end - 1 : end]
    # ၊ is the Burmese comma, yet sentencex treats it as a full stop.
    if last == "၊":
        return True
    if lang == "my" and end >= 2 and text[end - 2] == "။" and last in _CLOSERS:
        return text.startswith(_MY_QUOTATIVE, cut)
    return any(
        text.endswith(abbreviation, 0, end)
        and (end == len(abbreviation) or text[end - len(abbreviation) - 1] == " ")
        for abbreviation in _NO_BREAK_AFTER.get(lang, ())
    )


def _stripped_end(text: str, end: int, chars: str | None = None) -> int:
    """Return where ``text[:end].rstrip(chars)`` ends, without copying the text.

    >>> _stripped_end("said.”  ", 8), _stripped_end("said.”", 6, "”"), _stripped_end("  ", 2)
    (6, 5, 0)
    """
    while end > 0 and (text[end - 1].isspace() if chars is None else text[end - 1] in chars):
        end -= 1
    return end


def _dateline_end(text: str) -> int:
    """Return the end of a leading dateline ("date 2021-03-05", "YANGON, March 5 (Reuters) -")."""
    for pattern in (_ISO_DATELINE, _LONG_DATELINE):
        match = pattern.match(text)
        if match:
            return match.end()
    wire = _WIRE_DATELINE.match(text)
    if wire and (wire.group("date") or wire.group("agency")):
        return wire.end()
    return 0


def _credit_split(text: str, start: int, kind: SegmentKind) -> Bounds | None:
    """Return (body end, credit start) when the paragraph ends in " - Name /Agency"."""
    dashes = list(_CREDIT_DASH.finditer(text, start))
    if not dashes:
        return None
    body_end = _trim(text, start, dashes[-1].start())[1]
    credit_start = dashes[-1].end()
    body, credit = text[start:body_end], text[credit_start:]
    # A caption is not running prose: prose ends its sentence before the dash.
    if not body or (kind is SegmentKind.TEXT and _ends_sentence(body)):
        return None
    return (body_end, credit_start) if _is_credit(credit) else None


def _ends_sentence(text: str) -> bool:
    """Return whether text ends with sentence-final punctuation, perhaps inside quotes."""
    return text.rstrip(_CLOSERS)[-1:] in tuple(_TERMINALS + ":;,")


def _is_credit(text: str) -> bool:
    """Return whether text is a short name or agency: capitalised words, no final punctuation."""
    words = text.split()
    if not 0 < len(words) <= _CREDIT_MAX_WORDS or _ends_sentence(text) or len(text) > 80:
        return False
    return all(word in _CREDIT_WORDS or _is_name_word(word) for word in words)


def _is_name_word(word: str) -> bool:
    """Return whether a word (past "/", "(", "@") starts with a capital, digit or uncased letter."""
    letters = word.lstrip("/(@&|")
    if not letters:
        return True
    return letters[0].isalnum() and not letters[0].islower()
