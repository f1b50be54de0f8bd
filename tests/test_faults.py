"""Fault injection: SIGKILL at seeded random points of writing commands, on SQLite and PostgreSQL.

Each test measures one uncut run of a command, then kills further runs of it at random
delays within that duration. After every kill the store's own check finds nothing wrong;
after a final uncut re-run the store holds exactly what uncut runs give: each segment
translated once per language, each review edit and memory entry present exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from pipeline.store import open_store

pytestmark = pytest.mark.slow

KILLS = 8
PARAGRAPHS = 150  # 300 segments per article
LANGS = "my,hi"
XLIFF = "urn:oasis:names:tc:xliff:document:1.2"


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The store every command of the test uses: a SQLite file or a PostgreSQL database."""
    if request.param == "postgres":
        url = str(request.getfixturevalue("pg_url"))
    else:
        url = str(tmp_path / "faults.db")
    os.environ["PIPELINE_STORE"] = url
    return url


def query(location: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of one read-only query on the store."""
    if location.startswith("postgres"):
        import psycopg

        with psycopg.connect(location) as conn:
            return [tuple(row) for row in conn.execute(sql).fetchall()]
    conn = sqlite3.connect(location)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def count(location: str, sql: str) -> int:
    return int(query(location, sql)[0][0])


def check(location: str) -> None:
    store = open_store(location, create=False)
    try:
        assert store.check() == []
    finally:
        store.close()


def run(*args: str) -> float:
    """Run the CLI to the end; return its wall time."""
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "pipeline", *args], check=True, capture_output=True)
    return time.monotonic() - start


def kill_after(args: list[str], delay: float) -> bool:
    """Start the CLI and SIGKILL it after ``delay`` seconds; return whether it was killed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
    _, err = proc.communicate()
    if proc.returncode != -signal.SIGKILL:
        assert proc.returncode == 0, err.decode()
        return False
    return True


def kill_loop(location: str, seed: str, duration: float, argv: Callable[[int], list[str]]) -> int:
    """Kill KILLS runs at seeded random points of ``duration``; check the store after each."""
    rng = random.Random(f"{seed}-{location.split(':')[0]}")
    kills = 0
    for i in range(KILLS):
        delay = rng.uniform(0.35 * duration, 0.98 * duration)
        # On a loaded machine a run may finish sooner than the measured one: cut it earlier.
        for _ in range(6):
            if kill_after(argv(i), delay):
                kills += 1
                break
            check(location)
            delay /= 2
        check(location)
    assert kills >= KILLS - 1, f"only {kills} of {KILLS} runs were cut"
    return kills


def article(path: Path, n: int) -> Path:
    """An article of PARAGRAPHS two-sentence paragraphs, distinct per ``n``."""
    lines = [
        f"Report {n}-{i} says {i * 7} officers crossed border {n}. District {n}/{i} resigned."
        for i in range(PARAGRAPHS)
    ]
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def articles(tmp_path: Path, total: int) -> list[str]:
    return [str(article(tmp_path / f"a{n}.txt", n)) for n in range(total)]


def test_killed_ingest(location: str, tmp_path: Path) -> None:
    """Killed ingests leave whole documents or none; re-running ingests each exactly once."""
    files = articles(tmp_path, KILLS + 1)
    duration = run("ingest", files[0])
    segments = count(location, "SELECT COUNT(*) FROM segments")
    assert segments == 2 * PARAGRAPHS
    kill_loop(location, "ingest", duration, lambda i: ["ingest", files[i + 1]])
    # One file per run, so a cut document is whole or absent.
    per_document = query(
        location, "SELECT document_id, COUNT(*) FROM segments GROUP BY document_id"
    )
    assert {n for _, n in per_document} == {segments}
    run("ingest", *files)
    assert count(location, "SELECT COUNT(*) FROM documents") == len(files)
    assert count(location, "SELECT COUNT(*) FROM segments") == len(files) * segments
    check(location)


def translated(tmp_path: Path, total: int) -> tuple[list[str], float]:
    """Ingest ``total`` articles, translate the first uncut; return paths and that run's time."""
    files = articles(tmp_path, total)
    run("ingest", *files)
    duration = run("translate", files[0], "--to", LANGS, "--engine", "pseudo", "--batch-size", "25")
    return files, duration


def test_killed_translate(location: str, tmp_path: Path) -> None:
    """Killed translations keep whole batches; the re-run translates each segment once."""
    files, duration = translated(tmp_path, KILLS + 1)
    reference = count(location, "SELECT COUNT(*) FROM revisions")
    assert reference == count(location, "SELECT COUNT(*) FROM translations") == 4 * PARAGRAPHS
    args = ["--to", LANGS, "--engine", "pseudo", "--batch-size", "25"]
    kill_loop(location, "translate", duration, lambda i: ["translate", files[i + 1], *args])
    run("translate", *args)
    pairs = 2 * 2 * PARAGRAPHS * len(files)
    assert count(location, "SELECT COUNT(*) FROM translations") == pairs
    assert (
        count(
            location,
            "SELECT COUNT(*) FROM (SELECT DISTINCT segment_id, target_lang FROM translations) t",
        )
        == pairs
    )
    # Every translation has exactly the history the uncut reference run gave its own.
    assert count(location, "SELECT COUNT(*) FROM revisions") == reference * len(files)
    assert (
        count(
            location,
            "SELECT COUNT(*) FROM (SELECT translation_id FROM revisions"
            " GROUP BY translation_id HAVING COUNT(*) <> 1) t",
        )
        == 0
    )
    check(location)


def review_files(location: str, tmp_path: Path, total: int) -> list[tuple[Path, dict[str, str]]]:
    """Translate ``total`` articles, export one XLIFF, split and edit it: one file per document."""
    files = articles(tmp_path, total)
    run("ingest", *files)
    run("translate", "--to", "my", "--engine", "pseudo", "--batch-size", "50")
    whole = tmp_path / "all.xlf"
    run("export", "--format", "xliff12", "--to", "my", "-o", str(whole))
    tree = etree.parse(str(whole))
    out = []
    for n, file_el in enumerate(tree.getroot().findall(f"{{{XLIFF}}}file")):
        root = etree.Element(tree.getroot().tag, tree.getroot().attrib, nsmap=tree.getroot().nsmap)
        root.append(file_el)
        edits: dict[str, str] = {}
        for unit in file_el.iter(f"{{{XLIFF}}}trans-unit"):
            target = unit.find(f"{{{XLIFF}}}target")
            assert target is not None
            text = f"ပြင်ဆင်ချက် {n} {unit.get('id')}"
            target.text = text
            target.attrib.pop("state-qualifier", None)
            target.set("state", "translated")
            edits[str(unit.get("id"))] = text
        path = tmp_path / f"review{n}.xlf"
        etree.ElementTree(root).write(str(path), xml_declaration=True, encoding="UTF-8")
        out.append((path, edits))
    assert len(out) == total
    return out


def test_killed_review_import(location: str, tmp_path: Path) -> None:
    """Killed review imports save all of a file or none; re-importing saves each edit once."""
    reviews = review_files(location, tmp_path, KILLS + 1)
    before = count(location, "SELECT COUNT(*) FROM revisions")
    duration = run("review", "import", str(reviews[0][0]), "--reviewer", "Thida")
    per_file = count(location, "SELECT COUNT(*) FROM revisions") - before
    assert per_file >= len(reviews[0][1])
    kill_loop(
        location,
        "review",
        duration,
        lambda i: ["review", "import", str(reviews[i + 1][0]), "--reviewer", "Thida"],
    )
    for path, _ in reviews:
        run("review", "import", str(path), "--reviewer", "Thida")
    assert count(location, "SELECT COUNT(*) FROM revisions") == before + per_file * len(reviews)
    texts = {
        f"s{segment}": text
        for segment, text in query(
            location, "SELECT segment_id, text FROM translations WHERE target_lang = 'my'"
        )
    }
    edited = query(
        location, "SELECT text, COUNT(*) FROM revisions WHERE author = 'Thida' GROUP BY text"
    )
    assert {text: n for text, n in edited} == {
        text: 1 for _, edits in reviews for text in edits.values()
    }
    for _, edits in reviews:
        for unit, text in edits.items():
            assert texts[unit] == text
    check(location)


ENTRIES = 400


def tmx(path: Path, n: int) -> Path:
    """A TMX of ENTRIES distinct en→my units, distinct per ``n``."""
    units = "".join(
        f'<tu tuid="f{n}-{i}"><tuv xml:lang="en">'
        f"<seg>Entry {n} number {i} of the memory.</seg></tuv>"
        f'<tuv xml:lang="my"><seg>မှတ်တမ်း {n} အမှတ် {i}</seg></tuv></tu>\n'
        for i in range(ENTRIES)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="t"'
        ' creationtoolversion="1" segtype="sentence" adminlang="en" srclang="en"'
        f' datatype="plaintext" o-tmf="t"/><body>\n{units}</body></tmx>\n',
        encoding="utf-8",
    )
    return path


def test_killed_tm_import(location: str, tmp_path: Path) -> None:
    """Killed memory imports add a whole file or none; re-importing adds each entry once."""
    files = [str(tmx(tmp_path / f"m{n}.tmx", n)) for n in range(KILLS + 1)]
    duration = run("tm", "import", files[0])
    assert count(location, "SELECT COUNT(*) FROM memory") == ENTRIES
    kill_loop(location, "tm", duration, lambda i: ["tm", "import", files[i + 1]])
    for path in files:
        run("tm", "import", path)
    rows = query(location, "SELECT source, target FROM memory")
    assert len(rows) == ENTRIES * len(files)
    assert set(rows) == {
        (f"Entry {n} number {i} of the memory.", f"မှတ်တမ်း {n} အမှတ် {i}")
        for n in range(len(files))
        for i in range(ENTRIES)
    }
    check(location)
