"""Memory from other tools with inline codes: OmegaT's real TMX files, Trados and memoQ markup.

``tm import`` puts an entry's codes onto the codes of the stored segment it translates, so
the article rebuilt from memory has every link, image and emphasis of its source and none
of the other tool's markup; an entry whose codes map onto no segment keeps its plain text.
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from pipeline.ingest import read_article
from pipeline.records import Code, CodeType, Segment
from pipeline.store import open_store
from pipeline.tm.codes import CodeMatch
from pipeline.tm.tmx import read_tmx
from tests.omegatkit import run_omegat
from tests.test_cli import cli

XLIFF = "urn:oasis:names:tc:xliff:document:1.2"
ARTICLE = """\
# History of the *border* crossing

More than 300 police officers crossed into [India](https://example.org/india) on Monday, \
**officials** said.

![A bridge](https://example.org/bridge.jpg) The bridge at *Tamu* was **closed** for \
[two days](https://example.org/days).

Plain sentence with no codes at all.

Read [the full report. It is long](https://example.org/r) today.
"""
# The translator's work, as OmegaT keeps it: its tags as text (TMX level 1), the pairs of
# the fourth sentence reordered.
WORK = [
    (
        "History of the <g0>border</g0> crossing",
        "<g0>နယ်စပ်</g0> ဖြတ်ကျော်မှု သမိုင်း",
    ),
    (
        "More than 300 police officers crossed into <g0>India</g0> on Monday, "
        "<g1>officials</g1> said.",
        "ရဲ ၃၀၀ ကျော် တနင်္လာနေ့က <g0>အိန္ဒိယ</g0>သို့ ဝင်ခဲ့သည်ဟု <g1>အရာရှိများ</g1> ပြောသည်။",
    ),
    ("A bridge", "တံတား"),
    (
        "<x0/>The bridge at <g1>Tamu</g1> was <g2>closed</g2> for <g3>two days</g3>.",
        "<x0/><g1>တမူး</g1>ရှိ တံတားကို <g3>နှစ်ရက်</g3> <g2>ပိတ်</g2>ခဲ့သည်။",
    ),
    (
        "Read <g0>the full report. It is long</g0> today.",
        "ယနေ့ <g0>အစီရင်ခံစာ အပြည့်အစုံ ဖတ်ပါ။ ရှည်သည်</g0>။",
    ),
]
# What the rebuilt Burmese article must hold, each exactly once.
KEPT = [
    "# *နယ်စပ်* ဖြတ်ကျော်မှု သမိုင်း",
    "[အိန္ဒိယ](https://example.org/india)",
    "**အရာရှိများ**",
    "![တံတား](https://example.org/bridge.jpg)",
    "*တမူး*",
    "**ပိတ်**",
    "[နှစ်ရက်](https://example.org/days)",
    "[အစီရင်ခံစာ အပြည့်အစုံ ဖတ်ပါ။ ရှည်သည်](https://example.org/r)",
]
# Markup that must never reach an article: empty pairs, other tools' tags.
FOREIGN = ["****", "**]", "[](", "**\n", "<g", "<x", "&lt;", "{1}", "cf bold", "mq:"]
OMEGAT_PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat><project version="1.0">
  <source_dir>__DEFAULT__</source_dir><source_dir_excludes/><target_dir>__DEFAULT__</target_dir>
  <tm_dir>__DEFAULT__</tm_dir><glossary_dir>__DEFAULT__</glossary_dir>
  <glossary_file>__DEFAULT__</glossary_file><dictionary_dir>__DEFAULT__</dictionary_dir>
  <source_lang>en</source_lang><target_lang>my</target_lang>
  <source_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</source_tok>
  <target_tok>org.omegat.tokenizer.DefaultTokenizer</target_tok>
  <sentence_seg>false</sentence_seg>
  <support_default_translations>true</support_default_translations>
  <remove_tags>false</remove_tags>
</project></omegat>
"""
# Tags at a segment's edges stay in the segment (OmegaT strips them by default).
FILTERS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<filters removeTags="false"'
    ' removeSpacesNonseg="false" preserveSpaces="true" ignoreFileContext="false"></filters>\n'
)


def tmx(units: list[tuple[str, str]], tool: str = "OmegaT", tuids: bool = False) -> str:
    """Return a TMX of English → Burmese units, their segs' inner XML given."""
    body = "".join(
        f"<tu{tuid}><tuv xml:lang='en'><seg>{en}</seg></tuv>"
        f"<tuv xml:lang='my'><seg>{my}</seg></tuv></tu>\n"
        for tuid, (en, my) in zip(
            [f" tuid='{n}'" if tuids else "" for n in range(1, len(units) + 1)], units, strict=True
        )
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
        f'<header creationtool="{tool}" o-tmf="x" adminlang="en" datatype="plaintext"'
        f' segtype="paragraph" srclang="en"/>\n<body>\n{body}</body>\n</tmx>\n'
    )


def omegat_project(xliff: Path, folder: Path) -> Path:
    """Return an OmegaT project of an XLIFF export: targets a copy of the sources, our work."""
    project = folder / "news"
    for sub in ("source", "target", "tm/auto", "glossary", "omegat"):
        (project / sub).mkdir(parents=True)
    (project / "omegat.project").write_text(OMEGAT_PROJECT, encoding="utf-8")
    (project / "omegat" / "filters.xml").write_text(FILTERS, encoding="utf-8")
    tree = etree.parse(str(xliff))
    for source in tree.iter(f"{{{XLIFF}}}source"):
        source.addnext(deepcopy(source))
        source.getnext().tag = f"{{{XLIFF}}}target"  # type: ignore[union-attr]
    tree.write(str(project / "source" / "news.xlf"), xml_declaration=True, encoding="UTF-8")
    work = [(escape(en), escape(my)) for en, my in WORK]
    (project / "tm" / "auto" / "work.tmx").write_text(tmx(work), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def omegat_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return the memories the real OmegaT writes for the article translated from our work."""
    folder = tmp_path_factory.mktemp("omegat")
    article, store = folder / "news.md", str(folder / "export.db")
    article.write_text(ARTICLE, encoding="utf-8")
    assert cli("ingest", str(article), "--store", store)[0] == 0
    xliff = folder / "news.my.xlf"
    assert cli("export", "-f", "xliff12", "--to", "my", "-o", str(xliff), "--store", store)[0] == 0
    project = omegat_project(xliff, folder)
    run_omegat(project)
    return {
        "level2": project / "news-level2.tmx",
        "omegat": project / "news-omegat.tmx",
        "target": project / "target" / "news.xlf",
    }


def rebuilt(tmp_path: Path, memory: Path) -> tuple[str, str, str]:
    """Return tm import's output and stderr, and the Burmese article translated from memory."""
    article = tmp_path / "news.md"
    article.write_text(ARTICLE, encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    code, out, err = cli("tm", "import", str(memory))
    assert code == 0, err
    code, done, _ = cli("translate", "--to", "my", "--engine", "pseudo")
    assert code == 0 and "5 reused from memory" in done, done
    code, text, _ = cli("export", "-f", "article", "--to", "my", "--allow-draft", "-o", "-")
    assert code == 0
    return out, err, text


@pytest.mark.parametrize("kind", ["level2", "omegat"])
def test_omegat_memory_rebuilds_the_article_with_every_code(
    kind: str, omegat_files: dict[str, Path], tmp_path: Path
) -> None:
    """OmegaT's level 2 and level 1 memories rebuild the article with its links and marks."""
    written = omegat_files[kind].read_text(encoding="utf-8")
    # The files are OmegaT's own: tags as bpt content (level 2) or as text (level 1).
    assert ('<bpt i="0" x="0">&lt;g0&gt;</bpt>' in written) == (kind == "level2")
    assert "&lt;x0/&gt;" in written and "&lt;g3&gt;" in written
    out, err, text = rebuilt(tmp_path, omegat_files[kind])
    assert "5 entries added" in out and "plain text" not in err
    for piece in KEPT:
        assert text.count(piece) == 1, (piece, text)
    for bad in FOREIGN:
        assert bad not in text, (bad, text)


def test_omegat_wrote_our_codes_into_its_target(omegat_files: dict[str, Path]) -> None:
    """OmegaT inserted the memory's tags as our XLIFF codes: the tags did match."""
    target = omegat_files["target"].read_text(encoding="utf-8")
    assert '<g id="3" ctype="bold">ပိတ်</g>' in target
    assert '<x id="1" ctype="image"/><g id="2" ctype="italic">တမူး</g>' in target


TRADOS = [
    (  # Trados Studio: {n} placeholders and its <cf> formatting as native content.
        'More than 300 police officers crossed into <bpt i="1" x="1">{1}</bpt>India'
        '<ept i="1">{2}</ept> on Monday, <bpt i="2" x="2" type="bold">&lt;cf bold="True"&gt;'
        '</bpt>officials<ept i="2">&lt;/cf&gt;</ept> said.',
        '<bpt i="2" x="2" type="bold">&lt;cf bold="True"&gt;</bpt>အရာရှိများ<ept i="2">&lt;/cf&gt;'
        '</ept>က ရဲများ <bpt i="1" x="1">{1}</bpt>အိန္ဒိယ<ept i="1">{2}</ept>သို့ ဝင်ခဲ့သည်ဟု ပြောသည်။',
    ),
    (  # memoQ: its own tags, a ph without x (paired with the target's by order).
        '<ph>&lt;mq:ph val="img"/&gt;</ph>The bridge at <bpt i="1">&lt;mq:i&gt;</bpt>Tamu'
        '<ept i="1">&lt;/mq:i&gt;</ept> was <bpt i="2">&lt;mq:b&gt;</bpt>closed<ept i="2">'
        '&lt;/mq:b&gt;</ept> for <bpt i="3">&lt;mq:a&gt;</bpt>two days<ept i="3">&lt;/mq:a&gt;'
        "</ept>.",
        '<ph>&lt;mq:ph val="img"/&gt;</ph><bpt i="1">&lt;mq:i&gt;</bpt>တမူး<ept i="1">'
        '&lt;/mq:i&gt;</ept>ရှိ တံတားကို <bpt i="3">&lt;mq:a&gt;</bpt>နှစ်ရက်<ept i="3">'
        '&lt;/mq:a&gt;</ept> <bpt i="2">&lt;mq:b&gt;</bpt>ပိတ်<ept i="2">&lt;/mq:b&gt;</ept>ခဲ့သည်။',
    ),
    (  # No stored segment has this source.
        'A sentence no article holds, <bpt i="1">{1}</bpt>linked<ept i="1">{2}</ept>.',
        'ဆောင်းပါး မရှိသော <bpt i="1">{1}</bpt>စာကြောင်း<ept i="1">{2}</ept>။',
    ),
    (  # The heading has one pair; this entry has none in its source and a ph in its target.
        "History of the border crossing",
        'နယ်စပ် ဖြတ်ကျော်မှု <ph x="9">&lt;br/&gt;</ph>သမိုင်း',
    ),
]


def test_trados_and_memoq_markup_maps_onto_the_segments(tmp_path: Path) -> None:
    """Native markup in bpt/ept/ph maps by order; unmappable entries are plain and reported."""
    memory = tmp_path / "vendors.tmx"
    memory.write_text(tmx(TRADOS, "SDL Trados Studio", tuids=True), encoding="utf-8")
    article = tmp_path / "news.md"
    article.write_text(ARTICLE, encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    code, out, err = cli("tm", "import", str(memory))
    assert code == 0 and "4 entries added" in out
    assert "2 entries kept as plain text" in err and "(tu 3, tu 4)" in err
    assert cli("translate", "--to", "my", "--engine", "pseudo")[0] == 0
    code, text, _ = cli("export", "-f", "article", "--to", "my", "--allow-draft", "-o", "-")
    assert code == 0
    assert "**အရာရှိများ**က ရဲများ [အိန္ဒိယ](https://example.org/india)သို့" in text
    assert "(https://example.org/bridge.jpg)*တမူး*ရှိ" in text  # the alt text is pseudo
    assert "[နှစ်ရက်](https://example.org/days) **ပိတ်**ခဲ့သည်။" in text
    # The heading's plain entry is used; its pair wraps the text rather than nothing.
    assert "# *နယ်စပ် ဖြတ်ကျော်မှု သမိုင်း*" in text
    for bad in FOREIGN:
        assert bad not in text, (bad, text)


def test_unmapped_entries_are_stored_as_plain_text(tmp_path: Path) -> None:
    """An entry whose codes map onto no segment is stored without codes, its text unchanged."""
    memory = tmp_path / "vendors.tmx"
    memory.write_text(tmx(TRADOS[2:], "memoQ", tuids=True), encoding="utf-8")
    code, _, err = cli("tm", "import", str(memory))
    assert code == 0 and "2 entries kept as plain text" in err
    with open_store(str(tmp_path / "pipeline.db")) as db:
        entries = list(db.memory_entries())
    assert [(e.source, e.source_codes, e.target_codes) for e in entries] == [
        ("A sentence no article holds, linked.", (), ()),
        ("History of the border crossing", (), ()),
    ]
    assert entries[0].target == "ဆောင်းပါး မရှိသော စာကြောင်း။"


def test_omegat_tags_as_text_with_no_segment_become_plain_text(tmp_path: Path) -> None:
    """OmegaT tags written as text, with no segment to read them by, are dropped from the text."""
    memory = tmp_path / "project_save.tmx"
    memory.write_text(tmx([("Go &lt;g0&gt;home&lt;/g0&gt;.", "&lt;g0&gt;အိမ်&lt;/g0&gt; ပြန်။")], "x"))
    code, _, err = cli("tm", "import", str(memory))
    assert code == 0 and "1 entries kept as plain text" in err and "'Go home.'" in err
    with open_store(str(tmp_path / "pipeline.db")) as db:
        (entry,) = db.memory_entries()
    assert (entry.source, entry.target, entry.source_codes) == ("Go home.", "အိမ် ပြန်။", ())


def test_text_that_is_no_tag_of_the_segment_stays_text(tmp_path: Path) -> None:
    """In an OmegaT memory, tag-like text the matching segment has no tag for is text."""
    article = tmp_path / "tags.md"
    article.write_text("Type `<b5>` in *bold*.\n", encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    with open_store(str(tmp_path / "pipeline.db")) as db:
        (seg,) = db.segments(1)
    assert seg.source == "Type <b5> in bold."  # a code span and an emphasis: <g0>, <g1>
    memory = tmp_path / "m.tmx"
    source = escape("Type <g0><b5></g0> in <g1>bold</g1>.")
    memory.write_text(tmx([(source, escape("<g1>bold</g1> ကို <g0><b5></g0> ရိုက်ပါ။"))]))
    code, _, err = cli("tm", "import", str(memory))
    assert code == 0 and "plain text" not in err
    with open_store(str(tmp_path / "pipeline.db")) as db:
        (entry,) = db.memory_entries()
    assert (entry.source, entry.target) == ("Type <b5> in bold.", "bold ကို <b5> ရိုက်ပါ။")
    assert [(c.data, c.at) for c in entry.target_codes] == [
        ("*", 0),
        ("*", 4),
        ("`", 9),
        ("`", 13),
    ]


# Property: whatever codes another tool writes, no import yields an empty pair or its markup.
PROPERTY_ARTICLE = """\
Police crossed into [India](https://example.org/a) on *Monday*.

![Map](https://example.org/m.png) Officials **said** more would follow.

No codes here at all.
"""


@pytest.fixture(scope="module")
def segments_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Segment]]:
    """Return a store holding a short article, and its segments."""
    folder = tmp_path_factory.mktemp("segments")
    article = folder / "a.md"
    article.write_text(PROPERTY_ARTICLE, encoding="utf-8")
    location = str(folder / "segments.db")
    with open_store(location, create=True) as db:
        doc = db.ingest(read_article(article, "en")).document
        return location, db.segments(doc.id)


NATIVE = st.sampled_from(
    ["{1}", "&lt;b&gt;", "&lt;/b&gt;", '&lt;cf bold="True"&gt;', "&lt;g0&gt;", ""]
)


@st.composite
def coded_seg(draw: st.DrawFn, text: str, ids: list[int], singles: int) -> str:
    """Return a seg's inner XML: text with pairs by i and ph by x at drawn offsets."""
    marks: list[tuple[int, int, str]] = []
    for order, i in enumerate(ids):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        marks.append((start, 2 * order, f'<bpt i="{i}" x="{i}">{draw(NATIVE)}</bpt>'))
        marks.append((end, 2 * order + 1, f'<ept i="{i}">{draw(NATIVE)}</ept>'))
    for x in range(singles):
        at = draw(st.integers(0, len(text)))
        marks.append((at, 100 + x, f'<ph x="{50 + x}">{draw(NATIVE)}</ph>'))
    out, done = [], 0
    for at, _, mark in sorted(marks):
        out += [escape(text[done:at]), mark]
        done = at
    return "".join(out) + escape(text[done:])


@given(data=st.data())
def test_no_import_yields_an_empty_pair_or_foreign_markup(
    data: st.DataObject, segments_db: tuple[str, list[Segment]], tmp_path: Path
) -> None:
    """Any bpt/ept/ph another tool writes imports as the segment's codes or as none."""
    location, segments = segments_db
    seg = data.draw(st.sampled_from([*segments, None]))
    source = seg.source if seg else "Unknown text."
    pairs = data.draw(st.integers(0, 3))
    singles = data.draw(st.integers(0, 2))
    if seg and data.draw(st.booleans()):  # half the time as many codes as the segment has
        pairs = sum(c.type is CodeType.OPEN for c in seg.codes)
        singles = sum(c.type is CodeType.STANDALONE for c in seg.codes)
    ids = list(range(1, pairs + 1))
    target_ids = data.draw(st.lists(st.sampled_from(ids), max_size=3)) if ids else []
    en = data.draw(coded_seg(source, ids, singles))
    my = data.draw(coded_seg("မြန်မာ စာ", target_ids, data.draw(st.integers(0, singles))))
    tool = data.draw(st.sampled_from(["OmegaT", "SDL Trados Studio", "memoQ"]))
    path = tmp_path / "m.tmx"
    path.write_text(tmx([(en, my)], tool), encoding="utf-8")
    markup = {c.data for s in segments for c in s.codes}
    with open_store(location) as db:
        entries = list(read_tmx(path, "en", None, CodeMatch(db)))
    for entry in entries:
        for codes in (entry.source_codes, entry.target_codes):
            assert not empty_pairs(codes)
            assert {c.data for c in codes} <= markup


def empty_pairs(codes: tuple[Code, ...]) -> list[int]:
    """Return the ids of pairs whose two ends stand at one offset."""
    opens = {c.id: c.at for c in codes if c.type is CodeType.OPEN}
    return [c.id for c in codes if c.type is CodeType.CLOSE and opens.get(c.id) == c.at]
