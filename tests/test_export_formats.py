"""Export formats: one contract every format passes, validators, Translate Toolkit, articles."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from lxml import etree
from lxml import html as lxml_html

from pipeline.export import ExportRequest, export, select
from pipeline.formats import ExportOptions, format_info, writer
from pipeline.formats.errors import ExportError, IncompleteArticleError, UnknownFormatError
from pipeline.formats.xliff12 import parse_state
from pipeline.inline import marked, render
from pipeline.records import Origin, SegmentKind, State, TranslationDraft, Unit
from tests.exportkit import PSEUDO, SCHEMAS, SEED, WHEN, Kit, build, review_all

# unit id -> language -> (text, state); a unit with no target in a language maps to ("", initial).
Parsed = dict[str, dict[str, tuple[str, State]]]

XLIFF12 = "{urn:oasis:names:tc:xliff:document:1.2}"
XLIFF20 = "{urn:oasis:names:tc:xliff:document:2.0}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Kit]:
    """Return the export kit's store, closed after the test."""
    built = build(tmp_path)
    yield built
    built.store.close()


def run(kit: Kit, fmt: str, langs: tuple[str, ...] = ("my",), **request: object) -> bytes:
    """Export to memory and return the bytes."""
    out = io.BytesIO()
    export(kit.store, ExportRequest(fmt, langs, **request), out, created_at=WHEN)  # type: ignore[arg-type]
    return out.getvalue()


def expected(kit: Kit, ids: list[str], langs: tuple[str, ...]) -> Parsed:
    """Return what a parse of an export of these units should give."""
    return {
        uid: {lang: (kit.target(uid, lang).text, kit.target(uid, lang).state) for lang in langs}
        for uid in ids
    }


class ExportContract:
    """Behaviour every exchange format has; each format's test class says how to read it back."""

    format: ClassVar[str]

    def parse(self, data: bytes, langs: tuple[str, ...]) -> Parsed:
        raise NotImplementedError

    def exported(self, kit: Kit, langs: tuple[str, ...], **request: object) -> Parsed:
        """Export in as few files as the format allows and parse them all."""
        per_file = [langs] if format_info(self.format).many_targets else [(lang,) for lang in langs]
        parsed: Parsed = {}
        for group in per_file:
            for uid, targets in self.parse(run(kit, self.format, group, **request), group).items():
                parsed.setdefault(uid, {}).update(targets)
        return parsed

    def test_units_ids_targets_and_states(self, kit: Kit) -> None:
        """Every segment is one unit, id s<segment id>, in order, with its targets and states."""
        langs = ("my", "hi")
        parsed = self.exported(kit, langs)
        assert list(parsed) == kit.unit_ids()
        assert parsed == expected(kit, kit.unit_ids(), langs)

    def test_document_filter(self, kit: Kit) -> None:
        """Naming documents (by id or path) exports only their units."""
        parsed = self.exported(kit, ("my",), documents=(str(kit.markdown.id), kit.html.uri))
        assert list(parsed) == kit.unit_ids(kit.markdown, kit.html)

    def test_state_filter(self, kit: Kit) -> None:
        """--state keeps only units with a target in those states; other targets are left out."""
        parsed = self.exported(kit, ("my",), states=(State.REVIEWED, State.FINAL))
        wanted = [
            uid
            for uid in kit.unit_ids()
            if kit.target(uid, "my").state in (State.REVIEWED, State.FINAL)
        ]
        assert list(parsed) == wanted
        assert parsed == expected(kit, wanted, ("my",))

    def test_writer_streams(self, kit: Kit) -> None:
        """The writer emits a document's units before the store has read the next document."""
        seed = kit.segments(kit.seed)

        def units() -> Iterator[Unit]:
            for index, unit in enumerate(kit.store.units([kit.seed.id, kit.markdown.id], ["my"])):
                if index == len(seed) + 1:
                    raise LookupError("read past the first unit of the second document")
                yield unit

        out = io.BytesIO()
        with pytest.raises(LookupError):
            writer(self.format)(units(), out, ExportOptions(("my",), created_at=WHEN))
        text = out.getvalue().decode()
        assert all(f"s{segment.id}" in text for segment in seed)


