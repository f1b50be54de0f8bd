"""Glossary files read as entries: TBX 2 / TBX-Basic, TBX v3 (dca, dct), csv2tbx, CSV/TSV."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.glossary import GlossaryEntry, TermStatus
from pipeline.glossary.read import read_glossary

BIN = Path(sys.executable).parent
P, A, F = TermStatus.PREFERRED, TermStatus.ADMITTED, TermStatus.FORBIDDEN

# TBX-Basic as TBX 2 tools (memoQ, Trados MultiTerm exports) write it: a DOCTYPE naming the
# core structure DTD, tig and ntig/termGrp terms, statuses and notes at every level.
TBX_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "{dtd}">
<martif type="TBX-Basic" xml:lang="en-US">
  <martifHeader>
    <fileDesc><sourceDesc><p>Myanmar news desk glossary</p></sourceDesc></fileDesc>
    <encodingDesc><p type="XCSURI">TBXBasicXCSV02.xcs</p></encodingDesc>
  </martifHeader>
  <text>
    <body>
      <termEntry id="c-naypyitaw">
        <descrip type="subjectField">geography</descrip>
        <langSet xml:lang="en-US">
          <tig>
            <term>Naypyitaw</term>
            <termNote type="partOfSpeech">properNoun</termNote>
          </tig>
          <tig><term>Nay Pyi Taw</term></tig>
        </langSet>
        <langSet xml:lang="my-MM">
          <tig>
            <term>နေပြည်တော်</term>
            <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
          </tig>
          <ntig>
            <termGrp>
              <term>နေပြည်</term>
              <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote>
            </termGrp>
          </ntig>
        </langSet>
      </termEntry>
      <termEntry id="c-police">
        <descripGrp><descrip type="definition">The civil force of a state</descrip></descripGrp>
        <langSet xml:lang="en">
          <tig><term>police</term><termNote type="partOfSpeech">noun</termNote></tig>
        </langSet>
        <langSet xml:lang="my">
          <tig>
            <term>ရဲ</term>
            <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote>
            <note>short form used in headlines</note>
          </tig>
          <tig>
            <term>ပုလိပ်</term>
            <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote>
          </tig>
        </langSet>
      </termEntry>
      <termEntry id="c-facebook">
        <langSet xml:lang="en">
          <tig>
            <term>Facebook</term>
            <termNote type="transferComment">Do not translate</termNote>
          </tig>
        </langSet>
      </termEntry>
      <termEntry>
        <langSet xml:lang="en"><tig><term>junta</term></tig></langSet>
      </termEntry>
    </body>
  </text>
</martif>
"""

TBX3_DCA = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-model href="TBXcoreStructV03_TBX-Basic_integrated.rng" type="application/xml"
  schematypens="http://relaxng.org/ns/structure/1.0"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>India border glossary</p></sourceDesc></fileDesc></tbxHeader>
  <text>
    <body>
      <conceptEntry id="c1">
        <descrip type="subjectField">geography</descrip>
        <langSec xml:lang="en">
          <termSec>
            <term>Mizoram</term>
            <termNote type="partOfSpeech">properNoun</termNote>
          </termSec>
        </langSec>
        <langSec xml:lang="hi">
          <termSec>
            <term>मिज़ोरम</term>
            <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
          </termSec>
          <termSec>
            <term>मिजोरम</term>
            <termNote type="administrativeStatus">notRecommended</termNote>
          </termSec>
        </langSec>
        <langSec xml:lang="my">
          <termSec><term>မီဇိုရမ်</term></termSec>
        </langSec>
      </conceptEntry>
      <conceptEntry id="c2">
        <langSec xml:lang="en">
          <termSec>
            <term>CDM</term>
            <admin type="doNotTranslate">yes</admin>
          </termSec>
        </langSec>
      </conceptEntry>
    </body>
  </text>
