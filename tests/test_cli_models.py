"""`pipeline models`: the sub-app's verbs on real packages, and its errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from pipeline import packages
from pipeline.cli.models import app
from pipeline.errors import PackageError
from tests.modelkit import isolate_argos, package_archive

runner = CliRunner()


@pytest.fixture(autouse=True)
def argos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Isolate Argos settings, index and packages in the test's temporary directory."""
    return isolate_argos(tmp_path, monkeypatch)


def run(*args: str) -> tuple[int, str]:
    """Run the sub-app and return its exit code and output; library errors propagate."""
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def fails(*args: str) -> str:
    """Run a command expected to fail with a PackageError; return its one-line message."""
    result = runner.invoke(app, list(args))
    if isinstance(result.exception, PackageError):  # the sub-app on its own raises
        message = str(result.exception)
    else:  # mounted by `pipeline`, errors become one line on stderr and the error's exit code
        assert result.exit_code == PackageError.exit_code
        (message,) = result.stderr.strip().splitlines()
        assert "Traceback" not in result.output
    assert message and "\n" not in message
    return message


COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_ending_with_an_example(command: str) -> None:
    """Each verb answers --help, and its help ends with an example of itself."""
    code, out = run(command, "--help")
    assert code == 0
    assert f"Example: pipeline models {command}" in out


def test_install_list_remove(argos_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A package file installs, lists with names, version, size and path, then removes."""
    code, out = run("list")
    assert code == 0 and "no packages" in out
    archive = package_archive(tmp_path_factory)
    code, out = run("install", str(archive))
    assert code == 0
    assert "installed translate-en_my 1.0 (English (en) → Burmese — မြန်မာ (my))" in out

    code, out = run("list")
    header, row = out.strip().splitlines()
    assert header.split() == ["CODE", "LANGUAGES", "VERSION", "SIZE", "PATH"]
    assert row.startswith("translate-en_my  English (en) → Burmese — မြန်မာ (my)  1.0  ")
    assert " kB " in row or " MB " in row
    assert row.endswith(str(argos_dir / "translate-en_my-1_0"))

    code, out = run("remove", "translate-en_my")
    assert code == 0 and "removed translate-en_my" in out
    assert packages.installed_packages() == []


def test_install_needs_a_file_or_a_pair(tmp_path: Path) -> None:
    """One argument that is not a file, or three arguments, are refused with guidance."""
    assert "pipeline models install en my" in fails("install", str(tmp_path / "nope.argosmodel"))
    code, out = run("install", "en", "my", "hi")
    assert code == 2 and "FROM TO" in out


def test_install_pair_offline_says_the_index_is_unreachable() -> None:
    """Installing by language pair with no network says the index cannot be reached."""
    message = fails("install", "en", "my")
    assert "cannot reach the package index" in message and "no cached copy" in message


def test_available_offline_and_from_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`available` fails in one line offline, then lists a cached index marking installs."""
    assert "no cached copy exists" in fails("available")
    cache = packages.index_cache()
    cache.parent.mkdir(parents=True, exist_ok=True)
    entries = [
        {"from_code": "en", "to_code": "my", "package_version": "1.9", "code": "translate-en_my"},
        {"from_code": "hi", "to_code": "en", "package_version": "1.1"},
    ]
    cache.write_text(json.dumps(entries))
    packages.install_package(package_archive(tmp_path_factory))
    code, out = run("available")
    assert code == 0
    rows = [re.split(r"\s{2,}", line.strip()) for line in out.strip().splitlines()]
    assert rows[1] == ["translate-en_my", "English (en) → Burmese — မြန်မာ (my)", "1.9", "installed"]
    assert rows[2] == ["translate-hi_en", "Hindi — हिन्दी (hi) → English (en)", "1.1"]
    assert "a cached copy exists" in fails("available", "--refresh")


def test_remove_unknown_package() -> None:
    """Removing a package that is not installed fails in one line."""
    assert "pipeline models list" in fails("remove", "translate-xx_yy")


def test_importing_the_sub_app_loads_no_model_code() -> None:
    """The sub-app imports ctranslate2 and argostranslate only inside its commands."""
    probe = (
        "import sys, pipeline.cli.models\n"
        "print([m for m in ('ctranslate2', 'argostranslate', 'sentencepiece', 'babel')"
        " if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
