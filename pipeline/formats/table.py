"""TSV and CSV tables, written with the csv module: one header row, then one row per unit.

Columns: ``id`` (the unit id, ``s<segment id>``), ``document_id``, ``document_uri``,
``document_version``, ``paragraph``, ``sentence``, ``kind``, ``source``, then for each
target language LANG: ``target:LANG``, ``state:LANG``, ``origin:LANG``,
``signature:LANG``, ``score:LANG``, ``author:LANG``, ``updated_at:LANG``, ``flags:LANG``
(QA flags joined with " | "), ``terms:LANG`` (the glossary terms found in the source) and
``matches:LANG`` (the fuzzy memory matches offered, each with what differs), both joined
with " | ". A segment with no translation has state ``initial`` and
empty cells; a language left out by a state filter has every cell empty, state too.
Inline codes: ``source`` and each ``target:LANG`` hold the readable marked form of
:func:`pipeline.inline.marked` (``<1>…</1>``, ``<2/>``, as in PO; text reading ``<1>`` is
written ``\\<1>``), and the last column,
``codes``, says what each code of the source stands for (the PO legend, joined with " | ").
CSV follows RFC 4180 (CRLF line ends, quotes doubled); TSV uses tabs and quotes only a
field holding a tab, quote or line break.

Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a CR (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``), and translations and document
paths come from outside. As OWASP recommends, such a cell is written with a single quote
before it (``'=HYPERLINK(…)``), which spreadsheets show as text; a signed number
(``-0.42``, a score) is left as it is, a number to a spreadsheet. So that the mark can be
told from text, a cell that starts with ``'`` followed by one of those characters or by
another ``'`` gets one too. Importing a table (``review import``, ``tm import``) removes
the mark (:func:`restore`), so a round trip gives back every cell exactly.
``ExportOptions.raw`` (``export --raw``) writes cells as stored, unmarked.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from pipeline.formats import (
    ExportOptions,
    exported_in,
    flag_line,
    match_lines,
    state_of,
    term_line,
    terms_of,
    write_chunks,
)
from pipeline.formats.po import legend
from pipeline.inline import marked
from pipeline.records import Translation, Unit

UNIT_COLUMNS = (
    "id",
    "document_id",
    "document_uri",
    "document_version",
    "paragraph",
    "sentence",
    "kind",
    "source",
)
TARGET_COLUMNS = (
    "target",
    "state",
    "origin",
    "signature",
    "score",
    "author",
    "updated_at",
    "flags",
    "terms",
    "matches",
)


def header(options: ExportOptions) -> list[str]:
    """Return the column names for the target languages."""
    return [
        *UNIT_COLUMNS,
        *(f"{column}:{lang}" for lang in options.target_langs for column in TARGET_COLUMNS),
        "codes",
    ]


# What starts a formula in a spreadsheet cell (OWASP, "CSV Injection").
FORMULA_STARTS = frozenset("=+-@\t\r")
MARK = "'"
# What follows the mark in a marked cell: a formula's start, or the mark itself.
_MARKED_NEXT = FORMULA_STARTS | {MARK}
# A signed number ("-0.42", a model's score) is a number to a spreadsheet, never a formula.
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def neutralise(cell: str) -> str:
    """Return a cell a spreadsheet shows as text: marked with ``'`` if it could run.

    >>> [neutralise(c) for c in ("=1+1", "-1+1", "'=x", "''", "'plain", "plain", "")]
    ["'=1+1", "'-1+1", "''=x", "'''", "'plain", 'plain', '']
    >>> neutralise("-0.42"), neutralise("'-0.42")
    ('-0.42', "''-0.42")
    """
    if cell[:1] == MARK and cell[1:2] in _MARKED_NEXT:
        return MARK + cell
    if cell[:1] in FORMULA_STARTS and not _NUMBER.fullmatch(cell):
        return MARK + cell
    return cell


def restore(cell: str) -> str:
    """Return a cell as it was before :func:`neutralise`.

    >>> [restore(c) for c in ("'=1+1", "'-1+1", "''=x", "'''", "'plain", "plain", "-0.42")]
    ['=1+1', '-1+1', "'=x", "''", "'plain", 'plain', '-0.42']
    """
    return cell[1:] if cell[:1] == MARK and cell[1:2] in _MARKED_NEXT else cell


def restore_row(row: dict[str, str | None]) -> dict[str, str | None]:
    """Return a row read back from an export with each cell as :func:`restore` gives it."""
    return {column: restore(cell) if cell else cell for column, cell in row.items()}


def generate_rows(units: Iterable[Unit], options: ExportOptions) -> Iterator[list[str]]:
    """Yield the header row, then one row of cells per unit, neutralised unless raw."""
    for row in _rows(units, options):
        yield row if options.raw else [neutralise(cell) for cell in row]


def _rows(units: Iterable[Unit], options: ExportOptions) -> Iterator[list[str]]:
    """Yield the header row, then one row of cells per unit, as stored."""
    yield header(options)
    for unit in units:
        doc, seg = unit.document, unit.segment
        row = [
            unit.unit_id,
            str(doc.id),
            doc.uri,
            str(doc.version),
            str(seg.paragraph),
            str(seg.sentence),
            seg.kind.value,
            marked(seg.source, seg.codes),
        ]
        for lang in options.target_langs:
            if exported_in(unit, lang):
                row.extend(_target_cells(unit.translations.get(lang)))
                row.append(" | ".join(term_line(hit) for hit in terms_of(unit, lang, options)))
                row.append(
                    " | ".join(
                        " — ".join(match_lines(m, seg.source)) for m in unit.matches.get(lang, ())
                    )
                )
            else:  # left out by a state filter: blank, not "initial"
                row.extend("" for _ in TARGET_COLUMNS)
        row.append(" | ".join(legend(seg.codes)))
        yield row


def _target_cells(t: Translation | None) -> list[str]:
    if t is None:
        return ["", state_of(None).value, "", "", "", "", "", ""]
    return [
        marked(t.text, t.codes),
        t.state.value,
        t.origin.value,
        str(t.signature) if t.signature else "",
        repr(t.score) if t.score is not None else "",
        t.author,
        t.updated_at,
        " | ".join(flag_line(flag) for flag in t.flags),
    ]


def generate_table(
    units: Iterable[Unit], options: ExportOptions, dialect: type[csv.Dialect]
) -> Iterator[str]:
    """Yield the table's text row by row in a csv dialect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=dialect)
    for row in generate_rows(units, options):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


