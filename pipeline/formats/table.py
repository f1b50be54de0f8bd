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


def generate_rows(units: Iterable[Unit], options: ExportOptions) -> Iterator[list[str]]:
    """Yield the header row, then one row of cells per unit."""
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
