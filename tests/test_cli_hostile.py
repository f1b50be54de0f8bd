"""Hostile values for every CLI argument that takes an id, a number, a port or a path.

Each bad value answers one line on stderr and its documented exit code (2 a bad argument,
input or path, 4 nothing found, 5 no such model, 6 an engine refusing an option, 7 review
conflicts, 8 an output that cannot be written), never a traceback, and leaves the store
as it was. Hypothesis draws the values; the CI profile bounds each test to a few seconds.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.store.base import row_id

runner = CliRunner()
ARTICLE = "# Title\n\nHello world. Second sentence.\n"
# In-process runs cost some tens of milliseconds: this many examples keep each test to seconds.
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Numbers as people and scripts mistype them, and as attackers pick them.
NUMBER_TEXT = (
    st.sampled_from(
        [
            "99999999999999999999",
            str(2**63),
            str(2**63 - 1),
            str(-(2**63) - 1),
            "-1",
            "0",
            "-0",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "1e400",
            "1e3",
            "0x10",
            "1_000",
            "",
            " ",
            "7\n",
            "1\x00",
            "²",
            "١٢",
            "abc",
            "9" * 5000,
            "\udcff",
        ]
    )
    | st.integers().map(str)
    | st.text(max_size=12)
)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Yield a store holding one article translated (pseudo) into Burmese, cwd in tmp_path."""
    monkeypatch.chdir(tmp_path)
    article = tmp_path / "a.md"
    article.write_text(ARTICLE, encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", "--to", "my", "--engine", "pseudo")[0] == 0
    (tmp_path / "adir").mkdir()
    path = Path(os.environ["PIPELINE_STORE"])
    yield path
    code, out, err = cli("store", "check")
    assert code == 0 and out.endswith(": ok\n"), out + err


def cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout and stderr, refusing a traceback."""
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def lines(text: str) -> list[str]:
    """Return the lines a terminal shows (form feeds and the like are no line breaks there)."""
    return text.rstrip("\n").split("\n") if text else []


def counts(path: Path) -> dict[str, int]:
    """Return the number of rows in each table of a SQLite store."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def refused(store: Path, before: dict[str, int], codes: set[int], *args: str) -> int:
    """Run a command; a failure must be one line, a known code, and leave the store as it was."""
    code, _, err = cli(*args)
    if code != 0:
        assert code in codes, (args, code, err)
        assert len(lines(err)) == 1 and err.startswith("error: "), (args, err)
        assert counts(store) == before, args
    return code


def names_a_document(store: Path, value: str) -> bool:
    """Return whether a reference finds the stored document (by id or path)."""
    number = row_id(value)
    return number == 1 or value.strip() in ("a.md", str(store.parent / "a.md"))


# Each number option of translate and the values it takes (0 threads: CTranslate2's default).
NUMBER_OPTIONS = {
    "--beam-size": (1, 64),
    "--inter-threads": (0, 1024),
    "--intra-threads": (0, 1024),
    "--max-batch-size": (0, 1_000_000),
    "--max-decoding-length": (1, 65_536),
    "--batch-size": (1, 1_000_000),
    "--fuzzy-threshold": (1, 100),
    "--fuzzy-fill": (1, 100),
    "--workers": (1, 256),
}


@EXAMPLES
@given(option=st.sampled_from(sorted(NUMBER_OPTIONS)), value=NUMBER_TEXT)
@example(option="--batch-size", value="0")
@example(option="--beam-size", value="99999999999999999999")
@example(option="--fuzzy-threshold", value="nan")
def test_translate_number_options_refuse_bad_values_in_one_line(
    store: Path, option: str, value: str
) -> None:
    """Every number translate takes is parsed and bounded before any work: one line, exit 2."""
    before = counts(store)
    # A missing document ends a run whose options were accepted with exit 4, writing nothing.
    code = refused(
        store, before, {2, 4}, "translate", "424242", "--to", "my", "--engine", "pseudo",
        option, value,
    )  # fmt: skip
    low, high = NUMBER_OPTIONS[option]
    assert code == 2 or low <= float(value) <= high


@EXAMPLES
@given(value=NUMBER_TEXT)
@example(value="70000")
def test_review_serve_port_refuses_bad_values_in_one_line(store: Path, value: str) -> None:
    """review serve --port takes 0 to 65535 only; a bad port is one line and exit 2."""
    before = counts(store)
    code = refused(
        store, before, {2, 4}, "review", "serve", "424242", "--to", "my", "--port", value
    )
    # Exit 4 (the missing document) means the port was taken: it must be one that exists.
    assert code == 2 or 0 <= int(value) <= 65535


@EXAMPLES
@given(option=st.sampled_from(["--beam-size", "--max-decoding-length"]), value=NUMBER_TEXT)
def test_models_evaluate_numbers_refuse_bad_values_in_one_line(
    store: Path, option: str, value: str
) -> None:
    """models evaluate's numbers: a bad one is one line (2 or 6), else the missing model (5)."""
    (store.parent / "src.txt").write_text("Hello.\n", encoding="utf-8")
    before = counts(store)
    code = refused(
        store, before, {2, 5, 6}, "models", "evaluate", "no-such-model", "--source", "src.txt",
        "--ref", "src.txt", option, value,
    )  # fmt: skip
    assert code != 0


def test_models_evaluate_decoding_numbers_have_translates_limits(store: Path) -> None:
    """A beam or decoding length past translate's limits is a usage error (2) before any model."""
    (store.parent / "src.txt").write_text("Hello.\n", encoding="utf-8")
    before = counts(store)
    for option, value in (("--beam-size", "1000000"), ("--max-decoding-length", str(2**40))):
        code = refused(
            store, before, {2}, "models", "evaluate", "no-such-model", "--source", "src.txt",
            "--ref", "src.txt", option, value,
        )  # fmt: skip
        assert code == 2


DOCUMENT_COMMANDS = [
    ("show",),
    ("status",),
    ("translate", "--to", "my", "--engine", "pseudo"),
    ("qa",),
    ("export", "--format", "po", "--to", "my", "-o", "out.po"),
    ("review", "serve", "--to", "my"),
]


@EXAMPLES
@given(command=st.sampled_from(DOCUMENT_COMMANDS), ref=NUMBER_TEXT)
@example(command=("export", "--format", "po", "--to", "my", "-o", "out.po"), ref=str(2**64))
@example(command=("show",), ref="²")
def test_document_references_that_name_nothing_are_not_found(
    store: Path, command: tuple[str, ...], ref: str
) -> None:
    """A document id out of range, negative, non-ASCII or not a number is "no document", exit 4."""
    assume(not names_a_document(store, ref))
    before = counts(store)
    code = refused(store, before, {2, 4}, *command, ref)
    # Only what the parser takes for an option ("-1", "") is a usage error.
    assert code == 4 or (code == 2 and (ref.startswith("-") or not ref.strip()))


def review_file(tmp_path: Path, unit_id: str) -> Path:
    """Write a JSON Lines review file whose one unit has this id and an edited target."""
    row = {
        "id": unit_id,
        "segment": {"source": "Hello world."},
        "targets": {"my": {"text": "edited", "state": "reviewed"}},
    }
    path = tmp_path / "review.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return path


@settings(EXAMPLES, max_examples=12)  # an import checks QA and the glossary: slower
@given(number=NUMBER_TEXT, prefixed=st.booleans())
@example(number="99999999999999999999", prefixed=True)
def test_review_import_of_a_unit_id_naming_no_segment_is_a_conflict(
    store: Path, number: str, prefixed: bool
) -> None:
    """A file's unit id out of range or malformed is an "unknown unit id" conflict, exit 7."""
    unit_id = f"s{number}" if prefixed else number
    assume(row_id(unit_id.strip()[1:]) not in (1, 2, 3))
    # Left to the report's owner: a conflict line shows an id's line break as it is.
    assume("\n" not in unit_id and "\r" not in unit_id)
    before = counts(store)
    code, _, err = cli(
        "review", "import", str(review_file(store.parent, unit_id)), "--reviewer", "R"
    )
    assert code == 7, err
    conflict, summary = lines(err)
    assert "unknown unit id" in conflict and summary.startswith("error: 1 conflict;")
    assert counts(store) == before


def hostile_paths(root: Path) -> st.SearchStrategy[str]:
    """Return paths under root that cannot be used: a folder, missing, too long, odd bytes."""
    return st.sampled_from(
        [
            str(root / "adir"),
            str(root / "missing" / "file.md"),
            str(root / ("x" * 300 + ".md")),
            str(root / ("d" * 200) / ("e" * 200) / "f.md"),
            "x" * 5000,
            str(root / "nul\x00.md"),
            str(root / "bad\udcff.md"),
            str(root / "a.md" / "under-a-file.md"),
            "",
        ]
    )


PATH_COMMANDS = [
    ("ingest", "{}"),
    ("review", "import", "{}", "--reviewer", "R"),
    ("tm", "import", "{}"),
    ("glossary", "import", "{}", "--to", "my"),
    ("models", "evaluate", "x", "--source", "{}", "--ref", "{}"),
    ("models", "install", "{}"),
    ("store", "check", "{}"),
    ("status", "--store", "{}"),
    ("tm", "export", "-o", "{}"),
    ("export", "--format", "po", "--to", "my", "-o", "{}"),
]


@EXAMPLES
@given(data=st.data(), command=st.sampled_from(PATH_COMMANDS))
def test_paths_that_cannot_be_used_are_one_line(
    store: Path, data: st.DataObject, command: tuple[str, ...]
) -> None:
    """A path that is a folder, missing, too long or holds NUL or odd bytes is one line."""
    path = data.draw(hostile_paths(store.parent))
    # An existing folder is a fine place for an article export's files.
    assume(not (command[0] == "export" and path.endswith("adir")))
    before = counts(store)
    args = [path if arg == "{}" else arg for arg in command]
    code = refused(store, before, {2, 3, 4, 5, 8}, *args)
    assert code != 0


def run(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    """Run the installed CLI as a user does: a real process, real argv bytes."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, timeout=60, check=False
    )


def test_the_issue_s_cases_are_one_line_through_a_real_process(store: Path) -> None:
    """The tracebacks of issue 22 item 4, run as processes: one line on stderr, the right code."""
    xliff = store.parent / "a.xlf"
    assert cli("export", "--format", "xliff12", "--to", "my", "-o", str(xliff))[0] == 0
    text = xliff.read_text(encoding="utf-8").replace('id="s2"', 'id="s99999999999999999999"')
    xliff.write_text(text, encoding="utf-8")
    before = counts(store)
    cases: list[tuple[list[str | bytes], int]] = [
        (["show", "99999999999999999999"], 4),
        (["translate", "99999999999999999999", "--to", "my", "--engine", "pseudo"], 4),
        (["review", "serve", "--port", "70000", "--to", "my"], 2),
        (["ingest", b"\xff" * 3 + b".md"], 2),
        (["ingest", "x" * 300 + ".md"], 2),
    ]
    for args, expected in cases:
        done = run(*args)
        err = done.stderr.decode("utf-8", "replace")
        assert done.returncode == expected and len(lines(err)) == 1, (args, err)
        assert b"Traceback" not in done.stderr and err.startswith("error: ")
    done = run("review", "import", str(xliff), "--reviewer", "R")
    assert done.returncode == 7 and b"Traceback" not in done.stderr
    assert b"s99999999999999999999: unknown unit id" in done.stderr
    assert counts(store) == before


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://" + "x" * 300 + "/db",
        "postgresql://\udcff/db",
        "postgresql://%00/db",
        "postgresql://127.0.0.1:99999/db",
        "postgresql://127.0.0.1:-1/db",
        "postgresql://[::1/db",
    ],
    ids=["host-too-long", "undecodable", "nul", "port-99999", "port-negative", "bracket"],
)
def test_a_store_url_no_connection_can_come_from_is_one_line(url: str) -> None:
    """A PostgreSQL URL that is malformed before any connection is one line and exit 3."""
    code, _, err = cli("status", "--store", url)
    assert code == 3 and len(lines(err)) == 1 and "cannot connect to PostgreSQL" in err
