"""Fuzzy matches: token edit distance in percent, exactly what a full scan finds, only faster."""

from __future__ import annotations

import random

import pytest

from pipeline.records import Code, CodeType
from pipeline.tm import MemoryEntry
from pipeline.tm.fuzzy import FuzzyIndex, tokens


def entry(source: str, target: str = "t", codes: tuple[Code, ...] = ()) -> MemoryEntry:
    return MemoryEntry("en", "my", source, target, source_codes=codes)


def test_score_is_token_edit_distance_over_the_longer() -> None:
    index = FuzzyIndex.of([entry("Police closed the border crossing at Tamu on Monday.")])
    # One word replaced out of 10 tokens (9 words and the full stop): 90 %.
    (match,) = index.lookup("Police closed the border crossing at Moreh on Monday.")
    assert match.score == 90.0
    # Case and spacing are not differences; a number is one token.
    assert index.lookup("police  closed the border crossing at tamu on monday.")[0].score == 100
    assert tokens("It cost 1,250.50 kyat") == ["it", "cost", "1,250.50", "kyat"]


def test_threshold_and_limit() -> None:
    index = FuzzyIndex.of([entry("a b c d"), entry("a b c x"), entry("a b y x"), entry("q r s t")])
    found = index.lookup("a b c d", threshold=50, limit=5)
    assert [(m.entry.source, m.score) for m in found] == [
        ("a b c d", 100.0),
        ("a b c x", 75.0),
        ("a b y x", 50.0),
    ]
    assert [m.entry.source for m in index.lookup("a b c d")] == ["a b c d", "a b c x"]
    assert len(index.lookup("a b c d", threshold=50, limit=1)) == 1
    assert index.lookup("nothing like it") == []


def test_a_code_is_a_token() -> None:
    bold = (Code(1, CodeType.OPEN, "b", "<b>", 0), Code(1, CodeType.CLOSE, "b", "</b>", 6))
    index = FuzzyIndex.of([entry("Border closed today", codes=bold)])
    # The same words without the pair: two token edits in five tokens.
    (match,) = index.lookup("Border closed today", threshold=50)
    assert match.score == round(100 * (1 - 2 / 5), 1)
    assert tokens("Border closed today", bold)[0] == "\0open"


@pytest.mark.parametrize("seed", range(5))
def test_lookup_finds_what_the_full_scan_finds(seed: int) -> None:
    """The prefix filter is exact: same best score as scoring every entry, any threshold."""
    rng = random.Random(seed)
    vocab = [f"w{n}" for n in range(40)]
    sources = [" ".join(rng.choices(vocab, k=rng.randint(1, 12))) for _ in range(400)]
    index = FuzzyIndex.of(entry(s) for s in sources)
    for _ in range(60):
        words = rng.choice(sources).split()
        for _ in range(rng.randint(0, 3)):
            words[rng.randrange(len(words))] = rng.choice([*vocab, "new"])
        query = " ".join(words)
        threshold = rng.choice([50, 75, 90])
        found = index.lookup(query, threshold=threshold, limit=1)
        scanned = index.scan(query, threshold=threshold)
        assert [m.score for m in found] == [m.score for m in scanned[:1]], query
