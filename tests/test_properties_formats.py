"""Property tests (hypothesis): inline codes and text survive every exchange format.

Units are built in memory (no store) with generated coded text: words of English, Hindi
and Burmese, markup-like text (``<b>``, ``&amp;``, ``]]>``), quotes, tabs, line breaks,
leading and trailing spaces, long runs, and arbitrary Unicode; codes nested, paired,
standalone and isolated, with real markup as their data. Each format is written by its own
writer and read back by the pipeline's own reader:

- XLIFF 1.2, XLIFF 2.0, PO: :func:`pipeline.review.read` (what ``pipeline review import``
  reads); the markup comes back from the source's codes (:func:`pipeline.inline.with_markup`),
  as the importer takes it;
- TSV and CSV: :func:`pipeline.tm.read.read_memory` (what ``pipeline tm import`` reads);
- TMX, the export and the memory (``pipeline tm export``): :func:`pipeline.tm.tmx.read_tmx`;
- JSONL: each line parsed as JSON, its codes as data.

Text that looks like the markers of the PO and table forms (``<1>``, ``</1>``, ``<2/>``) is
written ``\\<1>`` there and reads back as text. Through a store, every format exported and
imported untouched, by ``review import`` and by ``tm import``, writes nothing.

Characters XML 1.0 cannot hold (C0 controls but tab, LF and CR; U+FFFE, U+FFFF) are not
text: ingest, review import and the desk drop them (:func:`pipeline.burmese.normalise_text`),
so a store made now never holds one. An XML export of one still held (a store made earlier)
writes U+FFFD in its place (:func:`pipeline.formats.xml_text`) and stays well-formed; PO,
the tables and JSONL carry it as it is.

The CI profile runs each property on a bounded, derandomized set of examples
(tests/conftest.py); ``HYPOTHESIS_PROFILE=long`` runs many more.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline.burmese import normalise_text
from pipeline.export import ExportRequest, export
from pipeline.formats import ExportOptions, writer, xml_text
from pipeline.formats.tmx import code_type
from pipeline.glossary import TermStatus
from pipeline.glossary.fields import says_dnt
from pipeline.glossary.tbx import read_tbx
from pipeline.ingest import read_article
from pipeline.inline import CodeProblem, marked, ordered, problems, with_markup
from pipeline.records import (
    Code,
    CodeType,
    Document,
    DocumentDraft,
    Origin,
    Segment,
    SegmentDraft,
    SegmentKind,
    State,
    Translation,
    TranslationDraft,
    Unit,
    source_hash,
)
from pipeline.review import read
from pipeline.review.apply import import_review
from pipeline.store import open_store
from pipeline.store.base import Store
from pipeline.tm import MemoryEntry
from pipeline.tm.read import read_memory
from pipeline.tm.tmx import read_tmx
from pipeline.tm.tmx_write import write_memory

WHEN = datetime(2021, 3, 5, 9, 30, tzinfo=UTC)
STAMP = "2021-03-05T09:30:00Z"
DOC = Document(7, "/news/coded.html", "Coded", "en", "html", "c0" * 32, 1, "", STAMP)
OPEN, CLOSE, ALONE = CodeType.OPEN, CodeType.CLOSE, CodeType.STANDALONE
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# --- strategies -------------------------------------------------------------------------

PIECES = [
    "Police",
    "crossed",
    "the border",
    "Dr.",
    "U.S.",
    "1,250.5",
    "၁၉",
    "१,५००",
    "पुलिस ने सीमा पार की।",
    "ရဲ တပ်ဖွဲ့ နယ်စပ်ကို ဖြတ်ကျော်ခဲ့သည်။",
    "မြန်မာ၊",
    "<b>",
    "</i>",
    "a < b && c > d",
    "&amp;",
    "&#13;",
    "]]>",
    "<![CDATA[x]]>",
    "<!-- note -->",
    '"quoted"',
    "'single'",
    "“curly”",
    "\\",
    "\\n",
    "%s",
    "{0}",
    "...",
    "…",
    "https://example.org/a.b?c=1&d=2",
    "\t",
    "\n",
    "\r\n",
    "  ",
    "\u00a0",
    "\u200b",
    "\u2028",
    "\x85",
    "#",
    "msgid",
    '"\n"',
    # Text that looks like the pipeline's own markers is text (written \\<1> where it would not be).
    "<1>",
    "</1>",
    "<2/>",
    "\\<1>",
    "\\\\",
    "{1}",
    "{{p:0}}",
    "<x/>",
]
WORDS = st.one_of(st.sampled_from(PIECES), st.text(max_size=8))
RUN = st.lists(WORDS, max_size=5).map(" ".join) | st.text(max_size=12)
LONG = st.integers(300, 3000).map(lambda n: ("ရဲ police पुलिस " * n)[:n])
TAGS = st.sampled_from(["a", "em", "b", "strong", "u", "span", "code", "html", "sup", "x y", ""])
MARKUP = st.one_of(
    st.sampled_from(
        [
            '<a href="https://example.org/r?a=1&amp;b=2" title="The \'report\'">',
            "<em>",
            "</em>",
            '<img src="map.png" alt="A map">',
            "<br>",
            "**",
            "`",
            "]]>",
            "",
        ]
    ),
    st.text(max_size=10),
)


@dataclass(frozen=True)
class Coded:
    """A plain text and its codes, as a segment or translation holds them."""

    text: str
    codes: tuple[Code, ...]


def tree(texts: st.SearchStrategy[str] = RUN) -> st.SearchStrategy[list[object]]:
    """Nested pieces: text runs, standalone codes, isolated ends, pairs around pieces."""
    leaf = st.one_of(
        texts.map(lambda s: ("text", s)),
        st.tuples(st.just("alone"), TAGS, MARKUP),
        st.tuples(st.just("lone-open"), TAGS, MARKUP),
        st.tuples(st.just("lone-close"), TAGS, MARKUP),
    )
    nodes = st.recursive(
        leaf,
        lambda inner: st.tuples(
            st.just("pair"), TAGS, MARKUP, MARKUP, st.booleans(), st.lists(inner, max_size=4)
        ),
        max_leaves=10,
    )
    return st.lists(nodes, max_size=6)


def flatten(nodes: list[object]) -> Coded:
    """Return the plain text and codes of nested pieces, ids from 1 in reading order."""
    text: list[str] = []
    codes: list[Code] = []

    def at() -> int:
        return sum(map(len, text))

    def walk(items: list[object]) -> None:
        for item in items:
            assert isinstance(item, tuple)
            kind = item[0]
            if kind == "text":
                text.append(item[1])
            elif kind == "pair":
                _, tag, start, end, protect, inner = item
                code_id = len({c.id for c in codes}) + 1
                codes.append(Code(code_id, OPEN, tag, start, at(), protect))
                walk(inner)
                codes.append(Code(code_id, CLOSE, tag, end, at(), protect))
            else:
                _, tag, data = item
                code_id = len({c.id for c in codes}) + 1
                kind_of = {"alone": ALONE, "lone-open": OPEN, "lone-close": CLOSE}[kind]
                codes.append(Code(code_id, kind_of, tag, data, at()))

    walk(nodes)
    return Coded("".join(text), tuple(codes))


@st.composite
def sources(draw: st.DrawFn, texts: st.SearchStrategy[str] = RUN) -> Coded:
    """A segment's coded source: never blank, no space at either end (segments are trimmed).

    Some are wholly inside a pair, so a code stands at the very start and the very end.
    """
    coded = flatten(draw(tree(texts)))
    words = draw(st.one_of(texts, LONG))
    lead = draw(st.sampled_from(PIECES[:6])) + " "
    text = (lead + coded.text + " " + words).strip()
    shift = len(lead)
    codes = tuple(c.moved(min(c.at + shift, len(text))) for c in coded.codes)
    if draw(st.booleans()):
        # The outer pair is code 1: ids stay in reading order, as ingest numbers them.
        tag, start, end = draw(TAGS), draw(MARKUP), draw(MARKUP)
        inner = tuple(replace(c, id=c.id + 1) for c in codes)
        codes = (Code(1, OPEN, tag, start, 0), *inner, Code(1, CLOSE, tag, end, len(text)))
    return Coded(text, codes)


@st.composite
def targets(draw: st.DrawFn, source: Coded, texts: st.SearchStrategy[str] = RUN) -> Coded:
    """A target holding the source's codes (each once), moved and perhaps reordered."""
    codes = list(source.codes)
    if draw(st.booleans()):
        codes = draw(st.permutations(codes))
    runs = draw(st.lists(st.one_of(texts, LONG), min_size=len(codes) + 1, max_size=len(codes) + 1))
    text = ""
    placed = []
    for run, code in zip(runs, codes, strict=False):
        text += run
        placed.append(code.moved(len(text)))
    text += runs[-1]
    return Coded(text, tuple(placed))


