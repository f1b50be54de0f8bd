"""Hostile .argosmodel archives at `pipeline models install FILE`: each is refused whole.

Every archive is a real, valid package (tests/modelkit.py) with one thing changed: paths
that escape the package (zip slip, absolute and Windows paths), links and special files,
zip bombs and headers that lie about sizes, too many entries, duplicates, and packages that
would overwrite an installed one. Each must give one line on stderr, a non-zero exit, no
traceback, and leave the packages directory exactly as it was, with no staging leftovers.
"""

from __future__ import annotations

import json
import stat
import struct
import zipfile
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import pytest

from pipeline.packages.install import MAX_ENTRIES
from tests.modelkit import isolate_argos, package_archive, tree
from tests.test_cli import cli

TOP = "translate-en_my-1_0/"
Entries = list[tuple[zipfile.ZipInfo, bytes]]
Attack = Callable[[Entries, Path], Path]


@pytest.fixture(autouse=True)
def argos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Isolate Argos settings, index and packages in the test's temporary directory."""
    return isolate_argos(tmp_path, monkeypatch)


@pytest.fixture
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the valid en→my archive every attack starts from."""
    return package_archive(tmp_path_factory)


def entries_of(archive: Path) -> Entries:
    """Return every entry of an archive, directories included, with its ZipInfo."""
    with zipfile.ZipFile(archive) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def write(dest: Path, entries: Entries) -> Path:
    """Write entries, keeping each one's name, mode and compression."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return dest


def entry(name: str, mode: int = stat.S_IFREG | 0o644) -> zipfile.ZipInfo:
    """Return a deflated entry with this raw name and Unix mode."""
    info = zipfile.ZipInfo(name)
    info.filename = name  # ZipInfo turns os.sep into "/"; keep the name exactly as given
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def added(name: str, data: bytes = b"x", mode: int = stat.S_IFREG | 0o644) -> Attack:
    """Return an attack that adds one entry to the valid package."""

    def attack(entries: Entries, dest: Path) -> Path:
        return write(dest, [*entries, (entry(name, mode), data)])

    return attack


def patched_size(member: str, size: int) -> Attack:
    """Return an attack that makes the central directory lie about one member's size."""

    def attack(entries: Entries, dest: Path) -> Path:
        write(dest, entries)
        data = bytearray(dest.read_bytes())
        start = data.find(b"PK\x01\x02")
        while start != -1:
            name_len = struct.unpack_from("<H", data, start + 28)[0]
            if data[start + 46 : start + 46 + name_len].decode() == TOP + member:
                struct.pack_into("<I", data, start + 24, size)
                break
            start = data.find(b"PK\x01\x02", start + 4)
        assert start != -1, member
        dest.write_bytes(bytes(data))
        return dest

    return attack


def too_many(entries: Entries, dest: Path) -> Path:
    """Add empty files until the archive holds one entry more than the limit."""
    extra = [(entry(f"{TOP}pad/{n}"), b"") for n in range(MAX_ENTRIES + 1 - len(entries))]
    return write(dest, entries + extra)


def duplicated(name: str, spelled: str) -> Attack:
    """Return an attack that adds a second entry for name, spelled another way."""

    def attack(entries: Entries, dest: Path) -> Path:
        data = next(d for i, d in entries if i.filename == TOP + name)
        same = spelled == name
        with pytest.warns(UserWarning, match="Duplicate name") if same else nullcontext():
            return write(dest, [*entries, (entry(TOP + spelled), data)])

    return attack


def bomb(entries: Entries, dest: Path) -> Path:
    """Add 64 MiB of zeros: a few kilobytes compressed, far past the ratio limit."""
    return write(dest, [*entries, (entry(TOP + "padding.bin"), bytes(64 * 1024**2))])


def overlapping(entries: Entries, dest: Path) -> Path:
    """Point a second central directory entry at the first member's data (an overlap bomb)."""
    write(dest, entries)
    data = bytearray(dest.read_bytes())
    first = data.find(b"PK\x01\x02")
    last = data.rfind(b"PK\x01\x02")
    offset = struct.unpack_from("<I", data, first + 42)[0]
    struct.pack_into("<I", data, last + 42, offset)
    dest.write_bytes(bytes(data))
    return dest


