"""A review import during a translate, as two processes on one store, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.ingest import read_article
from pipeline.records import Origin, State, TranslationDraft
from pipeline.store import open_store
from tests.test_review_import import xliff12

pytestmark = pytest.mark.slow
PARAGRAPHS = 400


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "pipeline.db")
    url: str = request.getfixturevalue("pg_url")
    return url


def test_a_review_import_during_a_translate_loses_no_reviewer_edit(
    location: str, tmp_path: Path
) -> None:
    """Half the segments get a reviewer's edit from an import while translate runs over all."""
    text = "\n\n".join(f"Report {i} says {i * 7} officers crossed." for i in range(PARAGRAPHS))
    (tmp_path / "a.txt").write_text(text + "\n", encoding="utf-8")
    with open_store(location) as store:
        doc = store.ingest(read_article(tmp_path / "a.txt")).document
        segments = store.segments(doc.id)
        # The article was exported in my once: one segment already has its translation.
        first = segments[0]
        store.write_translations(
            [TranslationDraft(first.id, "my", "ရဲ", State.TRANSLATED, Origin.MT, author="")]
        )
    # The reviewer's file covers every other segment, from last to first (against translate).
    imported = segments[::-2]
    rows = [(f"s{s.id}", s.source, f"R edit {s.id}", "signed-off") for s in imported]
    reviewed = tmp_path / "reviewed.xlf"
    reviewed.write_text(xliff12(rows), encoding="utf-8")
    env = {**os.environ, "PIPELINE_STORE": location}
    base = [sys.executable, "-m", "pipeline"]
    translate = subprocess.Popen(
        [*base, "translate", "--engine", "pseudo", "--to", "my", "--batch-size", "5"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    review = subprocess.run(
        [*base, "review", "import", str(reviewed), "--reviewer", "R"],
        env=env,
        capture_output=True,
        text=True,
    )
    _, err = translate.communicate(timeout=180)
    assert translate.returncode == 0, err
    assert review.returncode == 0, review.stderr
    with open_store(location) as store:
        done = store.translations(doc.id, "my")
        assert set(done) == {s.id for s in segments}  # each segment translated, once (a row)
        for seg in imported:
            t = done[seg.id]
            # The reviewer's edit stands, whichever process wrote first.
            assert (t.text, t.state, t.origin, t.author) == (
                f"R edit {seg.id}",
                State.REVIEWED,
                Origin.HUMAN,
                "R",
            )
            assert store.revisions(t.id)[-1].author == "R"
        others = [done[s.id] for s in segments[1:] if s not in imported]
        assert all(t.origin is Origin.MT and t.is_pseudo for t in others)
