"""Burmese text hygiene: Zawgyi detection and conversion, NFC, and zero-width characters.

Much Burmese text still arrives in Zawgyi, a legacy font encoding that reuses the Myanmar
Unicode block with different meanings and a visual character order. Zawgyi detection is
Google's ``myanmartools`` (a Markov model over code point pairs, the detector behind Android
and Facebook's migration); conversion is ``paraencoder``'s ordered Parabaik-style rules, pure
Python. Checked against the Zawgyi/Unicode pairs myanmar-tools publishes (a government news
page and the UDHR), paraencoder agreed with ICU's reference ``Zawgyi-my`` transform on 159 of
166 lines, and most of the rest were digit zero ``၀`` left by ICU where the word needs the
letter wa ``ဝ``. ICU itself would mean a 16-65 MB native wheel; python-myanmar, the older
pure-Python choice, has had no release since 2020 and agreed on only 89.

Zero-width characters are handled the same way in every language:

- U+200B ZERO WIDTH SPACE is kept between two visible characters: Burmese writes no spaces
  between words, and ZWSP is how Burmese text marks where a line may break. Removing it would
  change how the text wraps. It is dropped only where it marks nothing: at either end of the
  text, next to whitespace, and as a repeat of itself.
- U+200C ZWNJ and U+200D ZWJ are kept between two visible characters, where they change
  shaping (Devanagari half forms, Persian words, emoji sequences), and dropped where they
  cannot join anything: at the ends of the text, next to whitespace, or repeated.
- U+FEFF is removed everywhere: inside text it is a stray byte order mark from joined files,
  and its old no-break use belongs to U+2060 WORD JOINER, which is kept.

Control characters follow one rule, the same at ingest, desk save and every import
(``strip_controls``): those that mean something become what they mean, the rest are removed,
and each change is reported.

- A line break inside a paragraph (vertical tab, as Word writes a manual line break; form
  feed; NEL U+0085; U+2028 LINE SEPARATOR; U+2029 PARAGRAPH SEPARATOR) becomes U+2028, the
  one character that means "line break" in the plain text of a segment. Readers and the
  article export write it as the format's line break: HTML ``<br>``, a Markdown hard break,
  a line feed in plain text.
- A tab inside a segment's text becomes a space (``spaced``; a file's own tabs, which
  indent Markdown code, are layout and stay).
- The rest are not text in any language and XML cannot hold them: other C0 controls, DEL,
  C1 controls (U+0080-U+009F), U+FFFE, U+FFFF and lone surrogates are removed. Nothing is
  turned into U+FFFD.

Every change is reported, so the store can record what normalisation did to a text.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from dataclasses import dataclass
from functools import cache

from myanmartools import ZawgyiDetector  # type: ignore[import-untyped]
from para.convert import zg_to_unicode  # type: ignore[import-untyped]

# Google's guidance for myanmartools: 0.95 when conversion happens automatically, so that
# fewer than 1% of Unicode strings are taken for Zawgyi. Whole Zawgyi sentences score above
# 0.999 and Unicode ones below 0.001; short fragments fall in between.
ZAWGYI_THRESHOLD = 0.95

_MYANMAR = re.compile(r"[\u1000-\u109F\uA9E0-\uA9FF\uAA60-\uAA7F]")
_MYANMAR_RUN = re.compile(r"[\u1000-\u109F\uA9E0-\uA9FF\uAA60-\uAA7F]+")
# The Myanmar characters the Zawgyi model reads (about 0.1 s): a whole sentence already
# scores above 0.999 or below 0.001, and the model steps through each character in Python
# (7 s for a 1 MB text, which the desk checks on each keystroke).
ZAWGYI_SAMPLE = 16384
_ZERO_WIDTH = re.compile(r"[\u200B-\u200D\uFEFF]+")
LINE_BREAK = "\u2028"
# Characters that mean a line break inside a paragraph.
_BREAKS = re.compile("[\x0b\x0c\x85\u2029]")
# Characters that are not text: C0 but tab, LF and CR; DEL; C1 but NEL; noncharacters
# XML cannot hold; lone surrogates (JSON can carry them).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
_NAMES = {
    "\u200b": "U+200B ZERO WIDTH SPACE",
    "\u200c": "U+200C ZERO WIDTH NON-JOINER",
    "\u200d": "U+200D ZERO WIDTH JOINER",
    "\ufeff": "U+FEFF BYTE ORDER MARK",
}


@dataclass(frozen=True)
class Normalised:
    """A text after normalisation, with what was done to it."""

    text: str
    converted: bool = False
    zawgyi_probability: float = 0.0
    changes: tuple[str, ...] = ()


@cache
def _detector() -> ZawgyiDetector:
    # myanmartools loads its model with importlib.resources.open_binary, deprecated on
    # Python 3.11-3.12 (and undeprecated in 3.13): silence that one warning, only here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "open_binary is deprecated", DeprecationWarning)
        return ZawgyiDetector()


def has_myanmar(text: str) -> bool:
    """Return whether the text contains any Myanmar script."""
    return _MYANMAR.search(text) is not None


def zawgyi_probability(text: str) -> float:
    """Return the probability that the Myanmar text in a string is Zawgyi (0.0 when none).

    >>> zawgyi_probability("ျမန္မာ") > 0.999, zawgyi_probability("မြန်မာ") < 0.001
    (True, True)
    """
    if not has_myanmar(text):
        return 0.0
    probability = float(_detector().get_zawgyi_probability(_sample(text)))
    return 0.0 if math.isinf(probability) or math.isnan(probability) else probability


def _sample(text: str) -> str:
    """Return the first ``ZAWGYI_SAMPLE`` Myanmar characters of a long text, runs kept apart.

    The model reads every other character as one "foreign" state, so a space between runs
    scores as whatever stood there: a text with fewer Myanmar characters scores the same.
    """
    if len(text) <= ZAWGYI_SAMPLE:
        return text
    runs: list[str] = []
    left = ZAWGYI_SAMPLE
    for match in _MYANMAR_RUN.finditer(text):
        runs.append(text[match.start() : min(match.end(), match.start() + left)])
        left -= len(runs[-1])
        if left <= 0:
            break
    return " ".join(runs)


def is_zawgyi(text: str, threshold: float = ZAWGYI_THRESHOLD) -> bool:
    """Return whether a text is Zawgyi with a probability above the threshold."""
    return zawgyi_probability(text) > threshold


def zawgyi_to_unicode(text: str) -> str:
    """Convert Zawgyi text to NFC Unicode, whatever the detector thinks of it.

    >>> zawgyi_to_unicode("ျမန္မာႏိုင္ငံ")
    'မြန်မာနိုင်ငံ'
    """
    return unicodedata.normalize("NFC", str(zg_to_unicode(text, normalize=False, force=True)))


def _removed(counts: dict[str, int], why: str) -> list[str]:
    return [f"removed {n} × {_NAMES[ch]} ({why})" for ch, n in counts.items() if n]


def strip_zero_width(text: str) -> tuple[str, tuple[str, ...]]:
    """Drop byte order marks and the zero-width characters that mark nothing; report each.

    >>> text, changes = strip_zero_width("\\ufeffမြန်မာ\\u200b\\u200bစာ\\u200b ")
    >>> text == "မြန်မာ\\u200bစာ "
    True
    >>> for change in changes: print(change)
    removed 1 × U+FEFF BYTE ORDER MARK (stray)
    removed 2 × U+200B ZERO WIDTH SPACE (redundant)
    """
    boms = text.count("\ufeff")
    text = text.replace("\ufeff", "")
    redundant = dict.fromkeys(_NAMES, 0)

    def keep(match: re.Match[str]) -> str:
        run = match.group(0)
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        kept = "" if before.isspace() or after.isspace() else "".join(dict.fromkeys(run))
        for ch in run:
            redundant[ch] += 1
        for ch in kept:
            redundant[ch] -= 1
        return kept

    text = _ZERO_WIDTH.sub(keep, text)
    changes = _removed({"\ufeff": boms}, "stray") + _removed(redundant, "redundant")
    return text, tuple(changes)


def normalise_burmese(
    text: str, threshold: float = ZAWGYI_THRESHOLD, *, segment: bool = True
) -> Normalised:
    """Convert Zawgyi above the threshold, NFC-normalise and tidy zero-width characters.

    >>> n = normalise_burmese("ရန္ကုန္ၿမိဳ႕")
    >>> n.text, n.converted, n.changes[0]
    ('ရန်ကုန်မြို့', True, 'converted from Zawgyi (probability 1.000)')
    """
    probability = zawgyi_probability(text)
    changes: list[str] = []
    converted = probability > threshold
    if converted:
        zwsp = text.count("\u200b")
        text = zawgyi_to_unicode(text)
        changes.append(f"converted from Zawgyi (probability {probability:.3f})")
        # The converter reorders across zero-width spaces and drops them.
        if zwsp and "\u200b" not in text:
            changes.append(f"removed {zwsp} × {_NAMES[chr(0x200B)]} (Zawgyi conversion)")
    result = _nfc_and_zero_width(text, changes, segment)
    return Normalised(result, converted, probability, tuple(changes))


def strip_controls(text: str, where: str = "") -> tuple[str, tuple[str, ...]]:
    """Make line-break characters U+2028 and drop those that are not text; report each kind.

    Each change names ``where`` it was made, else the lines of a text of several lines.

    >>> text, changes = strip_controls("bell\\x07 and\\x0bline\\x7f")
    >>> text == "bell and\\u2028line"
    True
    >>> for change in changes: print(change)
    read 1 × U+000B (control character) as a line break
    removed 1 × U+0007, 1 × U+007F (control character, not text)
    >>> strip_controls("one\\n\\x07two", "file a.txt")[1]
    ('removed 1 × U+0007 (control character, not text) at file a.txt',)
    """
    changes = []
    breaks = _BREAKS.findall(text)
    if breaks:
        at = _where(text, _BREAKS, where)
        changes.append(f"read {_counted(breaks)} (control character) as a line break{at}")
        text = _BREAKS.sub(LINE_BREAK, text)
    removed = _CONTROL.findall(text)
    if removed:
        at = _where(text, _CONTROL, where)
        changes.append(f"removed {_counted(removed)} (control character, not text){at}")
        text = _CONTROL.sub("", text)
    return text, tuple(changes)


def spaced(text: str) -> tuple[str, tuple[str, ...]]:
    """Return a segment's text with each tab a space, and the change if there was one."""
    tabs = text.count("\t")
    return text.replace("\t", " "), (f"read {tabs} × U+0009 (tab) as a space",) if tabs else ()


