"""Review import of inline codes: codes read back, checked against the source's, stored."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from lxml import etree

from pipeline.export import ExportRequest, export
from pipeline.inline import marked
from pipeline.records import Origin, Segment, State
from pipeline.review import read
from pipeline.review.apply import ImportReport, import_review
from pipeline.store.base import Store
from tests.exportkit import CODED_TARGETS, LINK, WHEN, coded_store

XLIFF12 = "{urn:oasis:names:tc:xliff:document:1.2}"
XLIFF20 = "{urn:oasis:names:tc:xliff:document:2.0}"
Edit = Callable[[etree._Element], None]


@pytest.fixture
def store() -> Iterator[Store]:
    """Return a store holding the coded article and its Burmese machine translation."""
    yield from coded_store()


def segments(store: Store) -> list[Segment]:
    """Return the coded article's segments."""
    return store.segments(store.documents()[0].id)


def exported(store: Store, fmt: str, path: Path) -> Path:
    """Export the coded article into Burmese to a file and return its path."""
    out = io.BytesIO()
    export(store, ExportRequest(fmt, ("my",)), out, created_at=WHEN)
    path.write_bytes(out.getvalue())
    return path


def imported(store: Store, path: Path) -> ImportReport:
    """Import a reviewed file as Thida."""
    return import_review(store, read(path), reviewer="Thida")


def reviewed_xliff12(store: Store, tmp_path: Path, edit: Edit) -> ImportReport:
    """Export XLIFF 1.2, edit the first unit's target, sign it off and import the file."""
    path = exported(store, "xliff12", tmp_path / "coded.xlf")
    tree = etree.parse(str(path))
    target = tree.find(f".//{XLIFF12}target")
    edit(target)
    target.set("state", "signed-off")
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)
    return imported(store, path)


def copy_source(target: etree._Element) -> None:
    """Make a target a copy of its unit's source, inline elements included."""
    source = target.getparent().find(f"{XLIFF12}source")
    target.clear()
    target.text = source.text
    for child in source:
        target.append(copy.deepcopy(child))


def stored_first(store: Store) -> tuple[str, list[tuple[int, str, str, int]], State]:
    """Return the first segment's Burmese text, codes (id, type, data, offset) and state."""
    seg = segments(store)[0]
    t = store.translations(seg.document_id, "my")[seg.id]
    return t.text, [(c.id, c.type.value, c.data, c.at) for c in t.codes], t.state


def test_unchanged_export_imports_as_a_noop(store: Store, tmp_path: Path) -> None:
    """An XLIFF 1.2, XLIFF 2.0 or PO export imported as it is changes nothing."""
    for fmt, name in (("xliff12", "a.xlf"), ("xliff20", "b.xlf"), ("po", "c.po")):
        report = imported(store, exported(store, fmt, tmp_path / name))
        assert (report.applied, report.unchanged, report.conflicts) == (0, 4, ())


def test_source_copied_into_target_stores_codes_with_stored_markup(
    store: Store, tmp_path: Path
) -> None:
    """A target copying its source's codes is applied with the segment's own markup."""
    report = reviewed_xliff12(store, tmp_path, copy_source)
    assert (report.applied, report.conflicts) == (1, ())
    text, codes, state = stored_first(store)
    assert text == "Read the full report here." and state is State.REVIEWED
    assert codes[0] == (1, "open", LINK, 5)
    assert [c[3] for c in codes] == [5, 9, 13, 20, 25]


def test_reordered_codes_are_accepted_and_a_second_import_is_a_noop(
    store: Store, tmp_path: Path
) -> None:
    """Moving the image code to the front is an edit; importing the same file again is not."""

    def image_first(target: etree._Element) -> None:
        image = target.find(f"{XLIFF12}x")
        target.remove(image)
        image.tail = target.text
        target.text = ""
        target.insert(0, image)

    report = reviewed_xliff12(store, tmp_path, image_first)
    assert (report.applied, report.conflicts) == (1, ())
    text, codes, _ = stored_first(store)
    assert text == CODED_TARGETS[0][0]
    assert (codes[0][0], codes[0][3]) == (3, 0)
    again = imported(store, tmp_path / "coded.xlf")
    assert (again.applied, again.unchanged) == (0, 4)


