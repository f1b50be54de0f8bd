"""Paragraph and sentence splitting and segment kinds, in English, Hindi and Burmese."""

from __future__ import annotations

import pytest

from pipeline.records import SegmentKind
from pipeline.segment import (
    classify,
    join_segments,
    paragraph_bounds,
    segment_bounds,
    sentence_bounds,
    split_sentences,
)

K = SegmentKind


def kinds_and_texts(text: str, lang: str = "en", kind: SegmentKind = K.TEXT) -> list[tuple]:
    """Return (kind, text) for each segment of one paragraph."""
    return [(k, text[start:end]) for k, start, end in segment_bounds(text, lang, kind)]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "Mr. Smith met Dr. Jones. They talked.",
            ["Mr. Smith met Dr. Jones.", "They talked."],
        ),
        ("en", "Mr Johnson spoke. He left.", ["Mr Johnson spoke.", "He left."]),
        (
            "en",
            "Gen. Min Aung Hlaing spoke. Few listened.",
            ["Gen. Min Aung Hlaing spoke.", "Few listened."],
        ),
        (
            "en",
            "On Feb. 9 the army moved. Protests grew.",
            ["On Feb. 9 the army moved.", "Protests grew."],
        ),
        (
            "en",
            "On Feb 9, the army moved. Protests grew.",
            ["On Feb 9, the army moved.", "Protests grew."],
        ),
        (
            "en",
            "The U.S. Treasury acted. More followed.",
            ["The U.S. Treasury acted.", "More followed."],
        ),
        (
            "en",
            "He lives at No. 10 Downing Street. It is old.",
            ["He lives at No. 10 Downing Street.", "It is old."],
        ),
        ("hi", "Mr. Modi आए। वे बोले।", ["Mr. Modi आए।", "वे बोले।"]),
        ("hi", "डॉ. शर्मा आए। वे बोले।", ["डॉ. शर्मा आए।", "वे बोले।"]),
        ("my", "U.S. က ပိတ်ဆို့တယ်။ နောက်။", ["U.S. က ပိတ်ဆို့တယ်။", "နောက်။"]),
    ],
    ids=["mr-dot", "mr", "gen", "feb-dot", "feb", "us", "no", "hi-mr", "hi-dr", "my-us"],
)
def test_abbreviations_do_not_end_sentences(lang: str, text: str, expected: list[str]) -> None:
    """An abbreviation's full stop (Mr., Dr., Gen., Feb., U.S., No., डॉ.) is not a boundary."""
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "R. K. Singh arrived. He spoke.", ["R. K. Singh arrived.", "He spoke."]),
        ("hi", "श्री आर. के. सिंह आए। वे बोले।", ["श्री आर. के. सिंह आए।", "वे बोले।"]),
    ],
    ids=["en", "hi"],
)
def test_initials_do_not_end_sentences(lang: str, text: str, expected: list[str]) -> None:
    """Initials such as "R. K." stay inside their sentence."""
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "Growth was 3.5 percent. It cost ₹4.8 crore. Then it fell.",
            ["Growth was 3.5 percent.", "It cost ₹4.8 crore.", "Then it fell."],
        ),
        ("en", "Version 3.5.1 is out. Next.", ["Version 3.5.1 is out.", "Next."]),
        (
            "hi",
            "विकास दर 3.5 प्रतिशत थी। ₹4.8 करोड़ खर्च हुए।",
            ["विकास दर 3.5 प्रतिशत थी।", "₹4.8 करोड़ खर्च हुए।"],
        ),
        ("hi", "दर ३.५ प्रतिशत थी। अगला।", ["दर ३.५ प्रतिशत थी।", "अगला।"]),
        ("my", "နှုန်း ၃.၅ ရာခိုင်နှုန်း ရှိတယ်။ နောက်။", ["နှုန်း ၃.၅ ရာခိုင်နှုန်း ရှိတယ်။", "နောက်။"]),
    ],
    ids=["en", "en-version", "hi-latin-digits", "hi-devanagari-digits", "my-burmese-digits"],
)
def test_decimals_and_amounts_do_not_end_sentences(
    lang: str, text: str, expected: list[str]
) -> None:
    """A decimal point between digits (3.5, ₹4.8, ३.५, ၃.၅) is not a boundary."""
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "It ended at 5 p.m. on Friday. Next.", ["It ended at 5 p.m. on Friday.", "Next."]),
        (
            "en",
            "The curfew starts at 8 p.m. Nobody is out.",
            ["The curfew starts at 8 p.m.", "Nobody is out."],
        ),
        ("my", "ညနေ 5 p.m. မှာ ရောက်တယ်။ နောက်။", ["ညနေ 5 p.m. မှာ ရောက်တယ်။", "နောက်။"]),
    ],
    ids=["en-mid", "en-end", "my"],
)
def test_times(lang: str, text: str, expected: list[str]) -> None:
    """ "p.m." does not end a sentence mid-way but does when a new sentence follows."""
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "See https://example.com/a.b?c=d for details. Write to press@example.org. Next.",
            [
                "See https://example.com/a.b?c=d for details.",
                "Write to press@example.org.",
                "Next.",
            ],
        ),
        (
            "hi",
            "विवरण https://example.com/a.b पर देखें। ईमेल press@example.org पर भेजें।",
            ["विवरण https://example.com/a.b पर देखें।", "ईमेल press@example.org पर भेजें।"],
        ),
        (
            "my",
            "https://example.com/a.b ကို ကြည့်ပါ။ press@example.org ကို ရေးပါ။",
            ["https://example.com/a.b ကို ကြည့်ပါ။", "press@example.org ကို ရေးပါ။"],
        ),
    ],
    ids=["en", "hi", "my"],
)
def test_urls_and_email_addresses_are_not_split(lang: str, text: str, expected: list[str]) -> None:
    """Dots inside URLs and e-mail addresses are not boundaries."""
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "“We will win.” Next.", ["“We will win.”", "Next."]),
        ("en", 'He asked "Why?" She smiled.', ['He asked "Why?"', "She smiled."]),
        ("hi", "“हम जीतेंगे।” वे बोले।", ["“हम जीतेंगे।”", "वे बोले।"]),
        (
            "my",
            "“ငါတို့ နိုင်မယ်။” နောက်တစ်ခု။",
            ["“ငါတို့ နိုင်မယ်။”", "နောက်တစ်ခု။"],
        ),
    ],
    ids=["en-curly", "en-straight", "hi", "my"],
)
def test_closing_quote_ends_the_sentence(lang: str, text: str, expected: list[str]) -> None:
    """A closing quote after final punctuation belongs to the sentence it closes."""
    assert split_sentences(text, lang) == expected


