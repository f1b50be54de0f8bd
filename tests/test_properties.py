"""Property tests (hypothesis): segmentation and the numbers check, in English, Hindi, Burmese.

- Segmentation never loses or invents text: a paragraph's segments, in order and without
  overlap, hold every non-space character of the paragraph, whatever the script, except the
  one dash that separates a trailing credit ("… — Name /Agency"), which the skeleton keeps.
- The numbers check is symmetric (a number missing one way is added the other way) and
  independent of the digit system: a target in Myanmar or Devanagari digits gets exactly
  the flags it gets in ASCII digits.

The CI profile runs each property on a bounded, derandomized set of examples
(tests/conftest.py); ``HYPOTHESIS_PROFILE=long`` runs many more.
"""

from __future__ import annotations

from itertools import pairwise

from hypothesis import example, given
from hypothesis import strategies as st

from pipeline.qa import Pair, check_numbers
from pipeline.records import SegmentKind
from pipeline.segment import paragraph_bounds, segment_bounds

WORDS = {
    "en": ["police", "crossed", "the", "border", "Dr.", "U.S.", "Mr.", "officials", "e.g."],
    "hi": ["पुलिस", "ने", "सीमा", "पार", "की", "अधिकारी", "डॉ.", "म्यांमार"],
    "my": ["ရဲ", "တပ်ဖွဲ့", "နယ်စပ်", "ကို", "ဖြတ်ကျော်", "ခဲ့သည်", "မြန်မာ", "အိန္ဒိယ"],
}
ENDS = {"en": [".", "?", "!", "...", '."', "…"], "hi": ["।", "?", "!", "॥"], "my": ["။", "၊", "?"]}
NUMBERS = st.sampled_from(["19", "1,250", "3.5", "၁၉", "१,५००", "2021", "12.75", "100,000"])
EXTRAS = st.sampled_from(['"', "'", "(", ")", "—", "https://example.org/a.b?c=1", "\u200b", "  "])


def paragraph(lang: str) -> st.SearchStrategy[str]:
    """A paragraph of realistic pieces in one language, and some arbitrary text."""
    piece = st.one_of(
        st.sampled_from(WORDS[lang]),
        st.sampled_from(ENDS[lang]),
        NUMBERS,
        EXTRAS,
        st.text(max_size=6),
    )
    return st.lists(piece, min_size=1, max_size=40).map(" ".join)


def bare(text: str) -> str:
    return "".join(text.split())


@given(
    st.sampled_from(["en", "hi", "my"]).flatmap(
        lambda lang: st.tuples(st.just(lang), paragraph(lang))
    )
)
@example(("en", "Dr. Aung said 1,250 people fled. Police crossed... Then?"))
@example(("hi", "पुलिस ने सीमा पार की। 19 अधिकारी॥ डॉ. शर्मा"))
@example(("my", "ရဲ ၁၉ ဦး နယ်စပ်ကို ဖြတ်ကျော်ခဲ့သည်။ မြန်မာ၊ အိန္ဒိယ"))
@example(("hi", "पुलिस — पुलिस"))  # found by hypothesis: a caption and its credit
def test_segments_join_back_to_the_paragraph(case: tuple[str, str]) -> None:
    lang, text = case
    for start, end in paragraph_bounds(text):
        body = text[start:end]
        parts = segment_bounds(body, lang, SegmentKind.TEXT)
        spans = [(s, e) for _, s, e in parts]
        assert spans == sorted(spans)
        assert all(s < e for s, e in spans)
        assert all(a[1] <= b[0] for a, b in pairwise(spans)), spans
        # What no segment holds is whitespace, or the dash before a credit ("… — Name"),
        # which stays in the article's skeleton: text between segments, never translated.
        covered = set().union(*(range(s, e) for s, e in spans))
        between = bare("".join(c for i, c in enumerate(body) if i not in covered))
        credits = sum(1 for kind, _, _ in parts if kind is SegmentKind.CREDIT)
        assert set(between) <= set("-–—") and len(between) <= credits, (between, parts)


AMOUNT = st.one_of(
    st.integers(0, 10**7).map(str),
    st.integers(1_000, 10**7).map(lambda n: f"{n:,}"),
    st.decimals(0, 10_000, places=2, allow_nan=False, allow_infinity=False).map(str),
)
FILLER = st.sampled_from(["police", "said", "crossed", "officials", "at", "border", "and"])


def sentence() -> st.SearchStrategy[str]:
    return st.lists(st.one_of(AMOUNT, FILLER), min_size=1, max_size=10).map(" ".join)


def flags(source: str, target: str) -> list[str]:
    return sorted(f.message for f in check_numbers(Pair(source, target, "en", "my")))


MYANMAR = str.maketrans("0123456789", "၀၁၂၃၄၅၆၇၈၉")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


@given(sentence(), sentence())
@example("1,250 officials", "1250 officials")
def test_the_numbers_check_is_symmetric(a: str, b: str) -> None:
    """A number missing from b is one b does not hold: flagged both ways, or neither."""
    assert bool(flags(a, b)) == bool(flags(b, a))
    missing = {m.split()[1] for m in flags(a, b) if "missing" in m}
    added = {m.split()[1] for m in flags(b, a) if "not in the source" in m}
    assert missing == added


@given(sentence(), sentence())
@example("19 police and 1,250 officials", "19 police and 1,250 officials")
def test_the_numbers_check_ignores_the_digit_system(source: str, target: str) -> None:
    ascii_flags = flags(source, target)
    assert flags(source, target.translate(MYANMAR)) == ascii_flags
    assert flags(source, target.translate(DEVANAGARI)) == ascii_flags
    assert flags(source.translate(DEVANAGARI), target.translate(MYANMAR)) == ascii_flags
