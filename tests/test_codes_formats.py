"""Inline codes in every export: nested, standalone and isolated codes written and read back."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from pipeline.export import ExportRequest, export
from pipeline.inline import marked, render, unmarked
from pipeline.records import Code, Origin, Segment, TranslationDraft
from pipeline.review import read
from pipeline.store.base import Store
from tests.exportkit import CODED, CODED_TARGETS, LINK, SCHEMAS, WHEN, coded_store

XLIFF12 = "{urn:oasis:names:tc:xliff:document:1.2}"
XLIFF20 = "{urn:oasis:names:tc:xliff:document:2.0}"
SUFFIXES = {"xliff12": ".xlf", "xliff20": ".xlf", "po": ".po"}


@pytest.fixture
def store() -> Iterator[Store]:
    """Return a store holding the coded article and its Burmese machine translation."""
    yield from coded_store()


def run(store: Store, fmt: str) -> bytes:
    """Export the coded article into Burmese and return the bytes."""
    out = io.BytesIO()
    export(store, ExportRequest(fmt, ("my",)), out, created_at=WHEN)
    return out.getvalue()


def places(codes: tuple[Code, ...]) -> list[tuple[int, str, int]]:
    """Return codes as (id, type, offset), the part a file carries."""
    return [(c.id, c.type.value, c.at) for c in codes]


def segments(store: Store) -> list[Segment]:
    """Return the coded article's segments."""
    return store.segments(store.documents()[0].id)


@pytest.mark.parametrize("fmt", ["xliff12", "xliff20", "po"])
def test_review_formats_read_back_text_and_codes(store: Store, fmt: str, tmp_path: Path) -> None:
    """XLIFF 1.2, XLIFF 2.0 and PO read back each unit's plain text and codes as stored."""
    path = tmp_path / f"coded{SUFFIXES[fmt]}"
    path.write_bytes(run(store, fmt))
    units = read(path).units
    assert [u.source for u in units] == [text for text, _ in CODED]
    assert [places(u.source_codes) for u in units] == [places(codes) for _, codes in CODED]
    assert [u.target for u in units] == [text for text, _ in CODED_TARGETS]
    assert [places(u.target_codes) for u in units] == [places(c) for _, c in CODED_TARGETS]


def test_xliff12_elements_and_strict_schema(store: Store) -> None:
    """XLIFF 1.2 writes g, x, bx and ex with schema ctypes, no href, and stays strictly valid."""
    data = run(store, "xliff12")
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd")))
    root = etree.fromstring(data)
    assert xsd.validate(root), xsd.error_log.filter_from_errors()
    first = root.find(f".//{XLIFF12}trans-unit/{XLIFF12}source")
    assert [(etree.QName(e).localname, e.get("ctype")) for e in first.iter("{*}g", "{*}x")] == [
        ("g", "link"),
        ("g", "italic"),
        ("x", "image"),
    ]
    assert root.find(f".//{XLIFF12}bx").get("rid") == "1"
    assert root.find(f".//{XLIFF12}ex").get("id") == "1"
    assert b"example.org" not in data and b"map.png" not in data


def test_xliff12_alt_trans_target_carries_codes(store: Store) -> None:
    """A memory translation's alt-trans source and target hold the codes too."""
    seg = segments(store)[0]
    t = store.translations(seg.document_id, "my")[seg.id]
    store.write_translations(
        [TranslationDraft(seg.id, "my", t.text, t.state, Origin.TM, t.signature, codes=t.codes)]
    )
    root = etree.fromstring(run(store, "xliff12"))
    alt = root.find(f".//{XLIFF12}alt-trans/{XLIFF12}target")
    assert [e.get("id") for e in alt.iter("{*}g", "{*}x")] == ["1", "2", "3"]


def test_xliff20_original_data_and_references(store: Store) -> None:
    """XLIFF 2.0 puts originalData before the segment, every dataRef resolves, ids are unique."""
    root = etree.fromstring(run(store, "xliff20"))
    for unit in root.iter(f"{XLIFF20}unit"):
        children = [etree.QName(c).localname for c in unit]
        data = {d.get("id"): d.text for d in unit.iterfind(f"{XLIFF20}originalData/{XLIFF20}data")}
        if data:
            assert children.index("originalData") < children.index("segment")
        refs = [v for e in unit.iter() for k, v in e.attrib.items() if k.startswith("dataRef")]
        assert set(refs) <= set(data)
        for part in unit.iterfind(f"{XLIFF20}segment/*"):
            ids = [
                e.get("id") for e in part.iter("{*}pc", "{*}ph", "{*}sc", "{*}ec") if e.get("id")
            ]
            assert len(ids) == len(set(ids))
    first = next(root.iter(f"{XLIFF20}unit"))
    data = {d.get("id"): d.text for d in first.iter(f"{XLIFF20}data")}
    assert data["d1"] == LINK and data["d1e"] == "</a>"
    assert first.find(f".//{XLIFF20}source/{XLIFF20}pc").get("dataRefStart") == "d1"
    assert root.find(f".//{XLIFF20}sc").get("isolated") == "yes"
    assert root.find(f".//{XLIFF20}ec").get("isolated") == "yes"


