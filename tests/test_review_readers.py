"""The review readers of TMX, TSV, CSV and JSONL exports, and the line a wrong file gets.

A memory TMX (``pipeline tm export``, or another tool's) given to ``review import`` says to
use ``pipeline tm import``; an article says it is one; a memory table says where it goes;
``tm import`` of a file it cannot read lists every format it reads. The new readers, fed
damaged exports, fail only with the pipeline's own one-line errors.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given

from pipeline.export import ExportRequest, export
from pipeline.store import open_store
from tests.exportkit import build_coded
from tests.test_cli import cli
from tests.test_fuzz import TMX, bounded, damaged, fuzz_settings

ARTICLE = "# Police cross\n\nAt least 19 officers crossed the border. Nobody else did.\n"
EVERY_FORMAT = "XLIFF 1.2/2.0, PO, TMX, TSV, CSV and JSONL"


@pytest.fixture
def reviewed(tmp_path: Path) -> Path:
    """Return an article ingested, pseudo-translated, exported as TSV and approved back."""
    path = tmp_path / "a.md"
    path.write_text(ARTICLE, "utf-8")
    assert cli("ingest", str(path))[0] == 0
    assert cli("translate", str(path), "--engine", "pseudo", "--to", "my")[0] == 0
    table = tmp_path / "a.tsv"
    assert cli("export", "--format", "tsv", "--to", "my", "-o", str(table))[0] == 0
    rows = table.read_text("utf-8").splitlines()
    columns = rows[0].split("\t")
    target, state = columns.index("target:my"), columns.index("state:my")
    edited = [rows[0]]
    for row in rows[1:]:
        cells = row.split("\t")
        cells[target], cells[state] = "ရဲ " + cells[columns.index("source")], "reviewed"
        edited.append("\t".join(cells))
    table.write_text("\n".join(edited) + "\n", "utf-8")
    code, out, err = cli("review", "import", str(table), "--reviewer", "Thida")
    assert code == 0 and "applied 3," in out, out + err
    return path


def refused(*args: str) -> str:
    """Run a command that must fail in one line; return that line."""
    code, out, err = cli(*args)
    assert code != 0, out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_memory_tmx_is_sent_to_tm_import(reviewed: Path, tmp_path: Path) -> None:
    """``tm export`` output and another tool's TMX, given to review import, name tm import."""
    memory = tmp_path / "memory.tmx"
    assert cli("tm", "export", "-o", str(memory))[0] == 0
    foreign = tmp_path / "omegat.tmx"
    foreign.write_bytes(TMX)
    for path in (memory, foreign):
        line = refused("review", "import", str(path), "--reviewer", "Thida")
        assert "translation memory" in line and "pipeline tm import" in line


def test_our_tmx_export_reimported_to_memory_is_still_memory(
    reviewed: Path, tmp_path: Path
) -> None:
    """Our TMX export, taken into memory and exported again by tm export, is memory."""
    ours = tmp_path / "a.tmx"
    assert cli("export", "--format", "tmx", "--to", "my", "-o", str(ours))[0] == 0
    code, out, _ = cli("review", "import", str(ours), "--reviewer", "Thida")
    assert code == 0 and "applied 0, unchanged 3, conflicts 0" in out, out
    code, out, _ = cli("tm", "import", str(ours))
    assert code == 0 and "0 entries added" in out, out
    memory = tmp_path / "memory.tmx"
    assert cli("tm", "export", "-o", str(memory))[0] == 0
    assert "pipeline tm import" in refused("review", "import", str(memory))


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("notes.md", ARTICLE, "an article, not a review file"),
        ("notes.txt", "# not a PO comment\nplain words\n", "an article, not a review file"),
        ("page.xml", "<!DOCTYPE html><html><body><p>x</p></body></html>", "an HTML page"),
        ("memory.csv", "source,target\nPolice,ရဲ\n", "for a memory table use pipeline tm import"),
        ("broken.jsonl", '{"id": "s1"}\n', "line 1: not a unit of a pipeline export"),
        ("noise", "just words, nothing else\n", "not a review file"),
    ],
)
def test_a_wrong_file_says_what_it_is(name: str, data: str, says: str, tmp_path: Path) -> None:
    """A file review import cannot take is one line saying what it is, never 'not a valid PO'."""
    path = tmp_path / name
    path.write_text(data, "utf-8")
    line = refused("review", "import", str(path), "--to", "my")
    assert says in line and "PO file" not in line


