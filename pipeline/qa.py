"""Quality checks that flag a translation: numbers, protected spans, punctuation, tags…

Each check is a small function with one job: it takes a :class:`Pair` and yields
:class:`~pipeline.records.Flag` objects named after it. :func:`check` runs the registered
checks in order. Errors block publication (``--fail-on error``); warnings ask a reviewer to
look (``--fail-on warning``).

``tags`` checks inline codes when the caller passes them: a code missing, duplicated or
badly nested is an error; a code that projection had to put at a sentence edge (no
confident alignment) is a warning.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Protocol

from pipeline.burmese import ZAWGYI_THRESHOLD, zawgyi_probability
from pipeline.inline import tag_flags
from pipeline.locale import parse_digits
from pipeline.marks import stream_safe
from pipeline.protect import protected_matches
from pipeline.records import Code, Flag, Severity

E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Pair:
    """A source text and its translation as the checks see them: NFC, languages as primary tags."""

    source: str
    target: str
    source_lang: str
    target_lang: str
    protected: tuple[str, ...] = ()
    source_codes: tuple[Code, ...] = ()
    target_codes: tuple[Code, ...] = ()
    moved: tuple[int, ...] = ()

    @cached_property
    def extra_spans(self) -> list[str]:
        """Return the caller's protected spans (credits) that the source holds."""
        return [p for p in self.protected if p and p in self.source]

    @cached_property
    def source_spans(self) -> list[tuple[int, int]]:
        """Return where the source's URLs, addresses and placeholders stand."""
        return protected_matches(self.source)

    @cached_property
    def target_spans(self) -> list[tuple[int, int]]:
        """Return where the target's URLs, addresses and placeholders stand."""
        return protected_matches(self.target)

    @cached_property
    def required_spans(self) -> list[str]:
        """Return the spans the target must contain unchanged, once per source occurrence."""
        return [self.source[a:b] for a, b in self.source_spans] + self.extra_spans

    @cached_property
    def source_text(self) -> str:
        """Return the source without its protected spans."""
        return _without(_cut(self.source, self.source_spans), self.extra_spans)

    @cached_property
    def target_text(self) -> str:
        """Return the target without protected spans, mangled ones included (flagged apart).

        The target's own URLs, addresses and placeholders are cut where they stand; a
        source span kept in the target is one of them, or inside one.
        """
        return _without(_cut(self.target, self.target_spans), self.extra_spans)


class TermCheck(Protocol):
    """A glossary as the ``terms`` check uses it (:class:`pipeline.glossary.match.Glossary`)."""

    def check(self, source: str, target: str) -> list[Flag]:
        """Return the ``terms`` flags of a translation."""
        ...


class Check(Protocol):
    """A QA check: one job, flags named after it."""

    def __call__(self, pair: Pair, /) -> Iterable[Flag]: ...


def _primary(code: str) -> str:
    """Return the primary language subtag of a BCP 47, POSIX or Argos code."""
    primary = re.split(r"[-_]", code.strip().lower())[0]
    return {"zt": "zh", "pb": "pt"}.get(primary, primary)


def _without(text: str, spans: Iterable[str]) -> str:
    """Return text with each of a few given spans (a caller's credits) replaced by a space."""
    for span in sorted(set(spans), key=len, reverse=True):
        text = text.replace(span, " ")
    return text