def test_tmx_native_codes_and_dtd(store: Store) -> None:
    """TMX holds the native markup in bpt, ept, ph and it, and is valid by the TMX 1.4 DTD."""
    root = etree.fromstring(run(store, "tmx"))
    dtd = etree.DTD(str(SCHEMAS / "tmx14.dtd"))
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    seg = root.find(".//tu/tuv/seg")
    assert [(e.tag, e.text) for e in seg] == [
        ("bpt", LINK),
        ("bpt", "<em>"),
        ("ept", "</em>"),
        ("ept", "</a>"),
        ("ph", '<img src="map.png" alt="A map">'),
    ]
    assert [(e.get("pos"), e.text) for e in root.iter("it")][:2] == [
        ("begin", "<em>"),
        ("begin", "<em>"),
    ]


def test_translate_toolkit_reads_codes(store: Store) -> None:
    """Translate Toolkit sees G, X, Bx and Ex placeables in XLIFF and the native markup in TMX."""
    from translate.storage import tmx, xliff
    from translate.storage.placeables.xliff import Bx, Ex, G, X

    units = xliff.xlifffile(run(store, "xliff12")).units
    codes = (G, X, Bx, Ex)
    kinds = [
        [type(e).__name__ for e in u.rich_target[0].depth_first() if isinstance(e, codes)]
        for u in units
    ]
    assert kinds[:3] == [["G", "G", "X"], ["Bx"], ["Ex"]]
    assert [str(u.rich_source[0]) for u in units] == [text for text, _ in CODED]
    tus = tmx.tmxfile(run(store, "tmx")).units
    assert [u.source for u in tus] == [render(text, codes) for text, codes in CODED]


def test_po_markers_legend_and_msgfmt(store: Store, tmp_path: Path) -> None:
    """PO writes marked msgid and msgstr, a legend per code, and passes msgfmt -c."""
    data = run(store, "po")
    text = data.decode()
    assert 'msgid "Read <1>the <2>full</2> report</1> here<3/>."' in text
    assert "#. <1>…</1> = " + LINK + "…</a>" in text
    assert "#. <3/> = <img" in text
    assert "#. <1> = <em>, closed in another segment" in text
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt is not installed (apt-get install gettext)")
    path = tmp_path / "coded.po"
    path.write_bytes(data)
    done = subprocess.run(
        ["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_jsonl_codes_as_data_and_marked(store: Store) -> None:
    """JSONL carries every code as data beside the plain text, and the marked forms."""
    rows = [json.loads(line) for line in run(store, "jsonl").splitlines()]
    for row, (text, codes), (target, target_codes) in zip(rows, CODED, CODED_TARGETS, strict=True):
        assert row["segment"]["source"] == text
        assert row["segment"]["marked"] == marked(text, codes)
        got = [(c["id"], c["type"], c["at"], c["data"]) for c in row["segment"]["codes"]]
        assert got == [(c.id, c.type.value, c.at, c.data) for c in codes]
        mine = row["targets"]["my"]
        assert (mine["text"], mine["marked"]) == (target, marked(target, target_codes))
        assert [c["at"] for c in mine["codes"]] == [c.at for c in target_codes]


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_tables_hold_marked_text(store: Store, fmt: str) -> None:
    """TSV and CSV text columns hold the marked forms, which unmark to the stored codes."""
    dialect = csv.excel_tab if fmt == "tsv" else csv.excel
    rows = list(csv.DictReader(io.StringIO(run(store, fmt).decode(), newline=""), dialect=dialect))
    for row, (text, codes), (target, target_codes) in zip(rows, CODED, CODED_TARGETS, strict=True):
        assert unmarked(row["source"], codes) == (text, codes)
        assert unmarked(row["target:my"], codes) == (target, target_codes)
    assert "<3/> = <img" in rows[0]["codes"]


def test_bilingual_page_shows_codes_never_live_markup(store: Store) -> None:
    """The bilingual page shows each code as a visible marker, its markup escaped in a title."""
    page = run(store, "bilingual").decode()
    root = lxml_html.document_fromstring(page)
    assert root.findall(".//body//a") == [] and root.findall(".//body//img") == []
    assert root.findall(".//body//em") == [] and root.findall(".//body//b") == []
    codes = root.find_class("code")
    assert [c.text for c in codes[:5]] == ["<1>", "<2>", "</2>", "</1>", "<3/>"]
    assert codes[0].get("title") == LINK
    assert "Plain &amp; simple &lt;b&gt;." in page