</tbx>
"""

TBX3_DCT = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dct" xml:lang="en"
     xmlns="urn:iso:std:iso:30042:ed-2" xmlns:basic="http://www.tbxinfo.net/ns/basic">
  <tbxHeader><fileDesc><sourceDesc><p>dct sample</p></sourceDesc></fileDesc></tbxHeader>
  <text>
    <body>
      <conceptEntry id="c7">
        <basic:subjectField>politics</basic:subjectField>
        <descripGrp>
          <basic:definition>The armed forces of Myanmar</basic:definition>
        </descripGrp>
        <langSec xml:lang="en">
          <termSec>
            <term>Tatmadaw</term>
            <basic:partOfSpeech>noun</basic:partOfSpeech>
          </termSec>
        </langSec>
        <langSec xml:lang="my">
          <termSec>
            <term>တပ်မတော်</term>
            <basic:administrativeStatus>preferredTerm-admn-sts</basic:administrativeStatus>
          </termSec>
          <termSec>
            <term>စစ်တပ်</term>
            <basic:administrativeStatus>admittedTerm-admn-sts</basic:administrativeStatus>
          </termSec>
        </langSec>
      </conceptEntry>
    </body>
  </text>
</tbx>
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE martif [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<martif type="TBX"><text><body><termEntry id="&lol9;">
  <langSet xml:lang="en"><tig><term>&lol9;</term></tig></langSet>
  <langSet xml:lang="my"><tig><term>&lol9;</term></tig></langSet>
</termEntry></body></text></martif>
"""


def pairs(entries: list[GlossaryEntry]) -> list[tuple[str, str, str, str, TermStatus, bool]]:
    return [(e.source_lang, e.target_lang, e.term, e.target, e.status, e.dnt) for e in entries]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_tbx_basic_pairs_source_and_target_terms_with_status_pos_and_note(tmp_path: Path) -> None:
    """Each en term pairs with each my term; statuses, pos, notes and dnt come from the data."""
    tbx = write(tmp_path / "news.tbx", TBX_BASIC.format(dtd="TBXcoreStructV02.dtd"))
    entries = read_glossary(tbx, "en")
    assert pairs(entries) == [
        ("en", "my", "Naypyitaw", "နေပြည်တော်", P, False),
        ("en", "my", "Naypyitaw", "နေပြည်", F, False),
        ("en", "my", "Nay Pyi Taw", "နေပြည်တော်", P, False),
        ("en", "my", "Nay Pyi Taw", "နေပြည်", F, False),
        ("en", "my", "police", "ရဲ", A, False),
        ("en", "my", "police", "ပုလိပ်", F, False),
        ("en", "my", "Facebook", "", P, True),  # no my langSet, flagged: kept as it is
        ("en", "my", "junta", "", P, False),  # listed with no translation
    ]
    first, _, _, _, police, *_ = entries
    assert first.pos == "properNoun" and first.note == "geography"
    assert first.concept == "c-naypyitaw" and first.origin == str(tbx)
    assert police.pos == "noun"
    assert police.note == "The civil force of a state; short form used in headlines"
    assert entries[-1].concept == ""


def test_external_dtd_is_neither_fetched_nor_read(tmp_path: Path) -> None:
    """A DOCTYPE naming a DTD (on a server or on disk) is read as it stands: nothing loaded."""
    unreachable = write(tmp_path / "remote.tbx", TBX_BASIC.format(dtd="http://127.0.0.1:9/x.dtd"))
    assert len(read_glossary(unreachable, "en", "my")) == 8
    # A DTD on disk whose attribute default would show if it were loaded.
    dtd = write(tmp_path / "TBXcoreStructV02.dtd", '<!ATTLIST termEntry id CDATA "from-the-dtd">')
    local = write(tmp_path / "local.tbx", TBX_BASIC.format(dtd=dtd.as_uri()))
    assert read_glossary(local, "en", "my")[-1].concept == ""


def test_tbx3_dca_reads_namespaced_sections_and_keeps_all_target_languages(
    tmp_path: Path,
) -> None:
    """TBX v3 dca: termNote/admin data categories; every non-source language without --to."""
    tbx = write(tmp_path / "border.tbx", TBX3_DCA)
    assert pairs(read_glossary(tbx, "en")) == [
        ("en", "hi", "Mizoram", "मिज़ोरम", P, False),
        ("en", "hi", "Mizoram", "मिजोरम", F, False),
        ("en", "my", "Mizoram", "မီဇိုရမ်", P, False),
        ("en", "hi", "CDM", "", P, True),  # doNotTranslate, no target language section
        ("en", "my", "CDM", "", P, True),
    ]
    only_my = read_glossary(tbx, "en", "my")
    assert [(e.term, e.target) for e in only_my] == [("Mizoram", "မီဇိုရမ်"), ("CDM", "")]
    assert only_my[0].pos == "properNoun" and only_my[0].concept == "c1"


