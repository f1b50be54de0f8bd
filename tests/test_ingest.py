"""Reading .txt, .md and .html articles into segments and a skeleton, and rebuilding them."""

from __future__ import annotations

import html
import subprocess
import sys
from itertools import groupby
from pathlib import Path

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from pipeline.errors import InputError
from pipeline.ingest import read_article, rebuild
from pipeline.records import DocumentDraft, SegmentDraft, SegmentKind, content_hash
from pipeline.segment import join_segments

K = SegmentKind
ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2021-03-05-myanmar-police-cross-into-india.txt"
DATA = Path(__file__).resolve().parent / "data" / "ingest"

SEED_SEGMENTS = [
    (0, 0, K.DATELINE, "date 2021-03-05"),
    (0, 1, K.CAPTION, "Police cross makeshift barricades set up by protesters during a protest"),
    (0, 2, K.CREDIT, "AP"),
    (
        1,
        0,
        K.TEXT,
        "At least 19 Myanmar police officers have crossed the border into India in the latest"
        " sign of growing dissent within the security forces and civil service officials who are"
        " opposed to the military coup.",
    ),
    (
        2,
        0,
        K.TEXT,
        "The first reported case of police fleeing the country came as one of the country’s top"
        " diplomats resigned from his post at the United Nations after being promoted to the role"
        " of ambassador by the junta.",
    ),
    (
        3,
        0,
        K.TEXT,
        "Tin Maung Naing, the deputy envoy, refused to take over from Kyaw Moe Tun, the current"
        " ambassador, who was fired last week by the generals after he urged countries at the"
        " 193-member UN General Assembly to use “any means necessary” to reverse the coup that"
        " ousted the nation’s elected leader Aung San Suu Kyi.",
    ),
    (
        4,
        0,
        K.TEXT,
        "In Washington, Myanmar’s embassy also signalled a break with the military regime on"
        " Thursday, issuing a statement decrying the deaths of civilians protesting the coup and"
        " calling on authorities to “fully exercise [the] utmost restraint.”",
    ),
    (
        5,
        0,
        K.TEXT,
        "In Myanmar’s capital Naypyitaw last month, nine ministry of foreign affairs officials"
        " were arrested after they joined a Civil Disobedience Movement (CDM) which aims to"
        " prevent the military from being able to govern the country by organising nationwide"
        " strikes.",
    ),
    (
        6,
        0,
        K.TEXT,
        "Thousands have joined the CDM, which was initially started by the medical profession,"
        " but has now picked up bankers, civil servants and small pockets of police officers.",
    ),
    (
        7,
        0,
        K.TEXT,
        "On Feb 9, Khun Aung Ko Ko, a police lieutenant in Naypyitaw, told a crowd of protesters"
        " after he defected that “I am aware I will be put in jail with a long prison sentence if"
        " our fight for democracy does not succeed,” reported the Myanmar Now website.",
    ),
    (
        8,
        0,
        K.TEXT,
        "He added: “But it’s worth fighting for over 50 million people in this country by doing"
        " what I believe in.”",
    ),
    (
        9,
        0,
        K.TEXT,
        "On Friday, an Indian police officer told Reuters that temporary housing had been offered"
        " to the Myanmar officers who had fled the country and that more were expected to cross"
        " the 1,000-mile border over the upcoming days.",
    ),
    # Quoted speech stays whole with its attribution (sentencex does not split inside quotes).
    (
        10,
        0,
        K.TEXT,
        "“What they said is they got instructions from the military rulers which they cannot"
        " obey, so they have run away. They are seeking refuge because of the military rule in"
        " Myanmar,” said Stephen Lalrinawma, a police superintendent in India’s north-eastern"
        " state of Mizoram.",
    ),
    (
        11,
        0,
        K.TEXT,
        "India is already home to thousands of refugees from Myanmar, including ethnic Rohingya"
        " and Chin, who had fled the country during previous bouts of violence.",
    ),
    (
        12,
        0,
        K.TEXT,
        "“This is something unusual. Because in the past, police, and military just follow"
        " orders,” said James Fanai, the President of the India-based Chin Refugee Committee.",
    ),
    (
        13,
        0,
        K.CAPTION,
        "Myanmar nationals hang posters and funeral wreaths in front of the United Nations with"
        " images of protesters in Myanmar who have been killed by police and military",
    ),
    (13, 1, K.CREDIT, "Lauren DeCicca /Getty Images AsiaPac"),
    (
        14,
        0,
        K.TEXT,
        "Many members of the security forces are violently supporting the coup, however.",
    ),
    (
        14,
        1,
        K.TEXT,
        "More than 50 civilians have died as police officers and soldiers increasing turn to"
        " lethal force to suppress peaceful mass protests.",
    ),
    (
        15,
        0,
        K.TEXT,
        "More than 1,500 have also been arrested - often in terrifying night raids during"
        " internet blackouts.",
    ),
    (
        15,
        1,
        K.TEXT,
        "They include officials from the previous civilian administration, journalists, and"
        " civil society activists.",
    ),
    (
        16,
        0,
        K.TEXT,
        "On Thursday, Boris Johnson, the British Prime Minister condemned the deadly crackdown"
        " against pro-democracy protesters in Myanmar.",
    ),
    (
        17,
        0,
        K.TEXT,
        "“I’m horrified by the escalation of violence in Myanmar and the killing of"
        " pro-democracy protesters. We stand with the people of Myanmar in calling for an"
        " immediate end to military repression, the release of Aung San Suu Kyi and others, and"
        " the restoration of democracy,” said Mr Johnson.",
    ),
    (
        18,
        0,
        K.TEXT,
        "The United States added further sanctions on members of the military junta, in addition"
        " to previous restrictions on the defence minister and three companies in the jade and"
        " gems sector, blocking members of the ministries of defence and home affairs from doing"
        " certain types of trade.",
    ),
]


