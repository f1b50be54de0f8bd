"""`pipeline models build` on tiny random NLLB, M2M-100 and Marian models made in the test.

The Hugging Face models are real (transformers builds and runs them) but tiny and untrained,
and their tokenizers come from SentencePiece models trained here on the seed article, so no
network or hub is touched (HF_HUB_OFFLINE=1). Their output is meaningless: these tests pin
the conversion (language tokens, framing, vocabulary ids, package layout), never meaning.
Tests that convert need the 'convert' extra (transformers, torch) and skip without it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ctranslate2
import pytest
from typer.testing import CliRunner

from pipeline import build, packages
from pipeline.engines.argos import ArgosEngine
from pipeline.errors import PackageError
from tests.modelkit import (
    corpus_lines,
    isolate_argos,
    sentencepiece_vocabulary,
    train_sentencepiece,
)

MAX_LEN = 10  # random weights never emit </s>: every hypothesis runs to this length
TEXT = "Thousands have joined the CDM."
NLLB_LANGUAGES = ["eng_Latn", "mya_Mymr", "hin_Deva"]
SIZE = {"d_model": 32, "encoder_layers": 1, "decoder_layers": 1, "max_position_embeddings": 64}
HEADS = {"encoder_attention_heads": 2, "decoder_attention_heads": 2}
FFN = {"encoder_ffn_dim": 64, "decoder_ffn_dim": 64}


@pytest.fixture(scope="module")
def hf() -> Iterator[Any]:
    """Import transformers offline (skipping without the 'convert' extra); yield it."""
    pytest.importorskip("torch", reason="needs the 'convert' extra (torch, CPU build)")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("TRANSFORMERS_OFFLINE", "1")
        patch.setenv("TOKENIZERS_PARALLELISM", "false")
        yield pytest.importorskip("transformers", reason="needs the 'convert' extra")


def train_bpe(dest: Path, vocab_size: int = 300) -> Path:
    """Train a BPE SentencePiece model, as NLLB's sentencepiece.bpe.model is, on the seed."""
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus_lines()),
        model_writer=buffer,
        vocab_size=vocab_size,
        model_type="bpe",
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,
    )
    dest.write_bytes(buffer.getvalue())
    return dest


def make_nllb(hf: Any, dest: Path) -> Path:
    """Save a tiny NLLB-200-arranged model: NllbTokenizer over a BPE SentencePiece model."""
    import torch

    dest.mkdir(parents=True)
    train_bpe(dest / "sentencepiece.bpe.model")
    tokenizer = hf.NllbTokenizer.from_pretrained(
        str(dest), src_lang="eng_Latn", extra_special_tokens=NLLB_LANGUAGES
    )
    torch.manual_seed(0)
    config = hf.M2M100Config(
        vocab_size=len(tokenizer),
        scale_embedding=True,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        tokenizer_class="NllbTokenizer",
        **SIZE,
        **HEADS,
        **FFN,
    )
    hf.M2M100ForConditionalGeneration(config).save_pretrained(dest)
    tokenizer.save_pretrained(dest)
    (dest / "README.md").write_text("---\nlicense: cc-by-nc-4.0\n---\nTiny NLLB.\n")
    return dest


