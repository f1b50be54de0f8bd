"""Datelines: localised when the draft is made, reviewed like any segment, published as stored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.engines.pseudo import PseudoEngine
from pipeline.formats import FORMATS
from pipeline.locale import Digits
from pipeline.records import Origin, SegmentKind, State, TranslationDraft
from pipeline.store import open_store
from pipeline.translate import TranslationJob
from tests.publishkit import article, cli, export_article, ingest_and_draft, review_by_xliff

DATED = "date 2021-03-05 Police crossed the border.\n"
POLICE = "Police crossed the border."
HINDI_POLICE = "पुलिस ने सीमा पार की।"
# What babel's CLDR data gives, and a reviewer's correction of it.
RENDERED = {"hi": "5 मार्च 2021", "my": "၂၀၂၁ မတ် ၅"}
CORRECTED = "नई दिल्ली, 5 मार्च, 2021"


def stored(path: Path, lang: str) -> dict[SegmentKind, object]:
    """Return the article's stored translations into a language, by segment kind."""
    with open_store(os.environ["PIPELINE_STORE"]) as store:
        document = store.document(str(path))
        done = store.translations(document.id, lang)
        return {s.kind: done.get(s.id) for s in store.segments(document.id)}


def test_translate_stores_the_rendered_dateline_as_a_draft(tmp_path: Path) -> None:
    """translate renders the date from locale data, signed as such, for review (not MT/pseudo)."""
    path = article(tmp_path, "dated.txt", DATED)
    ingest_and_draft(path, "my,hi")
    for lang in ("my", "hi"):
        dateline = stored(path, lang)[SegmentKind.DATELINE]
        assert dateline.text == RENDERED[lang]
        assert (dateline.state, dateline.origin) == (State.TRANSLATED, Origin.IMPORT)
        assert (dateline.signature.engine, dateline.signature.model) == ("locale", "cldr")
        assert dateline.signature.options["reason"] == "dateline" and not dateline.is_pseudo
        assert stored(path, lang)[SegmentKind.TEXT].is_pseudo
    # Not reviewed yet: the article names it like any other draft.
    code, _, err = export_article(path, "hi", tmp_path / "dated.hi.txt")
    assert code == 9 and "2 of 2 segments have no reviewed or final translation: s1" in err


@pytest.mark.parametrize(
    ("lang", "digits", "expected"),
    [("my", None, "၂၀၂၁ မတ် ၅"), ("my", "latin", "2021 မတ် 5"), ("hi", "native", "५ मार्च २०२१")],
)
def test_digits_policy_applies_when_the_draft_is_made(
    tmp_path: Path, lang: str, digits: Digits | None, expected: str
) -> None:
    """The rendered dateline follows the job's digits policy (default: the locale's own)."""
    path = article(tmp_path, "dated.txt", DATED)
    assert cli("ingest", str(path))[0] == 0
    with open_store(os.environ["PIPELINE_STORE"]) as store:
        job = TranslationJob(store, PseudoEngine(), store.documents(), [lang], digits=digits)
        job.plan()
        job.run()
    dateline = stored(path, lang)[SegmentKind.DATELINE]
    assert dateline.text == expected
    system = {"my": "mymr", "hi": "deva"}[lang] if digits != "latin" else "latn"
    assert dateline.signature.options["digits"] == system


def test_translate_digits_option_chooses_the_datelines_digits(tmp_path: Path) -> None:
    """``translate --digits latin`` gives Burmese datelines Latin digits; a bad value: one line."""
    path = article(tmp_path, "dated.txt", DATED)
    assert cli("ingest", str(path))[0] == 0
    code, _, err = cli(
        "translate", str(path), "--to", "my", "--engine", "pseudo", "--digits", "roman"
    )
    assert code != 0 and err.count("\n") == 1 and "--digits takes native or latin" in err
    code, _, err = cli(
        "translate", str(path), "--to", "my", "--engine", "pseudo", "--digits", "latin"
    )
    assert code == 0, err
    assert stored(path, "my")[SegmentKind.DATELINE].text == "2021 မတ် 5"


