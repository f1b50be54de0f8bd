"""A translator's work in the real OmegaT comes back through `pipeline review import DIR`.

Each test builds an OmegaT project from a pseudo-translated document (its source files are
the XLIFF 1.2 export with every target a copy of its source, as OmegaT needs), puts a TMX in
``tm/auto`` that stands for the translator's work (OmegaT's tags as text, some segments
translated with their tags reordered, the rest left), runs OmegaT 3.6 in console mode,
imports the project folder and rebuilds the article. OmegaT is Debian's ``omegat``
(tests/omegatkit.py): without it these tests are skipped, unless CI requires it.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from pipeline.omegat.tags import Names, names, to_omegat
from pipeline.records import Code, Origin, Signature, State, TranslationDraft
from pipeline.review import ReviewUnit, xliff12
from pipeline.store import open_store
from tests.articlekit import CORPUS, links
from tests.omegatkit import require_omegat, run_omegat, shown_sources
from tests.publishkit import cli
from tests.test_markup_e2e import marks

XLIFF = "{urn:oasis:names:tc:xliff:document:1.2}"
LANG = "my"
# The translator's word: Burmese, so each edit can be counted in the rebuilt article.
WORD = "မြန်မာ"
# A paired tag with its content; the first one in a segment is moved to its end.
PAIR = re.compile(r"<g(\d+)>.*?</g\1>")
MARKDOWN = """# Police cross into India