STATES = st.sampled_from([State.TRANSLATED, State.REVIEWED, State.FINAL])


@st.composite
def units(draw: st.DrawFn, texts: st.SearchStrategy[str] = RUN) -> list[Unit]:
    """One to four units of one document, each with a Burmese translation."""
    made = []
    for number in range(draw(st.integers(1, 4))):
        source = draw(sources(texts))
        target = draw(targets(source, texts))
        seg_id = 10 + number
        segment = Segment(
            seg_id,
            DOC.id,
            number,
            0,
            SegmentKind.TEXT,
            source.text,
            source_hash(source.text),
            codes=source.codes,
        )
        t = Translation(
            seg_id,
            seg_id,
            "my",
            target.text,
            draw(STATES),
            Origin.HUMAN,
            None,
            None,
            draw(st.sampled_from(["Thida", "", "Aung <a@example.org>"])),
            STAMP,
            STAMP,
            codes=target.codes,
        )
        made.append(Unit(DOC, segment, {"my": t}))
    return made


def written(fmt: str, made: list[Unit], path: Path) -> Path:
    """Write units with a format's writer into path and return it."""
    out = io.BytesIO()
    writer(fmt)(made, out, ExportOptions(("my",), created_at=WHEN))
    path.write_bytes(out.getvalue())
    return path


