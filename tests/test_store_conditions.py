"""A store that cannot be written now: read-only, on a full disk, locked by another process.

Each gives one clear line and a non-zero exit, and loses nothing: the store holds what it
held, passes its check, and the same command completes once the condition is gone. The
read-only file system and the full disk are real mounts (a read-only bind mount, a 1 MiB
tmpfs), so those tests need root, which CI has.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.store import open_store
from pipeline.store import sqlite as sqlite_store
from tests.test_cli import cli

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a file system needs root")


def counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        tables = ("documents", "segments", "translations", "revisions")
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


def one_line_error(args: list[str], needle: str) -> None:
    code, out, err = cli(*args)
    assert code != 0, out
    # Progress lines may come first (stderr, as always); the error is one line of its own.
    lines = [line for line in err.strip().splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert needle in lines[0], lines[0]


@pytest.fixture
def store(seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store in its own folder holding the seed article, translated into Burmese."""
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "pipeline.db"
    monkeypatch.setenv("PIPELINE_STORE", str(db))
    assert cli("ingest", str(seed))[0] == 0
    assert cli("translate", "--to", "my", "--engine", "pseudo")[0] == 0
    return db


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@pytest.fixture
def read_only(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The store's folder bind-mounted read-only; PIPELINE_STORE points into the mount."""
    view = tmp_path / "read-only"
    view.mkdir()
    mount("--bind", str(store.parent), str(view))
    try:
        mount("-o", "remount,bind,ro", str(view))
        monkeypatch.setenv("PIPELINE_STORE", str(view / store.name))
        yield view / store.name
    finally:
        subprocess.run(["umount", str(view)], check=True)


@needs_root
@pytest.mark.parametrize(
    "command",
    [["translate", "--to", "hi", "--engine", "pseudo"], ["ingest", "README.md"]],
    ids=["translate", "ingest"],
)
def test_a_read_only_store_is_one_line(
    command: list[str], store: Path, read_only: Path, seed: Path
) -> None:
    before = counts(store)
    args = [*command[:-1], str(Path(__file__).parent.parent / command[-1])]
    one_line_error(args if command[0] == "ingest" else command, "read-only")
    assert counts(store) == before


@needs_root
def test_a_full_disk_is_one_line_and_loses_nothing(
    seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 1 MiB file system: the store fits, a big article does not."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk))
    try:
        db = disk / "pipeline.db"
        monkeypatch.setenv("PIPELINE_STORE", str(db))
        assert cli("ingest", str(seed))[0] == 0
        before = counts(db)
        big = tmp_path / "big.txt"
        paragraphs = (f"Paragraph {i} says {i * 7} officers crossed." for i in range(20_000))
        big.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        one_line_error(["ingest", str(big)], "disk is full")
        assert counts(db) == before
        with open_store(str(db), create=False) as opened:
            assert opened.check() == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_locked_store_is_one_line_and_resumes(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the write lock past the wait: one line; afterwards it completes."""
    monkeypatch.setattr(sqlite_store, "BUSY_SECONDS", 1)
    before = counts(store)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(store)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        one_line_error(["translate", "--to", "hi", "--engine", "pseudo"], "locked by another")
        assert counts(store) == before
    finally:
        holder.kill()
        holder.communicate()  # waits and closes its pipe
    code, _, err = cli("translate", "--to", "hi", "--engine", "pseudo")
    assert code == 0, err
    after = counts(store)
    assert after["translations"] == 2 * before["translations"]