At least **19 officers** crossed, says [the *full* report](https://example.org/r?a=1&b=2).
Run `ls -l` to see the list. ![A map of the border](map.png)

See [the map](https://example.org/map) and `grep -r x` here, or [read more](https://example.org/more).

Officers fled the coup.
"""
NEWS = ("cnet", "engadget", "breitbart")
PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
    <project version="1.0">
        <source_dir>__DEFAULT__</source_dir>
        <source_dir_excludes/>
        <target_dir>__DEFAULT__</target_dir>
        <tm_dir>__DEFAULT__</tm_dir>
        <glossary_dir>__DEFAULT__</glossary_dir>
        <glossary_file>__DEFAULT__</glossary_file>
        <dictionary_dir>__DEFAULT__</dictionary_dir>
        <source_lang>en</source_lang>
        <target_lang>{lang}</target_lang>
        <source_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</source_tok>
        <target_tok>org.omegat.tokenizer.DefaultTokenizer</target_tok>
        <sentence_seg>false</sentence_seg>
        <support_default_translations>true</support_default_translations>
        <remove_tags>false</remove_tags>
    </project>
</omegat>
"""
FILTERS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<filters removeTags="false" '
    'removeSpacesNonseg="false" preserveSpaces="true" ignoreFileContext="false"></filters>\n'
)


def project(article: Path, folder: Path) -> Path:
    """Ingest and pseudo-translate an article, then write its OmegaT project; return it."""
    assert cli("ingest", str(article))[0] == 0
    code, _, err = cli("translate", str(article), "--to", LANG, "--engine", "pseudo")
    assert code == 0, err
    xliff = folder / f"{article.stem}.{LANG}.xlf"
    code, _, err = cli(
        "export", "--format", "xliff12", "--to", LANG, str(article), "-o", str(xliff)
    )
    assert code == 0, err
    return omegat_project(xliff, folder / f"{article.stem}-omegat")


def omegat_project(xliff: Path, folder: Path) -> Path:
    """Write an OmegaT project whose source is an XLIFF export with targets copying sources."""
    for name in ("source", "target", "tm/auto", "glossary", "omegat"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    (folder / "omegat.project").write_text(PROJECT.format(lang=LANG), "utf-8")
    (folder / "omegat" / "filters.xml").write_text(FILTERS, "utf-8")
    tree = etree.parse(str(xliff))
    for unit in tree.iter(f"{XLIFF}trans-unit"):
        for extra in unit.findall(f"{XLIFF}alt-trans"):
            unit.remove(extra)
        source = unit.find(f"{XLIFF}source")
        target = unit.find(f"{XLIFF}target")
        if target is None:
            target = etree.SubElement(unit, f"{XLIFF}target")
            source.addnext(target)
        target.clear()
        target.text = source.text
        target.extend(copy.deepcopy(child) for child in source)
        target.set("state", "new")
    tree.write(str(folder / "source" / xliff.name), encoding="UTF-8", xml_declaration=True)
    return folder


def shown(folder: Path) -> dict[str, str]:
    """Return each source unit's text as OmegaT shows it (its codes as tags), by unit id."""
    return {
        unit.unit_id: to_omegat(unit.source, unit.source_codes, tags)
        for unit, tags in source_units(folder)
    }


def source_units(folder: Path) -> list[tuple[ReviewUnit, Names]]:
    """Return each unit of the project's source files with the OmegaT tags of its codes."""
    return [
        (unit, names(unit.source, unit.source_codes))
        for path in sorted((folder / "source").glob("*.xlf"))
        for unit in xliff12.read(path).units
    ]


def translated(text: str) -> str:
    """Return the translator's version of a segment: Burmese first, its first pair moved last."""
    pair = PAIR.search(text)
    if pair is None:
        return f"{WORD} {text}"
    return f"{WORD} {text[: pair.start()]}{text[pair.end() :]} {pair.group(0)}"


def write_tmx(path: Path, entries: dict[str, str]) -> None:
    """Write a TMX level 1 of OmegaT's form: source and target with tags as text."""
    units = "".join(
        f'<tu><tuv lang="EN"><seg>{escape(source)}</seg></tuv>'
        f'<tuv lang="MY"><seg>{escape(target)}</seg></tuv></tu>\n'
        for source, target in entries.items()
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.1"><header creationtool="test"'
        ' o-tmf="test" adminlang="EN-US" datatype="plaintext" creationtoolversion="1"'
        f' segtype="paragraph" srclang="EN"/><body>\n{units}</body></tmx>\n',
        "utf-8",
    )


def translate_half(folder: Path) -> dict[str, str]:
    """Translate every other distinct segment in tm/auto, run OmegaT; return the TMX entries."""
    sources = list(dict.fromkeys(shown(folder).values()))
    entries = {source: translated(source) for source in sources[::2]}
    write_tmx(folder / "tm" / "auto" / "translator.tmx", entries)
    run_omegat(folder)
    return entries


def features(markup: str, suffix: str) -> Counter[str]:
    """Return the links, images, marks and code spans an article holds, whatever their order."""
    if suffix in (".html", ".htm"):
        return Counter(map(str, links(markup))) + marks(markup)
    if suffix == ".md":
        found = re.findall(r"!?\[|\]\([^)]*\)|`[^`]*`|\*\*|(?<!\*)\*(?!\*)", markup)
        return Counter(found)
    return Counter()


def article(path: Path, out: Path) -> str:
    """Export the article in Burmese, drafts and QA-flagged text included; return it."""
    code, _, err = cli(
        "export", "--format", "article", "--to", LANG, "--allow-draft", "--allow-flagged",
        str(path), "-o", str(out),
    )  # fmt: skip
    assert code == 0, err
    return out.read_text("utf-8")


def stored(path: Path) -> dict[str, tuple[str, State, Origin, str, int, tuple[Code, ...]]]:
    """Return each segment's Burmese translation: text, state, origin, author, revisions, codes."""
    with open_store(os.environ["PIPELINE_STORE"]) as store:
        document = store.document(str(path))
        done = store.translations(document.id, LANG)
        return {
            f"s{t.segment_id}": (
                t.text,
                t.state,
                t.origin,
                t.author,
                len(store.revisions(t.id)),
                t.codes,
            )
            for t in done.values()
        }


def markdown(folder: Path) -> Path:
    """Write the Markdown article with links, emphasis, an image and code spans."""
    path = folder / "police.md"
    path.write_text(MARKDOWN, "utf-8")
    return path


def _document(name: str, tmp_path: Path, seed: Path) -> Path:
    """Return a copy of a test document in the test's folder."""
    if name == "seed":
        source = seed
    elif name == "markdown":
        return markdown(tmp_path)
    else:
        source = CORPUS / "news" / f"{name}.html"
    return Path(shutil.copy(source, tmp_path / source.name))


def _kinds(codes: tuple[Code, ...]) -> Counter[tuple[int, str]]:
    return Counter((c.id, c.type.value) for c in codes)


@pytest.mark.parametrize("name", ["seed", "markdown", *NEWS])
def test_translator_work_comes_back_from_omegat(name: str, tmp_path: Path, seed: Path) -> None:
    """OmegaT's translations come back once each, codes kept; untranslated stays machine output."""
    require_omegat()
    path = _document(name, tmp_path, seed)
    folder = project(path, tmp_path)
    units = shown(folder)
    assert sorted(shown_sources(folder)) == sorted(set(units.values()))
    draft = article(path, tmp_path / f"draft{path.suffix}")
    before = stored(path)
    entries = translate_half(folder)
    edited = {unit for unit, text in units.items() if text in entries}
    code, out, err = cli("review", "import", str(folder), "--reviewer", "Thida")
    assert code == 0, out + err
    assert f"applied {len(edited)}, unchanged {len(units) - len(edited)}, conflicts 0" in out
    after = stored(path)
    for unit in units:
        text, state, origin, author, revisions, codes = after[unit]
        if unit in edited:
            assert (state, origin, author, revisions) == (State.REVIEWED, Origin.HUMAN, "Thida", 2)
            assert text.startswith(WORD)
            assert _kinds(codes) == _kinds(before[unit][5])
        else:
            assert after[unit] == before[unit]
    assert cli("review", "import", str(folder), "--reviewer", "Thida")[1].startswith(
        f"{folder.name}: applied 0, unchanged {len(units)}, conflicts 0"
    )
    rebuilt = article(path, tmp_path / f"final{path.suffix}")
    assert features(rebuilt, path.suffix) == features(draft, path.suffix)
    assert rebuilt.count(WORD) == len(edited)
    print(f"{name}: units {len(units)}, shown {len(set(units.values()))}, edits {len(edited)}")


def machine_output(path: Path, ids: list[str]) -> dict[str, str]:
    """Store machine output (a signed MT draft) for some units; return it as OmegaT shows it."""
    signature = Signature("argos", "translate-en_my", "1.9", "abababababab")
    with open_store(os.environ["PIPELINE_STORE"]) as store:
        segments = {f"s{s.id}": s for s in store.segments(store.document(str(path)).id)}
        drafts = [
            TranslationDraft(
                segments[unit].id,
                LANG,
                f"{WORD}{segments[unit].source}",
                State.TRANSLATED,
                Origin.MT,
                signature=signature,
                codes=tuple(c.moved(c.at + len(WORD)) for c in segments[unit].codes),
            )
            for unit in ids
        ]
        store.write_translations(drafts)
    found: dict[str, str] = {}
    for draft, unit in zip(drafts, ids, strict=True):
        segment = segments[unit]
        tags = names(segment.source, segment.codes)
        found[to_omegat(segment.source, segment.codes, tags)] = to_omegat(
            draft.text, draft.codes, tags
        )
    return found


def test_machine_output_confirmed_unchanged_is_an_approval(tmp_path: Path) -> None:
    """MT a translator confirms unchanged in OmegaT is approved, signed; pseudo never is."""
    require_omegat()
    path = markdown(tmp_path)
    folder = project(path, tmp_path)
    units = shown(folder)
    ids = list(units)
    entries = machine_output(path, ids[:2])
    before = stored(path)
    pseudo, *_ = (u for u in ids[2:] if before[u][2] is Origin.MT)
    tags_of = {unit.unit_id: found for unit, found in source_units(folder)}
    entries[units[pseudo]] = to_omegat(before[pseudo][0], before[pseudo][5], tags_of[pseudo])
    write_tmx(folder / "tm" / "auto" / "translator.tmx", entries)
    run_omegat(folder)
    code, out, err = cli("review", "import", str(folder), "--reviewer", "Thida")
    assert code != 0
    assert f"{pseudo}: pseudo-translation marked reviewed without a human edit" in err
    assert "applied 0" in out
    code, out, err = cli("review", "import", str(folder), "--reviewer", "Thida", "--skip-conflicts")
    assert code == 0, out + err
    after = stored(path)
    with open_store(os.environ["PIPELINE_STORE"]) as store:
        done = store.translations(store.document(str(path)).id, LANG)
        signed = {f"s{t.segment_id}": t.signature for t in done.values()}
    for unit in ids[:2]:
        text, state, origin, author, revisions, codes = after[unit]
        assert (text, codes) == (before[unit][0], before[unit][5])
        assert (state, origin, author) == (State.REVIEWED, Origin.HUMAN, "Thida")
        assert revisions == before[unit][4] + 1
        assert signed[unit] is not None and signed[unit].engine == "argos"
    assert after[pseudo] == before[pseudo]


def project_save(folder: Path, author: str) -> etree._ElementTree:
    """Make OmegaT's console memory the project's own, signed by a translator; return it."""
    tree = etree.parse(str(folder / f"{folder.name}-omegat.tmx"))
    for tuv in tree.iter("tuv"):
        if tuv.get("lang") == LANG:
            tuv.set("changeid", author)  # as OmegaT signs what a translator confirmed
    return tree


def add_entry(
    tree: etree._ElementTree, source: str, target: str, author: str, **context: str
) -> None:
    """Add a translation to an OmegaT memory, its tags as text; a context makes it alternative."""
    tu = etree.SubElement(tree.find("body"), "tu")
    for kind, text in context.items():
        etree.SubElement(tu, "prop", type=kind).text = text
    etree.SubElement(etree.SubElement(tu, "tuv", lang="en"), "seg").text = source
    tuv = etree.SubElement(tu, "tuv", lang=LANG, changeid=author)
    etree.SubElement(tuv, "seg").text = target


def test_project_save_holds_the_translators_work(tmp_path: Path) -> None:
    """project_save.tmx alone brings every confirmed segment back, signed, English kept as is."""
    require_omegat()
    path = CORPUS / "news" / "cnet.html"
    path = Path(shutil.copy(path, tmp_path / path.name))
    folder = project(path, tmp_path)
    units = shown(folder)
    entries = translate_half(folder)
    kept = next(u for u, text in units.items() if text not in entries)
    memory = project_save(folder, "Aye Aye")
    add_entry(memory, units[kept], units[kept], "Aye Aye")  # the English, confirmed
    memory.write(str(folder / "omegat" / "project_save.tmx"), encoding="UTF-8")
    shutil.rmtree(folder / "target")
    before = stored(path)
    code, out, err = cli("review", "import", str(folder))
    assert code == 0, out + err
    edited = {u for u, text in units.items() if text in entries or text == units[kept]}
    assert f"applied {len(edited)}, unchanged {len(units) - len(edited)}, conflicts 0" in out
    after = stored(path)
    for unit in units:
        if unit in edited:
            assert after[unit][1:4] == (State.REVIEWED, Origin.HUMAN, "Aye Aye")
        else:
            assert after[unit] == before[unit]
    with open_store(os.environ["PIPELINE_STORE"]) as store:
        assert after[kept][0] == store.segment(int(kept[1:])).source
    assert cli("review", "import", str(folder))[1].startswith(
        f"{folder.name}: applied 0, unchanged {len(units)}, conflicts 0"
    )


def test_a_translation_missing_a_tag_is_a_conflict(tmp_path: Path) -> None:
    """A tag dropped in OmegaT, or one renamed in its memory, is one line each; nothing saved."""
    require_omegat()
    path = CORPUS / "news" / "cnet.html"
    path = Path(shutil.copy(path, tmp_path / path.name))
    folder = project(path, tmp_path)
    units = shown(folder)
    coded = [u for u, text in units.items() if PAIR.search(text)]
    dropped, renamed = coded[0], coded[1]
    tags = PAIR.search(units[dropped])
    assert tags is not None
    without = re.sub(rf"</?g{tags.group(1)}>", "", units[dropped])
    write_tmx(folder / "tm" / "auto" / "translator.tmx", {units[dropped]: f"{WORD} {without}"})
    run_omegat(folder)
    memory = project_save(folder, "Thida")
    for tu in list(memory.iter("tu")):  # the dropped tag is read from target/, not memory
        tu.getparent().remove(tu)
    add_entry(memory, units[renamed], f"{WORD} <g9>{units[renamed]}</g9>", "Thida")
    memory.write(str(folder / "omegat" / "project_save.tmx"), encoding="UTF-8")
    before = stored(path)
    code, _, err = cli("review", "import", str(folder))
    assert code != 0
    lines = err.strip().splitlines()
    assert any(line.startswith(f"{dropped}: inline codes do not match") for line in lines), err
    assert f"{renamed}: OmegaT's translation: tag <g9> is not in the source" in lines, err
    assert "2 conflicts; nothing imported" in err
    assert "Traceback" not in err
    assert stored(path) == before


def test_a_folder_that_is_not_an_omegat_project_is_one_line(tmp_path: Path) -> None:
    """A folder without omegat.project is refused in one line, with a non-zero exit."""
    folder = tmp_path / "work"
    folder.mkdir()
    code, _, err = cli("review", "import", str(folder), "--reviewer", "Thida")
    assert code != 0
    assert err.strip() == (
        f"error: {folder}: a folder, but not an OmegaT project (no omegat.project); "
        "review import reads a review file or an OmegaT project folder"
    )


def test_an_alternative_translation_is_its_own_segments(tmp_path: Path) -> None:
    """A repeated source takes OmegaT's alternative where it has one, the default elsewhere."""
    require_omegat()
    path = tmp_path / "repeated.md"
    path.write_text("Read **more**.\n\nSome text.\n\nRead **more**.\n", "utf-8")
    folder = project(path, tmp_path)
    units = shown(folder)
    first, middle, last = units
    default, alternative = f"{WORD} <g0>က</g0>", f"<g0>ခ</g0> {WORD}"
    memory = etree.ElementTree(
        etree.fromstring(b'<tmx version="1.1"><header srclang="en"/><body/></tmx>')
    )
    add_entry(memory, units[first], default, "Thida")
    where = {"file": f"{path.stem}.{LANG}.xlf", "prev": units[middle], "next": ""}
    add_entry(memory, units[last], alternative, "Thida", **where)  # as OmegaT 3.6 keys it
    memory.write(str(folder / "omegat" / "project_save.tmx"), encoding="UTF-8")
    run_omegat(folder)
    written = {
        unit.unit_id: unit.target
        for unit in xliff12.read(folder / "target" / f"{path.stem}.{LANG}.xlf").units
    }
    assert (written[first], written[last]) == (f"{WORD} က", f"ခ {WORD}")
    code, out, err = cli("review", "import", str(folder))
    assert code == 0, out + err
    after = stored(path)
    assert (after[first][0], after[last][0]) == (f"{WORD} က", f"ခ {WORD}")
    assert after[middle][2] is Origin.MT
