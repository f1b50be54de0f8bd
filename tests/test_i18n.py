"""The CLI speaks Burmese and Hindi: catalogs complete, help and errors in each language."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from pipeline.i18n import requested_language

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
LANGS = ("my", "hi")


@pytest.fixture(scope="module")
def localedir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Compile the committed catalogs into a temporary locale folder."""
    out = tmp_path_factory.mktemp("locales")
    for lang in LANGS:
        with open(LOCALES / lang / "LC_MESSAGES" / "pipeline.po", "rb") as po:
            catalog = read_po(po)
        target = out / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        with open(target / "pipeline.mo", "wb") as mo:
            write_mo(mo, catalog)
    return out


def run(localedir: Path, *args: str, lang_env: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIPELINE_LOCALEDIR": str(localedir), "LANG": lang_env}
    env.pop("LANGUAGE", None)
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=env
    )


def test_template_matches_the_code() -> None:
    """Every message marked in the code is in the template, so catalogs can be updated."""
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(ROOT / "pipeline", method_map, options_map)
    in_code = {msg for _, _, msg, *_ in found if msg}
    with open(LOCALES / "pipeline.pot", "rb") as pot:
        in_template = {m.id for m in read_po(pot) if m.id}
    assert in_code == in_template


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_is_complete_and_keeps_placeholders(lang: str) -> None:
    """Each catalog translates every message and keeps every {placeholder} and example."""
    import re

    with open(LOCALES / lang / "LC_MESSAGES" / "pipeline.po", "rb") as po:
        catalog = read_po(po)
    with open(LOCALES / "pipeline.pot", "rb") as pot:
        ids = {m.id for m in read_po(pot) if m.id}
    for message in catalog:
        if not message.id:
            continue
        assert message.string and "fuzzy" not in message.flags, message.id
        fields = re.compile(r"\{[^}]*\}|pipeline(?: [\w./*,-]+)+")
        assert sorted(fields.findall(message.id)) == sorted(fields.findall(message.string))
    assert ids <= {m.id for m in catalog}


def test_help_in_burmese_by_option(localedir: Path) -> None:
    """`--ui-lang my` shows the command help in Burmese."""
    out = run(localedir, "--ui-lang", "my", "ingest", "--help")
    assert out.returncode == 0
    assert "ဆောင်းပါးများကို အပိုင်းများအဖြစ် ခွဲပြီး" in out.stdout
    assert "ဥပမာ - pipeline ingest article.md" in out.stdout


def test_subcommand_help_from_docstrings_is_translated(localedir: Path) -> None:
    """Help built from a command's docstring and its options' help= shows in Hindi too."""
    out = run(localedir, "--ui-lang", "hi", "review", "import", "--help")
    assert out.returncode == 0
    assert "समीक्षित फ़ाइल को स्टोर से मिलाएँ" in out.stdout
    assert "किसने समीक्षा की" in out.stdout


def test_help_in_hindi_by_environment(localedir: Path) -> None:
    """LANG=hi_IN.UTF-8 shows the command help in Hindi."""
    out = run(localedir, "translate", "--help", lang_env="hi_IN.UTF-8")
    assert out.returncode == 0 and "हर लंबित खंड का अनुवाद करें" in out.stdout


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("my", "အမှား - {path} - ထိုဖိုင် မရှိပါ"), ("hi", "त्रुटि: {path}: ऐसी कोई फ़ाइल नहीं है")],
)
def test_error_in_each_language(localedir: Path, tmp_path: Path, lang: str, expected: str) -> None:
    """A missing file is reported in the UI language, on one line, with a non-zero exit."""
    missing = tmp_path / "missing.txt"
    out = run(localedir, "--ui-lang", lang, "ingest", str(missing))
    assert out.returncode != 0
    assert out.stderr.strip() == expected.format(path=missing)


def test_english_without_a_language(localedir: Path, tmp_path: Path) -> None:
    """With no language asked for, messages stay in English."""
    out = run(localedir, "ingest", str(tmp_path / "missing.txt"))
    assert out.stderr.startswith("error: ") and "no such file" in out.stderr


def test_requested_language_order() -> None:
    """--ui-lang wins over the environment; LANGUAGE wins over LANG."""
    env = {"LANGUAGE": "my:en", "LANG": "hi_IN.UTF-8"}
    assert requested_language(["pipeline", "--ui-lang=hi"], env) == "hi"
    assert requested_language(["pipeline"], env) == "my"


def test_report_counts_in_burmese_digits(localedir: Path, tmp_path: Path) -> None:
    """In Burmese, report counts are written with Myanmar digits and labels are Burmese."""
    article = tmp_path / "a.txt"
    article.write_text("Police crossed the border. Officials resigned.\n", encoding="utf-8")
    store = tmp_path / "s.db"
    assert run(localedir, "ingest", str(article), "--store", str(store)).returncode == 0
    out = run(localedir, "--ui-lang", "my", "status", "--store", str(store))
    assert out.returncode == 0
    header, row = out.stdout.splitlines()
    assert header.startswith("စာတမ်း\tဗားရှင်း\t")
    assert row.startswith("၁\t၁\t-\t၂ (၆ လုံး)\t")


def test_source_catalog_is_read_where_none_is_compiled(tmp_path: Path) -> None:
    """A folder with only the .po (a checkout run without an install step) still speaks my."""
    for lang in LANGS:
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        shutil.copy(LOCALES / lang / "LC_MESSAGES" / "pipeline.po", tmp_path / lang / "LC_MESSAGES")
    out = run(tmp_path, "--ui-lang", "my", "ingest", "--help")
    assert out.returncode == 0 and "ဆောင်းပါးများကို အပိုင်းများအဖြစ် ခွဲပြီး" in out.stdout


def test_stale_compiled_catalog_gives_way_to_its_newer_source(
    localedir: Path, tmp_path: Path
) -> None:
    """A .mo older than its .po (a catalog just edited) is not shown: the .po is read."""
    folder = tmp_path / "my" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(localedir / "my" / "LC_MESSAGES" / "pipeline.mo", folder)
    with open(LOCALES / "my" / "LC_MESSAGES" / "pipeline.po", "rb") as handle:
        catalog = read_po(handle)
    edited = "ဤစာကို ယခုပင် ပြင်ထားသည်"
    msgid = next(m.id for m in catalog if isinstance(m.id, str) and m.id.startswith("Split"))
    catalog[msgid].string = edited
    with open(folder / "pipeline.po", "wb") as handle:
        write_po(handle, catalog)
    old = (folder / "pipeline.po").stat().st_mtime - 60
    os.utime(folder / "pipeline.mo", (old, old))
    out = run(tmp_path, "--ui-lang", "my", "ingest", "--help")
    assert out.returncode == 0 and edited in out.stdout
    # Once compiled again (newer than its source), the compiled catalog is used.
    os.utime(folder / "pipeline.po", (old - 60, old - 60))
    out = run(tmp_path, "--ui-lang", "my", "ingest", "--help")
    assert edited not in out.stdout and "ဆောင်းပါးများကို" in out.stdout
