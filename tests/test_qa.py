"""QA checks on real English→Hindi and English→Burmese translations: each fires and stays quiet."""

from __future__ import annotations

import pytest

from pipeline.engines.pseudo import pseudo_translate
from pipeline.protect import mask, unmask
from pipeline.qa import (
    CHECKS,
    PSEUDO_CHECKS,
    check,
    fails,
    length_ratio_range,
    worst,
)
from pipeline.records import Flag, Severity

E, W = Severity.ERROR, Severity.WARNING

# Sentences from and around the seed article with correct Hindi and Burmese translations.
GOOD = [
    (
        "More than 1,500 have also been arrested.",
        "१,५०० से अधिक लोगों को गिरफ्तार भी किया गया है।",
        "လူ ၁,၅၀၀ ကျော်ကိုလည်း ဖမ်းဆီးထားသည်။",
    ),
    (
        "At least 19 Myanmar police officers have crossed the border into India.",
        "कम से कम 19 म्यांमार पुलिस अधिकारी सीमा पार करके भारत आ गए हैं।",
        "မြန်မာ ရဲအရာရှိ အနည်းဆုံး ၁၉ ဦးသည် နယ်စပ်ကို ဖြတ်ကျော်ပြီး အိန္ဒိယနိုင်ငံထဲသို့ ဝင်ရောက်သွားကြသည်။",
    ),
    (
        "The embassy issued a statement on Thursday.",
        "दूतावास ने गुरुवार को एक बयान जारी किया।",
        "သံရုံးက ကြာသပတေးနေ့တွင် ထုတ်ပြန်ချက်တစ်စောင် ထုတ်ပြန်ခဲ့သည်။",
    ),
    (
        "Thousands have joined the CDM, which was initially started by the medical profession.",
        "हज़ारों लोग सीडीएम में शामिल हो चुके हैं, जिसकी शुरुआत चिकित्सा पेशे से जुड़े लोगों ने की थी।",
        "ကျန်းမာရေးဝန်ထမ်းများက စတင်ခဲ့သော CDM လှုပ်ရှားမှုတွင် လူထောင်ပေါင်းများစွာ ပါဝင်လာကြသည်။",
    ),
    (
        "India is already home to thousands of refugees from Myanmar.",
        "भारत में पहले से ही म्यांमार के हज़ारों शरणार्थी रहते हैं।",
        "အိန္ဒိယနိုင်ငံတွင် မြန်မာနိုင်ငံမှ ဒုက္ခသည် ထောင်ပေါင်းများစွာ ရှိနှင့်ပြီး ဖြစ်သည်။",
    ),
    (
        "Is this something unusual?",
        "क्या यह कुछ असामान्य है?",
        "ဤသည်မှာ ထူးခြားသော ကိစ္စလော။",
    ),
    (
        "Police cross makeshift barricades set up by protesters during a protest",
        "विरोध प्रदर्शन के दौरान प्रदर्शनकारियों द्वारा लगाए गए अस्थायी अवरोधों को पार करती पुलिस",
        "ဆန္ဒပြပွဲအတွင်း ဆန္ဒပြသူများ ချထားသော ယာယီအတားအဆီးများကို ဖြတ်ကျော်နေသည့် ရဲများ",
    ),
    (
        "Read the full report at https://example.org/report.",
        "पूरी रिपोर्ट https://example.org/report पर पढ़ें।",
        "အစီရင်ခံစာ အပြည့်အစုံကို https://example.org/report တွင် ဖတ်ရှုပါ။",
    ),
    (
        "Write to desk@example.org with corrections.",
        "सुधार के लिए desk@example.org पर लिखें।",
        "ပြင်ဆင်ချက်များအတွက် desk@example.org သို့ စာရေးပါ။",
    ),
    (
        "{count} people were arrested.",
        "{count} लोगों को गिरफ्तार किया गया।",
        "လူ {count} ဦး ဖမ်းဆီးခံခဲ့ရသည်။",
    ),
    (
        "“This is something unusual,” said James Fanai.",
        "“यह कुछ असामान्य है,” जेम्स फनई ने कहा।",
        "“ဒါက ပုံမှန်မဟုတ်တဲ့ ကိစ္စပါ” ဟု ဂျိမ်းစ် ဖာနိုင်းက ပြောသည်။",
    ),
    (
        "He added: “But it’s worth fighting for.”",
        "उन्होंने आगे कहा: “लेकिन इसके लिए लड़ना सार्थक है।”",
        "သူက “သို့သော် ဤအရာအတွက် တိုက်ပွဲဝင်ရကျိုးနပ်ပါသည်။” ဟု ဆက်ပြောသည်။",
    ),
]


