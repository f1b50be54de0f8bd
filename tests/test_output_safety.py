"""What -o may replace: never the store, an input, a folder, a device, a FIFO or a socket.

Every command that writes a file (``export`` in each format, its OmegaT project, ``tm
export``, ``models evaluate -o``) is run through the CLI against each destination a careless
user or an attacker could name; each refusal is one line and exit 8, nothing replaced.
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.formats import FORMATS
from tests.publishkit import cli, ingest_and_draft
from tests.test_cli import store_path

ARTICLE = "Police crossed the border.\n\nNineteen officers crossed on Tuesday.\n"
REFUSED = 8


@pytest.fixture
def drafted(tmp_path: Path) -> Path:
    """Return an ingested article with pseudo drafts into Burmese."""
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, "utf-8")
    ingest_and_draft(path, "my")
    return path


def writers(source: Path) -> dict[str, Callable[[Path], tuple[int, str, str]]]:
    """Return each command that writes a file, by name, as a call taking its -o."""

    def export(fmt: str) -> Callable[[Path], tuple[int, str, str]]:
        draft = ("--allow-draft",) if fmt == "article" else ()
        return lambda out: cli(
            "export", "--format", fmt, "--to", "my", str(source), "-o", str(out), *draft
        )

    commands = {f"export {fmt}": export(fmt) for fmt in FORMATS if fmt != "omegat"}
    commands["tm export"] = lambda out: cli("tm", "export", "-o", str(out))
    commands["models evaluate"] = lambda out: cli(
        "models", "evaluate", "translate-en_my", "--source", str(source), "--ref",
        str(source), "-o", str(out),
    )  # fmt: skip
    return commands


def special_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """Yield destinations that are not regular files: a device, a FIFO, a socket, a folder."""
    yield "a device", Path("/dev/null")
    fifo = folder / "fifo"
    os.mkfifo(fifo)
    yield "a FIFO", fifo
    sock = folder / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    yield "a socket", sock
    server.close()


def refused(result: tuple[int, str, str], why: str) -> bool:
    """Return whether a command was refused in one line (exit 8) saying why."""
    code, _, err = result
    return code == REFUSED and err.count("\n") == 1 and why in err and "Traceback" not in err


def test_no_writer_replaces_the_store(drafted: Path, tmp_path: Path) -> None:
    """-o naming the store (as --store names it) is refused and the store still opens."""
    store = store_path()
    before = store.read_bytes()
    for name, write in writers(drafted).items():
        assert refused(write(store), "it is the store"), name
    assert store.read_bytes() == before
    assert cli("status")[0] == 0


def test_no_writer_replaces_its_input(drafted: Path) -> None:
    """-o naming the article being exported, or evaluate's source, is refused; it is unchanged."""
    for name, write in writers(drafted).items():
        if name != "tm export":  # reads nothing but the store
            assert refused(write(drafted), "an input this command reads"), name
    assert drafted.read_text("utf-8") == ARTICLE


def test_no_writer_replaces_a_device_fifo_or_socket(drafted: Path, tmp_path: Path) -> None:
    """A device, a FIFO and a socket at -o are refused, left as they were, never blocked on."""
    commands = writers(drafted)
    for kind, path in special_files(tmp_path):
        mode = os.stat(path).st_mode
        # Every writer meets the device; one guard serves all formats, so one of them the rest.
        names = commands if kind == "a device" else ("export po", "tm export", "models evaluate")
        for name in names:
            assert refused(commands[name](path), f"it is {kind}, not a regular file"), (name, kind)
        assert os.stat(path).st_mode == mode


def test_a_folder_without_a_slash_is_refused_by_file_writers(drafted: Path, tmp_path: Path) -> None:
    """tm export and evaluate refuse a folder at -o; export writes into it, as documented."""
    folder = tmp_path / "out"
    folder.mkdir()
    commands = writers(drafted)
    for name in ("tm export", "models evaluate"):
        assert refused(commands[name](folder), "it is a folder"), name
    assert commands["export po"](folder)[0] == 0
    assert [p.name for p in folder.iterdir()] == ["article.my.po"]


def test_an_existing_file_keeps_its_mode(drafted: Path, tmp_path: Path) -> None:
    """A mode-600 file replaced by any writer is still mode 600 (not 644), its content new."""
    target = tmp_path / "private.out"
    for name, write in writers(drafted).items():
        if name == "models evaluate":  # needs an installed model to get past the check
            continue
        target.write_bytes(b"old")
        target.chmod(0o600)
        assert write(target)[0] == 0, name
        assert stat.S_IMODE(target.stat().st_mode) == 0o600, name
        assert target.read_bytes() != b"old", name


def test_a_link_at_the_destination_replaces_its_target(drafted: Path, tmp_path: Path) -> None:
    """A symbolic link at -o stays a link; the file it points to is written, keeping its mode."""
    real = tmp_path / "real.tmx"
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "link.tmx"
    link.symlink_to(real)
    assert cli("tm", "export", "-o", str(link))[0] == 0
    assert link.is_symlink() and real.read_bytes().startswith(b"<?xml")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    store_link = tmp_path / "store-link"
    store_link.symlink_to(store_path())
    assert refused(cli("tm", "export", "-o", str(store_link)), "it is the store")


def test_a_name_too_long_is_one_line(drafted: Path, tmp_path: Path) -> None:
    """A 300-character file name at -o is one shortened line and exit 8, for every writer."""
    long_name = tmp_path / ("n" * 300)
    for name, write in writers(drafted).items():
        code, _, err = write(long_name)
        assert refused((code, "", err), "File name too long"), (name, err)
        assert len(err) < 250 and "(3" in err, name  # shortened, its length said


def test_an_omegat_project_never_writes_over_special_files(drafted: Path, tmp_path: Path) -> None:
    """A project whose omegat.project is now a FIFO or a link to the store is refused."""
    project = tmp_path / "project"
    export = ("export", "--format", "omegat", "--to", "my", str(drafted), "-o", str(project))
    assert cli(*export)[0] == 0
    settings = project / "omegat.project"
    settings.unlink()
    os.mkfifo(settings)
    assert refused(cli(*export), "it is a FIFO")
    settings.unlink()
    settings.symlink_to(store_path())
    assert refused(cli(*export), "it is the store")
    assert cli("status")[0] == 0
