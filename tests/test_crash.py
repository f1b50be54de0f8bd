"""Crash safety: a process killed mid-write leaves no partial document or batch."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PARAGRAPHS = 6000


def big_article(path: Path) -> Path:
    """Write an article of many distinct two-sentence paragraphs."""
    lines = [
        f"Report {i} says {i * 7} officers crossed the border. Officials in district {i} resigned."
        for i in range(PARAGRAPHS)
    ]
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def kill_when_writing(args: list[str], wal: Path, timeout: float = 60) -> None:
    """Start the CLI and SIGKILL it once its write-ahead log starts to grow."""
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", *args])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 64 * 1024:
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.002)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the process finished before it could be killed"


def counts(db: Path) -> tuple[int, int, int, int]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("documents", "segments", "translations", "revisions")
        )
    finally:
        conn.close()


def test_killed_ingest_leaves_no_partial_document(tmp_path: Path) -> None:
    """SIGKILL during ingest leaves either nothing or the whole document; a re-run completes."""
    article = big_article(tmp_path / "big.txt")
    db = Path(os.environ["PIPELINE_STORE"])
    kill_when_writing(["ingest", str(article)], db.with_name(db.name + "-wal"))
    docs, segments, _, _ = counts(db)
    assert (docs, segments) in {(0, 0), (1, 2 * PARAGRAPHS)}
    subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(article)], check=True)
    assert counts(db)[:2] == (1, 2 * PARAGRAPHS)


def test_killed_translate_keeps_whole_batches_and_resumes(tmp_path: Path) -> None:
    """SIGKILL during translate keeps finished batches whole; a re-run fills only the rest."""
    article = big_article(tmp_path / "big.txt")
    db = Path(os.environ["PIPELINE_STORE"])
    subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(article)], check=True)
    args = ["translate", "--to", "my", "--engine", "pseudo", "--batch-size", "500"]
    kill_when_writing(args, db.with_name(db.name + "-wal"))
    _, segments, translations, revisions = counts(db)
    assert translations % 500 == 0 and translations < segments
    assert revisions == translations
    subprocess.run([sys.executable, "-m", "pipeline", *args], check=True)
    _, segments, translations, revisions = counts(db)
    assert translations == segments == revisions
