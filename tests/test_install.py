"""Install as users install: a fresh clone, a wheel, the pip recipe, each speaking my and hi.

The slow tests copy what a clone holds (git's tracked and unignored files, so no compiled
catalog and no .venv), install it the way the README says, delete the copy, and run the
installed CLI from elsewhere: help under my_MM.UTF-8 and hi_IN.UTF-8 from the catalogs built
into the install, `--version`, a pseudo translation, and the one line `models build` gives
without its extra.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from pipeline import __version__, install
from pipeline.store.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2021-03-05-myanmar-police-cross-into-india.txt"
# The environment before conftest points XDG_CACHE_HOME at a temporary folder: uv and pip
# keep their download caches where they always do.
USER_ENV = dict(os.environ)
APP_HELP = (
    "Offline translation pipeline: ingest articles, translate them with local models, "
    "review and export aligned bilingual files.\n\nExample: pipeline ingest article.md"
)
MYANMAR_DIGITS = re.compile("[၀-၉]")


def uv() -> str:
    found = shutil.which("uv", path=USER_ENV.get("PATH"))
    assert found, "uv is needed to build and install (bash .ci/run installs it)"
    return found


def build_env(**extra: str) -> dict[str, str]:
    """Return the user's environment for installers, free of this test run's venv."""
    env = {k: v for k, v in USER_ENV.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(extra)
    return env


def sh(args: list[str], *, cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=dict(env), capture_output=True, text=True)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def fresh_clone(dest: Path) -> Path:
    """Copy the files a clone of this working tree would hold into dest."""
    if not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know what a clone holds")
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    assert not list(dest.glob("locales/*/LC_MESSAGES/*.mo")), "a clone has no compiled catalog"
    return dest


def translated(lang: str, msgid: str) -> str:
    """Return the committed catalog's translation of msgid, whitespace folded."""
    with open(ROOT / "locales" / lang / "LC_MESSAGES" / "pipeline.po", "rb") as handle:
        message = read_po(handle).get(msgid)
    assert message is not None and message.string, f"{lang}: no translation of {msgid!r}"
    return " ".join(str(message.string).split())


