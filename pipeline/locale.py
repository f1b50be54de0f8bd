"""Babel wrappers: language codes, language names, and the dates and numbers we render.

Codes come in as BCP 47 tags (``my``, ``pt-BR``, ``zh-Hant``), POSIX-style identifiers
(``pt_BR``) or Argos Translate codes (``zt`` for Traditional Chinese, ``pb`` for Brazilian
Portuguese). Each is checked against CLDR through babel.

Dates and numbers the pipeline writes itself follow the target locale. CLDR gives each
locale a default numbering system (Burmese: ``mymr``, Hindi: ``latn``), but babel only ever
prints ASCII digits, so the substitution into native digits happens here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.core import get_global, parse_locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

from pipeline.errors import LanguageError

Digits = Literal["native", "latin"]

# Argos Translate's own codes that are not BCP 47.
_ARGOS_CODES = {"zt": "zh-Hant", "pb": "pt-BR"}

# The digits 0-9 of the CLDR numbering systems the pipeline may render, by CLDR name.
_DIGITS = {
    name: "".join(chr(zero + i) for i in range(10))
    for name, zero in {
        "latn": 0x30,
        "mymr": 0x1040,
        "deva": 0x966,
        "beng": 0x9E6,
        "guru": 0xA66,
        "gujr": 0xAE6,
        "orya": 0xB66,
        "tamldec": 0xBE6,
        "telu": 0xC66,
        "knda": 0xCE6,
        "mlym": 0xD66,
        "thai": 0xE50,
        "laoo": 0xED0,
        "tibt": 0xF20,
        "khmr": 0x17E0,
        "arab": 0x660,
        "arabext": 0x6F0,
    }.items()
}
# Chinese decimal digits are not a contiguous block (and not Unicode decimals to parse back).
_DIGITS["hanidec"] = "〇一二三四五六七八九"

# An ISO date written with any decimal digits (MT output may already use native ones).
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# The English label of the seed's datelines ("date 2021-03-05"), dropped with the date.
_DATE_LABEL = re.compile(r"(?i)\bdate:?\s+$")


@dataclass(frozen=True)
class Language:
    """A language the pipeline reads or writes, checked against CLDR."""

    code: str
    locale: Locale
    english_name: str
    native_name: str

    @property
    def display_name(self) -> str:
        """Return the English and native names together, e.g. "Burmese — မြန်မာ"."""
        if self.english_name == self.native_name:
            return self.english_name
        return f"{self.english_name} — {self.native_name}"

    @property
    def numbering_system(self) -> str:
        """Return CLDR's default numbering system for the locale ("mymr" for Burmese)."""
        return str(self.locale.default_numbering_system)

    @property
    def native_numbering_system(self) -> str:
        """Return CLDR's native numbering system for the locale ("deva" for Hindi)."""
        native = self.locale.other_numbering_systems.get("native")
        return str(native) if native else self.numbering_system

    @property
    def default_digits(self) -> Digits:
        """Return the digits the locale writes by default: native unless CLDR says latn."""
        return "latin" if self.numbering_system == "latn" else "native"

    def digit_system(self, digits: Digits | None = None) -> str:
        """Return the CLDR numbering system for a digits policy (None: the default)."""
        policy = digits or self.default_digits
        if policy == "latin":
            return "latn"
        if policy == "native":
            return self.native_numbering_system
        raise ValueError(f"unknown digits policy {policy!r}; use 'native' or 'latin'")


def _unknown(code: str) -> LanguageError:
    return LanguageError(f"unknown language {code!r}; use a BCP 47 code such as my, hi or pt-BR")


@cache
def _regions(language: str) -> frozenset[str]:
    """Return the regions CLDR has a locale for in a language (``pt``: BR, PT, AO …)."""
    from babel.localedata import locale_identifiers

    found = set()
    for identifier in locale_identifiers():
        parts = parse_locale(identifier)
        if parts[0] == language and parts[1]:
            found.add(parts[1])
    return frozenset(found)


def _likely(language: str, territory: str | None = None) -> tuple[str | None, str | None]:
    """Return CLDR's likely (territory, script) of a language, in a territory if given."""
    likely = get_global("likely_subtags")
    full = likely.get(f"{language}_{territory}") if territory else None
    full = full or likely.get(language)
    if not full:
        return None, None
    parsed = parse_locale(full)
    return parsed[1], parsed[2]


def _subtags(code: str) -> tuple[str, str | None, str | None, str | None]:
    """Return (language, territory, script, variant) of a tag, aliases resolved; or raise."""
    text = code.strip()
    tag = _ARGOS_CODES.get(text.lower(), text).replace("_", "-")
    try:
        language, territory, script, variant = parse_locale(tag, sep="-")[:4]
    except ValueError:
        raise _unknown(code) from None
    # Deprecated and ISO 639-2/3 codes (iw, mya, bur, hin, sh) become their CLDR language.
    alias = get_global("language_aliases").get(language)
    if alias:
        aliased = parse_locale(alias)
        language = aliased[0]
        territory, script = territory or aliased[1], script or aliased[2]
    if language == "und":
        raise _unknown(code)
    return language, territory, script, variant