def test_reviewer_corrected_dateline_reaches_the_article_via_xliff(tmp_path: Path) -> None:
    """A Hindi dateline a reviewer corrected in XLIFF is published exactly, not re-rendered."""
    path = article(tmp_path, "dated.txt", DATED)
    ingest_and_draft(path, "hi")
    targets = {"date 2021-03-05": CORRECTED, POLICE: HINDI_POLICE}
    code, _, err = review_by_xliff(path, "hi", targets)
    assert code == 0, err
    out = tmp_path / "dated.hi.txt"
    code, _, err = export_article(path, "hi", out)
    assert code == 0, err
    assert out.read_text("utf-8") == f"{CORRECTED} {HINDI_POLICE}\n"


def test_reviewer_corrected_dateline_reaches_the_article_via_the_desk(tmp_path: Path) -> None:
    """A dateline saved at the desk (the store's save_edit on its revision) is published exactly."""
    path = article(tmp_path, "dated.txt", DATED)
    ingest_and_draft(path, "hi")
    with open_store(os.environ["PIPELINE_STORE"]) as store:
        document = store.document(str(path))
        bases = store.revision_ids(document.id, "hi")
        for segment in store.segments(document.id):
            text = CORRECTED if segment.kind is SegmentKind.DATELINE else HINDI_POLICE
            draft = TranslationDraft(
                segment.id, "hi", text, State.REVIEWED, Origin.HUMAN, author="Asha"
            )
            store.save_edit(draft, bases[segment.id])
    out = tmp_path / "dated.hi.txt"
    code, _, err = export_article(path, "hi", out)
    assert code == 0, err
    assert out.read_text("utf-8") == f"{CORRECTED} {HINDI_POLICE}\n"


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - {"article", "omegat"}))
def test_dateline_is_a_normal_unit_in_every_exchange_export(tmp_path: Path, fmt: str) -> None:
    """Every exchange export carries the dateline as a unit of its own, with its draft text."""
    path = article(tmp_path, "dated.txt", DATED)
    ingest_and_draft(path, "hi")
    out = tmp_path / f"dated.{fmt}"
    code, _, err = cli("export", "--format", fmt, "--to", "hi", str(path), "-o", str(out))
    assert code == 0, err
    data = out.read_text("utf-8")
    assert "date 2021-03-05" in data and RENDERED["hi"] in data and "s1" in data


def test_human_only_translation_publishes_the_translators_dateline(tmp_path: Path) -> None:
    """Without translate, a translator fills the dateline in XLIFF and the article has it."""
    path = article(tmp_path, "dated.txt", DATED)
    assert cli("ingest", str(path))[0] == 0
    targets = {"date 2021-03-05": CORRECTED, POLICE: HINDI_POLICE}
    code, out, err = review_by_xliff(path, "hi", targets)
    assert code == 0, out + err
    published = tmp_path / "dated.hi.txt"
    code, _, err = export_article(path, "hi", published)
    assert code == 0, err
    assert published.read_text("utf-8") == f"{CORRECTED} {HINDI_POLICE}\n"


def test_a_store_without_dateline_translations_says_to_run_translate(tmp_path: Path) -> None:
    """An older store's untranslated dateline is named, pointing to translate, which fills it."""
    path = article(tmp_path, "dated.txt", DATED)
    assert cli("ingest", str(path))[0] == 0
    with open_store(os.environ["PIPELINE_STORE"]) as store:
        document = store.document(str(path))
        body = store.segments(document.id)[1]
        store.write_translations(
            [TranslationDraft(body.id, "hi", HINDI_POLICE, State.REVIEWED, Origin.HUMAN)]
        )
    out = tmp_path / "dated.hi.txt"
    code, _, err = export_article(path, "hi", out)
    assert code == 9 and err.count("\n") == 1
    assert "1 of 2 segments has no reviewed or final translation: s1 (¶0.0)" in err
    assert "'pipeline translate' renders datelines" in err
    assert cli("translate", str(path), "--to", "hi", "--engine", "pseudo")[0] == 0
    code, _, err = export_article(path, "hi", out, "--allow-draft")
    assert code == 0, err
    assert out.read_text("utf-8").endswith(f"\n\n{RENDERED['hi']} {HINDI_POLICE}\n")
