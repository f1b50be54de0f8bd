"""`pipeline store check`: a sound store says ok; each kind of damage is named, exit 1."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.test_cli import cli, store_path


def translated(seed: Path, *store: str) -> None:
    """Ingest the seed article and pseudo-translate it into Burmese."""
    for args in (["ingest", str(seed)], ["translate", "--to", "my", "--engine", "pseudo"]):
        code, _, err = cli(*args, *(["--store", store[0]] if store else []))
        assert code == 0, err


def test_a_sound_store_is_ok(seed: Path) -> None:
    translated(seed)
    code, out, _ = cli("store", "check")
    assert code == 0 and out.strip() == f"{store_path()}: ok"


def test_a_missing_store_is_one_line(tmp_path: Path) -> None:
    code, _, err = cli("store", "check", str(tmp_path / "none.db"))
    assert code != 0 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


DAMAGE = {
    # A revision whose translation is gone (written with foreign keys off).
    "dangling revision": (
        "INSERT INTO revisions (translation_id, text, state, origin, author, created_at, note)"
        " VALUES (999999, 'x', 'translated', 'mt', 'a', '2026-01-01T00:00:00Z', '')",
        ["does not exist", "which translations does not hold"],
    ),
    # A translation whose text is not what its history ends in (a half-applied write).
    "text differs from history": (
        "UPDATE translations SET text = text || ' (changed)'"
        " WHERE id = (SELECT MIN(id) FROM translations)",
        ["differs from its newest revision"],
    ),
    "translation without history": (
        "DELETE FROM revisions WHERE translation_id = (SELECT MIN(id) FROM translations)",
        ["has no revision"],
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damage_is_named_and_exits_1(damage: str, seed: Path) -> None:
    translated(seed)
    sql, expected = DAMAGE[damage]
    conn = sqlite3.connect(store_path())
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(sql)
    conn.commit()
    conn.close()
    code, out, err = cli("store", "check")
    assert code == 1, out
    assert any(any(e in line for e in expected) for line in out.splitlines()), out
    assert err.strip().endswith("problem(s)")


@pytest.mark.slow
def test_postgres_store_sound_then_damaged(seed: Path, pg_url: str) -> None:
    import psycopg

    translated(seed, pg_url)
    code, out, _ = cli("store", "check", pg_url)
    assert code == 0 and out.strip().endswith(": ok"), out
    with psycopg.connect(pg_url) as conn:
        conn.execute(DAMAGE["text differs from history"][0])
    code, out, _ = cli("store", "check", pg_url)
    assert code == 1 and "differs from its newest revision" in out, out
