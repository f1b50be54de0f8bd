"""Memory brought from other tools: TMX import with provenance, idempotent, reused by translate."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.records import CodeType, Origin, State, TranslationDraft
from pipeline.store import open_store
from tests.test_cli import cli, store_path

BIN = Path(sys.executable).parent
SENTENCE = "Myanmar police officers crossed the border into India."
# As OmegaT writes a project memory: TMX 1.4 with its DOCTYPE, upper-case region tags,
# tuv-level dates and users, and its own tags as native content of bpt/ept/ph.
OMEGAT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="OmegaT" o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext"
    creationtoolversion="6.0.0_0_1bf1729c" segtype="sentence" srclang="EN-US"/>
  <body>
    <tu>
      <tuv xml:lang="EN-US">
        <seg>{en}</seg>
      </tuv>
      <tuv xml:lang="MY-MM" changeid="thida" changedate="20240105T093000Z"
           creationid="thida" creationdate="20240105T092000Z">
        <seg>{my}</seg>
      </tuv>
    </tu>
    <tu tuid="42">
      <prop type="x-project">border</prop>
      <tuv xml:lang="en"><seg>{sentence}</seg></tuv>
      <tuv xml:lang="hi_IN"><seg>म्यांमार पुलिस अधिकारी सीमा पार कर भारत आए।</seg></tuv>
      <tuv xml:lang="my"><seg>မြန်မာ ရဲအရာရှိများ နယ်စပ်ကို ဖြတ်ကျော်ပြီး အိန္ဒိယသို့ ဝင်ခဲ့သည်။</seg></tuv>
    </tu>
  </body>
</tmx>
""".format(
    sentence=SENTENCE,
    en='The <bpt i="0" x="0">&lt;b0&gt;</bpt>minister<ept i="0">&lt;/b0&gt;</ept> resigned.'
    '<ph x="1">&lt;x1/&gt;</ph>',
    my='<bpt i="0" x="0">&lt;b0&gt;</bpt>ဝန်ကြီး<ept i="0">&lt;/b0&gt;</ept> နုတ်ထွက်ခဲ့သည်။'
    '<ph x="1">&lt;x1/&gt;</ph>',
)


def memory_rows() -> list[tuple[str, ...]]:
    with sqlite3.connect(store_path()) as conn:
        return conn.execute(
            "SELECT source_lang, target_lang, source, target, tuid, created_by, changed_at, props"
            " FROM memory ORDER BY id"
        ).fetchall()


def test_omegat_memory_keeps_languages_codes_and_provenance(tmp_path: Path) -> None:
    """OmegaT's memory keeps languages and provenance; codes no stored segment has are left out.

    Another tool's markup (OmegaT's <b0>) never becomes a code of ours: an entry whose codes
    map onto no stored segment keeps its plain text, and the import says so.
    """
    tmx = tmp_path / "project_save.tmx"
    tmx.write_text(OMEGAT, encoding="utf-8")
    code, out, err = cli("tm", "import", str(tmx))
    assert code == 0 and "3 entries added, 0 already held" in out
    assert "1 entries kept as plain text" in err and "The minister resigned." in err
    rows = memory_rows()
    assert [(r[0], r[1]) for r in rows] == [("en", "my"), ("en", "hi"), ("en", "my")]
    assert rows[0][2] == "The minister resigned." and rows[0][3] == "ဝန်ကြီး နုတ်ထွက်ခဲ့သည်။"
    assert rows[0][5] == "thida" and rows[0][6] == "2024-01-05T09:30:00Z"
    assert rows[1][4] == "42" and '"x-project": ["border"]' in rows[1][7]
    with open_store(store_path()) as db:
        (entry, *_) = db.memory_entries()
    assert entry.source_codes == () == entry.target_codes

    code, out, _ = cli("tm", "import", str(tmx))
    assert code == 0 and "0 entries added, 3 already held" in out
    assert len(memory_rows()) == 3
    code, out, _ = cli("tm", "stats")
    assert f"en\tmy\t2\t{tmx}" in out and f"en\thi\t1\t{tmx}" in out


def test_translate_toolkit_po2tmx_imports(tmp_path: Path) -> None:
    """A TMX that translate-toolkit's po2tmx writes (no one here wrote the writer)."""
    po = tmp_path / "article.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgid "{SENTENCE}"\nmsgstr "मिज़ोरम में पुलिस अधिकारी पहुँचे।"\n\n'
        'msgid "Untranslated."\nmsgstr ""\n',
        encoding="utf-8",
    )
    tmx = tmp_path / "article.tmx"
    subprocess.run([str(BIN / "po2tmx"), "-l", "hi-IN", str(po), str(tmx)], check=True)
    code, out, _ = cli("tm", "import", str(tmx))
    assert code == 0 and "1 entries added" in out
    assert [(r[0], r[1], r[2]) for r in memory_rows()] == [("en", "hi", SENTENCE)]


