"""Glossary terms found in Burmese, Hindi and English text, and translations checked for them."""

from __future__ import annotations

import itertools
import random
import unicodedata

import pytest

from pipeline.glossary import GlossaryEntry, TermStatus
from pipeline.glossary.match import Glossary, TermHit, find_term, syllable_bounds
from pipeline.records import Severity

P, A, F = TermStatus.PREFERRED, TermStatus.ADMITTED, TermStatus.FORBIDDEN
# Sentences from Burmese news on the 2021 border crossings (the sample article's subject).
BURMESE = [
    "အောင်ဆန်းစုကြည်သည် နေပြည်တော်တွင် ရှိသည်။",
    "မြန်မာ ရဲအရာရှိ အနည်းဆုံး ၁၉ ဦးသည် နယ်စပ်ကို ဖြတ်ကျော်ပြီး အိန္ဒိယနိုင်ငံထဲသို့ ဝင်ရောက်သွားကြသည်။",
    "ကျန်းမာရေးဝန်ထမ်းများက စတင်ခဲ့သော CDM လှုပ်ရှားမှုတွင် လူထောင်ပေါင်းများစွာ ပါဝင်လာကြသည်။",
    "အိန္ဒိယနိုင်ငံတွင် မြန်မာနိုင်ငံမှ ဒုက္ခသည် ထောင်ပေါင်းများစွာ ရှိနှင့်ပြီး ဖြစ်သည်။",
    "ရန်ကုန်မြို့တွင် ဆန္ဒပြသူများ စုဝေးခဲ့ကြသည်။",
    "“ဒါက ပုံမှန်မဟုတ်တဲ့ ကိစ္စပါ” ဟု ဂျိမ်းစ် ဖာနိုင်းက ပြောသည်။",
    "Tin Maung Naing သည် UN ရှိ ဦးကျော်မိုးထွန်းထံမှ တာဝန်လွှဲယူရန် ငြင်းဆန်ခဲ့သည်။",
    "မန္တလေးနှင့် ပြည်ထောင်စုသမ္မတ မြန်မာနိုင်ငံတော်၊ အင်္ဂလိပ်စာ ကျွန်ုပ်တို့ သိပါ၏။",
]
# Signs that never begin a syllable: dependent vowels, medials, asat, virama, tone marks.
DEPENDENT = {chr(c) for c in range(0x102B, 0x103F)} - {"\u103f"}


def syllables(text: str) -> list[str]:
    cuts = sorted(syllable_bounds(text))
    return [text[a:b] for a, b in itertools.pairwise(cuts)]


def entry(term: str, target: str = "", status: TermStatus = P, **kw: object) -> GlossaryEntry:
    lang = str(kw.pop("target_lang", "my"))
    return GlossaryEntry(str(kw.pop("source_lang", "en")), lang, term, target, status, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("နေပြည်တော်", ["နေ", "ပြည်", "တော်"]),
        ("အောင်ဆန်းစုကြည်", ["အောင်", "ဆန်း", "စု", "ကြည်"]),
        ("မန္တလေး", ["မန္တ", "လေး"]),  # the stacked ္တ stays in its syllable
        ("အင်္ဂလိပ်", ["အင်္ဂ", "လိပ်"]),  # kinzi: င်္ stacks on ဂ
        ("ဦးသန့်", ["ဦး", "သန့်"]),  # an independent vowel begins one; ့ stays
        ("ကိစ္စပါ။", ["ကိစ္စ", "ပါ", "။"]),
        ("UN ရှိ", ["U", "N", " ", "ရှိ"]),
    ],
)
def test_syllables_follow_sylbreak(text: str, expected: list[str]) -> None:
    """Syllables begin at consonants not killed or stacked, independent vowels and marks."""
    assert syllables(text) == expected


