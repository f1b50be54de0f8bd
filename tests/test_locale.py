"""Language codes, names, digits, dates and numbers in the target locale."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from babel import Locale

from pipeline.errors import LanguageError
from pipeline.locale import (
    Digits,
    display_name,
    format_date,
    format_number,
    parse_digits,
    parse_language,
    render_dateline,
    to_digits,
)


@pytest.mark.parametrize(
    ("code", "expected_code", "english", "native"),
    [
        ("my", "my", "Burmese", "မြန်မာ"),
        ("hi", "hi", "Hindi", "हिन्दी"),
        ("zh", "zh", "Chinese", "中文"),
        ("pt-BR", "pt-BR", "Portuguese (Brazil)", "português (Brasil)"),
        ("pt_BR", "pt-BR", "Portuguese (Brazil)", "português (Brasil)"),
        ("PT-br", "pt-BR", "Portuguese (Brazil)", "português (Brasil)"),
        ("zt", "zh-Hant", "Chinese (Traditional)", "中文 (繁體)"),
        ("pb", "pt-BR", "Portuguese (Brazil)", "português (Brasil)"),
        ("zh-Hant", "zh-Hant", "Chinese (Traditional)", "中文 (繁體)"),
        ("en", "en", "English", "English"),
        ("mya", "my", "Burmese", "မြန်မာ"),
        ("iw", "he", "Hebrew", "עברית"),
    ],
)
def test_parse_language_accepts_bcp47_posix_and_argos_codes(
    code: str, expected_code: str, english: str, native: str
) -> None:
    """Each code form resolves to its BCP 47 code and CLDR's English and native names."""
    language = parse_language(code)
    assert (language.code, language.english_name, language.native_name) == (
        expected_code,
        english,
        native,
    )
    assert isinstance(language.locale, Locale)


@pytest.mark.parametrize("code", ["xx", "und", "", "pt-XX", "12", "x-foo", "en--"])
def test_parse_language_rejects_unknown_codes_in_one_line(code: str) -> None:
    """An unknown or malformed code raises LanguageError naming it, with examples of good ones."""
    with pytest.raises(LanguageError) as info:
        parse_language(code)
    message = str(info.value)
    assert message == f"unknown language {code!r}; use a BCP 47 code such as my, hi or pt-BR"
    assert "\n" not in message and info.value.exit_code == 2


def test_display_name_joins_english_and_native_names() -> None:
    """display_name shows "English — native", and only one name when they are the same."""
    assert display_name("my") == "Burmese — မြန်မာ"
    assert display_name("hi") == "Hindi — हिन्दी"
    assert display_name("en") == "English"


def test_cldr_default_numbering_systems() -> None:
    """CLDR makes Myanmar digits Burmese's default and Latin digits Hindi's; fail if that moves."""
    assert Locale.parse("my").default_numbering_system == "mymr"
    assert Locale.parse("hi").default_numbering_system == "latn"
    assert Locale.parse("hi").other_numbering_systems["native"] == "deva"
    assert parse_language("my").default_digits == "native"
    assert parse_language("hi").default_digits == "latin"
    assert parse_language("hi").digit_system("native") == "deva"


def test_to_digits_and_parse_digits_across_systems() -> None:
    """Digits of any script convert to the asked system, and parse back to ASCII."""
    assert to_digits("1,500", "mymr") == "၁,၅၀၀"
    assert to_digits("1,500", "deva") == "१,५००"
    assert to_digits("१,५००", "mymr") == "၁,၅၀၀"
    assert parse_digits("၁,၅၀၀ and १२,३४,५६७ and ٣") == "1,500 and 12,34,567 and 3"
    # The Myanmar letter wa (U+101D) looks like the digit zero (U+1040) but is not a digit.
    assert parse_digits("ဝ၀") == "ဝ0"
    with pytest.raises(ValueError, match="no digits known"):
        to_digits("1", "roman")


def test_digit_table_matches_unicode() -> None:
    """Every digit written by to_digits is the Unicode decimal digit of its value."""
    for system in ("mymr", "deva", "beng", "arab", "arabext", "thai", "tamldec"):
        written = to_digits("0123456789", system)
        assert [unicodedata.decimal(ch) for ch in written] == list(range(10))


@pytest.mark.parametrize(
    ("lang", "digits", "expected"),
    [
        ("hi", None, "5 मार्च 2021"),
        ("hi", "native", "५ मार्च २०२१"),
        ("my", None, "၂၀၂၁ မတ် ၅"),
        ("my", "latin", "2021 မတ် 5"),
        ("en", None, "March 5, 2021"),
        ("pt-BR", None, "5 de março de 2021"),
    ],
)
def test_format_date_in_target_locale_and_digits(
    lang: str, digits: Digits | None, expected: str
) -> None:
    """2021-03-05 renders in the locale's long format, in its default digits unless told."""
    assert format_date(dt.date(2021, 3, 5), lang, digits) == expected
    assert format_date("2021-03-05", parse_language(lang), digits) == expected


@pytest.mark.parametrize(
    ("number", "lang", "digits", "expected"),
    [
        (1500, "my", None, "၁,၅၀၀"),
        (1500, "my", "latin", "1,500"),
        (1500, "hi", None, "1,500"),
        (1500, "hi", "native", "१,५००"),
        (1234567, "hi", None, "12,34,567"),
        (1234567, "en", None, "1,234,567"),
        (Decimal("3.5"), "hi", "native", "३.५"),
        (1234567.25, "my", None, "၁,၂၃၄,၅၆၇.၂၅"),
    ],
)
def test_format_number_grouping_and_digits(
    number: int | float | Decimal, lang: str, digits: Digits | None, expected: str
) -> None:
    """Numbers take the locale's grouping (Indian lakh grouping for Hindi) and digit policy."""
    assert format_number(number, lang, digits) == expected


def test_unknown_digits_policy_is_refused() -> None:
    """A digits policy other than native or latin is a programming error."""
    with pytest.raises(ValueError, match="unknown digits policy"):
        format_number(1, "my", "roman")


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("date 2021-03-05", "hi", "5 मार्च 2021"),
        ("date 2021-03-05", "my", "၂၀၂၁ မတ် ၅"),
        ("Date: 2021-03-05 -", "my", "၂၀၂၁ မတ် ၅ -"),
        ("दिनांक 2021-03-05", "hi", "दिनांक 5 मार्च 2021"),
        ("ရက်စွဲ ၂၀၂၁-၀၃-၀၅", "my", "ရက်စွဲ ၂၀၂၁ မတ် ၅"),
        ("YANGON, March 5 (Reuters) -", "my", "YANGON, March 5 (Reuters) -"),
        ("date 2021-02-30", "hi", "date 2021-02-30"),
    ],
)
def test_render_dateline(text: str, lang: str, expected: str) -> None:
    """The ISO date of a dateline is rendered in the target locale; other datelines are left."""
    assert render_dateline(text, lang) == expected


def test_render_dateline_with_latin_digits() -> None:
    """A Burmese dateline can be rendered with Latin digits on request."""
    assert render_dateline("date 2021-03-05", "my", digits="latin") == "2021 မတ် 5"
