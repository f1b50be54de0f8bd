"""The translate job: memory first, then the engine in batches, each batch saved as it lands."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pipeline.engines.base import Engine, Hypothesis
from pipeline.errors import EngineError
from pipeline.protect import Masked, mask, unmask
from pipeline.qa import check as check_quality
from pipeline.records import (
    Document,
    Origin,
    Segment,
    Signature,
    State,
    Translation,
    TranslationDraft,
)
from pipeline.store.base import Store

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


@dataclass
class Work:
    """Segments for one language pair, split by how each will be filled."""

    summary: LanguageSummary
    copy: list[Segment] = field(default_factory=list)
    memory: dict[int, tuple[str, Translation]] = field(default_factory=dict)
    machine: dict[str, list[Segment]] = field(default_factory=dict)


@dataclass
class TranslationJob:
    """Translate every pending segment of some documents into some languages."""

    store: Store
    engine: Engine
    documents: Sequence[Document]
    targets: Sequence[str]
    batch_size: int = 256
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
        for seg in rest:
            if seg.source_hash in found:
                work.memory[seg.id] = (seg.source, found[seg.source_hash])
            else:
                # Identical sources are translated once and stored for each segment.
                work.machine.setdefault(seg.source, []).append(seg)
        return work

    def run(self, progress: Progress | None = None) -> list[LanguageSummary]:
        """Fill every planned segment, writing one transaction per batch."""
        for work in self.work:
            self._copy_and_reuse(work)
            self._machine_translate(work, progress)
        return [w.summary for w in self.work]

    def _copy_and_reuse(self, work: Work) -> None:
        lang = work.summary.target_lang
        drafts = [
            TranslationDraft(s.id, lang, s.source, State.FINAL, Origin.IMPORT, COPY, None, "")
            for s in work.copy
        ]
        drafts += [
            TranslationDraft(
                segment_id,
                lang,
                t.text,
                State.REVIEWED,
                Origin.TM,
                Signature("tm", model=f"translation:{t.id}"),
                None,
                t.author,
                note=f"reused reviewed translation {t.id}",
                flags=check_quality(source, t.text, work.summary.source_lang, lang),
            )
            for segment_id, (source, t) in work.memory.items()
        ]
        self.store.write_translations(drafts)
        work.summary.skipped += len(work.copy)
        work.summary.reused += len(work.memory)

    def _machine_translate(self, work: Work, progress: Progress | None) -> None:
        source_lang, lang = work.summary.source_lang, work.summary.target_lang
        if not work.machine:
            return
        signature = self.engine.signature(source_lang, lang)
        work.summary.pseudo = signature.engine == "pseudo"
        # Length-sorted batches waste the least padding in the model.
        sources = sorted(work.machine, key=len)
        batches = [
            sources[i : i + self.batch_size] for i in range(0, len(sources), self.batch_size)
        ]

        def translate(batch: list[str]) -> tuple[list[Masked], list[Hypothesis]]:
            masked = [mask(text) for text in batch]
            return masked, self.engine.translate([m.text for m in masked], source_lang, lang)

        # The model works on the next batch while this thread checks and saves the last one:
        # CTranslate2 releases the GIL, so QA and the store write cost no model time.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="translate") as pool:
            ahead = pool.submit(translate, batches[0])
            for index, batch in enumerate(batches):
                masked, hypotheses = ahead.result()
                if index + 1 < len(batches):
                    ahead = pool.submit(translate, batches[index + 1])
                drafts = []
                for text, m, hyp in zip(batch, masked, hypotheses, strict=True):
                    drafts += self._drafts(work, text, m, hyp.text, hyp.score, signature)
                self.store.write_translations(drafts)
                if progress:
                    progress(len(batch))

    def _drafts(
        self,
        work: Work,
        source: str,
        masked: Masked,
        output: str,
        score: float | None,
        signature: Signature,
    ) -> list[TranslationDraft]:
        segments = work.machine[source]
        if not output.strip():
            work.summary.failed += len(segments)
            return []
        text, mask_flags = unmask(output.strip(), masked)
        source_lang, lang = work.summary.source_lang, work.summary.target_lang
        found = check_quality(source, text, source_lang, lang, pseudo=signature.engine == "pseudo")
        # A lost mask is already reported precisely by unmask: keep one report of it.
        flags = mask_flags + tuple(f for f in found if not (mask_flags and f.check == "protected"))
        work.summary.translated += len(segments)
        work.summary.flagged += len(segments) if flags else 0
        return [
            TranslationDraft(
                s.id, lang, text, State.TRANSLATED, Origin.MT, signature, score, "", flags=flags
            )
            for s in segments
        ]
