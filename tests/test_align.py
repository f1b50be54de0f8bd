"""Tag projection from given alignments: pairs, nesting, standalone and isolated codes, fallback."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.align import Alignment, compose, hard_links, project
from pipeline.engines.pseudo import pseudo_alignment, pseudo_translate
from pipeline.inline import marked, problems, tag_flags
from pipeline.protect import mask, restore
from pipeline.records import Code, Severity
from pipeline.records import CodeType as T


def words(text: str) -> tuple[tuple[int, int], ...]:
    """Return the span of each space-separated word of text."""
    spans, at = [], 0
    for word in text.split(" "):
        spans.append((at, at + len(word)))
        at += len(word) + 1
    return tuple(spans)


def aligned(source: str, target: str, links: Sequence[tuple[int, int]]) -> Alignment:
    """Return a word alignment given as (target word, source word) links."""
    return Alignment(words(source), words(target), tuple(links))


def pair(code_id: int, start: int, end: int, tag: str = "b", protect: bool = False) -> list[Code]:
    """Return both ends of a pair over [start, end)."""
    return [
        Code(code_id, T.OPEN, tag, f"<{tag}>", start, protect),
        Code(code_id, T.CLOSE, tag, f"</{tag}>", end, protect),
    ]


def one(code_id: int, at: int, kind: T = T.STANDALONE) -> Code:
    """Return a standalone (or isolated) code at an offset."""
    return Code(code_id, kind, "br", "<br>", at)


SOURCE = "aa bb cc dd"  # words at 0, 3, 6, 9
REVERSED = "DD CC BB AA"
BACKWARDS = [(0, 3), (1, 2), (2, 1), (3, 0)]


def test_pair_covers_the_target_words_of_its_source_words() -> None:
    """A pair over "bb cc" spans the hull of their targets, reordered words included."""
    placed = project(SOURCE, pair(1, 3, 8), REVERSED, aligned(SOURCE, REVERSED, BACKWARDS))
    assert marked(REVERSED, placed.codes) == "DD <1>CC BB</1> AA"
    assert placed.moved == ()


def test_nested_pairs_stay_nested_inner_clipped_into_parent() -> None:
    """An inner pair whose target falls outside its parent is cut back into the parent."""
    codes = [*pair(1, 0, 8, "a"), *pair(2, 3, 5, "em")]
    # bb is tied to AA, outside the parent's target (DD CC, from aa and cc).
    links = [(0, 0), (1, 2), (3, 1)]
    placed = project(SOURCE, codes, REVERSED, aligned(SOURCE, REVERSED, links))
    assert problems(codes, placed.codes) == []
    text = marked(REVERSED, placed.codes)
    assert text.startswith("<1>") and text.index("<2>") > text.index("<1>")


def test_crossing_siblings_are_kept_apart() -> None:
    """Two sibling pairs whose targets overlap are cut so neither crosses the other."""
    codes = [*pair(1, 0, 5), *pair(2, 6, 11)]  # aa bb | cc dd
    links = [(0, 0), (1, 3), (2, 1), (3, 2)]  # DD←aa, CC←dd, BB←bb, AA←cc
    placed = project(SOURCE, codes, REVERSED, aligned(SOURCE, REVERSED, links))
    assert problems(codes, placed.codes) == []
    assert marked(REVERSED, placed.codes) == "<1>DD CC BB</1> <2>AA</2>"


def test_one_source_word_to_many_target_words() -> None:
    """A source word tied to two target words takes the pair over both."""
    target = "XX YY ZZ"
    links = [(0, 0), (1, 1), (2, 1)]
    placed = project("aa bb", pair(1, 3, 5), target, aligned("aa bb", target, links))
    assert marked(target, placed.codes) == "XX <1>YY ZZ</1>"


def test_empty_pair_goes_where_a_standalone_would() -> None:
    """A pair with no content follows the target of the word before it, and is not a move."""
    placed = project(SOURCE, pair(1, 5, 5), REVERSED, aligned(SOURCE, REVERSED, BACKWARDS))
    assert marked(REVERSED, placed.codes) == "DD CC BB<1></1> AA"
    assert placed.moved == ()


def test_standalone_at_start_middle_and_end() -> None:
    """Standalone codes at the edges stay at the edges; one inside follows its word's target."""
    codes = [one(1, 0), one(2, 5), one(3, 11)]
    placed = project(SOURCE, codes, REVERSED, aligned(SOURCE, REVERSED, BACKWARDS))
    assert marked(REVERSED, placed.codes) == "<1/>DD CC BB<2/> AA<3/>"
    assert problems(codes, placed.codes) == []


