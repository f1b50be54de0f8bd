"""Score an installed package on a user's own test set with sacrebleu: chrF++ and BLEU.

chrF++ (character 6-grams plus word 2-grams) is the metric the OPUS-MT and External-MT
leaderboards rank by. BLEU needs words, and Burmese (like Thai, Lao and Khmer) writes none
with spaces, so for those targets BLEU runs on FLORES-200 SentencePiece pieces (spBLEU,
sacrebleu's ``flores200`` tokenizer) when that tokenizer's model is already on disk, and on
characters (``char``) otherwise: sacrebleu would download the model, and evaluation never
touches the network. The two are different numbers and are named apart in the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import InputError, PackageError
from pipeline.records import Signature

if TYPE_CHECKING:
    from pipeline.engines.argos import ArgosEngine
    from pipeline.packages import InstalledPackage

# Targets written without spaces between words: BLEU on pieces or characters, not words.
UNSPACED = frozenset({"my", "th", "lo", "km", "ja"})
WORD_TOKENIZERS = {"zh": "zh", "zt": "zh"}  # sacrebleu's own Chinese word tokenizer


@dataclass(frozen=True)
class MetricScore:
    """One corpus-level score and the sacrebleu signature that makes it reproducible."""

    name: str
    score: float
    signature: str


@dataclass(frozen=True)
class Evaluation:
    """A package's scores on a test set, with how the translations were made."""

    package: str
    source_lang: str
    target_lang: str
    segments: int
    scores: tuple[MetricScore, ...]
    model: Signature
    note: str = ""


def flores200_model() -> Path:
    """Return where sacrebleu keeps the FLORES-200 SentencePiece model (it may be absent)."""
    from sacrebleu import utils
    from sacrebleu.tokenizers.tokenizer_spm import SPM_MODELS

    # The tokenizer looks for the file named like the last part of its download URL.
    return Path(utils.SACREBLEU_DIR) / "models" / Path(SPM_MODELS["flores200"]["url"]).name


def bleu_tokenizer(target_lang: str) -> tuple[str, str]:
    """Return (sacrebleu tokenizer, metric name) for BLEU in a target language, offline.

    >>> bleu_tokenizer("hi")
    ('13a', 'BLEU')
    """
    if target_lang in UNSPACED:
        return ("flores200", "spBLEU") if flores200_model().is_file() else ("char", "BLEU (char)")
    return WORD_TOKENIZERS.get(target_lang, "13a"), "BLEU"


def score(
    hypotheses: Sequence[str], references: Sequence[str], target_lang: str
) -> tuple[tuple[MetricScore, ...], str]:
    """Return chrF++ and BLEU of hypotheses against one reference each, and a note on BLEU."""
    from sacrebleu.metrics.bleu import BLEU
    from sacrebleu.metrics.chrf import CHRF

    if len(hypotheses) != len(references):
        raise InputError(f"{len(hypotheses)} translations but {len(references)} references")
    chrf = CHRF(word_order=2)  # chrF++
    tokenize, name = bleu_tokenizer(target_lang)
    bleu = BLEU(tokenize=tokenize)
    refs = [list(references)]
    scores = (
        MetricScore(
            "chrF++", chrf.corpus_score(list(hypotheses), refs).score, str(chrf.get_signature())
        ),
        MetricScore(
            name, bleu.corpus_score(list(hypotheses), refs).score, str(bleu.get_signature())
        ),
    )
    note = ""
    if tokenize == "char":
        note = (
            f"{target_lang} has no spaces between words, so BLEU counts characters; spBLEU needs"
            f" sacrebleu's FLORES-200 SentencePiece model at {flores200_model()}"
        )
    return scores, note


def read_segments(path: Path, what: str) -> list[str]:
    """Return the lines of a segment-aligned test file (one segment per line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the {what} file {path}: {err}") from None
    return text.splitlines()


def find_installed(code: str) -> InstalledPackage:
    """Return the installed package with this code (or directory name)."""
    from pipeline.packages import installed_packages

    for package in installed_packages():
        if code in (package.code, package.path.name):
            return package
    raise PackageError(f"no installed package {code!r}; see `pipeline models list`")


def evaluate_package(
    code: str,
    source: Path,
    reference: Path,
    *,
    engine: ArgosEngine | None = None,
    output: Path | None = None,
) -> Evaluation:
    """Translate a source file with an installed package and score it against a reference."""
    from pipeline.engines.argos import ArgosEngine
    from pipeline.outputs import atomic_output, check_destination, protected
    from pipeline.store import store_location

    # The store is not read here, but -o naming it would still destroy it.
    protect = protected(store_location(None), inputs=(source, reference))
    if output is not None:
        check_destination(output, protect)  # before the translation, not after it
    package = find_installed(code)
    sources = read_segments(source, "source")
    references = read_segments(reference, "reference")
    if len(sources) != len(references):
        raise InputError(
            f"{source} has {len(sources)} lines but {reference} has {len(references)};"
            " the files must be segment-aligned, one segment per line"
        )
    if not any(line.strip() for line in sources):
        raise InputError(f"{source} has no segments to translate")
    argos = engine or ArgosEngine()
    pair = package.from_code, package.to_code
    route = argos.route(*pair)
    if route != (package,):  # pragma: no cover - installs refuse a second package per pair
        raise PackageError(f"{package.code} is not the package installed for {pair[0]}→{pair[1]}")
    hypotheses = [h.text for h in argos.translate(sources, *pair)]
    if output is not None:
        with atomic_output(output, protect) as out:
            out.write("".join(f"{h}\n" for h in hypotheses).encode("utf-8"))
    scores, note = score(hypotheses, references, package.to_code)
    return Evaluation(
        package=package.code,
        source_lang=package.from_code,
        target_lang=package.to_code,
        segments=len(sources),
        scores=scores,
        model=argos.signature(*pair),
        note=note,
    )
