"""Translate processes sharing a store: --workers N, concurrent runs, a worker killed mid-run."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PARAGRAPHS = 600


def article(path: Path, paragraphs: int = PARAGRAPHS) -> Path:
    """Write an article of distinct one-sentence paragraphs."""
    lines = [f"Report {i} says {i * 7} officers crossed the border." for i in range(paragraphs)]
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def pipeline(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, **kw
    )


def store_counts() -> tuple[int, int, int, int]:
    """Return segments, translations, revisions and claims; the integrity check must pass."""
    conn = sqlite3.connect(os.environ["PIPELINE_STORE"])
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("segments", "translations", "revisions", "claims")
        )
    finally:
        conn.close()


def translated(output: str) -> int:
    return sum(int(n) for n in re.findall(r"(\d+) PSEUDO-translated", output))


def test_workers_share_the_work_and_write_each_translation_once(tmp_path: Path) -> None:
    """Two worker processes: every segment translated once, the work split between them."""
    from pipeline.engines.pseudo import PseudoEngine
    from pipeline.store import open_store
    from pipeline.translate import TranslationJob
    from pipeline.workers import WorkOrder, run_workers

    assert pipeline("ingest", str(article(tmp_path / "a.txt"))).returncode == 0
    location = os.environ["PIPELINE_STORE"]
    with open_store(location) as store:
        docs = store.documents()
        job = TranslationJob(store, PseudoEngine(), docs, ["my", "hi"], batch_size=10)
        total = job.plan()
        order = WorkOrder(location, "pseudo", {}, (docs[0].id,), ("my", "hi"), 10)
        reports: dict[str, int] = {}
        done: list[int] = []
        summaries = run_workers(job, order, 2, done.append, reports)
    assert total == 2 * PARAGRAPHS and sum(done) == total
    assert sum(s.translated for s in summaries) == 2 * PARAGRAPHS
    # Both workers translated a share; together exactly the whole.
    assert len(reports) == 2 and all(reports.values()) and sum(reports.values()) == total
    assert store_counts() == (PARAGRAPHS, 2 * PARAGRAPHS, 2 * PARAGRAPHS, 0)


def test_the_cli_translates_with_workers(tmp_path: Path) -> None:
    assert pipeline("ingest", str(article(tmp_path / "a.txt", 200))).returncode == 0
    done = pipeline("translate", "--engine", "pseudo", "--to", "my", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert translated(done.stdout) == 200
    assert store_counts() == (200, 200, 200, 0)


def test_two_translate_processes_at_once_neither_duplicate_nor_lose(tmp_path: Path) -> None:
    """Claims split the pending work between two runs started together."""
    assert pipeline("ingest", str(article(tmp_path / "a.txt"))).returncode == 0
    args = [sys.executable, "-m", "pipeline", "translate", "--engine", "pseudo", "--to", "my"]
    runs = [
        subprocess.Popen([*args, "--batch-size", "5"], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    # Each segment was translated by exactly one of them.
    assert sum(translated(out) for out in outputs) == PARAGRAPHS
    assert store_counts() == (PARAGRAPHS, PARAGRAPHS, PARAGRAPHS, 0)


def children(pid: int) -> list[int]:
    """Return the pids whose parent is pid (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_worker_killed_mid_run_loses_nothing(tmp_path: Path) -> None:
    """SIGKILL one worker while it translates: the run still completes, each segment once."""
    assert pipeline("ingest", str(article(tmp_path / "a.txt", 3000))).returncode == 0
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "translate",
            "--engine",
            "pseudo",
            "--to",
            "my",
            "--workers",
            "2",
            "--batch-size",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and run.poll() is None:
        workers = [p for p in children(run.pid) if "spawn_main" in _cmdline(p)]
        if len(workers) == 2 and store_counts()[1] > 100:
            killed = workers[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.01)
    _, err = run.communicate(timeout=120)
    assert killed is not None, "the run finished before a worker could be killed"
    assert run.returncode == 0, err
    assert store_counts() == (3000, 3000, 3000, 0)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


KILL_RUNS = 10
KILLS_PER_RUN = 3


def test_workers_killed_at_random_moments_never_hang_the_run(tmp_path: Path) -> None:
    """SIGKILL workers at 30 seeded random moments: each run ends in time, each segment once.

    A worker killed while it held a shared queue's lock used to block the others' reports,
    and the parent waited on them forever; each worker now has a pipe of its own.
    """
    import random

    rng = random.Random(20261203)
    kills = 0
    assert pipeline("ingest", str(article(tmp_path / "a.txt", 240))).returncode == 0
    args = [sys.executable, "-m", "pipeline", "translate", "--engine", "pseudo"]
    for run_number in range(KILL_RUNS):
        # Each run translates into a language not done yet, so there is work to cut.
        lang = ("my", "hi", "ne", "th", "si", "km", "lo", "bn", "ta", "te")[run_number]
        run = subprocess.Popen(
            [*args, "--to", lang, "--workers", "4", "--batch-size", "3"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Moments from the first sight of a worker: starting up, translating, reporting.
        moments = sorted(rng.uniform(0.0, 2.0) for _ in range(KILLS_PER_RUN))
        deadline = time.monotonic() + 60
        seen: float | None = None
        killed: set[int] = set()
        while moments and run.poll() is None and time.monotonic() < deadline:
            workers = [p for p in children(run.pid) if "spawn_main" in _cmdline(p)]
            if seen is None and workers:
                seen = time.monotonic()
            alive = [p for p in workers if p not in killed]
            if seen is not None and time.monotonic() - seen >= moments[0]:
                if alive:
                    victim = rng.choice(alive)
                    os.kill(victim, signal.SIGKILL)
                    killed.add(victim)
                    kills += 1
                moments.pop(0)
            time.sleep(0.005)
        _, err = run.communicate(timeout=90)
        assert run.returncode == 0, err
    print(f"worker kill loop: {kills} of {KILL_RUNS * KILLS_PER_RUN} moments killed a worker")
    # Most moments fall while workers run (some runs end, or start, without one to kill).
    assert kills >= KILL_RUNS * KILLS_PER_RUN // 2
    assert store_counts()[0] == 240
    _, translations, revisions, claims = store_counts()
    assert (translations, revisions, claims) == (240 * KILL_RUNS, 240 * KILL_RUNS, 0)
