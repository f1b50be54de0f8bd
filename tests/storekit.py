"""A store with every kind of row, made through the CLI in real processes, on any backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.records import EditConflict, Origin, State, TranslationDraft
from pipeline.store import open_store
from tests.test_glossary_translate import GLOSSARY
from tests.test_review_import import xliff12
from tests.test_tm_import import OMEGAT

ARTICLE = """\
# Police cross into India

Myanmar police officers crossed the border into India on Friday.

The **junta** told [Reuters](https://example.org/) that 19 officers had fled.
"""
NOTE = "Officials in the district resigned.\n\nThe border stayed open.\n"


def pipeline(location: str, *args: str) -> str:
    """Run the CLI in a new process on the store at ``location``; return its stdout."""
    env = {**os.environ, "PIPELINE_STORE": location}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, f"pipeline {' '.join(args)}: {done.stderr}"
    return done.stdout


def fill(location: str, folder: Path) -> dict[str, str]:
    """Put every kind of row in the store through the CLI; return each command's output.

    Memory and a glossary are imported, two articles ingested and pseudo-translated (with
    fuzzy matches), an XLIFF export recorded and a reviewed XLIFF imported, one article edited
    into a second version (carrying translations), and one stale desk save kept as a conflict.
    """
    article, note = folder / "a.md", folder / "note.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    note.write_text(NOTE, encoding="utf-8")
    (folder / "m.tmx").write_text(OMEGAT, encoding="utf-8")
    (folder / "terms.csv").write_text(GLOSSARY, encoding="utf-8")
    out = {
        "tm": pipeline(location, "tm", "import", str(folder / "m.tmx")),
        "glossary": pipeline(location, "glossary", "import", str(folder / "terms.csv")),
        "ingest": pipeline(location, "ingest", str(article), str(note)),
        "translate": pipeline(location, "translate", "--to", "my,hi", "--engine", "pseudo"),
        "status": pipeline(location, "status"),
    }
    exported = folder / "a.my.xlf"
    out["export"] = pipeline(
        location, "export", "--format", "xliff12", "--to", "my", str(note), "-o", str(exported)
    )
    shown = pipeline(location, "show", str(note), "--json")
    segments = [json.loads(line) for line in shown.splitlines()]
    rows = [(f"s{s['id']}", s["source"], f"ရဲ {s['id']}", "signed-off") for s in segments]
    reviewed = folder / "reviewed.xlf"
    reviewed.write_text(xliff12(rows), encoding="utf-8")
    out["review"] = pipeline(location, "review", "import", str(reviewed), "--reviewer", "Thida")
    article.write_text(ARTICLE + "\nA new paragraph.\n", encoding="utf-8")
    out["reingest"] = pipeline(location, "ingest", str(article))
    keep_a_conflict(location, segments[0]["id"])
    return out


def keep_a_conflict(location: str, segment_id: int) -> None:
    """Save an edit on a revision that is no longer the newest, as a stale desk would."""
    with open_store(location) as store:
        doc_id = store.segment(segment_id).document_id
        translation = store.translations(doc_id, "my")[segment_id]
        stale = store.revisions(translation.id)[0].id
        edit = TranslationDraft(segment_id, "my", "ရဲတပ်", State.REVIEWED, Origin.HUMAN, author="Ko")
        assert isinstance(store.save_edit(edit, stale), EditConflict)