class TestTmx(ExportContract):
    format = "tmx"

    def parse(self, data: bytes, langs: tuple[str, ...]) -> Parsed:
        root = etree.fromstring(data)
        parsed: Parsed = {}
        for tu in root.iter("tu"):
            targets = {tuv.get(XML_LANG): tuv for tuv in tu.findall("tuv")[1:]}
            parsed[tu.get("tuid")] = {
                lang: (
                    (
                        targets[lang].findtext("seg"),
                        State(targets[lang].findtext("prop[@type='x-state']")),
                    )
                    if lang in targets
                    else ("", State.INITIAL)
                )
                for lang in langs
            }
        return parsed

    def test_valid_against_the_dtd(self, kit: Kit) -> None:
        """A two-language TMX export is valid TMX 1.4 by the official DTD."""
        dtd_path = SCHEMAS / "tmx14.dtd"
        if not dtd_path.exists():
            pytest.skip(f"no TMX DTD at {dtd_path} (the shared schemas folder is missing)")
        dtd = etree.DTD(str(dtd_path))
        document = etree.fromstring(run(kit, "tmx", ("my", "hi")))
        assert dtd.validate(document), dtd.error_log.filter_from_errors()

    def test_header_dates_authors_props_and_notes(self, kit: Kit) -> None:
        """The header names the tool; a target tuv has TMX dates, author, props and QA notes."""
        root = etree.fromstring(run(kit, "tmx", ("my", "hi")))
        header = root.find("header")
        assert header is not None
        assert header.get("srclang") == "en" and header.get("o-tmf") == "pipeline"
        assert header.get("creationdate") == "20210305T093000Z"
        reviewed = root.find(f"body/tu[@tuid='s{kit.segments(kit.seed)[1].id}']/tuv[2]")
        assert reviewed is not None and reviewed.get("creationid") == "Thida"
        assert (
            len(reviewed.get("changedate", "")) == 16 and reviewed.get("changedate", "")[8] == "T"
        )
        flagged = root.find(f"body/tu[@tuid='s{kit.segments(kit.seed)[3].id}']/tuv[2]")
        assert flagged is not None
        props = {p.get("type"): p.text for p in flagged.findall("prop")}
        assert props["x-state"] == "translated" and props["x-origin"] == "mt"
        assert props["x-signature"].startswith("engine:argos|model:translate-en_my")
        assert (flagged.findtext("note") or "").startswith("qa error: numbers")
        pseudo = root.find(f"body/tu[@tuid='s{kit.segments(kit.seed)[6].id}']/tuv[2]")
        assert pseudo is not None and "PSEUDO-TRANSLATION" in (pseudo.findtext("note") or "")

    @pytest.mark.parametrize("lang", ["my", "hi"])
    def test_translate_toolkit_reads_it(self, kit: Kit, lang: str) -> None:
        """Translate Toolkit's TMX reader sees the same units, languages, sources and targets.

        Its plain source keeps the native markup that TMX codes hold as content.
        """
        from translate.storage import tmx

        store = tmx.tmxfile(run(kit, "tmx", ("my", "hi")))
        assert store.sourcelanguage == "en"
        assert [u.getid() for u in store.units] == kit.unit_ids()
        sources = [render(s.source, s.codes) for doc in kit.documents() for s in kit.segments(doc)]
        assert [u.source for u in store.units] == sources
        for unit in store.units:
            target = kit.target(unit.getid(), lang)
            if target.state is State.INITIAL and not target.text:
                assert unit.gettarget(lang) in (None, "")
            else:
                assert unit.gettarget(lang) == target.text