def places(codes: tuple[Code, ...]) -> list[tuple[int, str, int]]:
    """Return codes as (id, type, offset) in reading order: what every format carries."""
    return [(c.id, c.type.value, c.at) for c in ordered(codes)]


def full(codes: tuple[Code, ...]) -> list[tuple[int, str, str, str, int, bool]]:
    """Return every field of codes in reading order."""
    return [(c.id, c.type.value, c.tag, c.data, c.at, c.protect) for c in ordered(codes)]


def as_tmx(codes: tuple[Code, ...]) -> tuple[Code, ...]:
    """Return codes as TMX holds them: markup as XML can, no ``protect`` (TMX has no place).

    Losing ``protect`` costs nothing: a memory match used for a segment takes its codes'
    kinds, markup and protection from that segment's own codes (:func:`pipeline.inline.carried`).
    """
    return tuple(Code(c.id, c.type, c.tag, xml_text(c.data), c.at) for c in codes)


def assert_markup(
    read_codes: tuple[Code, ...], source: tuple[Code, ...], wanted: tuple[Code, ...]
) -> None:
    """Assert codes read from a file take back the markup of ``wanted`` from the source's.

    A target whose codes break the source's nesting (a reordered pair) is refused, as the
    importer refuses it, never given markup that would not nest.
    """
    if problems(source, wanted):
        with pytest.raises(CodeProblem):
            with_markup(read_codes, source)
    else:
        assert full(with_markup(read_codes, source)) == full(wanted)


# --- inline codes and text: the review formats ----------------------------------------


