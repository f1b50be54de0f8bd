"""Read JSON Lines (``export --format jsonl``, or a script's own) back as reviewed units.

Each line is one object: ``id``, ``segment`` (``source`` and ``codes``) and ``targets``
mapping a language to ``null`` (no translation) or an object with ``text``, ``codes`` and
``state``. A script may edit either form of a target: the plain ``text`` with its
``codes``, or ``marked`` (``<1>…</1>``, ``<2/>``; ``\\<1>`` is text). Where ``marked`` no
longer says what ``text`` and ``codes`` say, ``marked`` is the edit. Only ids, types and
offsets of codes are read; their markup comes from the stored segment.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.inline import marked, read_markers
from pipeline.records import Code, CodeType, State
from pipeline.review import ReviewFile, ReviewUnit, given_state
from pipeline.review.documents import document_name
from pipeline.review.errors import ReviewFileError


class _BadLine(ValueError):
    """A line that is JSON but not a unit; the message says what is missing."""


def read(path: Path) -> ReviewFile:
    """Read every line of a JSONL file: one unit per line and target language."""
    from pipeline.review import _read_bytes

    try:
        text = _read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewFileError(f"{path.name}: not UTF-8 text at byte {exc.start}") from None
    units: list[ReviewUnit] = []
    # Only LF ends a line: the export escapes every other line break inside strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            units.extend(_units(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise ReviewFileError(f"{path.name}: line {number} is not JSON ({exc.msg})") from None
        except _BadLine as exc:
            raise ReviewFileError(f"{path.name}: line {number}: {exc}") from None
    return ReviewFile(path, "jsonl", tuple(units))


def _units(row: Any) -> list[ReviewUnit]:
    if not isinstance(row, dict) or not isinstance(row.get("segment"), dict):
        raise _BadLine("not a unit of a pipeline export (no 'segment' object)")
    segment, targets = row["segment"], row.get("targets") or {}
    if not isinstance(targets, dict):
        raise _BadLine("'targets' is not an object")
    source, source_codes = _coded(segment, "source")
    unit_id = str(row.get("id", ""))
    doc = row["document"] if isinstance(row.get("document"), dict) else {}
    document = document_name(doc.get("uri"), doc.get("id"))
    return [
        replace(_unit(unit_id, source, source_codes, str(lang), value), document=document)
        for lang, value in targets.items()
    ]


def _unit(
    unit_id: str, source: str, source_codes: tuple[Code, ...], lang: str, value: Any
) -> ReviewUnit:
    if value is None:
        return ReviewUnit(unit_id, source, None, State.INITIAL, source_codes, target_lang=lang)
    if not isinstance(value, dict):
        raise _BadLine(f"target {lang!r} is neither null nor an object")
    text, codes = _coded(value, "text")
    state, problem = given_state(value.get("state"))
    return ReviewUnit(
        unit_id=unit_id,
        source=source,
        target=text,
        state=state,
        source_codes=source_codes,
        target_codes=codes,
        target_lang=lang,
        problem=problem,
    )


def _coded(value: dict[str, Any], key: str) -> tuple[str, tuple[Code, ...]]:
    """Return the plain text and codes of a segment or target; ``marked`` wins if edited."""
    text = value.get(key)
    if not isinstance(text, str):
        raise _BadLine(f"no {key!r} string")
    codes = _codes(value.get("codes") or [])
    shown = value.get("marked")
    if isinstance(shown, str) and shown != marked(text, codes):
        return read_markers(shown)
    return text, codes


def _codes(rows: Any) -> tuple[Code, ...]:
    try:
        return tuple(Code(int(c["id"]), CodeType(c["type"]), "", "", int(c["at"])) for c in rows)
    except (KeyError, TypeError, ValueError):
        raise _BadLine("a code without a numeric id, a type and an offset") from None
