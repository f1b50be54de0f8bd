"""`export --format omegat` and `tm export --omegat`, opened and translated by the real OmegaT.

The documents: the seed article, a Markdown article with links, emphasis (one across two
sentences), code spans and an image, and three news pages from the shared corpus. OmegaT runs
once per scenario (a few seconds each); without it those tests are skipped (CI requires it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from lxml import etree

from pipeline.formats.codes_xml import XLIFF12_INLINE, read_inline
from pipeline.glossary import GlossaryEntry, TermStatus
from pipeline.omegat.tags import names, to_omegat
from pipeline.records import Code, Origin, Signature, State, TranslationDraft, Unit
from pipeline.store import open_store
from pipeline.store.base import Store
from pipeline.tm import MemoryEntry
from tests.omegatkit import require_omegat, run_omegat, shown_sources
from tests.publishkit import cli

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2021-03-05-myanmar-police-cross-into-india.txt"
NEWS = ROOT.parent / "shared" / "corpus" / "news"
PAGES = ("ol.html", "rtl-1.html", "tmz-1.html")
XLIFF = "{urn:oasis:names:tc:xliff:document:1.2}"
ARGOS = Signature("argos", "translate-en_my", "1.9", "ab" * 32)
MARKDOWN = """# Police cross *into* India