@pytest.mark.parametrize("fmt", ["xliff12", "xliff20"])
@given(made=units())
@settings(max_examples=60)
def test_xliff_gives_back_text_and_codes(fmt: str, made: list[Unit], tmp_path: Path) -> None:
    """XLIFF 1.2 and 2.0 read back each unit's source, target, state and codes as written.

    Ids, kinds, order and offsets come from the file; the markup, which XLIFF keeps out of
    the translator's way, comes back from the source's codes as the importer takes it.
    """
    found = read(written(fmt, made, tmp_path / f"{fmt}.xlf")).units
    assert [u.unit_id for u in found] == [u.unit_id for u in made]
    for unit, back in zip(made, found, strict=True):
        seg, t = unit.segment, unit.translations["my"]
        assert back.source == xml_text(seg.source)
        assert back.target == xml_text(t.text)
        assert back.state is t.state
        assert places(back.source_codes) == places(seg.codes)
        assert places(back.target_codes) == places(t.codes)
        assert full(with_markup(back.source_codes, seg.codes)) == full(seg.codes)
        assert_markup(back.target_codes, seg.codes, t.codes)


@given(made=units())
@settings(max_examples=60)
@example(
    made=[
        Unit(
            DOC,
            Segment(1, DOC.id, 0, 0, SegmentKind.TEXT, "Go", source_hash("Go")),
            {
                "my": Translation(
                    1,
                    1,
                    "my",
                    "\nသွား\n",
                    State.REVIEWED,
                    Origin.HUMAN,
                    None,
                    None,
                    "",
                    STAMP,
                    STAMP,
                )
            },
        )
    ]
)
def test_po_gives_back_text_and_codes(made: list[Unit], tmp_path: Path) -> None:
    """PO reads back each unit's source, target, state and codes as written.

    Text that itself holds ``<N>``, ``</N>`` or ``<N/>`` is written ``\\<N>`` and reads back
    as text. One thing PO promises differently, by design: a msgstr starts and ends with a
    newline exactly when its msgid does (``msgfmt -c``): as a segment's source never does, a
    target's leading and trailing newlines are dropped.
    """
    found = read(written("po", made, tmp_path / "my.po")).units
    assert [u.unit_id for u in found] == [u.unit_id for u in made]
    for unit, back in zip(made, found, strict=True):
        seg, t = unit.segment, unit.translations["my"]
        assert back.source == seg.source
        assert places(back.source_codes) == places(seg.codes)
        shown = marked(t.text, t.codes)
        head = len(shown) - len(shown.lstrip("\n"))
        core = shown.strip("\n")
        if not core:
            assert back.target is None and back.state is State.INITIAL
            continue
        # What the newlines dropped at either end leave of the text and codes' offsets.
        cut = t.text[head : head + len(t.text) - (len(shown) - len(core))]
        assert back.target == cut
        assert back.state is t.state
        moved = tuple(c.moved(min(max(c.at - head, 0), len(cut))) for c in t.codes)
        assert places(back.target_codes) == places(moved)
        assert_markup(back.target_codes, seg.codes, moved)


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
@given(made=units())
@settings(max_examples=60)
def test_tables_give_back_memory(fmt: str, made: list[Unit], tmp_path: Path) -> None:
    """TSV and CSV read back as memory: every reviewed or final target, its codes in place."""
    path = written(fmt, made, tmp_path / f"units.{fmt}")
    found = list(read_memory(path, "en"))
    wanted = [
        u
        for u in made
        if u.translations["my"].state in (State.REVIEWED, State.FINAL)
        and u.translations["my"].text.strip()
    ]
    assert [e.tuid for e in found] == [u.unit_id for u in wanted]
    for unit, entry in zip(wanted, found, strict=True):
        seg, t = unit.segment, unit.translations["my"]
        assert (entry.source_lang, entry.target_lang) == ("en", "my")
        assert (entry.source, entry.target) == (seg.source, t.text)
        assert places(entry.source_codes) == places(seg.codes)
        assert places(entry.target_codes) == places(t.codes)
        assert entry.changed_by == (t.author or None)


@given(made=units())
@settings(max_examples=60)
def test_jsonl_gives_back_everything(made: list[Unit], tmp_path: Path) -> None:
    """JSONL holds each unit on one line: texts exactly, codes with all their fields."""
    data = written("jsonl", made, tmp_path / "units.jsonl").read_bytes()
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == len(made)
    for unit, line in zip(made, lines, strict=True):
        row = json.loads(line)
        seg, t = unit.segment, unit.translations["my"]
        assert row["id"] == unit.unit_id
        assert row["segment"]["source"] == seg.source
        assert row["targets"]["my"]["text"] == t.text
        for got, codes in (
            (row["segment"]["codes"], seg.codes),
            (row["targets"]["my"]["codes"], t.codes),
        ):
            back = tuple(
                Code(c["id"], CodeType(c["type"]), c["tag"], c["data"], c["at"], c["protect"])
                for c in got
            )
            assert full(back) == full(codes)
        assert row["targets"]["my"]["marked"] == marked(t.text, t.codes)


