"""Build tiny real Argos packages for tests: CTranslate2 Transformers with random weights.

The models are real (CTranslate2 loads and runs them) but untrained, so what they produce is
meaningless: tests assert structure, never meaning. Random weights also almost never emit
``</s>``, so every caller pins ``max_decoding_length``.

The same builders make a Transformer-base-sized package for benchmarks (``BASE``,
``model_vocab_size=32000``); only speed is meaningful there too.
"""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_ARTICLE = ROOT / "seeds" / "2021-03-05-myanmar-police-cross-into-india.txt"
# Identifiers with underscores, so tokenizers learn "_" and tests can check it survives decoding.
EXTRA_LINES = ("Set MAX_RETRIES and snake_case names such as max_len or user_id.",)
VARIANTS = ("plain", "prefix", "nllb", "marian", "bpe")


@dataclass(frozen=True)
class ModelSize:
    """Transformer dimensions."""

    layers: tuple[int, int] = (2, 2)
    d_model: int = 64
    heads: int = 2
    ffn: int = 128


TINY = ModelSize()
BASE = ModelSize(layers=(6, 6), d_model=512, heads=8, ffn=2048)


def language_token(code: str) -> str:
    """Return the language token used by prefix and NLLB-style variants."""
    return f"__{code}__"


def corpus_lines(text_file: Path = SEED_ARTICLE) -> list[str]:
    """Return the non-empty lines of the seed article plus identifier lines."""
    lines = [line.strip() for line in text_file.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line] + list(EXTRA_LINES)


def train_sentencepiece(
    dest: Path,
    vocab_size: int = 300,
    *,
    user_symbols: Sequence[str] = (),
    lines: Iterable[str] | None = None,
) -> Path:
    """Train a unigram SentencePiece model on the seed article and write it to dest."""
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines) if lines is not None else corpus_lines()),
        model_writer=buffer,
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # the article is small; take what it yields
        user_defined_symbols=list(user_symbols),
        character_coverage=1.0,
        num_threads=1,  # deterministic
        minloglevel=2,
    )
    dest.write_bytes(buffer.getvalue())
    return dest


def sentencepiece_vocabulary(model: Path) -> list[str]:
    """Return the pieces of a SentencePiece model in id order (<unk>, <s>, </s> first)."""
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(model))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def learn_bpe(dest: Path, merges: int = 300, lines: Iterable[str] | None = None) -> list[str]:
    """Learn subword-nmt 0.2 BPE codes on Moses-tokenised text; return the vocabulary."""
    from sacremoses import MosesTokenizer

    tokenizer = MosesTokenizer("en")
    words = Counter(
        word
        for line in (lines if lines is not None else corpus_lines())
        for word in tokenizer.tokenize(line)
    )
    splits = {word: (*word[:-1], word[-1] + "</w>") for word in words}
    codes: list[tuple[str, str]] = []
    for _ in range(merges):
        pairs: Counter[tuple[str, str]] = Counter()
        for word, symbols in splits.items():
            for pair in itertools.pairwise(symbols):
                pairs[pair] += words[word]
        if not pairs:
            break
        best = max(pairs, key=lambda pair: (pairs[pair], pair))
        codes.append(best)
        splits = {word: _merge(symbols, best) for word, symbols in splits.items()}
    dest.write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in codes), encoding="utf-8")
    return _bpe_vocabulary(dest, words)