def kinds(flags: tuple[Flag, ...]) -> set[tuple[str, Severity]]:
    """Return the (check, severity) pairs of flags."""
    return {(flag.check, flag.severity) for flag in flags}


@pytest.mark.parametrize(("source", "hindi", "burmese"), GOOD)
def test_good_translations_raise_no_flags(source: str, hindi: str, burmese: str) -> None:
    """Correct Hindi and Burmese translations pass every check."""
    assert check(source, hindi, "en", "hi") == ()
    assert check(source, burmese, "en", "my") == ()


# --- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "lang"),
    [
        ("The country has 1,234,567 registered voters.", "देश में 12,34,567 पंजीकृत मतदाता हैं।", "hi"),
        (
            "The country has 1,234,567 registered voters.",
            "နိုင်ငံတွင် မှတ်ပုံတင်ထားသော မဲဆန္ဒရှင် ၁,၂၃၄,၅၆၇ ဦး ရှိသည်။",
            "my",
        ),
        ("Prices rose by 3.5 percent.", "कीमतों में ३.५ प्रतिशत की वृद्धि हुई।", "hi"),
        ("Prices rose by 3.5 percent.", "ဈေးနှုန်းများ ၃.၅ ရာခိုင်နှုန်း မြင့်တက်ခဲ့သည်။", "my"),
        ("Turnout was 71%.", "मतदान 71% रहा।", "hi"),
        ("Turnout was 71%.", "မဲပေးသူ ၇၁% ရှိခဲ့သည်။", "my"),
        ("It was the 21st day of protests.", "यह विरोध प्रदर्शनों का 21वाँ दिन था।", "hi"),
        ("It was the 21st day of protests.", "ဆန္ဒပြပွဲများ၏ ၂၁ ရက်မြောက်နေ့ ဖြစ်သည်။", "my"),
        ("The coup took place on 2021-02-01.", "तख्तापलट 1 फ़रवरी 2021 को हुआ।", "hi"),
        (
            "The coup took place on 2021-02-01.",
            "စစ်အာဏာသိမ်းမှုသည် ၂၀၂၁ ဖေဖော်ဝါရီ ၁ ရက်နေ့တွင် ဖြစ်ပွားခဲ့သည်။",
            "my",
        ),
        ("date 2021-03-05", "२०२१-०३-०५", "hi"),
        (
            "On Feb 9, nine officials were arrested.",
            "9 फ़रवरी को नौ अधिकारियों को गिरफ्तार किया गया।",
            "hi",
        ),
        (
            "On Feb 9, nine officials were arrested.",
            "ဖေဖော်ဝါရီ ၉ ရက်နေ့တွင် အရာရှိ ၉ ဦး ဖမ်းဆီးခံခဲ့ရသည်။",
            "my",
        ),
    ],
)
def test_numbers_equal_across_digits_and_groupings(source: str, target: str, lang: str) -> None:
    """Values match across Latin, Devanagari and Myanmar digits, Indian grouping, dates, words."""
    assert [f for f in check(source, target, "en", lang) if f.check == "numbers"] == []