@given(made=units())
@settings(max_examples=60)
def test_tmx_export_gives_back_memory(made: list[Unit], tmp_path: Path) -> None:
    """The TMX export reads back as memory: texts, code ids, kinds, offsets and markup.

    A code's ``type`` is TMX's name for its kind (``italic`` for ``em``), so that is the tag
    read back.
    """
    path = written("tmx", made, tmp_path / "units.tmx")
    found = list(read_tmx(path, "en"))
    wanted = [u for u in made if u.translations["my"].text.strip()]
    assert len(found) == len(wanted)
    for unit, entry in zip(wanted, found, strict=True):
        seg, t = unit.segment, unit.translations["my"]
        assert entry.tuid == unit.unit_id
        assert (entry.source, entry.target) == (xml_text(seg.source), xml_text(t.text))
        for back, codes in ((entry.source_codes, seg.codes), (entry.target_codes, t.codes)):
            assert places(back) == places(codes)
            assert [(c.data, c.tag) for c in ordered(back)] == [
                (xml_text(c.data), code_type(c)) for c in ordered(codes)
            ]


def memory(made: list[Unit]) -> list[MemoryEntry]:
    """Return the memory entries of units, as the store's own memory yields them."""
    return [
        MemoryEntry(
            "en",
            "my",
            u.segment.source,
            u.translations["my"].text,
            u.segment.codes,
            u.translations["my"].codes,
            origin=u.document.uri,
            tuid=u.unit_id,
            created_at=STAMP,
            created_by=u.translations["my"].author or None,
            changed_at=STAMP,
            changed_by=u.translations["my"].author or None,
        )
        for u in made
        if u.translations["my"].text.strip()
    ]


@given(made=units())
@settings(max_examples=60)
def test_memory_export_imports_as_the_same_entries(made: list[Unit], tmp_path: Path) -> None:
    """``pipeline tm export`` then ``tm import``: the same entries, keys and all.

    So importing an exported memory adds nothing (every key is already held). What TMX
    cannot hold is the one difference: see :func:`as_tmx`.
    """
    entries = memory(made)
    path = tmp_path / "memory.tmx"
    with path.open("wb") as out:
        assert write_memory(entries, out, "en") == len(entries)
    found = list(read_tmx(path, "en"))
    assert len(found) == len(entries)
    for entry, back in zip(entries, found, strict=True):
        wanted = MemoryEntry(
            entry.source_lang,
            entry.target_lang,
            xml_text(entry.source),
            xml_text(entry.target),
            as_tmx(entry.source_codes),
            as_tmx(entry.target_codes),
        )
        assert back.key == wanted.key
        assert (back.source, back.target) == (wanted.source, wanted.target)
        assert full(back.source_codes) == full(wanted.source_codes)
        assert full(back.target_codes) == full(wanted.target_codes)
        assert (back.tuid, back.created_by, back.changed_by) == (
            entry.tuid,
            entry.created_by,
            entry.changed_by,
        )
        assert (back.created_at, back.changed_at) == (STAMP, STAMP)
        assert back.props.get("x-origin") == [entry.origin]


# --- TBX: no writer, so glossaries are built with lxml ----------------------------------

TERM = st.one_of(
    st.sampled_from(["Naypyitaw", "Tatmadaw", "नेपीडॉ", "နေပြည်တော်", "U.S. Army", "R&D", "<b>"]),
    st.text(min_size=1, max_size=15),
).filter(lambda s: bool(" ".join(s.split())) and not NOT_XML.search(s))
NOTE = st.text(max_size=20).filter(lambda s: not NOT_XML.search(s) and not says_dnt(s))


