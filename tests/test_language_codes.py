"""One code per language: the canonicaliser, and every entry point that takes a language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.localedata import locale_identifiers
from lxml import etree

from pipeline.errors import LanguageError
from pipeline.locale import canonical_language, parse_language
from pipeline.store import open_store
from tests.test_cli import cli, store_path

ARTICLE = "Police crossed the border on Friday.\n\nOfficials resigned.\n"
XLIFF = "urn:oasis:names:tc:xliff:document:1.2"

CANONICAL = [
    # Case, "_" and ISO 639-2/3 codes: one code for Burmese and Hindi.
    ("my", "my"),
    ("MY", "my"),
    ("my_MM", "my"),
    ("my-MM", "my"),
    ("MY-mm", "my"),
    ("mya", "my"),
    ("bur", "my"),
    ("my-Mymr-MM", "my"),
    ("hin", "hi"),
    ("hi-IN", "hi"),
    ("hi_Deva", "hi"),
    ("HI", "hi"),
    # The default script is dropped, a distinguishing one kept.
    ("sr-Cyrl", "sr"),
    ("sr-Latn", "sr-Latn"),
    ("sh", "sr-Latn"),
    ("zh-Hans", "zh"),
    ("zh-Hans-CN", "zh-CN"),
    ("zh-Hant", "zh-Hant"),
    ("zh_hant", "zh-Hant"),
    ("hi-Latn", "hi-Latn"),
    # Regions: kept where CLDR knows the language in several regions.
    ("pt-BR", "pt-BR"),
    ("pt_br", "pt-BR"),
    ("pt-PT", "pt-PT"),
    ("en-GB", "en-GB"),
    ("en-US", "en-US"),
    ("en", "en"),
    ("es-419", "es-419"),
    ("ja-JP", "ja"),
    # Argos Translate's own codes and deprecated ISO codes.
    ("zt", "zh-Hant"),
    ("pb", "pt-BR"),
    ("iw", "he"),
    ("eng", "en"),
    ("fre", "fr"),
]


@pytest.mark.parametrize(("tag", "expected"), CANONICAL)
def test_canonical_language_gives_one_code_per_language(tag: str, expected: str) -> None:
    """Each spelling of a language becomes its one code, and that code is its own canonical."""
    assert canonical_language(tag) == expected
    assert canonical_language(expected) == expected
    assert parse_language(tag).code == expected


@pytest.mark.parametrize(
    "tag", ["xx", "und", "", "  ", "x-klingon", "my-XX", "en-US-u-ca-buddhist"]
)
def test_unknown_tag_is_one_line(tag: str) -> None:
    """A tag no language has raises LanguageError with one line naming it."""
    with pytest.raises(LanguageError) as raised:
        canonical_language(tag)
    message = str(raised.value)
    assert "\n" not in message and repr(tag) in message


def test_every_cldr_locale_has_a_stable_canonical_code() -> None:
    """Canonicalising is idempotent over every locale CLDR has (nothing maps on and on)."""
    for identifier in locale_identifiers():
        try:
            code = canonical_language(identifier)
        except LanguageError:
            continue
        assert canonical_language(code) == code, identifier


def _status_targets(out: str) -> list[str]:
    """Return the target column of a status table."""
    return [line.split("\t")[2] for line in out.splitlines()[1:]]


def test_translate_to_five_spellings_of_burmese_gives_one_target(tmp_path: Path) -> None:
    """--to MY, my_MM, my-MM, mya and bur translate into one language: one status row."""
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    for tag in ("MY", "my_MM", "my-MM", "mya", "bur"):
        code, _, err = cli("translate", "--to", tag, "--engine", "pseudo")
        assert code == 0, err
    code, out, _ = cli("status")
    assert code == 0
    assert [t.split(" ")[0] for t in _status_targets(out)] == ["my"]


def test_qa_and_export_read_any_spelling(tmp_path: Path) -> None:
    """qa --to and export --to take any spelling and mean the stored language."""
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    cli("ingest", str(article))
    cli("translate", "--to", "my", "--engine", "pseudo")
    assert cli("qa", "--to", "my_MM")[0] == 0
    out = tmp_path / "a.xlf"
    code, _, err = cli("export", "--format", "xliff12", "--to", "mya", str(article), "-o", str(out))
    assert code == 0, err
    assert 'target-language="my"' in out.read_text(encoding="utf-8")


def test_unknown_to_is_one_line_and_exit_non_zero(tmp_path: Path) -> None:
    """An unknown --to is one line and a non-zero exit, never a traceback."""
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    cli("ingest", str(article))
    code, out, err = cli("translate", "--to", "klingon-XX", "--engine", "pseudo")
    assert code != 0
    assert "unknown language 'klingon-XX'" in err and "Traceback" not in out + err


def test_xliff_naming_my_mm_imports_into_my(tmp_path: Path) -> None:
    """An XLIFF whose target-language is my-MM (as CAT tools write it) is saved under my."""
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    cli("ingest", str(article))
    cli("translate", "--to", "my", "--engine", "pseudo")
    exported = tmp_path / "a.my.xlf"
    cli("export", "--format", "xliff12", "--to", "my", str(article), "-o", str(exported))
    root = etree.parse(str(exported)).getroot()
    for file in root.iter(f"{{{XLIFF}}}file"):
        file.set("target-language", "my-MM")
    for number, target in enumerate(root.iter(f"{{{XLIFF}}}target")):
        target.text = f"ရဲများ နယ်စပ်ကို ဖြတ်ကျော်ခဲ့သည် {number}။"
        target.set("state", "translated")
    exported.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    code, out, err = cli("review", "import", str(exported), "--reviewer", "Thida")
    assert code == 0, err
    code, out, _ = cli("status")
    assert [t.split(" ")[0] for t in _status_targets(out)] == ["my"]
    with open_store(str(store_path())) as db:
        doc = db.documents()[0]
        texts = [t.text for t in db.translations(doc.id, "my").values()]
    assert texts and all(t.startswith("ရဲများ") for t in texts)


TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="EN-US" datatype="plaintext" segtype="sentence"
 adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/><body>
<tu><tuv xml:lang="en-US"><seg>The border stayed open.</seg></tuv>
<tuv xml:lang="hi-IN"><seg>सीमा खुली रही।</seg></tuv>
<tuv xml:lang="MYA"><seg>နယ်စပ် ဖွင့်ထားဆဲ။</seg></tuv></tu>
</body></tmx>
"""


