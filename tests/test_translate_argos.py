"""The real model path end to end through the CLI: install, ingest, translate, store."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.records import Origin, SegmentKind, State
from pipeline.store import open_store
from tests.modelkit import isolate_argos, package_archive

runner = CliRunner()


def cli(*args: str) -> str:
    """Run the CLI and return stdout, failing the test on a non-zero exit."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr or result.output
    return result.stdout


def test_install_ingest_translate_store(
    seed: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A tiny real package translates the seed article; the store holds signed MT output.

    The model has random weights: its output is meaningless and only its structure is checked.
    """
    packages = isolate_argos(tmp_path, monkeypatch)
    archive = package_archive(tmp_path_factory, "prefix", "en", "my")
    cli("models", "install", str(archive))
    cli("ingest", str(seed))
    out = cli("translate", str(seed), "--to", "my", "--max-decoding-length", "6")
    assert "22 translated" in out and "2 skipped" in out

    (model_bin,) = packages.glob("*/model/model.bin")
    digest = hashlib.sha256(model_bin.read_bytes()).hexdigest()
    with open_store(os.environ["PIPELINE_STORE"]) as store:
        doc = store.document(str(seed))
        segments = {s.id: s for s in store.segments(doc.id)}
        done = store.translations(doc.id, "my")
    assert set(done) == set(segments)
    for seg_id, t in done.items():
        if segments[seg_id].kind is SegmentKind.CREDIT:
            assert t.text == segments[seg_id].source and t.signature.engine == "copy"
            continue
        assert (t.state, t.origin) == (State.TRANSLATED, Origin.MT)
        assert t.signature.engine == "argos" and t.signature.model_hash == digest
        assert t.signature.options["max_decoding_length"] == 6
        assert not t.text.startswith("__my__")  # the target prefix is stripped
        assert t.score is not None

    again = cli("translate", str(seed), "--to", "my", "--max-decoding-length", "6")
    assert "0 translated" in again
