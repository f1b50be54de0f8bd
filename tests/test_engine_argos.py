"""The Argos engine on real CTranslate2 models with random weights.

The models are untrained, so their output is meaningless token soup: these tests pin what goes
into CTranslate2 and how its output comes back (order, prefixes, detokenization, scores,
caching, pivoting), never what the text says.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ctranslate2
import pytest

from pipeline import packages
from pipeline.engines import load_engine
from pipeline.engines.argos import (
    ArgosEngine,
    BpeTokenizer,
    SentencePieceTokenizer,
    default_threads,
)
from pipeline.errors import EngineError
from tests.modelkit import VARIANTS, build_ct2_model, isolate_argos, package_archive

MAX_LEN = 12  # random weights never emit </s>: every hypothesis runs to this length
TEXTS = [
    "At least 19 Myanmar police officers have crossed the border into India.",
    "Thousands have joined the CDM.",
    "",
    "Set MAX_RETRIES before the protest.",
]


@dataclass
class Call:
    """One translate_batch call as CTranslate2 received it, and what it returned."""

    model: str
    source: list[list[str]]
    target_prefix: list[list[str]] | None
    options: dict[str, Any]
    results: list[Any] = field(default_factory=list)


@dataclass
class Recorder:
    """Every real Translator built and every call made through it."""

    loads: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Wrap ctranslate2.Translator so tests see what the real translator receives."""
    record = Recorder()
    real = ctranslate2.Translator

    class RecordingTranslator:
        def __init__(self, model_path: str, **options: Any) -> None:
            record.loads.append((model_path, options))
            self._model = model_path
            self._real = real(model_path, **options)

        def translate_batch(self, source: Any, target_prefix: Any = None, **options: Any) -> Any:
            call = Call(self._model, source, target_prefix, options)
            call.results = self._real.translate_batch(source, target_prefix, **options)
            record.calls.append(call)
            return call.results

    monkeypatch.setattr(ctranslate2, "Translator", RecordingTranslator)
    return record


@pytest.fixture(autouse=True)
def argos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Isolate Argos settings, index and packages in the test's temporary directory."""
    return isolate_argos(tmp_path, monkeypatch)


def install(
    factory: pytest.TempPathFactory,
    variant: str = "plain",
    src: str = "en",
    tgt: str = "my",
    **kw: Any,
) -> packages.InstalledPackage:
    """Install a session-cached test package."""
    return packages.install_package(package_archive(factory, variant, src, tgt, **kw))


def engine(**options: Any) -> ArgosEngine:
    """Return an engine with decoding length pinned."""
    return ArgosEngine(max_decoding_length=MAX_LEN, **options)


def raw_tokens(call: Call) -> list[list[str]]:
    """Return the best hypothesis tokens of each result of a call."""
    return [result.hypotheses[0] for result in call.results]


