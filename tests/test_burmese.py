"""Zawgyi detection and conversion, NFC and zero-width characters, on real Burmese text."""

from __future__ import annotations

import pytest

from pipeline.burmese import (
    ZAWGYI_THRESHOLD,
    Normalised,
    is_zawgyi,
    normalise_burmese,
    normalise_text,
    strip_zero_width,
    zawgyi_probability,
    zawgyi_to_unicode,
)

# Zawgyi and the Unicode it stands for. The first pair is the example in Google's
# myanmar-tools README ("Universal Declaration of Human Rights"); the second is the example
# in myanmartools' own documentation; the rest were checked to convert identically with
# ICU's Zawgyi-my transform and with paraencoder.
ZAWGYI_UNICODE = [
    (
        "အျပည္ျပည္ဆိုင္ရာ လူ႔အခြင့္အေရး ေၾကညာစာတမ္း",
        "အပြည်ပြည်ဆိုင်ရာ လူ့အခွင့်အရေး ကြေညာစာတမ်း",
    ),
    ("မ္း", "မ်း"),
    ("လူ ၁,၅၀၀ ေက်ာ္ကိုလည္း ဖမ္းဆီးထားသည္။", "လူ ၁,၅၀၀ ကျော်ကိုလည်း ဖမ်းဆီးထားသည်။"),
    ("ရန္ကုန္ၿမိဳ႕တြင္ ဆႏၵျပသူမ်ား စုေဝးခဲ့ၾကသည္။", "ရန်ကုန်မြို့တွင် ဆန္ဒပြသူများ စုဝေးခဲ့ကြသည်။"),
    ("ျမန္မာႏိုင္ငံ", "မြန်မာနိုင်ငံ"),
    ("ကၽြန္ေတာ္", "ကျွန်တော်"),
    ("ဥကၠ႒", "ဥက္ကဋ္ဌ"),
    ("ပုဂၢိဳလ္", "ပုဂ္ဂိုလ်"),
    ("ေရႊ", "ရွှေ"),
    ("ႀကိဳး", "ကြိုး"),
    ("ေဆး႐ုံ", "ဆေးရုံ"),
]


@pytest.mark.parametrize(("zawgyi", "unicode"), ZAWGYI_UNICODE)
def test_zawgyi_converts_to_unicode(zawgyi: str, unicode: str) -> None:
    """Known Zawgyi strings convert to their Unicode spelling."""
    assert zawgyi_to_unicode(zawgyi) == unicode


def test_detector_separates_whole_sentences() -> None:
    """Zawgyi sentences score near 1 and their Unicode forms near 0, as Google documents."""
    zawgyi, unicode = ZAWGYI_UNICODE[0]
    assert zawgyi_probability(zawgyi) > 0.999
    assert zawgyi_probability(unicode) < 0.001
    assert is_zawgyi(zawgyi) and not is_zawgyi(unicode)


def test_detector_ignores_text_without_myanmar_script() -> None:
    """English or Hindi text has a Zawgyi probability of 0, not the detector's -inf."""
    assert zawgyi_probability("More than 1,500 have also been arrested.") == 0.0
    assert zawgyi_probability("१,५०० से अधिक लोगों को गिरफ्तार भी किया गया है।") == 0.0


@pytest.mark.parametrize(("zawgyi", "unicode"), ZAWGYI_UNICODE)
def test_normalise_burmese_converts_zawgyi_and_reports_it(zawgyi: str, unicode: str) -> None:
    """Zawgyi above the threshold is converted, and the conversion is the first change."""
    result = normalise_burmese(zawgyi)
    assert result.text == unicode and result.converted
    assert result.zawgyi_probability > ZAWGYI_THRESHOLD
    assert result.changes[0].startswith("converted from Zawgyi (probability ")


@pytest.mark.parametrize(("zawgyi", "unicode"), ZAWGYI_UNICODE)
def test_normalise_burmese_leaves_unicode_alone(zawgyi: str, unicode: str) -> None:
    """Unicode Burmese comes back unchanged, with nothing reported."""
    result = normalise_burmese(unicode)
    assert result == Normalised(unicode, False, result.zawgyi_probability, ())
    assert result.zawgyi_probability < ZAWGYI_THRESHOLD