def tuples(document: DocumentDraft) -> list[tuple[int, int, SegmentKind, str]]:
    """Return (paragraph, sentence, kind, source) for each segment."""
    return [(s.paragraph, s.sentence, s.kind, s.source) for s in document.segments]


def source_paragraphs(document: DocumentDraft) -> dict[int, str]:
    """Return each paragraph's source text, joined from its segments."""
    return {
        index: join_segments((s.kind, s.source) for s in segments)
        for index, segments in groupby(document.segments, key=lambda s: s.paragraph)
    }


def segment(document: DocumentDraft, paragraph: int, sentence: int = 0) -> SegmentDraft:
    """Return one segment by its position."""
    return next(s for s in document.segments if (s.paragraph, s.sentence) == (paragraph, sentence))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    """Write bytes to a file under tmp_path and return its path."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- the seed article -------------------------------------------------------------------


def test_seed_segments_are_exactly_as_read_by_hand() -> None:
    """The seed article gives exactly the hand-written list of segments."""
    assert tuples(read_article(SEED)) == SEED_SEGMENTS


def test_seed_document_fields() -> None:
    """uri is absolute, title is the stem, hash is of the raw bytes, format is txt."""
    document = read_article(SEED, "en")
    assert document.uri == str(SEED.resolve())
    assert document.title == "2021-03-05-myanmar-police-cross-into-india"
    assert document.content_hash == content_hash(SEED.read_bytes())
    assert (document.format, document.source_lang) == ("txt", "en")


def test_seed_credits_are_not_translatable() -> None:
    """The seed's two credits are the only segments never sent to MT."""
    untranslatable = [s.source for s in read_article(SEED).segments if not s.kind.translatable]
    assert untranslatable == ["AP", "Lauren DeCicca /Getty Images AsiaPac"]


def test_seed_rebuild_is_exact() -> None:
    """Rebuilding the seed's skeleton with its source paragraphs reproduces the file exactly."""
    document = read_article(SEED)
    assert document.skeleton.startswith(" {{p:0}}\n\n{{p:1}}\n\n")
    assert rebuild(document.skeleton, source_paragraphs(document)) == SEED.read_text("utf-8")


# --- plain text -------------------------------------------------------------------------


