"""The CLI: every verb end to end on real files, and one clear line for each bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process and return exit code, stdout and stderr."""
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def store_path() -> Path:
    return Path(os.environ["PIPELINE_STORE"])


def all_commands() -> list[list[str]]:
    """Return the path of every command, sub-apps included."""
    import typer.main

    group = typer.main.get_command(app)
    paths = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        if subs:
            paths.extend([name, sub] for sub in subs)
        else:
            paths.append([name])
    return paths


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help_ending_with_an_example(path: list[str]) -> None:
    """Each command answers --help, and its help ends with an example."""
    code, out, _ = cli(*path, "--help")
    assert code == 0
    assert "Example: pipeline " + " ".join(path) in out


def test_help_imports_no_model_code() -> None:
    """`pipeline --help` loads neither ctranslate2 nor argostranslate, nor psycopg."""
    probe = (
        "import sys; from pipeline.cli import main; sys.argv = ['pipeline', '--help'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('ctranslate2', 'argostranslate', 'sentencepiece', 'lxml', 'psycopg')"
        " if m in sys.modules]\nprint('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_python_dash_m_runs_the_cli() -> None:
    """`python -m pipeline --help` works like the console script."""
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True, check=True
    )
    assert "ingest" in out.stdout and "translate" in out.stdout


