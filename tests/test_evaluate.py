"""`pipeline models evaluate`: translate a test set with an installed package and score it.

The packages are tiny random models, so the scores are meaningless numbers: these tests pin
that the right package translates the right lines and that sacrebleu scores exactly those
translations with the right metric for the target language, never what the scores are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sacrebleu.metrics.bleu import BLEU
from sacrebleu.metrics.chrf import CHRF
from typer.testing import CliRunner

from pipeline import packages
from pipeline.cli.build import register
from pipeline.engines.argos import ArgosEngine
from pipeline.errors import InputError, PackageError
from pipeline.evaluate import bleu_tokenizer, evaluate_package, flores200_model, score
from tests.modelkit import isolate_argos, package_archive, train_sentencepiece

MAX_LEN = 8  # random weights never emit </s>: every hypothesis runs to this length
SOURCES = [
    "At least 19 Myanmar police officers have crossed the border into India.",
    "Thousands have joined the CDM.",
    "",
    "The police refused to shoot at protesters.",
]
REFERENCES = ["မြန်မာ ရဲ ၁၉ ဦး", "ထောင်ချီ ပါဝင်", "", "ရဲများ ပစ်ခတ်ရန် ငြင်းဆို"]
HINDI = [
    "कम से कम 19 म्यांमार पुलिस अधिकारी भारत आए हैं।",
    "हजारों लोग आंदोलन में शामिल हुए हैं।",
]


@pytest.fixture(autouse=True)
def argos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Isolate Argos settings, index and packages in the test's temporary directory."""
    return isolate_argos(tmp_path, monkeypatch)


@pytest.fixture
def no_flores_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point sacrebleu's data folder at an empty directory: no FLORES-200 tokenizer model."""
    from sacrebleu import utils
    from sacrebleu.tokenizers import tokenizer_spm

    home = tmp_path / "sacrebleu"
    monkeypatch.setattr(utils, "SACREBLEU_DIR", str(home))
    monkeypatch.setattr(tokenizer_spm, "SACREBLEU_DIR", str(home))
    return home


def write_lines(path: Path, lines: list[str]) -> Path:
    """Write one segment per line."""
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_evaluate_scores_the_package_translations(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, no_flores_model: Path
) -> None:
    """The package translates every source line; chrF++ and BLEU score exactly those lines."""
    package = packages.install_package(package_archive(tmp_path_factory, "nllb"))
    source = write_lines(tmp_path / "src.en", SOURCES)
    reference = write_lines(tmp_path / "ref.my", REFERENCES)
    engine = ArgosEngine(max_decoding_length=MAX_LEN)
    result = evaluate_package(
        package.code, source, reference, engine=engine, output=tmp_path / "hyp.my"
    )

    hypotheses = (tmp_path / "hyp.my").read_text(encoding="utf-8").splitlines()
    assert hypotheses == [h.text for h in engine.translate(SOURCES, "en", "my")]
    assert hypotheses[2] == ""  # a blank line stays blank and keeps the lines aligned
    assert (result.package, result.source_lang, result.target_lang) == (package.code, "en", "my")
    assert result.segments == len(SOURCES)
    chrf, bleu = result.scores
    assert chrf.name == "chrF++" and "nw:2" in chrf.signature
    assert chrf.score == pytest.approx(
        CHRF(word_order=2).corpus_score(hypotheses, [REFERENCES]).score
    )
    # Burmese has no spaces between words and no FLORES-200 model is on disk: character BLEU.
    assert bleu.name == "BLEU (char)" and "tok:char" in bleu.signature
    assert bleu.score == pytest.approx(
        BLEU(tokenize="char").corpus_score(hypotheses, [REFERENCES]).score
    )
    assert "spBLEU needs" in result.note and str(no_flores_model) in result.note
    assert result.model == engine.signature("en", "my")


def test_burmese_uses_spbleu_when_the_flores_model_is_on_disk(no_flores_model: Path) -> None:
    """With sacrebleu's FLORES-200 SentencePiece model present, Burmese BLEU is spBLEU."""
    model = flores200_model()
    assert model.parent.parent == no_flores_model
    model.parent.mkdir(parents=True)
    train_sentencepiece(model, 200, lines=REFERENCES * 3 + SOURCES)  # stands in for the real one
    assert bleu_tokenizer("my") == ("flores200", "spBLEU")
    (_, bleu), note = score(REFERENCES, REFERENCES, "my")
    assert bleu.name == "spBLEU" and "tok:flores200" in bleu.signature and note == ""


def test_spaced_languages_use_word_bleu() -> None:
    """Hindi BLEU uses sacrebleu's default 13a word tokenizer; identical text scores 100."""
    (chrf, bleu), note = score(HINDI, HINDI, "hi")
    assert (bleu.name, note) == ("BLEU", "")
    assert "tok:13a" in bleu.signature
    assert chrf.score == pytest.approx(100) and bleu.score == pytest.approx(100)


def test_misaligned_files_fail_with_one_line(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Source and reference line counts must match; nothing is translated otherwise."""
    package = packages.install_package(package_archive(tmp_path_factory, "plain"))
    source = write_lines(tmp_path / "src.en", SOURCES)
    reference = write_lines(tmp_path / "ref.my", REFERENCES[:3])
    with pytest.raises(InputError) as error:
        evaluate_package(package.code, source, reference, output=tmp_path / "hyp")
    message = str(error.value)
    assert "has 4 lines but" in message and "has 3" in message and "\n" not in message
    assert not (tmp_path / "hyp").exists()


def test_unknown_package_and_empty_test_set(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """An uninstalled package code and a test set of blank lines are clear errors."""
    empty = write_lines(tmp_path / "empty", ["", ""])
    with pytest.raises(PackageError, match="no installed package 'translate-en_my-x'"):
        evaluate_package("translate-en_my-x", empty, empty)
    package = packages.install_package(package_archive(tmp_path_factory, "plain"))
    with pytest.raises(InputError, match="has no segments"):
        evaluate_package(package.code, empty, empty)


def test_cli_evaluate_prints_scores_and_signatures(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, no_flores_model: Path
) -> None:
    """`pipeline models evaluate` prints each score with its signature, or JSON."""
    package = packages.install_package(package_archive(tmp_path_factory, "plain"))
    source = write_lines(tmp_path / "src.en", SOURCES)
    reference = write_lines(tmp_path / "ref.my", REFERENCES)
    app = typer.Typer()
    register(app)
    args = ["evaluate", package.code, "--source", str(source), "--ref", str(reference)]
    args += ["--max-decoding-length", str(MAX_LEN)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{package.code} (en → my), 4 segments"
    assert lines[1].startswith("chrF++ ") and "nw:2" in lines[1]
    assert lines[2].startswith("BLEU (char) ") and "tok:char" in lines[2]
    assert lines[3].startswith("note: my has no spaces")
    assert json.loads(lines[4].removeprefix("model: "))["model"] == package.code

    result = CliRunner().invoke(app, [*args, "--json"])
    data = json.loads(result.stdout)
    assert [s["name"] for s in data["scores"]] == ["chrF++", "BLEU (char)"]
    assert data["model"]["options"]["max_decoding_length"] == MAX_LEN
