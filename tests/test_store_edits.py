"""Revision-checked edits on SQLite: the edit contract, the v7 upgrade, and real concurrent writers.

The process tests run ``pipeline translate`` or ``pipeline review import`` in a child process
on the test's store while this process saves edits the way the review desk does.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.engines.pseudo import PseudoEngine, pseudo_translate
from pipeline.ingest import read_article
from pipeline.records import (
    Document,
    DocumentDraft,
    EditConflict,
    Origin,
    Saved,
    SegmentDraft,
    SegmentKind,
    State,
    TranslationDraft,
    content_hash,
)
from pipeline.store import open_store
from pipeline.store.base import Store
from pipeline.store.schema import MIGRATIONS
from pipeline.store.sqlite import SQLiteStore
from pipeline.tm import MemoryEntry
from pipeline.translate import TranslationJob
from tests.store_contract import EditContract, draft, human
from tests.test_review_import import xliff12


class TestSQLiteEdits(EditContract):
    """Run the edit contract against a fresh SQLite file."""

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SQLiteStore]:
        with SQLiteStore(tmp_path / "pipeline.db") as s:
            yield s


def test_a_schema_6_store_gains_edit_conflicts_in_place(tmp_path: Path) -> None:
    """A v6 store opens at the newest version with translations and history kept, and saves check
    revisions."""
    path = tmp_path / "v6.db"
    with SQLiteStore(path, MIGRATIONS[:6]) as old:
        assert old.schema_version() == 6
        doc = old.ingest(draft()).document
        a = old.segments(doc.id)[0].id
        old.write_translations([human(a, "ရဲ", "Thida")])
    with SQLiteStore(path) as new:
        assert new.schema_version() == len(MIGRATIONS)
        assert new.last_export(doc.id, "my") is None
        translation = new.translations(doc.id, "my")[a]
        (revision,) = new.revisions(translation.id)
        assert new.revision_ids(doc.id, "my") == {a: revision.id}
        assert new.edit_conflicts(doc.id, "my") == {}
        assert isinstance(new.save_edit(human(a, "ရဲတပ်", "Ko"), revision.id), Saved)
        late = new.save_edit(human(a, "ရဲများ", "Mya"), revision.id)
        assert isinstance(late, EditConflict)
        assert new.edit_conflicts(doc.id, "my") == {a: [late]}


# -- translate plans, a reviewer saves, translate writes ------------------------------------

MEMORY_SOURCE = "Police paid 1,250 rupees to 19 families on Tuesday."
FUZZY_SOURCE = "Police paid 1,300 rupees to 19 families on Tuesday."
REUSED_SOURCE = "The curfew was lifted at dawn."
IMPORTED_SOURCE = "Schools reopened in the capital."


def article(uri: str, sources: Sequence[tuple[SegmentKind, str]]) -> DocumentDraft:
    """Return a document draft with one segment per source, one per paragraph."""
    segments = tuple(SegmentDraft(i, 0, kind, text) for i, (kind, text) in enumerate(sources))
    return DocumentDraft(uri, "A", "en", "txt", content_hash(repr(sources).encode()), "", segments)


def test_translate_does_not_overwrite_a_save_made_after_it_planned(tmp_path: Path) -> None:
    """A reviewer's save between plan and run survives on every path translate fills by."""
    with SQLiteStore(tmp_path / "p.db") as store:
        old = store.ingest(article("/old.txt", [(SegmentKind.TEXT, REUSED_SOURCE)])).document
        store.write_translations([human(store.segments(old.id)[0].id, "ညမထွက်ရ ရုပ်သိမ်း")])
        with store.transaction():
            store.add_memory(
                [
                    MemoryEntry("en", "my", IMPORTED_SOURCE, "ကျောင်းများ ပြန်ဖွင့်"),
                    MemoryEntry("en", "my", MEMORY_SOURCE, "ရဲက ရူပီး ၁,၂၅၀ ပေးခဲ့သည်။"),
                ]
            )
        sources = [
            (SegmentKind.CREDIT, "AP"),
            (SegmentKind.TEXT, REUSED_SOURCE),
            (SegmentKind.TEXT, IMPORTED_SOURCE),
            (SegmentKind.TEXT, FUZZY_SOURCE),
            (SegmentKind.TEXT, "Officials in the district resigned."),
            (SegmentKind.TEXT, "Protesters gathered near the market."),
        ]
        doc = store.ingest(article("/new.txt", sources)).document
        copy, reused, imported, filled, machine, other = store.segments(doc.id)
        job = TranslationJob(store, PseudoEngine(), [doc], ["my"], batch_size=1, fuzzy_fill=85)
        job.plan()
        (work,) = job.work
        assert [s.id for s in work.copy] == [copy.id]
        assert (set(work.memory), set(work.imported), set(work.filled)) == (
            {reused.id},
            {imported.id},
            {filled.id},
        )
        assert {s.id for segs in work.machine.values() for s in segs} == {machine.id, other.id}
        saves = {}
        for seg in (copy, reused, imported, filled, machine):
            saved = store.save_edit(human(seg.id, f"လူ {seg.id}", "Thida"), None)
            assert isinstance(saved, Saved)
            saves[seg.id] = saved
        job.run()
        now = store.translations(doc.id, "my")
        for segment_id, saved in saves.items():
            assert now[segment_id] == saved.translation
            assert [r.id for r in store.revisions(saved.translation.id)] == [saved.revision]
        assert now[other.id].text == pseudo_translate(other.source)
        assert now[other.id].origin is Origin.MT


