"""A translator's work in the real OmegaT comes back through `pipeline review import DIR`.

Each test exports an OmegaT project (`pipeline export --format omegat`) of a pseudo-translated
document, puts a TMX in
``tm/auto`` that stands for the translator's work (OmegaT's tags as text, some segments
translated with their tags reordered, the rest left), runs OmegaT 3.6 in console mode,
imports the project folder and rebuilds the article. OmegaT is Debian's ``omegat``
(tests/omegatkit.py): without it these tests are skipped, unless CI requires it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Set as AbstractSet
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


def draft(article: Path) -> None:
    """Ingest an article and pseudo-translate it: the machine output a translator starts from."""
    assert cli("ingest", str(article))[0] == 0
    code, _, err = cli("translate", str(article), "--to", LANG, "--engine", "pseudo")
    assert code == 0, err


def export_project(article: Path, folder: Path) -> Path:
    """Export an article's OmegaT project with `pipeline export --format omegat`; return it."""
    project = folder / f"{article.stem}-omegat"
    code, _, err = cli(
        "export", "--format", "omegat", "--to", LANG, str(article), "-o", str(project)
    )
    assert code == 0, err
    return project


def project(article: Path, folder: Path) -> Path:
    """Ingest and pseudo-translate an article, then export its OmegaT project; return it."""
    draft(article)
    return export_project(article, folder)


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


def translate_half(folder: Path, done: AbstractSet[str] = frozenset()) -> dict[str, str]:
    """Translate every other distinct segment not done yet, run OmegaT; return the entries."""
    sources = [s for s in dict.fromkeys(shown(folder).values()) if s not in done]
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
    # Credits are final as they stand: the export puts them in tm/auto, OmegaT inserts them.
    approved = {units[u] for u in units if before[u][1] in (State.REVIEWED, State.FINAL)}
    entries = translate_half(folder, approved)
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
    codes = sum(len(after[u][5]) for u in edited)
    moved = sum(1 for u in edited if entries[units[u]] != f"{WORD} {units[u]}")
    shown_count = len(set(units.values()))
    print(f"{name}: units {len(units)}, shown {shown_count}, edits {len(edited)}, codes {codes}")
    print(f"{name}: edits with tags reordered {moved}, approved left as they were {len(approved)}")


def store_drafts(path: Path, wanted: dict[str, tuple[State, Origin]]) -> dict[str, str]:
    """Store a Burmese text per unit in a state and origin; return them as OmegaT shows them."""
    signature = Signature("argos", "translate-en_my", "1.9", "abababababab")
    with open_store(os.environ["PIPELINE_STORE"]) as store:
        segments = {f"s{s.id}": s for s in store.segments(store.document(str(path)).id)}
        drafts = {
            unit: TranslationDraft(
                segments[unit].id,
                LANG,
                f"{WORD}{segments[unit].source}",
                state,
                origin,
                signature=signature if origin is Origin.MT else None,
                author="" if origin is Origin.MT else "Editor",
                codes=tuple(c.moved(c.at + len(WORD)) for c in segments[unit].codes),
            )
            for unit, (state, origin) in wanted.items()
        }
        store.write_translations(list(drafts.values()))
    found: dict[str, str] = {}
    for unit, made in drafts.items():
        segment = segments[unit]
        tags = names(segment.source, segment.codes)
        source = to_omegat(segment.source, segment.codes, tags)
        found[source] = to_omegat(made.text, made.codes, tags)
    return found


def unit_ids(path: Path) -> list[str]:
    """Return the unit ids of an article's segments, in order."""
    with open_store(os.environ["PIPELINE_STORE"]) as store:
        return [f"s{s.id}" for s in store.segments(store.document(str(path)).id)]


