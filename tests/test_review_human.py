"""Human translation without a machine: export for a new language, fill in a CAT tool, import.

Each format is filled the way a translator's tool saves it (lxml for XLIFF, babel for PO),
with the inline code kept, and goes back through `pipeline review import`; the article
export must then carry the translator's text exactly.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from lxml import etree
from starlette.testclient import TestClient

from pipeline.desk.app import DeskConfig, create_app
from pipeline.records import Origin, State
from pipeline.store import open_store
from tests.test_cli import cli, store_path

ARTICLE = (
    "# Police cross the border\n\n"
    "Nineteen police officers crossed into India on **Monday**, officials said. "
    "About 9,800 people have fled since February.\n\n"
    "The embassy issued a statement.\n"
)
# Source text -> the translator's text; the bold source is split around its code.
HEADING = ("Police cross the border", "ရဲများ နယ်စပ်ကို ဖြတ်ကျော်")
BOLD = ("ရဲအရာရှိ ဆယ့်ကိုး ဦးသည် ", "တနင်္လာနေ့", "က အိန္ဒိယသို့ ဖြတ်ကူးခဲ့သည်ဟု အရာရှိများက ပြောသည်။")
PLAIN = {
    HEADING[0]: HEADING[1],
    "About 9,800 people have fled since February.": "ဖေဖော်ဝါရီလမှစ၍ လူ ၉,၈၀၀ ခန့် ထွက်ပြေးခဲ့ကြသည်။",
    "The embassy issued a statement.": "သံရုံးက ထုတ်ပြန်ချက်တစ်ခု ထုတ်ပြန်ခဲ့သည်။",
}
LEFT_EMPTY = "The embassy issued a statement."
Filler = Callable[[Path, Callable[[str], bool]], None]


def _fill_coded(target: etree._Element) -> None:
    """Write the translation into a copy of a source element, in place, codes kept."""
    children = list(target)
    if not children:
        target.text = PLAIN[target.text or ""]
        return
    [code] = children  # the one bold run
    target.text, code.text, code.tail = BOLD


def fill_xliff12(path: Path, wanted: Callable[[str], bool]) -> None:
    """Add a target after each source, state signed-off, as a CAT tool saves XLIFF 1.2."""
    tree = etree.parse(str(path))
    for unit in tree.iterfind(".//{*}trans-unit"):
        source = unit.find("{*}source")
        assert source is not None
        if not wanted("".join(str(t) for t in source.itertext())):
            continue
        target = copy.deepcopy(source)
        target.tag = target.tag.replace("source", "target")
        _fill_coded(target)
        target.set("state", "signed-off")
        source.addnext(target)
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)


def fill_xliff20(path: Path, wanted: Callable[[str], bool]) -> None:
    """Add a target to each segment and leave its state as exported (initial)."""
    tree = etree.parse(str(path))
    for segment in tree.iterfind(".//{*}segment"):
        source = segment.find("{*}source")
        assert source is not None
        if not wanted("".join(str(t) for t in source.itertext())):
            continue
        target = copy.deepcopy(source)
        target.tag = target.tag.replace("source", "target")
        _fill_coded(target)
        source.addnext(target)
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)


def fill_po(path: Path, wanted: Callable[[str], bool]) -> None:
    """Fill each msgstr with the markers of its msgid, as Poedit saves a catalog."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id or not wanted(re.sub(r"</?1>", "", str(message.id))):
            continue
        source = str(message.id)
        message.string = PLAIN.get(source) or f"{BOLD[0]}<1>{BOLD[1]}</1>{BOLD[2]}"
    with path.open("wb") as handle:
        write_po(handle, catalog)


FILLERS: dict[str, Filler] = {"xliff12": fill_xliff12, "xliff20": fill_xliff20, "po": fill_po}


def translations(lang: str = "my") -> dict[str, tuple[str, State, Origin, str]]:
    """Return each segment's source with its stored text, state, origin and author."""
    with open_store(str(store_path())) as db:
        doc = db.documents()[0]
        done = db.translations(doc.id, lang)
        return {
            s.source: (t.text, t.state, t.origin, t.author)
            for s in db.segments(doc.id)
            if (t := done.get(s.id)) is not None
        }


def exported(tmp_path: Path, fmt: str, name: str, lang: str = "my") -> Path:
    """Export the article for a language into a file and return its path."""
    path = tmp_path / name
    code, _, err = cli(
        "export", "--format", fmt, "--to", lang, str(tmp_path / "a.md"), "-o", str(path)
    )
    assert code == 0, err
    return path


@pytest.fixture
def article(tmp_path: Path) -> Path:
    """The article, ingested and never translated."""
    path = tmp_path / "a.md"
    path.write_text(ARTICLE, encoding="utf-8")
    assert cli("ingest", str(path))[0] == 0
    return path