def test_tm_import_lists_every_format_it_reads(reviewed: Path, tmp_path: Path) -> None:
    """``tm import`` of an article lists every format it reads; a JSONL export is one of them."""
    notes = tmp_path / "notes.md"
    notes.write_text(ARTICLE, "utf-8")
    assert EVERY_FORMAT in refused("tm", "import", str(notes))
    lines = tmp_path / "a.jsonl"
    assert cli("export", "--format", "jsonl", "--to", "my", "-o", str(lines))[0] == 0
    code, out, err = cli("tm", "import", str(lines))
    assert code == 0 and "0 entries added, 3 already held" in out, out + err


def seeds() -> list[bytes]:
    """Return exports of a coded article in each format the new readers take."""
    with tempfile.TemporaryDirectory() as folder, open_store(f"{folder}/seeds.db") as store:
        build_coded(store)
        found = []
        for fmt in ("tsv", "csv", "jsonl", "tmx"):
            out = io.BytesIO()
            export(store, ExportRequest(fmt, ("my",)), out)
            found.append(out.getvalue())
    return found


SEEDS = seeds()


@pytest.mark.parametrize("suffix", [".tsv", ".csv", ".jsonl", ".tmx", ".txt"])
@fuzz_settings(100)
@given(data=damaged(SEEDS, xml=False))
def test_the_new_readers_never_crash(tmp_path: Path, data: bytes, suffix: str) -> None:
    """Damaged TSV, CSV, JSONL and TMX exports fail only with a one-line pipeline error."""
    from pipeline.review import read

    path = tmp_path / f"r{suffix}"
    path.write_bytes(data)
    found = bounded(lambda: read(path))
    assert found is None or found.units  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", ["xliff12", "xliff20", "po", "tmx", "tsv", "csv", "jsonl"])
def test_each_unit_names_the_document_the_file_says(fmt: str, tmp_path: Path) -> None:
    """Every reader gives each unit the document its export names (PO: the id alone)."""
    from pipeline.review import read

    with open_store(str(tmp_path / "named.db")) as store:
        build_coded(store)
        (document,) = store.documents()
        path = tmp_path / f"a.{fmt}"
        with path.open("wb") as out:
            export(store, ExportRequest(fmt, ("my",)), out)
    wanted = f"document {document.id}"
    if fmt != "po":
        wanted = f"{document.uri} ({wanted})"
    assert {unit.document for unit in read(path).units} == {wanted}


@pytest.mark.parametrize("fmt", ["xliff12", "xliff20", "po", "tmx", "tsv", "csv", "jsonl"])
def test_a_bom_and_crlf_line_ends_change_nothing(fmt: str, tmp_path: Path) -> None:
    """An export saved by a Windows editor (BOM, CRLF line ends) still imports as a no-op."""
    from pipeline.review import read
    from pipeline.review.apply import import_review

    with open_store(str(tmp_path / "bom.db")) as store:
        build_coded(store)
        path = tmp_path / f"a.{fmt}"
        out = io.BytesIO()
        export(store, ExportRequest(fmt, ("my",)), out)
        lines = out.getvalue().replace(b"\r\n", b"\n").split(b"\n")
        path.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join(lines))
        report = import_review(store, read(path), to="my", reviewer="Thida")
        assert (report.applied, report.conflicts) == (0, ())
        assert report.unchanged == len(store.segments(store.documents()[0].id))
