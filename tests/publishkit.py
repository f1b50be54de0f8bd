"""Publishing through the CLI as a newsroom does: ingest, draft, review an XLIFF file, export."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from lxml import etree
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()
XLIFF = "{urn:oasis:names:tc:xliff:document:1.2}"


def cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process and return exit code, stdout and stderr."""
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def article(folder: Path, name: str, text: str) -> Path:
    """Write an article file and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def ingest_and_draft(path: Path, langs: str) -> None:
    """Ingest an article and make pseudo drafts of it in the languages (comma-separated)."""
    assert cli("ingest", str(path))[0] == 0
    code, _, err = cli("translate", str(path), "--to", langs, "--engine", "pseudo")
    assert code == 0, err


def review_by_xliff(
    path: Path, lang: str, targets: Mapping[str, str], reviewer: str = "Asha"
) -> tuple[int, str, str]:
    """Export the article's XLIFF 1.2, sign off the given targets (by source), import it back."""
    xliff = path.with_name(f"{path.stem}.{lang}.xlf")
    code, _, err = cli("export", "--format", "xliff12", "--to", lang, str(path), "-o", str(xliff))
    assert code == 0, err
    tree = etree.parse(str(xliff))
    for unit in tree.iter(f"{XLIFF}trans-unit"):
        source_element = unit.find(f"{XLIFF}source")
        source = "".join(source_element.itertext())
        if source not in targets:
            continue
        target = unit.find(f"{XLIFF}target")
        if target is None:
            target = etree.Element(f"{XLIFF}target")
            source_element.addnext(target)
        target.clear()
        target.text = targets[source]
        target.set("state", "signed-off")
        unit.set("approved", "yes")
    tree.write(str(xliff), encoding="UTF-8", xml_declaration=True)
    return cli("review", "import", str(xliff), "--reviewer", reviewer)


def export_article(path: Path, lang: str, out: Path, *options: str) -> tuple[int, str, str]:
    """Export the article in one language to a file."""
    return cli("export", "--format", "article", "--to", lang, str(path), "-o", str(out), *options)
