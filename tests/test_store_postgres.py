"""The PostgreSQL store on a real server: the store and edit contracts, the CLI, two processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pipeline.errors import StoreError
from pipeline.records import State
from pipeline.store import open_store
from pipeline.store.postgres import PostgresStore
from pipeline.store.schema import SCHEMA_VERSION
from tests.pgkit import GUARDED, Server, free_port
from tests.store_contract import EditContract, StoreContract, draft, human
from tests.storekit import fill, pipeline
from tests.test_store_edits import generated_article


class TestPostgresStore(StoreContract):
    """Run the store contract against a fresh PostgreSQL database."""

    @pytest.fixture
    def store(self, pg_url: str) -> Iterator[PostgresStore]:
        with PostgresStore(pg_url) as s:
            yield s


class TestPostgresEdits(EditContract):
    """Run the edit contract against a fresh PostgreSQL database."""

    @pytest.fixture
    def store(self, pg_url: str) -> Iterator[PostgresStore]:
        with PostgresStore(pg_url) as s:
            yield s


# -- the CLI on PostgreSQL ------------------------------------------------------------------


def test_the_cli_end_to_end_on_postgres(pg_url: str, tmp_path: Path) -> None:
    """ingest, translate, status, export, review/tm/glossary import print what SQLite's do."""
    out = fill(pg_url, tmp_path)
    lite = tmp_path / "lite"
    lite.mkdir()
    on_sqlite = fill(str(lite / "pipeline.db"), lite)
    assert out == {k: v.replace(str(lite), str(tmp_path)) for k, v in on_sqlite.items()}
    assert "3 entries added" in out["tm"] and "8 terms added" in out["glossary"]
    assert "document 2:" in out["ingest"] and "2 segments" in out["ingest"]
    assert out["translate"].count("5 PSEUDO-translated") == 2
    assert "1 with fuzzy memory matches" in out["translate"]
    assert "3 (23 w, 3 pseudo)" in out["status"]
    assert "xliff12: 2 units (my)" in out["export"]
    assert "applied 2, unchanged 0, conflicts 0" in out["review"]
    assert "version 2, 4 segments (3 kept their translations)" in out["reingest"]
    status = pipeline(pg_url, "status", str(tmp_path / "note.txt"))
    assert "\tmy (Burmese — မြန်မာ)\t0 (0 w)\t0 (0 w)\t2 (9 w)\t" in status
    with open_store(pg_url) as store:
        doc = store.document(str(tmp_path / "note.txt"))
        reviewed = store.translations(doc.id, "my")
        assert {t.state for t in reviewed.values()} == {State.REVIEWED}
        assert {t.author for t in reviewed.values()} == {"Thida"}
        assert len(store.edit_conflicts(doc.id, "my")) == 1
        assert store.last_export(doc.id, "my") is not None
        stats = {(c.target_lang, c.entries) for c in store.memory_stats()}
        assert stats == {("hi", 1), ("my", 2)}


# -- two processes at once ------------------------------------------------------------------

# A child process: open the store, slow the read that a write decides on (so that both
# processes have read before either writes, were they not kept apart), wait for the go file,
# then write and print the outcome.
RACER = r"""
import sys, time
from pathlib import Path
import pipeline.store.sql as sql
from pipeline.records import Origin, State, TranslationDraft
from pipeline.store import open_store
from pipeline.store.edits import EditTables

url, verb, segment_id, base, text, go = sys.argv[1:]
store = open_store(url)
newest, refuse = EditTables._newest_revision, sql._refuse_unedited_pseudo

def slow_newest(self, *args):
    found = newest(self, *args)
    time.sleep(0.5)
    return found

def slow_refuse(*args):
    time.sleep(0.5)
    return refuse(*args)

EditTables._newest_revision, sql._refuse_unedited_pseudo = slow_newest, slow_refuse
draft = TranslationDraft(int(segment_id), "my", text, State.REVIEWED, Origin.HUMAN, author=text)
print("ready", flush=True)
while not Path(go).exists():
    time.sleep(0.001)
if verb == "save":
    print(type(store.save_edit(draft, int(base) if base else None)).__name__, flush=True)
else:
    print(store.write_translations([draft]), flush=True)
"""


def race(tmp_path: Path, url: str, verb: str, segment_id: int, base: int | None) -> list[str]:
    """Run two racers on one segment, started together; return their outcomes, A's first."""
    go = tmp_path / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, url, verb, str(segment_id), str(base or ""), name, go],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("A", "B")
    ]
    for racer in racers:
        assert racer.stdout is not None and racer.stdout.readline() == "ready\n"
    go.touch()
    outcomes = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err
        outcomes.append(out.strip())
    return outcomes


def test_two_processes_saving_one_segment_on_one_base_make_one_save_one_conflict(
    pg_url: str, tmp_path: Path
) -> None:
    """Two desk saves on the same base at once: exactly one Saved, one EditConflict, both kept."""
    with open_store(pg_url) as store:
        doc = store.ingest(draft()).document
        segment = store.segments(doc.id)[0].id
        store.write_translations([human(segment, "ရဲ", "Thida")])
        base = store.revision_ids(doc.id, "my")[segment]
        outcomes = race(tmp_path, pg_url, "save", segment, base)
        assert sorted(outcomes) == ["EditConflict", "Saved"]
        winner = "AB"[outcomes.index("Saved")]
        loser = "AB"[outcomes.index("EditConflict")]
        now = store.translations(doc.id, "my")[segment]
        assert now.text == winner
        assert [r.text for r in store.revisions(now.id)] == ["ရဲ", winner]
        (conflict,) = store.edit_conflicts(doc.id, "my")[segment]
        assert (conflict.text, conflict.base, conflict.current) == (loser, base, now)


