"""HTML extraction: inline markup as codes, attribute values as segments, code left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline.ingest import read_article
from pipeline.records import CodeType, DocumentDraft, SegmentKind
from tests.articlekit import element_tree, identity_article, links

PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Police cross</title>
<meta name="description" content="Officers fled the coup.">
<meta property="og:title" content="Police cross into India">
<meta property="og:description" content="">
<meta name="twitter:title" content=" Police cross ">
</head><body>
<p>At least <strong>19</strong> crossed, says <a href="https://x.org/a b?q=ü&amp;r=1"
 title="The report">the <em>full</em> report</a>.<br>Next <!-- note --> line.</p>
<figure><img src="map.png" alt="A map of the border"></figure>
<p>See<img src="m.png" alt="Inline map"> and <code>ls -l</code> here,
 <span translate="no">Tatmadaw</span> and <b class="x notranslate">NUG</b>.</p>
<div translate="no"><p>Left alone.</p></div>
<p>Five&nbsp;p.m. <input placeholder="Search" aria-label="Search box"></p>
</body></html>
"""


def ingest(tmp_path: Path, markup: str = PAGE) -> DocumentDraft:
    """Write markup to an .html file and read it."""
    path = tmp_path / "page.html"
    path.write_text(markup, "utf-8")
    return read_article(path)


def attributes(document: DocumentDraft) -> list[str]:
    """Return the sources of a document's attribute segments, in order."""
    return [s.source for s in document.segments if s.kind is SegmentKind.ATTRIBUTE]


def test_translatable_attributes_are_segments(tmp_path: Path) -> None:
    """alt, title, aria-label, placeholder and meta description/og/twitter values are segments."""
    assert attributes(ingest(tmp_path)) == [
        "Officers fled the coup.",
        "Police cross into India",
        "Police cross",
        "The report",
        "A map of the border",
        "Inline map",
        "Search",
        "Search box",
    ]


def test_attribute_values_come_back_in_place(tmp_path: Path) -> None:
    """Rebuilt from its own segments the page has every attribute value where it was."""
    path = tmp_path / "page.html"
    path.write_text(PAGE, "utf-8")
    rebuilt = identity_article(path, tmp_path / "store.db")
    assert element_tree(rebuilt) == element_tree(PAGE)
    assert links(rebuilt) == links(PAGE)
    root = lxml_html.document_fromstring(rebuilt.encode("utf-8"))
    assert root.find(".//a").get("title") == "The report"
    assert root.find(".//meta[@name='description']").get("content") == "Officers fled the coup."
    assert root.find(".//meta[@name='twitter:title']").get("content") == " Police cross "
    assert [img.get("alt") for img in root.iter("img")] == ["A map of the border", "Inline map"]


def test_quotes_in_an_inline_attribute_stay_inside_it(tmp_path: Path) -> None:
    """An inline image's alt holding quotes is escaped as an attribute, running text is not."""
    markup = '<p>He said "go"<img src="a.png" alt=\'Sign: "Stop"\'> and left.</p>'
    path = tmp_path / "quotes.html"
    path.write_text(markup, "utf-8")
    rebuilt = identity_article(path, tmp_path / "store.db")
    assert element_tree(rebuilt) == element_tree(markup)
    assert 'He said "go"' in rebuilt
    assert 'alt="Sign: &quot;Stop&quot;"' in rebuilt


def test_inline_markup_is_codes_holding_the_original_tags(tmp_path: Path) -> None:
    """Inline elements are paired codes with lxml's start and end tags, links unescaped."""
    first = next(s for s in ingest(tmp_path).segments if s.source.startswith("At least"))
    pairs = [(c.type, c.data) for c in first.codes if c.tag in ("strong", "a")]
    assert pairs == [
        (CodeType.OPEN, "<strong>"),
        (CodeType.CLOSE, "</strong>"),
        (CodeType.OPEN, '<a href="https://x.org/a b?q=ü&amp;r=1" title="{{a:5}}">'),
        (CodeType.CLOSE, "</a>"),
    ]