def test_standalone_inside_a_pair_stays_inside_it() -> None:
    """A standalone code in a pair's content is placed inside the pair's target."""
    codes = [*pair(1, 3, 8), one(2, 5)]
    links = [(0, 3), (1, 2), (2, 1), (3, 0)]
    placed = project(SOURCE, codes, REVERSED, aligned(SOURCE, REVERSED, links))
    assert marked(REVERSED, placed.codes) == "DD <1>CC BB<2/></1> AA"


def test_isolated_open_and_close() -> None:
    """An isolated close follows what it covered, an isolated open precedes it, pairs intact."""
    codes = [one(1, 5, T.CLOSE), *pair(2, 6, 8), one(3, 9, T.OPEN)]
    ident = [(0, 0), (1, 1), (2, 2), (3, 3)]
    target = "AA BB CC DD"
    placed = project(SOURCE, codes, target, aligned(SOURCE, target, ident))
    assert marked(target, placed.codes) == "AA BB</1> <2>CC</2> <3>DD"
    assert problems(codes, placed.codes) == [] and placed.moved == ()


def test_isolated_codes_never_land_inside_a_pair() -> None:
    """An isolated open whose aligned place is inside a top-level pair moves to its edge."""
    codes = [*pair(1, 0, 5), one(2, 6, T.OPEN)]  # <1>aa bb</1> <2>cc dd
    links = [(0, 0), (1, 2), (2, 1), (3, 3)]  # cc's target sits between aa's and bb's
    target = "AA CC BB DD"
    placed = project(SOURCE, codes, target, aligned(SOURCE, target, links))
    assert problems(codes, placed.codes) == []
    text = marked(target, placed.codes)
    assert text.index("<2>") >= text.index("</1>")


def test_no_alignment_puts_codes_at_the_edges_with_a_warning() -> None:
    """Without an alignment every code goes to a sentence edge and a tags warning says so."""
    codes = [*pair(1, 3, 8), one(2, 11)]
    placed = project(SOURCE, codes, REVERSED, None)
    assert problems(codes, placed.codes) == []
    assert {c.at for c in placed.codes} <= {0, len(REVERSED)}
    assert placed.moved == (1,)
    (flag,) = tag_flags(codes, placed.codes, placed.moved)
    assert (flag.check, flag.severity) == ("tags", Severity.WARNING)


def test_pair_with_no_linked_word_falls_back_inside_its_parent() -> None:
    """A pair whose words are tied to nothing goes to its parent's edge and is reported."""
    codes = [*pair(1, 0, 11, "a"), *pair(2, 3, 5, "em")]
    links = [(0, 3), (1, 2), (3, 0)]  # bb is tied to nothing
    placed = project(SOURCE, codes, REVERSED, aligned(SOURCE, REVERSED, links))
    assert problems(codes, placed.codes) == [] and placed.moved == (2,)


def test_fixed_span_places_a_protected_pair_exactly() -> None:
    """A pair given a fixed target span (protected content) goes there whatever the links."""
    placed = project(SOURCE, pair(1, 3, 5), REVERSED, aligned(SOURCE, REVERSED, []), {1: (3, 5)})
    assert marked(REVERSED, placed.codes) == "DD <1>CC</1> BB AA"


def test_hard_links_and_pivot_composition() -> None:
    """Hard links take each row's maximum; a pivot composes through overlapping characters."""
    assert hard_links([[0.2, 0.8], [0.6, 0.4]]) == ((0, 1), (1, 0))
    first = aligned("aa bb", "pp qq", [(0, 1), (1, 0)])
    second = Alignment(((0, 2), (3, 5)), ((0, 2), (3, 5)), ((0, 1), (1, 0)))
    through = compose(first, second)
    assert through.source == first.source and through.target == second.target
    assert through.links == ((0, 0), (1, 1))


def test_pseudo_alignment_carries_codes_exactly() -> None:
    """Codes projected through the pseudo engine's alignment keep their place, one char on."""
    source = "see the map and more"
    link, em = pair(1, 4, 11, "a"), pair(2, 8, 11, "em")
    codes = [link[0], em[0], em[1], link[1], one(3, 15)]
    output = pseudo_translate(source)
    placed = project(source, codes, output, pseudo_alignment(source, output))
    assert [c.at for c in placed.codes] == [c.at + 1 for c in codes]
    assert placed.moved == ()


def test_masking_extra_ranges_and_offsets_both_ways() -> None:
    """Extra ranges are masked like URLs; spans map masked→plain and output→restored."""
    text = "Run ls -l or see https://x.org/a now"
    masked = mask(text, [(4, 9)])
    assert masked.text == "Run {1} or see {2} now" and masked.spans[0] == "ls -l"
    assert masked.original((4, 7)) == (4, 9) and masked.original((19, 22)) == (33, 36)
    restored = restore("{2} A {1} B", masked)
    assert restored.text == "https://x.org/a A ls -l B"
    assert restored.token(1) == (18, 23) and restored.restored((10, 11)) == (24, 25)
