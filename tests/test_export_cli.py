"""`pipeline export` through typer: output, stdout, and one clear line for each bad input."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli.export import export, register
from tests.exportkit import Kit, build, review_all

runner = CliRunner()


def make_app() -> typer.Typer:
    """Return an app holding only the export command, as the lead's app will."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    return app


APP = make_app()


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Kit]:
    """Return the export kit; the CLI opens the same store file on its own connection."""
    built = build(tmp_path)
    yield built
    built.store.close()


def cli(*args: str) -> tuple[int, str, str]:
    """Run `export` in-process and return exit code, stdout and stderr."""
    result = runner.invoke(APP, ["export", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code: int, out: str, err: str) -> str:
    """Assert a failure printed one line on stderr and nothing on stdout; return the line."""
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    return err


def test_help_ends_with_an_example() -> None:
    """`export --help` lists the formats and ends with an example."""
    code, out, _ = cli("--help")
    assert code == 0 and "xliff12" in out and "article" in out
    assert "Example: pipeline export --format xliff12 --to my article.md -o article.my.xlf" in out
    assert (export.__doc__ or "").rstrip().splitlines()[-1].strip().startswith("Example: ")


def test_writes_a_file_and_says_so(kit: Kit, tmp_path: Path) -> None:
    """An export to a file writes it and prints the format, unit count and path."""
    path = tmp_path / "out.xlf"
    code, out, err = cli("--format", "xliff", "--to", "my,hi", "-o", str(path))
    assert code == 0 and err == ""
    assert out == f"xliff12: {len(kit.unit_ids())} units (my, hi) to {path}\n"
    assert path.read_bytes().count(b"<file ") == 8


def test_stdout_gets_only_the_data(kit: Kit) -> None:
    """With -o -, the file goes to stdout and the summary to stderr."""
    code, out, err = cli(
        "-f", "csv", "--to", "my", "--state", "reviewed", str(kit.seed.id), "-o", "-"
    )
    assert code == 0
    rows = out.splitlines()
    assert rows[0].startswith("id,document_id") and len(rows) == 3
    assert err == "csv: 2 units (my) to standard output\n"


def test_article_with_allow_draft(kit: Kit, tmp_path: Path) -> None:
    """An article export with drafts opens with the DRAFT line; without them it stops."""
    review_all(kit, kit.script, "my")
    code, out, err = cli("-f", "article", "--to", "my", kit.seed.uri, "-o", "-")
    assert "no reviewed or final translation" in one_line_error(code, out, err)
    assert code == 9
    path = tmp_path / "script.my.txt"
    code, out, _ = cli("-f", "article", "--to", "my", str(kit.script.id), "-o", str(path))
    assert code == 0 and path.read_text().startswith("«OFFICIALS WROTE <SCRIPT>")


def test_bad_format_is_one_line() -> None:
    """An unknown format fails with one line listing the formats, exit 2."""
    code, out, err = cli("--format", "docx", "--to", "my", "-o", "x.docx")
    assert "unknown export format 'docx'; choose one of xliff12" in one_line_error(code, out, err)
    assert code == 2


def test_unknown_language_is_one_line(kit: Kit, tmp_path: Path) -> None:
    """An unknown target language fails with one line before anything is written."""
    path = tmp_path / "out.po"
    code, out, err = cli("-f", "po", "--to", "my,qq-zz", "-o", str(path))
    assert "unknown language 'qq-zz'" in one_line_error(code, out, err)
    assert not path.exists()


def test_unwritable_output_is_one_line(kit: Kit, tmp_path: Path) -> None:
    """An -o path in a missing folder, or under a file, fails with one line and no file."""
    code, out, err = cli("-f", "tmx", "--to", "my", "-o", str(tmp_path / "missing" / "a.tmx"))
    assert "folder" in one_line_error(code, out, err) and "does not exist" in err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = cli("-f", "tmx", "--to", "my", "-o", str(blocker / "a.tmx"))
    assert "cannot write" in one_line_error(code, out, err)
    assert list(tmp_path.glob("**/*.tmx")) == [] and list(tmp_path.glob("**/*.tmp")) == []


def test_several_files_to_stdout_is_one_line(kit: Kit) -> None:
    """A PO export in two languages to stdout asks for a folder, in one line."""
    code, out, err = cli("-f", "po", "--to", "my,hi", "-o", "-")
    assert "-o must be a folder" in one_line_error(code, out, err)


def test_folder_output_one_file_per_language(kit: Kit, tmp_path: Path) -> None:
    """PO in two languages goes to a folder as one catalog each; -o new/ creates the folder."""
    folder = tmp_path / "catalogs"
    code, out, _ = cli("-f", "po", "--to", "my,hi", "-o", str(folder))
    assert "-o must be a folder" in one_line_error(code, out, _) and not folder.exists()
    code, out, _ = cli("-f", "po", "--to", "my,hi", "-o", f"{folder}/")
    assert code == 0 and len(out.splitlines()) == 2
    assert sorted(p.name for p in folder.iterdir()) == ["export.hi.po", "export.my.po"]


def test_bad_state_and_missing_options_are_one_line(kit: Kit) -> None:
    """A bad --state, or no --format or -o, fails with one line naming what to give."""
    assert "unknown state 'done'" in one_line_error(*cli("-f", "po", "--state", "done", "-o", "-"))
    assert "--format" in one_line_error(*cli("--to", "my", "-o", "-"))
    assert "-o PATH" in one_line_error(*cli("-f", "po", "--to", "my"))


def test_unknown_document_is_one_line(kit: Kit) -> None:
    """A document that is not in the store fails with one line."""
    assert "no document 'nope.txt'" in one_line_error(*cli("-f", "tmx", "nope.txt", "-o", "-"))


def test_importing_the_command_loads_no_format_code() -> None:
    """Registering the command imports neither lxml nor babel nor any format module."""
    probe = (
        "import sys, typer; from pipeline.cli.export import register; register(typer.Typer());"
        "print([m for m in ('lxml', 'babel', 'pipeline.formats.tmx', 'pipeline.export')"
        " if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