@pytest.mark.parametrize(
    ("source", "target", "lang", "messages"),
    [
        (
            "More than 1,500 have also been arrested.",
            "१,६०० से अधिक लोगों को गिरफ्तार भी किया गया है।",
            "hi",
            ["number 1500 is missing from the translation", "number 1600 is not in the source"],
        ),
        (
            "More than 1,500 have also been arrested.",
            "လူ ၁၅၀ ကျော်ကိုလည်း ဖမ်းဆီးထားသည်။",
            "my",
            ["number 1500 is missing from the translation", "number 150 is not in the source"],
        ),
        (
            "At least 19 Myanmar police officers have crossed the border into India.",
            "कम से कम म्यांमार पुलिस अधिकारी सीमा पार करके भारत आ गए हैं।",
            "hi",
            ["number 19 is missing from the translation"],
        ),
        (
            "Prices rose by 3.5 percent.",
            "कीमतों में ३५ प्रतिशत की वृद्धि हुई।",
            "hi",
            ["number 3.5 is missing from the translation", "number 35 is not in the source"],
        ),
        (
            "The coup took place on 2021-02-01.",
            "စစ်အာဏာသိမ်းမှုသည် ဖေဖော်ဝါရီလတွင် ဖြစ်ပွားခဲ့သည်။",
            "my",
            ["date 2021-02-01 is missing from the translation"],
        ),
        (
            "The coup took place on 2021-02-01.",
            "तख्तापलट 2021-02-10 को हुआ।",
            "hi",
            [
                "date 2021-02-01 is missing from the translation",
                "date 2021-02-10 is not in the source",
            ],
        ),
    ],
)
def test_numbers_changed_or_missing_are_errors(
    source: str, target: str, lang: str, messages: list[str]
) -> None:
    """A changed, dropped or invented value is an error naming the value."""
    flags = [f for f in check(source, target, "en", lang) if f.check == "numbers"]
    assert [f.message for f in flags] == messages
    assert {f.severity for f in flags} == {E}


# --- protected spans -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "lang", "span"),
    [
        (
            "Read the full report at https://example.org/report.",
            "पूरी रिपोर्ट https://example.org/रिपोर्ट पर पढ़ें।",
            "hi",
            "https://example.org/report",
        ),
        (
            "Write to desk@example.org with corrections.",
            "ပြင်ဆင်ချက်များအတွက် desk @ example.org သို့ စာရေးပါ။",
            "my",
            "desk@example.org",
        ),
        (
            "{count} people were arrested.",
            "{गिनती} लोगों को गिरफ्तार किया गया।",
            "hi",
            "{count}",
        ),
    ],
)
def test_protected_span_changed_is_an_error(source: str, target: str, lang: str, span: str) -> None:
    """A URL, e-mail address or placeholder altered by MT is an error naming it."""
    flags = [f for f in check(source, target, "en", lang) if f.check == "protected"]
    assert flags == [Flag("protected", E, f"protected span missing or changed: {span}")]


def test_mangled_url_is_one_protected_error() -> None:
    """Digits and letters of a mangled URL raise no numbers or script flags of their own."""
    flags = check(
        "See the data at https://example.org/2021/report.",
        "डेटा https://example.org/2021/रिपोर्ट पर देखें।",
        "en",
        "hi",
    )
    assert kinds(flags) == {("protected", E)}


def test_protected_credit_names_must_survive() -> None:
    """Spans passed in (credits) must appear unchanged; spans not in the source are ignored."""
    source = "Myanmar nationals hang posters in front of the United Nations - Lauren DeCicca"
    kept = "म्यांमार के नागरिक संयुक्त राष्ट्र के सामने पोस्टर लगाते हुए - Lauren DeCicca"
    lost = "म्यांमार के नागरिक संयुक्त राष्ट्र के सामने पोस्टर लगाते हुए - लॉरेन डेसिका"
    credits = ("Lauren DeCicca", "Getty Images")
    assert check(source, kept, "en", "hi", protected=credits) == ()
    assert kinds(check(source, lost, "en", "hi", protected=credits)) == {("protected", E)}