@pytest.mark.parametrize("fmt", ["xliff12", "xliff20", "po"])
def test_a_translator_without_a_machine_delivers_the_article(
    fmt: str, article: Path, tmp_path: Path
) -> None:
    """A never-translated language exports, is filled by hand, imports and publishes exactly."""
    path = exported(tmp_path, fmt, f"a.my.{fmt}")
    # The untouched export (no targets) imports as a no-op and creates nothing.
    code, out, err = cli("review", "import", str(path), "--reviewer", "Thida")
    assert (code, err) == (0, "") and "applied 0, unchanged 4, conflicts 0" in out
    assert translations() == {}

    FILLERS[fmt](path, lambda source: source != LEFT_EMPTY)
    code, out, err = cli("review", "import", str(path), "--reviewer", "Thida")
    assert (code, err) == (0, ""), err
    assert out.splitlines()[-1] == f"{path.name}: applied 3, unchanged 1, conflicts 0"
    stored = translations()
    assert LEFT_EMPTY not in stored  # the unit left empty is untouched
    bold = next(s for s in stored if "Monday" in s)
    assert stored[bold] == ("".join(BOLD), State.REVIEWED, Origin.HUMAN, "Thida")
    assert stored[HEADING[0]] == (HEADING[1], State.REVIEWED, Origin.HUMAN, "Thida")
    code, out, _ = cli("status")
    assert "my (Burmese" in out and "\t1 (5 w)\t0 (0 w)\t3 (" in out

    again = exported(tmp_path, fmt, f"again.my.{fmt}")
    FILLERS[fmt](again, lambda source: source == LEFT_EMPTY)
    assert cli("review", "import", str(again), "--reviewer", "Thida")[0] == 0
    assert len(translations()) == 4
    published = tmp_path / "a.my.md"
    code, _, err = cli(
        "export", "--format", "article", "--to", "my", str(article), "-o", str(published)
    )
    assert code == 0, err
    text = published.read_text(encoding="utf-8")
    assert f"# {HEADING[1]}\n" in text
    assert f"{BOLD[0]}**{BOLD[1]}**{BOLD[2]}" in text
    for source, target in PLAIN.items():
        assert target in text, source


def stateless_targets(tmp_path: Path) -> Path:
    """Export XLIFF 1.2 and add a filled target with no state to every unit, as a CAT tool may."""
    path = exported(tmp_path, "xliff12", "a.my.xlf")
    tree = etree.parse(str(path))
    for unit in tree.iterfind(".//{*}trans-unit"):
        source = unit.find("{*}source")
        assert source is not None
        target = copy.deepcopy(source)
        target.tag = target.tag.replace("source", "target")
        _fill_coded(target)
        source.addnext(target)
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)
    return path


def test_a_target_without_a_state_keeps_the_files_meaning(article: Path, tmp_path: Path) -> None:
    """An XLIFF 1.2 target added with no state takes ``--state`` (default reviewed): human, hers."""
    path = stateless_targets(tmp_path)
    code, _, err = cli("review", "import", str(path), "--reviewer", "Thida")
    assert code == 0, err
    assert {v[1:] for v in translations().values()} == {(State.REVIEWED, Origin.HUMAN, "Thida")}
    assert cli("review", "import", str(path), "--reviewer", "Thida")[1].endswith(
        "applied 0, unchanged 4, conflicts 0\n"
    )


def test_a_target_without_a_state_takes_the_state_option(article: Path, tmp_path: Path) -> None:
    """``--state translated`` files a stateless target as an unreviewed human draft."""
    path = stateless_targets(tmp_path)
    code, _, err = cli(
        "review", "import", str(path), "--reviewer", "Thida", "--state", "translated"
    )
    assert code == 0, err
    assert {v[1:] for v in translations().values()} == {(State.TRANSLATED, Origin.HUMAN, "Thida")}


def test_a_language_the_document_was_never_exported_for_imports(
    article: Path, tmp_path: Path
) -> None:
    """A file relabelled for Hindi, never exported for it, imports: ids and sources match."""
    path = exported(tmp_path, "xliff12", "a.my.xlf")
    fill_xliff12(path, lambda _: True)
    text = path.read_text(encoding="utf-8").replace(
        'target-language="my"', 'target-language="hi-IN"'
    )
    path.write_text(text, encoding="utf-8")
    code, _, err = cli("review", "import", str(path), "--reviewer", "Asha")
    assert code == 0, err
    assert len(translations("hi")) == 4 and translations("my") == {}
    assert "hi (Hindi" in cli("status")[1]


def test_an_unknown_language_is_one_line_per_unit_and_nothing_is_written(
    article: Path, tmp_path: Path
) -> None:
    """A file for a language tag nobody knows is refused unit by unit, with a non-zero exit."""
    path = exported(tmp_path, "po", "a.po")
    fill_po(path, lambda _: True)
    text = path.read_text(encoding="utf-8").replace('"Language: my\\n"', '"Language: qqq\\n"')
    path.write_text(text, encoding="utf-8")
    code, _, err = cli("review", "import", str(path), "--reviewer", "Thida")
    assert code != 0
    lines = err.splitlines()
    assert lines[:4] == [f"s{i}: unknown target language 'qqq'" for i in range(1, 5)]
    assert "Traceback" not in err
    assert translations("my") == {}


def test_the_desk_lists_and_shows_a_human_only_language(article: Path, tmp_path: Path) -> None:
    """After a human-only import the desk finds the language and shows the translator's text."""
    path = exported(tmp_path, "po", "a.po")
    fill_po(path, lambda source: source != LEFT_EMPTY)
    assert cli("review", "import", str(path), "--reviewer", "Thida")[0] == 0
    with open_store(str(store_path())) as db:
        langs = tuple(db.target_languages(db.documents()[0].id))
    assert langs == ("my",)  # what `review serve` offers when no --to is given
    token = "s3cret-token"
    with TestClient(create_app(DeskConfig(str(store_path()), token, langs))) as client:
        listing = client.get(f"/?token={token}").text
        assert 'href="/doc/1/my"' in listing
        page = client.get("/doc/1/my").text
    assert HEADING[1] in page and BOLD[1] in page
