"""The translate job: memory first, credits copied, batches saved as they land, resumable."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from pipeline.engines.base import Hypothesis
from pipeline.engines.pseudo import PseudoEngine, pseudo_translate
from pipeline.errors import EngineError
from pipeline.records import (
    DocumentDraft,
    Origin,
    SegmentDraft,
    SegmentKind,
    State,
    TranslationDraft,
    content_hash,
)
from pipeline.store.sqlite import SQLiteStore
from pipeline.translate import TranslationJob


class Recording(PseudoEngine):
    """The pseudo engine, recording every batch it is given and able to fail on demand."""

    def __init__(self, fail_on_call: int | None = None, pairs: set[str] | None = None) -> None:
        self.calls: list[list[str]] = []
        self.fail_on_call = fail_on_call
        self.pairs = pairs

    def supports(self, source_lang: str, target_lang: str) -> bool:
        return self.pairs is None or f"{source_lang}-{target_lang}" in self.pairs

    def translate(
        self, texts: Sequence[str], source_lang: str, target_lang: str, *, align: bool = False
    ) -> list[Hypothesis]:
        self.calls.append(list(texts))
        if self.fail_on_call == len(self.calls):
            raise KeyboardInterrupt
        return super().translate(texts, source_lang, target_lang, align=align)


SOURCES = (
    (SegmentKind.DATELINE, "date 2021-03-05"),
    (SegmentKind.CAPTION, "Police cross makeshift barricades"),
    (SegmentKind.CREDIT, "AP"),
    (SegmentKind.TEXT, "Write to desk@example.org or see https://example.org/live."),
    (SegmentKind.TEXT, "More than 1,500 have been arrested."),
    (SegmentKind.TEXT, "More than 1,500 have been arrested."),
)


def article(
    uri: str = "/news/a.txt", sources: Sequence[tuple[SegmentKind, str]] = SOURCES
) -> DocumentDraft:
    """Return a document draft with one segment per source, one per paragraph."""
    segments = tuple(SegmentDraft(i, 0, kind, text) for i, (kind, text) in enumerate(sources))
    digest = content_hash(repr(sources).encode())
    return DocumentDraft(uri, "A", "en", "txt", digest, "", segments)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "p.db") as s:
        yield s


def run(store: SQLiteStore, engine: Recording, targets: Sequence[str] = ("my",), batch: int = 256):
    job = TranslationJob(store, engine, store.documents(), targets, batch_size=batch)
    job.plan()
    return job.run()


def test_translates_pending_and_copies_credits(store: SQLiteStore) -> None:
    """Every translatable segment goes to the engine once per distinct source; credits never do.

    Nor does a dateline holding an ISO date: its date is rendered from locale data.
    """
    doc = store.ingest(article()).document
    engine = Recording()
    (summary,) = run(store, engine)
    sent = [t for call in engine.calls for t in call]
    assert "AP" not in sent and "date 2021-03-05" not in sent
    assert sorted(sent) == sorted(
        {
            "Police cross makeshift barricades",
            "Write to {1} or see {2}.",
            "More than 1,500 have been arrested.",
        }
    )
    done = store.translations(doc.id, "my")
    by_source = {s.source: done[s.id] for s in store.segments(doc.id)}
    credit = by_source["AP"]
    assert (credit.text, credit.state, credit.signature.engine) == ("AP", State.FINAL, "copy")
    mail = by_source["Write to desk@example.org or see https://example.org/live."]
    assert "desk@example.org" in mail.text and "https://example.org/live" in mail.text
    assert mail.state is State.TRANSLATED and mail.is_pseudo and mail.origin is Origin.MT
    assert (summary.translated, summary.skipped, summary.reused, summary.rendered) == (4, 1, 0, 1)


def test_second_run_makes_no_model_call(store: SQLiteStore) -> None:
    """Running again on an unchanged article sends nothing to the engine."""
    store.ingest(article())
    run(store, Recording())
    engine = Recording()
    (summary,) = run(store, engine)
    assert engine.calls == [] and summary.translated == 0


def test_reviewed_translations_are_reused_as_memory(store: SQLiteStore) -> None:
    """A source with a reviewed translation elsewhere is filled from memory, not the model."""
    first = store.ingest(article("/news/a.txt")).document
    seg = next(s for s in store.segments(first.id) if s.source.startswith("More than"))
    store.write_translations(
        [
            TranslationDraft(
                seg.id, "my", "လူ ၁,၅၀၀ ကျော်", State.REVIEWED, Origin.HUMAN, author="thida"
            )
        ]
    )
    second = store.ingest(
        article("/news/b.txt", [(SegmentKind.TEXT, "More than  1,500 have been arrested.")])
    ).document
    engine = Recording()
    job = TranslationJob(store, engine, [second], ["my"])
    job.plan()
    (summary,) = job.run()
    assert engine.calls == [] and summary.reused == 1
    (reused,) = store.translations(second.id, "my").values()
    assert (reused.text, reused.origin, reused.state) == ("လူ ၁,၅၀၀ ကျော်", Origin.TM, State.REVIEWED)


def test_interrupted_run_keeps_finished_batches_and_resumes(store: SQLiteStore) -> None:
    """An interrupt loses only the batch in flight; the next run translates only the rest."""
    doc = store.ingest(article()).document
    with pytest.raises(KeyboardInterrupt):
        run(store, Recording(fail_on_call=2), batch=2)
    saved = store.translations(doc.id, "my")
    # The credit, the dateline and the first batch of two distinct sources (three segments).
    assert len(saved) == 1 + 1 + 3
    engine = Recording()
    run(store, engine, batch=2)
    assert sum(len(c) for c in engine.calls) == 3 - 2
    assert len(store.translations(doc.id, "my")) == len(SOURCES)


def test_lost_mask_is_flagged(store: SQLiteStore) -> None:
    """A protected span the engine drops is stored with a QA error, not silently repaired."""

    class Dropping(Recording):
        def translate(self, texts: Sequence[str], s: str, t: str) -> list[Hypothesis]:
            return [Hypothesis(pseudo_translate(x.replace("{2}", ""))) for x in texts]

    doc = store.ingest(article()).document
    (summary,) = run(store, Dropping())
    flagged = [t for t in store.translations(doc.id, "my").values() if t.flags]
    assert summary.flagged == 1 and len(flagged) == 1
    assert "https://example.org/live" in flagged[0].flags[0].message


def test_unsupported_pair_names_install_command(store: SQLiteStore) -> None:
    """A language with no model stops before any work with the install command to run."""
    store.ingest(article())
    engine = Recording(pairs={"en-hi"})
    with pytest.raises(EngineError, match="pipeline models install en my"):
        run(store, engine, targets=("hi", "my"))
    assert engine.calls == []
    assert store.translations(store.documents()[0].id, "hi") == {}


def test_qa_flags_are_stored_with_machine_output(store: SQLiteStore) -> None:
    """A changed number in engine output is stored as a QA error on that translation."""

    class Miscounting(Recording):
        def translate(self, texts: Sequence[str], s: str, t: str) -> list[Hypothesis]:
            return [Hypothesis(pseudo_translate(x.replace("1,500", "1,600"))) for x in texts]

    doc = store.ingest(article()).document
    run(store, Miscounting())
    flagged = {
        seg.source: store.translations(doc.id, "my")[seg.id].flags for seg in store.segments(doc.id)
    }
    numbers = flagged["More than 1,500 have been arrested."]
    assert [f.check for f in numbers] == ["numbers", "numbers"]
    assert all(f.severity.value == "error" for f in numbers)
    assert flagged["Police cross makeshift barricades"] == ()


def test_pseudo_run_keeps_every_code_exactly(store: SQLiteStore) -> None:
    """Pseudo output carries each code one character on (after the bracket), credits as is."""
    from pipeline.records import Code, CodeType

    text = "See the map and more."
    codes = (
        Code(1, CodeType.OPEN, "a", "<a>", 4),
        Code(2, CodeType.OPEN, "em", "<em>", 8),
        Code(2, CodeType.CLOSE, "em", "</em>", 11),
        Code(1, CodeType.CLOSE, "a", "</a>", 11),
        Code(3, CodeType.STANDALONE, "br", "<br>", 15),
    )
    credit = (Code(4, CodeType.OPEN, "b", "<b>", 0), Code(4, CodeType.CLOSE, "b", "</b>", 2))
    segments = (
        SegmentDraft(0, 0, SegmentKind.TEXT, text, codes=codes),
        SegmentDraft(1, 0, SegmentKind.CREDIT, "AP", codes=credit),
    )
    doc = store.ingest(DocumentDraft("/c.html", "A", "en", "html", "c", "", segments)).document
    run(store, Recording())
    done = store.translations(doc.id, "my")
    seg, by_credit = store.segments(doc.id)
    assert [c.at for c in done[seg.id].codes] == [c.at + 1 for c in codes]
    assert done[seg.id].flags == ()
    assert done[by_credit.id].codes == credit