@pytest.mark.parametrize("sentence", BURMESE)
def test_syllable_bounds_of_real_sentences_cut_only_before_a_syllable(sentence: str) -> None:
    """Every cut is before a base (never a sign), a stacked or killed consonant is never cut."""
    bounds = syllable_bounds(sentence)
    assert {0, len(sentence)} <= bounds and "".join(syllables(sentence)) == sentence
    for cut in bounds - {0, len(sentence)}:
        here, before = sentence[cut], sentence[cut - 1]
        assert here not in DEPENDENT, (sentence[:cut], here)
        assert before != "\u1039", sentence[:cut]  # a virama stacks what follows it
        assert sentence[cut + 1 : cut + 2] not in ("\u103a", "\u1039") or here == " "
    # Each syllable of Myanmar script holds one base that begins it (or is stacked under one).
    for syllable in syllables(sentence):
        assert len(syllable) == 1 or syllable[0] not in DEPENDENT


def test_burmese_terms_match_on_syllables_without_spaces() -> None:
    """နေပြည်တော် is found before တွင် with no space, a part of a syllable is not found."""
    assert find_term("နေပြည်တော်တွင် ရှိသည်။", "နေပြည်တော်", "my") == [(0, 10)]
    assert find_term("ပြည်ထောင်စုသမ္မတ", "ပြည်", "my") == [(0, 4)]
    assert find_term("ပြည်ထောင်စု", "ပြ", "my") == []  # ပြ is half the syllable ပြည်
    assert find_term("မန္တလေး", "မန်", "my") == []
    assert find_term("မန္တလေး", "လေး", "my") == [(4, 7)]
    # Decomposed ဥ + ီ (U+1025 U+102E) and a zero-width space are the same text.
    decomposed = "ဥ\u102eး\u200bကျော်မိုးထွန်း"
    assert find_term(decomposed, "ဦးကျော်မိုးထွန်း", "my") == [(0, len(decomposed))]


def test_hindi_terms_match_on_word_boundaries_in_both_nukta_spellings() -> None:
    """मिज़ोरम is found before the postposition में, not inside मिज़ोरमके; ज़ is one letter."""
    composed, decomposed = "मि\u095bोरम", "मि\u091c\u093cोरम"
    assert unicodedata.normalize("NFC", composed) == decomposed  # U+095B is an exclusion
    assert find_term(f"{decomposed} में पुलिस", decomposed, "hi") == [(0, 7)]
    assert find_term(f"{decomposed}के", decomposed, "hi") == []
    assert find_term(f"पुलिस {composed} में", decomposed, "hi") == [(6, 12)]
    assert find_term(f"{decomposed} में", composed, "hi") == [(0, 7)]
    assert find_term("पुलिसकर्मी", "पुलिस", "hi") == []  # a vowel sign is a word character


def test_english_case_rule_and_boundaries() -> None:
    """Case is folded except for acronyms; an apostrophe ends a word, whitespace runs are one."""
    assert find_term("Police and police", "police", "en") == [(0, 6), (11, 17)]
    assert find_term("the nld and the NLD", "NLD", "en") == [(16, 19)]
    assert find_term("Police", "police", "en", case_sensitive=True) == []
    assert find_term("Naypyitaw's council", "Naypyitaw", "en") == [(0, 9)]
    assert find_term("policeman", "police", "en") == []
    assert find_term("Aung San\n  Suu Kyi", "aung san suu kyi", "en") == [(0, 18)]
    assert find_term("STRASSE", "straße", "de") == [(0, 7)]
    assert find_term("CDMလှုပ်ရှားမှု", "CDM", "my") == [(0, 3)]  # a script change is a boundary


def test_longest_term_wins_and_hits_come_in_text_order() -> None:
    """Aung San Suu Kyi wins over Aung San inside it; the shorter term is found elsewhere."""
    glossary = Glossary(
        [entry("Aung San", "အောင်ဆန်း"), entry("Aung San Suu Kyi", "အောင်ဆန်းစုကြည်")], "en", "my"
    )
    hits = glossary.hits("General Aung San's daughter Aung San Suu Kyi spoke.")
    assert [(h.start, h.end, h.term) for h in hits] == [
        (8, 16, "Aung San"),
        (28, 44, "Aung San Suu Kyi"),
    ]