ATTACKS: dict[str, tuple[Attack, str]] = {
    "zip slip in the package": (added(TOP + "../escape.txt"), "outside the package"),
    "zip slip deep": (added(TOP + "model/../../../escape.txt"), "outside the package"),
    "zip slip at the top": (added("../escape.txt"), "outside the package"),
    "absolute path": (added("/tmp/escape.txt"), "absolute"),
    "absolute inside top": (added("//" + TOP + "x"), "absolute"),
    "windows drive": (added("C:/Windows/escape.txt"), "Windows path"),
    "windows drive relative": (added("c:escape.txt"), "Windows path"),
    "windows backslashes": (added(TOP + "..\\..\\escape.txt"), "Windows path"),
    "windows unc": (added("\\\\server\\share\\x"), "Windows path"),
    "symlink to a file": (added(TOP + "model/link", b"/etc/passwd", stat.S_IFLNK | 0o777), "link"),
    "symlink to a folder": (added(TOP + "up", b"..", stat.S_IFLNK | 0o777), "symbolic link"),
    "fifo": (added(TOP + "pipe", b"", stat.S_IFIFO | 0o644), "not a regular file"),
    "device": (added(TOP + "dev", b"", stat.S_IFCHR | 0o644), "not a regular file"),
    "zip bomb by ratio": (bomb, "zip bomb"),
    "header says smaller": (patched_size("model/model.bin", 1000), "damaged zip archive"),
    "header says bigger": (patched_size("README.md", 200_000), "smaller than it declares"),
    "header says 4 GiB": (patched_size("model/model.bin", 0xFFFFFFFF), "zip bomb"),
    "overlapping entries": (overlapping, "damaged zip archive"),
    "too many entries": (too_many, f"limit {MAX_ENTRIES}"),
    "duplicate entry": (duplicated("metadata.json", "metadata.json"), "duplicate entries"),
    "duplicate by dot": (duplicated("metadata.json", "./metadata.json"), "duplicate entries"),
    "duplicate by slashes": (
        duplicated("model/model.bin", "model//model.bin"),
        "duplicate entries",
    ),
    "file where a folder is": (added(TOP + "model", b"x"), "cannot install"),
}


def refused(archive: Path, argos_dir: Path, expected: str) -> None:
    """Install archive at the CLI: one line naming expected, and the packages dir unchanged."""
    before = tree(argos_dir)
    code, out, err = cli("models", "install", str(archive))
    lines = err.strip().splitlines()
    assert code != 0, out
    assert len(lines) == 1 and expected in lines[0], err
    assert "Traceback" not in err + out
    assert tree(argos_dir) == before  # no package, no half-written folder, no .install- staging


@pytest.mark.parametrize("case", ATTACKS, ids=str)
def test_hostile_archive_is_refused_and_leaves_nothing(
    case: str, argos_dir: Path, plain: Path, tmp_path: Path
) -> None:
    """Each hostile variant of a valid package is refused and writes nothing anywhere."""
    attack, expected = ATTACKS[case]
    argos_dir.mkdir(exist_ok=True)
    hostile = attack(entries_of(plain), tmp_path / "hostile.argosmodel")
    outside = sorted(p.name for p in tmp_path.iterdir())
    refused(hostile, argos_dir, expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == outside  # nothing escaped
    assert not (tmp_path.parent / "escape.txt").exists()
    assert not Path("/tmp/escape.txt").exists()


def test_the_unmutated_archive_installs(argos_dir: Path, plain: Path) -> None:
    """The base every attack mutates is valid: without the mutation it installs."""
    code, _, err = cli("models", "install", str(plain))
    assert code == 0, err
    assert tree(argos_dir)[0] == TOP.rstrip("/")


def renamed(entries: Entries, top: str, **metadata: str) -> Entries:
    """Return the entries under another top folder, with metadata fields replaced."""
    out: Entries = []
    for info, data in entries:
        name = top + info.filename.removeprefix(TOP)
        if info.filename == TOP + "metadata.json":
            data = json.dumps({**json.loads(data), **metadata}).encode()
        copy = entry(name, info.external_attr >> 16)
        out.append((copy, data))
    return out


OVERWRITES: dict[str, tuple[str, dict[str, str]]] = {
    "same code elsewhere": ("other/", {"from_code": "en", "to_code": "hi"}),
    "same pair, other code": ("other/", {"code": "translate-en_my-2"}),
    "same folder, other package": (
        TOP,
        {"code": "translate-fr_de", "from_code": "fr", "to_code": "de"},
    ),
}


@pytest.mark.parametrize("case", OVERWRITES, ids=str)
def test_archive_overwriting_an_installed_package_is_refused(
    case: str, argos_dir: Path, plain: Path, tmp_path: Path
) -> None:
    """A package with an installed one's code, pair or folder is refused; the old one stays."""
    assert cli("models", "install", str(plain))[0] == 0
    top, metadata = OVERWRITES[case]
    if case == "same code elsewhere":
        metadata = {**metadata, "code": "translate-en_my"}
    archive = write(tmp_path / "second.argosmodel", renamed(entries_of(plain), top, **metadata))
    refused(archive, argos_dir, "already installed")


def test_refusal_after_extraction_started_leaves_no_staging(
    argos_dir: Path, plain: Path, tmp_path: Path
) -> None:
    """A member found damaged mid-extraction (its CRC) leaves no staging folder behind."""
    entries = entries_of(plain)
    write(tmp_path / "late.argosmodel", entries)  # the weights are not the first member
    names = [i.filename for i, _ in entries]
    assert names.index(TOP + "model/model.bin") > 1
    refused(
        patched_size("model/model.bin", 1000)(entries, tmp_path / "late.argosmodel"),
        argos_dir,
        "damaged zip archive",
    )