YANGON (Reuters) - At least [19 officers](https://example.com/a "Report") crossed the
border. They used `ssh` and **fled** on *Feb 9*.

![A map of the border](map.png) The *border* is long. **Bold across. Two
sentences** ends here.

- Officers fled on **Feb 9**.
"""


@pytest.fixture
def articles(tmp_path: Path) -> list[Path]:
    """Return the test documents, ingested and pseudo-translated into Burmese."""
    markdown = tmp_path / "article.md"
    markdown.write_text(MARKDOWN, "utf-8")
    paths = [SEED, markdown, *(NEWS / page for page in PAGES if (NEWS / page).exists())]
    assert cli("ingest", *map(str, paths))[0] == 0
    code, out, err = cli("translate", "--to", "my", "--engine", "pseudo")
    assert code == 0, out + err
    return paths


@pytest.fixture
def store(articles: list[Path]) -> Iterator[Store]:
    """Return the test store, opened as the CLI opens it."""
    with open_store(os.environ["PIPELINE_STORE"]) as opened:
        yield opened


def all_units(store: Store) -> list[Unit]:
    """Return every unit of the store's documents, in document and reading order."""
    return [u for d in store.documents() for u in store.units([d.id], ["my"])]


def shown(text: str, codes: tuple[Code, ...], source_codes: tuple[Code, ...], source: str) -> str:
    """Return a coded text as OmegaT shows it, tags named from its source's codes."""
    return to_omegat(text, codes, names(source, source_codes))


def source_shown(unit: Unit) -> str:
    """Return a unit's source as OmegaT should show it."""
    seg = unit.segment
    return shown(seg.source, seg.codes, seg.codes, seg.source)


def export_project(folder: Path, *extra: str) -> str:
    """Export the Burmese OmegaT project to folder; return the CLI's output."""
    code, out, err = cli("export", "--format", "omegat", "--to", "my", *extra, "-o", str(folder))
    assert code == 0, out + err
    return out


def targets(project: Path) -> dict[str, tuple[str, tuple[tuple[int, str, int], ...]]]:
    """Return each unit's target in OmegaT's target/ files: text and codes (id, type, at)."""
    found = {}
    for path in sorted((project / "target").glob("*.xlf")):
        for unit in etree.parse(str(path)).iter(f"{XLIFF}trans-unit"):
            target = unit.find(f"{XLIFF}target")
            assert target is not None
            coded = read_inline(target, XLIFF12_INLINE)
            codes = tuple((c.id, c.type.value, c.at) for c in coded.codes)
            found[unit.get("id", "")] = (coded.text, codes)
    return found


def expected(text: str, codes: tuple[Code, ...]) -> tuple[str, tuple[tuple[int, str, int], ...]]:
    """Return a coded text as targets() reads it."""
    return text, tuple((c.id, c.type.value, c.at) for c in sorted(codes, key=lambda c: c.at))


def prefixed(
    unit: Unit, prefix: str, state: State = State.REVIEWED, origin: Origin = Origin.HUMAN
) -> TranslationDraft:
    """Return a translation of a unit: its source after a prefix, codes shifted along."""
    seg = unit.segment
    codes = tuple(c.moved(c.at + len(prefix)) for c in seg.codes)
    signature = ARGOS if origin is Origin.MT else None
    return TranslationDraft(
        seg.id, "my", prefix + seg.source, state, origin, signature, author="Thida", codes=codes
    )


def test_omegat_shows_each_unit_once_with_its_codes_as_tags(store: Store, tmp_path: Path) -> None:
    """OmegaT shows exactly the exported units' sources, each with its codes as OmegaT tags."""
    project = tmp_path / "project"
    out = export_project(project)
    units = all_units(store)
    ours = [source_shown(u) for u in units]
    seen = shown_sources(project)
    assert len(seen) == len(set(seen)) == len(dict.fromkeys(ours))
    assert set(seen) == set(ours)
    assert any("<g0>" in s for s in seen) and any("<x" in s for s in seen)
    assert any("<b" in s and "/>" in s for s in seen)  # the bold across two sentences
    assert f"{sum(1 for u in units if u.document.uri.endswith('.md'))} units (my)" in out
    assert total_segments(project) == len(units)


def test_omegat_shows_every_news_page_exactly(tmp_path: Path) -> None:
    """Over all 38 news pages, OmegaT shows exactly our units' sources, empty pairs included."""
    pages = sorted(NEWS.glob("*.html"))
    assert len(pages) == 38
    assert cli("ingest", *map(str, pages))[0] == 0
    project = tmp_path / "news"
    export_project(project)
    with open_store(os.environ["PIPELINE_STORE"]) as opened:
        ours = [source_shown(u) for u in all_units(opened)]
    seen = shown_sources(project)
    assert len(seen) == len(set(ours)) and set(seen) == set(ours)
    # Empty pairs (an empty anchor) are there, and shown as one tag <gN/>.
    assert any(re.search(r"<g\d+/>", s) for s in seen)


def total_segments(project: Path) -> int:
    """Return the segment count of OmegaT's project statistics (written by each run)."""
    stats = (project / "omegat" / "project_stats.txt").read_text("utf-8")
    total = next(line for line in stats.splitlines() if line.startswith("Total:"))
    return int(total.split("\t")[1])


def test_reviewed_work_is_inserted_and_drafts_are_only_offered(
    store: Store, tmp_path: Path
) -> None:
    """console-translate inserts tm/auto (reviewed, imported) with codes; MT, pseudo never."""
    units = all_units(store)
    pseudo = [u for u in units if u.translations["my"].is_pseudo]
    reviewed = [prefixed(u, "MY ") for u in pseudo[0::3]]
    drafts = [prefixed(u, "MT ", State.TRANSLATED, Origin.MT) for u in pseudo[1::3]]
    memory_unit = next(u for u in pseudo[2::3] if u.segment.codes)
    imported = MemoryEntry(
        "en",
        "my",
        memory_unit.segment.source,
        "TM " + memory_unit.segment.source,
        memory_unit.segment.codes,
        tuple(c.moved(c.at + 3) for c in memory_unit.segment.codes),
        origin="newsroom.tmx",
    )
    with store.transaction():
        store.write_translations([*reviewed, *drafts])
        store.add_memory([imported])
    project = tmp_path / "project"
    export_project(project)
    mt_file = (project / "tm" / "mt" / "pipeline-mt.tmx").read_text("utf-8")
    everything = "".join(p.read_text("utf-8") for p in project.rglob("*") if p.is_file())
    assert all(u.translations["my"].text not in everything for u in pseudo[2::3][1:])
    assert "MT " in mt_file and "&lt;/g" in mt_file and "⟦" not in mt_file

    run_omegat(project)

    got = targets(project)
    inserted: dict[str, tuple[str, tuple[Code, ...]]] = {}
    for unit in all_units(store):
        t = unit.translations["my"]
        key = source_shown(unit)
        if t.state in (State.REVIEWED, State.FINAL):
            inserted.setdefault(key, (t.text, t.codes))
    key = source_shown(memory_unit)
    inserted.setdefault(key, (imported.target, imported.target_codes))
    for unit in all_units(store):
        seg = unit.segment
        text, codes = inserted.get(source_shown(unit), (seg.source, seg.codes))
        assert got[unit.unit_id] == expected(text, codes), unit.unit_id
    assert sum(1 for u in units if got[u.unit_id][0].startswith("MY ")) >= len(reviewed)
    assert not any(text.startswith("MT ") for text, _ in got.values())
    assert got[memory_unit.unit_id][0].startswith("TM ")


def test_tm_export_omegat_entries_are_matched_by_omegat(store: Store, tmp_path: Path) -> None:
    """`tm export --omegat` in a project's tm/auto is inserted, codes included; level 2 is not."""
    project = tmp_path / "project"
    export_project(project)  # before any review: tm/auto holds only the credits
    coded = [u for u in all_units(store) if u.segment.codes and u.translations["my"].is_pseudo]
    with store.transaction():
        store.write_translations([prefixed(u, "MY ") for u in coded])
    level2 = tmp_path / "level2"
    shutil.copytree(project, level2)
    code, out, err = cli("tm", "export", "--omegat", "-o", str(project / "tm/auto/memory.tmx"))
    assert code == 0 and out.endswith(" entries\n") and err == "", out + err
    code, out, err = cli("tm", "export", "-o", str(level2 / "tm/auto/memory.tmx"))
    assert code == 0, out + err

    run_omegat(project)
    run_omegat(level2)

    got, untouched = targets(project), targets(level2)
    matched = [u for u in coded if got[u.unit_id][0].startswith("MY ")]
    assert len(matched) == len(coded) >= 10
    for unit in coded:
        seg = unit.segment
        codes = tuple(c.moved(c.at + 3) for c in seg.codes)
        assert got[unit.unit_id] == expected("MY " + seg.source, codes)
        assert untouched[unit.unit_id] == expected(seg.source, seg.codes)


def test_glossary_is_written_as_omegat_reads_it(store: Store, tmp_path: Path) -> None:
    """The glossary file is UTF-8 source, target, comment; OmegaT 3.6's reader gets each term."""
    terms = [
        GlossaryEntry("en", "my", "Naypyitaw", "နေပြည်တော်", note="the capital"),
        GlossaryEntry("en", "my", "Tatmadaw", "တပ်မတော်", status=TermStatus.ADMITTED),
        GlossaryEntry("en", "my", "Reuters", dnt=True),
        GlossaryEntry("en", "my", "army", "စစ်တပ်", status=TermStatus.FORBIDDEN),
        GlossaryEntry("en", "hi", "Naypyitaw", "नेपीडॉ"),
    ]
    with store.transaction():
        store.add_terms(terms)
    project = tmp_path / "project"
    out = export_project(project)
    assert "4 terms (my)" in out
    lines = (project / "glossary" / "pipeline.txt").read_text("utf-8").splitlines()
    assert sorted(lines) == sorted(
        [
            "Naypyitaw\tနေပြည်တော်\tpreferred; the capital",
            "Tatmadaw\tတပ်မတော်\tadmitted",
            "Reuters\tReuters\tdo not translate",
            "army\t\tdo not use: စစ်တပ်",
        ]
    )
    read = omegat_glossary(project / "glossary" / "pipeline.txt", tmp_path)
    assert sorted(read) == sorted(line.split("\t") for line in lines)


READER = """import org.omegat.gui.glossary.*;
public class Read { public static void main(String[] a) throws Exception {
  for (GlossaryEntry e : GlossaryReaderTSV.read(new java.io.File(a[0]), false))
    System.out.println(java.net.URLEncoder.encode(e.getSrcText(), "UTF-8") + " "
      + java.net.URLEncoder.encode(e.getLocText(), "UTF-8") + " "
      + java.net.URLEncoder.encode(e.getCommentText(), "UTF-8"));
}}
"""


def omegat_glossary(path: Path, work: Path) -> list[list[str]]:
    """Return a glossary file's entries as OmegaT 3.6 reads them (its own TSV reader)."""
    require_omegat()
    jar = Path("/usr/share/omegat/OmegaT.jar")
    if not jar.exists() or shutil.which("javac") is None:
        pytest.skip("OmegaT's jar or a Java compiler (javac) is missing")
    (work / "Read.java").write_text(READER, "utf-8")
    subprocess.run(["javac", "-cp", str(jar), "Read.java"], cwd=work, check=True, timeout=120)
    # A Latin-1 default charset: the file must be read as UTF-8 regardless.
    done = subprocess.run(
        ["java", "-Dfile.encoding=ISO-8859-1", "-cp", f"{jar}:{work}", "Read", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    # Each field URL-encoded as UTF-8 by the reader: what it read, whatever the console.
    return [[unquote_plus(field) for field in line.split(" ")] for line in done.stdout.splitlines()]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Return a Markdown article, ingested and pseudo-translated into Burmese and Hindi."""
    path = tmp_path / "article.md"
    path.write_text(MARKDOWN, "utf-8")
    assert cli("ingest", str(path))[0] == 0
    assert cli("translate", "--to", "my,hi", "--engine", "pseudo")[0] == 0
    return path


def one_line_error(*args: str) -> str:
    """Run a command expected to fail; assert one line on stderr, nothing else; return it."""
    code, out, err = cli(*args)
    assert code != 0 and out == "" and err.count("\n") == 1 and err.startswith("error: "), err
    return err


def test_export_help_lists_the_omegat_format() -> None:
    """`export --help` names the omegat format and what it writes."""
    code, out, _ = cli("export", "--help")
    assert code == 0 and "omegat: a ready OmegaT project folder" in " ".join(out.split())


def test_project_options_that_cannot_apply_are_refused(small: Path, tmp_path: Path) -> None:
    """Two languages, standard output and --state are each refused in one line."""
    folder = str(tmp_path / "p")
    assert "one target language" in one_line_error(
        "export", "-f", "omegat", "--to", "my,hi", "-o", folder
    )
    assert "not -" in one_line_error("export", "-f", "omegat", "--to", "my", "-o", "-")
    assert "--state does not apply" in one_line_error(
        "export", "-f", "omegat", "--to", "my", "--state", "reviewed", "-o", folder
    )
    assert not (tmp_path / "p").exists()


def test_a_folder_that_is_not_our_project_is_refused(small: Path, tmp_path: Path) -> None:
    """A non-empty folder that no export wrote, or a file, is refused; nothing is written."""
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine", "utf-8")
    assert "not empty" in one_line_error("export", "-f", "omegat", "--to", "my", "-o", str(taken))
    assert sorted(p.name for p in taken.iterdir()) == ["notes.txt"]
    assert "is a file" in one_line_error(
        "export", "-f", "omegat", "--to", "my", "-o", str(taken / "notes.txt")
    )


def test_export_again_over_our_project_keeps_the_translators_work(
    small: Path, tmp_path: Path
) -> None:
    """A second export rewrites the project's files and leaves OmegaT's own files alone."""
    project = tmp_path / "project"
    export_project(project)
    saved = project / "omegat" / "project_save.tmx"
    saved.write_text("<tmx/>", "utf-8")
    out = export_project(project)
    assert "units (my)" in out and saved.read_text("utf-8") == "<tmx/>"
    settings = (project / "omegat.project").read_text("utf-8")
    assert "<target_lang>my</target_lang>" in settings
    assert "<sentence_seg>false</sentence_seg>" in settings
    assert 'removeTags="false"' in (project / "omegat" / "filters.xml").read_text("utf-8")
    readme = (project / "README.txt").read_text("utf-8")
    assert "source/article.xlf" in readme and "pipeline review import" in readme
