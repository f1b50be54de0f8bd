"""Property tests (hypothesis): segmentation and the numbers check, in English, Hindi, Burmese.

- Segmentation never loses or invents text: a paragraph's segments, in order and without
  overlap, hold every non-space character of the paragraph, whatever the script, except the
  one dash that separates a trailing credit ("… — Name /Agency"), which the skeleton keeps.
- An ingested text article rebuilds from its segments: the skeleton with each paragraph's
  segments put back is the file as ingest normalised it, whitespace and credit dashes aside
  (and text quoting a placeholder, "{{p:0}}", stays text).
- The numbers check is symmetric (a number missing one way is added the other way) and
  independent of the digit system: a target in Myanmar, Devanagari or any script's decimal
  digits gets exactly the flags it gets in ASCII digits, and so does one whose numbers are
  regrouped (1,250 / 1250 / 12,34,567) or carry trailing decimal zeros (3.5 / 3.50).

The CI profile runs each property on a bounded, derandomized set of examples
(tests/conftest.py); ``HYPOTHESIS_PROFILE=long`` runs many more.
"""

from __future__ import annotations

import re
import tempfile
from itertools import groupby, pairwise
from pathlib import Path

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from pipeline.burmese import normalise_text
from pipeline.ingest import paragraph_gaps, read_article, rebuild, sealed
from pipeline.qa import Pair, check_numbers
from pipeline.records import Code, CodeType, SegmentKind
from pipeline.segment import join_segments, paragraph_bounds, segment_bounds

WORDS = {
    "en": ["police", "crossed", "the", "border", "Dr.", "U.S.", "Mr.", "officials", "e.g."],
    "hi": ["पुलिस", "ने", "सीमा", "पार", "की", "अधिकारी", "डॉ.", "म्यांमार"],
    "my": ["ရဲ", "တပ်ဖွဲ့", "နယ်စပ်", "ကို", "ဖြတ်ကျော်", "ခဲ့သည်", "မြန်မာ", "အိန္ဒိယ"],
}
ENDS = {"en": [".", "?", "!", "...", '."', "…"], "hi": ["।", "?", "!", "॥"], "my": ["။", "၊", "?"]}
MYANMAR = str.maketrans("0123456789", "၀၁၂၃၄၅၆၇၈၉")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
NUMBERS = st.one_of(
    st.sampled_from(["19", "1,250", "1,250.5", "3.5", "၁၉", "१,५००", "2021", "12.75", "100,000"]),
    st.sampled_from(["1,250.5", "3.5", "19.", "12,34,567", "0.5"]).flatmap(
        lambda n: st.sampled_from([n, n.translate(MYANMAR), n.translate(DEVANAGARI)])
    ),
)
EXTRAS = st.sampled_from(
    [
        '"',
        "'",
        "“",
        "”",
        "‘",
        "’",
        "«",
        "»",
        "(",
        ")",
        "—",
        "-",
        "...",
        "…",
        "!?",
        "https://example.org/a.b?c=1",
        "www.example.org.",
        "e-mail a.b@example.org.",
        "\u200b",
        "  ",
        "\t",
        "\n",
        "{{p:1}}",
    ]
)


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


def article(lang: str) -> st.SearchStrategy[str]:
    """A plain-text article: paragraphs of one language, blank lines between them."""
    return st.lists(paragraph(lang), min_size=1, max_size=4).map("\n\n".join)


@given(
    st.sampled_from(["en", "hi", "my"]).flatmap(
        lambda lang: st.tuples(st.just(lang), article(lang))
    )
)
@settings(max_examples=100)
@example(("en", "Police crossed.\n\nThey said {{p:0}} and {{p:1}}."))
def test_an_ingested_article_rebuilds_from_its_segments(case: tuple[str, str]) -> None:
    """Ingest a text article, put each paragraph's segments back: the article, spaces aside.

    Each paragraph is joined with the gaps its skeleton records, so a credit keeps its dash.

    This is what ingest does with the segmenter (paragraphs, protected spans, datelines,
    credits) and what an article export does with the segments; the text compared is the
    file as ingest normalises it (NFC, zero-width and control characters).
    """
    lang, text = case
    assume(text.strip() and "\x00" not in text)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.txt"
        path.write_bytes(text.encode("utf-8"))
        draft = read_article(path, lang)
    gaps = paragraph_gaps(draft.skeleton)
    paragraphs = {
        index: join_segments([(s.kind, s.source) for s in group], gaps.get(index))
        for index, group in groupby(draft.segments, key=lambda s: s.paragraph)
    }
    normal = normalise_text(text.replace("\r", "\n"), lang, segment=False).text
    # Only whitespace may differ (a text paragraph's lines are joined): dashes are kept.
    assert bare(rebuild(draft.skeleton, paragraphs)) == bare(normal.replace("\u2028", ""))