# -- real processes ---------------------------------------------------------------------------

PARAGRAPHS = 200  # two sentences each: 400 segments


@dataclass(frozen=True)
class Attempt:
    """One desk save: the segment, the base it named, what came back, and when."""

    segment_id: int
    base: int | None
    result: Saved | EditConflict
    # Whether the other process's work was already visible when the save began.
    after: bool


def generated_article(path: Path, paragraphs: int = PARAGRAPHS) -> Path:
    """Write an article of distinct two-sentence paragraphs."""
    lines = [
        f"Report {i} says {i * 7} officers crossed the border. Officials in district {i} resigned."
        for i in range(paragraphs)
    ]
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    """Start the CLI on the test's store; its output goes to a file, never a full pipe."""
    log = tmp_path / f"{args[0]}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", *args], stdout=out, stderr=subprocess.STDOUT
        )
    return proc, log


def desk_loop(
    store: Store,
    doc: Document,
    proc: subprocess.Popen[bytes],
    choose: Callable[[int, dict[int, int]], int],
    seen: Callable[[dict[int, int]], bool],
) -> list[Attempt]:
    """Save edits as reviewer R, each on a fresh base, until the process exits."""
    attempts: list[Attempt] = []
    while proc.poll() is None:
        bases = store.revision_ids(doc.id, "my")
        index = len(attempts)
        segment_id = choose(index, bases)
        base = bases.get(segment_id)
        edit = human(segment_id, f"R edit {index}", note="desk")
        attempts.append(Attempt(segment_id, base, store.save_edit(edit, base), seen(bases)))
    return attempts