def test_ingest_show_status_translate(seed: Path) -> None:
    """The seed article goes through ingest, show, translate (pseudo) and status."""
    code, out, _ = cli("ingest", str(seed))
    assert code == 0 and "version 1" in out
    code, out, _ = cli("show", str(seed), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and rows[0]["kind"] == "dateline" and rows[0]["source"] == "date 2021-03-05"
    assert {"id", "paragraph", "sentence", "kind", "source"} <= set(rows[0])
    code, out, _ = cli("show", "1")
    assert code == 0 and len(out.splitlines()) == len(rows)
    code, out, err = cli("translate", str(seed), "--to", "my", "--engine", "pseudo")
    credits = sum(1 for r in rows if r["kind"] == "credit")
    # The dateline's date is rendered from locale data, not sent to the (pseudo) engine.
    dates = sum(1 for r in rows if r["kind"] == "dateline")
    assert code == 0, err
    assert f"{len(rows) - credits - dates} PSEUDO-translated (not a translation)" in out
    assert f"{credits} skipped" in out
    code, out, _ = cli("status")
    line = next(x for x in out.splitlines() if "\tmy (Burmese — မြန်မာ)\t" in x)
    assert f"{len(rows) - credits} (" in line and f"{len(rows) - credits - dates} pseudo)" in line
    code, out, _ = cli("translate", str(seed), "--to", "my", "--engine", "pseudo")
    assert "0 translated" in out


def test_reingest_unchanged_changes_nothing(seed: Path) -> None:
    """Ingesting the same file twice reports it unchanged and keeps one version."""
    cli("ingest", str(seed))
    code, out, _ = cli("ingest", str(seed))
    assert code == 0 and "unchanged" in out


def test_edited_article_keeps_translations_of_unchanged_segments(tmp_path: Path) -> None:
    """A new version keeps translations for unchanged sentences and leaves edits pending."""
    article = tmp_path / "a.txt"
    article.write_text("Police crossed the border. Officials resigned.\n", encoding="utf-8")
    cli("ingest", str(article))
    cli("translate", "--to", "hi", "--engine", "pseudo")
    article.write_text("Police crossed the border. Officials quit.\n", encoding="utf-8")
    code, out, _ = cli("ingest", str(article))
    assert code == 0 and "version 2" in out and "1 kept" in out
    _, out, _ = cli("translate", str(article), "--to", "hi", "--engine", "pseudo")
    assert "1 PSEUDO-translated" in out


BAD_INPUTS = {
    "missing": (None, "does not exist|not found|no such"),
    "directory": ("dir", "directory"),
    "binary": (b"\x00\x01\x02binary\x00", "binary"),
    "latin1": ("Café au lait.".encode("latin-1"), "UTF-8"),
    "empty": (b"   \n\n", "empty"),
    "unknown": (b"Hello.", "unknown file type|extension"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_writes_nothing(case: str, tmp_path: Path) -> None:
    """Each bad input gets one line on stderr, a non-zero exit and no store written."""
    content, pattern = BAD_INPUTS[case]
    path = tmp_path / ("article.doc" if case == "unknown" else "article.txt")
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    code, out, err = cli("ingest", str(path))
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    import re

    assert re.search(pattern, err, re.IGNORECASE), err
    assert "Traceback" not in err + out
    assert not store_path().exists()


def test_bad_input_among_good_writes_nothing(seed: Path, tmp_path: Path) -> None:
    """One bad file among good ones stops the command before anything is stored."""
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    code, _, err = cli("ingest", str(seed), str(bad))
    assert code != 0 and "empty" in err
    assert not store_path().exists()


def test_unknown_document_is_one_line(seed: Path) -> None:
    """Showing a document that is not stored is one line and a non-zero exit."""
    cli("ingest", str(seed))
    code, _, err = cli("show", "does-not-exist.txt")
    assert code == 4 and err.startswith("error: no document")


@pytest.mark.parametrize("verb", [["show", "1"], ["status"], ["translate", "--to", "my"]])
def test_reading_commands_never_create_a_store(verb: list[str]) -> None:
    """Commands that only read say there is no store instead of creating an empty one."""
    code, _, err = cli(*verb)
    assert code != 0 and err.startswith("error: no store at")
    assert not store_path().exists()


def test_missing_model_names_install_command(seed: Path) -> None:
    """Translating into a language with no installed model names the install command."""
    cli("ingest", str(seed))
    code, _, err = cli("translate", "--to", "my")
    assert code != 0 and "pipeline models install en my" in err
    assert len(err.strip().splitlines()) == 1


def test_auto_engine_warns_and_marks_pseudo(seed: Path) -> None:
    """With no model installed, --engine auto pseudo-translates and says it is not a translation."""
    cli("ingest", str(seed))
    code, _, err = cli("translate", "--to", "hi", "--engine", "auto")
    assert code == 0 and "not a translation" in err


def test_qa_lists_flags_and_gates(tmp_path: Path) -> None:
    """`pipeline qa` lists stored flags; --fail-on error exits non-zero when one is found."""
    from pipeline.records import Origin, State, TranslationDraft
    from pipeline.store import open_store

    article = tmp_path / "a.txt"
    article.write_text("More than 1,500 have been arrested.\n", encoding="utf-8")
    cli("ingest", str(article))
    with open_store(str(store_path())) as db:
        (seg,) = db.segments(1)
        db.write_translations(
            [
                TranslationDraft(
                    seg.id, "hi", "१,६०० से अधिक लोग गिरफ्तार हुए।", State.TRANSLATED, Origin.HUMAN
                )
            ]
        )
    code, out, _ = cli("qa")
    assert code == 0 and out.strip() == "no QA flags"
    code, out, _ = cli("qa", "--recheck", "--fail-on", "error")
    assert code == 1 and "\thi\terror\tnumbers\t" in out and "1500" in out
    code, _, err = cli("qa", "--to", "xx-Klingon")
    assert code != 0 and "unknown language" in err


def test_unknown_target_language_is_one_line(seed: Path) -> None:
    """An unknown --to code is refused with one line before any work."""
    cli("ingest", str(seed))
    code, _, err = cli("translate", "--to", "qq", "--engine", "pseudo")
    assert code == 2 and err.startswith("error: unknown language 'qq'")


def test_zawgyi_article_is_converted_and_recorded(tmp_path: Path) -> None:
    """A Burmese article typed in Zawgyi is stored as Unicode and the store records it."""
    from pipeline.store import open_store

    article = tmp_path / "my.txt"
    article.write_text(
        "ရန္ကုန္ၿမိဳ႕တြင္ ဆႏၵျပသူမ်ား စုေဝးခဲ့ၾကသည္။ လူ ၁,၅၀၀ ေက်ာ္ကိုလည္း ဖမ္းဆီးထားသည္။\n",
        encoding="utf-8",
    )
    code, out, _ = cli("ingest", "--lang", "my", str(article))
    assert code == 0 and "normalised:" in out and "Zawgyi" in out
    with open_store(str(store_path())) as db:
        doc = db.document(str(article))
        sources = [s.source for s in db.segments(doc.id)]
    assert sources == [
        "ရန်ကုန်မြို့တွင် ဆန္ဒပြသူများ စုဝေးခဲ့ကြသည်။",
        "လူ ၁,၅၀၀ ကျော်ကိုလည်း ဖမ်းဆီးထားသည်။",
    ]
    assert any("Zawgyi" in change for change in doc.normalisation)


def test_unchanged_article_loads_no_model_code(seed: Path) -> None:
    """A second translate run with nothing pending imports neither ctranslate2 nor rich."""
    cli("ingest", str(seed))
    cli("translate", "--to", "my", "--engine", "pseudo")
    probe = (
        "import sys; from pipeline.cli import main;"
        " sys.argv = ['pipeline', 'translate', '--to', 'my', '--engine', 'argos']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print('LOADED', [m for m in ('ctranslate2', 'rich.progress') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "LOADED []" in out.stdout and "0 translated" in out.stdout


def test_unknown_engine_is_one_line(seed: Path) -> None:
    """An unknown --engine name is refused even when there is nothing to translate."""
    cli("ingest", str(seed))
    code, _, err = cli("translate", "--to", "my", "--engine", "deepl")
    assert code != 0 and "unknown engine 'deepl'" in err
