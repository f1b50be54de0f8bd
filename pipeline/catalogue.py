"""Open MT models for English→Burmese and English→Hindi: licence, size and published scores.

Every score names where it was published. The figures are the FLORES-200 devtest chrF++
quoted in issue 6 from the OPUS-MT leaderboard (OPUS-MT models) and the External-MT
leaderboard (NLLB-200, M2M-100); they were not re-measured here, and a newer leaderboard
release may differ. `pipeline models evaluate` scores a built package on your own test set.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipeline.errors import PackageError


class Use(StrEnum):
    """What a model's licence allows its output to be used for."""

    COMMERCIAL = "commercial"
    NON_COMMERCIAL = "non-commercial"


@dataclass(frozen=True)
class Licence:
    """A model licence: its SPDX identifier and whether commercial use is allowed."""

    spdx: str
    commercial: bool

    @property
    def use(self) -> Use:
        """Return the widest use the licence allows."""
        return Use.COMMERCIAL if self.commercial else Use.NON_COMMERCIAL


def is_non_commercial(spdx: str) -> bool:
    """Return whether a licence (an SPDX id, any case) forbids commercial use.

    >>> is_non_commercial("cc-by-nc-4.0"), is_non_commercial("MIT")
    (True, False)
    """
    return "-NC" in spdx.upper()


CC_BY_NC_4 = Licence("CC-BY-NC-4.0", commercial=False)
CC_BY_4 = Licence("CC-BY-4.0", commercial=True)
MIT = Licence("MIT", commercial=True)


@dataclass(frozen=True)
class Source:
    """Where a published figure comes from."""

    name: str
    url: str  # text only: nothing here is fetched


OPUS_MT_LEADERBOARD = Source(
    "OPUS-MT leaderboard (OPUS-MT dashboard), FLORES-200 devtest",
    "https://opus.nlpl.eu/dashboard/ (data: https://github.com/Helsinki-NLP/OPUS-MT-leaderboard)",
)
EXTERNAL_MT_LEADERBOARD = Source(
    "External-MT leaderboard (OPUS-MT dashboard, external models), FLORES-200 devtest",
    "https://github.com/Helsinki-NLP/External-MT-leaderboard",
)


@dataclass(frozen=True)
class CatalogueModel:
    """A Hugging Face MT model `pipeline models build` can convert."""

    name: str  # the Hugging Face model id
    family: str
    kind: str  # nllb, m2m100 or marian: how pipeline.build converts it
    licence: Licence
    parameters_m: int  # millions of parameters
    package_mb: int  # approximate size of the int8 package
    note: str = ""


@dataclass(frozen=True)
class Score:
    """A published score of a model on a language pair."""

    model: str
    from_code: str
    to_code: str
    chrf_pp: float
    source: Source
    benchmark: str = "FLORES-200 devtest"
    metric: str = "chrF++"


@dataclass(frozen=True)
class Entry:
    """A catalogue row: a model, its score on a pair, and whether it is recommended."""

    model: CatalogueModel
    score: Score
    recommended_for: tuple[Use, ...]


NLLB_600M = CatalogueModel(
    "facebook/nllb-200-distilled-600M", "NLLB-200 distilled 600M", "nllb", CC_BY_NC_4, 615, 630
)
NLLB_1_3B = CatalogueModel(
    "facebook/nllb-200-distilled-1.3B", "NLLB-200 distilled 1.3B", "nllb", CC_BY_NC_4, 1370, 1400
)
M2M100_418M = CatalogueModel(
    "facebook/m2m100_418M",
    "M2M-100 418M",
    "m2m100",
    MIT,
    418,
    490,
    note="too weak for en→my to be useful",
)
OPUS_MT_EN_SIT = CatalogueModel(
    "Helsinki-NLP/opus-mt-en-sit",
    "OPUS-MT eng-sit (multi-target, Sino-Tibetan)",
    "marian",
    CC_BY_4,
    77,
    80,
    note="needs the >>mya<< target token (pipeline models build adds it); the leaderboard"
    " figure is for an eng-sit release that may be newer than this Hugging Face conversion",
)
OPUS_MT_EN_HI = CatalogueModel(
    "Helsinki-NLP/opus-mt-en-hi", "OPUS-MT en-hi", "marian", CC_BY_4, 76, 80
)

MODELS: tuple[CatalogueModel, ...] = (
    NLLB_600M,
    NLLB_1_3B,
    M2M100_418M,
    OPUS_MT_EN_SIT,
    OPUS_MT_EN_HI,
)

SCORES: tuple[Score, ...] = (
    Score(NLLB_1_3B.name, "en", "my", 29.7, EXTERNAL_MT_LEADERBOARD),
    Score(NLLB_600M.name, "en", "my", 27.9, EXTERNAL_MT_LEADERBOARD),
    Score(OPUS_MT_EN_SIT.name, "en", "my", 25.2, OPUS_MT_LEADERBOARD),
    Score(M2M100_418M.name, "en", "my", 5.8, EXTERNAL_MT_LEADERBOARD),
    Score(NLLB_600M.name, "en", "hi", 52.8, EXTERNAL_MT_LEADERBOARD),
    Score(OPUS_MT_EN_HI.name, "en", "hi", 46.4, OPUS_MT_LEADERBOARD),
)


def find_model(name: str) -> CatalogueModel | None:
    """Return the catalogue model with this Hugging Face id (any case), if listed."""
    wanted = name.strip().rstrip("/").lower()
    return next((m for m in MODELS if m.name.lower() == wanted), None)


def pairs() -> list[tuple[str, str]]:
    """Return the language pairs the catalogue has scores for, in catalogue order."""
    return list(dict.fromkeys((s.from_code, s.to_code) for s in SCORES))


def _model(name: str) -> CatalogueModel:
    """Return a listed model by id."""
    found = find_model(name)
    if found is None:  # pragma: no cover - SCORES only names listed models
        raise KeyError(name)
    return found


def recommend(from_code: str, to_code: str, use: Use) -> CatalogueModel:
    """Return the best-scoring model for a pair whose licence allows the use.

    >>> recommend("en", "my", Use.COMMERCIAL).name
    'Helsinki-NLP/opus-mt-en-sit'
    >>> recommend("en", "hi", Use.NON_COMMERCIAL).name
    'facebook/nllb-200-distilled-600M'
    """
    allowed = [
        s
        for s in SCORES
        if (s.from_code, s.to_code) == (from_code, to_code)
        and (use is Use.NON_COMMERCIAL or _model(s.model).licence.commercial)
    ]
    if not allowed:
        listed = ", ".join(f"{a}→{b}" for a, b in pairs())
        raise PackageError(f"the catalogue has no {from_code}→{to_code} models; it lists {listed}")
    return _model(max(allowed, key=lambda s: s.chrf_pp).model)


def entries(from_code: str, to_code: str) -> list[Entry]:
    """Return a pair's catalogue rows, best score first, with what each is recommended for."""
    chosen = {use: recommend(from_code, to_code, use).name for use in Use}
    rows = [s for s in SCORES if (s.from_code, s.to_code) == (from_code, to_code)]
    return [
        Entry(
            model=_model(s.model),
            score=s,
            recommended_for=tuple(use for use in Use if chosen[use] == s.model),
        )
        for s in sorted(rows, key=lambda s: -s.chrf_pp)
    ]