def test_text_skeleton_and_list_items(tmp_path: Path) -> None:
    """Blank lines separate paragraphs; "-", "*" and "1." lines are LIST_ITEM paragraphs."""
    text = "Intro here.\n\n- One.\n- Two\n  wrapped.\n\n1. First.\n* Star.\n"
    document = read_article(write(tmp_path, "list.txt", text.encode()))
    assert tuples(document) == [
        (0, 0, K.TEXT, "Intro here."),
        (1, 0, K.LIST_ITEM, "One."),
        (2, 0, K.LIST_ITEM, "Two wrapped."),
        (3, 0, K.LIST_ITEM, "First."),
        (4, 0, K.LIST_ITEM, "Star."),
    ]
    assert document.skeleton == "{{p:0}}\n\n- {{p:1}}\n- {{p:2}}\n\n1. {{p:3}}\n* {{p:4}}\n"


def test_text_bom_crlf_and_nfc(tmp_path: Path) -> None:
    """A UTF-8 BOM is stripped, CRLF becomes LF and text is NFC-normalised."""
    raw = "\ufeffCafe\u0301 opened.\r\n\r\nIt closed.\r\n".encode()
    document = read_article(write(tmp_path, "bom.txt", raw))
    assert [s.source for s in document.segments] == ["Café opened.", "It closed."]
    assert document.skeleton == "{{p:0}}\n\n{{p:1}}\n"
    assert document.content_hash == content_hash(raw)
    assert rebuild(document.skeleton, source_paragraphs(document)) == "Café opened.\n\nIt closed.\n"