def _counted(found: list[str]) -> str:
    """Return "2 × U+0007, 1 × U+007F" for the characters found."""
    counts: dict[str, int] = {}
    for char in found:
        counts[char] = counts.get(char, 0) + 1
    return ", ".join(f"{n} × U+{ord(char):04X}" for char, n in sorted(counts.items()))


def _where(text: str, pattern: re.Pattern[str], where: str) -> str:
    """Return " at WHERE", or " at line 3" / " at lines 3, 9" in a text of several lines."""
    if where:
        return f" at {where}"
    if "\n" not in text:
        return ""
    # Lines counted as the matches go (one pass), and only the first few are named.
    numbers: list[int] = []
    line, done = 1, 0
    for match in pattern.finditer(text):
        line += text.count("\n", done, match.start())
        done = match.start()
        if not numbers or numbers[-1] != line:
            numbers.append(line)
        if len(numbers) > 5:
            break
    shown = ", ".join(map(str, numbers[:5])) + (", …" if len(numbers) > 5 else "")
    return f" at line {shown}" if len(numbers) == 1 else f" at lines {shown}"


def _nfc_and_zero_width(text: str, changes: list[str], segment: bool = True) -> str:
    text, dropped = strip_controls(text)
    changes.extend(dropped)
    if segment:  # a whole file's tabs are layout (Markdown code), a segment's are spaces
        text, tabs = spaced(text)
        changes.extend(tabs)
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        changes.append("normalised to NFC")
    result, removed = strip_zero_width(nfc)
    changes.extend(removed)
    return result


def normalise_text(text: str, lang: str, *, segment: bool = True) -> Normalised:
    """Normalise a text in any language: NFC and zero-width characters, Burmese rules on Myanmar.

    The Burmese path follows the script, not ``lang``: English sources quote Burmese too,
    and a Zawgyi quote is as broken there as in a Burmese article. ``segment`` is false for
    a whole article file, whose tabs are layout.

    >>> normalise_text("Cafe\\u0301\\u200d ", "en").text
    'Café '
    """
    if has_myanmar(text):
        return normalise_burmese(text, segment=segment)
    changes: list[str] = []
    result = _nfc_and_zero_width(text, changes, segment)
    return Normalised(result, changes=tuple(changes))