@cache
def canonical_language(code: str) -> str:
    """Return the one code the pipeline keeps for a language tag; raise LanguageError if unknown.

    Case and ``_`` do not matter, ISO 639-2/3 and deprecated codes become CLDR's (ISO 639-1
    where there is one), Argos codes their BCP 47 tag. A script is dropped where CLDR's likely
    subtags give it anyway; a region where it is the language's likely one and CLDR knows the
    language in no other region (``my-MM`` is ``my``). A script or region that tells variants
    apart stays (``sr-Latn``, ``zh-Hant``, ``pt-BR``, ``pt-PT``, ``en-US``, ``en-GB``).

    >>> [canonical_language(t) for t in ("MY", "my_MM", "my-MM", "mya", "bur", "my-Mymr")]
    ['my', 'my', 'my', 'my', 'my', 'my']
    >>> [canonical_language(t) for t in ("hin", "hi-IN", "sr-Cyrl", "sr-Latn", "zh-Hans")]
    ['hi', 'hi', 'sr', 'sr-Latn', 'zh']
    >>> [canonical_language(t) for t in ("zt", "zh-hant", "pt_br", "pb", "en-US", "en-GB")]
    ['zh-Hant', 'zh-Hant', 'pt-BR', 'pt-BR', 'en-US', 'en-GB']
    """
    language, territory, script, variant = _subtags(code)
    if script and script == _likely(language)[1] == _likely(language, territory)[1]:
        script = None
    if territory and territory == _likely(language)[0] and _regions(language) <= {territory}:
        territory = None
    try:
        Locale.parse("_".join(p for p in (language, script, territory, variant) if p))
    except (UnknownLocaleError, ValueError):
        raise _unknown(code) from None
    return "-".join(p for p in (language, script, territory, variant and variant.lower()) if p)


def canonical_or_none(code: str) -> str | None:
    """Return a code's canonical form, or None for one no language has.

    >>> canonical_or_none("my_MM"), canonical_or_none("xx-YY")
    ('my', None)
    """
    try:
        return canonical_language(code)
    except LanguageError:
        return None


@cache
def parse_language(code: str) -> Language:
    """Return the language for a BCP 47, POSIX or Argos code; raise LanguageError if unknown.

    >>> parse_language("pt_BR").code
    'pt-BR'
    >>> parse_language("zt").display_name
    'Chinese (Traditional) — 中文 (繁體)'
    """
    canonical = canonical_language(code)
    locale = Locale.parse(canonical.replace("-", "_"))
    return Language(
        code=canonical,
        locale=locale,
        english_name=locale.english_name or canonical,
        native_name=locale.display_name or canonical,
    )


def display_name(code: str) -> str:
    """Return a language's English and native names, e.g. "Burmese — မြန်မာ".

    >>> display_name("hi")
    'Hindi — हिन्दी'
    """
    return parse_language(code).display_name


def labelled(code: str) -> str:
    """Return a code with its names for listings, e.g. "my (Burmese — မြန်မာ)"; else the code."""
    try:
        return f"{code} ({display_name(code)})"
    except LanguageError:
        return code


def _language(lang: str | Language) -> Language:
    return lang if isinstance(lang, Language) else parse_language(lang)


def to_digits(text: str, system: str) -> str:
    """Return text with every decimal digit written in a CLDR numbering system.

    >>> to_digits("1,500 and ३", "mymr")
    '၁,၅၀၀ and ၃'
    """
    digits = _DIGITS.get(system)
    if digits is None:
        raise ValueError(f"no digits known for numbering system {system!r}")
    # One translate() in C: a Python step per character took seconds on a long text.
    return text.translate(_digit_table(digits))


class _DigitTable(dict[int, str]):
    """A str.translate table from each decimal digit to one of ``digits``, filled as used."""

    def __init__(self, digits: str) -> None:
        super().__init__()
        self.digits = digits

    def __missing__(self, code: int) -> str:
        value = unicodedata.decimal(chr(code), -1)
        self[code] = found = self.digits[value] if value >= 0 else chr(code)
        return found


@cache
def _digit_table(digits: str) -> _DigitTable:
    """Return the translate table for one numbering system's digits."""
    return _DigitTable(digits)


def parse_digits(text: str) -> str:
    """Return text with every Unicode decimal digit replaced by its ASCII digit.

    >>> parse_digits("၂၀၂၁ and १,५००")
    '2021 and 1,500'
    """
    return to_digits(text, "latn")


def format_date(date: dt.date | str, lang: str | Language, digits: Digits | None = None) -> str:
    """Return a date in the locale's long format, in its default digits unless told.

    >>> format_date("2021-03-05", "hi")
    '5 मार्च 2021'
    >>> format_date("2021-03-05", "my")
    '၂၀၂၁ မတ် ၅'
    """
    language = _language(lang)
    if isinstance(date, str):
        date = dt.date.fromisoformat(parse_digits(date))
    text = babel_format_date(date, format="long", locale=language.locale)
    return to_digits(text, language.digit_system(digits))


def format_number(
    number: int | float | Decimal, lang: str | Language, digits: Digits | None = None
) -> str:
    """Return a number with the locale's grouping and symbols, in its default digits unless told.

    >>> format_number(1234567, "hi")
    '12,34,567'
    >>> format_number(1500, "my")
    '၁,၅၀၀'
    """
    language = _language(lang)
    system = language.digit_system(digits)
    text = format_decimal(number, locale=language.locale, numbering_system=system)
    return to_digits(text, system)


def render_dateline(text: str, lang: str | Language, digits: Digits | None = None) -> str:
    """Return a dateline with its ISO date in the target locale, dropping an English "date" label.

    Text without a valid ISO date comes back unchanged.

    >>> render_dateline("date 2021-03-05", "hi")
    '5 मार्च 2021'
    >>> render_dateline("दिनांक 2021-03-05 -", "hi")
    'दिनांक 5 मार्च 2021 -'
    """
    for match in _ISO_DATE.finditer(text):
        try:
            date = dt.date(*(int(parse_digits(group)) for group in match.groups()))
        except ValueError:
            continue
        before = _DATE_LABEL.sub("", text[: match.start()])
        return before + format_date(date, lang, digits) + text[match.end() :]
    return text
