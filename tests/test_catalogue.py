"""The model catalogue: published figures with their sources, licences and recommendations."""

from __future__ import annotations

import json

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from pipeline import catalogue
from pipeline.build import ModelKind
from pipeline.catalogue import Use
from pipeline.cli.build import register
from pipeline.errors import PackageError

# FLORES-200 devtest chrF++ as issue 6 quotes them from the two leaderboards.
PUBLISHED = {
    ("facebook/nllb-200-distilled-1.3B", "en", "my"): 29.7,
    ("facebook/nllb-200-distilled-600M", "en", "my"): 27.9,
    ("Helsinki-NLP/opus-mt-en-sit", "en", "my"): 25.2,
    ("facebook/m2m100_418M", "en", "my"): 5.8,
    ("facebook/nllb-200-distilled-600M", "en", "hi"): 52.8,
    ("Helsinki-NLP/opus-mt-en-hi", "en", "hi"): 46.4,
}


def app() -> typer.Typer:
    """Return a models sub-app with the build commands registered."""
    models = typer.Typer()
    register(models)
    return models


def test_scores_are_the_published_figures_with_their_sources() -> None:
    """Every score is a published FLORES-200 chrF++ figure naming its leaderboard and URL."""
    scores = {(s.model, s.from_code, s.to_code): s for s in catalogue.SCORES}
    assert {key: s.chrf_pp for key, s in scores.items()} == PUBLISHED
    for (model, _, _), s in scores.items():
        assert (s.benchmark, s.metric) == ("FLORES-200 devtest", "chrF++")
        expected = (
            catalogue.OPUS_MT_LEADERBOARD
            if "opus-mt" in model
            else (catalogue.EXTERNAL_MT_LEADERBOARD)
        )
        assert s.source == expected and s.source.url.startswith("https://")


def test_licences_and_sizes() -> None:
    """NLLB is non-commercial, OPUS-MT CC-BY-4.0, M2M-100 MIT; every model has a size."""
    licences = {m.name: m.licence for m in catalogue.MODELS}
    assert licences["facebook/nllb-200-distilled-600M"].spdx == "CC-BY-NC-4.0"
    assert not licences["facebook/nllb-200-distilled-1.3B"].commercial
    assert licences["Helsinki-NLP/opus-mt-en-hi"] == catalogue.CC_BY_4
    assert licences["facebook/m2m100_418M"] == catalogue.MIT
    for model in catalogue.MODELS:
        assert model.parameters_m > 0 and model.package_mb > 0
        assert model.kind in set(ModelKind)  # pipeline models build converts every one
    assert catalogue.is_non_commercial("cc-by-nc-sa-4.0")
    assert not catalogue.is_non_commercial("CC-BY-4.0")


@pytest.mark.parametrize(
    ("pair", "use", "model"),
    [
        (("en", "my"), Use.COMMERCIAL, "Helsinki-NLP/opus-mt-en-sit"),
        (("en", "my"), Use.NON_COMMERCIAL, "facebook/nllb-200-distilled-1.3B"),
        (("en", "hi"), Use.COMMERCIAL, "Helsinki-NLP/opus-mt-en-hi"),
        (("en", "hi"), Use.NON_COMMERCIAL, "facebook/nllb-200-distilled-600M"),
    ],
)
def test_recommendation_per_pair_and_licence_need(
    pair: tuple[str, str], use: Use, model: str
) -> None:
    """The best published score among the models whose licence allows the use."""
    assert catalogue.recommend(*pair, use).name == model


def test_entries_are_ranked_and_marked() -> None:
    """A pair's rows come best first, each marked with the uses it is recommended for."""
    entries = catalogue.entries("en", "my")
    assert [e.score.chrf_pp for e in entries] == [29.7, 27.9, 25.2, 5.8]
    assert [e.recommended_for for e in entries] == [
        (Use.NON_COMMERCIAL,),
        (),
        (Use.COMMERCIAL,),
        (),
    ]
    with pytest.raises(PackageError, match="no en→ta models"):
        catalogue.recommend("en", "ta", Use.COMMERCIAL)


def test_cli_catalogue_table_and_json() -> None:
    """`pipeline models catalogue` prints each pair's table, advice and sources, or JSON."""
    result = CliRunner().invoke(app(), ["catalogue"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "en → my: FLORES-200 devtest chrF++" in out and "en → hi:" in out
    row = next(line for line in out.splitlines() if line.startswith("Helsinki-NLP/opus-mt-en-hi"))
    assert row.split()[:4] == ["Helsinki-NLP/opus-mt-en-hi", "46.4", "CC-BY-4.0", "76M"]
    assert "commercial use: pipeline models build Helsinki-NLP/opus-mt-en-sit" in out
    assert catalogue.EXTERNAL_MT_LEADERBOARD.url in out and catalogue.OPUS_MT_LEADERBOARD.url in out

    result = CliRunner().invoke(app(), ["catalogue", "--to", "hi", "--json"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["score"]["chrf_pp"] for r in rows] == [52.8, 46.4]
    assert rows[0]["model"]["licence"] == {"spdx": "CC-BY-NC-4.0", "commercial": False}

    result = CliRunner().invoke(app(), ["catalogue", "--to", "ta"])
    assert isinstance(result.exception, PackageError)


@pytest.mark.parametrize("command", ["build", "catalogue", "evaluate"])
def test_every_command_has_help_ending_with_an_example(command: str) -> None:
    """Each verb answers --help, and its help ends with an example of itself."""
    commands = typer.main.get_command(app()).commands  # type: ignore[attr-defined]
    assert command in commands
    result = CliRunner().invoke(app(), [command, "--help"])
    assert result.exit_code == 0
    assert f"Example: pipeline models {command}" in result.stdout
