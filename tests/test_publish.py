"""Publishing articles: the QA gate, --allow-flagged, --ready over a set, and output folders."""

from __future__ import annotations

from pathlib import Path

from pipeline.formats.errors import HELD_BACK
from tests.publishkit import article, cli, export_article, ingest_and_draft, review_by_xliff

POLICE = "Police crossed the border."
OFFICIALS = "Officials met in Delhi."
FLED = "More than 9,800 people fled."
# Never reviewed in Hindi, so no memory fills it.
OTHERS = "Nobody else crossed."
HINDI = {POLICE: "पुलिस ने सीमा पार की।", OFFICIALS: "अधिकारी दिल्ली में मिले।"}
BURMESE = {
    POLICE: "ရဲများ နယ်စပ်ကို ဖြတ်ကျော်ခဲ့သည်။",
    OFFICIALS: "အရာရှိများ ဒေလီတွင် တွေ့ဆုံခဲ့သည်။",
    OTHERS: "အခြားသူ မဖြတ်ကျော်ခဲ့ပါ။",
}


def reviewed(tmp_path: Path, name: str, text: str, lang: str, targets: dict[str, str]) -> Path:
    """Ingest an article, draft it, and import a reviewed XLIFF holding these targets."""
    path = article(tmp_path, name, text)
    ingest_and_draft(path, lang)
    code, _, err = review_by_xliff(path, lang, targets)
    assert code == 0, err
    return path


def test_target_missing_a_number_is_held_back_and_named(tmp_path: Path) -> None:
    """A reviewed target without the source's 9,800 stops the article: one line, unit and flag."""
    path = reviewed(tmp_path, "fled.txt", f"{FLED}\n", "hi", {FLED: "कई लोग भाग गए।"})
    out = tmp_path / "fled.hi.txt"
    code, stdout, err = export_article(path, "hi", out)
    assert code == 9 and stdout == "" and err.count("\n") == 1 and not out.exists()
    assert err.startswith(f"error: {path} (hi): 1 of 1 segments has a QA error: s1 (¶0.0)")
    assert "numbers: number 9800 is missing" in err and "--allow-flagged" in err


def test_myanmar_letters_in_hindi_are_held_back(tmp_path: Path) -> None:
    """A Hindi target written in Myanmar letters is refused as a script error."""
    path = reviewed(tmp_path, "police.txt", f"{POLICE}\n", "hi", {POLICE: BURMESE[POLICE]})
    code, _, err = export_article(path, "hi", tmp_path / "police.hi.txt")
    assert code == 9 and "s1 (¶0.0) script: only 0% of the letters are Devanagari" in err


def test_a_few_myanmar_letters_in_hindi_are_held_back(tmp_path: Path) -> None:
    """A Hindi target with about 5 % Myanmar letters mixed in is refused too."""
    mixed = "पुलिस ने शुक्रवार को सीमा पार की ကို।"
    path = reviewed(tmp_path, "police.txt", f"{POLICE}\n", "hi", {POLICE: mixed})
    code, _, err = export_article(path, "hi", tmp_path / "police.hi.txt")
    assert code == 9 and "of the letters are Myanmar, not Devanagari" in err


def test_allow_flagged_publishes_the_reviewed_text(tmp_path: Path) -> None:
    """--allow-flagged writes the flagged reviewed target exactly as the reviewer gave it."""
    path = reviewed(tmp_path, "fled.txt", f"{FLED}\n", "hi", {FLED: "कई लोग भाग गए।"})
    out = tmp_path / "fled.hi.txt"
    code, _, err = export_article(path, "hi", out, "--allow-flagged")
    assert code == 0, err
    assert out.read_text("utf-8") == "कई लोग भाग गए।\n"


def test_allow_draft_is_not_stopped_by_qa_errors(tmp_path: Path) -> None:
    """A draft article (--allow-draft) is already marked not for publication: flags pass."""
    path = reviewed(tmp_path, "fled.txt", f"{FLED}\n", "hi", {FLED: "कई लोग भाग गए।"})
    out = tmp_path / "fled.hi.txt"
    assert export_article(path, "hi", out, "--allow-draft")[0] == 0
    assert out.read_text("utf-8") == "कई लोग भाग गए।\n"


