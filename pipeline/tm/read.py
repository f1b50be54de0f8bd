"""Read a memory file of any supported kind as entries: TMX, XLIFF 1.2/2.0, PO, TSV/CSV.

TMX streams (:mod:`pipeline.tm.tmx`). XLIFF and PO go through the review readers, which
already read every tool's files (units with a target and a state past ``initial``, no fuzzy
PO entry; the
source language is ``--from``, the target the file's or ``--to``). Tables need a header:
``source`` and ``target`` columns (with ``--to``, or a ``target_lang`` column), or the
pipeline's own ``target:LANG`` columns, where only reviewed and final rows are memory.
Inline codes written as ``<1>…</1>`` markers are read as codes, without markup. A table
cell's mark against formula injection (``'=…``, as ``export --format tsv|csv`` and OWASP
write it) is taken off (:func:`pipeline.formats.table.restore`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from pipeline.errors import InputError
from pipeline.inputs import RefusedFileError, check_regular, open_regular
from pipeline.locale import canonical_language
from pipeline.records import State
from pipeline.tm import MemoryEntry, language_tag

if TYPE_CHECKING:
    from pipeline.tm.codes import CodeMatch

TABLE_SUFFIXES = {".tsv": "\t", ".tab": "\t", ".csv": ","}
REUSABLE_STATES = {State.REVIEWED.value, State.FINAL.value}


def read_memory(
    path: Path,
    source_lang: str,
    target_lang: str | None = None,
    lang_map: Mapping[str, str] | None = None,
    codes: CodeMatch | None = None,
) -> Iterator[MemoryEntry]:
    """Yield the entries of a memory file, its kind told by suffix and content.

    With ``codes``, a TMX entry's codes become the matching stored segment's
    (:mod:`pipeline.tm.codes`).
    """
    _check_file(path)
    source_lang = canonical_language(source_lang)
    target_lang = canonical_language(target_lang) if target_lang else None
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return _table(path, TABLE_SUFFIXES[suffix], source_lang, target_lang, lang_map)
    with _open(path) as handle:
        head = handle.read(4096)
    if suffix == ".tmx" or b"<tmx" in head:
        from pipeline.tm.tmx import read_tmx

        return read_tmx(path, source_lang, lang_map, codes)
    return _review_file(path, source_lang, target_lang, lang_map)


def _check_file(path: Path) -> None:
    """Raise InputError unless the path is a regular file (a symbolic link to one will do)."""
    try:
        check_regular(path)
    except RefusedFileError as exc:
        raise InputError(f"{path}: {exc}") from None
    except OSError:
        raise InputError(f"{path}: no such file") from None


def _open(path: Path) -> BinaryIO:
    """Open a regular file in binary, or raise InputError with one line."""
    try:
        return open_regular(path)
    except RefusedFileError as exc:
        raise InputError(f"{path}: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def _review_file(
    path: Path, source_lang: str, target_lang: str | None, lang_map: Mapping[str, str] | None
) -> Iterator[MemoryEntry]:
    from pipeline.review import read

    found = read(path)
    for unit in found.units:
        lang = language_tag(unit.target_lang, lang_map, source_lang) or target_lang
        if lang is None:
            raise InputError(f"{path}: the file names no target language; give --to")
        if not unit.target or not unit.target.strip() or unit.state is State.INITIAL:
            continue
        if found.format == "po" and unit.state is State.TRANSLATED:
            continue  # a fuzzy PO entry is a translator's guess, not memory
        if unit.problem or not unit.source.strip():
            continue
        yield MemoryEntry(
            source_lang,
            lang,
            unit.source,
            unit.target,
            unit.source_codes,
            unit.target_codes,
            origin=str(path),
            tuid=unit.unit_id,
            changed_by=unit.reviewer,
        )


def _table(
    path: Path,
    delimiter: str,
    source_lang: str,
    target_lang: str | None,
    lang_map: Mapping[str, str] | None,
) -> Iterator[MemoryEntry]:
    from pipeline.formats.table import restore_row
    from pipeline.review.po import markers

    try:
        with io.TextIOWrapper(_open(path), encoding="utf-8-sig", newline="") as handle:
            rows = csv.DictReader(handle, delimiter=delimiter)
            columns = rows.fieldnames or []
            if "source" not in columns:
                raise InputError(f"{path}: the header has no 'source' column")
            own = [c.partition(":")[2] for c in columns if c.startswith("target:")]
            if not own and "target" not in columns:
                raise InputError(f"{path}: the header has no 'target' column")
            for number, row in enumerate(map(restore_row, rows), start=2):
                source, source_codes = markers(row.get("source") or "")
                if not source.strip():
                    continue
                if own:
                    # The pipeline's own table has one author column per language.
                    pairs = [
                        (
                            language_tag(lang, lang_map, source_lang) or lang,
                            row.get(f"target:{lang}") or "",
                            row.get(f"author:{lang}"),
                        )
                        for lang in own
                        if row.get(f"state:{lang}") in REUSABLE_STATES
                    ]
                else:
                    lang = (
                        language_tag(row.get("target_lang"), lang_map, source_lang) or target_lang
                    )
                    if lang is None:
                        raise InputError(f"{path}: no target language for row {number}; give --to")
                    pairs = [(lang, row.get("target") or "", row.get("author"))]
                src = language_tag(row.get("source_lang"), lang_map, source_lang) or source_lang
                for lang, cell, author in pairs:
                    target, target_codes = markers(cell)
                    if target.strip():
                        yield MemoryEntry(
                            src,
                            lang,
                            source,
                            target,
                            source_codes,
                            target_codes,
                            origin=str(path),
                            tuid=row.get("id") or str(number),
                            changed_by=author or None,
                        )
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise InputError(f"{path}: malformed table: {exc}") from None