def test_codes_moved_alone_is_an_edit(store: Store, tmp_path: Path) -> None:
    """A target whose text is unchanged but whose codes moved becomes a human revision."""
    path = exported(store, "po", tmp_path / "coded.po")
    with path.open("rb") as handle:
        catalog = read_po(handle)
    first = next(m for m in catalog if m.id)
    first.string = "<1>အစီရင်ခံစာ</1> <2>အပြည့်အစုံ</2> ဖတ်ပါ။<3/>"
    with path.open("wb") as handle:
        write_po(handle, catalog)
    report = imported(store, path)
    assert (report.applied, report.conflicts) == (1, ())
    seg = segments(store)[0]
    t = store.translations(seg.document_id, "my")[seg.id]
    assert t.origin is Origin.HUMAN and t.text == CODED_TARGETS[0][0]
    assert marked(t.text, t.codes) == first.string
    assert [c.data for c in t.codes][:2] == [LINK, "</a>"]


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda t: t.remove(t.find(f"{XLIFF12}x")), "missing code <3/>"),
        (lambda t: t.append(etree.Element(f"{XLIFF12}x", id="9")), "unknown code <9/>"),
        (lambda t: t.append(etree.Element(f"{XLIFF12}x", id="3")), "duplicated code <3/>"),
    ],
    ids=["missing", "unknown", "duplicated"],
)
def test_wrong_codes_are_conflicts(store: Store, tmp_path: Path, edit: Edit, reason: str) -> None:
    """A target missing a code, or with an unknown or duplicated one, is refused whole."""
    before = stored_first(store)
    report = reviewed_xliff12(store, tmp_path, edit)
    assert report.stopped and report.applied == 0
    assert [c.unit_id for c in report.conflicts] == [f"s{segments(store)[0].id}"]
    assert reason in report.conflicts[0].reason
    assert stored_first(store) == before


def test_crossing_pairs_are_a_conflict(store: Store, tmp_path: Path) -> None:
    """A target whose pairs cross (1 closes inside 2) is a broken-nesting conflict."""

    def crossing(target: etree._Element) -> None:
        target.clear()
        target.text = "a"
        for name, code_id, tail in (("bx", "1", "b"), ("bx", "2", "c"), ("ex", "1", "d")):
            etree.SubElement(target, f"{XLIFF12}{name}", id=code_id, rid=code_id).tail = tail
        etree.SubElement(target, f"{XLIFF12}ex", id="2", rid="2")
        etree.SubElement(target, f"{XLIFF12}x", id="3")

    report = reviewed_xliff12(store, tmp_path, crossing)
    assert report.stopped
    assert "broken nesting" in report.conflicts[0].reason


def test_po_lost_marker_is_a_conflict(store: Store, tmp_path: Path) -> None:
    """A PO msgstr that drops a pair's markers is refused."""
    path = exported(store, "po", tmp_path / "coded.po")
    with path.open("rb") as handle:
        catalog = read_po(handle)
    first = next(m for m in catalog if m.id)
    first.string = "အစီရင်ခံစာ <2>အပြည့်အစုံ</2> ဖတ်ပါ။<3/>"
    first.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog)
    report = imported(store, path)
    assert report.stopped and "missing code <1>" in report.conflicts[0].reason


def test_xliff20_markup_comes_from_the_store(store: Store, tmp_path: Path) -> None:
    """An XLIFF 2.0 file whose originalData was changed still stores the segment's markup."""
    path = exported(store, "xliff20", tmp_path / "coded.xlf")
    tree = etree.parse(str(path))
    unit = tree.find(f".//{XLIFF20}unit")
    unit.find(f".//{XLIFF20}data[@id='d1']").text = '<a href="https://evil.example">'
    segment = unit.find(f"{XLIFF20}segment")
    segment.set("state", "reviewed")
    target = segment.find(f"{XLIFF20}target")
    target.find(f"{XLIFF20}ph").tail = " ပြင်ဆင်"
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)
    report = imported(store, path)
    assert (report.applied, report.conflicts) == (1, ())
    text, codes, _ = stored_first(store)
    assert text.endswith(" ပြင်ဆင်") and codes[0][2] == LINK


def test_translate_toolkit_written_codes_import(store: Store, tmp_path: Path) -> None:
    """A file Translate Toolkit rewrote with g and x placeables in a target imports with codes."""
    from translate.storage import xliff

    path = exported(store, "xliff12", tmp_path / "coded.xlf")
    catalog = xliff.xlifffile(path.read_bytes())
    unit = catalog.units[0]
    unit.rich_target = unit.rich_source
    unit.markapproved(True)
    unit.markfuzzy(False)
    path.write_bytes(bytes(catalog))
    report = imported(store, path)
    assert (report.applied, report.conflicts) == (1, ())
    text, codes, _ = stored_first(store)
    assert text == "Read the full report here."
    assert [(c[0], c[1], c[3]) for c in codes][::4] == [(1, "open", 5), (3, "standalone", 25)]