def _merge(symbols: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    """Return symbols with every occurrence of pair merged."""
    out: list[str] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def _bpe_vocabulary(codes: Path, words: Iterable[str]) -> list[str]:
    """Return specials, every segment of the corpus and every character, with and without @@."""
    from argostranslate.apply_bpe import BPE

    with codes.open(encoding="utf-8") as handle:
        bpe = BPE(handle)
    words = list(words)
    segments = set(bpe.segment_tokens(words))
    chars = {char for word in words for char in word}
    segments |= chars | {char + "@@" for char in chars}
    return ["<unk>", "<s>", "</s>", *sorted(segments)]


def build_ct2_model(
    dest: Path,
    source_vocabulary: Sequence[str],
    target_vocabulary: Sequence[str] | None = None,
    *,
    size: ModelSize = TINY,
    seed: int = 0,
    config: dict[str, Any] | None = None,
    quantization: str = "float32",
) -> Path:
    """Write a CTranslate2 Transformer with seeded random weights to dest."""
    from ctranslate2.specs import TransformerSpec

    target_vocabulary = target_vocabulary if target_vocabulary is not None else source_vocabulary
    rng = np.random.default_rng(seed)
    spec = TransformerSpec.from_config(size.layers, size.heads)
    _fill_encoder(spec.encoder, rng, size, len(source_vocabulary))
    _fill_decoder(spec.decoder, rng, size, len(target_vocabulary))
    spec.register_source_vocabulary(list(source_vocabulary))
    spec.register_target_vocabulary(list(target_vocabulary))
    for key, value in (config or {}).items():
        setattr(spec.config, key, value)
    spec.validate()
    spec.optimize(quantization=quantization)
    dest.mkdir(parents=True, exist_ok=True)
    spec.save(str(dest))
    return dest


def _weights(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """Return a float32 matrix scaled so activations stay in range."""
    return (rng.standard_normal((rows, cols)) / np.sqrt(cols)).astype(np.float32)


def _norm(layer: Any, d: int) -> None:
    """Set a layer norm to the identity."""
    layer.gamma = np.ones(d, np.float32)
    layer.beta = np.zeros(d, np.float32)


def _linear(layer: Any, rng: np.random.Generator, rows: int, cols: int) -> None:
    """Set a linear layer's weight and bias."""
    layer.weight = _weights(rng, rows, cols)
    layer.bias = np.zeros(rows, np.float32)


def _fill_ffn(ffn: Any, rng: np.random.Generator, size: ModelSize) -> None:
    """Set a feed-forward block."""
    _norm(ffn.layer_norm, size.d_model)
    _linear(ffn.linear_0, rng, size.ffn, size.d_model)
    _linear(ffn.linear_1, rng, size.d_model, size.ffn)


def _fill_encoder(encoder: Any, rng: np.random.Generator, size: ModelSize, vocab: int) -> None:
    """Set every encoder variable (position encodings are left to CTranslate2: sinusoidal)."""
    d = size.d_model
    encoder.embeddings[0].weight = _weights(rng, vocab, d)
    _norm(encoder.layer_norm, d)
    for layer in encoder.layer:
        _norm(layer.self_attention.layer_norm, d)
        _linear(layer.self_attention.linear[0], rng, 3 * d, d)  # fused q, k, v
        _linear(layer.self_attention.linear[1], rng, d, d)
        _fill_ffn(layer.ffn, rng, size)


def _fill_decoder(decoder: Any, rng: np.random.Generator, size: ModelSize, vocab: int) -> None:
    """Set every decoder variable."""
    d = size.d_model
    decoder.embeddings.weight = _weights(rng, vocab, d)
    _norm(decoder.layer_norm, d)
    _linear(decoder.projection, rng, vocab, d)
    for layer in decoder.layer:
        _norm(layer.self_attention.layer_norm, d)
        _linear(layer.self_attention.linear[0], rng, 3 * d, d)
        _linear(layer.self_attention.linear[1], rng, d, d)
        _norm(layer.attention.layer_norm, d)
        _linear(layer.attention.linear[0], rng, d, d)  # query
        _linear(layer.attention.linear[1], rng, 2 * d, d)  # fused k, v over the encoder output
        _linear(layer.attention.linear[2], rng, d, d)
        _fill_ffn(layer.ffn, rng, size)


def _padded(vocabulary: list[str], size: int | None) -> list[str]:
    """Return the vocabulary padded with unused tokens up to size (for benchmark-sized models).

    The padding is ordinary word pieces: a ``<extra_N>`` shape would be a control token, which
    the engine drops (pipeline/engines/hygiene.py), so a benchmark's output would be empty.
    """
    if size is None or size <= len(vocabulary):
        return vocabulary
    return vocabulary + [f"\u2581pad{i}" for i in range(size - len(vocabulary))]


def write_tokenizers(
    root: Path,
    variant: str,
    from_code: str,
    to_code: str,
    vocab_size: int,
    tags: tuple[str, str] | None = None,
) -> tuple[list[str], list[str] | None]:
    """Write the variant's tokenizer files into root; return (source, target or None) vocab."""
    if variant == "bpe":
        return learn_bpe(root / "bpe.model", merges=vocab_size), None
    if variant == "marian":  # two models, so two vocabularies of different sizes
        source = train_sentencepiece(root / "source.spm", vocab_size)
        target = train_sentencepiece(root / "target.spm", max(vocab_size * 3 // 4, 100))
        return sentencepiece_vocabulary(source), sentencepiece_vocabulary(target)
    # Language tokens must be single pieces, as in multilingual models.
    symbols = list(tags or (language_token(from_code), language_token(to_code)))
    model = train_sentencepiece(
        root / "sentencepiece.model",
        vocab_size,
        user_symbols=symbols if variant in ("prefix", "nllb") else (),
    )
    return sentencepiece_vocabulary(model), None


def model_config(variant: str, from_code: str, source_tag: str | None = None) -> dict[str, Any]:
    """Return the CTranslate2 config.json settings of a variant."""
    if variant == "nllb":  # CTranslate2 frames every source as [__en__, pieces..., </s>]
        return {
            "add_source_bos": True,
            "bos_token": source_tag or language_token(from_code),
            "add_source_eos": True,
        }
    if variant == "marian":
        return {"add_source_eos": True, "decoder_start_token": "</s>"}
    return {}


def build_package_dir(
    dest: Path,
    variant: str = "plain",
    from_code: str = "en",
    to_code: str = "my",
    *,
    seed: int = 0,
    size: ModelSize = TINY,
    vocab_size: int = 300,
    model_vocab_size: int | None = None,
    package_version: str = "1.0",
    quantization: str = "float32",
    tags: tuple[str, str] | None = None,
) -> Path:
    """Write an unpacked Argos package directory of the given variant under dest; return it.

    vocab_size sizes the tokenizer (BPE merges for "bpe"); model_vocab_size pads the model's
    vocabulary with unused tokens, e.g. to 32000 for a Transformer-base-sized benchmark model.
    tags replaces the prefix and NLLB variants' (source, target) language tokens, e.g.
    ("eng_Latn", "mya_Mymr") as NLLB spells them.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {VARIANTS}")
    root = dest / f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"
    root.mkdir(parents=True)
    source, target = write_tokenizers(root, variant, from_code, to_code, vocab_size, tags)
    build_ct2_model(
        root / "model",
        _padded(source, model_vocab_size),
        _padded(target, model_vocab_size) if target is not None else None,
        size=size,
        seed=seed,
        config=model_config(variant, from_code, tags[0] if tags else None),
        quantization=quantization,
    )
    metadata: dict[str, Any] = {
        "package_version": package_version,
        "argos_version": "1.9",
        "from_code": from_code,
        "from_name": from_code,
        "to_code": to_code,
        "to_name": to_code,
        "code": f"translate-{from_code}_{to_code}",
    }
    if variant in ("prefix", "nllb"):
        metadata["target_prefix"] = tags[1] if tags else language_token(to_code)
    (root / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    (root / "README.md").write_text(f"Test package ({variant}); random weights.\n")
    return root


def pack(package_dir: Path, archive: Path) -> Path:
    """Zip a package directory into an .argosmodel archive with the directory at its top."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(package_dir, package_dir.name + "/")
        for path in sorted(package_dir.rglob("*")):
            zf.write(path, path.relative_to(package_dir.parent).as_posix())
    return archive


def build_package(
    dest: Path, variant: str = "plain", from_code: str = "en", to_code: str = "my", **options: Any
) -> Path:
    """Build a package of the given variant and return its .argosmodel archive in dest."""
    package_dir = build_package_dir(dest / "src", variant, from_code, to_code, **options)
    return pack(package_dir, dest / f"{package_dir.name}.argosmodel")


def isolate_argos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point Argos's home, settings, index and packages at tmp_path; return the packages dir.

    Importing argostranslate.settings creates directories under the home directory and freezes
    its paths, so the first import happens here with a temporary home, and its index and
    download locations are patched for each test.
    """
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "home" / name.lower()))
    packages = tmp_path / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", "http://127.0.0.1:9/")  # loopback, never answers
    from argostranslate import settings

    monkeypatch.setattr(settings, "local_package_index", tmp_path / "index" / "index.json")
    monkeypatch.setattr(settings, "downloads_dir", tmp_path / "downloads")
    return packages


def tree(path: Path) -> list[str]:
    """Return every path under path, relative and sorted, to compare directory states."""
    if not path.exists():
        return []
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*"))


_ARCHIVES: dict[tuple[Any, ...], Path] = {}


def package_archive(
    factory: pytest.TempPathFactory,
    variant: str = "plain",
    from_code: str = "en",
    to_code: str = "my",
    **options: Any,
) -> Path:
    """Return a package archive built once per test session for these arguments."""
    key = (variant, from_code, to_code, *sorted(options.items()))
    if key not in _ARCHIVES:
        dest = factory.mktemp(f"pkg-{variant}-{from_code}-{to_code}")
        _ARCHIVES[key] = build_package(dest, variant, from_code, to_code, **options)
    return _ARCHIVES[key]
