"""Fuzzy memory matches at translate time: offered beside the translation, or filled as drafts."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from pipeline.records import Origin, State, TranslationDraft
from pipeline.store import open_store
from tests.exportkit import SCHEMAS
from tests.test_cli import cli, store_path

MEMORY_SOURCE = "Police paid 1,250 rupees to 19 families on Tuesday."
NEW_SOURCE = "Police paid 1,300 rupees to 19 families on Tuesday."
HINDI = "पुलिस ने मंगलवार को 19 परिवारों को 1,250 रुपये दिए।"
BURMESE = "ရဲက အင်္ဂါနေ့တွင် မိသားစု ၁၉ စုကို ရူပီး ၁,၂၅၀ ပေးခဲ့သည်။"
TMX = f"""<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header creationtool="OmegaT" o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext"
    segtype="sentence" srclang="EN-US"/>
  <body>
    <tu tuid="7">
      <tuv xml:lang="en-US"><seg>{MEMORY_SOURCE}</seg></tuv>
      <tuv xml:lang="hi-IN" changeid="asha"><seg>{HINDI}</seg></tuv>
      <tuv xml:lang="my-MM"><seg>{BURMESE}</seg></tuv>
    </tu>
    <tu tuid="8">
      <tuv xml:lang="en"><seg>The weather in Yangon was hot and dry all week.</seg></tuv>
      <tuv xml:lang="hi"><seg>यांगून में पूरे सप्ताह मौसम गर्म और शुष्क रहा।</seg></tuv>
    </tu>
  </body>
</tmx>
"""
XLIFF12 = "{urn:oasis:names:tc:xliff:document:1.2}"
XLIFF20 = "{urn:oasis:names:tc:xliff:document:2.0}"
MTC = "{urn:oasis:names:tc:xliff:matches:2.0}"


def setup(tmp_path: Path, *translate: str) -> Path:
    """Ingest a two-sentence article, import the memory, translate; return the article."""
    article = tmp_path / "a.txt"
    article.write_text(f"{NEW_SOURCE} The minister resigned on Friday.\n", encoding="utf-8")
    tmx = tmp_path / "m.tmx"
    tmx.write_text(TMX, encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("tm", "import", str(tmx))[0] == 0
    code, _, err = cli("translate", str(article), "--engine", "pseudo", *translate)
    assert code == 0, err
    return article


def stored(lang: str) -> tuple[list, dict, dict]:
    with open_store(store_path()) as db:
        doc = db.documents()[0]
        return db.segments(doc.id), db.translations(doc.id, lang), db.matches(doc.id, lang)


def test_a_fuzzy_match_is_offered_beside_the_machine_translation(tmp_path: Path) -> None:
    """The match is stored for the segment, the translation stays the model's."""
    setup(tmp_path, "--to", "hi")
    segments, translations, matches = stored("hi")
    first, second = segments
    t = translations[first.id]
    assert t.origin is Origin.MT and t.state is State.TRANSLATED and t.text != HINDI
    (match,) = matches[first.id]
    # One token of ten (the full stop is one) differs: 1,250 → 1,300.
    assert match.score == 90.0
    assert (match.source, match.target) == (MEMORY_SOURCE, HINDI)
    assert match.origin.endswith("m.tmx tu 7") and match.author == "asha"
    assert second.id not in matches


def test_threshold_option_limits_what_is_offered(tmp_path: Path) -> None:
    setup(tmp_path, "--to", "hi", "--fuzzy-threshold", "95")
    assert stored("hi")[2] == {}


def test_exports_show_the_match_and_what_differs(tmp_path: Path) -> None:
    """XLIFF 1.2 alt-trans (schema-valid), XLIFF 2.0 mtc:match, PO comment, JSONL, HTML."""
    article = setup(tmp_path, "--to", "hi")
    segments, _, _ = stored("hi")
    unit = f"s{segments[0].id}"
    differs = 'the source differs: "1,250" → "1,300"'
    files = {}
    for fmt in ("xliff12", "xliff20", "po", "jsonl", "bilingual", "tsv"):
        files[fmt] = tmp_path / f"out.{fmt}"
        code, _, err = cli(
            "export", "--format", fmt, "--to", "hi", str(article), "-o", str(files[fmt])
        )
        assert code == 0, err

    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd")))
    root = etree.parse(str(files["xliff12"])).getroot()
    assert xsd.validate(root), xsd.error_log.filter_from_errors()
    tu = root.find(f".//{XLIFF12}trans-unit[@id='{unit}']")
    (alt,) = tu.findall(f"{XLIFF12}alt-trans")
    assert alt.get("match-quality") == "90" and alt.get("alttranstype") == "proposal"
    assert alt.findtext(f"{XLIFF12}source") == MEMORY_SOURCE
    assert alt.findtext(f"{XLIFF12}target") == HINDI
    assert alt.findtext(f"{XLIFF12}note") == differs
    # The proposal is not the target.
    assert tu.findtext(f"{XLIFF12}target") != HINDI

    root = etree.parse(str(files["xliff20"])).getroot()
    xunit = root.find(f".//{XLIFF20}unit[@id='{unit}']")
    assert etree.QName(xunit[0]).localname == "matches"
    (match,) = xunit.iterfind(f"{MTC}matches/{MTC}match")
    assert match.get("ref") == "#seg" and xunit.find(f"{XLIFF20}segment").get("id") == "seg"
    assert float(match.get("matchQuality")) == 90.0
    assert match.findtext(f"{XLIFF20}target") == HINDI
    notes = [n.text for n in xunit.iterfind(f"{XLIFF20}notes/{XLIFF20}note[@category='match']")]
    assert len(notes) == 1 and differs in notes[0]

    po = files["po"].read_text(encoding="utf-8")
    assert f"# fuzzy match 90% (memory:{tmp_path / 'm.tmx'} tu 7): {HINDI}" in po
    assert f"# {differs}" in po
    if shutil.which("msgfmt") or os.environ.get("PIPELINE_REQUIRE_MSGFMT"):
        done = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(files["po"])])
        assert done.returncode == 0

    rows = [json.loads(line) for line in files["jsonl"].read_text(encoding="utf-8").splitlines()]
    (offered,) = rows[0]["matches"]["hi"]
    assert offered["differs"] == [["1,250", "1,300"]] and offered["target"] == HINDI
    assert rows[1]["matches"] == {}

    with files["tsv"].open(encoding="utf-8", newline="") as table:
        header, first, _ = csv.reader(table, delimiter="\t")
    assert first[header.index("matches:hi")].endswith(differs)
    page = files["bilingual"].read_text(encoding="utf-8")
    assert '<ul class="matches">' in page and "&quot;1,250&quot; → &quot;1,300&quot;" in page


