"""Read CSV/TSV glossaries: a header row names the columns, in any case and order.

Columns (``_`` and ``-`` read as spaces):

- source term: ``source``, ``term``, ``source term``, ``original``, ``untranslated``, or the
  source language's code (``en``);
- target term: ``target``, ``translation``, ``translated``, ``target term``, in the language
  of a ``language``/``lang``/``target language`` column, else ``--to``; and a column per
  language named by its code (``my``, ``hi``, ``xx`` for ``--to``), one entry per column;
- ``note``/``comment``/``definition`` (and ``notes``, ``comments``, ``description``,
  ``context``), ``pos``/``part of speech``, ``status`` (the TBX values too), ``dnt``/``do not
  translate`` (yes, true, 1 or x), ``id``/``concept``/``location`` (else the row number).

These are translate-toolkit's ``csv2tbx`` input columns too (``source,target``,
``original,translation``, ``location,source,target``). A row with no source term is skipped;
an empty target cell gives an entry with target "". The text is UTF-8, with or without BOM.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError, LanguageError
from pipeline.glossary import ANY_LANGUAGE, GlossaryEntry
from pipeline.glossary.fields import is_yes, target_language, term_status, usable_language

SOURCE = {"source", "term", "source term", "original", "untranslated", "src"}
TARGET = {"target", "translation", "translated", "target term", "tgt"}
LANGUAGE = {"language", "lang", "target language", "target lang", "target locale", "locale"}
NOTE = {"note", "notes", "comment", "comments", "definition", "description", "context"}
POS = {"pos", "part of speech", "partofspeech"}
STATUS = {"status", "administrative status", "term status"}
DNT = {"dnt", "do not translate", "donottranslate"}
CONCEPT = {"id", "concept", "concept id", "location", "key"}


@dataclass
class _Columns:
    """Where each field is in a row: column indexes, and target columns with their language."""

    source: int | None = None
    language: int | None = None
    pos: int | None = None
    status: int | None = None
    dnt: int | None = None
    concept: int | None = None
    notes: list[int] = field(default_factory=list)
    # (index, language code or None for the row's language column, or placeholder)
    targets: list[tuple[int, str | None]] = field(default_factory=list)


def read_table(
    path: Path,
    text: str,
    delimiter: str,
    source_lang: str,
    target_lang: str | None = None,
    lang_map: Mapping[str, str] | None = None,
) -> list[GlossaryEntry]:
    """Return the entries of a glossary table's text, one per row and target column."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"{path}: malformed table: {exc}") from None
    if not rows:
        raise InputError(f"{path}: empty; a glossary table starts with a header row")
    columns = _columns(path, rows[0], source_lang, target_lang, lang_map)
    entries = []
    for number, row in enumerate(rows[1:], start=2):
        entries.extend(_row(path, number, row, columns, source_lang, target_lang, lang_map))
    return entries


def _name(header: str) -> str:
    return " ".join(header.replace("_", " ").replace("-", " ").casefold().split())


def _columns(
    path: Path,
    header: list[str],
    source_lang: str,
    target_lang: str | None,
    lang_map: Mapping[str, str] | None,
) -> _Columns:
    found = _Columns()
    by_code: list[tuple[int, str]] = []
    others: list[str] = []
    for index, raw in enumerate(header):
        name = _name(raw)
        if name in SOURCE and found.source is None:
            found.source = index
        elif name in TARGET:
            found.targets.append((index, None))
        elif name in NOTE:
            found.notes.append(index)
        elif name in LANGUAGE:
            found.language = index
        elif name in POS:
            found.pos = index
        elif name in STATUS:
            found.status = index
        elif name in DNT:
            found.dnt = index
        elif name in CONCEPT:
            found.concept = index
        elif (code := _column_language(raw, lang_map, source_lang)) is not None:
            by_code.append((index, code))
    for index, code in by_code:
        if code == source_lang:
            found.source = index if found.source is None else found.source
            continue
        where = f"column {header[index].strip()!r}"
        lang = code or target_language(
            path, header[index], target_lang, lang_map, where, source_lang
        )
        if target_lang is None or lang == target_lang:
            found.targets.append((index, lang))
        else:
            others.append(lang)
    if found.source is None:
        names = f"source, term or {source_lang}"
        raise InputError(f"{path}: the header row names no source term column ({names})")
    if not found.targets and others:
        raise InputError(f"{path}: no {target_lang} column (the table has {', '.join(others)})")
    if not found.targets and target_lang is None:
        raise InputError(f"{path}: the table has no target column or language; give --to")
    return found


def _column_language(
    header: str, lang_map: Mapping[str, str] | None, source: str | None = None
) -> str | None:
    """Return a column's language code, "" for a placeholder (``xx``), None if not a language.

    >>> [_column_language(h, {"mm": "my"}) for h in ("my", "hi-IN", "xx", "mm", "domain")]
    ['my', 'hi', '', 'my', None]
    """
    tag = header.strip()
    if tag.lower() in ("xx", "und"):
        return ""
    code = usable_language(tag, lang_map, source)
    mapped = {k.lower().replace("_", "-") for k in lang_map or {}}
    if code is None or tag.lower().replace("_", "-") in mapped:
        return code
    from pipeline.locale import parse_language

    try:
        parse_language(tag)
    except LanguageError:
        return None
    return code


def _cell(row: list[str], index: int | None) -> str:
    return " ".join(row[index].split()) if index is not None and index < len(row) else ""


def _row(
    path: Path,
    number: int,
    row: list[str],
    columns: _Columns,
    source_lang: str,
    target_lang: str | None,
    lang_map: Mapping[str, str] | None,
) -> list[GlossaryEntry]:
    term = _cell(row, columns.source)
    if not term:
        return []
    dnt = is_yes(_cell(row, columns.dnt))
    pairs: list[tuple[str, str]] = []
    for index, lang in columns.targets:
        if lang is None:
            value = _cell(row, columns.language) or None
            if value is None and dnt:
                # Kept as written in every language: it needs none (ANY_LANGUAGE).
                lang = target_lang or ANY_LANGUAGE
            else:
                lang = target_language(
                    path, value, target_lang, lang_map, f"row {number}", source_lang
                )
        if target_lang is None or lang == target_lang:
            pairs.append((lang, _cell(row, index)))
    if not columns.targets and target_lang is not None:
        pairs.append((target_lang, ""))  # a source-only list: dnt terms, terms to look up
    notes = dict.fromkeys(n for n in (_cell(row, i) for i in columns.notes) if n)
    return [
        GlossaryEntry(
            source_lang,
            lang,
            term,
            target,
            status=term_status(_cell(row, columns.status)),
            dnt=dnt,
            pos=_cell(row, columns.pos),
            note="; ".join(notes),
            origin=str(path),
            concept=_cell(row, columns.concept) or str(number),
        )
        for lang, target in pairs
    ]