def test_xliff12_native_code_elements_read_as_codes(store: Store, tmp_path: Path) -> None:
    """A tool's bpt, ept and ph in a target are codes, their native content not text."""

    def native(target: etree._Element) -> None:
        target.clear()
        target.text = "ဖတ်ပါ "
        for name, attrs, content, tail in (
            ("bpt", {"id": "1"}, "<a>", ""),
            ("bpt", {"id": "2"}, "<em>", "အပြည့်"),
            ("ept", {"id": "2"}, "</em>", " စာ"),
            ("ept", {"id": "1"}, "</a>", "။"),
            ("ph", {"id": "3"}, "<img>", ""),
        ):
            element = etree.SubElement(target, f"{XLIFF12}{name}", **attrs)
            element.text, element.tail = content, tail

    report = reviewed_xliff12(store, tmp_path, native)
    assert (report.applied, report.conflicts) == (1, ())
    text, codes, _ = stored_first(store)
    assert text == "ဖတ်ပါ အပြည့် စာ။"
    assert [(c[0], c[3]) for c in codes] == [(1, 6), (2, 6), (2, 12), (1, 15), (3, 16)]
    assert codes[0][2] == LINK


def test_normalising_a_target_keeps_each_code_in_place(store: Store, tmp_path: Path) -> None:
    """A decomposed accent before a code is composed (NFC) and the code moves with its text."""

    def decomposed(target: etree._Element) -> None:
        copy_source(target)
        target.text = "Re\u0301ad "

    report = reviewed_xliff12(store, tmp_path, decomposed)
    assert (report.applied, report.conflicts) == (1, ())
    text, codes, _ = stored_first(store)
    assert text.startswith("Réad the full")
    assert [c[3] for c in codes] == [5, 9, 13, 20, 25]


def test_zawgyi_target_is_converted_and_codes_stay_at_their_words(
    store: Store, tmp_path: Path
) -> None:
    """A Zawgyi target with codes is converted to Unicode, each code kept at its word."""
    zawgyi = ("လူ ၁,၅၀၀ ", "ေက်ာ္", "ကိုလည္း ဖမ္းဆီးထားသည္။")
    unicode = ("လူ ၁,၅၀၀ ", "ကျော်", "ကိုလည်း ဖမ်းဆီးထားသည်။")

    def in_zawgyi(target: etree._Element) -> None:
        target.clear()
        link = etree.SubElement(target, f"{XLIFF12}g", id="1")
        link.text = zawgyi[0]
        etree.SubElement(link, f"{XLIFF12}g", id="2").text = zawgyi[1]
        link.tail = zawgyi[2]
        etree.SubElement(target, f"{XLIFF12}x", id="3")

    report = reviewed_xliff12(store, tmp_path, in_zawgyi)
    assert (report.applied, report.conflicts) == (1, ())
    text, codes, _ = stored_first(store)
    assert text == "".join(unicode)
    word = len(unicode[0])
    assert [c[3] for c in codes] == [0, word, word + 5, word + 5, len(text)]
    assert [(c[0], c[1]) for c in codes] == [
        (1, "open"),
        (2, "open"),
        (2, "close"),
        (1, "close"),
        (3, "standalone"),
    ]


def test_unicode_word_alone_in_a_code_is_not_taken_for_zawgyi(store: Store, tmp_path: Path) -> None:
    """A Unicode word that alone looks like Zawgyi (ရွာသား) stays as it is inside its codes."""
    word, rest = "ရွာသား", " များ ထွက်ပြေးခဲ့ကြသည်။"

    def unicode_target(target: etree._Element) -> None:
        target.clear()
        link = etree.SubElement(target, f"{XLIFF12}g", id="1")
        etree.SubElement(link, f"{XLIFF12}g", id="2").text = word
        link.tail = rest
        etree.SubElement(target, f"{XLIFF12}x", id="3")

    report = reviewed_xliff12(store, tmp_path, unicode_target)
    assert (report.applied, report.conflicts) == (1, ())
    text, codes, _ = stored_first(store)
    assert text == word + rest
    assert [c[3] for c in codes] == [0, 0, len(word), len(word), len(text)]
