"""HTML pages in their declared encoding: BOM, <meta charset>, http-equiv, else UTF-8."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.ingest import read_article
from tests.articlekit import CORPUS, element_tree, identity_article

PAGE = """<!DOCTYPE html>
<html><head>{meta}<title>{title}</title></head>
<body><h1>{title}</h1><p>{body}</p></body></html>
"""


def _page(tmp_path: Path, data: bytes, name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _sources(path: Path) -> list[str]:
    return [segment.source for segment in read_article(path).segments]


@pytest.mark.parametrize(
    ("meta", "codec", "title", "body"),
    [
        ('<meta charset="windows-1252">', "cp1252", "Café “news”", "Prices rose 5 € – naïve."),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">',
            "cp1252",  # the Encoding Standard reads the ISO-8859-1 label as windows-1252
            "Señor Müller’s day",
            "The façade was œuvre.",
        ),
        ("<meta charset='Shift_JIS'>", "shift_jis", "東京のニュース", "今日は晴れです。"),
        ('<meta charset="gb2312">', "gb18030", "北京新闻", "今天天气很好。"),
        ("<meta charset=GB18030>", "gb18030", "上海新闻", "市场上涨了。"),
    ],
)
def test_declared_encoding_is_read(
    tmp_path: Path, meta: str, codec: str, title: str, body: str
) -> None:
    """A page in a legacy encoding its <meta> declares is read as that text, not refused."""
    path = _page(tmp_path, PAGE.format(meta=meta, title=title, body=body).encode(codec))
    draft = read_article(path)
    assert [s.source for s in draft.segments] == [title, title, body]
    assert draft.title == title
    assert any(change.startswith("read as ") for change in draft.normalisation)


def test_report_names_encoding(tmp_path: Path) -> None:
    """The ingest normalisation report says which encoding the page was read as."""
    meta = '<meta charset="latin1">'
    data = PAGE.format(meta=meta, title="Café", body="Olé").encode("cp1252")
    assert "read as windows-1252" in read_article(_page(tmp_path, data)).normalisation


def test_utf8_page_reports_nothing(tmp_path: Path) -> None:
    """A UTF-8 page is read as before, with no encoding line in the report."""
    data = PAGE.format(meta='<meta charset="utf-8">', title="Café", body="Olé").encode()
    draft = read_article(_page(tmp_path, data))
    assert not [c for c in draft.normalisation if c.startswith("read as")]


def test_bom_overrides_meta(tmp_path: Path) -> None:
    """A UTF-8 byte order mark wins over a <meta> declaring windows-1252."""
    page = PAGE.format(meta='<meta charset="windows-1252">', title="Café", body="naïve ☕")
    assert _sources(_page(tmp_path, b"\xef\xbb\xbf" + page.encode("utf-8"))) == [
        "Café",
        "Café",
        "naïve ☕",
    ]


@pytest.mark.parametrize(("bom", "codec"), [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")])
def test_utf16_bom(tmp_path: Path, bom: bytes, codec: str) -> None:
    """A page with a UTF-16 byte order mark is read as UTF-16, its <meta> notwithstanding."""
    page = PAGE.format(meta='<meta charset="utf-16">', title="ဗမာ", body="हिन्दी text")
    draft = read_article(_page(tmp_path, bom + page.encode(codec)))
    assert [s.source for s in draft.segments] == ["ဗမာ", "ဗမာ", "हिन्दी text"]
    assert f"read as {codec.replace('-le', 'le').replace('-be', 'be')}" in draft.normalisation


def test_meta_after_1024_bytes_is_not_seen(tmp_path: Path) -> None:
    """A <meta charset> past the first 1024 bytes is not read: the page must then be UTF-8."""
    padding = "<!-- " + "x" * 1100 + " -->"
    late = PAGE.format(meta=padding + '<meta charset="windows-1252">', title="Café", body="é")
    assert _sources(_page(tmp_path, late.encode("utf-8"), "utf8.html"))[-1] == "é"
    with pytest.raises(InputError, match=r"not valid UTF-8 \(byte 0xe9"):
        read_article(_page(tmp_path, late.encode("cp1252"), "cp1252.html"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        (b"<p>caf\xe9 and \xff\xfe\xfd</p>", "not valid UTF-8"),
        (b'<meta charset="shift_jis"><p>\x82\xa0 \x82 bad</p>', "not valid shift_jis"),
    ],
)
def test_undecodable_page_refused_in_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    """Bytes that are not text in the page's encoding are refused with one line."""
    with pytest.raises(InputError) as error:
        read_article(_page(tmp_path, data))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_markdown_stays_utf8_only(tmp_path: Path) -> None:
    """A Markdown file is still UTF-8 only, whatever HTML it contains."""
    data = '<meta charset="windows-1252">\n\nCafé\n'.encode("cp1252")
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_article(_page(tmp_path, data, "article.md"))


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="windows-1252">',
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
    ],
)
def test_rebuilt_article_declares_utf8(tmp_path: Path, meta: str) -> None:
    """The rebuilt page's charset declaration says utf-8, and nothing else in it changes."""
    page = PAGE.format(meta=meta, title="Café", body="Prices rose 5 €.")
    path = _page(tmp_path, page.encode("cp1252"))
    rebuilt = identity_article(path, tmp_path / "store.db")
    declared = re.findall(r"charset=[\"']?([\w-]+)", rebuilt)
    assert declared == ["utf-8"]
    assert element_tree(rebuilt) == element_tree(_utf8_declared(page))


def _utf8_declared(page: str) -> str:
    """Return a page with its charset declarations saying utf-8, as the rebuild writes them."""
    return re.sub(r"(charset=[\"']?)[\w-]+", r"\1utf-8", page, flags=re.I)


def _cp1252_news_pages() -> list[Path]:
    """Return the corpus news pages with non-ASCII text that windows-1252 can encode."""
    pages = []
    for path in sorted((CORPUS / "news").glob("*.html")):
        text = path.read_text("utf-8")
        try:
            text.encode("cp1252")
        except UnicodeEncodeError:
            continue
        if not text.isascii() and "charset" not in text.lower():
            pages.append(path)
    return pages


@pytest.mark.parametrize("news", _cp1252_news_pages(), ids=lambda path: path.stem)
def test_news_page_in_windows_1252_round_trips(tmp_path: Path, news: Path) -> None:
    """A news page re-encoded to windows-1252 reads as in UTF-8 and rebuilds with the same HTML."""
    page = news.read_text("utf-8")
    # The corpus pages are article fragments: the declaration goes first, as a saved page has it.
    legacy = '<meta charset="windows-1252">\n' + page
    legacy_path = _page(tmp_path, legacy.encode("cp1252"), "legacy.html")
    assert _sources(legacy_path) == _sources(_page(tmp_path, page.encode("utf-8"), "utf8.html"))
    rebuilt = identity_article(legacy_path, tmp_path / "store.db")
    assert element_tree(rebuilt) == element_tree(_utf8_declared(legacy))


def test_some_news_pages_are_windows_1252() -> None:
    """The round trip above runs on real pages: most of the corpus fits windows-1252."""
    assert len(_cp1252_news_pages()) >= 20