@st.composite
def concepts(draw: st.DrawFn) -> list[dict[str, object]]:
    """Glossary concepts: English terms, Burmese targets with a status, a note, maybe DNT."""
    made = []
    for number in range(draw(st.integers(1, 4))):
        made.append(
            {
                "id": f"c{number}",
                "source": draw(TERM),
                "targets": draw(
                    st.lists(st.tuples(TERM, st.sampled_from(list(TermStatus))), max_size=3)
                ),
                "note": draw(NOTE),
                "dnt": draw(st.booleans()),
            }
        )
    return made


def tbx(made: list[dict[str, object]]) -> bytes:
    """Return a TBX-Basic (TBX 2) file of concepts, written with lxml."""
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    root = etree.Element("martif", type="TBX-Basic")
    root.set(lang, "en")
    body = etree.SubElement(etree.SubElement(root, "text"), "body")
    for concept in made:
        entry = etree.SubElement(body, "termEntry", id=str(concept["id"]))
        if concept["note"]:
            etree.SubElement(entry, "descrip", type="definition").text = str(concept["note"])
        if concept["dnt"]:
            etree.SubElement(entry, "admin", type="doNotTranslate").text = "yes"
        source = etree.SubElement(entry, "langSet")
        source.set(lang, "en")
        etree.SubElement(etree.SubElement(source, "tig"), "term").text = str(concept["source"])
        targets = concept["targets"]
        assert isinstance(targets, list)
        if targets:
            section = etree.SubElement(entry, "langSet")
            section.set(lang, "my")
            for term, status in targets:
                tig = etree.SubElement(section, "tig")
                etree.SubElement(tig, "term").text = term
                note = etree.SubElement(tig, "termNote", type="administrativeStatus")
                note.text = f"{status.value}Term-admn-sts"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@given(made=concepts())
@settings(max_examples=60)
def test_tbx_gives_back_every_term(made: list[dict[str, object]], tmp_path: Path) -> None:
    """Each source term pairs with each target term, status, note and DNT as written.

    Terms are read with each whitespace run as one space (what the reader promises: a
    term is matched by words, never by its layout).
    """
    path = tmp_path / "terms.tbx"
    path.write_bytes(tbx(made))
    found = read_tbx(path, "en", "my")
    wanted = [
        (c["id"], c["source"], target, status, c["dnt"], c["note"])
        for c in made
        for target, status in (c["targets"] or [("", TermStatus.PREFERRED)])  # type: ignore[attr-defined]
    ]
    assert [(e.concept, e.term, e.target, e.status, e.dnt, e.note) for e in found] == [
        (cid, " ".join(str(s).split()), " ".join(t.split()), status, dnt, " ".join(str(n).split()))
        for cid, s, t, status, dnt, n in wanted
    ]


# --- characters XML cannot hold ----------------------------------------------------------

CONTROL = st.sampled_from(["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\uffff"])


@given(st.lists(st.one_of(RUN, CONTROL), min_size=1, max_size=8).map("".join))
def test_normalised_text_holds_only_what_xml_can(text: str) -> None:
    """Ingest, review import and the desk never keep a character XML 1.0 cannot hold.

    Each is dropped (a whitespace one becomes a space) and the change is reported.
    """
    result = normalise_text(text, "en")
    assert not NOT_XML.search(result.text)
    assert xml_text(result.text) == result.text
    if NOT_XML.search(text):
        assert any("control" in change for change in result.changes), result.changes


# --- through the store: an export imported as it is changes nothing ---------------------

# Text as ingest, the desk and review import leave it (pipeline.burmese.normalise_text).
CLEAN = RUN.map(lambda s: normalise_text(s, "en").text)


def normal(text: str) -> bool:
    """Return whether a whole text is as normalisation leaves it."""
    return normalise_text(text, "my").text == text


@st.composite
def articles(draw: st.DrawFn) -> list[tuple[Coded, Coded, State]]:
    """Segments with codes and their Burmese translations, as a store made now holds them."""
    made = []
    for _ in range(draw(st.integers(1, 3))):
        source = draw(sources(CLEAN))
        target = draw(targets(source, CLEAN))
        # A blank target is no translation: approving one is refused (tested elsewhere).
        text = target.text if target.text.strip() else "ရဲ" + target.text
        shift = len(text) - len(target.text)
        codes = tuple(c.moved(c.at + shift) for c in target.codes)
        assume(normal(source.text) and normal(text))
        made.append((source, Coded(text, codes), draw(STATES)))
    return made


