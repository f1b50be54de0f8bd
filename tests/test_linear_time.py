"""Text handling costs time in proportion to the text: no hostile input is quadratic.

Each function on the QA, protect, segmentation and glossary paths is timed on a hostile
input and on one ten times longer. The measure is CPU time of this process (other agents'
load does not count), the best of three runs, at a size calibrated so that the short run
takes a few milliseconds; a ratio under 25 passes, where a quadratic function gives about
100. A 10 MB word goes through each in a subprocess with a 60 s bound: a regex that never
ends cannot hang the suite.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from pipeline import qa
from pipeline.glossary import GlossaryEntry, TermStatus
from pipeline.glossary.match import Glossary
from pipeline.inline import marked, read_markers
from pipeline.protect import mask, unmask
from pipeline.segment import segment_bounds

# One unit of each hostile input, repeated to the length wanted.
HOSTILE = {
    "letters": "a",
    "dotted": "a.",
    "at signs": "a@",
    "addresses": "a.a@a.a ",
    "www": "www.",
    "schemes": "http://",
    "number list": "1,",
    "indian groups": "11,",
    "spaces": " ",
    "braces": "{",
    "percents": "%",
    "tokens": "{1}",
    "backslashes": "\\",
    "markers": "a<1/>",
    "medials": "\u103b\u103c\u103d\u103e",
    "marks": "\u0301",
    "mixed marks": "\u0301\u0316",
    "sentences": "Go now. ",
    "bracketed": "a. (",
}

GLOSSARY = Glossary(
    [
        GlossaryEntry("en", "my", "a", "က"),
        GlossaryEntry("en", "my", "police", "ရဲ"),
        GlossaryEntry("en", "my", "a a", "ကက"),
        GlossaryEntry("en", "my", "police", "ပုလိပ်", TermStatus.FORBIDDEN),
    ],
    "en",
    "my",
)


def _unmasked(text: str) -> object:
    masked = mask(text)
    return unmask(masked.text, masked)


FUNCTIONS: dict[str, Callable[[str], object]] = {
    "qa.check": lambda text: qa.check("x" + text, text, "en", "my"),
    "protect.mask+unmask": _unmasked,
    "segment_bounds en": lambda text: segment_bounds(text, "en"),
    "segment_bounds my": lambda text: segment_bounds(text, "my"),
    "glossary check": lambda text: GLOSSARY.check(text, text),
    "markers": lambda text: read_markers(marked(text, ())),
}


def _text(unit: str, size: int) -> str:
    return "b" + (unit * (size // len(unit) + 1))[:size]


def _cost(function: Callable[[str], object], text: str) -> float:
    """Return the least CPU time of three runs."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        function(text)
        best = min(best, time.process_time() - start)
    return best


def _ratio(function: Callable[[str], object], unit: str) -> tuple[int, float]:
    """Return a size whose run takes a few ms, and the cost of 10x that size over its cost."""
    size = 1000
    short = _cost(function, _text(unit, size))
    # Grow until the short run is long enough to measure; a quadratic function stops growing
    # early, so its 10x run stays well under a second.
    while short < 0.003 and size < 64_000:
        size *= 2
        short = _cost(function, _text(unit, size))
    return size, _cost(function, _text(unit, 10 * size)) / max(short, 1e-4)


@pytest.mark.parametrize("unit", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("name", FUNCTIONS)
def test_ten_times_the_text_costs_about_ten_times_the_time(name: str, unit: str) -> None:
    """A hostile input ten times longer costs at most about ten times the CPU time."""
    size, ratio = _ratio(FUNCTIONS[name], unit)
    assert ratio < 25, f"{name} on {size} then {10 * size} characters: {ratio:.0f}x the time"


BIG_WORD = """
import sys
from pipeline import qa
from pipeline.glossary import GlossaryEntry
from pipeline.glossary.match import Glossary
from pipeline.protect import mask
from pipeline.segment import segment_bounds

word = sys.argv[2] * (10_000_000 // len(sys.argv[2]))
glossary = Glossary([GlossaryEntry("en", "my", "a", "က")], "en", "my")
run = {
    "qa": lambda: qa.check(word, word, "en", "my"),
    "mask": lambda: mask(word),
    "segment": lambda: segment_bounds(word, "en"),
    "glossary": lambda: glossary.check(word, word),
}[sys.argv[1]]
run()
print("done")
"""


@pytest.mark.parametrize(
    ("name", "unit"),
    [("qa", "a@"), ("mask", "a."), ("segment", "a"), ("glossary", "a")],
)
def test_a_10_mb_word_finishes(name: str, unit: str) -> None:
    """A 10 MB word goes through QA, masking, segmentation and the glossary in bounded time."""
    result = subprocess.run(
        [sys.executable, "-c", BIG_WORD, name, unit],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "done"