def test_quoted_speech_is_one_segment() -> None:
    """Sentences inside one quotation stay together with their attribution (sentencex's rule)."""
    text = "“It is late. We go,” he said. Next."
    assert split_sentences(text, "en") == ["“It is late. We go,” he said.", "Next."]


def test_burmese_quotative_particle_continues_the_sentence() -> None:
    """In Burmese a quote ending in ။ followed by လို့ ("…, he said") is one sentence."""
    text = "သူက “ငါတို့ နိုင်မယ်။” လို့ ပြောတယ်။ နောက်။"
    assert split_sentences(text, "my") == ["သူက “ငါတို့ နိုင်မယ်။” လို့ ပြောတယ်။", "နောက်။"]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "(It was late.) Next.", ["(It was late.)", "Next."]),
        ("en", "It was late. (Nobody came.) Next.", ["It was late.", "(Nobody came.)", "Next."]),
        ("en", "(Is it over?) Not yet.", ["(Is it over?)", "Not yet."]),
        ("en", "He left (at last). Next.", ["He left (at last).", "Next."]),
        ("en", "He left.) Next.", ["He left.)", "Next."]),
        ("en", "(See above.) and more.", ["(See above.) and more."]),
        ("hi", "(देर हो गई थी।) फिर हम गए।", ["(देर हो गई थी।)", "फिर हम गए।"]),
        ("my", "(နောက်ကျသွားပြီ။) ပြီးတော့ သွားတယ်။", ["(နောက်ကျသွားပြီ။)", "ပြီးတော့ သွားတယ်။"]),
    ],
    ids=["en", "en-middle", "en-question", "en-outside", "en-stray", "en-lower", "hi", "my"],
)
def test_closing_bracket_ends_the_sentence(lang: str, text: str, expected: list[str]) -> None:
    """A bracket closing a sentence ends it (a post-rule: sentencex keeps "(….) Next." whole)."""
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "He waited... Then he left.", ["He waited...", "Then he left."]),
        ("en", "He waited… Then he left.", ["He waited…", "Then he left."]),
        ("en", "He waited… then he left.", ["He waited… then he left."]),
        ("en", "He waited... then he left.", ["He waited... then he left."]),
        ("hi", "वह रुका… फिर चला गया।", ["वह रुका…", "फिर चला गया।"]),
        ("my", "သူ စောင့်တယ်… ပြီးတော့ ထွက်သွားတယ်။", ["သူ စောင့်တယ်…", "ပြီးတော့ ထွက်သွားတယ်။"]),
    ],
    ids=["en-dots", "en-char", "en-char-lower", "en-dots-lower", "hi", "my"],
)
def test_ellipses(lang: str, text: str, expected: list[str]) -> None:
    """An ellipsis ends a sentence only before a new one; "…" behaves like "..."."""
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("यह पहला है। यह दूसरा है॥ ३ लोग आए।", ["यह पहला है।", "यह दूसरा है॥", "३ लोग आए।"]),
        ("यह पहला है।३ लोग आए।", ["यह पहला है।", "३ लोग आए।"]),
        ("राम ने कहा। ३ बजे बैठक हुई॥ सब आए", ["राम ने कहा।", "३ बजे बैठक हुई॥", "सब आए"]),
    ],
    ids=["spaced", "unspaced-digit", "double-danda"],
)
def test_hindi_danda_ends_sentences(text: str, expected: list[str]) -> None:
    """। and ॥ end Hindi sentences, also before a Devanagari digit."""
    assert split_sentences(text, "hi") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("မင်္ဂလာပါ။ ကျေးဇူးတင်ပါတယ်။", ["မင်္ဂလာပါ။", "ကျေးဇူးတင်ပါတယ်။"]),
        ("သူ ပြောတယ်၊ ဒါပေမဲ့ မလာဘူး။ နောက်တစ်ခု။", ["သူ ပြောတယ်၊ ဒါပေမဲ့ မလာဘူး။", "နောက်တစ်ခု။"]),
        ("ရန်ကုန်၊ မန္တလေး၊ နေပြည်တော်။", ["ရန်ကုန်၊ မန္တလေး၊ နေပြည်တော်။"]),
    ],
    ids=["full-stop", "comma", "commas-only"],
)
def test_burmese_full_stop_splits_and_comma_does_not(text: str, expected: list[str]) -> None:
    """။ ends a Burmese sentence; ၊ is a comma (a post-rule: sentencex splits there)."""
    assert split_sentences(text, "my") == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "  One.   Two.  ", ["One.", "Two."]),
        ("hi", " एक।  दो। ", ["एक।", "दो।"]),
        ("my", " တစ်။  နှစ်။ ", ["တစ်။", "နှစ်။"]),
    ],
    ids=["en", "hi", "my"],
)
def test_sentences_are_stripped(lang: str, text: str, expected: list[str]) -> None:
    """Sentences carry no leading or trailing whitespace."""
    assert split_sentences(text, lang) == expected


