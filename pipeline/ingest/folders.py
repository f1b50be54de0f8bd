"""Expand the folders named to ``ingest`` into the article files under them, in sorted order.

A folder is walked recursively. Hidden files and folders (a name starting with ".", such as
``.git``) are passed over silently; linked folders are never entered (a link can loop), and a
linked file is taken only when it resolves inside the folder being walked. Files of a type no
reader takes, and links leading out of the folder, are counted as skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError, PipelineError, from_os_error
from pipeline.ingest import READERS, ReadOptions, read_article
from pipeline.records import DocumentDraft


@dataclass(frozen=True)
class Walk:
    """The files to read, in order, and the files under the folders that were skipped."""

    files: tuple[Path, ...]
    skipped: tuple[Path, ...]


@dataclass(frozen=True)
class Refusal:
    """A file that could not be read, and why in one line."""

    path: Path
    reason: str


def has_folder(paths: Sequence[Path]) -> bool:
    """Return whether any of the paths is a folder."""
    return any(_is_folder(path) for path in paths)


def expand(paths: Sequence[Path]) -> Walk:
    """Return the files named and those under the folders named, each file once.

    A folder with no article file under it raises InputError: it was named by mistake.
    """
    files: list[Path] = []
    skipped: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        found, passed = _walk(path) if _is_folder(path) else ([path], [])
        skipped += passed
        if not found:
            raise InputError(f"{path}: a directory with no article file (.txt, .md, .html) in it")
        for file in found:
            key = Path(os.path.realpath(file))
            if key not in seen:
                seen.add(key)
                files.append(file)
    return Walk(tuple(files), tuple(skipped))


def read_each(
    files: Sequence[Path], source_lang: str, fields: Sequence[str]
) -> Iterator[DocumentDraft | Refusal]:
    """Yield each file's draft, or its refusal, going on past a file that cannot be read."""
    options = ReadOptions(fields=tuple(fields))
    for path in files:
        try:
            yield read_article(path, source_lang, options)
        except PipelineError as error:
            yield Refusal(path, str(error))
        except OSError as error:  # unreadable, vanished since the walk
            yield Refusal(path, str(from_os_error(error)))


def _walk(root: Path) -> tuple[list[Path], list[Path]]:
    """Return the supported files under root in sorted order, and the ones skipped."""
    inside = Path(os.path.realpath(root))
    files: list[Path] = []
    skipped: list[Path] = []
    for folder, dirs, names in os.walk(root):
        # Pruned in place so os.walk neither enters hidden folders nor reads them.
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            if path.suffix.lower() in READERS and _within(path, inside):
                files.append(path)
            else:
                skipped.append(path)
    files.sort(key=lambda path: path.parts)
    return files, skipped


def _within(path: Path, root: Path) -> bool:
    """Return whether a path, once its links are followed, stands inside root."""
    if not path.is_symlink():
        return True
    return Path(os.path.realpath(path)).is_relative_to(root)


def _is_folder(path: Path) -> bool:
    """Return whether path is a folder; a name the system refuses is not one."""
    try:
        return path.is_dir()
    except OSError:
        return False