def app_env(tmp: Path, **extra: str) -> dict[str, str]:
    """Return a plain user environment for running an installed CLI, its files under tmp."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp / "home"),
        "PIPELINE_STORE": str(tmp / "work" / "pipeline.db"),
        "ARGOS_PACKAGES_DIR": str(tmp / "work" / "argos"),
        "LANG": "C.UTF-8",
    }
    env.update(extra)
    return env


def check_installed(pipeline: Path, python: Path, tmp: Path) -> None:
    """Run the installed CLI as a user would, away from the checkout."""
    work = tmp / "work"
    work.mkdir()
    (tmp / "home").mkdir()
    env = app_env(tmp)

    where = sh([str(python), "-c", "import pipeline; print(pipeline.__file__)"], cwd=work, env=env)
    module = Path(where.stdout.strip())
    assert ROOT not in module.parents, f"imported from the checkout: {module}"

    version = sh([str(pipeline), "--version"], cwd=work, env=env).stdout.splitlines()
    assert version[0] == f"pipeline {__version__}"
    assert f"store schema {SCHEMA_VERSION}" in version
    assert [line.split()[0] for line in version[2:5]] == list(install.LIBRARIES)
    assert "not installed" not in "\n".join(version)

    for lang, locale in (("my", "my_MM.UTF-8"), ("hi", "hi_IN.UTF-8")):
        shown = sh([str(pipeline), "--help"], cwd=work, env={**env, "LANG": locale}).stdout
        assert translated(lang, APP_HELP) in " ".join(shown.split()), f"{locale}: {shown}"
    english = sh([str(pipeline), "--help"], cwd=work, env=env).stdout
    assert " ".join(APP_HELP.split()) in " ".join(english.split())

    article = work / SEED.name
    shutil.copy(SEED, article)
    sh([str(pipeline), "ingest", str(article)], cwd=work, env=env)
    run = sh(
        [str(pipeline), "translate", str(article), "--to", "my,hi", "--engine", "pseudo"],
        cwd=work,
        env=env,
    )
    assert "pseudo" in (run.stdout + run.stderr).lower()
    status = sh([str(pipeline), "status"], cwd=work, env={**env, "LANG": "my_MM.UTF-8"}).stdout
    assert MYANMAR_DIGITS.search(status), status
    out = work / "article.my.txt"
    sh(
        [
            str(pipeline),
            "export",
            "--format",
            "article",
            "--to",
            "my",
            str(article),
            "--allow-draft",
            "-o",
            str(out),
        ],
        cwd=work,
        env=env,
    )
    assert "⟦" in out.read_text(encoding="utf-8")

    build = subprocess.run(
        [str(pipeline), "models", "build", "facebook/nllb-200-distilled-600M", "--to", "my"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert build.returncode != 0
    lines = build.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in build.stderr, build.stderr
    for needed in ("transformers", "protobuf", "torch", install.TORCH_CPU_INDEX, str(python)):
        assert needed in lines[0], lines[0]


@pytest.mark.slow
def test_uv_run_in_a_fresh_clone_speaks_burmese(tmp_path: Path) -> None:
    """`uv run pipeline --ui-lang my --help` works in a fresh clone with no other step."""
    clone = fresh_clone(tmp_path / "clone")
    env = build_env()
    env.pop("UV_PROJECT_ENVIRONMENT", None)
    shown = sh(
        [uv(), "run", "--locked", "--no-dev", "pipeline", "--ui-lang", "my", "--help"],
        cwd=clone,
        env=env,
    ).stdout
    assert translated("my", APP_HELP) in " ".join(shown.split())
    # The editable install compiled the catalogs beside their sources.
    assert sorted(p.parent.parent.name for p in clone.glob("locales/*/LC_MESSAGES/*.mo")) == [
        "hi",
        "my",
    ]


@pytest.mark.slow
def test_wheel_from_the_sdist_installed_with_uv_tool(tmp_path: Path) -> None:
    """uv builds the sdist, the wheel from it, and `uv tool install` with the README's excludes."""
    clone = fresh_clone(tmp_path / "clone")
    env = build_env()
    dist = tmp_path / "dist"
    sh([uv(), "build", "--out-dir", str(dist)], cwd=clone, env=env)
    (wheel,) = dist.glob("pipeline-*.whl")
    listed = sh([sys.executable, "-m", "zipfile", "-l", str(wheel)], cwd=tmp_path, env=env).stdout
    for lang in ("my", "hi"):
        assert f"pipeline/locales/{lang}/LC_MESSAGES/pipeline.mo" in listed
    excludes = tmp_path / "exclude.txt"
    shutil.copy(clone / "requirements" / "exclude.txt", excludes)
    shutil.rmtree(clone)
    tools = tmp_path / "tools"
    sh(
        [uv(), "tool", "install", str(wheel), "--excludes", str(excludes)],
        cwd=tmp_path,
        env=build_env(UV_TOOL_DIR=str(tools), UV_TOOL_BIN_DIR=str(tools / "bin")),
    )
    site = next((tools / "pipeline").glob("lib/python*/site-packages"))
    assert not [p.name for p in site.iterdir() if p.name.split("-")[0] in ("torch", "stanza")]
    check_installed(tools / "bin" / "pipeline", tools / "pipeline" / "bin" / "python", tmp_path)