def test_no_boundary_inside_kept_ranges() -> None:
    """A sentence never ends inside a kept range (a link or code span)."""
    text = "Read the report. It is long and good. Next."
    assert sentence_bounds(text, "en", keep=[(5, 27)]) == [(0, 37), (38, 43)]


def test_paragraphs_are_separated_by_blank_lines() -> None:
    """Blank (or whitespace-only) lines separate paragraphs; bounds exclude outer whitespace."""
    text = " a\nb\n\n  \nc \n"
    assert paragraph_bounds(text) == [(1, 4), (9, 10)]


def test_seed_first_line_is_dateline_caption_credit() -> None:
    """ "date 2021-03-05 <caption> - AP" is a dateline, a caption and a credit."""
    text = (
        "date 2021-03-05 Police cross makeshift barricades set up by protesters during a protest"
        " - AP"
    )
    assert kinds_and_texts(text) == [
        (K.DATELINE, "date 2021-03-05"),
        (K.CAPTION, "Police cross makeshift barricades set up by protesters during a protest"),
        (K.CREDIT, "AP"),
    ]


@pytest.mark.parametrize(
    ("text", "dateline", "rest"),
    [
        (
            "YANGON, March 5 (Reuters) - Police fired.",
            "YANGON, March 5 (Reuters) -",
            "Police fired.",
        ),
        ("NEW DELHI (AFP) — Police fired.", "NEW DELHI (AFP) —", "Police fired."),
        ("YANGON, Myanmar, March 5 - Police fired.", "YANGON, Myanmar, March 5 -", "Police fired."),
        ("2021-03-05 Police fired.", "2021-03-05", "Police fired."),
        ("March 5, 2021 - Police fired.", "March 5, 2021 -", "Police fired."),
        ("Friday, 5 March 2021: Police fired.", "Friday, 5 March 2021:", "Police fired."),
    ],
    ids=["wire", "wire-agency-only", "wire-region", "iso", "long", "long-day"],
)
def test_datelines(text: str, dateline: str, rest: str) -> None:
    """Wire-service, ISO and long datelines lead the paragraph as their own DATELINE segment."""
    assert kinds_and_texts(text) == [(K.DATELINE, dateline), (K.TEXT, rest)]


