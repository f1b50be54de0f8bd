"""Migration 10 merges the codes a store holds for one language (my, my_MM, mya), losing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.glossary import ANY_LANGUAGE, GlossaryEntry
from pipeline.records import Origin, State, TranslationDraft
from pipeline.store import open_store
from pipeline.store.base import Store
from pipeline.store.copy import copy_store
from pipeline.store.schema import MIGRATIONS
from pipeline.store.sql import SQLStore
from pipeline.tm import MemoryEntry
from tests.store_contract import MT, draft

PREVIOUS = MIGRATIONS[:9]


def _write(store: Store, segment: int, lang: str, text: str, state: State) -> None:
    origin = Origin.MT if state is State.TRANSLATED else Origin.HUMAN
    signature = MT if origin is Origin.MT else None
    author = "" if origin is Origin.MT else "Thida"
    store.write_translations(
        [TranslationDraft(segment, lang, text, state, origin, signature, author=author)]
    )


def fill_old(store: Store) -> dict[str, Any]:
    """Write one language under my, my_MM and mya into a store at schema 9; return what is held."""
    doc = store.ingest(draft("/a.txt", "One.", "Two.", "Three.")).document
    one, two, three = (s.id for s in store.segments(doc.id))
    _write(store, one, "my", "one mt", State.TRANSLATED)
    _write(store, one, "my_MM", "one mt", State.TRANSLATED)
    _write(store, one, "my_MM", "one reviewed", State.REVIEWED)  # reviewed: kept
    _write(store, two, "mya", "two mt", State.TRANSLATED)  # alone: renamed
    _write(store, three, "my", "three final", State.FINAL)  # final beats newer
    _write(store, three, "my_MM", "three newer mt", State.TRANSLATED)
    memory = [
        MemoryEntry("en", lang, "Police.", text, origin="m.tmx")
        for lang, text in (("my", "ရဲ"), ("my_MM", "ရဲ"), ("mya", "ရဲများ"))
    ]
    with store.transaction():
        store.add_memory(memory)
        store.add_terms([GlossaryEntry("en", "my_MM", "border", "နယ်စပ်")])
    store.record_export([doc.id], ["my_MM"], "xliff12", "a.xlf", "2026-01-01T00:00:00+00:00")
    sql = _sql(store)
    revisions = {r[0] for r in sql._execute("SELECT text FROM revisions").fetchall()}
    count = sql._execute("SELECT COUNT(*) FROM revisions").fetchone()[0]
    return {"doc": doc.id, "segments": (one, two, three), "texts": revisions, "count": count}


def _sql(store: Store) -> SQLStore:
    assert isinstance(store, SQLStore)
    return store


def check_merged(store: Store, held: dict[str, Any], err: str) -> None:
    """Assert one code per language, every revision kept, the merge reported."""
    one, two, three = held["segments"]
    assert {r.target_lang for r in store.status()} == {"my"}
    current = store.translations(held["doc"], "my")
    assert {s: (t.text, t.state) for s, t in current.items()} == {
        one: ("one reviewed", State.REVIEWED),
        two: ("two mt", State.TRANSLATED),
        three: ("three final", State.FINAL),
    }
    sql = _sql(store)
    texts = {r[0] for r in sql._execute("SELECT text FROM revisions").fetchall()}
    count = sql._execute("SELECT COUNT(*) FROM revisions").fetchone()[0]
    # Every revision is kept; each joined segment gets one restating its kept text.
    assert texts == held["texts"] and count == held["count"] + 2
    history = [r.text for r in store.revisions(current[three].id)]
    assert history[-1] == "three final" and "three newer mt" in history
    stats = {(r.target_lang, r.entries) for r in store.memory_stats()}
    assert stats == {("my", 2)}  # the two identical entries are one
    assert {r.target_lang for r in store.glossary_stats()} == {"my"}
    assert store.check() == []
    lines = [line for line in err.splitlines() if line.startswith("language code")]
    assert len(lines) == 2, err
    assert lines[0].startswith("language code 'my_MM' merged into 'my': ")
    assert lines[0].endswith(
        "exports 1, glossary 1, memory 1, translations 2 (2 segment(s) held both codes: one"
        " translation kept, 2 revision(s) of the other moved into its history)"
    )
    assert lines[1] == "language code 'mya' merged into 'my': memory 1, translations 1"


def test_merge_on_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A SQLite store at schema 9 holding my, my_MM and mya opens as one my, reported once."""
    from pipeline.store.sqlite import SQLiteStore

    path = tmp_path / "old.db"
    with SQLiteStore(path, PREVIOUS) as old:
        held = fill_old(old)
    capsys.readouterr()
    with open_store(str(path)) as store:
        check_merged(store, held, capsys.readouterr().err)
    with open_store(str(path)) as store:
        assert capsys.readouterr().err == ""  # once
        copy = tmp_path / "copy.db"
        with open_store(str(copy)) as target:
            copy_store(store, target)
            recorded = (
                _sql(target)
                ._execute("SELECT key FROM meta WHERE key LIKE 'language merge %' ORDER BY key")
                .fetchall()
            )
            assert [r[0] for r in recorded] == ["language merge my_MM", "language merge mya"]
            assert target.check() == []


def test_merge_on_postgres(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A PostgreSQL store at schema 9 holding my, my_MM and mya opens as one my, reported once."""
    from pipeline.store.postgres import PostgresStore

    with PostgresStore(pg_url, PREVIOUS) as old:
        held = fill_old(old)
    capsys.readouterr()
    with open_store(pg_url) as store:
        check_merged(store, held, capsys.readouterr().err)
    with open_store(pg_url):
        assert capsys.readouterr().err == ""


def test_status_after_upgrade_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first command on an old store prints the merge and shows one target row."""
    from pipeline.store.sqlite import SQLiteStore
    from tests.test_cli import cli

    path = tmp_path / "old.db"
    with SQLiteStore(path, PREVIOUS) as old:
        fill_old(old)
    monkeypatch.setenv("PIPELINE_STORE", str(path))
    code, out, err = cli("status")
    assert code == 0
    assert "language code 'my_MM' merged into 'my'" in err
    assert [line.split("\t")[2].split(" ")[0] for line in out.splitlines()[1:]] == ["my"]
    assert "merged" not in cli("status")[2]


def test_store_check_flags_a_non_canonical_code(tmp_path: Path) -> None:
    """A code written past the canonicaliser (here by hand) is a store check problem."""
    path = tmp_path / "s.db"
    with open_store(str(path)) as store:
        doc = store.ingest(draft()).document
        segment = store.segments(doc.id)[0].id
        _write(store, segment, "my_MM", "x", State.TRANSLATED)
        _write(store, segment, "klingon", "y", State.TRANSLATED)
        with store.transaction():  # a term kept in every language is no problem
            store.add_terms([GlossaryEntry("en", ANY_LANGUAGE, "Reuters", dnt=True)])
        problems = store.check()
    assert problems == [
        "translations: 1 row(s) hold target_lang 'klingon', not a language code",
        "translations: 1 row(s) hold target_lang 'my_MM', which is my",
    ]