def test_translate_reuses_an_imported_exact_match_as_a_draft(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(f"{SENTENCE} Officials said more would follow.\n", encoding="utf-8")
    tmx = tmp_path / "m.tmx"
    tmx.write_text(OMEGAT, encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("tm", "import", str(tmx))[0] == 0
    code, _, _ = cli("translate", str(article), "--to", "my", "--engine", "pseudo")
    assert code == 0
    with open_store(store_path()) as db:
        doc = db.documents()[0]
        segments = db.segments(doc.id)
        stored = db.translations(doc.id, "my")
    matched = stored[segments[0].id]
    assert matched.text.startswith("မြန်မာ ရဲအရာရှိများ")
    assert matched.state is State.TRANSLATED and matched.origin is Origin.TM
    assert matched.signature is not None and f"{tmx} tu 42" in matched.signature.model
    assert stored[segments[1].id].origin is Origin.MT


def test_own_reviewed_translations_are_not_imported_again(tmp_path: Path) -> None:
    """A memory the pipeline exported, imported back, adds nothing."""
    article = tmp_path / "a.txt"
    article.write_text(f"{SENTENCE}\n", encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    tmx = tmp_path / "m.tmx"
    tmx.write_text(OMEGAT, encoding="utf-8")
    cli("tm", "import", str(tmx))
    assert cli("translate", str(article), "--to", "my,hi", "--engine", "pseudo")[0] == 0
    with open_store(store_path()) as db:
        doc = db.documents()[0]
        for lang in ("my", "hi"):
            (t,) = db.translations(doc.id, lang).values()
            db.write_translations(
                [
                    TranslationDraft(
                        t.segment_id,
                        lang,
                        t.text,
                        State.REVIEWED,
                        Origin.HUMAN,
                        author="Thida",
                        codes=t.codes,
                    )
                ]
            )
    exported = tmp_path / "out.tmx"
    code, _, _ = cli(
        "export", "--format", "tmx", "--to", "my,hi", str(article), "-o", str(exported)
    )
    assert code == 0
    before = len(memory_rows())
    code, out, _ = cli("tm", "import", str(exported))
    assert code == 0 and "0 entries added, 2 already held" in out
    assert len(memory_rows()) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<tmx><body><tu><tuv xml:lang='en'><seg>a</seg>", "malformed TMX"),
        ("<xliff version='1.2'/>", "not a TMX file"),
    ],
)
def test_bad_memory_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.tmx"
    bad.write_text(text, encoding="utf-8")
    code, _, err = cli("tm", "import", str(bad))
    assert code != 0 and message in err and len(err.strip().splitlines()) == 1


def test_external_entities_are_neither_fetched_nor_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    tmx = tmp_path / "xxe.tmx"
    tmx.write_text(
        f'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY s SYSTEM "file://{secret}">]>'
        '<tmx version="1.4"><header srclang="en"/><body><tu>'
        "<tuv xml:lang='en'><seg>Hello &s;</seg></tuv><tuv xml:lang='my'><seg>x</seg></tuv>"
        "</tu></body></tmx>",
        encoding="utf-8",
    )
    cli("tm", "import", str(tmx))
    assert all("TOP SECRET" not in r[2] for r in memory_rows())


def test_missing_file_and_bad_lang_map(tmp_path: Path) -> None:
    code, _, err = cli("tm", "import", str(tmp_path / "none.tmx"))
    assert code != 0 and "no such file" in err
    tmx = tmp_path / "m.tmx"
    tmx.write_text(OMEGAT, encoding="utf-8")
    code, _, err = cli("tm", "import", str(tmx), "--lang-map", "zh-Hant")
    assert code != 0 and "TAG=CODE" in err


def test_memory_export_is_valid_tmx_and_imports_as_nothing_new(tmp_path: Path) -> None:
    """tm export writes own and imported memory; the DTD accepts it; re-import adds nothing."""
    from lxml import etree

    article = tmp_path / "a.txt"
    article.write_text("Officials said more would follow.\n", encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", str(article), "--to", "my", "--engine", "pseudo")[0] == 0
    with open_store(store_path()) as db:
        doc = db.documents()[0]
        (t,) = db.translations(doc.id, "my").values()
        db.write_translations(
            [
                TranslationDraft(
                    t.segment_id,
                    "my",
                    "အရာရှိများ ပြောသည်။",
                    State.REVIEWED,
                    Origin.HUMAN,
                    author="Thida",
                )
            ]
        )
    tmx = tmp_path / "m.tmx"
    tmx.write_text(OMEGAT, encoding="utf-8")
    assert cli("tm", "import", str(tmx))[0] == 0
    exported = tmp_path / "all.tmx"
    code, out, _ = cli("tm", "export", "-o", str(exported))
    assert code == 0 and "4 entries" in out
    dtd = etree.DTD(str(Path(__file__).resolve().parents[2] / "shared" / "schemas" / "tmx14.dtd"))
    tree = etree.parse(str(exported))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    assert [s.text for s in tree.iter("seg")][:2] == [
        "Officials said more would follow.",
        "အရာရှိများ ပြောသည်။",
    ]
    # OmegaT's tags in the imported file matched no stored segment: no codes to export.
    assert tree.find(".//bpt") is None and tree.find(".//ph") is None
    before = memory_rows()
    code, out, _ = cli("tm", "import", str(exported))
    assert code == 0 and "0 entries added, 4 already held" in out
    assert memory_rows() == before


def test_xliff_written_by_translate_toolkit_imports(tmp_path: Path) -> None:
    po = tmp_path / "a.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgid "{SENTENCE}"\nmsgstr "म्यांमार पुलिस अधिकारी भारत आए।"\n\n'
        'msgid "Untranslated."\nmsgstr ""\n',
        encoding="utf-8",
    )
    xlf = tmp_path / "a.xlf"
    subprocess.run([str(BIN / "po2xliff"), str(po), str(xlf)], check=True)
    code, _, err = cli("tm", "import", str(xlf))
    assert code != 0 and "--to" in err  # po2xliff names no target language
    code, out, _ = cli("tm", "import", str(xlf), "--to", "hi")
    assert code == 0 and "1 entries added" in out
    assert [(r[1], r[2]) for r in memory_rows()] == [("hi", SENTENCE)]


def test_po_with_its_language_header_imports(tmp_path: Path) -> None:
    po = tmp_path / "my.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: my_MM\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgid "{SENTENCE}"\nmsgstr "မြန်မာ ရဲများ နယ်စပ်ကို ဖြတ်ကျော်ခဲ့သည်။"\n\n'
        '#, fuzzy\nmsgid "Officials resigned."\nmsgstr "အရာရှိများ"\n',
        encoding="utf-8",
    )
    code, out, _ = cli("tm", "import", str(po))
    assert code == 0, out
    assert [(r[1], r[2]) for r in memory_rows()] == [("my", SENTENCE)]