def test_machine_output_confirmed_unchanged_is_an_approval(tmp_path: Path) -> None:
    """MT confirmed unchanged in OmegaT is approved, signed; pseudo never; final stays final."""
    require_omegat()
    path = markdown(tmp_path)
    draft(path)
    ids = unit_ids(path)
    machine, pseudo, final = ids[:2], ids[2], ids[3]
    entries = store_drafts(path, dict.fromkeys(machine, (State.TRANSLATED, Origin.MT)))
    store_drafts(path, {final: (State.FINAL, Origin.HUMAN)})  # goes to tm/auto
    folder = export_project(path, tmp_path)
    before = stored(path)
    tags = {unit.unit_id: found for unit, found in source_units(folder)}
    kept = to_omegat(before[pseudo][0], before[pseudo][5], tags[pseudo])
    entries[shown(folder)[pseudo]] = kept  # the pseudo text, confirmed unchanged
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
    for unit in machine:
        text, state, origin, author, revisions, codes = after[unit]
        assert (text, codes) == (before[unit][0], before[unit][5])
        assert (state, origin, author) == (State.REVIEWED, Origin.HUMAN, "Thida")
        assert revisions == before[unit][4] + 1
        assert signed[unit] is not None and signed[unit].engine == "argos"
    assert after[pseudo] == before[pseudo]
    assert after[final] == before[final]
    assert before[final][1] is State.FINAL


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
    where = {"file": f"{path.stem}.xlf", "prev": units[middle], "next": ""}
    add_entry(memory, units[last], alternative, "Thida", **where)  # as OmegaT 3.6 keys it
    memory.write(str(folder / "omegat" / "project_save.tmx"), encoding="UTF-8")
    run_omegat(folder)
    written = {
        unit.unit_id: unit.target
        for unit in xliff12.read(folder / "target" / f"{path.stem}.xlf").units
    }
    assert (written[first], written[last]) == (f"{WORD} က", f"ခ {WORD}")
    code, out, err = cli("review", "import", str(folder))
    assert code == 0, out + err
    after = stored(path)
    assert (after[first][0], after[last][0]) == (f"{WORD} က", f"ခ {WORD}")
    assert after[middle][2] is Origin.MT


SAVED = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx11.dtd">
<tmx version="1.1">
  <header creationtool="OmegaT" o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext"
   creationtoolversion="3.6.0_10_unknown" segtype="paragraph" srclang="en"/>
  <body>
<!-- Default translations -->
{units}
  </body>
</tmx>
"""


def save_memory(folder: Path, entries: dict[str, str], author: str | None) -> None:
    """Write omegat/project_save.tmx as OmegaT 3.6 writes it (no OmegaT run needed)."""
    signed = f' changeid="{author}" changedate="20261203T101500Z"' if author else ""
    units = "\n".join(
        f'    <tu>\n      <tuv lang="en">\n        <seg>{escape(source)}</seg>\n      </tuv>\n'
        f'      <tuv lang="{LANG}"{signed}>\n        <seg>{escape(target)}</seg>\n      </tuv>\n'
        "    </tu>"
        for source, target in entries.items()
    )
    (folder / "omegat" / "project_save.tmx").write_text(SAVED.format(units=units), "utf-8")


@pytest.mark.parametrize("state", [State.FINAL, State.TRANSLATED])
def test_state_decides_what_a_confirmed_segment_becomes(state: State, tmp_path: Path) -> None:
    """--state final or translated is what each confirmed segment becomes, under --reviewer."""
    path = markdown(tmp_path)
    folder = project(path, tmp_path)
    units = shown(folder)
    first, second = list(units)[1:3]
    entries = {units[first]: translated(units[first]), units[second]: translated(units[second])}
    save_memory(folder, entries, None)
    code, out, err = cli("review", "import", str(folder))
    assert code != 0
    assert "the file names no reviewer; give one with --reviewer" in err
    code, out, err = cli(
        "review", "import", str(folder), "--reviewer", "Thida", "--state", state.value
    )
    assert code == 0, out + err
    assert "applied 2, unchanged 4, conflicts 0" in out
    after = stored(path)
    assert {after[u][1:4] for u in (first, second)} == {(state, Origin.HUMAN, "Thida")}


def test_a_broken_project_memory_is_one_line(tmp_path: Path) -> None:
    """A project_save.tmx that is not well-formed, or a project with no source, is one line."""
    path = markdown(tmp_path)
    folder = project(path, tmp_path)
    (folder / "omegat" / "project_save.tmx").write_text("<tmx><body><tu>", "utf-8")
    code, _, err = cli("review", "import", str(folder), "--reviewer", "Thida")
    assert code != 0
    assert err.startswith("error: project_save.tmx: not well-formed XML")
    assert len(err.strip().splitlines()) == 1
    shutil.rmtree(folder / "source")
    code, _, err = cli("review", "import", str(folder), "--reviewer", "Thida")
    assert code != 0
    assert err.strip() == f"error: {folder.name}: an OmegaT project with no XLIFF file in source/"