def test_tmx_hi_in_goes_to_hi_and_en_us_is_the_source(tmp_path: Path) -> None:
    """A TMX with xml:lang hi-IN and MYA is memory for hi and my, from the documents' en."""
    tmx = tmp_path / "m.tmx"
    tmx.write_text(TMX, encoding="utf-8")
    code, out, err = cli("tm", "import", str(tmx))
    assert code == 0, err
    code, out, _ = cli("tm", "stats")
    pairs = sorted(tuple(line.split("\t")[:2]) for line in out.splitlines()[1:])
    assert pairs == [("en", "hi"), ("en", "my")]


def test_lang_map_and_glossary_columns_are_canonical(tmp_path: Path) -> None:
    """--lang-map targets and glossary language columns land on the canonical code."""
    table = tmp_path / "terms.csv"
    table.write_text("en,my_MM,HI-in\nborder,နယ်စပ်,सीमा\n", encoding="utf-8")
    code, _, err = cli("glossary", "import", str(table))
    assert code == 0, err
    tmx = tmp_path / "m.tmx"
    tmx.write_text(TMX.replace('xml:lang="MYA"', 'xml:lang="burmese"'), encoding="utf-8")
    code, _, err = cli("tm", "import", str(tmx), "--lang-map", "burmese=my_MM")
    assert code == 0, err
    glossary = cli("glossary", "stats")[1]
    memory = cli("tm", "stats")[1]
    assert re.findall(r"^en\t(\S+)\t", glossary, re.M) == ["hi", "my"]
    assert sorted(re.findall(r"^en\t(\S+)\t", memory, re.M)) == ["hi", "my"]


def test_ingest_source_language_is_canonical(tmp_path: Path) -> None:
    """ingest --lang EN_us stores the canonical source code."""
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert cli("ingest", str(article), "--lang", "ENG")[0] == 0
    with open_store(str(store_path())) as db:
        assert db.documents()[0].source_lang == "en"


def test_desk_url_names_the_language_any_way(tmp_path: Path) -> None:
    """The review desk serves /doc/1/my-MM as my, and 404s a language it does not serve."""
    from starlette.testclient import TestClient

    from pipeline.desk.app import DeskConfig, create_app

    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    cli("ingest", str(article))
    cli("translate", "--to", "my", "--engine", "pseudo")
    config = DeskConfig(str(store_path()), "t0ken", ("my",))
    with TestClient(create_app(config)) as client:
        client.get("/?token=t0ken")
        assert client.get("/doc/1/my-MM").status_code == 200
        assert client.get("/doc/1/MYA").status_code == 200
        assert client.get("/doc/1/hi").status_code == 404
