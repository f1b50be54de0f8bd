"""Conformance of Markdown extraction on the CommonMark spec: every example survives the round trip.

Each example of ``../shared/corpus/commonmark/spec.txt`` is written to a .md file, ingested,
rebuilt from its own segments and codes (the identity round trip), and both files are
rendered with the parser the reader uses; the HTML must match element for element.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.ingest.markdown import parser
from tests.articlekit import CORPUS, element_tree, identity_article, links

SPEC = CORPUS / "commonmark" / "spec.txt"
FENCE = "`" * 32
EXAMPLES = 655
# Examples that do not come back element for element, and why (docs/formats.md, Markdown
# extraction). None today: an entry here must name the example's number.
DIFFERING: dict[int, str] = {}


@dataclass(frozen=True)
class Outcome:
    """One example's round trip: whether it renders the same, and its links before and after."""

    number: int
    same: bool
    links: list[tuple[str, str]]
    links_after: list[tuple[str, str]]


def spec_examples() -> list[str]:
    """Return the Markdown of each spec example in order, ``→`` read as a tab."""
    examples: list[str] = []
    lines = iter(SPEC.read_text("utf-8").split("\n"))
    for line in lines:
        if line != f"{FENCE} example":
            continue
        markdown = []
        for inner in lines:
            if inner == ".":
                break
            markdown.append(inner + "\n")
        for inner in lines:
            if inner == FENCE:
                break
        examples.append("".join(markdown).replace("→", "\t"))
    return examples


def round_trip(number: int, markdown: str, folder: Path) -> Outcome:
    """Return the outcome of one example's identity round trip."""
    path = folder / f"example-{number}.md"
    path.write_text(markdown, "utf-8")
    rebuilt = identity_article(path, folder / f"example-{number}.db")
    md = parser()
    before, after = md.render(markdown), md.render(rebuilt)
    return Outcome(number, element_tree(before) == element_tree(after), links(before), links(after))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    """Return the round trip of every example."""
    folder = tmp_path_factory.mktemp("commonmark")
    return [
        round_trip(number, markdown, folder)
        for number, markdown in enumerate(spec_examples(), start=1)
    ]


def test_the_spec_is_all_there() -> None:
    """The spec holds 655 examples, and every expected difference names one of them."""
    assert len(spec_examples()) == EXAMPLES
    assert set(DIFFERING) <= set(range(1, EXAMPLES + 1))


def test_examples_render_the_same_after_the_round_trip(outcomes: list[Outcome]) -> None:
    """All examples but the listed ones render the same after the identity round trip."""
    differing = {outcome.number for outcome in outcomes if not outcome.same}
    assert differing == set(DIFFERING)
    assert EXAMPLES - len(differing) == 655


def test_every_link_and_image_is_kept(outcomes: list[Outcome]) -> None:
    """Each link and image of the examples keeps its place and its target."""
    total = sum(len(outcome.links) for outcome in outcomes)
    kept = sum(len(o.links) for o in outcomes if o.links == o.links_after)
    assert (kept, total) == (160, 160)