class TestXliff12(ExportContract):
    format = "xliff12"

    def parse(self, data: bytes, langs: tuple[str, ...]) -> Parsed:
        root = etree.fromstring(data)
        parsed: Parsed = {}
        for file in root.iter(f"{XLIFF12}file"):
            lang = file.get("target-language")
            for tu in file.iter(f"{XLIFF12}trans-unit"):
                target = tu.find(f"{XLIFF12}target")
                text = (target.text or "") if target is not None else ""
                state = parse_state(
                    target.get("state") if target is not None else None, target is not None
                )
                parsed.setdefault(tu.get("id"), {})[lang] = (text, state)
        return parsed

    def test_one_file_per_document_and_language(self, kit: Kit) -> None:
        """Each document gets a <file> per language, original = its URI, its id in the header."""
        root = etree.fromstring(run(kit, "xliff12", ("my", "hi")))
        files = root.findall(f"{XLIFF12}file")
        docs = [kit.seed, kit.markdown, kit.html, kit.script]
        assert [(f.get("original"), f.get("target-language")) for f in files] == [
            (doc.uri, lang) for doc in docs for lang in ("my", "hi")
        ]
        assert files[0].findtext(f"{XLIFF12}header/{XLIFF12}note") == "document-id: 1; version: 1"
        assert files[2].get("source-language") == "en" and files[0].get("datatype") == "plaintext"

    def test_valid_against_the_strict_schema(self, kit: Kit) -> None:
        """A two-language XLIFF 1.2 export is valid by the strict XSD."""
        xsd_path = SCHEMAS / "xliff-core-1.2-strict.xsd"
        if not xsd_path.exists():
            pytest.skip(f"no XLIFF schema at {xsd_path} (the shared schemas folder is missing)")
        schema = etree.XMLSchema(etree.parse(str(xsd_path)))
        document = etree.fromstring(run(kit, "xliff12", ("my", "hi")))
        assert schema.validate(document), schema.error_log.filter_from_errors()

    def test_state_mapping(self, kit: Kit) -> None:
        """States map to XLIFF 1.2 state, state-qualifier and approved as documented."""
        root = etree.fromstring(run(kit, "xliff12"))
        seed = kit.segments(kit.seed)

        def tu(index: int) -> etree._Element:
            found = root.find(f".//{XLIFF12}trans-unit[@id='s{seed[index].id}']")
            assert found is not None
            return found

        def target(index: int) -> tuple[str | None, str | None, str | None]:
            element = tu(index).find(f"{XLIFF12}target")
            assert element is not None
            return element.get("state"), element.get("state-qualifier"), tu(index).get("approved")

        assert target(0) == ("final", None, "yes")
        assert target(1) == ("signed-off", None, "yes")
        assert target(3) == ("needs-review-translation", "mt-suggestion", None)
        assert target(4) == ("needs-review-translation", "leveraged-tm", None)
        assert target(5) == ("translated", None, None)
        assert target(8) == ("new", None, None)
        assert tu(9).find(f"{XLIFF12}target") is None

    def test_notes_and_alternatives(self, kit: Kit) -> None:
        """Notes carry QA flags, signature and pseudo warning; alt-trans the TM and earlier MT."""
        root = etree.fromstring(run(kit, "xliff12"))
        seed = kit.segments(kit.seed)

        def tu(index: int) -> etree._Element:
            found = root.find(f".//{XLIFF12}trans-unit[@id='s{seed[index].id}']")
            assert found is not None
            return found

        notes = [n.text or "" for n in tu(3).findall(f"{XLIFF12}note")]
        assert notes[0].startswith("qa error: numbers") and "\n" not in notes[1]
        assert any(n.startswith("signature: engine:argos") for n in notes)
        assert "PSEUDO-TRANSLATION" in (tu(6).findtext(f"{XLIFF12}note") or "")
        memory = tu(4).find(f"{XLIFF12}alt-trans")
        assert memory is not None and memory.get("origin") == "tm"
        assert memory.findtext(f"{XLIFF12}source") == seed[4].source
        previous = tu(7).find(f"{XLIFF12}alt-trans")
        assert previous is not None
        assert (previous.get("origin"), previous.get("alttranstype")) == (
            "argos",
            "previous-version",
        )
        assert previous.findtext(f"{XLIFF12}target") == "မြန်မာ (MT)"

    @pytest.mark.parametrize("lang", ["my", "hi"])
    def test_translate_toolkit_reads_it(self, kit: Kit, lang: str) -> None:
        """Translate Toolkit's XLIFF reader sees the same units, languages, targets and states."""
        from translate.storage import xliff

        store = xliff.xlifffile(run(kit, "xliff12", (lang,)))
        assert (store.getsourcelanguage(), store.gettargetlanguage()) == ("en", lang)
        units = store.units
        assert [u.xmlelement.get("id") for u in units] == kit.unit_ids()
        for unit in units:
            want = kit.target(unit.xmlelement.get("id"), lang)
            assert (unit.target or "") == want.text
            assert unit.isfuzzy() == (want.state is State.TRANSLATED)
            assert unit.isapproved() == (want.state in (State.REVIEWED, State.FINAL))
            if want.state is State.FINAL:
                assert unit.get_state_n() > xliff.xliffunit.S_SIGNED_OFF