def make_m2m(hf: Any, dest: Path) -> Path:
    """Save a tiny M2M-100 model: fairseq vocab.json and SentencePiece, 100 language tokens."""
    import torch

    dest.mkdir(parents=True)
    spm = train_sentencepiece(dest / "sentencepiece.bpe.model", 300)
    pieces = [p for p in sentencepiece_vocabulary(spm) if p not in ("<unk>", "<s>", "</s>")]
    vocab = {token: i for i, token in enumerate(["<s>", "<pad>", "</s>", "<unk>", *pieces])}
    (dest / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    tokenizer = hf.M2M100Tokenizer(
        str(dest / "vocab.json"), str(dest / "sentencepiece.bpe.model"), src_lang="en"
    )
    torch.manual_seed(1)
    config = hf.M2M100Config(
        # As in facebook/m2m100_418M: the pieces, 100 language tokens, 8 made-up words.
        vocab_size=len(vocab) + len(tokenizer.lang_token_to_id) + tokenizer.num_madeup_words,
        scale_embedding=True,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        **SIZE,
        **HEADS,
        **FFN,
    )
    hf.M2M100ForConditionalGeneration(config).save_pretrained(dest)
    tokenizer.save_pretrained(dest)
    return dest


def make_marian(hf: Any, dest: Path, labels: tuple[str, ...] = ()) -> Path:
    """Save a tiny OPUS-MT-style Marian model; labels such as >>mya<< make it multi-target."""
    import torch

    dest.mkdir(parents=True)
    source = train_sentencepiece(dest / "source.spm", 300)
    target = train_sentencepiece(dest / "target.spm", 200)
    tokens = ["</s>", "<unk>"]
    for piece in sentencepiece_vocabulary(source) + sentencepiece_vocabulary(target):
        if piece not in tokens and piece != "<s>":
            tokens.append(piece)
    tokens += [*labels, "<pad>"]  # Marian's vocab.json ends with <pad>
    (dest / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}))
    tokenizer = hf.MarianTokenizer(
        str(dest / "source.spm"), str(dest / "target.spm"), str(dest / "vocab.json")
    )
    torch.manual_seed(2)
    pad = len(tokens) - 1
    config = hf.MarianConfig(
        vocab_size=len(tokens),
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        **SIZE,
        **HEADS,
        **FFN,
    )
    hf.MarianMTModel(config).save_pretrained(dest)
    tokenizer.save_pretrained(dest)
    (dest / "README.md").write_text("---\nlicense: cc-by-4.0\n---\nTiny OPUS-MT.\n")
    return dest