def test_tables_generic_and_own(tmp_path: Path) -> None:
    tsv = tmp_path / "terms.tsv"
    tsv.write_text(
        "source\ttarget\ttarget_lang\n"
        f"{SENTENCE}\tमिज़ोरम पहुँचे।\thi-IN\n"
        "The <1>minister</1> resigned.\t<1>ဝန်ကြီး</1> နုတ်ထွက်သည်။\tmy\n"
        "\tempty source\tmy\n",
        encoding="utf-8",
    )
    code, out, _ = cli("tm", "import", str(tsv))
    assert code == 0 and "2 entries added" in out
    with open_store(store_path()) as db:
        entries = list(db.memory_entries())
    assert [(e.target_lang, e.source) for e in entries] == [
        ("hi", SENTENCE),
        ("my", "The minister resigned."),
    ]
    assert [(c.type, c.at) for c in entries[1].target_codes] == [
        (CodeType.OPEN, 0),
        (CodeType.CLOSE, 7),
    ]
    # The pipeline's own table: only reviewed and final rows are memory.
    own = tmp_path / "own.csv"
    own.write_text(
        "id,source,target:my,state:my\r\n"
        "s1,Officials resigned.,အရာရှိများ နုတ်ထွက်ခဲ့သည်။,reviewed\r\n"
        "s2,More will follow.,⟦Mööŕé⟧,translated\r\n",
        encoding="utf-8",
    )
    code, out, _ = cli("tm", "import", str(own))
    assert code == 0 and "1 entries added" in out
    latin1 = tmp_path / "bad.tsv"
    latin1.write_bytes("source\ttarget\nCaf\xe9\tx\n".encode("latin-1"))
    code, _, err = cli("tm", "import", str(latin1), "--to", "my")
    assert code != 0 and "not UTF-8" in err and len(err.strip().splitlines()) == 1