def regrouped(number: str, style: str) -> str:
    """Return an ASCII number written with another grouping, or trailing decimal zeros."""
    whole, _, fraction = number.replace(",", "").partition(".")
    if style == "western":
        whole = f"{int(whole):,}"
    elif style == "indian" and len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        groups = [head[max(i - 2, 0) : i] for i in range(len(head), 0, -2)][::-1]
        whole = ",".join([*groups, tail])
    elif style == "padded":
        fraction = (fraction or "") + "0"
    return f"{whole}.{fraction}" if fraction else whole


GROUPINGS = st.sampled_from(["plain", "western", "indian", "padded"])
ASCII_NUMBER = re.compile(r"(?<![\d,.])\d[\d,]*(?:\.\d+)?(?![\d,.])")


@given(sentence(), sentence(), GROUPINGS)
@example("1,00,000 officials", "100000 officials", "indian")
@example("3.50 officials", "3.5 officials", "padded")
def test_the_numbers_check_ignores_grouping(source: str, target: str, style: str) -> None:
    """A target's numbers regrouped (1,250 / 1250 / 12,34,567 Indian) or with trailing
    decimal zeros (3.5 / 3.50) get exactly the flags they got as written."""
    rewritten = ASCII_NUMBER.sub(lambda m: regrouped(m.group(0), style), target)
    assert flags(source, rewritten) == flags(source, target)


NATIVE_DIGITS = st.sampled_from(
    [chr(zero) for zero in (0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0x1040, 0x17E0, 0xFF10)]
)
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=10).filter(
    lambda s: not NUMBER_WORD.search(s)
)
NUMBER_WORD = re.compile(r"(?i)\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten)\b")


@given(
    st.lists(st.one_of(AMOUNT, ANY_TEXT), min_size=1, max_size=8).map(" ".join),
    st.lists(st.one_of(AMOUNT, ANY_TEXT), min_size=1, max_size=8).map(" ".join),
    NATIVE_DIGITS,
)
def test_the_numbers_check_on_any_text_and_digits(a: str, b: str, zero: str) -> None:
    """Symmetric and digit-blind among arbitrary text, in any script's decimal digits.

    What the check promises holds for numbers, not dates or number words: an ISO date may
    come back as a localised date one way only, and "nine" may become "9" one way only, so
    the text holds neither.
    """
    assume(not re.search(r"\d{4}-\d{2}-\d{2}", a + b))
    assert bool(flags(a, b)) == bool(flags(b, a))
    native = str.maketrans("0123456789", "".join(chr(ord(zero) + i) for i in range(10)))
    assert flags(a, b.translate(native)) == flags(a, b)


def test_text_quoting_a_placeholder_is_kept(tmp_path: Path) -> None:
    """An article that quotes a skeleton placeholder gets it back as text, not a paragraph.

    Found by hypothesis: rebuilding filled placeholders twice (the second pass is for those
    in codes' markup), so "They said {{p:0}}" came back as "They said Police crossed.".
    """
    path = tmp_path / "article.txt"
    path.write_text("Police crossed.\n\nThey said {{p:0}} and {{p:1}}.\n", encoding="utf-8")
    draft = read_article(path)
    paragraphs = {s.paragraph: s.source for s in draft.segments}
    assert rebuild(draft.skeleton, paragraphs) == path.read_text(encoding="utf-8")
    # A placeholder only the markup holds (an inline image's alt text) is still filled, as
    # the readers write it (sealed); text beside it that quotes one is not.
    image = sealed([Code(1, CodeType.STANDALONE, "img", '<img alt="{{a:1}}">', 0)])[0].data
    filled = rebuild("{{p:0}}", {0: "{{a:1}} " + image, 1: "a map"})
    assert filled == '{{a:1}} <img alt="a map">'