def _cut(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Return text with each span, (start, end) in order, replaced by a space."""
    pieces, done = [], 0
    for start, end in spans:
        pieces += [text[done:start], " "]
        done = end
    return "".join([*pieces, text[done:]])


# --- empty -------------------------------------------------------------------------------

# A character that shows: the search stops at the first one, not at the end of a long text.
_VISIBLE = re.compile(r"[^\s\u200B-\u200D\u2060\uFEFF]")


def check_empty(pair: Pair) -> Iterator[Flag]:
    """Flag an empty translation of a non-empty source."""
    if not _VISIBLE.search(pair.target) and _VISIBLE.search(pair.source):
        yield Flag("empty", E, "the translation is empty")


# --- numbers -----------------------------------------------------------------------------

# Western (1,234,567) and Indian (12,34,567) grouping, with an optional decimal part. Not
# handled, so flagged for a reviewer: European grouping (1.234.567) and a scale rewritten in
# another system (50 million -> 5 करोड़).
# A 2-digit group after a group of 1-2 digits that started a number (not a decimal part):
# the Indian grouping was tried there and failed, and it fails again from here (the same
# run of 2-digit groups ends without a 3-digit one), so it is not tried. Without this,
# "11,11,11,…" was rescanned from every group (quadratic).
_TRIED = r"(?:(?<=[^\d.]\d,\d)|(?<=[^\d.]\d\d,\d)|(?<=^\d,\d)|(?<=^\d\d,\d))\d(?!\d)"
# The first digit comes before the lookbehind, so the regex engine skips ahead to digits.
_NUMBER = re.compile(
    rf"\d(?<!\d\d)(?:\d{{0,2}}(?:,\d{{3}})+|(?!{_TRIED})\d?(?:,\d{{2}})+,\d{{3}}|\d*)"
    r"(?:\.\d+)?(?!\d)"
)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# Number words whose value a translation may write in digits ("nine officials" -> "9").
_NUMBER_WORDS = {
    "en": (
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    ),
}


def _value(number: str) -> str:
    return format(Decimal(number.replace(",", "")).normalize(), "f")


def _numbers(text: str) -> tuple[Counter[str], list[tuple[str, str, str]]]:
    """Return the number values of a text and its ISO dates, digits of any script."""
    text = parse_digits(text).replace("\u066c", ",").replace("\u066b", ".")
    dates = [(y, m, d) for y, m, d in _ISO_DATE.findall(text)] if "-" in text else []
    # findall and Counter run in C: a text of a million numbers costs no Python step each.
    written = Counter(_NUMBER.findall(_ISO_DATE.sub(" ", text) if dates else text))
    values: Counter[str] = Counter()
    for number, count in written.items():  # each distinct spelling parsed once
        values[_value(number)] += count
    return values, dates


def check_numbers(pair: Pair) -> Iterator[Flag]:
    """Flag numbers missing from or added to the translation, across digits and groupings."""
    source, source_dates = _numbers(pair.source_text)
    target, target_dates = _numbers(pair.target_text)
    for date in source_dates:
        if date in target_dates:
            target_dates.remove(date)
            continue
        year, month, day = (_value(part) for part in date)
        if target[year] and target[day]:
            # Rendered in the target locale: the month may have become a word.
            target.subtract([year, day] + ([month] if target[month] else []))
        else:
            yield Flag("numbers", E, f"date {'-'.join(date)} is missing from the translation")
    for date in target_dates:
        yield Flag("numbers", E, f"date {'-'.join(date)} is not in the source")
    for value, count in (source - target).items():
        yield Flag("numbers", E, f"number {value} is missing from the translation" + _n(count))
    added = target - source
    spelled = _spelled(pair.source, pair.source_lang) if added else set()
    for value, count in added.items():
        if value not in spelled:
            yield Flag("numbers", E, f"number {value} is not in the source" + _n(count))


def _spelled(text: str, lang: str) -> set[str]:
    """Return the values of the number words a text spells out ("nine" -> "9")."""
    words = _NUMBER_WORDS.get(lang, ())
    if not words:
        return set()
    pattern = re.compile(rf"(?i)\b(?:{'|'.join(words)})\b")
    found = {match.group(0).casefold() for match in pattern.finditer(text)}
    return {str(i) for i, word in enumerate(words) if word in found}


def _n(count: int) -> str:
    return f" ({count} times)" if count > 1 else ""


# --- protected spans ---------------------------------------------------------------------


def check_protected(pair: Pair) -> Iterator[Flag]:
    """Flag URLs, e-mail addresses, placeholders and credits lost or changed in translation."""
    kept = Counter(pair.target[a:b] for a, b in pair.target_spans)
    searches = _SUBSTRING_SEARCHES
    for span, count in Counter(pair.required_spans).items():
        if kept[span] >= count:
            continue
        # Kept inside a longer span of the target (a URL run into Burmese text, which has no
        # spaces): a search of the whole target, for the first few spans only, so that a
        # text of thousands of distinct URLs costs no more than a few passes.
        if searches > 0:
            searches -= 1
            if pair.target.count(span) >= count:
                continue
        yield Flag("protected", E, f"protected span missing or changed: {span}")


# Distinct protected spans short in the target's own spans that are looked for in all of it.
_SUBSTRING_SEARCHES = 32


# --- end punctuation ---------------------------------------------------------------------

_CLOSERS = "\"'”’»›)]}」』 \u00a0"
_SOURCE_ENDS = {".": "stop", "।": "stop", "။": "stop", "。": "stop", "?": "question", "!": "bang"}
# What each kind of sentence end becomes, per target language: any listed mark is right.
# Burmese ends statements, questions and exclamations alike with ။ (a question is marked by
# its final particle); a Western ? or ! is also seen in modern text.
END_MARKS: dict[str, dict[str, str]] = {
    "en": {"stop": ".", "question": "?", "bang": "!"},
    "hi": {"stop": "।", "question": "?", "bang": "!"},
    "ne": {"stop": "।", "question": "?", "bang": "!"},
    "bn": {"stop": "।", "question": "?", "bang": "!"},
    "my": {"stop": "။", "question": "။?", "bang": "။!"},
}
_NATIVE_STOPS = "।॥။"
_DOUBLED = re.compile(rf"(?:[{_NATIVE_STOPS}][.?!{_NATIVE_STOPS}]|[.?!][{_NATIVE_STOPS}])$")


def check_end_punctuation(pair: Pair) -> Iterator[Flag]:
    """Flag a sentence end mark that is doubled, missing or not the target script's own."""
    marks = END_MARKS.get(pair.target_lang)
    target = pair.target.rstrip(_CLOSERS)
    if _DOUBLED.search(target[-2:]):
        yield Flag("punctuation", E, f"doubled end mark {target[-2:]!r}")
        return
    source = pair.source.rstrip(_CLOSERS)
    if marks is None or not source or not target or source.endswith(("…", "...", ":", ";")):
        return
    kind = _SOURCE_ENDS.get(source[-1])
    if kind is None:
        if target[-1] in _NATIVE_STOPS:
            yield Flag("punctuation", W, f"ends with {target[-1]!r} but the source has no end mark")
    elif target[-1] not in marks[kind]:
        punctuation = unicodedata.category(target[-1])[0] in "PS"  # "|" typed for "।" is Sm
        found = f"ends with {target[-1]!r}" if punctuation else "has no end mark"
        yield Flag("punctuation", W, f"{found}; expected {marks[kind][0]!r}")


# --- untranslated ------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def check_untranslated(pair: Pair) -> Iterator[Flag]:
    """Flag a translation identical to a source that has words to translate."""
    words = pair.source_text
    if _fold(pair.source) == _fold(pair.target) and any(map(str.isalpha, words)):
        yield Flag("untranslated", W, "the translation is the same as the source")


# --- script ------------------------------------------------------------------------------

_DEVANAGARI = ((0x0900, 0x097F), (0xA8E0, 0xA8FF))
# The script a target language is written in, as code point ranges.
SCRIPTS: dict[str, tuple[str, tuple[tuple[int, int], ...]]] = {
    "my": ("Myanmar", ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F))),
    "hi": ("Devanagari", _DEVANAGARI),
    "mr": ("Devanagari", _DEVANAGARI),
    "ne": ("Devanagari", _DEVANAGARI),
    "bn": ("Bengali", ((0x0980, 0x09FF),)),
}
# Below this share of letters in the target's script, the text is in the wrong script.
# Half leaves room for Latin names and acronyms (CDM, UN) in a real translation.
SCRIPT_MIN_SHARE = 0.5
_SCRIPT_MIN_LETTERS = 4