# --- end punctuation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "lang", "flag"),
    [
        (
            "दूतावास ने गुरुवार को एक बयान जारी किया.",
            "hi",
            Flag("punctuation", W, "ends with '.'; expected '।'"),
        ),
        (
            "दूतावास ने गुरुवार को एक बयान जारी किया",
            "hi",
            Flag("punctuation", W, "has no end mark; expected '।'"),
        ),
        (
            "दूतावास ने गुरुवार को एक बयान जारी किया|",
            "hi",
            Flag("punctuation", W, "ends with '|'; expected '।'"),
        ),
        (
            "दूतावास ने गुरुवार को एक बयान जारी किया।.",
            "hi",
            Flag("punctuation", E, "doubled end mark '।.'"),
        ),
        (
            "သံရုံးက ကြာသပတေးနေ့တွင် ထုတ်ပြန်ချက်တစ်စောင် ထုတ်ပြန်ခဲ့သည်",
            "my",
            Flag("punctuation", W, "has no end mark; expected '။'"),
        ),
        (
            "သံရုံးက ကြာသပတေးနေ့တွင် ထုတ်ပြန်ချက်တစ်စောင် ထုတ်ပြန်ခဲ့သည်။.",
            "my",
            Flag("punctuation", E, "doubled end mark '။.'"),
        ),
    ],
)
def test_end_punctuation_fires(target: str, lang: str, flag: Flag) -> None:
    """A full stop must become । in Hindi and ။ in Burmese; a doubled mark is an error."""
    assert check("The embassy issued a statement on Thursday.", target, "en", lang) == (flag,)


def test_questions_keep_their_mark() -> None:
    """A question stays a question in Hindi; Burmese may end it with ။ or ?."""
    source = "Is this something unusual?"
    assert check(source, "क्या यह कुछ असामान्य है।", "en", "hi") == (
        Flag("punctuation", W, "ends with '।'; expected '?'"),
    )
    assert check(source, "ဤသည်မှာ ထူးခြားသော ကိစ္စလော?", "en", "my") == ()


def test_end_mark_added_to_a_caption_is_a_warning() -> None:
    """A caption without an end mark should not gain a ။ in translation."""
    source, _, burmese = GOOD[6]
    flags = check(source, burmese + "။", "en", "my")
    assert flags == (Flag("punctuation", W, "ends with '။' but the source has no end mark"),)


# --- untranslated, empty, script -------------------------------------------------------


def test_untranslated_target_is_a_warning() -> None:
    """A target that copies an English sentence is untranslated (and in the wrong script)."""
    source = GOOD[2][0]
    assert kinds(check(source, source, "en", "hi")) == {
        ("untranslated", W),
        ("script", E),
        ("punctuation", W),
    }
    assert kinds(check("CDM", "CDM", "en", "my")) == {("untranslated", W)}


def test_copied_numbers_and_links_are_not_untranslated() -> None:
    """A source with no words to translate may come back unchanged."""
    assert check("1,500", "1,500", "en", "hi") == ()
    assert check("https://example.org/report", "https://example.org/report", "en", "my") == ()


@pytest.mark.parametrize("target", ["", "   ", "\u200b\n"])
def test_empty_target_is_an_error_and_the_only_flag(target: str) -> None:
    """An empty or blank translation is one error; the other checks would only add noise."""
    assert check(GOOD[0][0], target, "en", "my") == (Flag("empty", E, "the translation is empty"),)


def test_empty_source_and_target_pass() -> None:
    """Nothing to translate and nothing translated is not an error."""
    assert check("", "", "en", "hi") == ()