def test_tbx3_dct_reads_data_categories_named_as_elements(tmp_path: Path) -> None:
    """TBX v3 dct: <basic:administrativeStatus>, <basic:partOfSpeech>, <basic:definition>."""
    tbx = write(tmp_path / "dct.tbx", TBX3_DCT)
    entries = read_glossary(tbx, "en", "my")
    assert pairs(entries) == [
        ("en", "my", "Tatmadaw", "တပ်မတော်", P, False),
        ("en", "my", "Tatmadaw", "စစ်တပ်", A, False),
    ]
    assert entries[0].pos == "noun" and entries[0].concept == "c7"
    assert entries[0].note == "politics; The armed forces of Myanmar"
    with pytest.raises(InputError, match=r"no hi terms \(the file has my\)"):
        read_glossary(tbx, "en", "hi")


def run_csv2tbx(tmp_path: Path, csv_text: str) -> Path:
    source = write(tmp_path / "terms.csv", csv_text)
    tbx = tmp_path / "terms.tbx"
    subprocess.run(
        [str(BIN / "csv2tbx"), "--progress=none", str(source), str(tbx)],
        check=True,
        capture_output=True,
    )
    return tbx


def test_translate_toolkit_csv2tbx_output_takes_its_xx_language_from_to(tmp_path: Path) -> None:
    """csv2tbx writes the target language as xx: it is the --to language."""
    tbx = run_csv2tbx(
        tmp_path,
        "source,target\nNaypyitaw,နေပြည်တော်\nAung San Suu Kyi,အောင်ဆန်းစုကြည်\n",
    )
    assert 'xml:lang="xx"' in tbx.read_text(encoding="utf-8")  # what csv2tbx really writes
    assert pairs(read_glossary(tbx, "en", "my")) == [
        ("en", "my", "Naypyitaw", "နေပြည်တော်", P, False),
        ("en", "my", "Aung San Suu Kyi", "အောင်ဆန်းစုကြည်", P, False),
    ]


def test_csv2tbx_output_without_to_is_one_clear_error(tmp_path: Path) -> None:
    """Without --to, csv2tbx's xx language is an input error that says what to give."""
    tbx = run_csv2tbx(tmp_path, "original,translation\nPolice,पुलिस\n")
    with pytest.raises(InputError) as raised:
        read_glossary(tbx, "en")
    message = str(raised.value)
    assert message.startswith(f"{tbx}: ") and "'xx'" in message and "--to" in message
    assert "\n" not in message


def test_csv_with_every_column_reads_status_dnt_language_pos_and_note(tmp_path: Path) -> None:
    """Header names in any case and spelling: Term, Translation, Lang, Part of speech, DNT."""
    table = write(
        tmp_path / "desk.csv",
        "Term,Translation,Target Language,Part_of_Speech,Status,Do-Not-Translate,Comment,ID\n"
        "police,ရဲ,my-MM,noun,preferred,,,p1\n"
        "police,ပုလိပ်,my,noun,deprecatedTerm-admn-sts,,old spelling,p1\n"
        "police,पुलिस,hi,noun,admitted,,,p2\n"
        "Facebook,,my,,,yes,a brand,\n"
        ",ignored,my,,,,,\n",
    )
    entries = read_glossary(table, "en")
    assert pairs(entries) == [
        ("en", "my", "police", "ရဲ", P, False),
        ("en", "my", "police", "ပုလိပ်", F, False),
        ("en", "hi", "police", "पुलिस", A, False),
        ("en", "my", "Facebook", "", P, True),
    ]
    assert entries[1].note == "old spelling" and entries[1].pos == "noun"
    assert entries[1].concept == "p1" and entries[3].concept == "5"  # no id: the row number
    assert [e.target_lang for e in read_glossary(table, "en", "hi")] == ["hi"]