def check_script(pair: Pair) -> Iterator[Flag]:
    """Flag a translation mostly outside its language's script, or with letters of a third one."""
    script = SCRIPTS.get(pair.target_lang)
    if script is None:
        return
    name, ranges = script
    # Letters and combining marks: abugidas write vowels as marks, so both count. Counted
    # per distinct character: a long text costs one pass in C, not a Python step per letter.
    letters = {
        ch: n for ch, n in Counter(pair.target_text).items() if unicodedata.category(ch)[0] in "LM"
    }
    total = sum(letters.values())
    if total < _SCRIPT_MIN_LETTERS:
        return
    own = {ch for ch in letters if any(lo <= ord(ch) <= hi for lo, hi in ranges)}
    share = sum(letters[ch] for ch in own) / total
    if share < SCRIPT_MIN_SHARE:
        yield Flag("script", E, f"only {share:.0%} of the letters are {name}")
        return
    # Latin (names, acronyms) and whatever the source writes may stand in a translation;
    # a few letters of a third script (Myanmar in Hindi) are a mix-up, never a name.
    allowed = {"LATIN", *_SHARED, *map(_script_word, set(pair.source_text))}
    foreign: Counter[str] = Counter()
    for ch, n in letters.items():
        if ch not in own and (word := _script_word(ch)) not in allowed:
            foreign[word] += n
    if foreign:
        share = sum(foreign.values()) / total
        scripts = " and ".join(word.title() for word, _ in foreign.most_common())
        yield Flag("script", E, f"{share:.0%} of the letters are {scripts}, not {name}")