@pytest.fixture(scope="module")
def models(hf: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build each tiny Hugging Face model once per module."""
    root = tmp_path_factory.mktemp("hf")
    return {
        "nllb": make_nllb(hf, root / "tiny-nllb-200-600M"),
        "m2m100": make_m2m(hf, root / "tiny-m2m100_418M"),
        "marian": make_marian(hf, root / "opus-mt-en-hi"),
        "marian-multi": make_marian(hf, root / "opus-mt-en-sit", (">>hin<<", ">>mya<<")),
    }


@pytest.fixture(autouse=True)
def argos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Isolate Argos settings, index and packages in the test's temporary directory."""
    return isolate_argos(tmp_path, monkeypatch)


@dataclass
class Recorder:
    """What each real CTranslate2 translate_batch call received and returned."""

    calls: list[tuple[list[list[str]], Any, list[Any]]] = field(default_factory=list)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Wrap ctranslate2.Translator so tests see the tokens the real translator receives."""
    record = Recorder()
    real = ctranslate2.Translator

    class RecordingTranslator:
        def __init__(self, model_path: str, **options: Any) -> None:
            self._real = real(model_path, **options)

        def translate_batch(self, source: Any, target_prefix: Any = None, **options: Any) -> Any:
            results = self._real.translate_batch(source, target_prefix, **options)
            record.calls.append((source, target_prefix, results))
            return results

    monkeypatch.setattr(ctranslate2, "Translator", RecordingTranslator)
    return record


def hf_source_tokens(hf: Any, model_dir: Path, text: str, **options: Any) -> list[str]:
    """Return the tokens the model's own Hugging Face tokenizer feeds its encoder."""
    tokenizer = hf.AutoTokenizer.from_pretrained(str(model_dir), **options)
    ids = tokenizer(text)["input_ids"]
    vocabulary = {i: t for t, i in build.with_language_tokens(tokenizer).get_vocab().items()}
    return [vocabulary[i] for i in ids]


CASES = {
    # kind: (model, target, source tokens around the pieces, target prefix, HF tokenizer options)
    "nllb": ("nllb", "my", ["eng_Latn"], "mya_Mymr", {"src_lang": "eng_Latn"}),
    "m2m100": ("m2m100", "my", ["__en__"], "__my__", {"src_lang": "en"}),
    "marian": ("marian", "hi", [], "", {}),
    "marian-multi": ("marian-multi", "my", [">>mya<<"], "", {}),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_convert_install_translate(
    case: str, models: dict[str, Path], hf: Any, recorder: Recorder, tmp_path: Path
) -> None:
    """Each kind converts, installs and translates: framing, prefix, stripping, signature."""
    name, to_code, before, prefix, options = CASES[case]
    (built,) = build.build_packages(str(models[name]), "en", [to_code], tmp_path / "out")
    assert built.archive.is_file() and not list((tmp_path / "out").glob(".build-*"))
    package = packages.install_package(built.archive)
    assert package.code == built.code
    assert package.target_prefix == prefix
    assert json.loads((package.model_dir / "config.json").read_text())["add_source_eos"] is True

    engine = ArgosEngine(max_decoding_length=MAX_LEN)
    (framed,) = engine.encoder_inputs([TEXT], "en", to_code)
    pieces = engine.runtime(package).tokenizer.encode(TEXT)
    assert framed == [*before, *pieces, "</s>"]
    # The same tokens the model's own Hugging Face tokenizer gives its encoder.
    text = f"{before[0]} {TEXT}" if case == "marian-multi" else TEXT
    assert framed == hf_source_tokens(hf, models[name], text, **options)

    (hypothesis,) = engine.translate([TEXT], "en", to_code)
    ((source, target_prefix, results),) = recorder.calls
    assert source == [pieces]  # CTranslate2 adds the framing from config.json itself
    assert target_prefix == ([[prefix]] if prefix else None)
    tokens = results[0].hypotheses[0]
    assert tokens[: len([prefix] if prefix else [])] == ([prefix] if prefix else [])
    assert prefix not in hypothesis.text.split() if prefix else True
    stripped = tokens[1:] if prefix else tokens
    # Control tokens the model emits later (M2M-100 emits language tags such as __lg__) are
    # dropped too: none reaches the text.
    runtime = engine.runtime(package)
    kept = [t for t in stripped if t not in runtime.controls.tokens]
    assert hypothesis.text == runtime.tokenizer.decode(kept)
    assert not any(t in hypothesis.text for t in runtime.controls.tokens if t.strip("▁"))

    signature = engine.signature("en", to_code)
    model_bin = (package.model_dir / "model.bin").read_bytes()
    assert signature.model == built.code and signature.version == "1.0"
    assert signature.model_hash == hashlib.sha256(model_bin).hexdigest()
    assert signature.options["compute_type"] == "int8"


@pytest.mark.slow
@pytest.mark.parametrize("case", ["nllb", "m2m100", "marian-multi"])
def test_converted_model_decodes_like_transformers(
    case: str, models: dict[str, Path], hf: Any, tmp_path: Path
) -> None:
    """Greedy float32 decoding matches transformers token for token, so ids and tokens line up."""
    import torch

    name, to_code, before, prefix, options = CASES[case]
    (built,) = build.build_packages(
        str(models[name]), "en", [to_code], tmp_path, quantization="float32"
    )
    package = packages.install_package(built.archive)
    engine = ArgosEngine(beam_size=1, compute_type="float32", max_decoding_length=MAX_LEN)
    loaded = engine.runtime(package)
    (result,) = loaded.translator.translate_batch(
        [loaded.tokenizer.encode(TEXT)],
        [[prefix]] if prefix else None,
        beam_size=1,
        max_decoding_length=MAX_LEN,
    )

    tokenizer = hf.AutoTokenizer.from_pretrained(str(models[name]), **options)
    model = hf.AutoModelForSeq2SeqLM.from_pretrained(str(models[name])).eval()
    text = f"{before[0]} {TEXT}" if case == "marian-multi" else TEXT
    generate: dict[str, Any] = {"max_new_tokens": MAX_LEN, "num_beams": 1, "do_sample": False}
    if prefix:
        vocab = build.with_language_tokens(tokenizer).get_vocab()
        generate["forced_bos_token_id"] = vocab[prefix]
    with torch.no_grad():
        ids = model.generate(**tokenizer(text, return_tensors="pt"), **generate)[0].tolist()
    vocabulary = build.read_vocabulary(package.model_dir, "target")
    expected = [vocabulary[i] for i in ids[1:]]  # without the decoder start token
    assert result.hypotheses[0][:6] == expected[:6]


@pytest.mark.slow
def test_one_conversion_builds_a_package_per_direction(
    models: dict[str, Path], tmp_path: Path
) -> None:
    """--to my,hi converts once and packs two NLLB packages with their own prefix and layout."""
    out = tmp_path / "out"
    built = build.build_packages(str(models["nllb"]), "en", ["my", "hi"], out)
    assert [b.code for b in built] == ["translate-en_my-nllb600m", "translate-en_hi-nllb600m"]
    assert [b.tokens.target_prefix for b in built] == ["mya_Mymr", "hin_Deva"]
    for package in built:
        with zipfile.ZipFile(package.archive) as zf:
            names = zf.namelist()
            top = f"{package.code}-1_0/"
            assert all(n.startswith(top) for n in names)
            metadata = json.loads(zf.read(top + "metadata.json"))
            readme = zf.read(top + "README.md").decode()
            config = json.loads(zf.read(top + "model/config.json"))
        assert {top + "sentencepiece.model", top + "model/model.bin"} <= set(names)
        assert metadata["code"] == package.code
        assert (metadata["from_code"], metadata["to_code"]) == ("en", package.to_code)
        assert metadata["from_name"] == "English"
        assert metadata["target_prefix"] == package.tokens.target_prefix
        assert metadata["license"] == "cc-by-nc-4.0" and "Non-commercial use only" in readme
        assert (config["add_source_bos"], config["bos_token"]) == (True, "eng_Latn")
    assert {p.name for p in out.iterdir()} == {b.archive.name for b in built}


@pytest.mark.slow
def test_bad_direction_writes_nothing(models: dict[str, Path], tmp_path: Path) -> None:
    """A target the model lacks fails with one line before any archive is written."""
    with pytest.raises(PackageError, match="'__xx__' is not in the model's target vocabulary"):
        build.build_packages(str(models["m2m100"]), "en", ["my", "xx"], tmp_path / "out")
    with pytest.raises(PackageError, match="has none for 'de'"):
        build.build_packages(str(models["marian-multi"]), "en", ["de"], tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.slow
def test_cli_build_installs_and_refuses_to_overwrite(
    models: dict[str, Path], tmp_path: Path
) -> None:
    """`pipeline models build --install` builds and installs; a second build refuses."""
    import typer

    from pipeline.cli.build import register

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    args = ["build", str(models["marian"]), "--to", "hi", "-o", str(tmp_path), "--install"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "built translate-en_hi-opusmt 1.0 (en → hi)" in result.stdout
    assert "licence cc-by-4.0" in result.stdout
    assert [p.code for p in packages.installed_packages()] == ["translate-en_hi-opusmt"]
    result = runner.invoke(app, args)
    assert isinstance(result.exception, PackageError)
    assert "already exists" in str(result.exception)


def test_missing_extra_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without torch, build says in one line what to install, before any download."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    with pytest.raises(PackageError) as error:
        build.build_packages("facebook/nllb-200-distilled-600M", "en", ["my"], tmp_path / "out")
    message = str(error.value)
    assert "\n" not in message and message.startswith("model conversion needs")
    assert "missing here: torch (CPU build)." in message
    assert "--index-url https://download.pytorch.org/whl/cpu" in message
    assert not (tmp_path / "out").exists()


def write_config(
    dest: Path, config: dict[str, Any], tokenizer: dict[str, Any] | None = None
) -> Path:
    """Write a Hugging Face config.json (and tokenizer_config.json) into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "config.json").write_text(json.dumps(config))
    if tokenizer is not None:
        (dest / "tokenizer_config.json").write_text(json.dumps(tokenizer))
    return dest


def test_kind_comes_from_the_config(tmp_path: Path) -> None:
    """NLLB and M2M-100 share model_type m2m_100 and differ by tokenizer; others are refused."""
    m2m = {"model_type": "m2m_100"}
    assert build.detect_kind(write_config(tmp_path / "a", m2m)) is build.ModelKind.M2M100
    nllb = write_config(tmp_path / "b", m2m, {"tokenizer_class": "NllbTokenizer"})
    assert build.detect_kind(nllb) is build.ModelKind.NLLB
    marian = write_config(tmp_path / "c", {"model_type": "marian"})
    assert build.detect_kind(marian) is build.ModelKind.MARIAN
    with pytest.raises(PackageError, match="model type 'bert' is not supported"):
        build.detect_kind(write_config(tmp_path / "d", {"model_type": "bert"}))


def test_language_tokens_per_kind() -> None:
    """Source and target tokens per family, checked against the vocabularies."""
    vocab = ["<s>", "</s>", "eng_Latn", "mya_Mymr", "hin_Deva", "__en__", "__my__", ">>mya<<"]
    tokens = build.language_tokens
    kinds = build.ModelKind
    assert tokens(kinds.NLLB, "en", "my", vocab, vocab) == build.LanguageTokens(
        "eng_Latn", "mya_Mymr"
    )
    assert tokens(kinds.M2M100, "en", "my", vocab, vocab) == build.LanguageTokens(
        "__en__", "__my__"
    )
    assert tokens(kinds.MARIAN, "en", "my", vocab, vocab) == build.LanguageTokens(">>mya<<", "")
    assert tokens(kinds.MARIAN, "en", "hi", ["</s>"], ["</s>"]) == build.LanguageTokens(None, "")
    override = tokens(kinds.NLLB, "en", "xx", vocab, vocab, target_token="hin_Deva")
    assert override.target_prefix == "hin_Deva"
    with pytest.raises(PackageError, match="no NLLB-200 code is known for 'xx'"):
        tokens(kinds.NLLB, "en", "xx", vocab, vocab)


def test_default_tags_and_codes(tmp_path: Path) -> None:
    """Package codes name the pair and the model: translate-en_my-nllb600m."""

    def tag(name: str, kind: build.ModelKind) -> str:
        return build.default_tag(build.SourceModel(name, tmp_path, None, kind))

    assert tag("facebook/nllb-200-distilled-600M", build.ModelKind.NLLB) == "nllb600m"
    assert tag("facebook/nllb-200-distilled-1.3B", build.ModelKind.NLLB) == "nllb1.3b"
    assert tag("facebook/m2m100_418M", build.ModelKind.M2M100) == "m2m418m"
    assert tag("Helsinki-NLP/opus-mt-en-hi", build.ModelKind.MARIAN) == "opusmt"
    assert build.package_code("en", "my", "nllb600m") == "translate-en_my-nllb600m"
    with pytest.raises(PackageError, match="tag 'Bad Tag'"):
        build.package_code("en", "my", "Bad Tag")


def test_pack_package_has_one_top_directory(tmp_path: Path) -> None:
    """The archive holds the package directory at its top, written whole or not at all."""
    root = tmp_path / "translate-en_my-x-1_0"
    (root / "model").mkdir(parents=True)
    (root / "metadata.json").write_text("{}")
    (root / "model" / "model.bin").write_bytes(b"\0" * 10)
    out = tmp_path / "out"
    out.mkdir()
    archive = build.pack_package(root, out / "x.argosmodel")
    with zipfile.ZipFile(archive) as zf:
        assert {n.split("/")[0] for n in zf.namelist()} == {root.name}
    assert os.listdir(out) == ["x.argosmodel"]  # no .part left behind