def test_void_elements_and_comments_are_standalone_codes(tmp_path: Path) -> None:
    """A <br>, an inline <img> and a comment are standalone codes, not text."""
    document = ingest(tmp_path)
    codes = [c for s in document.segments for c in s.codes if c.type is CodeType.STANDALONE]
    assert [(c.tag, c.data[:26]) for c in codes[:3]] == [
        ("br", "<br>"),
        ("#comment", "<!-- note -->"),
        ("img", '<img src="m.png" alt="{{a:'),
    ]
    assert "Next line." in [s.source for s in document.segments]


def test_code_and_translate_no_are_protected(tmp_path: Path) -> None:
    """Inline code, translate="no" and notranslate are protected pairs; a block is left alone."""
    document = ingest(tmp_path)
    protected = {c.tag for s in document.segments for c in s.codes if c.protect}
    assert protected == {"code", "span", "b"}
    sentence = next(s for s in document.segments if s.source.startswith("See"))
    assert sentence.source == "See and ls -l here, Tatmadaw and NUG."
    assert "Left alone." not in [s.source for s in document.segments]
    assert '<div translate="no"><p>Left alone.</p></div>' in document.skeleton


def test_no_break_space_is_kept(tmp_path: Path) -> None:
    """A no-break space is text, not whitespace to fold, and is written back as &nbsp;."""
    path = tmp_path / "page.html"
    path.write_text(PAGE, "utf-8")
    assert "Five\xa0p.m." in [s.source for s in ingest(tmp_path).segments]
    assert "Five&nbsp;p.m." in identity_article(path, tmp_path / "store.db")


@pytest.mark.parametrize(
    "markup",
    ["<script>var x = 1;</script>", "<!-- nothing here -->", "<!-- x --><div> <br> </div>\n"],
    ids=["script", "comment", "markup-only"],
)
def test_nothing_to_translate_comes_back_unchanged(tmp_path: Path, markup: str) -> None:
    """A page with only scripts or comments has no segments, and its article is the file."""
    document = ingest(tmp_path, markup)
    assert document.segments == ()
    path = tmp_path / "page.html"
    assert identity_article(path, tmp_path / "store.db") == markup


def test_indenting_spaces_stay_before_the_paragraph(tmp_path: Path) -> None:
    """Ideographic and no-break spaces at a paragraph's ends are kept, outside its text."""
    markup = (
        "<p>\u3000\u3000作者︱春春</p><p><strong>\u3000\u3000出品</strong>︱网易</p>"
        "<p><ins></ins>\u3000所以。</p><p>End.&#160; </p>"
    )
    path = tmp_path / "indent.html"
    path.write_text(markup, "utf-8")
    sources = [s.source for s in read_article(path).segments]
    assert sources == ["作者︱春春", "出品︱网易", "所以。", "End."]
    rebuilt = identity_article(path, tmp_path / "store.db")
    assert "<p>\u3000\u3000作者︱春春</p>" in rebuilt
    assert "<p>\u3000\u3000<strong>出品</strong>︱网易</p>" in rebuilt
    assert "<p>\u3000<ins></ins>所以。</p>" in rebuilt
    assert "<p>End.&nbsp; </p>" in rebuilt


def test_a_meta_refresh_content_is_never_a_segment(tmp_path: Path) -> None:
    """A description meta that is also a refresh keeps its URL out of translators' hands."""
    page = tmp_path / "refresh.html"
    page.write_text(
        '<html><head><meta name="description" http-equiv="refresh"'
        ' content="0; url=https://a.example"><meta name="description" content="A real summary.">'
        "</head><body><p>Text.</p></body></html>",
        encoding="utf-8",
    )
    draft = read_article(page, "en")
    sources = [s.source for s in draft.segments]
    assert "A real summary." in sources and not any("url=" in s for s in sources)
