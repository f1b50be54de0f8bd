"""Every file the pipeline writes: checked, written beside its place, renamed in when complete.

A destination is refused (``ExportError``, one line, exit 8) when it is the store, an input
the command reads, a folder, a device, a FIFO or a socket; anything else is written under a
temporary name in the same folder, synced, and renamed over it only when all of a command's
files are complete. An existing file keeps its permission bits. A symbolic link is followed:
the file it points to is replaced (as the shell's ``>`` would write it) and the link stays.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pipeline.formats.errors import ExportError

__all__ = ["Commit", "Protected", "Target", "atomic_output", "check_destination", "protected"]

# SQLite writes these beside a store; replacing one loses or corrupts its data too.
_STORE_SIDE_FILES = ("", "-wal", "-shm", "-journal")
# The most of a path a message shows.
_SHOWN = 120


@dataclass(frozen=True)
class Protected:
    """Files an output must never replace, each with what it is to the command."""

    files: tuple[tuple[Path, str], ...] = ()


@dataclass(frozen=True)
class Target:
    """Where a destination's bytes go (a link's target) and the mode an existing file has."""

    path: Path
    mode: int | None


def protected(store: str | None = None, inputs: Iterable[str | Path] = ()) -> Protected:
    """Return the store file (a PostgreSQL URL has none) and the inputs as files to protect."""
    files = [(Path(path), "an input this command reads") for path in inputs]
    if store and "://" not in store:
        files += [(Path(store + side), "the store") for side in _STORE_SIDE_FILES]
    return Protected(tuple(files))


def check_destination(destination: Path, protect: Protected = Protected()) -> Target:
    """Return where to write ``destination``, or raise ExportError saying why it cannot be."""
    try:
        real = Path(os.path.realpath(destination))
        info = os.stat(real)
    except FileNotFoundError:
        return Target(real, None)
    except OSError as error:
        raise ExportError(_cannot_write(destination, error)) from None
    kind = _special(info.st_mode)
    if kind:
        raise ExportError(
            f"cannot write {shown(destination)}: it is {kind}, not a regular file"
            " (name a file; -o - writes to standard output)"
        )
    for path, what in protect.files:
        if _same_file(info, path):
            raise ExportError(f"cannot write {shown(destination)}: it is {what}; name another file")
    return Target(real, stat.S_IMODE(info.st_mode))


def _special(mode: int) -> str:
    """Return what a file that is not regular is ("a folder", "a device"…), else ""."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _same_file(info: os.stat_result, path: Path) -> bool:
    """Return whether ``path`` is the file ``info`` describes (links and hard links too)."""
    try:
        other = os.stat(path)
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino)


class Commit:
    """Files written under temporary names, renamed into place together on success."""

    def __init__(self, protect: Protected = Protected()) -> None:
        self._protect = protect
        self._pending: list[tuple[Path, Path]] = []
        self._shown: list[Path] = []

    def __enter__(self) -> Commit:
        return self

    @contextmanager
    def open(self, destination: Path) -> Iterator[BinaryIO]:
        """Yield a temporary file beside the destination, synced to disk when closed."""
        target = check_destination(destination, self._protect)
        temporary = target.path.with_name(f".{target.path.name}.{secrets.token_hex(4)}.tmp")
        try:
            # Mode 0o666 less the umask: the file ends up as readable as a new file would be.
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as error:
            raise ExportError(_cannot_write(destination, error)) from None
        self._pending.append((temporary, target.path))
        self._shown.append(destination)
        with os.fdopen(fd, "wb") as out:
            if target.mode is not None:
                os.fchmod(fd, target.mode)  # a private file stays private
            yield out
            out.flush()
            os.fsync(out.fileno())

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if kind is not None:
            self._discard()
            if isinstance(error, OSError):
                raise ExportError(_cannot_write(self._last(), error)) from None
            return
        try:
            for temporary, destination in self._pending:
                os.replace(temporary, destination)
        except OSError as failure:
            self._discard()
            raise ExportError(_cannot_write(self._last(), failure)) from None

    def _last(self) -> Path:
        return self._shown[-1] if self._shown else Path("-")

    def _discard(self) -> None:
        for temporary, _ in self._pending:
            temporary.unlink(missing_ok=True)


def shown(path: Path) -> str:
    """Return a path for a message: on one line, a very long one shortened."""
    name = str(path).encode("unicode_escape").decode("ascii") if "\n" in str(path) else str(path)
    if len(name) > _SHOWN:
        name = f"{name[: _SHOWN // 2]}…{name[-_SHOWN // 4 :]} ({len(name)} characters)"
    return name


def _cannot_write(path: Path, error: OSError) -> str:
    """Return one line saying why a file cannot be written."""
    if error.errno == errno.ENOENT and not path.parent.exists():
        return f"cannot write {shown(path)}: folder {shown(path.parent)} does not exist"
    return f"cannot write {shown(path)}: {error.strerror or error}"


@contextmanager
def atomic_output(destination: Path, protect: Protected = Protected()) -> Iterator[BinaryIO]:
    """Yield a file that becomes destination only when the block succeeds (checked, synced)."""
    with Commit(protect) as commit, commit.open(destination) as out:
        yield out
