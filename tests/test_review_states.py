"""States mean what a person did: a state carried back with an edit is the reviewer's edit.

Files are exported by `pipeline export`, edited as a translator's tool would (lxml, babel)
and imported by `pipeline review import`; the store is then read for what was saved.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from lxml import etree

from pipeline.records import Origin, Segment, State, Translation, TranslationDraft
from pipeline.store import open_store
from pipeline.store.base import Store
from tests.test_cli import cli
from tests.test_review_import import MT, latest_segments, seeded_store

XLIFF12_STATES = {
    State.TRANSLATED: "translated",
    State.REVIEWED: "signed-off",
    State.FINAL: "final",
}
SUFFIXES = {"xliff12": "xlf", "xliff20": "xlf", "po": "po"}


@pytest.fixture
def store(seed: Path) -> Iterator[Store]:
    """The seed article with machine translations into Burmese and pseudo into Hindi."""
    db = seeded_store(seed)
    yield db
    db.close()


def exported(tmp_path: Path, fmt: str, name: str = "a", lang: str = "my") -> Path:
    """Export every document for a language with the CLI and return the file."""
    path = tmp_path / f"{name}.{lang}.{SUFFIXES[fmt]}"
    code, _, err = cli("export", "--format", fmt, "--to", lang, "-o", str(path))
    assert code == 0, err
    return path


def edit(
    path: Path, fmt: str, uid: str, text: str | None = None, state: State | None = None
) -> None:
    """Change one unit's target text and/or state, leaving the rest of the file as it was."""
    if fmt == "po":
        _edit_po(path, uid, text, state)
        return
    tree = etree.parse(str(path))
    tag = "trans-unit" if fmt == "xliff12" else "unit"
    [unit] = [u for u in tree.iterfind(f".//{{*}}{tag}") if u.get("id") == uid]
    holder = unit if fmt == "xliff12" else unit.find("{*}segment")
    assert holder is not None
    target = holder.find("{*}target")
    assert target is not None
    if text is not None:
        target.text = text
    if state is not None and fmt == "xliff12":
        target.set("state", XLIFF12_STATES[state])
        if "state-qualifier" in target.attrib:
            del target.attrib["state-qualifier"]
    elif state is not None:
        holder.set("state", state.value)
        if "subState" in holder.attrib:
            del holder.attrib["subState"]
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)


def _edit_po(path: Path, uid: str, text: str | None, state: State | None) -> None:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    [message] = [m for m in catalog if m.context == uid]
    if text is not None:
        message.string = text
    if state is not None:
        if state is State.TRANSLATED:
            message.flags.add("fuzzy")
        else:
            message.flags.discard("fuzzy")
        if state is State.FINAL:
            message.auto_comments.append("state: final")
    with path.open("wb") as handle:
        write_po(handle, catalog)


def stored(store: Store, segment: Segment, lang: str = "my") -> Translation:
    """Return a segment's stored translation, read afresh."""
    return store.translations(segment.document_id, lang)[segment.id]


def review_import(path: Path, *options: str) -> tuple[int, str, str]:
    """Run `pipeline review import` on a file with a reviewer named."""
    return cli("review", "import", str(path), "--reviewer", "Thida", *options)


@pytest.mark.parametrize("fmt", ["xliff12", "xliff20", "po"])
def test_an_edited_machine_translation_under_its_own_state_is_reviewed(
    fmt: str, store: Store, tmp_path: Path
) -> None:
    """MT text edited with `translated` carried back becomes reviewed, by the reviewer."""
    segs = latest_segments(store)
    path = exported(tmp_path, fmt)
    edit(path, fmt, f"s{segs[4].id}", "ပြင်ဆင်ထားသော စာသား")
    code, out, err = review_import(path)
    assert (code, err) == (0, ""), err
    assert "applied 1," in out
    t = stored(store, segs[4])
    assert (t.text, t.state, t.origin, t.author, t.signature) == (
        "ပြင်ဆင်ထားသော စာသား",
        State.REVIEWED,
        Origin.HUMAN,
        "Thida",
        None,
    )


@pytest.mark.parametrize("fmt", ["xliff12", "xliff20", "po"])
def test_a_state_changed_on_unchanged_text_is_an_approval(
    fmt: str, store: Store, tmp_path: Path
) -> None:
    """translated -> final with the text untouched approves the machine text as it is."""
    segs = latest_segments(store)
    path = exported(tmp_path, fmt)
    edit(path, fmt, f"s{segs[5].id}", state=State.FINAL)
    code, out, err = review_import(path)
    assert code == 0, err
    assert "applied 1," in out
    t = stored(store, segs[5])
    assert (t.text, t.state, t.origin, t.author, t.signature) == (
        f"[my] {segs[5].source}",
        State.FINAL,
        Origin.HUMAN,
        "Thida",
        MT,
    )


def test_an_edited_credit_carrying_final_is_reviewed_not_final(tmp_path: Path, seed: Path) -> None:
    """A credit the pipeline wrote as final, edited with final carried back, is reviewed."""
    assert cli("ingest", str(seed))[0] == 0
    assert cli("translate", str(seed), "--engine", "pseudo", "--to", "my")[0] == 0
    with open_store(str(tmp_path / "pipeline.db")) as db:
        segs = latest_segments(db)
        credit = next(s for s in segs if not s.kind.translatable)
        assert stored(db, credit).state is State.FINAL
    path = exported(tmp_path, "xliff12")
    edit(path, "xliff12", f"s{credit.id}", "AP သတင်းဌာန")
    assert review_import(path)[0] == 0
    with open_store(str(tmp_path / "pipeline.db")) as db:
        t = stored(db, credit)
    assert (t.text, t.state, t.origin, t.author) == (
        "AP သတင်းဌာန",
        State.REVIEWED,
        Origin.HUMAN,
        "Thida",
    )


