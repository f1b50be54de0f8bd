"""Shared fixtures: the seed article, an isolated store and Argos packages folder per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests and fuzzers: bounded and reproducible in CI (derandomized, so a failure there
# fails again locally), wider with HYPOTHESIS_PROFILE=long for a local hunt.
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# pg_server and pg_url: a real PostgreSQL server on loopback for the tests that need one.
pytest_plugins = ("tests.pgkit",)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "2021-03-05-myanmar-police-cross-into-india.txt"


@pytest.fixture
def seed() -> Path:
    """Return the path of the seed article."""
    return SEED


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's store and Argos packages out of the real home and working folder."""
    monkeypatch.setenv("PIPELINE_STORE", str(tmp_path / "pipeline.db"))
    packages = tmp_path / "argos-packages"
    packages.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
