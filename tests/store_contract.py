"""Behaviour every store must have; each backend's test module subclasses StoreContract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pipeline.errors import NotFoundError
from pipeline.records import (
    DocumentDraft,
    Origin,
    SegmentDraft,
    SegmentKind,
    Signature,
    State,
    TranslationDraft,
    content_hash,
)
from pipeline.store.base import Store


def draft(uri: str = "/news/a.txt", *sources: str) -> DocumentDraft:
    """Return a one-paragraph document draft with the given sentences."""
    sources = sources or ("Police crossed the border.", "Officials resigned.")
    segments = tuple(SegmentDraft(0, i, SegmentKind.TEXT, text) for i, text in enumerate(sources))
    body = " ".join(sources).encode()
    return DocumentDraft(uri, "A", "en", "txt", content_hash(body), "{{p:0}}\n", segments)


MT = Signature("argos", "translate-en_my", "1.0", "abc123", {"beam_size": 2})


class StoreContract:
    """Subclasses provide a ``store`` fixture yielding an empty, migrated store."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        raise NotImplementedError

    def mt(self, store: Store, segment_id: int, text: str = "x", **kw: Any) -> int:
        """Write one machine translation and return how many rows changed."""
        return store.write_translations(
            [TranslationDraft(segment_id, "my", text, State.TRANSLATED, Origin.MT, MT, -1.5, **kw)]
        )

    def test_ingest_creates_version_one(self, store: Store) -> None:
        """A new article becomes version 1 with its segments in reading order."""
        result = store.ingest(draft())
        assert result.created and result.document.version == 1
        segs = store.segments(result.document.id)
        assert [s.source for s in segs] == ["Police crossed the border.", "Officials resigned."]
        assert [(s.paragraph, s.sentence) for s in segs] == [(0, 0), (0, 1)]

    def test_reingest_unchanged_is_noop(self, store: Store) -> None:
        """Ingesting identical content again creates no version and no segments."""
        first = store.ingest(draft())
        again = store.ingest(draft())
        assert not again.created and again.document.id == first.document.id
        assert len(store.documents(all_versions=True)) == 1

    def test_new_version_keeps_unchanged_translations(self, store: Store) -> None:
        """An edited article's unchanged segments keep translations, changed ones start empty."""
        v1 = store.ingest(draft()).document
        old = store.segments(v1.id)
        self.mt(store, old[0].id, "ပထမ")
        self.mt(store, old[1].id, "ဒုတိယ")
        edited = draft("/news/a.txt", "Police  crossed the border.", "Officials quit.")
        result = store.ingest(edited)
        assert result.created and result.document.version == 2 and result.carried == 1
        new = store.segments(result.document.id)
        kept = store.translations(result.document.id, "my")
        assert set(kept) == {new[0].id}
        assert kept[new[0].id].text == "ပထမ" and kept[new[0].id].signature == MT
        assert [s.id for s in store.pending([result.document.id], "my")] == [new[1].id]
        assert store.translations(v1.id, "my")[old[1].id].text == "ဒုတိယ"

    def test_document_lookup_by_id_and_uri(self, store: Store) -> None:
        """A document is found by id or by URI (latest version); unknown refs raise."""
        store.ingest(draft())
        v2 = store.ingest(draft("/news/a.txt", "Changed.")).document
        assert store.document("/news/a.txt").id == v2.id
        assert store.document(str(v2.id)).version == 2
        assert [d.id for d in store.documents()] == [v2.id]
        with pytest.raises(NotFoundError):
            store.document("/news/missing.txt")

    def test_write_records_history(self, store: Store) -> None:
        """Each change appends a revision; an identical write changes nothing."""
        doc = store.ingest(draft()).document
        seg = store.segments(doc.id)[0]
        assert self.mt(store, seg.id, "draft") == 1
        assert self.mt(store, seg.id, "draft") == 0
        store.write_translations(
            [TranslationDraft(seg.id, "my", "edited", State.REVIEWED, Origin.HUMAN, author="thida")]
        )
        current = store.translations(doc.id, "my")[seg.id]
        assert (current.text, current.state, current.author) == ("edited", State.REVIEWED, "thida")
        history = store.revisions(current.id)
        assert [(r.text, r.state, r.origin) for r in history] == [
            ("draft", State.TRANSLATED, Origin.MT),
            ("edited", State.REVIEWED, Origin.HUMAN),
        ]
        assert history[0].signature == MT and history[0].score == -1.5

    def test_failed_batch_writes_nothing(self, store: Store) -> None:
        """A batch that fails part-way leaves the store as it was."""
        doc = store.ingest(draft()).document
        seg = store.segments(doc.id)[0]
        bad = TranslationDraft(10**9, "my", "orphan", State.TRANSLATED, Origin.MT)
        with pytest.raises(Exception):  # noqa: B017 - each backend raises its own error
            store.write_translations(
                [TranslationDraft(seg.id, "my", "ok", State.TRANSLATED, Origin.MT), bad]
            )
        assert store.translations(doc.id, "my") == {}

    def test_memory_returns_reviewed_only(self, store: Store) -> None:
        """Translation memory offers reviewed or final work, never drafts."""
        doc = store.ingest(draft()).document
        a, b = store.segments(doc.id)
        self.mt(store, a.id, "draft only")
        store.write_translations(
            [TranslationDraft(b.id, "my", "approved", State.FINAL, Origin.HUMAN)]
        )
        found = store.memory([a.source_hash, b.source_hash], "my")
        assert set(found) == {b.source_hash} and found[b.source_hash].text == "approved"
        assert store.memory([b.source_hash], "hi") == {}

    def test_status_counts_segments_and_words(self, store: Store) -> None:
        """Status counts every segment per state, untranslated ones as initial."""
        doc = store.ingest(draft()).document
        a, _ = store.segments(doc.id)
        assert {(r.target_lang, r.state): r.segments for r in store.status()}[
            ("", State.INITIAL)
        ] == 2
        self.mt(store, a.id)
        rows = {(r.target_lang, r.state): (r.segments, r.words) for r in store.status(doc.id)}
        assert rows[("my", State.TRANSLATED)] == (1, 4)
        assert rows[("my", State.INITIAL)] == (1, 2)
        assert rows[("my", State.REVIEWED)] == (0, 0)

    def test_inline_spans_round_trip(self, store: Store) -> None:
        """Inline markup offsets and attributes survive the store."""
        from pipeline.records import InlineSpan

        span = InlineSpan(0, 6, "a", {"href": "https://example.org/"})
        seg = SegmentDraft(0, 0, SegmentKind.HEADING, "Police crossed", (span,))
        doc = store.ingest(
            DocumentDraft("/x.md", "X", "en", "md", "h", "# {{p:0}}\n", (seg,))
        ).document
        (stored,) = store.segments(doc.id)
        assert stored.inline == (span,) and stored.kind is SegmentKind.HEADING

    def test_flags_round_trip(self, store: Store) -> None:
        """QA flags written with a translation come back with it."""
        from pipeline.records import Flag, Severity

        doc = store.ingest(draft()).document
        seg = store.segments(doc.id)[0]
        flag = Flag("protected", Severity.ERROR, "lost span {1} 'https://example.org'")
        self.mt(store, seg.id, flags=(flag,))
        assert store.translations(doc.id, "my")[seg.id].flags == (flag,)

    def test_unedited_pseudo_cannot_be_approved(self, store: Store) -> None:
        """Pseudo text becomes reviewed only after a human changes it."""
        from pipeline.errors import ReviewError

        doc = store.ingest(draft()).document
        seg = store.segments(doc.id)[0]
        pseudo = Signature("pseudo", "pseudo", "1")
        store.write_translations(
            [TranslationDraft(seg.id, "my", "[Þôļîçé]", State.TRANSLATED, Origin.MT, pseudo)]
        )
        with pytest.raises(ReviewError, match="pseudo"):
            store.write_translations(
                [TranslationDraft(seg.id, "my", "[Þôļîçé]", State.REVIEWED, Origin.HUMAN)]
            )
        with pytest.raises(ReviewError, match="pseudo"):
            store.write_translations(
                [TranslationDraft(seg.id, "my", "new", State.FINAL, Origin.MT, pseudo)]
            )
        store.write_translations(
            [TranslationDraft(seg.id, "my", "ရဲ", State.REVIEWED, Origin.HUMAN, author="ko")]
        )
        assert store.translations(doc.id, "my")[seg.id].state is State.REVIEWED

    def test_units_join_segments_and_translations(self, store: Store) -> None:
        """Units carry each segment with its translations, filtered by state when asked."""
        doc = store.ingest(draft()).document
        a, b = store.segments(doc.id)
        self.mt(store, a.id, "draft")
        store.write_translations(
            [TranslationDraft(b.id, "my", "ok", State.REVIEWED, Origin.HUMAN, author="thida")]
        )
        units = list(store.units([doc.id], ["my", "hi"]))
        assert [u.segment.id for u in units] == [a.id, b.id]
        assert units[0].translations["my"].text == "draft" and "hi" not in units[0].translations
        reviewed = list(store.units([doc.id], ["my"], [State.REVIEWED]))
        assert reviewed[0].translations == {} and reviewed[1].translations["my"].text == "ok"
        assert store.segment(b.id) == b and units[1].unit_id == f"s{b.id}"