@pytest.mark.parametrize("state", [State.FINAL, State.TRANSLATED])
def test_state_option_names_the_state_of_carried_edits(
    state: State, store: Store, tmp_path: Path
) -> None:
    """--state gives edits under a carried state their state; a state the reviewer set wins."""
    segs = latest_segments(store)
    path = exported(tmp_path, "xliff20")
    edit(path, "xliff20", f"s{segs[3].id}", "တစ်")
    edit(path, "xliff20", f"s{segs[4].id}", "နှစ်", State.REVIEWED)
    code, _, err = review_import(path, "--state", state.value)
    assert code == 0, err
    assert stored(store, segs[3]).state is state
    assert stored(store, segs[4]).state is State.REVIEWED


def test_an_unedited_pseudo_translation_cannot_be_approved_through_a_file(
    store: Store, tmp_path: Path
) -> None:
    """Pseudo text marked final is a conflict; an edit under the carried state is reviewed."""
    segs = latest_segments(store)
    path = exported(tmp_path, "xliff12", lang="hi")
    edit(path, "xliff12", f"s{segs[3].id}", state=State.FINAL)
    edit(path, "xliff12", f"s{segs[4].id}", "हिंदी में")
    code, _, err = review_import(path)
    assert code != 0
    assert f"s{segs[3].id}: pseudo-translation marked final without a human edit" in err
    assert stored(store, segs[4], "hi").origin is Origin.MT  # nothing written
    assert review_import(path, "--skip-conflicts")[0] == 0
    assert stored(store, segs[3], "hi").state is State.TRANSLATED
    edited = stored(store, segs[4], "hi")
    assert (edited.text, edited.state, edited.author) == ("हिंदी में", State.REVIEWED, "Thida")


def test_qa_errors_of_applied_targets_are_printed_and_counted(store: Store, tmp_path: Path) -> None:
    """A target that loses the source's number is saved, and its QA error printed and counted."""
    segs = latest_segments(store)
    numbered = next(s for s in segs[3:] if "19" in s.source)
    path = exported(tmp_path, "po")
    edit(path, "po", f"s{numbered.id}", "ရဲအရာရှိများ နယ်စပ်ကို ဖြတ်ကျော်ခဲ့သည်။")
    code, out, err = review_import(path)
    assert code == 0, err
    lines = out.splitlines()
    assert (
        f"QA error: s{numbered.id} (my): numbers: number 19 is missing from the translation"
        in lines
    )
    assert lines[-1].endswith(f"applied 1, unchanged {len(segs) - 1}, conflicts 0, QA errors 1")


def test_a_second_import_is_a_noop_even_after_a_new_export(store: Store, tmp_path: Path) -> None:
    """Importing a file again, before or after another export, saves nothing new."""
    segs = latest_segments(store)
    path = exported(tmp_path, "xliff12")
    edit(path, "xliff12", f"s{segs[4].id}", "ပြင်ဆင်ထားသော စာသား")
    edit(path, "xliff12", f"s{segs[5].id}", state=State.FINAL)
    assert review_import(path)[0] == 0
    history = {i: len(store.revisions(stored(store, segs[i]).id)) for i in (4, 5)}
    for _ in range(2):
        code, out, _ = review_import(path)
        assert code == 0 and f"applied 0, unchanged {len(segs)}, conflicts 0" in out
        exported(tmp_path, "po", name="later")  # the export log moves past the import
    assert {i: len(store.revisions(stored(store, segs[i]).id)) for i in (4, 5)} == history
    assert stored(store, segs[4]).state is State.REVIEWED


def test_the_state_carried_is_the_exported_one_not_a_later_approval(
    store: Store, tmp_path: Path
) -> None:
    """After a desk approval since the export, an edit under the exported state is reviewed."""
    segs = latest_segments(store)
    path = exported(tmp_path, "xliff12")
    mt = stored(store, segs[4])
    approval = TranslationDraft(
        segs[4].id, "my", mt.text, State.FINAL, Origin.HUMAN, MT, author="Mya", note="desk"
    )
    store.write_translations([approval])
    edit(path, "xliff12", f"s{segs[4].id}", "ပြင်ဆင်ထားသော စာသား")
    assert review_import(path)[0] == 0
    t = stored(store, segs[4])
    assert (t.text, t.state, t.author) == ("ပြင်ဆင်ထားသော စာသား", State.REVIEWED, "Thida")


def test_a_carried_state_is_read_from_the_version_the_file_was_exported_from(
    seed: Path, tmp_path: Path
) -> None:
    """An edit exported before the article changed, under its MT state, lands reviewed."""
    article = tmp_path / seed.name
    shutil.copy(seed, article)
    store = seeded_store(article)
    old = latest_segments(store)
    path = exported(tmp_path, "xliff12")
    changed = article.read_text(encoding="utf-8").replace(old[5].source, "A brand new sentence.")
    article.write_text(changed, encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0  # the new version carries the translations
    edit(path, "xliff12", f"s{old[4].id}", "ပြင်ဆင်ထားသော စာသား")
    code, _, err = review_import(path, "--skip-conflicts")  # the removed sentence conflicts
    assert code == 0, err
    new = next(s for s in latest_segments(store) if s.source == old[4].source)
    assert new.id != old[4].id
    t = stored(store, new)
    assert (t.text, t.state, t.author) == ("ပြင်ဆင်ထားသော စာသား", State.REVIEWED, "Thida")
    store.close()