def three_documents(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Return a complete article (hi, my), one missing a Hindi segment, one flagged in Hindi."""
    both = f"{POLICE}\n\n{OFFICIALS}\n"
    complete = reviewed(tmp_path, "complete.txt", both, "hi", HINDI)
    assert review_by_xliff(complete, "my", BURMESE)[0] == 0
    gap = reviewed(tmp_path, "gap.txt", f"{POLICE}\n\n{OTHERS}\n", "hi", HINDI)
    assert review_by_xliff(gap, "my", BURMESE)[0] == 0
    flagged = reviewed(tmp_path, "flagged.txt", f"{FLED}\n", "hi", {FLED: "कई लोग भाग गए।"})
    return complete, gap, flagged


def test_ready_writes_the_complete_articles_and_names_the_rest(tmp_path: Path) -> None:
    """--ready over three documents and two languages: ready articles written, each other named."""
    complete, gap, flagged = three_documents(tmp_path)
    pub = tmp_path / "pub"
    docs = (str(complete), str(gap), str(flagged))
    code, out, err = cli(
        "export", "-f", "article", "--to", "hi,my", *docs, "--ready", "-o", f"{pub}/"
    )
    assert code == HELD_BACK
    assert sorted(p.name for p in pub.iterdir()) == [
        "complete.hi.txt",
        "complete.my.txt",
        "gap.my.txt",
    ]
    assert (pub / "complete.hi.txt").read_text(
        "utf-8"
    ) == f"{HINDI[POLICE]}\n\n{HINDI[OFFICIALS]}\n"
    assert (pub / "gap.my.txt").read_text("utf-8") == f"{BURMESE[POLICE]}\n\n{BURMESE[OTHERS]}\n"
    held = err.splitlines()
    assert len(held) == 3 and all(line.startswith("held back: ") for line in held)
    assert f"{gap} (hi): 1 of 2 segments has no reviewed or final translation: s" in held[0]
    assert f"{flagged} (hi): 1 of 1 segments has a QA error: " in held[1]
    # The flagged article has no Burmese at all: its draft is pseudo, never publishable.
    assert f"{flagged} (my): 1 of 1 segments has no reviewed or final translation" in held[2]
    assert len(out.splitlines()) == 3


def test_without_ready_one_article_stops_them_all(tmp_path: Path) -> None:
    """Without --ready the set is all or nothing: exit 9, one line, no file written."""
    complete, gap, flagged = three_documents(tmp_path)
    pub = tmp_path / "pub"
    docs = (str(complete), str(gap), str(flagged))
    code, out, err = cli("export", "-f", "article", "--to", "hi", *docs, "-o", f"{pub}/")
    assert code == 9 and out == "" and err.count("\n") == 1
    assert f"{gap} (hi)" in err and f"{flagged} (hi)" in err
    assert not pub.exists()


def test_output_folder_is_created(tmp_path: Path) -> None:
    """-o into a folder that does not exist (nested, ending in /) creates it."""
    path = reviewed(tmp_path, "complete.txt", f"{POLICE}\n", "hi", HINDI)
    pub = tmp_path / "pub" / "2021"
    code, out, err = cli("export", "-f", "article", "--to", "hi", str(path), "-o", f"{pub}/")
    assert code == 0, err
    assert (pub / "complete.hi.txt").read_text("utf-8") == f"{HINDI[POLICE]}\n"
    assert out == f"article: 1 units (hi) to {pub / 'complete.hi.txt'}\n"


def test_output_folder_under_a_file_is_one_line(tmp_path: Path) -> None:
    """-o under an existing file fails with one line and writes nothing."""
    path = reviewed(tmp_path, "complete.txt", f"{POLICE}\n", "hi", HINDI)
    blocker = tmp_path / "pub"
    blocker.write_text("x")
    code, out, err = cli("export", "-f", "article", "--to", "hi", str(path), "-o", f"{blocker}/")
    assert code == 8 and out == "" and err.count("\n") == 1 and "pub is a file" in err


def test_ready_and_allow_flagged_are_for_articles(tmp_path: Path) -> None:
    """--ready and --allow-flagged with an exchange format are one line, nothing written."""
    path = reviewed(tmp_path, "complete.txt", f"{POLICE}\n", "hi", HINDI)
    for option in ("--ready", "--allow-flagged"):
        out = tmp_path / "x.xlf"
        code, _, err = cli(
            "export", "-f", "xliff12", "--to", "hi", str(path), "-o", str(out), option
        )
        assert code == 8 and f"{option} applies to --format article only" in err
        assert not out.exists()