@pytest.mark.parametrize(
    ("target", "lang", "message"),
    [
        (
            "Kam se kam 19 Myanmar police adhikari seema paar karke Bharat aa gaye hain।",
            "hi",
            "only 0% of the letters are Devanagari",
        ),
        (
            "मतदान 71% रहा।",
            "my",
            "only 0% of the letters are Myanmar",
        ),
        (
            "19 Myanmar police officers ရဲအရာရှိ have crossed the border into India။",
            "my",
            "only 14% of the letters are Myanmar",
        ),
    ],
)
def test_wrong_script_is_an_error(target: str, lang: str, message: str) -> None:
    """A target mostly outside its script (romanised Hindi, Latin in Burmese) is an error."""
    source = GOOD[1][0] if "19" in target else "Turnout was 71%."
    flags = [f for f in check(source, target, "en", lang) if f.check == "script"]
    assert flags == [Flag("script", E, message)]


def test_latin_names_in_moderation_are_fine() -> None:
    """A Burmese sentence keeping a Latin name and acronym is still Burmese."""
    source = "Tin Maung Naing refused to take over from Kyaw Moe Tun at the UN."
    target = "Tin Maung Naing သည် UN ရှိ ဦးကျော်မိုးထွန်းထံမှ တာဝန်လွှဲယူရန် ငြင်းဆန်ခဲ့သည်။"
    assert check(source, target, "en", "my") == ()


def test_a_few_letters_of_a_third_script_are_an_error() -> None:
    """A Hindi target with about 5 % Myanmar letters (a mix-up, never a name) is an error."""
    source = "Police said 19 people crossed the border on Friday."
    target = "पुलिस ने कहा कि शुक्रवार को 19 लोगों ने सीमा पार की ကို।"
    flags = [f for f in check(source, target, "en", "hi") if f.check == "script"]
    assert flags == [Flag("script", E, "7% of the letters are Myanmar, not Devanagari")]


def test_a_third_script_the_source_writes_is_fine() -> None:
    """Letters the source itself writes in another script (a quoted name) may stand."""
    source = "The word ကို was on the sign, police said."
    target = "पुलिस ने कहा कि संकेत पर ကို शब्द लिखा था।"
    assert [f for f in check(source, target, "en", "hi") if f.check == "script"] == []


# --- length ----------------------------------------------------------------------------


def test_length_outliers_are_warnings() -> None:
    """A translation far too short or too long for the pair is a warning."""
    source, _, burmese = GOOD[3]
    short = check(source, "सीडीएम।", "en", "hi")
    assert ("length", W) in kinds(short)
    padded = burmese[:-1] + " " + burmese[:-1] + " " + burmese
    assert [f.message for f in check(source, padded, "en", "my") if f.check == "length"] == [
        "length ratio 3.14 is outside 0.70-2.60"
    ]


def test_length_ratio_ranges_are_per_pair() -> None:
    """Ranges come from the table, inverted for the reverse pair, else the default."""
    assert length_ratio_range("en", "hi") == (0.6, 2.0)
    assert length_ratio_range("en", "my") == (0.7, 2.6)
    low, high = length_ratio_range("my", "en")
    assert (round(low, 3), round(high, 3)) == (0.385, 1.429)
    assert length_ratio_range("en", "fr") == (0.4, 3.0)


def test_short_sources_skip_the_length_check() -> None:
    """A heading of a few characters may translate to any length."""
    assert check("Myanmar", "मैं म्यांमार की बात कर रहा हूँ", "en", "hi") == ()


# --- repetition ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "lang", "unit"),
    [
        (
            "लोगों को गिरफ्तार गिरफ्तार गिरफ्तार गिरफ्तार किया गया।",
            "hi",
            "गिरफ्तार",
        ),
        (
            "सीमा पार सीमा पार सीमा पार सीमा पार करके भारत आ गए हैं।",
            "hi",
            "सीमापार",
        ),
        (
            "လူ ၁,၅၀၀ ကျော်ကိုလည်း ဖမ်းဆီးထားသည် ဖမ်းဆီးထားသည် ဖမ်းဆီးထားသည် ဖမ်းဆီးထားသည်။",
            "my",
            "ဖမ်းဆီးထားသည်",
        ),
    ],
)
def test_repetition_loop_is_an_error(target: str, lang: str, unit: str) -> None:
    """A word or phrase repeated four times in a row, spaced or not, is an MT loop."""
    flags = [f for f in check(GOOD[0][0], target, "en", lang) if f.check == "repetition"]
    assert flags == [Flag("repetition", E, f"{unit!r} repeated 4 times in a row")]


