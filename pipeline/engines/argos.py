"""The Argos engine: installed Argos packages run on CTranslate2 directly (no torch).

Defaults were measured on the 2-core development machine with a Transformer-base-sized
package (6+6 layers, d_model 512, 32k vocabulary, int8; random weights so decoding ran to a
pinned length; best of 3 runs while other jobs shared the machine), in segments per second:

    segments  beam  inter=1,intra=2,batch 32  inter=2,intra=1,batch 32  inter=2,intra=1,batch 16
       8       1            14.6                      20.3                      20.8
      32       1            39.4                      35.6                      60.8
      32       2            25.2                      22.6                      41.0
      64       1            41.7                      71.4                      61.9
      64       2            25.9                      42.1                      40.8

Two workers with one thread each beat one worker with two threads: one OpenMP team stalls
whenever the other core is busy. They only help when a call splits into several sub-batches,
hence batches of 16, so a caller's chunk of 32 runs as two parallel halves. Beam 2 costs about
a third of greedy throughput; it is the default because quality, not speed, is what reviewers
see (random weights cannot measure quality; beam 2 is CTranslate2's own default).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import ctranslate2

from pipeline.align import Alignment, Span, compose
from pipeline.engines.attention import (
    decoded_piece_spans,
    decoded_spans,
    from_attention,
    searched_spans,
    sentencepiece_spans,
)
from pipeline.engines.base import Hypothesis
from pipeline.engines.hygiene import ControlTokens
from pipeline.errors import EngineError, PackageError
from pipeline.packages import InstalledPackage, TokenizerKind, installed_packages, pair_key
from pipeline.records import Signature

DEFAULT_BEAM_SIZE = 2
DEFAULT_MAX_BATCH_SIZE = 16
DEFAULT_MAX_DECODING_LENGTH = 256  # CTranslate2's own default, recorded explicitly
PIVOT = "en"
BPE_JOINER = re.compile(r"@@( |$)")


def default_threads() -> tuple[int, int]:
    """Return (inter_threads, intra_threads): two workers, the cores shared between them."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    inter = min(2, cores or 1)
    return inter, max(1, (cores or 1) // inter)


class Tokenizer(Protocol):
    """Turns source text into model tokens and model tokens into target text."""

    def encode(self, text: str) -> list[str]:
        """Return the source tokens of text."""
        ...

    def decode(self, tokens: Sequence[str]) -> str:
        """Return the target text of tokens."""
        ...

    def encode_spans(self, text: str) -> tuple[list[str], list[Span]]:
        """Return the source tokens of text (as ``encode``) and each one's span in text."""
        ...


def detokenize_pieces(processor: Any, pieces: Sequence[str]) -> str:
    """Join SentencePiece pieces into text, keeping underscores (MAX_RETRIES) intact."""
    # decode_pieces copies pieces missing from the model verbatim, "▁" included; only those
    # still carry the space marker, so it is safe to turn it into a space here.
    text: str = processor.decode_pieces(list(pieces))
    return text.replace("\u2581", " ").strip()


class SentencePieceTokenizer:
    """SentencePiece on both sides: one model, or a source and a target model (Marian)."""

    def __init__(self, source: Path, target: Path | None = None) -> None:
        import sentencepiece as spm

        self._source = spm.SentencePieceProcessor(model_file=str(source))
        self._target = (
            self._source if target is None else spm.SentencePieceProcessor(model_file=str(target))
        )

    def encode(self, text: str) -> list[str]:
        """Return the pieces of text."""
        return list(self._source.encode(text, out_type=str))

    def decode(self, tokens: Sequence[str]) -> str:
        """Return the text of target pieces."""
        return detokenize_pieces(self._target, tokens)

    def encode_spans(self, text: str) -> tuple[list[str], list[Span]]:
        """Return the pieces of text with SentencePiece's offsets, in characters."""
        return sentencepiece_spans(self._source, text)

    def decode_spans(self, tokens: Sequence[str]) -> tuple[str, list[Span]]:
        """Return the text of target pieces and each piece's span, from one decode call."""
        text = self.decode(tokens)
        spans = decoded_piece_spans(self._target, tokens, text)
        return (text, spans) if spans is not None else decoded_spans(self.decode, tokens)

    @property
    def target_processor(self) -> Any:
        """Return the target SentencePiece model (its control pieces are never output)."""
        return self._target


class BpeTokenizer:
    """Argos BPE packages: Moses tokens split by subword-nmt codes."""

    def __init__(self, codes: Path, from_code: str, to_code: str) -> None:
        from argostranslate.tokenizer import BPETokenizer

        self._argos = BPETokenizer(codes, from_code, to_code)

    def encode(self, text: str) -> list[str]:
        """Return the BPE tokens of text."""
        return list(self._argos.encode(text))

    def decode(self, tokens: Sequence[str]) -> str:
        """Join BPE tokens ("@@ " marks a split word) and undo Moses tokenization."""
        words = BPE_JOINER.sub("", " ".join(tokens)).split()
        self._argos.lazy_load()
        text: str = self._argos.detokenizer.detokenize(words)
        return text

    def encode_spans(self, text: str) -> tuple[list[str], list[Span]]:
        """Return the BPE tokens of text, each found in text by its surface."""
        tokens = self.encode(text)
        surfaces = [self.decode([t.removesuffix("@@")]) for t in tokens]
        return tokens, searched_spans(text, surfaces)


def target_spans(tokenizer: Tokenizer, tokens: Sequence[str]) -> tuple[str, list[Span]]:
    """Return the target text and each token's span, in one decode where the tokenizer can."""
    spans = getattr(tokenizer, "decode_spans", None)
    if spans is not None:
        found: tuple[str, list[Span]] = spans(tokens)
        return found
    return decoded_spans(tokenizer.decode, tokens)


def load_tokenizer(package: InstalledPackage) -> Tokenizer:
    """Return the tokenizer a package ships."""
    path = package.path
    if package.tokenizer is TokenizerKind.SENTENCEPIECE:
        return SentencePieceTokenizer(path / "sentencepiece.model")
    if package.tokenizer is TokenizerKind.BPE:
        return BpeTokenizer(path / "bpe.model", package.from_code, package.to_code)
    if package.tokenizer is TokenizerKind.SPM_PAIR:
        where = path if (path / "source.spm").is_file() else package.model_dir
        return SentencePieceTokenizer(where / "source.spm", where / "target.spm")
    raise PackageError(
        f"package {package.code} at {path} has no tokenizer; reinstall it with"
        f" `pipeline models remove {package.code}` and `pipeline models install"
        f" {package.from_code} {package.to_code}`"
    )


@dataclass(frozen=True)
class SourceFraming:
    """Tokens CTranslate2 adds around every source, from the model's config.json."""

    bos: str | None = None
    eos: str | None = None

    @classmethod
    def of(cls, model_dir: Path) -> SourceFraming:
        """Read add_source_bos/bos_token and add_source_eos/eos_token from a model directory."""
        try:
            config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()  # CTranslate2 < 3 models have no config and no framing
        return cls(
            bos=config.get("bos_token", "<s>") if config.get("add_source_bos") else None,
            eos=config.get("eos_token", "</s>") if config.get("add_source_eos") else None,
        )

    def frame(self, tokens: Sequence[str]) -> list[str]:
        """Return tokens as the encoder sees them: [bos?, tokens..., eos?]."""
        return [*([self.bos] if self.bos else []), *tokens, *([self.eos] if self.eos else [])]


def strip_prefix(tokens: Sequence[str], prefix: Sequence[str]) -> list[str]:
    """Return output tokens without the target prefix CTranslate2 echoes at their start."""
    if prefix and list(tokens[: len(prefix)]) == list(prefix):
        return list(tokens[len(prefix) :])
    return list(tokens)


@lru_cache(maxsize=64)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    """Return the SHA-256 of a file; size and mtime key the cache so a new file is rehashed."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def model_hash(package: InstalledPackage) -> str:
    """Return the SHA-256 of a package's model/model.bin (cached per process)."""
    path = package.model_dir / "model.bin"
    try:
        info = path.stat()
    except OSError:
        raise PackageError(f"package {package.code} has no {path}; reinstall it") from None
    return _file_sha256(str(path), info.st_size, info.st_mtime_ns)


@dataclass(frozen=True)
class Runtime:
    """A loaded package: its CTranslate2 translator, tokenizer, prefix and framing."""

    package: InstalledPackage
    translator: Any
    tokenizer: Tokenizer
    prefix: tuple[str, ...]
    framing: SourceFraming
    controls: ControlTokens


class ArgosEngine:
    """Translate with installed Argos packages, through English when no direct package exists.

    Each package's translator is loaded on first use and kept. Every text of a call goes to
    CTranslate2 in one translate_batch call, which sorts by length and splits into batches
    of max_batch_size (examples or tokens, per batch_type) itself.
    """

    name = "argos"

    def __init__(
        self,
        *,
        beam_size: int = DEFAULT_BEAM_SIZE,
        compute_type: str | None = None,
        device: str = "cpu",
        inter_threads: int | None = None,
        intra_threads: int | None = None,
        max_batch_size: int = DEFAULT_MAX_BATCH_SIZE,
        batch_type: str = "examples",
        max_decoding_length: int = DEFAULT_MAX_DECODING_LENGTH,
        pivot: str = PIVOT,
    ) -> None:
        if beam_size < 1 or max_batch_size < 0 or max_decoding_length < 1:
            raise EngineError("beam_size and max_decoding_length must be >= 1, max_batch_size >= 0")
        if batch_type not in ("examples", "tokens"):
            raise EngineError(f"batch_type must be 'examples' or 'tokens', not {batch_type!r}")
        inter, intra = default_threads()
        self.beam_size = beam_size
        self.device = device
        # int8 weights with float16 activations on GPU; plain int8 elsewhere (any CPU has it).
        self.compute_type = compute_type or ("int8_float16" if device == "cuda" else "int8")
        self.inter_threads = inter_threads or inter
        self.intra_threads = intra_threads if intra_threads is not None else intra
        self.max_batch_size = max_batch_size
        self.batch_type = batch_type
        self.max_decoding_length = max_decoding_length
        self.pivot = pivot
        self._runtimes: dict[Path, Runtime] = {}
        self._lock = threading.Lock()

    def route(self, source_lang: str, target_lang: str) -> tuple[InstalledPackage, ...] | None:
        """Return the packages that translate the pair: one direct, or two through the pivot."""
        # Argos codes (zt, pb) keyed as the store keys languages (zh-Hant, pt-BR).
        pairs = {pair_key(p.from_code, p.to_code): p for p in reversed(installed_packages())}
        direct = pairs.get((source_lang, target_lang))
        if direct is not None:
            return (direct,)
        first = pairs.get((source_lang, self.pivot))
        second = pairs.get((self.pivot, target_lang))
        if self.pivot not in (source_lang, target_lang) and first and second:
            return (first, second)
        return None

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Return whether installed packages translate the pair, directly or by pivot."""
        return source_lang != target_lang and self.route(source_lang, target_lang) is not None

    def _require(self, source_lang: str, target_lang: str) -> tuple[InstalledPackage, ...]:
        """Return the route for a pair or raise an error saying which package to install."""
        route = self.route(source_lang, target_lang)
        if route is None or source_lang == target_lang:
            raise EngineError(
                f"no Argos package translates {source_lang}→{target_lang}; install one with"
                f" `pipeline models install {source_lang} {target_lang}`"
            )
        return route

    def signature(self, source_lang: str, target_lang: str) -> Signature:
        """Return the packages, versions, model hashes and output-affecting options used."""
        route = self._require(source_lang, target_lang)
        options: dict[str, Any] = {
            "beam_size": self.beam_size,
            "compute_type": self.compute_type,
            "device": self.device,
            "max_decoding_length": self.max_decoding_length,
            "ctranslate2": ctranslate2.__version__,
        }
        if len(route) > 1:
            options["pivot"] = self.pivot
        return Signature(
            engine=self.name,
            model="+".join(p.code for p in route),
            version="+".join(p.version for p in route),
            model_hash="+".join(model_hash(p) for p in route),
            options=options,
        )

    def runtime(self, package: InstalledPackage) -> Runtime:
        """Return the package's loaded runtime, loading it on first use."""
        with self._lock:
            loaded = self._runtimes.get(package.path)
            if loaded is None:
                loaded = self._runtimes[package.path] = self._load(package)
            return loaded

    def _load(self, package: InstalledPackage) -> Runtime:
        """Load a package's CTranslate2 model and tokenizer."""
        try:
            translator = ctranslate2.Translator(
                str(package.model_dir),
                device=self.device,
                compute_type=self.compute_type,
                inter_threads=self.inter_threads,
                intra_threads=self.intra_threads,
            )
        except (RuntimeError, ValueError, OSError) as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise EngineError(f"cannot load {package.code} from {package.path}: {reason}") from None
        tokenizer = load_tokenizer(package)
        prefix = tuple(package.target_prefix.split())
        framing = SourceFraming.of(package.model_dir)
        controls = ControlTokens.for_model(
            package.model_dir,
            extra=[*prefix, *(t for t in (framing.bos, framing.eos) if t)],
            processor=getattr(tokenizer, "target_processor", None),
        )
        return Runtime(package, translator, tokenizer, prefix, framing, controls)

    def encoder_inputs(
        self, texts: Sequence[str], source_lang: str, target_lang: str
    ) -> list[list[str]]:
        """Return the tokens the first model's encoder sees for each text, framing included."""
        loaded = self.runtime(self._require(source_lang, target_lang)[0])
        return [loaded.framing.frame(loaded.tokenizer.encode(text)) for text in texts]

    def translate(
        self, texts: Sequence[str], source_lang: str, target_lang: str, *, align: bool = False
    ) -> list[Hypothesis]:
        """Translate texts in order; through the pivot, scores add up over both models.

        With ``align`` each hypothesis carries the hard alignment read from the model's
        attention; through the pivot the two legs' alignments are composed.
        """
        hypotheses = [Hypothesis(text, 0.0) for text in texts]
        for leg, package in enumerate(self._require(source_lang, target_lang)):
            step = self._run(self.runtime(package), [h.text for h in hypotheses], align)
            hypotheses = [
                Hypothesis(
                    new.text,
                    None if new.score is None else new.score + (old.score or 0.0),
                    _chained(old.alignment, new.alignment) if leg else new.alignment,
                )
                for old, new in zip(hypotheses, step, strict=True)
            ]
        return hypotheses

    def _run(self, loaded: Runtime, texts: Sequence[str], align: bool = False) -> list[Hypothesis]:
        """Translate texts with one package; blank texts stay blank without reaching the model."""
        wanted = [i for i, text in enumerate(texts) if text.strip()]
        # CTranslate2 adds the config's source framing itself: adding it here would double it.
        encoded = [_encoded(loaded.tokenizer, texts[i], align) for i in wanted]
        batch = [tokens for tokens, _ in encoded]
        prefix = list(loaded.prefix)
        results = self._translate_batch(
            loaded, batch, [prefix] * len(batch) if prefix else None, align
        )
        out = [Hypothesis("", None) for _ in texts]
        for i, result, (_, spans) in zip(wanted, results, encoded, strict=True):
            full = list(result.hypotheses[0])
            echoed = len(full) - len(strip_prefix(full, prefix))
            # Control tokens the model emitted anywhere (tags, </s>, <unk>) never reach the text.
            kept = [echoed + j for j in loaded.controls.keep(full[echoed:])]
            tokens = [full[j] for j in kept]
            if not align:
                text = loaded.controls.scrub(loaded.tokenizer.decode(tokens), texts[i])
                out[i] = Hypothesis(text, float(result.scores[0]))
                continue
            text, targets = target_spans(loaded.tokenizer, tokens)
            clean = loaded.controls.scrub(text, texts[i])
            framing = (int(loaded.framing.bos is not None), int(loaded.framing.eos is not None))
            attention = result.attention[0]
            # One row per output token, with or without the echoed prefix: keep the kept rows.
            if len(attention) in (len(full), len(full) - echoed):
                shift = len(full) - len(attention)
                attention = [attention[j - shift] for j in kept]
            # Spans point into the decoded text: a scrubbed text has none to trust.
            alignment = (
                from_attention(attention, spans, targets, framing=framing)
                if clean == text
                else None
            )
            out[i] = Hypothesis(clean, float(result.scores[0]), alignment)
        return out

    def balanced_batch_size(self, count: int) -> int:
        """Return a sub-batch size that gives every worker the same number of sub-batches.

        CTranslate2 cuts a call into sub-batches of at most ``max_batch_size`` and hands them
        to its workers: 22 sentences in batches of 16 leave one worker idle for most of the
        call, while two batches of 11 keep both busy.

        >>> ArgosEngine(max_batch_size=16, inter_threads=2).balanced_batch_size(22)
        11
        >>> ArgosEngine(max_batch_size=16, inter_threads=2).balanced_batch_size(500)
        16
        """
        if self.batch_type != "examples" or self.max_batch_size <= 0 or count == 0:
            return self.max_batch_size
        batches = -(-count // self.max_batch_size)
        batches = -(-batches // self.inter_threads) * self.inter_threads
        return -(-count // batches)

    def _translate_batch(
        self,
        loaded: Runtime,
        batch: list[list[str]],
        prefix: list[list[str]] | None,
        align: bool = False,
    ) -> list[Any]:
        """Call CTranslate2 once for the whole batch."""
        if not batch:
            return []
        try:
            results: list[Any] = loaded.translator.translate_batch(
                batch,
                target_prefix=prefix,
                max_batch_size=self.balanced_batch_size(len(batch)),
                batch_type=self.batch_type,
                beam_size=self.beam_size,
                max_decoding_length=self.max_decoding_length,
                return_scores=True,
                # Attention only when asked: code-free batches decode exactly as before.
                **({"return_attention": True} if align else {}),
            )
        except (RuntimeError, ValueError) as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise EngineError(f"CTranslate2 failed with {loaded.package.code}: {reason}") from None
        return results


def _encoded(tokenizer: Tokenizer, text: str, align: bool) -> tuple[list[str], list[Span]]:
    """Return a text's tokens, with their character spans when an alignment is wanted."""
    if align:
        return tokenizer.encode_spans(text)
    return tokenizer.encode(text), []


def _chained(first: Alignment | None, second: Alignment | None) -> Alignment | None:
    """Return the alignment through the pivot, or None when either leg has none."""
    if first is None or second is None:
        return None
    return compose(first, second)
