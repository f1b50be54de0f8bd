"""Every command that reads a user's file reads regular files only, and limits count bytes read.

A FIFO used to block ``ingest`` forever and a ``.txt`` symlink to ``/dev/zero`` grew past
9.9 GB, because the size limit read the file's stat size. Each command runs in a process of
its own with a deadline: the driver below imports the CLI once and forks one child per case
(a fresh interpreter per case would cost some 20 s), killing any child still running after
:data:`DEADLINE` seconds.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import xmlsafe
from pipeline.cli import app
from pipeline.errors import InputError
from pipeline.ingest import read_article
from pipeline.inputs import RefusedFileError, read_at_most
from pipeline.review import read as read_review
from pipeline.review.errors import ReviewFileError

DEADLINE = 10.0

COMMANDS = {
    "ingest": (["ingest"], ".md"),
    "review import": (["review", "import", "--reviewer", "T"], ".xlf"),
    "tm import tmx": (["tm", "import"], ".tmx"),
    "tm import table": (["tm", "import", "--to", "my"], ".tsv"),
    "glossary import": (["glossary", "import", "--to", "my"], ".tbx"),
    "models install": (["models", "install"], ".argosmodel"),
}
KINDS = ("fifo", "dev-zero-symlink", "directory", "socket")

# Runs each case in a forked child (output to files), kills it at the deadline, prints JSON.
DRIVER = """
import json, os, signal, sys, time
import importlib
from pipeline.cli import main
# Imported once here, not again in every child: what the commands import when they run.
for module in ("typer._adapters", "pipeline.ingest", "pipeline.review", "pipeline.tm.read",
               "pipeline.tm.tmx", "pipeline.glossary.read", "pipeline.packages.install"):
    try:
        importlib.import_module(module)
    except ImportError:
        pass
cases, deadline = json.loads(sys.argv[1]), float(sys.argv[2])
results = {}
for name, (argv, out) in cases.items():
    pid = os.fork()
    if pid == 0:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.argv = ["pipeline", *argv]
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            code = 99
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    start, code = time.monotonic(), None
    while time.monotonic() - start < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            break
        time.sleep(0.02)
    if code is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    results[name] = [code, round(time.monotonic() - start, 2)]
print(json.dumps(results))
"""


def _make(kind: str, path: Path) -> None:
    """Put a file of this kind at path."""
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero-symlink":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    else:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[int, str]]]:
    """Run every command on every kind of file; return each case's exit code and output."""
    # AF_UNIX paths are limited to about 100 bytes: keep the folder short.
    base = Path(tmp_path_factory.mktemp("in", numbered=True))
    cases: dict[str, tuple[list[str], str]] = {}
    for command, (argv, suffix) in COMMANDS.items():
        for kind in KINDS:
            path = base / f"{kind}-{len(cases)}{suffix}"
            _make(kind, path)
            out = base / f"{len(cases)}.out"
            cases[f"{command}/{kind}"] = ([*argv, str(path)], str(out))
    env = {**os.environ, "PIPELINE_STORE": str(base / "p.db"), "COLUMNS": "200"}
    run = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(cases), str(DEADLINE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=DEADLINE * 4,
        check=True,
    )
    codes = json.loads(run.stdout)
    yield {
        name: (codes[name][0], Path(out).read_text(encoding="utf-8"))
        for name, (_, out) in cases.items()
    }


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_that_is_not_regular_is_refused_in_one_line(
    command: str, kind: str, outcomes: dict[str, tuple[int, str]]
) -> None:
    """Each reading command refuses a FIFO, a /dev/zero symlink, a folder, a socket: one line."""
    code, output = outcomes[f"{command}/{kind}"]
    assert code is not None, f"{command} on a {kind} still ran after {DEADLINE} s"
    assert code not in (0, 99), (code, output)
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    assert "Traceback" not in output


def test_the_refusal_names_the_kind_of_file(outcomes: dict[str, tuple[int, str]]) -> None:
    """Where the file is read, the refusal says what it is (the models CLI says "not a file")."""
    for command in ("ingest", "tm import tmx", "glossary import"):
        assert "FIFO" in outcomes[f"{command}/fifo"][1]
        assert "character device" in outcomes[f"{command}/dev-zero-symlink"][1]
        assert "socket" in outcomes[f"{command}/socket"][1]


def test_omegat_project_memory_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    """An OmegaT project whose project_save.tmx is a FIFO or /dev/zero is refused, not waited on."""
    article = tmp_path / "a.txt"
    article.write_text("Hello world.\n", encoding="utf-8")
    project = tmp_path / "proj"
    (project / "omegat").mkdir(parents=True)
    (project / "omegat.project").write_text("", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(article)]).exit_code == 0
    xlf = project / "source" / "a.xlf"
    xlf.parent.mkdir()
    export = ["export", "--format", "xliff12", "--to", "my", str(article), "-o", str(xlf)]
    assert runner.invoke(app, export).exit_code == 0
    memory = project / "omegat" / "project_save.tmx"
    for kind in ("fifo", "dev-zero-symlink"):
        _make(kind, memory)
        with pytest.raises(ReviewFileError, match="not a regular file"):
            read_review(project)
        memory.unlink()


def test_limit_counts_bytes_read_not_the_reported_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose stat size is 0 but holds more than the limit (/proc) is refused on reading."""
    monkeypatch.setattr(xmlsafe, "MAX_DOCUMENT_BYTES", 1024)
    maps = tmp_path / "maps.txt"
    maps.symlink_to("/proc/self/maps")
    assert maps.stat().st_size == 0 and len(Path("/proc/self/maps").read_bytes()) > 1024
    with pytest.raises(InputError, match="more than the 1024 bytes"):
        read_article(maps)
    xlf = tmp_path / "maps.xlf"
    xlf.symlink_to("/proc/self/maps")
    with pytest.raises(ReviewFileError, match="more than the 1024 bytes"):
        read_review(xlf)


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    """The limit is inclusive: limit bytes are read, one more is refused."""
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 100)
    assert read_at_most(path, 100) == b"x" * 100
    with pytest.raises(RefusedFileError, match="99 bytes"):
        read_at_most(path, 99)


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    """A symbolic link to a regular article is read like the article."""
    article = tmp_path / "real.txt"
    article.write_text("Hello world.\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(article)
    assert [s.source for s in read_article(link).segments] == ["Hello world."]