def test_hit_actions_replace_keep_ambiguous_and_none() -> None:
    """One preferred target is a replacement even with admitted ones; dnt keeps the source."""
    glossary = Glossary(
        [
            entry("police", "ရဲ", A),
            entry("police", "ရဲတပ်ဖွဲ့", P, note="the force"),
            entry("police", "ပုလိပ်", F),
            entry("Facebook", dnt=True, target_lang="hi"),  # dnt holds for every language
            entry("junta", "စစ်ကောင်စီ", A),
            entry("junta", "စစ်အစိုးရ", A),
            entry("border", "နယ်ခြားဂိတ်", F),
            entry("Mizoram", "मिज़ोरम", target_lang="hi"),  # another language: left out
        ],
        "en",
        "my",
    )
    hits = {h.term: h for h in glossary.hits("Police, the junta, Facebook, border, Mizoram")}
    police = hits["police"]
    assert police.targets == ("ရဲတပ်ဖွဲ့", "ရဲ") and police.forbidden == ("ပုလိပ်",)
    assert police.action == "replace" and police.replacement == "ရဲတပ်ဖွဲ့"
    assert police.notes == ("the force",) and police.text == "Police"
    assert hits["Facebook"].action == "keep" and hits["Facebook"].replacement == "Facebook"
    assert hits["junta"].action == "ambiguous" and hits["junta"].replacement is None
    assert hits["border"].action == "none" and hits["border"].targets == ()
    assert "Mizoram" not in hits and len(glossary) == 4


def test_a_hit_built_by_hand_treats_all_its_targets_as_preferred() -> None:
    """TermHit(start, end, text, term, targets, forbidden) as other modules build it."""
    hit = TermHit(0, 9, "Naypyitaw", "Naypyitaw", ("နေပြည်တော်",), ("နေပြည်",))
    assert hit.action == "replace" and hit.replacement == "နေပြည်တော်"
    assert TermHit(0, 2, "UN", "UN", ("ကုလ", "ကုလသမဂ္ဂ")).action == "ambiguous"


def messages(glossary: Glossary, source: str, target: str) -> list[tuple[Severity, str]]:
    return [(f.severity, f.message) for f in glossary.check(source, target) if f.check == "terms"]


def test_check_warns_on_a_missing_burmese_term_and_errors_on_a_forbidden_one() -> None:
    """A missing approved target is a warning; a forbidden one is an error naming the right one."""
    glossary = Glossary(
        [
            entry("Naypyitaw", "နေပြည်တော်", concept="c1"),
            entry("Naypyitaw", "နေပြည်", F, concept="c1"),
            entry("police", "ရဲ"),
        ],
        "en",
        "my",
    )
    source = "Police in Naypyitaw said so."
    assert messages(glossary, source, "နေပြည်တော်ရှိ ရဲက ပြောသည်။") == []
    assert messages(glossary, source, "နေပြည်ရှိ ရဲက ပြောသည်။") == [
        (Severity.WARNING, "term 'Naypyitaw': expected နေပြည်တော် in the translation"),
        (Severity.ERROR, "forbidden term 'နေပြည်' in the translation (use နေပြည်တော်)"),
    ]
    # A forbidden term is an error even when its source term is not in the source.
    assert messages(glossary, "Police said so.", "နေပြည် ရဲက ပြောသည်။") == [
        (Severity.ERROR, "forbidden term 'နေပြည်' in the translation (use နေပြည်တော်)"),
    ]


def test_check_in_hindi_and_latin_script() -> None:
    """Devanagari and Latin targets are checked on word boundaries, dnt terms case-sensitively."""
    hindi = Glossary(
        [
            entry("Mizoram", "मि\u095bोरम", target_lang="hi"),
            entry("police", "पुलिस", target_lang="hi"),
            entry("police", "पोलीस", F, target_lang="hi"),
            entry("Facebook", dnt=True, target_lang="hi"),
        ],
        "en",
        "hi",
    )
    source = "Police in Mizoram posted on Facebook."
    assert messages(hindi, source, "मिज़ोरम में पुलिस ने Facebook पर लिखा।") == []
    assert messages(hindi, source, "मिज़ोरमके पोलीस ने facebook पर लिखा।") == [
        (Severity.WARNING, "term 'police': expected पुलिस in the translation"),
        (Severity.WARNING, "term 'Mizoram': expected मि\u095bोरम in the translation"),
        (Severity.WARNING, "term 'Facebook': expected Facebook in the translation"),
        (Severity.ERROR, "forbidden term 'पोलीस' in the translation (use पुलिस)"),
    ]
    french = Glossary(
        [entry("junta", "junte", target_lang="fr"), entry("junta", "Junta", F, target_lang="fr")],
        "en",
        "fr",
    )
    assert messages(french, "The junta.", "La JUNTA.") == [
        (Severity.WARNING, "term 'junta': expected junte in the translation"),
        (Severity.ERROR, "forbidden term 'Junta' in the translation (use junte)"),
    ]