@pytest.mark.parametrize("variant", VARIANTS)
def test_install_translate_remove(
    variant: str, recorder: Recorder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each variant translates end to end: tokens in, prefix passed and stripped, order kept."""
    package = install(tmp_path_factory, variant)
    assert [p.code for p in packages.installed_packages()] == [package.code]
    argos = engine()
    assert argos.supports("en", "my")
    hypotheses = argos.translate(TEXTS, "en", "my")

    (call,) = recorder.calls
    runtime = argos.runtime(package)
    non_blank = [t for t in TEXTS if t]
    assert call.source == [runtime.tokenizer.encode(t) for t in non_blank]
    prefix = ["__my__"] if variant in ("prefix", "nllb") else []
    assert call.target_prefix == ([prefix] * len(non_blank) if prefix else None)
    assert call.options["max_decoding_length"] == MAX_LEN
    assert call.options["return_scores"] is True

    assert len(hypotheses) == len(TEXTS)
    assert hypotheses[2].text == "" and hypotheses[2].score is None
    produced = [h for t, h in zip(TEXTS, hypotheses, strict=True) if t]
    for tokens, result, hypothesis in zip(raw_tokens(call), call.results, produced, strict=True):
        assert tokens[: len(prefix)] == prefix  # CTranslate2 echoes the prefix ...
        # ... we drop it, and every control token the model emits later (random weights do).
        kept = [t for t in tokens[len(prefix) :] if t not in runtime.controls.tokens]
        assert hypothesis.text == runtime.tokenizer.decode(kept)
        assert not any(t in hypothesis.text for t in ("__my__", "__en__", "</s>", "<unk>", "⁇"))
        assert hypothesis.score == pytest.approx(result.scores[0])
        assert isinstance(hypothesis.score, float) and hypothesis.score <= 0

    packages.remove_package(package.code)
    assert not argos.supports("en", "my")
    with pytest.raises(EngineError):
        argos.translate(TEXTS, "en", "my")


def test_nllb_framing_reaches_the_encoder_once(
    recorder: Recorder, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """NLLB-style models see [language token, pieces, </s>]: added by CTranslate2, not twice."""
    package = install(tmp_path_factory, "nllb")
    argos = engine()
    text = TEXTS[0]
    (framed,) = argos.encoder_inputs([text], "en", "my")
    pieces = argos.runtime(package).tokenizer.encode(text)
    assert framed == ["__en__", *pieces, "</s>"]
    (hypothesis,) = argos.translate([text], "en", "my")
    (call,) = recorder.calls
    assert call.source == [pieces]  # the config's add_source_bos/eos make CTranslate2 frame it

    # The same weights without framing in their config, given the framed tokens by hand,
    # must decode exactly the same: so the encoder saw the language token and </s> once.
    vocabulary = json.loads((package.model_dir / "shared_vocabulary.json").read_text())
    unframed = build_ct2_model(tmp_path / "unframed", vocabulary, seed=0)
    plain = ctranslate2.Translator(str(unframed), compute_type=argos.compute_type)
    options = {"beam_size": argos.beam_size, "max_decoding_length": MAX_LEN, "return_scores": True}
    (by_hand,) = plain.translate_batch([framed], [["__my__"]], **options)
    assert by_hand.hypotheses == call.results[0].hypotheses
    assert by_hand.scores[0] == pytest.approx(hypothesis.score)
    # Framing twice changes the output, so the comparison above can tell the difference.
    (doubled,) = argos.runtime(package).translator.translate_batch(
        [framed], [["__my__"]], **options
    )
    assert doubled.hypotheses != by_hand.hypotheses or doubled.scores != by_hand.scores


def test_underscores_survive_detokenization(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`MAX_RETRIES` comes back intact, where argostranslate's decoder makes it `MAX RETRIES`."""
    package = install(tmp_path_factory, "plain")
    tokenizer = SentencePieceTokenizer(package.path / "sentencepiece.model")
    pieces = tokenizer.encode("Set MAX_RETRIES = 3")
    assert "_" in "".join(pieces)
    assert tokenizer.decode(pieces) == "Set MAX_RETRIES = 3"
    assert tokenizer.decode(["▁MAX", "_", "RE", "TRI", "ES"]) == "MAX_RETRIES"

    from argostranslate.tokenizer import SentencePieceTokenizer as ArgosTokenizer

    assert "MAX_RETRIES" not in ArgosTokenizer(package.path / "sentencepiece.model").decode(pieces)


def test_bpe_decoding_joins_subwords(tmp_path_factory: pytest.TempPathFactory) -> None:
    """BPE output joins `@@ ` continuations (a trailing one too) and undoes Moses escapes."""
    package = install(tmp_path_factory, "bpe")
    tokenizer = BpeTokenizer(package.path / "bpe.model", "en", "my")
    assert tokenizer.decode(["MAX@@", "_@@", "RE@@", "TRIES", "is", "set", "."]) == (
        "MAX_RETRIES is set."
    )
    assert tokenizer.decode(["Tom", "&amp;", "Jer@@", "ry", "sto@@"]) == "Tom & Jerry sto"
    assert all(" " not in token for token in tokenizer.encode(TEXTS[0]))


def test_marian_uses_source_and_target_models(
    recorder: Recorder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Separate source.spm and target.spm: the source model encodes, the target one decodes."""
    import sentencepiece as spm

    package = install(tmp_path_factory, "marian")
    source = spm.SentencePieceProcessor(model_file=str(package.path / "source.spm"))
    target = spm.SentencePieceProcessor(model_file=str(package.path / "target.spm"))
    assert source.get_piece_size() != target.get_piece_size()
    (hypothesis,) = engine().translate([TEXTS[1]], "en", "my")
    (call,) = recorder.calls
    assert call.source == [source.encode(TEXTS[1], out_type=str)]
    expected = target.decode_pieces(raw_tokens(call)[0]).replace("▁", " ").strip()
    assert hypothesis.text == expected


def test_output_order_matches_input_order(
    recorder: Recorder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Batched output comes back in input order though CTranslate2 sorts by length inside."""
    install(tmp_path_factory, "plain")
    texts = [*sorted((t for t in TEXTS if t), key=len, reverse=True), "Police.", ""]
    # Batches of one: CTranslate2 reorders by length, and each result is computed alone,
    # so it must equal translating that text on its own.
    argos = engine(max_batch_size=1, compute_type="float32")
    together = argos.translate(texts, "en", "my")
    alone = [argos.translate([t], "en", "my")[0] for t in texts]
    assert together == alone
    assert len(recorder.calls[0].source) == len(texts) - 1  # one call; the blank text skipped


def test_model_is_loaded_once_and_options_reach_it(
    recorder: Recorder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A package's translator is built on first use, then reused; the options reach it."""
    package = install(tmp_path_factory, "plain")
    argos = engine()
    argos.signature("en", "my")
    assert recorder.loads == []  # signing needs no model
    argos.translate(TEXTS[:2], "en", "my")
    argos.translate(TEXTS[2:], "en", "my")
    inter, intra = default_threads()
    assert recorder.loads == [
        (
            str(package.model_dir),
            {
                "device": "cpu",
                "compute_type": "int8",
                "inter_threads": inter,
                "intra_threads": intra,
            },
        )
    ]
    assert [c.options["beam_size"] for c in recorder.calls] == [2, 2]
    for call in recorder.calls:
        size, count = call.options["max_batch_size"], len(call.source)
        # At most the configured 16, cut so every worker gets as many sub-batches.
        assert 1 <= size <= 16 and (-(-count // size) % inter == 0 or count < inter)


def test_sub_batches_are_shared_evenly_between_workers() -> None:
    """A call is cut into a multiple of inter_threads sub-batches of near-equal size."""
    argos = ArgosEngine(max_batch_size=16, inter_threads=2, intra_threads=1)
    sizes = {n: argos.balanced_batch_size(n) for n in (1, 22, 32, 33, 256, 500)}
    assert sizes == {1: 1, 22: 11, 32: 16, 33: 9, 256: 16, 500: 16}
    assert ArgosEngine(max_batch_size=16, inter_threads=1).balanced_batch_size(22) == 11
    assert ArgosEngine(max_batch_size=0, inter_threads=2).balanced_batch_size(22) == 0


def test_signature_records_package_hash_and_options(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The signature names the package, its version, the model.bin hash and decoding options."""
    package = install(tmp_path_factory, "prefix")
    signature = engine(beam_size=1).signature("en", "my")
    digest = hashlib.sha256((package.model_dir / "model.bin").read_bytes()).hexdigest()
    assert (signature.engine, signature.model, signature.version) == ("argos", package.code, "1.0")
    assert signature.model_hash == digest
    assert signature.options == {
        "beam_size": 1,
        "compute_type": "int8",
        "device": "cpu",
        "max_decoding_length": MAX_LEN,
        "ctranslate2": ctranslate2.__version__,
    }
    assert engine(beam_size=1).signature("en", "my") == signature


def test_pivot_through_english(
    recorder: Recorder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """hi→my runs hi→en then en→my; the signature records both models; scores add up."""
    first = install(tmp_path_factory, "plain", "hi", "en", seed=1)
    second = install(tmp_path_factory, "prefix", "en", "my", seed=2)
    argos = engine()
    assert argos.supports("hi", "my")
    assert not argos.supports("my", "hi")
    hypotheses = argos.translate(TEXTS[:2], "hi", "my")

    leg1, leg2 = recorder.calls
    assert (Path(leg1.model), Path(leg2.model)) == (first.model_dir, second.model_dir)
    english = [argos.runtime(first).tokenizer.decode(tokens) for tokens in raw_tokens(leg1)]
    assert leg2.source == [argos.runtime(second).tokenizer.encode(text) for text in english]
    for i, hypothesis in enumerate(hypotheses):
        total = leg1.results[i].scores[0] + leg2.results[i].scores[0]
        assert hypothesis.score == pytest.approx(total)

    signature = argos.signature("hi", "my")
    assert signature.model == "translate-hi_en+translate-en_my"
    assert signature.version == "1.0+1.0"
    assert signature.model_hash.count("+") == 1
    assert signature.options["pivot"] == "en"


def test_unknown_pair_names_the_install_command() -> None:
    """A pair with no package, direct or by pivot, says which command installs one."""
    argos = engine()
    assert not argos.supports("xx", "yy")
    with pytest.raises(EngineError) as err:
        argos.translate(["hello"], "xx", "yy")
    message = str(err.value)
    assert "\n" not in message
    assert "pipeline models install xx yy" in message
    with pytest.raises(EngineError):
        argos.signature("xx", "yy")


def test_engine_loads_by_name_with_options() -> None:
    """`load_engine("argos", ...)` builds this engine with the given options."""
    loaded = load_engine("argos", beam_size=1, max_batch_size=8)
    assert isinstance(loaded, ArgosEngine)
    assert (loaded.beam_size, loaded.max_batch_size) == (1, 8)
    with pytest.raises(EngineError):
        ArgosEngine(batch_type="sentences")


@pytest.mark.parametrize("variant", VARIANTS)
def test_alignment_from_attention_only_when_asked(
    variant: str, recorder: Recorder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """align=True asks CTranslate2 for attention and returns spans that fit both texts."""
    install(tmp_path_factory, variant)
    argos = engine()
    plain = argos.translate(TEXTS, "en", "my")
    aligned = argos.translate(TEXTS, "en", "my", align=True)
    first, second = recorder.calls
    assert "return_attention" not in first.options and second.options["return_attention"]
    assert [h.text for h in aligned] == [h.text for h in plain]
    assert all(h.alignment is None for h in plain) and aligned[2].alignment is None
    for text, hypothesis in zip(TEXTS, aligned, strict=True):
        if not text:
            continue
        alignment = hypothesis.alignment
        assert alignment is not None and alignment.links
        assert all(0 <= b <= e <= len(text) for b, e in alignment.source)
        assert all(0 <= b <= e <= len(hypothesis.text) for b, e in alignment.target)
        assert {t for t, _ in alignment.links} <= set(range(len(alignment.target)))
        assert {s for _, s in alignment.links} <= set(range(len(alignment.source)))


def test_pivot_alignment_is_composed(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Through the pivot the alignment ties hi source tokens to my target tokens."""
    install(tmp_path_factory, "plain", "hi", "en", seed=1)
    install(tmp_path_factory, "prefix", "en", "my", seed=2)
    (hypothesis,) = engine().translate(TEXTS[:1], "hi", "my", align=True)
    alignment = hypothesis.alignment
    assert alignment is not None and alignment.links
    assert all(e <= len(TEXTS[0]) for _, e in alignment.source)
    assert all(e <= len(hypothesis.text) for _, e in alignment.target)


def test_target_spans_from_one_decode_match_prefix_decoding(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """SentencePiece's own offsets give each piece the span that decoding prefixes gives it."""
    from pipeline.engines.attention import decoded_piece_spans, decoded_spans

    package = install(tmp_path_factory, "plain")
    tokenizer = SentencePieceTokenizer(package.path / "sentencepiece.model")
    for text in ("Police crossed the border into India.", "Set MAX_RETRIES = 3, said Tin."):
        pieces = tokenizer.encode(text)
        decoded, by_prefix = decoded_spans(tokenizer.decode, pieces)
        assert decoded_piece_spans(tokenizer._target, pieces, decoded) == by_prefix
        assert tokenizer.decode_spans(pieces) == (decoded, by_prefix)
