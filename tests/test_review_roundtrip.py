"""Round trips: export, review outside, import; each format passes the same contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from babel.messages.pofile import read_po, write_po
from lxml import etree

from pipeline.export import ExportRequest, export
from pipeline.records import Origin, State
from pipeline.review import read
from pipeline.review.apply import ImportReport, import_review
from pipeline.store.base import Store
from tests.test_review_import import MT, latest_segments, seeded_store

# Segment index -> (new text, or None to keep the machine text, and the reviewer's state).
EDITS = {
    3: ("ရဲအရာရှိ ၁၉ ဦး အိန္ဒိယသို့ ဖြတ်ကူး", State.REVIEWED),
    5: (None, State.REVIEWED),
    7: ("နောက်ဆုံး စာသား", State.FINAL),
    10: ("မူကြမ်း ပြင်ဆင်ချက်", State.TRANSLATED),
}
# Where the store's state differs from the file's: an edit under the machine's own state
# (carried back from the export) is the reviewer's edit.
CARRIED = {10: State.REVIEWED}
Snapshot = dict[tuple[str, int], tuple[str, State, Origin, int]]


@pytest.fixture
def store(seed: Path) -> Iterator[Store]:
    """The seed article with machine translations into Burmese and pseudo into Hindi."""
    db = seeded_store(seed)
    yield db
    db.close()


def snapshot(store: Store) -> Snapshot:
    """Return every translation's text, state, origin and number of revisions."""
    doc = store.documents()[0]
    return {
        (lang, seg_id): (t.text, t.state, t.origin, len(store.revisions(t.id)))
        for lang in ("my", "hi")
        for seg_id, t in store.translations(doc.id, lang).items()
    }


class RoundTrip:
    """The round-trip contract every exchange format that imports must pass."""

    format: ClassVar[str]
    # The reviewer named on the command line; None when the edited file names one itself.
    reviewer: ClassVar[str | None] = "Thida"

    def edit(self, path: Path, edits: dict[str, tuple[str | None, State]]) -> None:
        """Change the Burmese targets and states of units, as a reviewer's tool would."""
        raise NotImplementedError

    def exported(self, store: Store, folder: Path) -> list[Path]:
        """Export Burmese and Hindi into a folder and return the files written."""
        folder.mkdir(exist_ok=True)
        result = export(store, ExportRequest(self.format, ("my", "hi")), folder)
        return [Path(f.path) for f in result.files]

    def imported(self, store: Store, paths: list[Path]) -> list[ImportReport]:
        return [import_review(store, read(p), reviewer=self.reviewer) for p in paths]

    def test_unchanged_export_imports_as_a_noop(self, store: Store, tmp_path: Path) -> None:
        """Importing an export nobody touched applies nothing and adds no history."""
        before = snapshot(store)
        reports = self.imported(store, self.exported(store, tmp_path / "out"))
        assert sum(r.applied for r in reports) == 0
        assert sum(r.unchanged for r in reports) == len(before)
        assert all(r.conflicts == () for r in reports)
        assert snapshot(store) == before

    def test_edits_become_human_revisions_and_are_exported(
        self, store: Store, tmp_path: Path
    ) -> None:
        """Exactly the edited units change, as human revisions, and a new export carries them."""
        segs = latest_segments(store)
        before = snapshot(store)
        files = self.exported(store, tmp_path / "out")
        edits = {f"s{segs[i].id}": edit for i, edit in EDITS.items()}
        for path in files:
            self.edit(path, edits)
        reports = self.imported(store, files)
        assert sum(r.applied for r in reports) == len(EDITS)
        assert all(r.conflicts == () for r in reports)

        after = snapshot(store)
        changed = {key for key in after if after[key] != before[key]}
        assert changed == {("my", segs[i].id) for i in EDITS}
        done = store.translations(segs[0].document_id, "my")
        for i, (text, marked) in EDITS.items():
            state = CARRIED.get(i, marked)
            t = done[segs[i].id]
            assert (t.text, t.state, t.origin) == (
                text or f"[my] {segs[i].source}",
                state,
                Origin.HUMAN,
            )
            assert t.author == (self.reviewer or "Thida Aung")
            last = store.revisions(t.id)[-1]
            assert (last.origin, last.state, last.author) == (Origin.HUMAN, state, t.author)
        assert done[segs[5].id].signature == MT  # approved as it was: still the machine's text

        again = self.exported(store, tmp_path / "again")
        units = {
            u.unit_id: u
            for p in again
            for u in read(p).units
            if (u.target_lang or "").startswith("my")
        }
        for i, (text, marked) in EDITS.items():
            uid = f"s{segs[i].id}"
            assert units[uid].state is CARRIED.get(i, marked)
            assert text is None or units[uid].target == text
        assert sum(r.applied for r in self.imported(store, again)) == 0


class TestXliff12(RoundTrip):
    """XLIFF 1.2: one file holding a <file> per target language."""

    format = "xliff12"
    STATES: ClassVar[dict[State, str]] = {
        State.TRANSLATED: "translated",
        State.REVIEWED: "signed-off",
        State.FINAL: "final",
    }

    def edit(self, path: Path, edits: dict[str, tuple[str | None, State]]) -> None:
        tree = etree.parse(str(path))
        for file in tree.iterfind("{*}file"):
            if file.get("target-language") != "my":
                continue
            for unit in file.iterfind(".//{*}trans-unit"):
                if unit.get("id") not in edits:
                    continue
                text, state = edits[unit.get("id", "")]
                target = unit.find("{*}target")
                assert target is not None
                if text is not None:
                    target.text = text
                target.set("state", self.STATES[state])
                target.attrib.pop("state-qualifier", None)
                unit.set("approved", "yes" if state in (State.REVIEWED, State.FINAL) else "no")
        tree.write(str(path), encoding="UTF-8", xml_declaration=True)


class TestXliff20(RoundTrip):
    """XLIFF 2.0: one file per target language, segment states as ours."""

    format = "xliff20"

    def edit(self, path: Path, edits: dict[str, tuple[str | None, State]]) -> None:
        tree = etree.parse(str(path))
        if tree.getroot().get("trgLang") != "my":
            return
        for unit in tree.iterfind(".//{*}unit"):
            if unit.get("id") not in edits:
                continue
            text, state = edits[unit.get("id", "")]
            segment = unit.find("{*}segment")
            assert segment is not None
            target = segment.find("{*}target")
            assert target is not None
            if text is not None:
                target.text = text
            segment.set("state", state.value)
            segment.attrib.pop("subState", None)
        tree.write(str(path), encoding="UTF-8", xml_declaration=True)


class TestPo(RoundTrip):
    """PO: one catalog per target language; the editor signs Last-Translator."""

    format = "po"
    reviewer = None

    def edit(self, path: Path, edits: dict[str, tuple[str | None, State]]) -> None:
        with path.open("rb") as handle:
            catalog = read_po(handle)
        if catalog.locale_identifier != "my":
            return
        catalog.last_translator = "Thida Aung <thida@example.org>"
        for message in catalog:
            if message.context not in edits:
                continue
            text, state = edits[message.context]
            if text is not None:
                message.string = text
            if state is State.TRANSLATED:
                message.flags.add("fuzzy")
            else:
                message.flags.discard("fuzzy")
            if state is State.FINAL:
                message.auto_comments.append("state: final")
        with path.open("wb") as handle:
            write_po(handle, catalog)
