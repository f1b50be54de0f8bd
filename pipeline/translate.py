"""The translate job: memory first, then the engine in batches, each batch saved as it lands.

Exact memory matches fill a segment (the store's own reviewed work as reviewed, imported
memory as a draft). Fuzzy matches (at least ``fuzzy_threshold`` percent) are looked up for
every segment that goes to the model and stored beside its translation, never as it; with
``fuzzy_fill`` a match at least that good fills the segment as a ``tm-fuzzy`` draft instead,
its differing numbers taken from the source and flagged. A glossary term with one approved
target is masked through the model and comes out as that target; a do-not-translate term
comes out as written. A dateline holding an ISO date is rendered from the target locale's
CLDR data (``pipeline.locale.render_dateline``), not translated, and stored as a draft the
reviewer approves or corrects like any other; the article writes what was approved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pipeline.align import Span, project
from pipeline.engines.base import Engine, Hypothesis
from pipeline.errors import EngineError
from pipeline.glossary.cache import Glossaries
from pipeline.inline import Placed, at_edges, carried, reflagged, tag_flags
from pipeline.locale import Digits, parse_language, render_dateline
from pipeline.protect import Masked, Restored, mask, restore
from pipeline.qa import check as check_quality
from pipeline.records import (
    Code,
    CodeType,
    Document,
    Flag,
    MemoryMatch,
    Origin,
    Segment,
    SegmentKind,
    Severity,
    Signature,
    State,
    Translation,
    TranslationDraft,
)
from pipeline.store.base import Store
from pipeline.store.claims import DEFAULT_TTL, new_owner
from pipeline.tm import MemoryEntry

if TYPE_CHECKING:
    from pipeline.glossary.match import Glossary

Progress = Callable[[int], None]

# Credits are names: kept as written, never sent to MT.
COPY = Signature(engine="copy", model="source", options={"reason": "credit"})


@dataclass
class LanguageSummary:
    """What a run did for one source → target pair."""

    source_lang: str
    target_lang: str
    translated: int = 0
    reused: int = 0
    skipped: int = 0
    failed: int = 0
    flagged: int = 0
    pseudo: bool = False
    # Segments offered fuzzy matches, filled from one (--fuzzy-fill), glossary terms applied.
    fuzzy: int = 0
    filled: int = 0
    terms: int = 0
    # Datelines whose date was rendered from locale data, for review.
    rendered: int = 0


@dataclass
class Work:
    """Segments for one language pair, split by how each will be filled."""

    summary: LanguageSummary
    copy: list[Segment] = field(default_factory=list)
    memory: dict[int, tuple[Segment, Translation]] = field(default_factory=dict)
    # Datelines whose date the pipeline renders itself, with the rendered text.
    rendered: dict[int, tuple[Segment, str]] = field(default_factory=dict)
    imported: dict[int, tuple[Segment, MemoryEntry]] = field(default_factory=dict)
    machine: dict[str, list[Segment]] = field(default_factory=dict)
    # Fuzzy matches by source text; segments filled from their best one.
    fuzzy: dict[str, tuple[MemoryMatch, ...]] = field(default_factory=dict)
    filled: dict[int, tuple[Segment, MemoryMatch]] = field(default_factory=dict)
    glossary: Glossary | None = None


@dataclass
class TranslationJob:
    """Translate every pending segment of some documents into some languages."""

    store: Store
    engine: Engine
    documents: Sequence[Document]
    targets: Sequence[str]
    batch_size: int = 256
    fuzzy_threshold: float = 75.0
    fuzzy_fill: float | None = None
    # Digits of rendered datelines (None: the target locale's own, e.g. Myanmar digits for my).
    digits: Digits | None = None
    # Who claims batches (pipeline.store.claims): processes sharing a store split the work.
    owner: str = field(default_factory=new_owner)
    claim_ttl: float = DEFAULT_TTL
    # Progress counts batches other processes claimed too; workers of one run count their own.
    count_others: bool = True
    work: list[Work] = field(default_factory=list)

    def plan(self) -> int:
        """Sort pending segments into copy, memory and machine work; return the MT count."""
        by_source: dict[str, list[int]] = defaultdict(list)
        for doc in self.documents:
            by_source[doc.source_lang].append(doc.id)
        pairs = [(s, t) for s in by_source for t in self.targets if s != t]
        self.work = [self._plan_pair(by_source[s], s, t) for s, t in pairs]
        # Only pairs with work for the model need one: an unchanged article loads nothing.
        for work in self.work:
            source_lang, target_lang = work.summary.source_lang, work.summary.target_lang
            if work.machine and not self.engine.supports(source_lang, target_lang):
                raise EngineError(
                    f"no {self.engine.name} model for {source_lang}→{target_lang}; install one "
                    f"with 'pipeline models install {source_lang} {target_lang}'"
                )
        return sum(len(w.machine) for w in self.work)

    def _plan_pair(self, doc_ids: list[int], source_lang: str, target_lang: str) -> Work:
        work = Work(LanguageSummary(source_lang, target_lang))
        pending = self.store.pending(doc_ids, target_lang)
        work.copy = [s for s in pending if not s.kind.translatable]
        rest = [s for s in pending if s.kind.translatable]
        found = self.store.memory((s.source_hash for s in rest), target_lang)
        unmatched = [s.source_hash for s in rest if s.source_hash not in found]
        brought = self.store.imported_memory(unmatched, source_lang, target_lang)
        for seg in rest:
            if seg.source_hash in found:
                work.memory[seg.id] = (seg, found[seg.source_hash])
            elif (date := self._dateline(seg, target_lang)) is not None:
                work.rendered[seg.id] = (seg, date)
            elif seg.source_hash in brought:
                work.imported[seg.id] = (seg, brought[seg.source_hash])
            else:
                # Identical sources are translated once and stored for each segment.
                work.machine.setdefault(seg.source, []).append(seg)
        if rest:
            work.glossary = Glossaries(self.store).get(source_lang, target_lang)
        if work.machine:
            self._fuzzy(work)
        return work

    def _dateline(self, seg: Segment, lang: str) -> str | None:
        """Return a dateline's date rendered in the target locale, if it holds an ISO date."""
        if seg.kind is not SegmentKind.DATELINE:
            return None
        rendered = render_dateline(seg.source, lang, self.digits)
        return None if rendered == seg.source else rendered

    def _fuzzy(self, work: Work) -> None:
        """Look up fuzzy matches for the model's work; move filled segments out of it."""
        from pipeline.tm.leverage import find_matches

        pair = (work.summary.source_lang, work.summary.target_lang)
        sources = {text: segments[0].codes for text, segments in work.machine.items()}
        work.fuzzy = find_matches(self.store, pair, sources, self.fuzzy_threshold)
        for text, offered in work.fuzzy.items():
            segments = work.machine[text]
            work.summary.fuzzy += len(segments)
            if self.fuzzy_fill is not None and offered[0].score >= self.fuzzy_fill:
                del work.machine[text]
                for seg in segments:
                    work.filled[seg.id] = (seg, offered[0])

    def run(self, progress: Progress | None = None) -> list[LanguageSummary]:
        """Fill every planned segment, writing one transaction per batch."""
        for work in self.work:
            self._copy_and_reuse(work)
            self._machine_translate(work, progress)
        return [w.summary for w in self.work]

    def fill_from_memory(self) -> list[LanguageSummary]:
        """Write what needs no model (credits, memory matches, fuzzy fills); return the counts.

        ``run`` afterwards translates only the rest.
        """
        for work in self.work:
            self._copy_and_reuse(work)
        return [w.summary for w in self.work]

    def _copy_and_reuse(self, work: Work) -> None:
        lang = work.summary.target_lang
        drafts = [
            TranslationDraft(
                s.id,
                lang,
                s.source,
                State.FINAL,
                Origin.IMPORT,
                COPY,
                None,
                "",
                codes=s.codes,
                if_absent=True,
            )
            for s in work.copy
        ]
        drafts += [self._reused(work, seg, t) for seg, t in work.memory.values()]
        drafts += [self._rendered(work, seg, text) for seg, text in work.rendered.values()]
        drafts += [self._imported(work, seg, e) for seg, e in work.imported.values()]
        drafts += [self._filled(work, seg, m) for seg, m in work.filled.values()]
        with self.store.transaction():
            self.store.write_translations(drafts)
            self.store.write_matches(
                lang, {seg.id: work.fuzzy[seg.source] for seg, _ in work.filled.values()}
            )
        work.summary.skipped += len(work.copy)
        work.summary.reused += len(work.memory) + len(work.imported)
        work.summary.filled += len(work.filled)
        work.summary.rendered += len(work.rendered)
        # Written once: a later run() or fill_from_memory() has nothing of this left to do.
        work.copy, work.memory, work.imported, work.filled, work.rendered = [], {}, {}, {}, {}

    def _rendered(self, work: Work, seg: Segment, text: str) -> TranslationDraft:
        """Return a rendered dateline as a draft for review, signed as locale data, not MT.

        It is ``translated``, not reviewed: CLDR's long date is a rule, not a person's
        approval, and reviewers do correct it (a label, a local form).
        """
        source_lang, lang = work.summary.source_lang, work.summary.target_lang
        codes = at_edges(seg.source, seg.codes, text).codes
        return TranslationDraft(
            seg.id,
            lang,
            text,
            State.TRANSLATED,
            Origin.IMPORT,
            self._locale_signature(lang),
            None,
            "",
            note="dateline: date rendered from the target locale's CLDR data",
            flags=check_quality(
                seg.source, text, source_lang, lang, source_codes=seg.codes, target_codes=codes
            ),
            codes=codes,
            if_absent=True,
        )

    def _locale_signature(self, lang: str) -> Signature:
        """Return how a rendered dateline was made: babel's CLDR data and the digits used."""
        import babel

        system = parse_language(lang).digit_system(self.digits)
        options = {"reason": "dateline", "digits": system}
        return Signature("locale", model="cldr", version=babel.__version__, options=options)

    def _filled(self, work: Work, seg: Segment, match: MemoryMatch) -> TranslationDraft:
        """Return a fuzzy match as a draft for review: the source's numbers, what differs."""
        from pipeline.tm.leverage import fill

        filled = fill(match, seg.source)
        draft = self._matched(
            work,
            seg,
            filled.text,
            filled.codes,
            lambda: match.source_codes,
            state=State.TRANSLATED,
            signature=Signature("tm-fuzzy", model=match.origin, options={"score": match.score}),
            author=match.author,
            note=filled.note,
            origin=Origin.TM_FUZZY,
        )
        return replace(draft, flags=(*filled.flags, *draft.flags))

    def _imported(self, work: Work, seg: Segment, entry: MemoryEntry) -> TranslationDraft:
        """Return an imported memory's exact match as a draft for review (never reviewed)."""
        where = entry.origin + (f" tu {entry.tuid}" if entry.tuid else "")
        return self._matched(
            work,
            seg,
            entry.target,
            entry.target_codes,
            lambda: entry.source_codes,
            state=State.TRANSLATED,
            signature=Signature("tm", model=f"memory:{where}"),
            author=entry.changed_by or entry.created_by or "",
            note=f"exact match from imported memory {where}",
        )

    def _reused(self, work: Work, seg: Segment, t: Translation) -> TranslationDraft:
        """Return a reviewed translation of the same source as a reviewed draft."""
        return self._matched(
            work,
            seg,
            t.text,
            t.codes,
            lambda: self.store.segment(t.segment_id).codes,
            state=State.REVIEWED,
            signature=Signature("tm", model=f"translation:{t.id}"),
            author=t.author,
            note=f"reused reviewed translation {t.id}",
        )

    def _matched(
        self,
        work: Work,
        seg: Segment,
        text: str,
        codes: tuple[Code, ...],
        matched_source_codes: Callable[[], tuple[Code, ...]],
        *,
        state: State,
        signature: Signature,
        author: str,
        note: str,
        origin: Origin = Origin.TM,
    ) -> TranslationDraft:
        """Return a memory match as a draft, its codes carried over from the matched source.

        The matched source's codes are read only when either side has codes.
        """
        lang = work.summary.target_lang
        placed = Placed(())
        if seg.codes or codes:
            placed = carried(codes, matched_source_codes(), seg.codes, seg.source, text)
        flags = check_quality(seg.source, text, work.summary.source_lang, lang, terms=work.glossary)
        return TranslationDraft(
            seg.id,
            lang,
            text,
            state,
            origin,
            signature,
            None,
            author,
            note=note,
            flags=reflagged(flags, seg.codes, placed),
            codes=placed.codes,
            if_absent=True,
        )

    def _machine_translate(self, work: Work, progress: Progress | None) -> None:
        source_lang, lang = work.summary.source_lang, work.summary.target_lang
        if not work.machine:
            return
        signature = self.engine.signature(source_lang, lang)
        work.summary.pseudo = signature.engine == "pseudo"

        def translate(batch: list[str]) -> tuple[list[Masked], list[Hypothesis]]:
            masked, texts, align = self.masked_batch(work, batch)
            if align:
                return masked, self.engine.translate(texts, source_lang, lang, align=True)
            return masked, self.engine.translate(texts, source_lang, lang)

        queue = iter(self.batches(work))

        def submit() -> tuple[Future[tuple[list[Masked], list[Hypothesis]]], list[str], int] | None:
            """Claim the next batch with work left for this process and start the model on it.

            Claims are taken on this thread (the store's connection belongs to it), while the
            model works on the batch before.
            """
            for batch in queue:
                mine = self.claimed(work, batch)
                if mine:
                    return pool.submit(translate, mine), mine, len(batch) - len(mine)
                if progress and self.count_others:
                    progress(len(batch))  # every segment of it is another process's
            return None

        # The model works on the next batch while this thread checks and saves the last one:
        # CTranslate2 releases the GIL, so QA and the store write cost no model time.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="translate") as pool:
            try:
                ahead = submit()
                while ahead is not None:
                    future, batch, others = ahead
                    masked, hypotheses = future.result()
                    ahead = submit()
                    self.save(work, batch, masked, hypotheses, signature)
                    if progress:
                        progress(len(batch) + (others if self.count_others else 0))
            finally:
                with self.store.transaction():
                    self.store.release(self.owner)

    # -- the pieces of machine translation, shared with other executors (pipeline.ray) -----

    def batches(self, work: Work) -> list[list[str]]:
        """Return the model's work for a pair in batches of sources, shortest first.

        Length-sorted batches waste the least padding in the model.
        """
        sources = sorted(work.machine, key=len)
        return [sources[i : i + self.batch_size] for i in range(0, len(sources), self.batch_size)]

    def claimed(self, work: Work, batch: list[str]) -> list[str]:
        """Claim a batch's segments; keep, per source, those this process now owns."""
        lang = work.summary.target_lang
        keys = [(seg.id, lang) for text in batch for seg in work.machine[text]]
        owned = self.store.claim(keys, self.owner, self.claim_ttl)
        mine = []
        for text in batch:
            work.machine[text] = [s for s in work.machine[text] if (s.id, lang) in owned]
            if work.machine[text]:
                mine.append(text)
        return mine

    def masked_batch(self, work: Work, batch: list[str]) -> tuple[list[Masked], list[str], bool]:
        """Return a batch masked for the model, the texts to send, and whether to align.

        Attention costs decoding time: it is asked for only when some segment has codes.
        """
        masked = [self._masked(work, text) for text in batch]
        align = any(seg.codes for text in batch for seg in work.machine[text])
        return masked, [m.text for m in masked], align

    def save(
        self,
        work: Work,
        batch: list[str],
        masked: list[Masked],
        hypotheses: list[Hypothesis],
        signature: Signature,
    ) -> None:
        """Write a batch's translations and matches and release its claims, in one transaction."""
        lang = work.summary.target_lang
        drafts = []
        for text, m, hyp in zip(batch, masked, hypotheses, strict=True):
            drafts += self._drafts(work, text, m, hyp, signature)
        segments = [seg for text in batch for seg in work.machine[text]]
        offered = {
            seg.id: work.fuzzy[text]
            for text in batch
            if text in work.fuzzy
            for seg in work.machine[text]
        }
        with self.store.transaction():
            self.store.write_translations(drafts)
            self.store.write_matches(lang, offered)
            self.store.release(self.owner, [(seg.id, lang) for seg in segments])

    def _masked(self, work: Work, text: str) -> Masked:
        """Mask a source for the model: protected code pairs, then glossary terms."""
        ranges = _protected_ranges(work.machine[text])
        if work.glossary is None:
            return mask(text, ranges)
        substitutes = {}
        for hit in work.glossary.hits(text):
            clear = not any(hit.start < b and hit.end > a for a, b in ranges)
            if hit.replacement is not None and clear:
                substitutes[(hit.start, hit.end)] = hit.replacement
        if substitutes:
            # Only the model's thread runs this: the count needs no lock.
            work.summary.terms += len(work.machine[text])
        return mask(text, [*ranges, *substitutes], substitutes)

    def _drafts(
        self, work: Work, source: str, masked: Masked, hyp: Hypothesis, signature: Signature
    ) -> list[TranslationDraft]:
        segments = work.machine[source]
        output = hyp.text.strip()
        if not output:
            work.summary.failed += len(segments)
            return []
        restored = restore(output, masked)
        text, mask_flags = restored.text, restored.flags
        source_lang, lang = work.summary.source_lang, work.summary.target_lang
        kept = [source[a:b] for a, b in _protected_ranges(segments)]
        pseudo = signature.engine == "pseudo"
        found = check_quality(
            source, text, source_lang, lang, protected=kept, pseudo=pseudo, terms=work.glossary
        )
        found += _ambiguous(work.glossary, source)
        # A lost mask is already reported precisely by unmask: keep one report of it.
        flags = mask_flags + tuple(f for f in found if not (mask_flags and f.check == "protected"))
        work.summary.translated += len(segments)
        drafts = []
        for seg in segments:
            placed = _projected(seg, masked, hyp, restored, len(hyp.text) - len(hyp.text.lstrip()))
            own = flags + tuple(tag_flags(seg.codes, placed.codes, placed.moved))
            work.summary.flagged += 1 if own else 0
            drafts.append(
                TranslationDraft(
                    seg.id,
                    lang,
                    text,
                    State.TRANSLATED,
                    Origin.MT,
                    signature,
                    hyp.score,
                    "",
                    flags=own,
                    codes=placed.codes,
                    if_absent=True,
                )
            )
        return drafts


