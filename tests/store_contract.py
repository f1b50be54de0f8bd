"""Behaviour every store must have; each backend's test module subclasses StoreContract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pipeline.errors import NotFoundError
from pipeline.records import (
    Code,
    CodeType,
    DocumentDraft,
    EditConflict,
    Origin,
    Saved,
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

    @pytest.mark.parametrize(
        "ref",
        ["99999999999999999999", str(2**63), "-1", "0", "²", "١", "1\x00", "\udcff", "9" * 5000],
    )
    def test_a_reference_naming_no_row_is_not_found(self, store: Store, ref: str) -> None:
        """A document id out of the 64-bit range, or one no URI can hold, is NotFoundError."""
        store.ingest(draft())
        with pytest.raises(NotFoundError):
            store.document(ref)

    @pytest.mark.parametrize("number", [2**63, 10**20, -(2**63) - 1, 0, -1])
    def test_lookups_by_an_id_out_of_range_find_nothing(self, store: Store, number: int) -> None:
        """A segment, a document's segments or a history by an id no row can have is empty."""
        doc = store.ingest(draft()).document
        with pytest.raises(NotFoundError):
            store.segment(number)
        assert store.segments(number) == [] and store.revisions(number) == []
        assert len(store.segments(doc.id)) == 2

    def test_text_that_is_not_utf8_is_refused_and_nothing_stored(self, store: Store) -> None:
        """A URI with a file name's undecodable bytes (surrogates) is InputError, not a crash."""
        from pipeline.errors import InputError

        with pytest.raises(InputError, match="not valid UTF-8"):
            store.ingest(draft("/news/bad\udcff.txt"))
        assert store.documents() == []

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

    def test_segments_by_source_finds_every_version_in_the_language(self, store: Store) -> None:
        """Segments are found by normalised source in the document's language, newest first."""
        first = store.ingest(draft("/news/a.txt", "Police  crossed the border.")).document
        second = store.ingest(draft("/news/b.txt", "Police crossed the border.")).document
        (a,) = store.segments(first.id)
        (b,) = store.segments(second.id)
        found = store.segments_by_source([a.source_hash, "unknown"], "en")
        assert [s.id for s in found[a.source_hash]] == [b.id, a.id]
        assert set(found) == {a.source_hash}
        assert store.segments_by_source([a.source_hash], "hi") == {}

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


def human(segment_id: int, text: str, author: str = "R", **kw: Any) -> TranslationDraft:
    """Return a reviewer's edit of one segment into Burmese, as the review desk saves it."""
    return TranslationDraft(
        segment_id, "my", text, State.REVIEWED, Origin.HUMAN, author=author, **kw
    )


