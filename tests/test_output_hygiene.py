"""Model output hygiene on real tiny packages: no control token ever reaches a translation.

Random-weight models emit their control tokens anywhere in a hypothesis: the target tag
mid-sentence, ``<unk>`` (which SentencePiece decodes as " ⁇ "), ``<s>`` and ``</s>``. Each
test first shows that the raw CTranslate2 output of the package does hold such tokens, so
the check on the stored text cannot pass by luck.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.engines.argos import ArgosEngine
from pipeline.packages import installed_packages
from pipeline.records import SegmentKind
from pipeline.store import open_store
from tests.modelkit import isolate_argos, package_archive

pytestmark = pytest.mark.slow

runner = CliRunner()
MAX_LEN = 24  # long enough for tokens mid-sentence, short enough for a fast test
# Every control token's surface any of these packages could leak, and SentencePiece's unk.
LEAKS = ("__my__", "__hi__", "__en__", "mya_Mymr", "hin_Deva", "eng_Latn", "</s>", "<s>")
LEAKS += ("<unk>", "<pad>", "\u2047")

# (variant, target, language tags, weight seed): each seed was picked so that the raw output
# holds control tokens, which the test asserts before anything else.
CASES = {
    "prefix-my": ("prefix", "my", None, 3),
    "nllb-my": ("nllb", "my", None, 3),
    "nllb-flores-my": ("nllb", "my", ("eng_Latn", "mya_Mymr"), 3),
    "prefix-flores-hi": ("prefix", "hi", ("eng_Latn", "hin_Deva"), 3),
    "plain-hi": ("plain", "hi", None, 3),
    "marian-my": ("marian", "my", None, 3),
    "bpe-hi": ("bpe", "hi", None, 7),
}


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr or result.output
    return result.stdout


def raw_controls(sources: list[str], lang: str) -> set[str]:
    """Return the control tokens the installed package's raw output holds for sources."""
    engine = ArgosEngine(max_decoding_length=MAX_LEN)
    (package,) = installed_packages()
    loaded = engine.runtime(package)
    batch = [loaded.tokenizer.encode(s) for s in sources]
    prefix = [list(loaded.prefix)] * len(batch) if loaded.prefix else None
    results = loaded.translator.translate_batch(
        batch, target_prefix=prefix, beam_size=2, max_decoding_length=MAX_LEN
    )
    emitted = set()
    for result in results:
        tokens = result.hypotheses[0][len(loaded.prefix) :]
        emitted |= {t for t in tokens if t in loaded.controls.tokens}
    return emitted


@pytest.mark.parametrize("case", list(CASES))
def test_no_control_token_reaches_a_translation(
    case: str,
    seed: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The seed article through a real package: the model leaks tokens, the store holds none."""
    variant, lang, tags, weights = CASES[case]
    isolate_argos(tmp_path, monkeypatch)
    options = {"tags": tags} if tags else {}
    archive = package_archive(tmp_path_factory, variant, "en", lang, seed=weights, **options)
    cli("models", "install", str(archive))
    cli("ingest", str(seed))
    cli("translate", str(seed), "--to", lang, "--max-decoding-length", str(MAX_LEN))

    with open_store(os.environ["PIPELINE_STORE"]) as store:
        doc = store.document(str(seed))
        segments = {s.id: s for s in store.segments(doc.id)}
        done = store.translations(doc.id, lang)
    model_made = [s.source for i, s in segments.items() if s.kind is not SegmentKind.CREDIT]
    emitted = raw_controls(model_made, lang)
    assert emitted, f"{case}: the raw output held no control token; the test proves nothing"
    assert set(done) == set(segments)
    for seg_id, translation in done.items():
        leaked = [t for t in LEAKS if t in translation.text]
        assert not leaked, f"{case}: {leaked} in {translation.text!r} ({segments[seg_id].source})"


def test_a_tag_the_source_quotes_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Text the source holds is the author's, not the model's: scrubbing spares it."""
    isolate_argos(tmp_path, monkeypatch)
    cli("models", "install", str(package_archive(tmp_path_factory, "prefix", "en", "my", seed=7)))
    engine = ArgosEngine(max_decoding_length=MAX_LEN)
    (package,) = installed_packages()
    controls = engine.runtime(package).controls
    assert {"__my__", "__en__", "</s>", "<unk>"} <= controls.tokens
    said = "The tag __my__ selects Burmese."
    assert controls.scrub("ပါ __my__ ပါ", said) == "ပါ __my__ ပါ"
    assert controls.scrub("ပါ __my__ ပါ</s>", "no tag here") == "ပါ ပါ"