def test_repetition_below_four_or_in_the_source_passes() -> None:
    """Three repeats, long numbers and repetition copied from the source are not loops."""
    three = "गिरफ्तार गिरफ्तार गिरफ्तार किया गया।"
    assert [f for f in check("Arrested, arrested, arrested.", three, "en", "hi")] == []
    big = "The debt reached 1,000,000,000,000 kyat."
    assert check(big, "ကြွေးမြီ ကျပ် ၁,၀၀၀,၀၀၀,၀၀၀,၀၀၀ အထိ ရောက်ရှိခဲ့သည်။", "en", "my") == ()
    source = "They chanted “no, no, no, no, no”."
    assert [
        f.check for f in check(source, "उन्होंने “नहीं नहीं नहीं नहीं नहीं” के नारे लगाए।", "en", "hi")
    ] == []


# --- zawgyi ----------------------------------------------------------------------------


def test_zawgyi_target_is_an_error() -> None:
    """A Burmese translation in Zawgyi is an error; its Unicode form passes."""
    source, _, burmese = GOOD[0]
    zawgyi = "လူ ၁,၅၀၀ ေက်ာ္ကိုလည္း ဖမ္းဆီးထားသည္။"
    flags = check(source, zawgyi, "en", "my")
    assert [f.check for f in flags] == ["zawgyi"] and flags[0].severity is E
    assert flags[0].message.startswith("Zawgyi-encoded Burmese (probability ")
    assert check(source, burmese, "en", "my") == ()


# --- pseudo, registry, gating ----------------------------------------------------------


def test_pseudo_runs_only_the_checks_pseudo_text_can_pass() -> None:
    """Pseudo output skips script, punctuation and length, but still loses no numbers or links."""
    source = "Read the 1,500-page report at https://example.org/report."
    masked = mask(source)
    pseudo, _ = unmask(pseudo_translate(masked.text), masked)
    assert check(source, pseudo, "en", "my", pseudo=True) == ()
    assert {"script", "punctuation"} <= {f.check for f in check(source, pseudo, "en", "my")}
    broken = pseudo.replace("1,500", "1,50")
    assert kinds(check(source, broken, "en", "my", pseudo=True)) == {("numbers", E)}


def test_every_check_is_registered_with_a_one_line_docstring() -> None:
    """The registry holds each check once, pseudo checks are a subset, and each says its job."""
    assert len(set(CHECKS)) == len(CHECKS) == 10
    assert set(PSEUDO_CHECKS) <= set(CHECKS)
    assert all(c.__doc__ and "\n" not in c.__doc__ for c in CHECKS)


def test_language_codes_are_read_by_primary_subtag() -> None:
    """Region subtags, POSIX forms and case do not change which rules apply."""
    source, hindi, burmese = GOOD[0]
    assert check(source, hindi, "en-US", "hi_IN") == ()
    assert check(source, burmese, "EN", "my-MM") == ()


def test_worst_and_fails_gate_on_severity() -> None:
    """worst picks the most severe flag; fails gates at error or warning level."""
    warning = Flag("length", W, "length ratio 0.20 is outside 0.60-2.00")
    error = Flag("numbers", E, "number 19 is missing from the translation")
    assert worst([]) is None and not fails([], W)
    assert worst([warning]) is W and fails([warning], W) and not fails([warning], E)
    assert worst([warning, error]) is E and fails([warning, error], E)
    assert fails((error,), W)