def one_translation_each(db: Path, segments: int) -> None:
    """Assert that every segment has exactly one Burmese translation row."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT segment_id, COUNT(*) FROM translations WHERE target_lang = 'my'"
            " GROUP BY segment_id"
        ).fetchall()
    finally:
        conn.close()
    assert len(rows) == segments and {n for _, n in rows} == {1}


def assert_saves_hold(store: Store, doc: Document, attempts: Sequence[Attempt]) -> set[int]:
    """Assert each segment's last save is what the store holds and every R revision is kept.

    Return the ids of the segments R saved.
    """
    saved = [(a.segment_id, a.result) for a in attempts if isinstance(a.result, Saved)]
    last: dict[int, Saved] = {}
    for segment_id, result in saved:
        assert result.revision is not None  # each save's text is new
        last[segment_id] = result
    now = store.translations(doc.id, "my")
    newest = store.revision_ids(doc.id, "my")
    for segment_id, result in last.items():
        assert now[segment_id] == result.translation
        assert newest[segment_id] == result.revision
    kept = {
        r.id: r.text
        for segment_id in last
        for r in store.revisions(now[segment_id].id)
        if r.author == "R"
    }
    made = {result.revision: result.translation.text for _, result in saved}
    assert kept == made
    return set(last)


@pytest.mark.slow
def test_translate_process_racing_desk_saves_loses_nothing(tmp_path: Path) -> None:
    """translate in another process never overwrites a desk save, and no save is lost."""
    db = Path(os.environ["PIPELINE_STORE"])
    with open_store(str(db)) as store:
        doc = store.ingest(read_article(generated_article(tmp_path / "big.txt"))).document
        segments = [s.id for s in store.segments(doc.id)]
        began = time.monotonic()
        args = ("translate", "--to", "my", "--engine", "pseudo", "--batch-size", "5")
        proc, log = start(tmp_path, *args)
        # From translate's first batch on, it has planned every segment: each desk save races
        # the batches still to come.
        while proc.poll() is None and not store.revision_ids(doc.id, "my"):
            time.sleep(0.001)
        racing = time.monotonic()
        rng = random.Random(7)

        def choose(index: int, bases: dict[int, int]) -> int:
            # Alternate between segments translate has yet to write and ones it has written.
            pool = [s for s in segments if (s in bases) == bool(index % 2)]
            return rng.choice(pool or segments)

        attempts = desk_loop(store, doc, proc, choose, lambda bases: True)
        finished = time.monotonic()
        assert proc.returncode == 0, log.read_text()

        one_translation_each(db, len(segments))
        edited = assert_saves_hold(store, doc, attempts)
        now = store.translations(doc.id, "my")
        for segment_id in segments:
            authors = [r.author for r in store.revisions(now[segment_id].id)]
            if segment_id in edited:
                # Once R has saved, translate writes nothing more to the segment.
                assert "" not in authors[authors.index("R") :]
            else:
                assert authors == [""] and now[segment_id].origin is Origin.MT
        # Saves on segments translate had planned but not yet written: without if_absent it
        # would have overwritten each of them when it reached its batch.
        ahead = {a.segment_id for a in attempts if a.base is None and isinstance(a.result, Saved)}
        assert ahead and {a.segment_id for a in attempts if a.base is not None}
        for segment_id in ahead:
            assert {r.author for r in store.revisions(now[segment_id].id)} == {"R"}
        # A conflict is possible only where translate wrote between a save's read of its base
        # (None) and the save: it is recorded, with its text, beside translate's translation.
        conflicts = [a.result for a in attempts if isinstance(a.result, EditConflict)]
        listed = {c.id: c for cs in store.edit_conflicts(doc.id, "my").values() for c in cs}
        for conflict in conflicts:
            assert conflict.base is None and conflict.current is not None
            assert conflict.current.origin is Origin.MT
            assert listed[conflict.id].text == conflict.text
        assert set(listed) == {c.id for c in conflicts}
    print(
        f"\ntranslate {len(segments)} segments, batch 5: {finished - began:.2f} s"
        f" ({finished - racing:.2f} s racing); desk saves {len(attempts)},"
        f" on unwritten segments {len(ahead)}, conflicts {len(conflicts)}"
    )


@pytest.mark.slow
def test_review_import_process_beside_desk_saves_loses_nothing(tmp_path: Path) -> None:
    """An XLIFF import in another process and desk saves on other segments both land whole."""
    db = Path(os.environ["PIPELINE_STORE"])
    with open_store(str(db)) as store:
        doc = store.ingest(read_article(generated_article(tmp_path / "big.txt"))).document
        segments = store.segments(doc.id)
        signature = PseudoEngine().signature("en", "my")
        store.write_translations(
            [
                TranslationDraft(
                    s.id, "my", pseudo_translate(s.source), State.TRANSLATED, Origin.MT, signature
                )
                for s in segments
            ]
        )
        machine = store.revision_ids(doc.id, "my")
        imported, desk = segments[0::2], [s.id for s in segments[1::2]]
        rows = [(f"s{s.id}", s.source, f"I edit {s.id}", "signed-off") for s in imported]
        reviewed = tmp_path / "reviewed.xlf"
        reviewed.write_text(xliff12(rows), encoding="utf-8")
        began = time.monotonic()
        proc, log = start(tmp_path, "review", "import", str(reviewed), "--reviewer", "I")
        rng = random.Random(11)
        probe = imported[-1].id

        attempts = desk_loop(
            store,
            doc,
            proc,
            lambda index, bases: rng.choice(desk),
            lambda bases: bases[probe] != machine[probe],
        )
        finished = time.monotonic()
        assert proc.returncode == 0, log.read_text()

        one_translation_each(db, len(segments))
        assert not [a for a in attempts if isinstance(a.result, EditConflict)]
        assert store.edit_conflicts(doc.id, "my") == {}
        # Desk saves both before and after the import's one transaction landed.
        assert {a.after for a in attempts} == {False, True}
        edited = assert_saves_hold(store, doc, attempts)
        now = store.translations(doc.id, "my")
        for seg in imported:
            t = now[seg.id]
            assert (t.text, t.state, t.author) == (f"I edit {seg.id}", State.REVIEWED, "I")
            assert [r.author for r in store.revisions(t.id)] == ["", "I"]
        for segment_id in set(desk) - edited:
            assert store.revision_ids(doc.id, "my")[segment_id] == machine[segment_id]
    before = sum(1 for a in attempts if not a.after)
    print(
        f"\nreview import of {len(imported)} units beside {len(attempts)} desk saves"
        f" ({before} before the import landed): {finished - began:.2f} s"
    )
