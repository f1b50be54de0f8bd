"""Glossaries end to end: import, terms kept through the model, the terms check, exports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lxml import etree

from pipeline.records import Origin, Severity, State, TranslationDraft
from pipeline.store import open_store
from tests.exportkit import SCHEMAS
from tests.test_cli import cli, store_path

BIN = Path(sys.executable).parent
GLOSSARY = """term,target,language,status,note,dnt
Naypyitaw,နေပြည်တော်,my,preferred,the capital,
Naypyitaw,नेपीडॉ,hi,preferred,,
Naypyitaw,နေပြည်,my,forbidden,,
Aung San Suu Kyi,အောင်ဆန်းစုကြည်,my,preferred,,
Mizoram,मिज़ोरम,hi,preferred,,
junta,စစ်ကောင်စီ,my,admitted,,
junta,စစ်အုပ်စု,my,admitted,,
Reuters,,,,,yes
"""
SOURCE = "Aung San Suu Kyi was moved from Naypyitaw, the junta told Reuters."
XLIFF12 = "{urn:oasis:names:tc:xliff:document:1.2}"
XLIFF20 = "{urn:oasis:names:tc:xliff:document:2.0}"
GLS = "{urn:oasis:names:tc:xliff:glossary:2.0}"


def setup(tmp_path: Path, text: str = SOURCE) -> Path:
    terms = tmp_path / "terms.csv"
    terms.write_text(GLOSSARY, encoding="utf-8")
    code, out, err = cli("glossary", "import", str(terms))
    assert code == 0, err
    assert "8 terms added, 0 already held" in out
    article = tmp_path / "a.txt"
    article.write_text(text + "\n", encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    return article


def only_translation(lang: str):  # type: ignore[no-untyped-def]
    with open_store(store_path()) as db:
        doc = db.documents()[0]
        (t,) = db.translations(doc.id, lang).values()
        return t


def test_import_twice_adds_nothing_and_stats_count(tmp_path: Path) -> None:
    setup(tmp_path)
    code, out, _ = cli("glossary", "import", str(tmp_path / "terms.csv"))
    assert code == 0 and "0 terms added, 8 already held" in out
    code, out, _ = cli("glossary", "stats")
    assert code == 0
    rows = [line.split("\t")[:3] for line in out.splitlines()[1:]]
    assert ["en", "my", "5"] in rows and ["en", "hi", "2"] in rows and ["en", "*", "1"] in rows


def test_terms_with_one_target_come_out_as_it_and_dnt_as_written(tmp_path: Path) -> None:
    """The model never sees a protected term: its target (or the term itself) is put back."""
    article = setup(tmp_path)
    code, out, err = cli("translate", str(article), "--engine", "pseudo", "--to", "my")
    assert code == 0, err
    assert "1 with glossary terms kept through the model" in out
    t = only_translation("my")
    assert "အောင်ဆန်းစုကြည်" in t.text and "နေပြည်တော်" in t.text and "Reuters" in t.text
    # The ambiguous junta is left to the model, and said so.
    assert "junta" not in t.text
    messages = [f.message for f in t.flags if f.check == "terms"]
    assert any("'junta' has several approved targets" in m for m in messages)
    assert any("expected စစ်ကောင်စီ or စစ်အုပ်စု" in m for m in messages)
    assert not [m for m in messages if "Naypyitaw" in m or "Reuters" in m]


def test_hindi_gets_its_own_targets(tmp_path: Path) -> None:
    article = setup(tmp_path, "Police in Mizoram met officials from Naypyitaw.")
    assert cli("translate", str(article), "--engine", "pseudo", "--to", "hi")[0] == 0
    t = only_translation("hi")
    assert "मिज़ोरम" in t.text and "नेपीडॉ" in t.text
    assert not [f for f in t.flags if f.check == "terms"]


def test_a_reviewer_edit_is_checked_for_terms(tmp_path: Path) -> None:
    """Review import runs the terms check: forbidden is an error, a missing term a warning."""
    article = setup(tmp_path, "Officials left Naypyitaw.")
    assert cli("translate", str(article), "--engine", "pseudo", "--to", "my")[0] == 0
    xliff = tmp_path / "review.xlf"
    assert (
        cli("export", "--format", "xliff12", "--to", "my", str(article), "-o", str(xliff))[0] == 0
    )
    tree = etree.parse(str(xliff))
    target = tree.find(f".//{XLIFF12}target")
    target.text = "အရာရှိများ နေပြည်မှ ထွက်ခွာသွားသည်။"
    target.set("state", "signed-off")
    tree.write(str(xliff), xml_declaration=True, encoding="UTF-8")
    code, _, err = cli("review", "import", str(xliff), "--reviewer", "Thida")
    assert code == 0, err
    t = only_translation("my")
    assert t.origin is Origin.HUMAN and t.state is State.REVIEWED
    terms = {(f.severity, f.message) for f in t.flags if f.check == "terms"}
    assert (Severity.ERROR, "forbidden term 'နေပြည်' in the translation (use နေပြည်တော်)") in terms
    assert any(s is Severity.WARNING and "expected နေပြည်တော်" in m for s, m in terms)


def test_qa_recheck_uses_the_glossary_imported_later(tmp_path: Path) -> None:
    """Terms imported after translating are checked by qa --recheck, and gate --fail-on."""
    article = tmp_path / "a.txt"
    article.write_text("Officials left Naypyitaw.\n", encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", str(article), "--engine", "pseudo", "--to", "my")[0] == 0
    t = only_translation("my")
    with open_store(store_path()) as db:
        db.write_translations(
            [
                TranslationDraft(
                    t.segment_id,
                    "my",
                    "အရာရှိများ နေပြည်မှ ထွက်ခွာသွားသည်။",
                    State.REVIEWED,
                    Origin.HUMAN,
                    author="T",
                )
            ]
        )
    assert cli("qa", "--fail-on", "error")[0] == 0
    terms = tmp_path / "terms.csv"
    terms.write_text(GLOSSARY, encoding="utf-8")
    assert cli("glossary", "import", str(terms))[0] == 0
    code, out, _ = cli("qa", "--recheck", "--fail-on", "error")
    assert code == 1 and "forbidden term 'နေပြည်'" in out


def test_every_review_export_lists_the_terms(tmp_path: Path) -> None:
    article = setup(tmp_path)
    assert cli("translate", str(article), "--engine", "pseudo", "--to", "my")[0] == 0
    out = {}
    for fmt in ("xliff12", "xliff20", "po", "jsonl", "bilingual", "tsv"):
        out[fmt] = tmp_path / f"out.{fmt}"
        args = ("export", "--format", fmt, "--to", "my", str(article), "-o", str(out[fmt]))
        assert cli(*args)[0] == 0

    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd")))
    root = etree.parse(str(out["xliff12"])).getroot()
    assert xsd.validate(root), xsd.error_log.filter_from_errors()
    notes = [n.text for n in root.iter(f"{XLIFF12}note") if n.get("from") == "glossary"]
    assert notes == [
        "term: Aung San Suu Kyi → အောင်ဆန်းစုကြည်",
        "term: Naypyitaw → နေပြည်တော်; do not use နေပြည် (the capital)",
        "term: junta → စစ်ကောင်စီ / စစ်အုပ်စု (several approved: choose one)",
        "term: Reuters: do not translate",
    ]

    root = etree.parse(str(out["xliff20"])).getroot()
    unit = root.find(f".//{XLIFF20}unit")
    assert [etree.QName(e).localname for e in unit][:2] == ["glossary", "notes"]
    entries = [
        (e.findtext(f"{GLS}term"), [t.text for t in e.iterfind(f"{GLS}translation")])
        for e in unit.iterfind(f"{GLS}glossary/{GLS}glossEntry")
    ]
    assert entries == [
        ("Aung San Suu Kyi", ["အောင်ဆန်းစုကြည်"]),
        ("Naypyitaw", ["နေပြည်တော်"]),
        ("junta", ["စစ်ကောင်စီ", "စစ်အုပ်စု"]),
        ("Reuters", ["Reuters"]),
    ]

    po = out["po"].read_text(encoding="utf-8")
    assert "# term: Naypyitaw → နေပြည်တော်; do not use နေပြည် (the capital)\n" in po
    (row,) = [json.loads(line) for line in out["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert [(h["text"], h["action"]) for h in row["terms"]["my"]] == [
        ("Aung San Suu Kyi", "replace"),
        ("Naypyitaw", "replace"),
        ("junta", "ambiguous"),
        ("Reuters", "keep"),
    ]
    page = out["bilingual"].read_text(encoding="utf-8")
    assert '<ul class="terms">' in page and "term: Reuters: do not translate" in page
    header, row = (line.split("\t") for line in out["tsv"].read_text().splitlines())
    cell = row[header.index("terms:my")]
    assert cell.startswith("term: Aung San Suu Kyi → အောင်ဆန်းစုကြည် | term: Naypyitaw")


def test_csv2tbx_glossary_drives_translate(tmp_path: Path) -> None:
    """A TBX written by translate-toolkit's csv2tbx (language xx) imports with --to, and works."""
    csv = tmp_path / "names.csv"
    csv.write_text('"source","target"\n"Naypyitaw","နေပြည်တော်"\n', encoding="utf-8")
    tbx = tmp_path / "names.tbx"
    subprocess.run([str(BIN / "csv2tbx"), str(csv), str(tbx)], check=True, capture_output=True)
    assert 'xml:lang="xx"' in tbx.read_text(encoding="utf-8")
    code, _, err = cli("glossary", "import", str(tbx))
    assert code != 0 and "--to" in err and len(err.strip().splitlines()) == 1
    assert cli("glossary", "import", str(tbx), "--to", "my")[0] == 0
    article = tmp_path / "a.txt"
    article.write_text("Officials left Naypyitaw.\n", encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", "--engine", "pseudo", "--to", "my")[0] == 0
    assert "နေပြည်တော်" in only_translation("my").text


def test_a_bad_glossary_is_one_line_and_stores_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tbx"
    bad.write_text("<martif><text><body><termEntry>", encoding="utf-8")
    code, _, err = cli("glossary", "import", str(bad))
    assert code != 0 and len(err.strip().splitlines()) == 1 and "bad.tbx" in err
    code, _, err = cli("glossary", "import", str(tmp_path / "missing.csv"))
    assert code != 0 and len(err.strip().splitlines()) == 1
    if store_path().exists():
        with open_store(store_path()) as db:
            assert db.glossary_stats() == []
