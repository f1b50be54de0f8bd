"""Open the files users give: regular files only, and never more bytes than a limit.

Every reader of a user's file (articles, review files, memories, glossaries, model packages)
opens it here. A path may be a symbolic link to a regular file; a directory, a FIFO, a
socket or a device (``/dev/zero``, a terminal) is refused before anything is read, because a
FIFO blocks its reader forever and a device can be endless. The file is opened without
blocking and checked again on the open descriptor, so a FIFO swapped in between the check
and the open is refused too. Size limits count the bytes actually read (at most one more
than the limit), never a size the file system reports.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, Final

__all__ = ["RefusedFileError", "check_regular", "open_regular", "read_at_most"]

CHUNK: Final = 1024 * 1024

_KINDS: Final = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class RefusedFileError(ValueError):
    """A file is refused before or while reading; the message is why, the caller adds the file."""


def check_regular(path: Path) -> None:
    """Refuse a path that is not a regular file (after symbolic links); OSError if it is absent."""
    _refuse_kind(os.stat(path).st_mode)


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading in binary, refusing any other kind of file."""
    check_regular(path)
    # O_NONBLOCK: should a FIFO replace the file after the check, opening it does not wait
    # for a writer; the check on the descriptor then refuses it.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        _refuse_kind(os.fstat(fd).st_mode)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_at_most(path: Path, limit: int) -> bytes:
    """Return a regular file's bytes, refusing it once more than ``limit`` bytes are read."""
    with open_regular(path) as handle:
        chunks: list[bytes] = []
        size = 0
        while size <= limit and (chunk := handle.read(min(CHUNK, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    if size > limit:
        raise RefusedFileError(
            f"more than the {_amount(limit)} read at once (counted as read); refused"
        )
    return b"".join(chunks)


def _refuse_kind(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise RefusedFileError(f"is {kind}, not a regular file; refused")


def _amount(limit: int) -> str:
    """Return a limit as people read it: whole MiB where it is, else bytes.

    >>> _amount(128 * 2**20), _amount(1024)
    ('128 MiB', '1024 bytes')
    """
    return f"{limit // 2**20} MiB" if limit and limit % 2**20 == 0 else f"{limit} bytes"