# Name prefixes of marks and letters that several scripts share.
_SHARED = frozenset({"COMBINING", "MODIFIER", "UNKNOWN"})


def _script_word(ch: str) -> str:
    """Return the first word of a character's Unicode name, which names its script.

    >>> _script_word("क"), _script_word("က"), _script_word("a"), _script_word("1")
    ('DEVANAGARI', 'MYANMAR', 'LATIN', 'DIGIT')
    """
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]


# --- length ratio ------------------------------------------------------------------------

# Expected target/source length in characters (whitespace runs count as one), per pair.
# Devanagari Hindi runs about 1.0-1.1x English (vowel signs are code points of their own and
# postpositions are separate words); Unicode Burmese about 1.25x (medials, asat and tone marks
# are code points too). Measured on the seed sentences translated in tests/test_qa.py:
# en-hi 0.85-1.27 (mean 1.03), en-my 0.90-1.65 (mean 1.24). The ranges are wide on purpose:
# one sentence varies far more than a corpus, and only outliers (truncation, hallucinated
# additions) should be flagged. A reversed pair uses the inverse range.
LENGTH_RATIOS: dict[tuple[str, str], tuple[float, float]] = {
    ("en", "hi"): (0.6, 2.0),
    ("en", "my"): (0.7, 2.6),
}
DEFAULT_LENGTH_RATIO = (0.4, 3.0)
# Shorter sources (headings, names) vary too much for a ratio to mean anything.
LENGTH_MIN_SOURCE = 20


def length_ratio_range(source_lang: str, target_lang: str) -> tuple[float, float]:
    """Return the expected range of target/source length for a language pair."""
    if (source_lang, target_lang) in LENGTH_RATIOS:
        return LENGTH_RATIOS[source_lang, target_lang]
    if (target_lang, source_lang) in LENGTH_RATIOS:
        low, high = LENGTH_RATIOS[target_lang, source_lang]
        return 1 / high, 1 / low
    return DEFAULT_LENGTH_RATIO


def check_length(pair: Pair) -> Iterator[Flag]:
    """Flag a translation far shorter or longer than its language pair makes likely."""
    source, target = " ".join(pair.source.split()), " ".join(pair.target.split())
    if len(source) < LENGTH_MIN_SOURCE or not target:
        return
    low, high = length_ratio_range(pair.source_lang, pair.target_lang)
    ratio = len(target) / len(source)
    if not low <= ratio <= high:
        yield Flag("length", W, f"length ratio {ratio:.2f} is outside {low:.2f}-{high:.2f}")


# --- repetition --------------------------------------------------------------------------

# A unit of 1-40 characters (spaces removed, so Burmese without word spaces is covered)
# repeated at least 4 times in a row: the decoder loop of a failing MT model.
REPEAT_MIN = 4
_REPEAT = re.compile(rf"(.{{1,40}}?)\1{{{REPEAT_MIN - 1},}}")


def _loops(text: str) -> Iterator[tuple[str, int]]:
    for match in _REPEAT.finditer("".join(text.split())):
        unit = match.group(1)
        if any(ch.isalpha() for ch in unit):
            yield unit, len(match.group(0)) // len(unit)