class TabSeparated(csv.excel_tab):
    """Tabs between fields, LF line ends, quotes only where a field needs them."""

    lineterminator = "\n"


# What makes a TSV field quoted. The csv module quotes a field holding the line terminator
# but not a lone CR, which readers take as a line end: such a row would come back split.
_TSV_QUOTED = re.compile('[\t"\r\n]')


def tsv_field(value: str) -> str:
    """Return one TSV field: quoted, quotes doubled, when it holds a tab, quote or line break.

    >>> [tsv_field(v) for v in ("plain", "two\\tcells", 'say "hi" now', "cr\\r")]
    ['plain', '"two\\tcells"', '"say ""hi"" now"', '"cr\\r"']
    """
    if _TSV_QUOTED.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def generate_tsv(units: Iterable[Unit], options: ExportOptions) -> Iterator[str]:
    """Yield the TSV table row by row (the csv module's excel-tab reading, LF line ends)."""
    for row in generate_rows(units, options):
        yield "\t".join(tsv_field(value) for value in row) + TabSeparated.lineterminator


def write_csv(units: Iterable[Unit], out: BinaryIO, options: ExportOptions) -> None:
    """Write units as an RFC 4180 CSV table."""
    write_chunks(generate_table(units, options, csv.excel), out)


def write_tsv(units: Iterable[Unit], out: BinaryIO, options: ExportOptions) -> None:
    """Write units as a tab-separated table."""
    write_chunks(generate_tsv(units, options), out)