@pytest.mark.parametrize(
    "text",
    [
        "March 5, 2021 was a quiet day.",
        "UN officials met on Friday.",
        "CDM members met on Friday - and they marched.",
    ],
    ids=["long-date-in-prose", "acronym", "acronym-dash"],
)
def test_prose_is_not_a_dateline(text: str) -> None:
    """A date or capitals at the start of ordinary prose is not a dateline."""
    assert kinds_and_texts(text) == [(K.TEXT, text)]


@pytest.mark.parametrize(
    ("text", "caption", "credit"),
    [
        (
            "Myanmar nationals hang posters in front of the United Nations - Lauren DeCicca"
            " /Getty Images AsiaPac",
            "Myanmar nationals hang posters in front of the United Nations",
            "Lauren DeCicca /Getty Images AsiaPac",
        ),
        (
            "Police cross barricades – Reuters/Soe Zeya Tun",
            "Police cross barricades",
            "Reuters/Soe Zeya Tun",
        ),
        ("Police cross barricades — AP Photo", "Police cross barricades", "AP Photo"),
        ("यांगून में प्रदर्शनकारी - रॉयटर्स", "यांगून में प्रदर्शनकारी", "रॉयटर्स"),
        ("ရန်ကုန်မြို့ ဆန္ဒပြပွဲ - AP", "ရန်ကုန်မြို့ ဆန္ဒပြပွဲ", "AP"),
    ],
    ids=["seed", "en-dash", "em-dash", "hi", "my"],
)
def test_caption_with_credit(text: str, caption: str, credit: str) -> None:
    """A paragraph ending " - Name /Agency" without a full stop before it is CAPTION + CREDIT."""
    assert kinds_and_texts(text) == [(K.CAPTION, caption), (K.CREDIT, credit)]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "More than 1,500 have also been arrested - often in terrifying night raids during"
            " internet blackouts. They include journalists.",
        ),
        ("en", "He met the leader - Aung San Suu Kyi."),
        ("en", "Police said it was over. - Reuters"),
        ("hi", "वे गिरफ्तार हुए - अक्सर रात में।"),
        ("my", "သူတို့ ဖမ်းခံရတယ် - ညဘက်မှာ။"),
    ],
    ids=["seed-prose", "name-with-full-stop", "full-stop-before-dash", "hi", "my"],
)
def test_prose_with_a_dash_is_text(lang: str, text: str) -> None:
    """Running prose containing " - " is never turned into a caption and credit."""
    assert {kind for kind, _ in kinds_and_texts(text, lang)} == {K.TEXT}


def test_explicit_caption_may_end_with_a_full_stop_before_its_credit() -> None:
    """A known caption (HTML figcaption) splits off its credit even after a full stop."""
    assert kinds_and_texts("Protesters gather. - Reuters", kind=K.CAPTION) == [
        (K.CAPTION, "Protesters gather."),
        (K.CREDIT, "Reuters"),
    ]


@pytest.mark.parametrize("kind", [K.HEADING, K.LIST_ITEM])
def test_headings_and_list_items_keep_their_kind(kind: SegmentKind) -> None:
    """Headings and list items get no dateline or credit even when they look like one."""
    assert classify("Myanmar - The Latest", kind) == [(kind, 0, 20)]


def test_join_segments_restores_the_paragraph() -> None:
    """Joining a paragraph's segments gives back its text, " - " before the credit."""
    text = "YANGON, March 5 (Reuters) - Police cross barricades. Protesters watch - AP"
    segments = kinds_and_texts(text)
    assert [kind for kind, _ in segments] == [K.DATELINE, K.CAPTION, K.CAPTION, K.CREDIT]
    assert join_segments(segments) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Use FastMail.FM today. Ok.", ["Use FastMail.FM today.", "Ok."]),
        ("Wait...or not. Yes.", ["Wait...or not.", "Yes."]),
        ("Police said.(Oleg Urusov/Reuters)", ["Police said.(Oleg Urusov/Reuters)"]),
        (
            "“It was,” she said. “Most of us knew.”",
            ["“It was,” she said.", "“Most of us knew.”"],
        ),
        ("他来了。她走了。", ["他来了。", "她走了。"]),
    ],
    ids=["domain", "ellipsis", "bracket", "opening-quote", "chinese"],
)
def test_no_cut_where_the_source_has_no_space(text: str, expected: list[str]) -> None:
    """A sentence never ends where no space follows, but after 。; an opening quote goes forward."""
    assert split_sentences(text, "zh" if "。" in text else "en") == expected
