"""Text that looks like the pipeline's own markers is text, in every marked form and at the desk.

An article whose sentences hold a literal ``<1>``, ``</1>``, ``<2/>``, ``{1}`` and
``{{p:0}}`` beside a real link is ingested and pseudo-translated; a translator then copies
each source into its target in a PO, TSV, CSV or JSONL file (with the tools a translator
has: babel for PO, the csv and json modules), and the import stores exactly the source's
text and codes. The desk saves the same copy (what its copy-source button sends), and its
script writes the marked form as :func:`pipeline.inline.marked` does.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pipeline.desk.app import DeskConfig, create_app
from pipeline.inline import marked, read_markers
from pipeline.records import Code, CodeType, Segment
from pipeline.store import open_store
from tests.test_cli import cli, store_path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (
    "Press <1> to [open the map](https://example.org/map), then </1> and <2/>.\n\n"
    "A template writes {1} and {{p:0}} where a \\\\<1> stood.\n"
)
LITERALS = ("<1>", "</1>", "<2/>", "{1}", "{{p:0}}")


@pytest.fixture
def article(tmp_path: Path) -> Path:
    """Return a pseudo-translated Markdown article whose text holds marker-like text."""
    path = tmp_path / "markers.md"
    path.write_text(ARTICLE, encoding="utf-8")
    assert cli("ingest", str(path))[0] == 0
    assert cli("translate", str(path), "--engine", "pseudo", "--to", "my")[0] == 0
    return path


def stored() -> list[tuple[Segment, str, tuple[Code, ...]]]:
    """Return each segment with its Burmese target's text and codes."""
    with open_store(str(store_path())) as db:
        doc = db.documents()[0]
        found = db.translations(doc.id, "my")
        return [(s, found[s.id].text, found[s.id].codes) for s in db.segments(doc.id)]


def copied_po(path: Path) -> None:
    """Copy every msgid into its msgstr with babel, as a PO editor would, and approve it."""
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    out = io.BytesIO()
    write_po(out, catalog, width=40)  # babel wraps long strings: the reader must join them
    path.write_bytes(out.getvalue())


def copied_table(path: Path, delimiter: str) -> None:
    """Copy every source cell into the Burmese target and mark it reviewed."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=delimiter))
    for row in rows:
        row["target:my"], row["state:my"] = row["source"], "reviewed"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)


def copied_jsonl(path: Path) -> None:
    """Copy each segment's marked form into the Burmese target's and mark it reviewed."""
    lines = []
    for line in path.read_text("utf-8").splitlines():
        row = json.loads(line)
        row["targets"]["my"]["marked"] = row["segment"]["marked"]
        row["targets"]["my"]["state"] = "reviewed"
        lines.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", "utf-8")


COPIERS = {
    "po": copied_po,
    "tsv": lambda path: copied_table(path, "\t"),
    "csv": lambda path: copied_table(path, ","),
    "jsonl": copied_jsonl,
}


def test_the_article_holds_the_literals_as_text(article: Path) -> None:
    """Ingest keeps each marker-like text as text beside the link's real codes."""
    sources = "".join(seg.source for seg, _, _ in stored())
    assert all(literal in sources for literal in LITERALS)
    assert "\\<1>" in sources
    assert any(seg.codes for seg, _, _ in stored())


@pytest.mark.parametrize("fmt", list(COPIERS))
def test_a_copied_source_imports_as_its_own_text(article: Path, fmt: str, tmp_path: Path) -> None:
    """A target copied from its source (PO, TSV, CSV, JSONL) stores the source's text and codes."""
    path = tmp_path / f"markers.my.{fmt}"
    assert cli("export", "--format", fmt, "--to", "my", str(article), "-o", str(path))[0] == 0
    assert "\\<1>" in path.read_text("utf-8")  # escaped in the file, readable to a translator
    COPIERS[fmt](path)
    code, out, err = cli("review", "import", str(path), "--reviewer", "Thida")
    assert code == 0, out + err
    for seg, text, codes in stored():
        assert text == seg.source
        assert [(c.id, c.type, c.at) for c in codes] == [(c.id, c.type, c.at) for c in seg.codes]


def test_the_desk_saves_a_copied_source(article: Path) -> None:
    """The desk's copy-source then save stores the source's text, marker-like text included."""
    config = DeskConfig(str(store_path()), "s3cret", ("my",))
    with TestClient(create_app(config)) as client:
        assert client.get("/?token=s3cret", follow_redirects=False).status_code == 303
        for seg, _, _ in stored():
            with open_store(str(store_path())) as db:
                base = db.revision_ids(seg.document_id, "my")[seg.id]
            body = {
                "segment": seg.id,
                "lang": "my",
                "text": marked(seg.source, seg.codes),  # what the editor sends after copy-source
                "reviewer": "Thida",
                "base": base,
            }
            response = client.post("/api/save", json=body, headers={"X-Desk-CSRF": config.csrf})
            assert response.status_code == 200, response.text
    for seg, text, codes in stored():
        assert (text, codes) == (seg.source, seg.codes)


CHIP_RUNS: list[list[str | Code]] = [
    [
        "Press <1> to ",
        Code(1, CodeType.OPEN, "a", "", 0),
        "map\\",
        Code(1, CodeType.CLOSE, "a", "", 0),
    ],
    ["a \\</2> b\\\\", Code(2, CodeType.STANDALONE, "br", "", 0), "end \\"],
    ["{1} {{p:0}} <x/> </1/> <12>"],
]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the desk's script")
@pytest.mark.parametrize("runs", CHIP_RUNS)
def test_the_desk_script_writes_the_marked_form(runs: list[str | Code]) -> None:
    """The desk's script serialises typed text and chips exactly as marked() writes them."""
    text, codes = "", []
    for run in runs:
        if isinstance(run, str):
            text += run
        else:
            codes.append(run.moved(len(text)))
    chip = {CodeType.OPEN: "<{}>", CodeType.CLOSE: "</{}>", CodeType.STANDALONE: "<{}/>"}
    nodes = [
        {"text": run} if isinstance(run, str) else {"marker": chip[run.type].format(run.id)}
        for run in runs
    ]
    script = (ROOT / "pipeline" / "desk" / "static" / "desk.js").read_text("utf-8")
    functions = script[script.index("function serialise") : script.index("function chipCount")]
    program = (
        "globalThis.Node = {TEXT_NODE: 3, ELEMENT_NODE: 1};\n"
        + functions
        + "\nconst nodes = JSON.parse(process.argv[1]).map((n) => n.text !== undefined"
        " ? {nodeType: 3, textContent: n.text}"
        " : {nodeType: 1, tagName: 'SPAN', classList: {contains: (c) => c === 'chip'},"
        " dataset: {marker: n.marker}});\n"
        "process.stdout.write(serialise({childNodes: nodes}));\n"
    )
    shown = subprocess.run(
        ["node", "-e", program, json.dumps(nodes)], capture_output=True, text=True, check=True
    ).stdout
    assert shown == marked(text, codes)
    plain, found = read_markers(shown)
    assert plain == text
    assert [(c.id, c.type, c.at) for c in found] == [(c.id, c.type, c.at) for c in codes]
