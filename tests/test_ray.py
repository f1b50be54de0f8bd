"""Translation spread over Ray actors, on a local Ray cluster the tests start (loopback)."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.engines.pseudo import PseudoEngine
from pipeline.store import open_store
from pipeline.translate import TranslationJob
from tests.test_cli import cli, store_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray() -> Iterator[Any]:
    from pipeline.errors import EngineError
    from pipeline.ray_executor import import_ray

    try:
        ray = import_ray()  # with Ray's uv hook off, as translate imports it
    except EngineError:
        if os.environ.get("PIPELINE_REQUIRE_RAY"):
            pytest.fail("ray is missing: uv sync --extra ray")
        pytest.skip("ray is not installed (uv sync --extra ray)")
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        logging_level="ERROR",
        log_to_driver=False,
        configure_logging=False,
        _node_ip_address="127.0.0.1",
    )
    try:
        yield ray
    finally:
        ray.shutdown()


def article(path: Path, paragraphs: int) -> Path:
    lines = [f"Report {i} says {i * 7} officers crossed the border." for i in range(paragraphs)]
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(location: str) -> dict[str, str]:
    with open_store(location) as db:
        doc = db.documents()[0]
        done = db.translations(doc.id, "my")
        return {s.source: done[s.id].text for s in db.segments(doc.id) if s.id in done}


def counts(location: str) -> tuple[int, int, int, int]:
    conn = sqlite3.connect(location)
    try:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("segments", "translations", "revisions", "claims")
        )
    finally:
        conn.close()


def planned(location: str) -> TranslationJob:
    store = open_store(location)
    job = TranslationJob(store, PseudoEngine(), store.documents(), ["my"], batch_size=20)
    job.plan()
    return job


def test_ray_translates_what_the_local_executor_does(
    ray: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.ray_executor import run_ray

    source = article(tmp_path / "a.txt", 300)
    local, distributed = str(tmp_path / "local.db"), str(tmp_path / "ray.db")
    for location in (local, distributed):
        monkeypatch.setenv("PIPELINE_STORE", location)
        assert cli("ingest", str(source))[0] == 0
    local_job = planned(local)
    local_job.run()
    local_job.store.close()
    job = planned(distributed)
    done: list[int] = []
    summaries = run_ray(job, "pseudo", {}, actors=2, progress=done.append)
    job.store.close()
    assert sum(done) == 300 and sum(s.translated for s in summaries) == 300
    assert stored(distributed) == stored(local) and len(stored(local)) == 300
    assert counts(distributed) == (300, 300, 300, 0)


def test_a_killed_ray_worker_loses_nothing(ray: Any, tmp_path: Path) -> None:
    """SIGKILL one actor's process mid-run: Ray restarts it, its batch is retried."""
    from pipeline.ray_executor import run_ray

    location = str(store_path())
    assert cli("ingest", str(article(tmp_path / "a.txt", 3000)))[0] == 0
    job = planned(location)
    killed: list[int] = []

    def kill_one(pool: list[Any]) -> None:
        pid = ray.get(pool[0].pid.remote())

        def later() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and counts(location)[1] < 200:
                time.sleep(0.01)
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

        threading.Thread(target=later, daemon=True).start()

    run_ray(job, "pseudo", {}, actors=2, on_start=kill_one)
    job.store.close()
    assert killed, "the actor was not killed"
    assert counts(location) == (3000, 3000, 3000, 0)


def test_the_cli_runs_on_ray(ray: Any, tmp_path: Path) -> None:
    assert cli("ingest", str(article(tmp_path / "a.txt", 50)))[0] == 0
    code, out, err = cli(
        "translate", "--engine", "pseudo", "--to", "my", "--executor", "ray", "--workers", "2"
    )
    assert code == 0, err
    assert "50 PSEUDO-translated" in out
    assert counts(str(store_path())) == (50, 50, 50, 0)


def test_without_the_extra_it_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    assert cli("ingest", str(article(tmp_path / "a.txt", 3)))[0] == 0
    code, _, err = cli("translate", "--engine", "pseudo", "--to", "my", "--executor", "ray")
    assert code != 0 and len(err.strip().splitlines()) == 1 and "--extra ray" in err