def check_repetition(pair: Pair) -> Iterator[Flag]:
    """Flag a word or phrase repeated 4 or more times in a row that the source does not repeat."""
    if any(_loops(pair.source)):
        return
    for unit, times in _loops(pair.target):
        yield Flag("repetition", E, f"{unit!r} repeated {times} times in a row")


# --- zawgyi ------------------------------------------------------------------------------


def check_zawgyi(pair: Pair) -> Iterator[Flag]:
    """Flag Burmese text in the legacy Zawgyi encoding instead of Unicode."""
    probability = zawgyi_probability(pair.target)
    if probability > ZAWGYI_THRESHOLD:
        yield Flag("zawgyi", E, f"Zawgyi-encoded Burmese (probability {probability:.3f})")


# --- inline codes ------------------------------------------------------------------------


def check_tags(pair: Pair) -> Iterator[Flag]:
    """Flag inline codes missing, duplicated or badly nested, and codes moved to an edge."""
    if pair.source_codes or pair.target_codes:
        yield from tag_flags(pair.source_codes, pair.target_codes, pair.moved)


# --- running the checks ------------------------------------------------------------------

CHECKS: tuple[Check, ...] = (
    check_empty,
    check_numbers,
    check_protected,
    check_end_punctuation,
    check_untranslated,
    check_script,
    check_length,
    check_repetition,
    check_zawgyi,
    check_tags,
)
# Pseudo-translations are accented Latin by design: only what they must carry is checked.
PSEUDO_CHECKS: tuple[Check, ...] = (
    check_empty,
    check_numbers,
    check_protected,
    check_repetition,
    check_tags,
)


def check(
    source: str,
    target: str,
    source_lang: str,
    target_lang: str,
    *,
    protected: Sequence[str] = (),
    pseudo: bool = False,
    source_codes: Sequence[Code] = (),
    target_codes: Sequence[Code] = (),
    moved: Sequence[int] = (),
    terms: TermCheck | None = None,
) -> tuple[Flag, ...]:
    """Run the QA checks on a translation; ``protected`` adds spans (credits) to keep as is.

    ``source_codes`` and ``target_codes`` are the inline codes of both sides, ``moved`` the
    ids of codes projection put at a sentence edge (see :func:`check_tags`). ``terms`` is the
    language pair's glossary: the ``terms`` check (a missing approved target term is a
    warning, a forbidden term an error) runs only with one; on pseudo-translations too, since
    it checks what the pipeline did with the terms (kept through the model or not).

    >>> flags = check("More than 1,500 have also been arrested.",
    ...               "१,६०० से अधिक लोगों को गिरफ्तार भी किया गया है।", "en", "hi")
    >>> [flag.message for flag in flags]
    ['number 1500 is missing from the translation', 'number 1600 is not in the source']
    """

    def nfc(text: str) -> str:
        # Runs of marks bounded first: NFC sorts a run in time quadratic in its length.
        return unicodedata.normalize("NFC", stream_safe(text))

    pair = Pair(
        nfc(source),
        nfc(target),
        _primary(source_lang),
        _primary(target_lang),
        tuple(nfc(p) for p in protected),
        tuple(source_codes),
        tuple(target_codes),
        tuple(moved),
    )
    empty = tuple(check_empty(pair))
    if empty:
        return empty
    checks = PSEUDO_CHECKS if pseudo else CHECKS
    found = tuple(flag for run in checks if run is not check_empty for flag in run(pair))
    if terms is not None:
        found += tuple(terms.check(pair.source, pair.target))
    return found


_RANK = {Severity.WARNING: 1, Severity.ERROR: 2}


def worst(flags: Iterable[Flag]) -> Severity | None:
    """Return the most severe severity among flags, or None when there are none."""
    return max((flag.severity for flag in flags), key=_RANK.__getitem__, default=None)


def fails(flags: Iterable[Flag], level: Severity) -> bool:
    """Return whether any flag is at least as severe as the level (``--fail-on``)."""
    found = worst(flags)
    return found is not None and _RANK[found] >= _RANK[level]