def test_uri_is_the_given_path_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative path is stored resolved to an absolute one; the language is passed through."""
    write(tmp_path, "a.txt", "यह पहला है। यह दूसरा है।".encode())
    monkeypatch.chdir(tmp_path)
    document = read_article(Path("a.txt"), "hi")
    assert document.uri == str((tmp_path / "a.txt").resolve())
    assert document.source_lang == "hi"
    assert [s.source for s in document.segments] == ["यह पहला है।", "यह दूसरा है।"]


def test_burmese_text(tmp_path: Path) -> None:
    """A Burmese article splits at ။ and not at ၊."""
    text = "သူ ပြောတယ်၊ ဒါပေမဲ့ မလာဘူး။ နောက်တစ်ခု။\n"
    document = read_article(write(tmp_path, "my.txt", text.encode()), "my")
    assert [s.source for s in document.segments] == ["သူ ပြောတယ်၊ ဒါပေမဲ့ မလာဘူး။", "နောက်တစ်ခု။"]


# --- markdown ---------------------------------------------------------------------------


def test_markdown_segments() -> None:
    """Markdown headings, paragraphs, image captions and list items become the right segments."""
    document = read_article(DATA / "article.md")
    assert document.title == "Police cross into India"
    assert document.format == "md"
    assert tuples(document) == [
        (0, 0, K.HEADING, "Police cross into India"),
        (1, 0, K.DATELINE, "YANGON, March 5 (Reuters) -"),
        (1, 1, K.TEXT, "At least 19 officers crossed the border."),
        (1, 2, K.TEXT, "Mr. Singh confirmed it at 5 p.m. on Friday."),
        (2, 0, K.TEXT, "Read the full report. It is long before the config.x change."),
        (2, 1, K.TEXT, "Nobody else did."),
        (3, 0, K.CAPTION, "Police cross makeshift barricades"),
        (3, 1, K.CREDIT, "AP"),
        (4, 0, K.HEADING, "What happened"),
        (5, 0, K.LIST_ITEM, "Officers fled on Feb 9."),
        (6, 0, K.LIST_ITEM, "Others followed."),
        (7, 0, K.LIST_ITEM, "First step."),
        (8, 0, K.LIST_ITEM, "Second step continues here."),
    ]


def test_markdown_rebuild_keeps_the_block_structure(tmp_path: Path) -> None:
    """Rebuilding the markdown with its sources gives the same blocks with the same text."""
    document = read_article(DATA / "article.md")
    rebuilt = rebuild(document.skeleton, source_paragraphs(document))
    md = MarkdownIt("commonmark")
    original = md.parse((DATA / "article.md").read_text("utf-8"))
    again = md.parse(rebuilt)
    assert [(t.type, t.tag) for t in again] == [(t.type, t.tag) for t in original]
    # Inline markup is not rebuilt (it lives in spans), so compare paragraph texts.
    again_document = read_article(write(tmp_path, "rebuilt.md", rebuilt.encode()))
    assert source_paragraphs(again_document) == source_paragraphs(document)


def test_markdown_title_falls_back_to_the_stem(tmp_path: Path) -> None:
    """A markdown file without a heading takes its file stem as title."""
    document = read_article(write(tmp_path, "notes.markdown", b"Just *one* line.\n"))
    assert (document.title, document.format) == ("notes", "md")


# --- html -------------------------------------------------------------------------------


def test_html_segments() -> None:
    """HTML title, headings, paragraphs, figcaption and list items become the right segments."""
    document = read_article(DATA / "article.html")
    assert document.title == "Police cross into India"
    assert document.format == "html"
    assert tuples(document) == [
        (0, 0, K.HEADING, "Police cross into India"),
        (1, 0, K.HEADING, "Police cross into India"),
        (2, 0, K.DATELINE, "YANGON, March 5 (Reuters) -"),
        (2, 1, K.TEXT, "At least 19 officers crossed the border."),
        (2, 2, K.TEXT, "Mr. Singh confirmed it at 5 p.m. on Friday."),
        (3, 0, K.TEXT, "Read the full report. It is long before the config.x change."),
        (3, 1, K.TEXT, "Nobody else did."),
        (4, 0, K.ATTRIBUTE, "Police at a barricade"),
        (5, 0, K.CAPTION, "Police cross makeshift barricades"),
        (5, 1, K.CREDIT, "AP"),
        (6, 0, K.HEADING, "What happened"),
        (7, 0, K.LIST_ITEM, "Officers fled on Feb 9."),
        (8, 0, K.LIST_ITEM, "Others followed."),
        (9, 0, K.LIST_ITEM, "First step."),
        (10, 0, K.LIST_ITEM, "Second step."),
    ]


def test_html_inline_spans() -> None:
    """Inline HTML elements are spans with offsets into their segment; a link never splits."""
    document = read_article(DATA / "article.html")

    def spans(paragraph: int, sentence: int = 0) -> list[tuple[int, int, str, dict[str, str]]]:
        inline = segment(document, paragraph, sentence).inline
        return [(s.start, s.end, s.tag, s.attrs) for s in inline]

    assert spans(1) == [(18, 23, "em", {})]
    assert spans(2, 2) == [(0, 9, "strong", {})]
    assert spans(3) == [
        (5, 32, "a", {"href": "https://example.com/report"}),
        (44, 52, "code", {}),
    ]
    assert spans(7) == [(17, 22, "em", {})]


def test_html_script_style_and_nav_are_ignored() -> None:
    """Script, style, nav and pre content never becomes segments but stays in the skeleton."""
    document = read_article(DATA / "article.html")
    sources = " ".join(s.source for s in document.segments)
    for text in ("Do not translate", "color: red", "Home", "World", "code. Not", "Not text"):
        assert text not in sources
        assert text in document.skeleton
    assert "<p>{{p:2}}</p>" in document.skeleton
    assert "<figcaption>{{p:5}}</figcaption>" in document.skeleton
    assert '<img src="photo.jpg" alt="{{a:4}}">' in document.skeleton


def test_html_rebuild_keeps_the_block_structure(tmp_path: Path) -> None:
    """Rebuilding the HTML with its (escaped) sources gives the same blocks with the same text."""
    document = read_article(DATA / "article.html")
    rebuilt = rebuild(document.skeleton, source_paragraphs(document), escape=html.escape)
    original = lxml_html.document_fromstring((DATA / "article.html").read_bytes())
    again = lxml_html.document_fromstring(rebuilt.encode())
    inline = {"em", "strong", "a", "code"}
    assert [e.tag for e in again.iter() if e.tag not in inline] == [
        e.tag for e in original.iter() if e.tag not in inline
    ]
    # Inline markup is not rebuilt (it lives in spans), so compare paragraph texts.
    again_document = read_article(write(tmp_path, "rebuilt.html", rebuilt.encode()))
    assert source_paragraphs(again_document) == source_paragraphs(document)


@pytest.mark.parametrize(
    ("markup", "title"),
    [
        (b"<html><head><title>T</title></head><body><h1>H</h1><p>x</p></body></html>", "T"),
        (b"<body><h1>Head <em>line</em></h1><p>Text.</p></body>", "Head line"),
        (b"<p>Only text.</p>", "page"),
    ],
    ids=["title", "h1", "stem"],
)
def test_html_title(tmp_path: Path, markup: bytes, title: str) -> None:
    """The HTML title is <title>, else the first <h1>, else the file stem."""
    assert read_article(write(tmp_path, "page.htm", markup)).title == title


def test_html_keeps_its_own_doctype_and_records_images(tmp_path: Path) -> None:
    """No doctype is invented for XHTML; <br> (a line feed in the text) and <img> are standalone."""
    markup = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        b'<body><p>A &amp; B.</p><p>Line<br/>break <img src="x.png"/>here.</p></body></html>'
    )
    document = read_article(write(tmp_path, "x.html", markup))
    assert "DOCTYPE" not in document.skeleton
    assert [s.source for s in document.segments] == ["A & B.", "Line\nbreak here."]
    marks = [(s.start, s.tag, s.attrs, s.standalone) for s in document.segments[1].inline]
    assert marks == [(4, "br", {}, True), (11, "img", {"src": "x.png"}, True)]


def test_html_escaping_in_rebuild() -> None:
    """rebuild escapes only when asked and leaves unknown placeholders alone."""
    skeleton = "<p>{{p:0}}</p><p>{{p:1}}</p>{{p:9}}"
    assert rebuild(skeleton, {0: "a & b", 1: "<i>"}, escape=html.escape) == (
        "<p>a &amp; b</p><p>&lt;i&gt;</p>{{p:9}}"
    )
    assert rebuild(skeleton, {0: "a & b", 1: "<i>"}) == "<p>a & b</p><p><i></p>{{p:9}}"


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("latin1.txt", "Café naïve".encode("latin-1"), "not valid UTF-8"),
        ("utf16.txt", "Hello world".encode("utf-16"), "UTF-16"),
        ("utf16le.md", "Hello world".encode("utf-16-le"), "UTF-16"),
        ("empty.txt", b"", "empty"),
        ("blank.md", b" \n\t\n", "empty (only whitespace)"),
        ("x.doc", b"Text.", "unknown file type '.doc'; expected .txt, .md or .html"),
        ("README", b"Text.", "unknown file type (no extension)"),
    ],
    ids=[
        "binary",
        "latin-1",
        "utf-16",
        "utf-16le",
        "empty",
        "blank",
        "doc",
        "none",
    ],
)
def test_bad_input_raises_one_line(tmp_path: Path, name: str, data: bytes, problem: str) -> None:
    """Each unreadable input raises InputError with one line naming the file and the problem."""
    path = write(tmp_path, name, data)
    with pytest.raises(InputError) as caught:
        read_article(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert problem in message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    """A missing file and a directory raise InputError naming the path."""
    with pytest.raises(InputError, match=r"nope\.txt: no such file$"):
        read_article(tmp_path / "nope.txt")
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(InputError, match=r"dir\.txt: is a directory"):
        read_article(tmp_path / "dir.txt")


def test_unknown_extension_message_is_exact() -> None:
    """An unknown extension is reported with the path as given, whether or not the file exists."""
    with pytest.raises(InputError) as caught:
        read_article(Path("seeds/x.doc"))
    assert str(caught.value) == "seeds/x.doc: unknown file type '.doc'; expected .txt, .md or .html"


def test_import_is_lazy() -> None:
    """Importing pipeline.ingest imports neither lxml nor markdown_it."""
    code = "import sys, pipeline.ingest; print('lxml' in sys.modules, 'markdown_it' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