def stored(
    made: list[tuple[Coded, Coded, State]],
    folder: Path,
    skip: set[int] | frozenset[int] = frozenset(),
) -> Store:
    """Return a new store in folder holding one article of the segments and translations.

    The segments numbered in ``skip`` are left with no translation.
    """
    store = open_store(str(folder / "pipeline.db"))
    segments = tuple(
        SegmentDraft(i, 0, SegmentKind.TEXT, source.text, codes=source.codes)
        for i, (source, _, _) in enumerate(made)
    )
    skeleton = "".join(f"<p>{{{{p:{i}}}}}</p>" for i in range(len(made)))
    draft = DocumentDraft("/news/coded.html", "Coded", "en", "html", "c0" * 32, skeleton, segments)
    document = store.ingest(draft).document
    store.write_translations(
        [
            TranslationDraft(
                seg.id, "my", target.text, state, Origin.HUMAN, author="Thida", codes=target.codes
            )
            for number, (seg, (_, target, state)) in enumerate(
                zip(store.segments(document.id), made, strict=True)
            )
            if number not in skip
        ]
    )
    return store


SUFFIXES = {
    "xliff12": "xlf",
    "xliff20": "xlf",
    "po": "po",
    "tmx": "tmx",
    "tsv": "tsv",
    "csv": "csv",
    "jsonl": "jsonl",
}


def contents(store: Store) -> list[object]:
    """Return what an import could change: translations, their revisions and the memory."""
    (document,) = store.documents()
    translations = store.translations(document.id, "my")
    return [
        sorted((k, t.text, t.codes, t.state, t.author) for k, t in translations.items()),
        sorted(store.revision_ids(document.id, "my").items()),
        sorted(e.key for e in store.memory_entries()),
    ]


@pytest.mark.parametrize("fmt", list(SUFFIXES))
@given(made=articles(), untranslated=st.sets(st.integers(0, 2)))
@settings(max_examples=25)
def test_an_unchanged_export_imports_as_a_noop(
    fmt: str, made: list[tuple[Coded, Coded, State]], untranslated: set[int]
) -> None:
    """Export from a store, import the file as it is, as review and as memory: nothing written.

    Some segments have no translation at all. For PO, a target's leading and trailing
    newlines are left out of the generated ones: the export drops them (``msgfmt -c``, see
    :func:`test_po_gives_back_text_and_codes`), so importing such a file writes the target
    without them, as a reviewer's edit would.
    """
    if fmt == "po":
        made = [(s, t, state) for s, t, state in made if t.text.strip("\n") == t.text]
        if not made:
            return
    with tempfile.TemporaryDirectory() as folder:
        store = stored(made, Path(folder), skip=untranslated)
        try:
            before = contents(store)
            path = Path(folder) / f"units.{SUFFIXES[fmt]}"
            with path.open("wb") as out:
                export(store, ExportRequest(fmt, ("my",)), out, created_at=WHEN)
            report = import_review(store, read(path), to="my", reviewer="Thida")
            assert report.conflicts == ()
            assert (report.applied, report.unchanged) == (0, len(made))
            with store.transaction():
                added, _ = store.add_memory(list(read_memory(path, "en", "my")))
            assert added == 0
            assert contents(store) == before
        finally:
            store.close()


# --- the counterexamples hypothesis found, kept as plain regression tests ----------------

LINK_OPEN = Code(1, OPEN, "a", '<a href="https://example.org">', 0)
LINK_CLOSE = Code(1, CLOSE, "a", "</a>", 0)


def one_unit(source: Coded, target: Coded, state: State = State.REVIEWED) -> list[Unit]:
    """Return one unit of a source and its Burmese target."""
    segment = Segment(1, DOC.id, 0, 0, SegmentKind.TEXT, source.text, "", codes=source.codes)
    t = Translation(
        1,
        1,
        "my",
        target.text,
        state,
        Origin.HUMAN,
        None,
        None,
        "Thida",
        STAMP,
        STAMP,
        codes=target.codes,
    )
    return [Unit(DOC, segment, {"my": t})]


