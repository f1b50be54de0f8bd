"""The real model path end to end through the CLI: install, ingest, translate, store."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
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
    # The dateline's date is rendered from locale data, not sent to the model.
    assert "21 translated" in out and "2 skipped" in out
    assert "1 dateline(s) rendered from locale data, for review" in out

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
        if segments[seg_id].kind is SegmentKind.DATELINE:
            assert (t.state, t.signature.engine) == (State.TRANSLATED, "locale")
            continue
        assert (t.state, t.origin) == (State.TRANSLATED, Origin.MT)
        assert t.signature.engine == "argos" and t.signature.model_hash == digest
        assert t.signature.options["max_decoding_length"] == 6
        assert not t.text.startswith("__my__")  # the target prefix is stripped
        assert t.score is not None

    again = cli("translate", str(seed), "--to", "my", "--max-decoding-length", "6")
    assert "0 translated" in again


def coded(text: str, marks: list[tuple[int, int, str, bool]], breaks: tuple[int, ...] = ()):
    """Return a segment draft whose pairs are (start, end, tag, protect), nested as listed."""
    from pipeline.records import Code, CodeType, SegmentDraft

    codes = []
    for i, (start, end, tag, protect) in enumerate(marks, start=1):
        codes.append(Code(i, CodeType.OPEN, tag, f"<{tag}>", start, protect))
        codes.append(Code(i, CodeType.CLOSE, tag, f"</{tag}>", end, protect))
    for j, at in enumerate(breaks, start=len(marks) + 1):
        codes.append(Code(j, CodeType.STANDALONE, "br", "<br>", at))
    ordered = sorted(codes, key=lambda c: (c.at, c.type is CodeType.OPEN, -c.id))
    return SegmentDraft(0, 0, SegmentKind.TEXT, text, codes=tuple(ordered))


CODED = (
    ("At least 19 officers crossed the border into India.", [(9, 20, "strong", False)], ()),
    ("Run ls -l to see the map.", [(4, 9, "code", True)], (24,)),
    ("Thousands have joined the CDM.", [(0, 30, "em", False), (26, 29, "a", False)], (9,)),
    ("Thousands have joined the CDM.", [(15, 21, "b", False)], ()),  # same text, other codes
    ("Police cross the border.", [], ()),
)


@pytest.mark.parametrize("variant", ["plain", "nllb", "pivot"])
def test_machine_translation_places_every_code(
    variant: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """On a real model every code is in every target once and well nested; protected kept."""
    from pipeline import packages
    from pipeline.engines.argos import ArgosEngine
    from pipeline.inline import problems, render
    from pipeline.records import DocumentDraft
    from pipeline.translate import TranslationJob

    isolate_argos(tmp_path, monkeypatch)
    source = "hi" if variant == "pivot" else "en"
    if variant == "pivot":
        packages.install_package(package_archive(tmp_path_factory, "plain", "hi", "en", seed=1))
        packages.install_package(package_archive(tmp_path_factory, "prefix", "en", "my"))
    else:
        packages.install_package(package_archive(tmp_path_factory, variant, "en", "my"))
    segments = tuple(
        replace(coded(text, marks, breaks), paragraph=i)
        for i, (text, marks, breaks) in enumerate(CODED)
    )
    plain = tuple(replace(s, codes=()) for s in segments)
    asked: list[bool] = []
    sent: list[list[str]] = []

    class Recording(ArgosEngine):
        def translate(self, texts, source_lang, target_lang, *, align=False):  # type: ignore[no-untyped-def]
            asked.append(align)
            sent.append(list(texts))
            return super().translate(texts, source_lang, target_lang, align=align)

    with open_store(str(tmp_path / "p.db")) as store:
        for uri, drafts in (("/plain.html", plain), ("/a.html", segments)):
            draft = DocumentDraft(uri, "A", source, "html", uri, "", drafts)
            doc = store.ingest(draft).document
            job = TranslationJob(store, Recording(max_decoding_length=12), [doc], ["my"])
            job.plan()
            job.run()
        done = store.translations(doc.id, "my")
        stored = store.segments(doc.id)
    assert asked == [False, True]  # attention only for the batch with codes
    for seg in stored:
        t = done[seg.id]
        assert problems(seg.codes, t.codes) == [], (seg.source, t.text, t.codes)
        if seg.source.startswith("Run"):  # random weights may drop the mask token: flagged
            assert "Run {1} to see the map." in sent[-1]
            assert not any("ls -l" in x for x in sent[-1])
            lost = any(f.check == "protected" for f in t.flags)
            assert lost or "<code>ls -l</code>" in render(t.text, t.codes)


def test_glossary_terms_go_through_a_real_model_masked(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The model sees a token, never the term; the target term comes back (or a lost token is
    flagged: random weights may drop it)."""
    from pipeline import packages
    from pipeline.engines.argos import ArgosEngine
    from pipeline.glossary import GlossaryEntry
    from pipeline.records import DocumentDraft, SegmentDraft
    from pipeline.translate import TranslationJob

    isolate_argos(tmp_path, monkeypatch)
    packages.install_package(package_archive(tmp_path_factory, "plain", "en", "my"))
    sent: list[str] = []

    class Recording(ArgosEngine):
        def translate(self, texts, source_lang, target_lang, *, align=False):  # type: ignore[no-untyped-def]
            sent.extend(texts)
            return super().translate(texts, source_lang, target_lang, align=align)

    source = "Officials in Naypyitaw spoke to Reuters."
    with open_store(str(tmp_path / "g.db")) as store:
        with store.transaction():
            store.add_terms(
                [
                    GlossaryEntry("en", "my", "Naypyitaw", "နေပြည်တော်"),
                    GlossaryEntry("en", "*", "Reuters", dnt=True),
                ]
            )
        draft = DocumentDraft(
            "/g.txt",
            "g",
            "en",
            "txt",
            "g",
            "{{p:0}}",
            (SegmentDraft(0, 0, SegmentKind.TEXT, source),),
        )
        doc = store.ingest(draft).document
        job = TranslationJob(store, Recording(max_decoding_length=12), [doc], ["my"])
        job.plan()
        (summary,) = job.run()
        (t,) = store.translations(doc.id, "my").values()
    assert sent == ["Officials in {1} spoke to {2}."] and summary.terms == 1
    lost = [f.message for f in t.flags if f.check == "protected"]
    for index, term in ((1, "နေပြည်တော်"), (2, "Reuters")):
        assert term in t.text or f"lost protected span {{{index}}}: {term}" in lost, (t.text, lost)
    assert "Naypyitaw" not in t.text