@pytest.mark.parametrize("text", ["ကို", "မဂၤလာပါ"])
def test_ambiguous_short_text_is_not_converted(text: str) -> None:
    """Short words score in between (ကို is spelled alike in both) and are left as they are."""
    result = normalise_burmese(text)
    assert 0.05 < result.zawgyi_probability < ZAWGYI_THRESHOLD
    assert result == Normalised(text, False, result.zawgyi_probability, ())


def test_explicit_conversion_ignores_the_detector() -> None:
    """zawgyi_to_unicode converts a word too short to detect when the caller knows it is Zawgyi."""
    assert zawgyi_to_unicode("မဂၤလာပါ") == "မင်္ဂလာပါ"


def test_nfc_composes_and_reorders_burmese() -> None:
    """NFC composes U+1025 U+102E into ဦ and puts the dot below before the asat."""
    decomposed = "\u1025\u102e\u1038\u1016\u103c\u1004\u103a\u1037"  # ဦး ဖြင့် typed loosely
    result = normalise_burmese(decomposed)
    assert result.text == "ဦးဖြင့်" == "\u1026\u1038\u1016\u103c\u1004\u1037\u103a"
    assert result.changes == ("normalised to NFC",)


def test_zero_width_space_between_burmese_words_is_kept() -> None:
    """ZWSP marks line-break points in unspaced Burmese, so it stays between letters."""
    text = "မြန်မာ\u200bနိုင်ငံ\u200bတွင်"
    assert normalise_burmese(text).text == text


def test_redundant_zero_width_characters_are_removed_and_reported() -> None:
    """BOMs go everywhere; ZWSP, ZWNJ and ZWJ go at the ends, beside spaces and when doubled."""
    text = "\ufeffမြန်မာ\u200b\u200bနိုင်ငံ \u200bသည်\u200d။\u200c"
    result = normalise_text(text, "my")
    assert result.text == "မြန်မာ\u200bနိုင်ငံ သည်\u200d။"
    assert result.changes == (
        "removed 1 × U+FEFF BYTE ORDER MARK (stray)",
        "removed 2 × U+200B ZERO WIDTH SPACE (redundant)",
        "removed 1 × U+200C ZERO WIDTH NON-JOINER (redundant)",
    )


def test_joiners_inside_words_are_kept() -> None:
    """ZWJ inside a Hindi conjunct (half form) and in an emoji sequence shapes text: kept."""
    half_form = "क्\u200dष"
    family = "👩\u200d👧"
    assert strip_zero_width(f"{half_form} {family}") == (f"{half_form} {family}", ())


def test_zawgyi_conversion_drops_zero_width_spaces_and_says_so() -> None:
    """The Zawgyi converter reorders across ZWSP and drops it; the change is reported."""
    result = normalise_burmese("ျမန္မာ\u200bႏိုင္ငံ")
    assert result.text == "မြန်မာနိုင်ငံ"
    assert "removed 1 × U+200B ZERO WIDTH SPACE (Zawgyi conversion)" in result.changes


def test_normalise_text_takes_the_burmese_path_only_for_myanmar_script() -> None:
    """English text gets NFC only; a Zawgyi quote inside English text is converted."""
    english = normalise_text("Cafe\u0301 owners protested.", "en")
    assert english == Normalised("Café owners protested.", False, 0.0, ("normalised to NFC",))
    quoted = normalise_text("Protesters chanted “ျမန္မာႏိုင္ငံ”.", "en")
    assert quoted.text == "Protesters chanted “မြန်မာနိုင်ငံ”." and quoted.converted


def test_normalise_text_keeps_clean_hindi() -> None:
    """A clean Hindi sentence is unchanged and nothing is reported."""
    text = "१,५०० से अधिक लोगों को गिरफ्तार भी किया गया है।"
    assert normalise_text(text, "hi") == Normalised(text)