@pytest.mark.parametrize("fmt", ["xliff12", "xliff20"])
def test_pretty_printing_adds_no_text_around_codes(fmt: str, tmp_path: Path) -> None:
    """A source wholly inside a link, and a target that is only codes, read back as written.

    Found by hypothesis: the writers pretty printed each unit, and libxml2 indents an element
    with no text child, so ``<source><g>Police</g></source>`` read back as "\\n  Police\\n".
    """
    source = Coded("Police", (LINK_OPEN, LINK_CLOSE.moved(6)))
    target = Coded("", (LINK_OPEN, LINK_CLOSE))
    back = read(written(fmt, one_unit(source, target), tmp_path / "a.xlf")).units[0]
    assert (back.source, back.target) == ("Police", "")
    assert places(back.source_codes) == places(source.codes)
    assert places(back.target_codes) == places(target.codes)


def test_tmx_pair_closing_before_it_opens_keeps_its_ids(tmp_path: Path) -> None:
    """A target whose pair closes before it opens (broken codes) keeps each end's id in TMX.

    Found by hypothesis: an ``<ept>`` written before its ``<bpt>`` was read as another code.
    Both ends are now isolated ``<it>`` ends, in the export and in ``tm export``.
    """
    source = Coded("Police", (LINK_OPEN, LINK_CLOSE.moved(6)))
    target = Coded("ရဲ ရဲ", (LINK_CLOSE.moved(1), LINK_OPEN.moved(3)))
    made = one_unit(source, target)
    entry = next(read_tmx(written("tmx", made, tmp_path / "a.tmx"), "en"))
    assert places(entry.target_codes) == places(target.codes)
    path = tmp_path / "memory.tmx"
    with path.open("wb") as out:
        write_memory(memory(made), out, "en")
    assert places(next(read_tmx(path, "en")).target_codes) == places(target.codes)


def test_memory_export_of_control_characters_and_bare_codes(tmp_path: Path) -> None:
    """``tm export`` of an old entry holding a control character writes U+FFFD, no crash.

    Found by hypothesis: lxml refused the text ("All strings must be XML compatible") and
    the export stopped; and a code with no tag came back tagged ``bpt``, another key.
    """
    bare = (Code(1, OPEN, "", "**", 0), Code(1, CLOSE, "", "**", 4))
    entry = MemoryEntry("en", "my", "bell\x07", "ဘဲလ်\x1b", bare, bare, tuid="s1")
    path = tmp_path / "memory.tmx"
    with path.open("wb") as out:
        write_memory([entry], out, "en")
    back = next(read_tmx(path, "en"))
    assert (back.source, back.target) == ("bell\ufffd", "ဘဲလ်\ufffd")
    assert full(back.source_codes) == full(bare)


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_tables_keep_a_carriage_return_and_the_author(fmt: str, tmp_path: Path) -> None:
    """A target holding a lone CR stays in its row; the row's author is the entry's.

    Found by hypothesis: TSV left a field with a lone CR unquoted, which splits the row for
    any reader, so the unit was lost; and the pipeline's own ``author:LANG`` column was not
    read, so memory from a table named no author.
    """
    made = one_unit(Coded("Police", ()), Coded("ရဲ\rရဲ", ()))
    (entry,) = read_memory(written(fmt, made, tmp_path / f"a.{fmt}"), "en")
    assert (entry.target, entry.changed_by) == ("ရဲ\rရဲ", "Thida")


def test_ingest_drops_control_characters(tmp_path: Path) -> None:
    """An article holding control characters is stored without them, and says so."""
    path = tmp_path / "a.txt"
    path.write_bytes(b"Police\x07 crossed the border.\x0b Then\x1b left.\n")
    draft = read_article(path)
    assert [s.source for s in draft.segments] == ["Police crossed the border.", "Then left."]
    assert any("control character" in change for change in draft.normalisation)