def _ambiguous(glossary: Glossary | None, source: str) -> tuple[Flag, ...]:
    """Return a warning per source term with several approved targets (left to the model)."""
    if glossary is None:
        return ()
    return tuple(
        Flag(
            "terms",
            Severity.WARNING,
            f"term {hit.term!r} has several approved targets ({' / '.join(hit.targets)}): "
            "left to the model, choose one",
        )
        for hit in glossary.hits(source)
        if hit.action == "ambiguous"
    )


def _protected_pairs(codes: Sequence[Code]) -> list[tuple[Code, Code]]:
    """Return the protected pairs of a segment whose content is text to keep as it is."""
    opens = {c.id: c for c in codes if c.type is CodeType.OPEN and c.protect}
    return [
        (opens[c.id], c)
        for c in codes
        if c.type is CodeType.CLOSE and c.id in opens and c.at > opens[c.id].at
    ]


def _protected_ranges(segments: Sequence[Segment]) -> list[Span]:
    """Return the source ranges masked for MT: the content of every protected pair."""
    return sorted({(o.at, c.at) for s in segments for o, c in _protected_pairs(s.codes)})


def _projected(
    seg: Segment, masked: Masked, hyp: Hypothesis, restored: Restored, lead: int
) -> Placed:
    """Return a segment's codes placed in the restored translation of its masked source."""
    if not seg.codes:
        return Placed(())
    alignment = hyp.alignment
    if alignment is not None:
        alignment = alignment.remapped(
            masked.original,
            lambda span: restored.restored((max(span[0] - lead, 0), max(span[1] - lead, 0))),
        )
    tokens = {(r[2], r[3]): i for i, r in enumerate(masked.replacements, start=1)}
    fixed: dict[int, Span] = {}
    for opening, closing in _protected_pairs(seg.codes):
        index = tokens.get((opening.at, closing.at))
        span = restored.token(index) if index is not None else None
        if span is not None:
            fixed[opening.id] = span
    return project(seg.source, seg.codes, restored.text, alignment, fixed)
