"""Interop: files written by translate-toolkit, the reference implementation, import as expected."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from translate.convert import po2xliff
from translate.storage import po, xliff, xliff2

from pipeline.records import Origin, Segment, State
from pipeline.review import ReviewFile, read
from pipeline.review.apply import import_review
from pipeline.store.base import Store
from tests.test_review_import import MT, latest_segments, seeded_store


@pytest.fixture
def store(seed: Path) -> Iterator[Store]:
    """The seed article with machine translations into Burmese and pseudo into Hindi."""
    db = seeded_store(seed)
    yield db
    db.close()


def mt(segment: Segment) -> str:
    """Return the machine translation the seeded store holds for a segment."""
    return f"[my] {segment.source}"


def saved(tmp_path: Path, name: str, data: bytes) -> ReviewFile:
    """Write a file translate-toolkit serialised and read it with our reader."""
    path = tmp_path / name
    path.write_bytes(data)
    return read(path)


def agree(ours: ReviewFile, theirs: list[tuple[str, str, str | None]]) -> None:
    """Assert our reader and translate-toolkit see the same ids, sources and targets."""
    assert [(u.unit_id, u.source, u.target or None) for u in ours.units] == [
        (uid, source, target or None) for uid, source, target in theirs
    ]


def states(store: Store, segments: list[Segment], lang: str = "my") -> list[tuple[str, State]]:
    done = store.translations(segments[0].document_id, lang)
    return [(done[s.id].text, done[s.id].state) for s in segments]


def test_po_from_translate_toolkit(store: Store, tmp_path: Path) -> None:
    """A translate-toolkit PO imports: fuzzy stays translated unless edited, the rest as marked."""
    segs = latest_segments(store)[:6]
    catalog = po.pofile()
    catalog.updateheader(
        add=True, Language="my_MM", Last_Translator="Thida Aung <thida@example.org>"
    )
    targets = [mt(segs[0]), "ဒုတိယ", "တတိယ", "စတုတ္ထ", "", mt(segs[5])]
    for i, (seg, target) in enumerate(zip(segs, targets, strict=True)):
        unit = catalog.addsourceunit(seg.source)
        unit.setcontext(f"s{seg.id}")
        unit.target = target
        unit.markfuzzy(i in (0, 3))
        if i == 2:
            unit.addnote("state: final", origin="developer")
    review = saved(tmp_path, "tt.po", bytes(catalog))
    theirs = po.pofile.parsestring(bytes(catalog))
    agree(review, [(u.getcontext(), u.source, u.target) for u in theirs.units if not u.isheader()])

    report = import_review(store, review)
    assert (report.applied, report.unchanged, report.conflicts) == (4, 2, ())
    assert states(store, segs) == [
        (mt(segs[0]), State.TRANSLATED),
        ("ဒုတိယ", State.REVIEWED),
        ("တတိယ", State.FINAL),
        # Edited under the machine's state (fuzzy): the state was carried, the edit is hers.
        ("စတုတ္ထ", State.REVIEWED),
        (mt(segs[4]), State.TRANSLATED),
        (mt(segs[5]), State.REVIEWED),
    ]
    done = store.translations(segs[0].document_id, "my")
    assert {done[s.id].author for s in segs[1:4]} == {"Thida Aung"}
    assert done[segs[5].id].signature == MT and done[segs[5].id].origin is Origin.HUMAN
    assert import_review(store, review).applied == 0


def test_xliff12_from_translate_toolkit(store: Store, tmp_path: Path) -> None:
    """A translate-toolkit XLIFF (it writes version 1.1) imports with its states mapped."""
    segs = latest_segments(store)[:5]
    doc = xliff.xlifffile(sourcelanguage="en", targetlanguage="my")
    plan = [
        ("ပထမ", "signed-off"),
        ("ဒုတိယ", "final"),
        ("တတိယ", "needs-review-translation"),
        ("စတုတ္ထ", "needs-translation"),  # fuzzy in translate-toolkit: not imported
        (None, None),
    ]
    for seg, (target, state) in zip(segs, plan, strict=True):
        unit = doc.addsourceunit(seg.source)
        unit.setid(f"s{seg.id}")
        if target is not None:
            unit.target = target
            unit.set_state_n(unit.statemap[state])
    review = saved(tmp_path, "tt.xlf", bytes(doc))
    theirs = xliff.xlifffile.parsestring(bytes(doc))
    agree(review, [(u.getid().split("\x04")[-1], u.source, u.target) for u in theirs.units])

    report = import_review(store, review, reviewer="Thida")
    assert (report.applied, report.unchanged, report.conflicts) == (3, 2, ())
    assert states(store, segs) == [
        ("ပထမ", State.REVIEWED),
        ("ဒုတိယ", State.FINAL),
        ("တတိယ", State.REVIEWED),  # edited under the machine's state: the reviewer's edit
        (mt(segs[3]), State.TRANSLATED),
        (mt(segs[4]), State.TRANSLATED),
    ]


def test_xliff20_from_translate_toolkit(store: Store, tmp_path: Path) -> None:
    """A translate-toolkit XLIFF 2.0 file imports: approved is reviewed, fuzzy is left alone."""
    segs = latest_segments(store)[:4]
    doc = xliff2.Xliff2File(sourcelanguage="en", targetlanguage="my")
    for i, seg in enumerate(segs):
        unit = doc.addsourceunit(seg.source)
        unit.setid(f"s{seg.id}")
        unit.target = f"ပြင်ဆင် {i}"
        (unit.markapproved, unit.marktranslated, unit.markfuzzy, unit.markapproved)[i]()
    review = saved(tmp_path, "tt2.xlf", bytes(doc))
    theirs = xliff2.Xliff2File.parsestring(bytes(doc))
    agree(review, [(u.getid(), u.source, u.target) for u in theirs.units])

    report = import_review(store, review, reviewer="Thida")
    assert (report.applied, report.unchanged, report.conflicts) == (3, 1, ())
    assert states(store, segs) == [
        ("ပြင်ဆင် 0", State.REVIEWED),
        ("ပြင်ဆင် 1", State.REVIEWED),  # edited under the machine's state: the reviewer's edit
        (mt(segs[2]), State.TRANSLATED),
        ("ပြင်ဆင် 3", State.REVIEWED),
    ]


def test_po2xliff_output_loses_unit_ids(store: Store, tmp_path: Path) -> None:
    """po2xliff numbers its units instead of keeping msgctxt: each is refused, nothing written."""
    segs = latest_segments(store)[:2]
    catalog = po.pofile()
    catalog.updateheader(add=True, Language="my")
    for seg in segs:
        unit = catalog.addsourceunit(seg.source)
        unit.setcontext(f"s{seg.id}")
        unit.target = "ပြင်ဆင်"
    converted = io.BytesIO()
    po2xliff.convertpo(io.BytesIO(bytes(catalog)), converted, None)
    review = saved(tmp_path, "converted.xlf", converted.getvalue())
    # Our reader sees what translate-toolkit wrote, less the gettext header unit (no segment).
    assert [u.source for u in review.units] == [s.source for s in segs]
    report = import_review(store, review, reviewer="Thida")
    assert report.stopped and report.applied == 0
    assert {c.reason for c in report.conflicts} == {"unknown unit id: no such segment in the store"}
    assert states(store, segs) == [(mt(s), State.TRANSLATED) for s in segs]
