"""Read the pipeline's own TSV and CSV exports (``export --format tsv|csv``) back as reviewed units.

The header names the languages: each ``target:LANG`` column with its ``state:LANG`` makes
one unit per row in LANG. ``source`` and the targets hold the marked form of
:func:`pipeline.inline.marked` (``<1>…</1>``, ``<2/>``; ``\\<1>`` is text). An empty target
is no target; a language whose cells are all empty (left out by a state filter) gives no
unit. Cells are read as the csv module wrote them: quotes, tabs, CR and LF inside a cell,
and a UTF-8 BOM before the header, which spreadsheets add, is dropped. The mark the
export puts before a cell a spreadsheet would run as a formula (``'=…``) is taken off
(:func:`pipeline.formats.table.restore`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline.formats.table import restore_row
from pipeline.inline import read_markers
from pipeline.review import ReviewFile, ReviewUnit, given_state
from pipeline.review.documents import document_name
from pipeline.review.errors import ReviewFileError


def read(path: Path) -> ReviewFile:
    """Read every row of a TSV or CSV export, one unit per row and target language."""
    from pipeline.review import _read_bytes

    data = _read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewFileError(f"{path.name}: not UTF-8 text at byte {exc.start}") from None
    delimiter = "\t" if "\t" in text.partition("\n")[0] else ","
    rows = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        columns = rows.fieldnames or []
        langs = [c.partition(":")[2] for c in columns if c.startswith("target:")]
        if "id" not in columns or "source" not in columns or not langs:
            raise ReviewFileError(
                f"{path.name}: not a pipeline table: the header needs id, source and "
                "target:LANG columns (for a memory table use pipeline tm import)"
            )
        units = [
            unit for row in map(restore_row, rows) for lang in langs if (unit := _unit(row, lang))
        ]
    except csv.Error as exc:
        raise ReviewFileError(f"{path.name}: malformed table: {exc}") from None
    return ReviewFile(path, "csv" if delimiter == "," else "tsv", tuple(units))


def _unit(row: dict[str, str | None], lang: str) -> ReviewUnit | None:
    """Return a row's unit in one language; None when the language was left out of the row."""
    cells = {c: row.get(f"{c}:{lang}") or "" for c in ("target", "state")}
    if not any(cells.values()):
        return None
    source, source_codes = read_markers(row.get("source") or "")
    target, target_codes = read_markers(cells["target"])
    state, problem = given_state(cells["state"])
    return ReviewUnit(
        unit_id=row.get("id") or "",
        source=source,
        target=target if cells["target"] else None,
        state=state,
        source_codes=source_codes,
        target_codes=target_codes,
        target_lang=lang,
        problem=problem,
        document=document_name(row.get("document_uri"), row.get("document_id")),
    )