def test_tsv_with_a_column_per_language_gives_an_entry_per_language(tmp_path: Path) -> None:
    """A table with en, my and hi columns: one entry per target column, --to keeps one."""
    table = write(
        tmp_path / "terms.tsv",
        "en\tmy\thi\tnote\nMizoram\tမီဇိုရမ်\tमिज़ोरम\tIndian state\nTamu\tတမူး\t\t\n",
    )
    assert pairs(read_glossary(table, "en")) == [
        ("en", "my", "Mizoram", "မီဇိုရမ်", P, False),
        ("en", "hi", "Mizoram", "मिज़ोरम", P, False),
        ("en", "my", "Tamu", "တမူး", P, False),
        ("en", "hi", "Tamu", "", P, False),
    ]
    assert [e.target for e in read_glossary(table, "en", "hi")] == ["मिज़ोरम", ""]


def test_bom_txt_with_tabs_and_csv2tbx_input_columns_are_tables(tmp_path: Path) -> None:
    """A UTF-8 BOM is dropped; a .txt with tabs is a TSV; location,source,target is csv2tbx's."""
    bom = write(tmp_path / "bom.csv", "\ufeffsource,target\nNLD,NLD\n")
    assert pairs(read_glossary(bom, "en", "my")) == [("en", "my", "NLD", "NLD", P, False)]
    txt = write(tmp_path / "list.txt", "term\tmy\nUN\tကုလသမဂ္ဂ\n")
    assert pairs(read_glossary(txt, "en")) == [("en", "my", "UN", "ကုလသမဂ္ဂ", P, False)]
    toolkit = write(tmp_path / "tt.csv", "location,source,target\nhead:1,junta,စစ်ကောင်စီ\n")
    (entry,) = read_glossary(toolkit, "en", "my")
    assert entry.concept == "head:1" and entry.target == "စစ်ကောင်စီ"


def test_a_source_only_list_needs_to_and_a_wrong_language_is_named(tmp_path: Path) -> None:
    """A dnt list has no target column: --to gives its language; a missing language is named."""
    dnt = write(tmp_path / "dnt.csv", "term,dnt\nFacebook,x\nCDM,1\n")
    assert pairs(read_glossary(dnt, "en", "my")) == [
        ("en", "my", "Facebook", "", P, True),
        ("en", "my", "CDM", "", P, True),
    ]
    with pytest.raises(InputError, match="no target column or language; give --to"):
        read_glossary(dnt, "en")
    hindi = write(tmp_path / "hi.csv", "en,hi\npolice,पुलिस\n")
    with pytest.raises(InputError, match=r"no my column \(the table has hi\)"):
        read_glossary(hindi, "en", "my")


BAD_INPUTS = {
    "missing": None,
    "latin1.csv": "source,target\ncafé,kafe\n".encode("latin-1"),
    "broken.tbx": b'<martif type="TBX"><text><body><termEntry></body></text></martif>',
    "laughs.tbx": BILLION_LAUGHS.encode(),
    "undefined.tbx": b'<martif><text><body><termEntry><langSet xml:lang="en"><tig>'
    b"<term>&brand;</term></tig></langSet></termEntry></body></text></martif>",
    "page.xml": b"<html><body><p>not a termbase</p></body></html>",
    "noheader.csv": "Naypyitaw,နေပြည်တော်\nMandalay,မန္တလေး\n".encode(),
    "empty.csv": b"",
}
MESSAGES = {
    "missing": "no such file",
    "latin1.csv": "not UTF-8 text",
    "broken.tbx": "malformed TBX",
    "laughs.tbx": "declares XML entities",
    "undefined.tbx": "malformed TBX: Entity 'brand' not defined (line 1, column 73)",
    "page.xml": "not a TBX file (root <html>",
    "noheader.csv": "names no source term column (source, term or en)",
    "empty.csv": "a glossary table starts with a header row",
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_a_bad_input_is_one_line_naming_the_file(tmp_path: Path, name: str) -> None:
    """Every unreadable input is an InputError: one line, the file first, no traceback."""
    path = tmp_path / name
    data = BAD_INPUTS[name]
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(InputError) as raised:
        read_glossary(path, "en", "my")
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert MESSAGES[name] in message