class EditContract:
    """Revision-checked saves; subclasses provide a ``store`` fixture as for StoreContract."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        raise NotImplementedError

    def translated(self, store: Store) -> tuple[int, list[int]]:
        """Ingest the two-sentence draft, machine-translate its first segment; return the ids."""
        doc = store.ingest(draft()).document
        ids = [s.id for s in store.segments(doc.id)]
        store.write_translations(
            [TranslationDraft(ids[0], "my", "စက်", State.TRANSLATED, Origin.MT, MT, -1.5)]
        )
        return doc.id, ids

    def newest(self, store: Store, doc_id: int, segment_id: int) -> int:
        """Return the id of the last revision in a segment's history."""
        translation = store.translations(doc_id, "my")[segment_id]
        return store.revisions(translation.id)[-1].id

    def test_save_on_the_newest_revision_applies(self, store: Store) -> None:
        """A save naming the newest revision is written and returns its new revision's id."""
        doc_id, (a, _) = self.translated(store)
        base = store.revision_ids(doc_id, "my")[a]
        saved = store.save_edit(human(a, "လူ"), base)
        assert isinstance(saved, Saved)
        assert (saved.translation.text, saved.translation.author) == ("လူ", "R")
        assert saved.revision is not None and saved.revision != base
        assert saved.revision == self.newest(store, doc_id, a)
        assert store.revision_ids(doc_id, "my")[a] == saved.revision
        assert store.translations(doc_id, "my")[a] == saved.translation

    def test_save_on_an_old_revision_is_kept_as_a_conflict(self, store: Store) -> None:
        """Two reviewers edit one revision: the second save is kept beside the first, unapplied."""
        doc_id, (a, _) = self.translated(store)
        base = store.revision_ids(doc_id, "my")[a]
        first = store.save_edit(human(a, "ပထမ", "Thida"), base)
        code = Code(1, CodeType.STANDALONE, "br", "<br>", 2)
        second = store.save_edit(human(a, "ဒုတိယ", "Ko", codes=(code,)), base)
        assert isinstance(first, Saved) and isinstance(second, EditConflict)
        assert (second.text, second.author, second.base, second.codes) == (
            "ဒုတိယ",
            "Ko",
            base,
            (code,),
        )
        assert second.current is not None and second.current.text == "ပထမ"
        assert second.current == store.translations(doc_id, "my")[a] == first.translation
        history = store.revisions(first.translation.id)
        assert [r.text for r in history] == ["စက်", "ပထမ"]
        assert store.edit_conflicts(doc_id, "my") == {a: [second]}
        assert store.edit_conflicts(doc_id, "hi") == {}

    def test_resolving_clears_a_conflict_and_the_choice_saves(self, store: Store) -> None:
        """A resolved conflict is no longer listed; the chosen text saves on the newest revision."""
        doc_id, (a, _) = self.translated(store)
        base = store.revision_ids(doc_id, "my")[a]
        store.save_edit(human(a, "ပထမ"), base)
        older = store.save_edit(human(a, "ဒုတိယ", "Ko"), base)
        newer = store.save_edit(human(a, "တတိယ", "Mya"), base)
        assert isinstance(older, EditConflict) and isinstance(newer, EditConflict)
        assert [c.id for c in store.edit_conflicts(doc_id, "my")[a]] == [older.id, newer.id]
        store.resolve_conflict(older.id, "Ko")
        store.resolve_conflict(older.id, "someone else")  # already resolved: kept as it was
        assert store.edit_conflicts(doc_id, "my") == {a: [newer]}
        store.resolve_conflict(newer.id, "Mya")
        assert store.edit_conflicts(doc_id, "my") == {}
        chosen = store.save_edit(human(a, older.text, "Ko"), store.revision_ids(doc_id, "my")[a])
        assert isinstance(chosen, Saved) and chosen.translation.text == "ဒုတိယ"

    def test_save_without_a_base_on_a_translated_segment_is_a_conflict(self, store: Store) -> None:
        """Base None applies to a segment with no translation, and conflicts once it has one."""
        doc_id, (a, b) = self.translated(store)
        assert isinstance(store.save_edit(human(b, "ဒုတိယ"), None), Saved)
        late = store.save_edit(human(b, "နောက်ကျ", "Ko"), None)
        assert isinstance(late, EditConflict) and late.base is None
        assert late.current is not None and late.current.text == "ဒုတိယ"
        assert isinstance(store.save_edit(human(a, "လူ"), None), EditConflict)
        assert store.translations(doc_id, "my")[a].text == "စက်"

    def test_an_initial_translation_has_a_revision_to_name(self, store: Store) -> None:
        """A translation the store wrote as initial is named by its revision like any other."""
        doc = store.ingest(draft()).document
        a = store.segments(doc.id)[0].id
        store.write_translations([TranslationDraft(a, "my", "", State.INITIAL, Origin.HUMAN)])
        base = store.revision_ids(doc.id, "my")[a]
        assert isinstance(store.save_edit(human(a, "ရဲ"), None), EditConflict)
        assert isinstance(store.save_edit(human(a, "ရဲ"), base), Saved)

    def test_an_unchanged_save_adds_no_revision(self, store: Store) -> None:
        """Saving what is stored returns it with no new revision and keeps the history."""
        doc_id, (a, _) = self.translated(store)
        saved = store.save_edit(human(a, "လူ"), store.revision_ids(doc_id, "my")[a])
        assert isinstance(saved, Saved)
        again = store.save_edit(human(a, "လူ"), saved.revision)
        assert again == Saved(saved.translation, None)
        assert len(store.revisions(saved.translation.id)) == 2

    def test_revision_ids_name_each_history_s_newest(self, store: Store) -> None:
        """revision_ids holds each translation's last revision; untranslated segments are absent."""
        doc_id, (a, b) = self.translated(store)
        assert set(store.revision_ids(doc_id, "my")) == {a}
        store.write_translations([human(a, "လူ"), human(b, "ဒုတိယ")])
        store.write_translations([human(b, "ဒုတိယ ၂")])
        store.write_translations(
            [TranslationDraft(b, "hi", "दूसरा", State.TRANSLATED, Origin.MT, MT)]
        )
        found = store.revision_ids(doc_id, "my")
        assert found == {a: self.newest(store, doc_id, a), b: self.newest(store, doc_id, b)}
        assert (
            set(store.revision_ids(doc_id, "hi")) == {b} and store.revision_ids(doc_id, "fr") == {}
        )

    def test_unknown_segment_or_conflict_is_not_found(self, store: Store) -> None:
        """Saving to no segment or resolving no conflict raises NotFoundError, writing nothing."""
        doc_id, _ = self.translated(store)
        with pytest.raises(NotFoundError):
            store.save_edit(human(10**9, "x"), 1)
        with pytest.raises(NotFoundError):
            store.resolve_conflict(10**9, "R")
        assert store.edit_conflicts(doc_id, "my") == {}

    def test_unedited_pseudo_is_refused_through_save_edit(self, store: Store) -> None:
        """save_edit keeps write_translations' rule: pseudo text is not approved unedited."""
        from pipeline.errors import ReviewError

        doc = store.ingest(draft()).document
        a = store.segments(doc.id)[0].id
        pseudo = Signature("pseudo", "pseudo", "1")
        store.write_translations(
            [TranslationDraft(a, "my", "[Þôļîçé]", State.TRANSLATED, Origin.MT, pseudo)]
        )
        base = store.revision_ids(doc.id, "my")[a]
        with pytest.raises(ReviewError, match="pseudo"):
            store.save_edit(human(a, "[Þôļîçé]"), base)
        assert store.revision_ids(doc.id, "my") == {a: base}
        assert store.translations(doc.id, "my")[a].state is State.TRANSLATED

    def test_if_absent_writes_only_where_nothing_past_initial_is_held(self, store: Store) -> None:
        """if_absent skips translated segments, fills empty or initial ones, counts only writes."""
        doc = store.ingest(draft("/news/b.txt", "One.", "Two.", "Three.")).document
        a, b, c = (s.id for s in store.segments(doc.id))
        store.write_translations(
            [human(a, "လူ"), TranslationDraft(b, "my", "", State.INITIAL, Origin.HUMAN)]
        )
        machine = [
            TranslationDraft(s, "my", "စက်", State.TRANSLATED, Origin.MT, MT, if_absent=True)
            for s in (a, b, c)
        ]
        assert store.write_translations(machine) == 2
        now = store.translations(doc.id, "my")
        assert [now[s].text for s in (a, b, c)] == ["လူ", "စက်", "စက်"]
        assert [r.text for r in store.revisions(now[a].id)] == ["လူ"]
        assert store.write_translations(machine) == 0