def test_check_counts_occurrences_and_accepts_any_approved_target() -> None:
    """Two source terms need two target terms; an admitted target counts as approved."""
    glossary = Glossary([entry("police", "ရဲ"), entry("police", "ရဲတပ်ဖွဲ့", A)], "en", "my")
    source = "Police met police."
    assert messages(glossary, source, "ရဲနှင့် ရဲတပ်ဖွဲ့ တွေ့သည်။") == []
    assert messages(glossary, source, "ရဲ တွေ့သည်။") == [
        (Severity.WARNING, "term 'police': expected ရဲ or ရဲတပ်ဖွဲ့ in the translation (1 of 2)"),
    ]


def test_an_approved_target_containing_a_forbidden_one_is_not_an_error() -> None:
    """The forbidden နေပြည် inside the approved နေပြည်တော် is the approved term, not an error."""
    glossary = Glossary(
        [entry("Naypyitaw", "နေပြည်တော်"), entry("Naypyitaw", "နေပြည်", F)], "en", "my"
    )
    assert messages(glossary, "Naypyitaw.", "နေပြည်တော်။") == []


def test_twenty_thousand_terms_over_a_thousand_sentences() -> None:
    """The index finds every planted term among 20,000 in 1,000 sentences, longest first."""
    rng = random.Random(7)
    parts = ["ka", "lo", "mi", "nu", "ra", "si", "to", "ve", "zu", "pa", "de", "gi", "bo", "fe"]
    words = sorted({"".join(rng.choices(parts, k=rng.randint(2, 4))) for _ in range(30000)})
    chosen: set[str] = set()
    while len(chosen) < 20000:
        chosen.add(" ".join(rng.sample(words, rng.randint(1, 3))))
    terms = sorted(chosen)
    glossary = Glossary([entry(t, f"T{i}") for i, t in enumerate(terms)], "en", "my")
    assert len(glossary) == 20000
    known = set(terms)
    for _ in range(1000):
        planted = rng.choice(terms)
        filler = " ".join(f"x{rng.randint(0, 99)}" for _ in range(12))
        source = f"{filler} {planted}, {filler}."
        hits = glossary.hits(source)
        assert [h.text for h in hits] == [planted]
        assert hits[0].replacement == f"T{terms.index(planted)}"
    # A sentence of glossary words: every hit is a term, and none could be longer.
    sentence = " ".join(rng.sample(words, 300))
    for hit in glossary.hits(sentence):
        assert hit.term in known and sentence[hit.start : hit.end] == hit.term


@pytest.mark.parametrize("sentence", BURMESE)
def test_the_index_finds_what_find_term_finds(sentence: str) -> None:
    """Every run of one to three syllables as a term: the index and find_term agree."""
    cuts = sorted(syllable_bounds(sentence))
    runs = {sentence[a:b].strip() for n in (1, 2, 3) for a, b in zip(cuts, cuts[n:], strict=False)}
    terms = sorted(runs - {""})
    found_any = 0
    for term in terms:
        alone = Glossary([entry(term, "x", source_lang="my", target_lang="en")], "my", "en")
        found = [(h.start, h.end) for h in alone.hits(sentence)]
        assert found == find_term(sentence, term, "my"), term
        found_any += bool(found)
        if all("\u1000" <= ch <= "\u109f" for ch in term):
            assert found, term  # a run of whole syllables is always found
    assert found_any > len(terms) // 2