class TestXliff20(ExportContract):
    format = "xliff20"

    def parse(self, data: bytes, langs: tuple[str, ...]) -> Parsed:
        root = etree.fromstring(data)
        assert root.get("srcLang") == "en" and root.get("trgLang") == langs[0]
        parsed: Parsed = {}
        for unit in root.iter(f"{XLIFF20}unit"):
            segment = unit.find(f"{XLIFF20}segment")
            assert segment is not None
            text = segment.findtext(f"{XLIFF20}target") or ""
            parsed[unit.get("id")] = {langs[0]: (text, State(segment.get("state")))}
        return parsed

    def test_files_notes_and_substates(self, kit: Kit) -> None:
        """One <file> per document with its URI; origin as subState; QA flags as qa notes."""
        root = etree.fromstring(run(kit, "xliff20"))
        files = root.findall(f"{XLIFF20}file")
        assert [f.get("original") for f in files] == [
            d.uri for d in (kit.seed, kit.markdown, kit.html, kit.script)
        ]
        assert [f.get("id") for f in files] == [f"d{kit.seed.id}", "d2", "d3", "d4"]
        flagged = root.find(f".//{XLIFF20}unit[@id='s{kit.segments(kit.seed)[3].id}']")
        assert flagged is not None
        segment = flagged.find(f"{XLIFF20}segment")
        assert segment is not None and segment.get("subState") == "pipeline:mt"
        qa = flagged.findall(f"{XLIFF20}notes/{XLIFF20}note[@category='qa']")
        assert [n.get("priority") for n in qa] == ["1", "3"]

    def test_mixed_source_languages_refused(self, kit: Kit) -> None:
        """XLIFF 2.0 holds one source language, so documents in two are refused in one line."""
        from pipeline.formats.xliff20 import generate_xliff

        with pytest.raises(ExportError, match="one source language"):
            next(generate_xliff([], ExportOptions(("my",), source_lang="")))


