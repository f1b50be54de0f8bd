"""Blocks nested at any depth are translated: every text block is a segment, or ingest refuses.

markdown-it stops reading blocks nested deeper than its ``maxNesting`` (20 in CommonMark's
preset) and drops the rest without a word: a list nested 10 deep kept its deepest item in
English in the article, a quote 20 deep gave no segment at all. Each text block here holds
one unique word (``wlv<N>x``); filling every placeholder with ``ZZZ`` must leave none.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import InputError
from pipeline.ingest import read_article, rebuild
from pipeline.ingest.markdown import MAX_DEPTH, parser

KINDS = ("quote", "bullet", "ordered", "div")
nestings = st.lists(st.sampled_from(KINDS), min_size=1, max_size=60)


def word(level: int) -> str:
    """Return the one word of the text block at a level."""
    return f"wlv{level}x"


def markdown(kinds: list[str]) -> str:
    """Return Markdown nesting quotes and lists as given ("div" is a quote too), text at each."""
    lines = [f"Deepest {word(len(kinds))} here."]
    for level in reversed(range(len(kinds))):
        kind = kinds[level]
        if kind in ("quote", "div"):
            lines = [f"> Quote {word(level)}.", ">", *(f"> {line}".rstrip() for line in lines)]
        else:
            marker = "- " if kind == "bullet" else "1. "
            pad = " " * len(marker)
            inner = [f"{pad}{line}" if line else "" for line in lines]
            lines = [f"{marker}Item {word(level)}.", "", *inner]
    return "\n".join(lines) + "\n"


def html(kinds: list[str]) -> str:
    """Return an HTML page nesting quotes, lists and divs as given, text at each level."""
    body = f"<p>Deepest {word(len(kinds))} here.</p>"
    for level in reversed(range(len(kinds))):
        text = f"Block {word(level)}."
        body = {
            "quote": f"<blockquote><p>{text}</p>{body}</blockquote>",
            "bullet": f"<ul><li>{text}{body}</li></ul>",
            "ordered": f"<ol><li><p>{text}</p>{body}</li></ol>",
            "div": f"<div><p>{text}</p>{body}</div>",
        }[kinds[level]]
    return f"<!DOCTYPE html>\n<html><head><title>t</title></head><body>{body}</body></html>\n"


def check_every_block_translated(path: Path, levels: int) -> None:
    """Assert each level's word is in a segment and none is left once every text is replaced."""
    doc = read_article(path)
    sources = " ".join(segment.source for segment in doc.segments)
    assert all(word(level) in sources for level in range(levels + 1)), sources
    filled = rebuild(doc.skeleton, {s.paragraph: "ZZZ" for s in doc.segments})
    assert "wlv" not in filled, filled


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kinds=nestings)
@example(kinds=list(KINDS) * 15)
@example(kinds=["bullet"] * 60)
@example(kinds=["quote"] * 60)
def test_markdown_nested_at_any_depth_is_all_segments(kinds: list[str], tmp_path: Path) -> None:
    """Quotes and lists nested 1..60 deep in Markdown: every text block becomes a segment."""
    path = tmp_path / "deep.md"
    path.write_text(markdown(kinds), encoding="utf-8")
    check_every_block_translated(path, len(kinds))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kinds=nestings)
@example(kinds=list(KINDS) * 15)
@example(kinds=["bullet"] * 60)
@example(kinds=["quote"] * 60)
def test_html_nested_at_any_depth_is_all_segments(kinds: list[str], tmp_path: Path) -> None:
    """Quotes, lists and divs nested 1..60 deep in HTML: every text block becomes a segment."""
    path = tmp_path / "deep.html"
    path.write_text(html(kinds), encoding="utf-8")
    check_every_block_translated(path, len(kinds))


def test_the_issue_cases_are_translated(tmp_path: Path) -> None:
    """A list nested 10 deep keeps no item in English; a quote 20 deep gives its segment."""
    cases = {"list.md": ["bullet"] * 10, "quote.md": ["quote"] * 20}
    for name, kinds in cases.items():
        path = tmp_path / name
        path.write_text(markdown(kinds), encoding="utf-8")
        check_every_block_translated(path, len(kinds))


def test_the_rebuilt_markdown_renders_every_level(tmp_path: Path) -> None:
    """The article rendered by the parser articles are read with shows no source word."""
    path = tmp_path / "mix.md"
    path.write_text(markdown(list(KINDS) * 15), encoding="utf-8")
    doc = read_article(path)
    filled = rebuild(doc.skeleton, {s.paragraph: "ZZZ" for s in doc.segments})
    rendered = parser().render(filled)
    assert "wlv" not in rendered and rendered.count("ZZZ") == 61


def test_deeper_than_the_limit_is_refused_in_one_line(tmp_path: Path) -> None:
    """Quotes nested deeper than MAX_DEPTH are refused, naming the file and the limit."""
    path = tmp_path / "too-deep.md"
    path.write_text(markdown(["quote"] * (MAX_DEPTH + 1)), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_article(path)
    line = str(refused.value)
    assert "\n" not in line and str(path) in line and f"more than {MAX_DEPTH} deep" in line
    path.write_text(markdown(["quote"] * MAX_DEPTH), encoding="utf-8")
    check_every_block_translated(path, MAX_DEPTH)


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_a_pseudo_translated_deep_article_has_no_english_left(suffix: str, tmp_path: Path) -> None:
    """ingest, translate (pseudo) and export a 60-deep mixed article: no block stays English."""
    kinds = list(KINDS) * 15
    article = tmp_path / f"deep{suffix}"
    article.write_text((markdown if suffix == ".md" else html)(kinds), encoding="utf-8")
    out = tmp_path / f"out{suffix}"
    runner = CliRunner()
    for args in (
        ["ingest", str(article)],
        ["translate", str(article), "--to", "my", "--engine", "pseudo"],
        ["export", "--format", "article", "--to", "my", "--allow-draft", str(article)],
    ):
        extra = ["-o", str(out)] if args[0] == "export" else []
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 0, result.output
    written = out.read_text(encoding="utf-8")
    assert "wlv" not in written and written.count("⟦") >= len(kinds) + 1