@pytest.mark.slow
def test_the_lean_pip_recipe(tmp_path: Path) -> None:
    """The README's pip recipe: the pinned list with --no-deps, then the clone with --no-deps."""
    clone = fresh_clone(tmp_path / "clone")
    env = build_env(PIP_DISABLE_PIP_VERSION_CHECK="1")
    venv = tmp_path / "venv"
    sh([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, env=env)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps"]
    sh([*pip, "-r", "requirements/lean.txt"], cwd=clone, env=env)
    sh([*pip, "."], cwd=clone, env=env)
    shutil.rmtree(clone)
    site = next(venv.glob("lib/python*/site-packages"))
    assert not [p.name for p in site.iterdir() if p.name.split("-")[0] in ("torch", "stanza")]
    check_installed(venv / "bin" / "pipeline", venv / "bin" / "python", tmp_path)


def test_lean_requirements_match_the_lock() -> None:
    """requirements/lean.txt is what `scripts/requirements` writes from uv.lock today."""
    script = (ROOT / "scripts" / "requirements").read_text()
    command = re.search(r"^uv export .*?(?= >)", script, re.M)
    assert command is not None
    exported = subprocess.run(
        [uv(), *command.group(0).split()[1:]],
        cwd=ROOT,
        env=build_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert (ROOT / "requirements" / "lean.txt").read_text() == exported, (
        "requirements/lean.txt is stale: run scripts/requirements"
    )
    pinned = re.findall(r"^([a-z0-9_.-]+)==", exported, re.M)
    for name in ("argostranslate", "ctranslate2", "sentencepiece", "babel", "typer"):
        assert name in pinned


def test_excludes_are_the_overridden_requirements() -> None:
    """requirements/exclude.txt names exactly what [tool.uv] override-dependencies drops."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    overridden = {
        line.split(";")[0].strip()
        for line in config["tool"]["uv"]["override-dependencies"]
        if "sys_platform == 'never'" in line
    }
    listed = {
        line.strip()
        for line in (ROOT / "requirements" / "exclude.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert listed == overridden


def test_version_names_the_schema_and_libraries() -> None:
    from importlib import metadata

    lines = install.version_lines()
    assert lines[0] == f"pipeline {metadata.version('pipeline')}" == f"pipeline {__version__}"
    assert lines[1] == f"store schema {SCHEMA_VERSION}"
    for name, line in zip(install.LIBRARIES, lines[2:5], strict=True):
        assert line == f"{name} {metadata.version(name)}"


def test_version_option_is_fast_and_imports_no_model_library() -> None:
    """--version reads metadata: neither CTranslate2 nor SentencePiece is imported for it."""
    probe = (
        "import sys; sys.argv = ['pipeline', '--version']\n"
        "from pipeline.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('ctranslate2', 'sentencepiece', 'torch') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    assert result.stdout.splitlines()[0] == f"pipeline {__version__}"
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("absent", "named", "not_named"),
    [
        ({"torch"}, ["torch (CPU build)", install.TORCH_CPU_INDEX], ["transformers"]),
        ({"transformers"}, ["transformers", "uv sync --extra convert"], ["torch"]),
        ({"transformers", "google.protobuf", "torch"}, ["transformers", "protobuf", "torch"], []),
    ],
)
def test_missing_extra_names_exactly_what_to_install(
    monkeypatch: pytest.MonkeyPatch, absent: set[str], named: list[str], not_named: list[str]
) -> None:
    monkeypatch.setattr(install, "_importable", lambda module: module not in absent)
    monkeypatch.setattr(install, "installer", lambda: "uv-project")
    message = install.missing_convert_extra()
    assert message is not None and "\n" not in message
    for text in named:
        assert text in message
    for text in not_named:
        assert text not in message.partition("missing here:")[2]


def test_install_command_follows_the_installer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(install, "installer", lambda: "pip")
    assert install.install_command(["transformers>=5"], extra="convert") == (
        f"{sys.executable} -m pip install 'transformers>=5'"
    )
    monkeypatch.setattr(install, "installer", lambda: "uv")
    assert install.install_command(["torch"], index=install.TORCH_CPU_INDEX) == (
        f"uv pip install --no-config --python {sys.executable} torch"
        f" --index-url {install.TORCH_CPU_INDEX}"
    )


def test_this_checkout_is_a_uv_project_install() -> None:
    """The development environment is uv's editable install: conversion help says uv sync."""
    assert install.installer() == "uv-project"


def test_extra_requirements_come_from_the_metadata() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = config["project"]["optional-dependencies"]["convert"]
    assert sorted(install.extra_requirements("convert")) == sorted(declared)