class TestPo(ExportContract):
    format = "po"

    def parse(self, data: bytes, langs: tuple[str, ...]) -> Parsed:
        from translate.storage import pypo

        store = pypo.pofile(data)
        assert store.gettargetlanguage() == langs[0]
        parsed: Parsed = {}
        for unit in store.units:
            if unit.isheader():
                continue
            comments = unit.getnotes("developer")
            if not unit.target:
                state = State.INITIAL
            elif unit.isfuzzy():
                state = State.TRANSLATED
            elif "state: final" in comments:
                state = State.FINAL
            else:
                state = State.REVIEWED
            parsed[unit.getcontext()] = {langs[0]: (unit.target, state)}
        return parsed

    def test_msgfmt_check_passes(self, kit: Kit, tmp_path: Path) -> None:
        """GNU msgfmt -c accepts the catalog in each language (escapes, header, plural forms)."""
        if shutil.which("msgfmt") is None:
            if os.environ.get("PIPELINE_REQUIRE_MSGFMT"):
                pytest.fail("msgfmt is required here (apt-get install gettext)")
            pytest.skip("msgfmt is not installed (apt-get install gettext)")
        for lang in ("my", "hi"):
            path = tmp_path / f"{lang}.po"
            path.write_bytes(run(kit, "po", (lang,)))
            result = subprocess.run(
                ["msgfmt", "-c", "-o", str(tmp_path / f"{lang}.mo"), str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stderr

    def test_comments_flags_and_header(self, kit: Kit) -> None:
        """Header names language and plurals; QA flags, signature and pseudo are comments."""
        text = run(kit, "po").decode()
        assert '"Language: my\\n"' in text and '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
        assert '"Content-Type: text/plain; charset=UTF-8\\n"' in text
        assert '"X-Generator: pipeline ' in text
        seed = kit.segments(kit.seed)
        entries = {e.split('msgctxt "')[1].split('"')[0]: e for e in text.split("\n\n")[1:]}
        flagged = entries[f"s{seed[3].id}"]
        assert "# qa error: numbers: 19 is missing" in flagged
        assert "#. signature: engine:argos|" in flagged and "#, fuzzy" in flagged
        pseudo = entries[f"s{seed[6].id}"]
        assert "#. PSEUDO-TRANSLATION: not a translation" in pseudo and "#, fuzzy" in pseudo
        assert "#. state: final" in entries[f"s{seed[0].id}"]
        assert "fuzzy" not in entries[f"s{seed[1].id}"]

    def test_translate_toolkit_reads_sources_and_escapes(self, kit: Kit) -> None:
        """Pypo reads every source back, codes as markers; quotes, backslashes and tabs survive."""
        from translate.storage import pypo

        store = pypo.pofile(run(kit, "po", ("hi",)))
        units = [u for u in store.units if not u.isheader()]
        sources = [marked(s.source, s.codes) for doc in kit.documents() for s in kit.segments(doc)]
        assert [u.source for u in units] == sources
        unit = next(u for u in units if u.getcontext() == f"s{kit.segments(kit.seed)[4].id}")
        assert unit.target == 'पहला "मामला" \\ टैब\tयहाँ'


class TableContract(ExportContract):
    """TSV and CSV: read back with the csv module."""

    dialect: ClassVar[type[csv.Dialect]]

    def parse(self, data: bytes, langs: tuple[str, ...]) -> Parsed:
        rows = list(csv.DictReader(io.StringIO(data.decode(), newline=""), dialect=self.dialect))
        return {
            row["id"]: {
                lang: (row[f"target:{lang}"], State(row[f"state:{lang}"])) for lang in langs
            }
            for row in rows
        }

    def test_every_field_round_trips(self, kit: Kit) -> None:
        """Sources, positions, signature, score and flags read back exactly, tabs and quotes too."""
        data = run(kit, self.format, ("my", "hi"))
        rows = list(csv.DictReader(io.StringIO(data.decode(), newline=""), dialect=self.dialect))
        seed = kit.segments(kit.seed)
        assert [row["source"] for row in rows[: len(seed)]] == [s.source for s in seed]
        row = rows[3]
        assert (row["paragraph"], row["sentence"], row["kind"]) == ("1", "0", "text")
        assert row["score:my"] == "-0.42" and row["signature:my"].startswith("engine:argos")
        assert (
            row["flags:my"].startswith("qa error: numbers") and " | qa warning" in row["flags:my"]
        )
        assert rows[4]["target:hi"] == 'पहला "मामला" \\ टैब\tयहाँ'


class TestTsv(TableContract):
    format = "tsv"
    dialect = csv.excel_tab


class TestCsv(TableContract):
    format = "csv"
    dialect = csv.excel

    def test_rfc4180_line_ends(self, kit: Kit) -> None:
        """CSV rows end in CRLF as RFC 4180 asks."""
        assert run(kit, "csv").split(b"\n")[0].endswith(b"\r")


class TestJsonl(ExportContract):
    format = "jsonl"

    def parse(self, data: bytes, langs: tuple[str, ...]) -> Parsed:
        parsed: Parsed = {}
        for line in data.decode().split("\n")[:-1]:
            record = json.loads(line)
            parsed[record["id"]] = {
                lang: (t["text"], State(t["state"])) if t else ("", State.INITIAL)
                for lang, t in record["targets"].items()
            }
        return parsed

    def test_every_field(self, kit: Kit) -> None:
        """A record holds document, segment and every target field, signature as an object."""
        first = json.loads(run(kit, "jsonl").decode().split("\n")[3])
        assert first["document"]["uri"] == str(SEED.resolve())
        assert first["segment"]["kind"] == "text" and first["segment"]["paragraph"] == 1
        target = first["targets"]["my"]
        assert target["signature"]["engine"] == "argos" and target["score"] == -0.42
        assert target["flags"][0] == {
            "check": "numbers",
            "severity": "error",
            "message": "19 is missing from the target",
        }
        assert set(target) >= {"created_at", "updated_at", "author", "origin", "pseudo"}


class TestBilingualHtml(ExportContract):
    format = "bilingual"

    def parse(self, data: bytes, langs: tuple[str, ...]) -> Parsed:
        page = lxml_html.fromstring(data.decode())
        parsed: Parsed = {}
        for cell in page.iter("td"):
            lang = cell.get("lang")
            if lang not in langs:
                continue
            for span in cell.find_class("seg"):
                parsed.setdefault(span.get("data-unit"), {})[lang] = (
                    span.text or "",
                    State(span.get("data-state")),
                )
        return parsed

    def test_text_is_escaped(self, kit: Kit) -> None:
        """A source or target holding <script> shows as text; the page runs no script."""
        data = run(kit, "bilingual", ("my",), documents=(str(kit.script.id),)).decode()
        page = lxml_html.fromstring(data)
        assert page.findall(".//script") == []
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; left." in data
        source = page.get_element_by_id(f"s{kit.segments(kit.script)[0].id}")
        assert source.text == "Officials wrote <script>alert('x')</script> & left."

    def test_languages_fonts_states_and_pseudo(self, kit: Kit) -> None:
        """Cells carry lang and dir; fonts cover Myanmar and Devanagari; pseudo and QA show."""
        data = run(kit, "bilingual", ("my", "hi"), documents=(str(kit.seed.id),)).decode()
        assert '<td lang="my" dir="ltr">' in data and '<td lang="hi" dir="ltr">' in data
        assert '"Noto Sans Myanmar"' in data and '"Noto Sans Devanagari"' in data
        assert "PSEUDO: not a translation" in data
        assert "qa error: numbers: 19 is missing from the target" in data
        paragraphs = lxml_html.fromstring(data).findall(".//tbody/tr")
        assert len(paragraphs) == 1 + max(s.paragraph for s in kit.segments(kit.seed))


# --- the translated article -------------------------------------------------------------


def test_seed_article_rebuilt_exactly(kit: Kit) -> None:
    """With every segment reviewed, the txt article is the seed with each sentence replaced.

    The dateline too: the article publishes its reviewed text, never a re-rendered date.
    """
    texts = review_all(kit, kit.seed, "my")
    expected_text = SEED.read_text(encoding="utf-8")
    cursor = 0
    assert kit.segments(kit.seed)[0].kind is SegmentKind.DATELINE
    for segment in kit.segments(kit.seed):
        at = expected_text.index(segment.source, cursor)
        translated = texts[segment.id]
        expected_text = expected_text[:at] + translated + expected_text[at + len(segment.source) :]
        cursor = at + len(translated)
    assert run(kit, "article", ("my",), documents=(str(kit.seed.id),)).decode() == expected_text


def test_missing_segments_stop_the_export(kit: Kit, tmp_path: Path) -> None:
    """A missing reviewed translation stops the export with one line naming ids and positions."""
    out = tmp_path / "article.my.txt"
    with pytest.raises(IncompleteArticleError) as caught:
        export(kit.store, ExportRequest("article", ("my",), (str(kit.seed.id),)), out)
    message = str(caught.value)
    assert "\n" not in message
    seed = kit.segments(kit.seed)
    assert message.startswith(f"{kit.seed.uri} (my): 20 of {len(seed)} segments have no reviewed")
    assert f"s{seed[3].id} (¶1.0)" in message and "and 12 more" in message
    assert "--allow-draft" in message and not out.exists()
    assert list(tmp_path.glob(".*.tmp")) == []


def test_allow_draft_banner_in_txt(kit: Kit) -> None:
    """--allow-draft uses drafts, pseudo included, and the article's first line says so."""
    texts = review_all(kit, kit.script, "my")
    first = kit.segments(kit.script)[0]
    kit.store.write_translations(
        [TranslationDraft(first.id, "my", "⟦Ôƒƒîçîàĺš⟧", State.TRANSLATED, Origin.MT, PSEUDO)]
    )
    with pytest.raises(IncompleteArticleError, match=f"s{first.id}"):
        run(kit, "article", ("my",), documents=(str(kit.script.id),))
    data = run(kit, "article", ("my",), documents=(str(kit.script.id),), allow_draft=True)
    head, blank, *body = data.decode().split("\n")
    assert head.startswith("DRAFT (my), not for publication: 1 of 2 segments are unreviewed")
    assert "PSEUDO" in head and blank == ""
    assert body[:3] == ["⟦Ôƒƒîçîàĺš⟧", "", texts[kit.segments(kit.script)[1].id]]


def test_reviewed_article_has_no_banner_even_with_allow_draft(kit: Kit) -> None:
    """An article built only from reviewed text carries no draft note."""
    review_all(kit, kit.markdown, "my")
    data = run(kit, "article", ("my",), documents=(str(kit.markdown.id),), allow_draft=True)
    assert data.decode().startswith("# «POLICE CROSS INTO INDIA»\n\n«YANGON, MARCH 5")


def test_html_article_escaped_with_target_lang_and_banner(kit: Kit) -> None:
    """An html article is escaped, its <html lang> is the target and drafts get a banner."""
    review_all(kit, kit.html, "my")
    heading = kit.segments(kit.html)[1]
    kit.store.write_translations(
        [TranslationDraft(heading.id, "my", "ရဲ & <တပ်>", State.FINAL, Origin.HUMAN)]
    )
    page = run(kit, "article", ("my",), documents=(kit.html.uri,)).decode()
    assert '<html lang="my">' in page and "<h1>ရဲ &amp; &lt;တပ်&gt;</h1>" in page
    assert "DRAFT" not in page
    body = kit.segments(kit.html)[2]
    kit.store.write_translations(
        [TranslationDraft(body.id, "my", "⟦Àţ ĺéàšţ⟧", State.TRANSLATED, Origin.MT, PSEUDO)]
    )
    draft = run(kit, "article", ("my",), documents=(kit.html.uri,), allow_draft=True).decode()
    assert draft.startswith("<!DOCTYPE html>\n<!-- DRAFT (my)")
    assert '<body>\n<div class="pipeline-draft" role="note"' in draft and "PSEUDO" in draft


def test_articles_to_a_folder_one_file_each(kit: Kit, tmp_path: Path) -> None:
    """Several articles go to a folder as <stem>.<lang>.<format>; a single file is refused."""
    review_all(kit, kit.markdown, "my")
    review_all(kit, kit.markdown, "hi")
    review_all(kit, kit.html, "my")
    review_all(kit, kit.html, "hi")
    request = ExportRequest("article", ("my", "hi"), (str(kit.markdown.id), str(kit.html.id)))
    result = export(kit.store, request, tmp_path)
    assert sorted(p.name for p in tmp_path.glob("*.*.*")) == [
        "brief.hi.md",
        "brief.my.md",
        "page.hi.html",
        "page.my.html",
    ]
    assert result.units == 2 * (len(kit.segments(kit.markdown)) + len(kit.segments(kit.html)))
    with pytest.raises(ExportError, match="one file per document and language, 4 here"):
        export(kit.store, request, tmp_path / "one.md")


# --- the job: selection, failures, atomic files -----------------------------------------


def test_unknown_format_names_the_choices() -> None:
    """An unknown format raises one line listing the formats."""
    with pytest.raises(UnknownFormatError, match="choose one of xliff12, xliff20, tmx, po"):
        format_info("docx")


def test_select_counts_missing_targets_as_initial(kit: Kit) -> None:
    """--state initial selects untranslated units and drops targets in other states."""
    units = list(kit.store.units([kit.html.id], ["my"]))
    chosen = list(select(units, ["my"], [State.INITIAL]))
    assert [u.unit_id for u in chosen] == [u.unit_id for u in units[1:]]
    assert all(u.translations == {} for u in chosen)


def test_state_filter_per_language(kit: Kit) -> None:
    """A unit reviewed only in Hindi is exported in Hindi alone; its Burmese draft is left out."""
    unit_id = f"s{kit.segments(kit.seed)[3].id}"
    reviewed = {"states": (State.REVIEWED,)}
    root = etree.fromstring(run(kit, "xliff12", ("my", "hi"), **reviewed))
    ids: dict[str, list[str]] = {}
    for file in root.iter(f"{XLIFF12}file"):
        units = file.iter(f"{XLIFF12}trans-unit")
        ids.setdefault(file.get("target-language"), []).extend(tu.get("id") for tu in units)
    assert unit_id in ids["hi"] and unit_id not in ids["my"]
    table = run(kit, "tsv", ("my", "hi"), **reviewed).decode()
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(table), dialect=csv.excel_tab)}
    assert (rows[unit_id]["state:my"], rows[unit_id]["target:my"]) == ("", "")
    assert rows[unit_id]["state:hi"] == "reviewed"
    lines = run(kit, "jsonl", ("my", "hi"), **reviewed).decode().splitlines()
    record = next(r for r in map(json.loads, lines) if r["id"] == unit_id)
    assert list(record["targets"]) == ["hi"]