def test_two_processes_writing_a_segment_s_first_translation_both_land(
    pg_url: str, tmp_path: Path
) -> None:
    """Two first translations of one segment at once: one row, both writes in its history."""
    with open_store(pg_url) as store:
        doc = store.ingest(draft()).document
        segment = store.segments(doc.id)[0].id
        assert race(tmp_path, pg_url, "write", segment, None) == ["1", "1"]
        (now,) = store.translations(doc.id, "my").values()
        history = [r.text for r in store.revisions(now.id)]
        assert sorted(history) == ["A", "B"] and now.text == history[-1]


@pytest.mark.slow
def test_translate_workers_sharing_a_database_translate_each_segment_once(
    pg_url: str, tmp_path: Path
) -> None:
    """translate --workers 3 on PostgreSQL: every segment translated by exactly one worker."""
    article = generated_article(tmp_path / "big.txt", 100)
    pipeline(pg_url, "ingest", str(article))
    args = ("translate", "--to", "my,hi", "--engine", "pseudo", "--workers", "3")
    out = pipeline(pg_url, *args, "--batch-size", "5")
    assert out.count(": 200 PSEUDO-translated") == 2, out
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT COUNT(*) FROM revisions").fetchone() == (400,)
        assert conn.execute("SELECT COUNT(*) FROM claims").fetchone() == (0,)


def test_two_processes_opening_a_new_database_at_once_both_open_it(pg_url: str) -> None:
    """The first opens of an empty database by two processes: one migrates, both work."""
    probe = (
        "import sys; from pipeline.store import open_store;"
        " print(open_store(sys.argv[1]).schema_version())"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", probe, pg_url], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    assert [p.communicate(timeout=60)[0].strip() for p in procs] == [str(SCHEMA_VERSION)] * 3


# -- errors a user can hit ------------------------------------------------------------------


def bad_urls(server: Server) -> dict[str, str]:
    """Return store URLs that cannot be opened, by what is wrong with them."""
    return {
        "nothing listens": f"postgresql://pipeline@127.0.0.1:{free_port()}/pipeline",
        "wrong password": server.url("postgres", GUARDED, "wrong-password"),
        "not a port": "postgresql://pipeline@127.0.0.1:port/pipeline",
        "no such database": server.url("no_such_database"),
    }


@pytest.mark.parametrize(
    "case", ["nothing listens", "wrong password", "not a port", "no such database"]
)
def test_a_bad_store_url_is_one_line_and_exit_3(pg_server: Server, case: str) -> None:
    """An unreachable server, a wrong password, a bad URL or database: one line, exit 3."""
    url = bad_urls(pg_server)[case]
    env = {**os.environ, "PIPELINE_STORE": url}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "status"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 3
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: postgresql://pipeline") or line.startswith(
        "error: postgresql://guarded:***@"
    )
    assert "cannot connect to PostgreSQL" in line and "wrong-password" not in line


def test_reading_commands_never_create_a_store_in_an_empty_database(pg_url: str) -> None:
    """status on an empty database says there is no store, and leaves the database empty."""
    env = {**os.environ, "PIPELINE_STORE": pg_url}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "status"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 3 and "no store at postgresql://" in done.stderr
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('meta')").fetchone() == (None,)


def test_a_database_not_in_utf8_is_refused(pg_server: Server) -> None:
    """A LATIN1 database cannot hold Burmese: it is refused with what to do."""
    pg_server.sql("CREATE DATABASE latin ENCODING 'LATIN1' TEMPLATE template0")
    try:
        with pytest.raises(StoreError, match="encoding is LATIN1; the store needs UTF8"):
            PostgresStore(pg_server.url("latin"))
    finally:
        pg_server.drop_database(pg_server.url("latin"))


def test_placeholders_and_percent_signs_reach_the_server_as_written(pg_url: str) -> None:
    """A literal ``%`` or ``?`` in the portable SQL is text; each bare ``?`` is a parameter."""
    with PostgresStore(pg_url) as store:
        row = store._execute("SELECT '5%', '?', ? || '%', ?", ("x", 2)).fetchone()
        assert row == ("5%", "?", "x%", 2)
        hits = store._execute("SELECT 1 WHERE 'a%b' LIKE 'a\\%b' ESCAPE '\\'").fetchall()
        assert hits == [(1,)]


def test_ids_continue_past_rows_copied_with_their_ids(pg_url: str) -> None:
    """After rows are written with their own ids, new rows get ids past them."""
    with PostgresStore(pg_url) as store, store.transaction():
        store._execute(
            "INSERT INTO documents (id, uri, version, title, source_lang, format, content_hash,"
            f" skeleton, created_at){store.keep_ids_clause}"
            " VALUES (41, 'a', 1, 'a', 'en', 'txt', 'h', '', 'x')"
        )
        store._advance_ids()
        assert store.ingest(draft()).document.id == 42