def test_review_import_reads_the_target_not_the_match(tmp_path: Path) -> None:
    """Files with matches read back as their segment targets: nothing changes in the store."""
    article = setup(tmp_path, "--to", "hi")
    for fmt in ("xliff12", "xliff20", "po"):
        path = tmp_path / f"back.{fmt}"
        assert cli("export", "--format", fmt, "--to", "hi", str(article), "-o", str(path))[0] == 0
        code, out, err = cli("review", "import", str(path), "--reviewer", "asha")
        assert code == 0, err
        assert "0 applied" in out or "applied 0" in out, out
    assert stored("hi")[1][stored("hi")[0][0].id].origin is Origin.MT


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("hi", "पुलिस ने मंगलवार को 19 परिवारों को 1,300 रुपये दिए।"),
        ("my", "ရဲက အင်္ဂါနေ့တွင် မိသားစု ၁၉ စုကို ရူပီး ၁,၃၀၀ ပေးခဲ့သည်။"),
    ],
)
def test_fuzzy_fill_makes_a_flagged_draft_with_the_sources_numbers(
    tmp_path: Path, lang: str, expected: str
) -> None:
    """--fuzzy-fill: the match's target, its differing number replaced in its own digits."""
    setup(tmp_path, "--to", lang, "--fuzzy-fill", "85")
    segments, translations, matches = stored(lang)
    t = translations[segments[0].id]
    assert t.text == expected
    assert t.origin is Origin.TM_FUZZY and t.state is State.TRANSLATED
    assert t.signature is not None and t.signature.engine == "tm-fuzzy"
    assert "m.tmx tu 7" in t.signature.model
    messages = [f.message for f in t.flags if f.check == "fuzzy"]
    assert any('"1,250" → "1,300"' in m for m in messages)
    assert "numbers replaced from the source: 1,250 → 1,300" in messages
    # The number now agrees with the source: the numbers check has nothing to say.
    assert not [f for f in t.flags if f.check == "numbers"]
    # The other sentence went to the model; the match is still offered for the filled one.
    assert translations[segments[1].id].origin is Origin.MT
    assert [m.score for m in matches[segments[0].id]] == [90.0]


def test_fuzzy_fill_below_its_score_leaves_the_model(tmp_path: Path) -> None:
    setup(tmp_path, "--to", "hi", "--fuzzy-fill", "95")
    segments, translations, matches = stored("hi")
    assert translations[segments[0].id].origin is Origin.MT and matches[segments[0].id]


def test_fuzzy_fill_reports_a_number_the_match_target_lacks(tmp_path: Path) -> None:
    """A match whose target writes the number as a word cannot be adapted: it says so."""
    tmx = TMX.replace(HINDI, "पुलिस ने मंगलवार को उन्नीस परिवारों को बारह सौ पचास रुपये दिए।")
    (tmp_path / "m.tmx").write_text(tmx, encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text(f"{NEW_SOURCE}\n", encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("tm", "import", str(tmp_path / "m.tmx"))[0] == 0
    assert cli("translate", "--engine", "pseudo", "--to", "hi", "--fuzzy-fill", "80")[0] == 0
    segments, translations, _ = stored("hi")
    flags = translations[segments[0].id].flags
    assert "number 1,250 of the match is not in its target" in [f.message for f in flags]
    assert any(f.check == "numbers" for f in flags)


def test_own_reviewed_work_is_a_fuzzy_source_too(tmp_path: Path) -> None:
    """A reviewed translation of a similar sentence in another article is offered."""
    first = tmp_path / "first.txt"
    first.write_text(f"{MEMORY_SOURCE}\n", encoding="utf-8")
    assert cli("ingest", str(first))[0] == 0
    assert cli("translate", str(first), "--engine", "pseudo", "--to", "hi")[0] == 0
    with open_store(store_path()) as db:
        doc = db.documents()[0]
        (t,) = db.translations(doc.id, "hi").values()
        db.write_translations(
            [TranslationDraft(t.segment_id, "hi", HINDI, State.REVIEWED, Origin.HUMAN, author="A")]
        )
    second = tmp_path / "second.txt"
    second.write_text(f"{NEW_SOURCE}\n", encoding="utf-8")
    assert cli("ingest", str(second))[0] == 0
    code, out, _ = cli("translate", str(second), "--engine", "pseudo", "--to", "hi")
    assert code == 0 and "1 with fuzzy memory matches offered" in out
    with open_store(store_path()) as db:
        doc = db.document(str(second))
        (seg,) = db.segments(doc.id)
        (match,) = db.matches(doc.id, "hi")[seg.id]
    assert match.target == HINDI and match.origin.startswith("store:") and match.author == "A"