def test_nothing_selected_writes_nothing(kit: Kit, tmp_path: Path) -> None:
    """An export whose filters match no unit fails in one line and creates no file."""
    out = tmp_path / "none.xlf"
    request = ExportRequest("xliff12", ("hi",), (str(kit.markdown.id),), (State.FINAL,))
    with pytest.raises(ExportError, match="nothing to export"):
        export(kit.store, request, out)
    assert not out.exists()


def test_failed_export_leaves_no_file(kit: Kit, tmp_path: Path) -> None:
    """A write that fails midway keeps the old file and leaves no temporary file behind."""
    out = tmp_path / "units.jsonl"
    out.write_text("old\n")

    class Broken:
        def __getattr__(self, name: str) -> object:
            return getattr(kit.store, name)

        def units(self, *args: object, **kwargs: object) -> Iterator[Unit]:
            units = kit.store.units(*args, **kwargs)  # type: ignore[arg-type]
            yield next(units)
            raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match=r"cannot write .*units\.jsonl: No space left"):
        export(Broken(), ExportRequest("jsonl", ("my",)), out)  # type: ignore[arg-type]
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_file_is_written_whole_and_renamed(kit: Kit, tmp_path: Path) -> None:
    """A successful export replaces the file and reports its units."""
    out = tmp_path / "memory.tmx"
    result = export(kit.store, ExportRequest("tmx", ("my",)), out)
    assert result.files[0].path == str(out) and result.units == len(kit.unit_ids())
    assert out.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
