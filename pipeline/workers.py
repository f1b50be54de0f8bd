"""``translate --workers N``: N local processes, each loading each model once, sharing the work.

The parent plans the run and fills what memory and credits fill (no model needed), then
starts N worker processes (``spawn``: no state shared but the store). Each opens the store,
builds the engine once, and runs the translate job: its batches are claimed before the model
sees them (:mod:`pipeline.store.claims`), so workers never translate the same segment and a
batch is written with its claims released in one transaction. Each worker reports progress and
its summaries through a pipe of its own: a worker killed at any instant (mid-message, say)
closes only its own pipe, which the parent reads as the end of that worker; a shared queue
would leave its lock held and block every other worker. When a worker dies, its claims are
released and the parent translates what is still pending itself, so nothing is lost.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from pipeline.translate import LanguageSummary, TranslationJob


@dataclass(frozen=True)
class WorkOrder:
    """What every worker translates: a store, documents, languages, an engine and options."""

    store: str
    engine: str
    engine_options: dict[str, Any]
    documents: tuple[int, ...]
    targets: tuple[str, ...]
    batch_size: int = 256
    fuzzy_threshold: float = 75.0


def _worker(order: WorkOrder, owner: str, messages: Connection) -> None:
    """Run the translate job in a worker process (the target of each ``Process``)."""
    from pipeline.engines.factory import build_engine
    from pipeline.store import open_store

    engine = build_engine(order.engine, order.engine_options)
    with open_store(order.store) as store:
        docs = [store.document(str(doc_id)) for doc_id in order.documents]
        job = TranslationJob(
            store,
            engine,
            docs,
            list(order.targets),
            batch_size=order.batch_size,
            fuzzy_threshold=order.fuzzy_threshold,
            owner=owner,
            count_others=False,
        )
        job.plan()
        summaries = job.run(lambda n: messages.send(("progress", n)))
    messages.send(("done", [asdict(s) for s in summaries]))
    messages.close()


def merge(into: list[LanguageSummary], found: Sequence[LanguageSummary]) -> None:
    """Add a worker's counts to the run's summaries, pair by pair."""
    by_pair = {(s.source_lang, s.target_lang): s for s in into}
    for s in found:
        mine = by_pair.get((s.source_lang, s.target_lang))
        if mine is None:
            into.append(s)
            continue
        mine.translated += s.translated
        mine.failed += s.failed
        mine.flagged += s.flagged
        mine.terms += s.terms
        mine.pseudo = mine.pseudo or s.pseudo


def run_workers(
    job: TranslationJob,
    order: WorkOrder,
    workers: int,
    progress: Callable[[int], None] | None = None,
    reports: dict[str, int] | None = None,
) -> list[LanguageSummary]:
    """Fill from memory in this process, then translate with ``workers`` processes.

    ``job`` is planned; its engine is used only for what the workers leave undone.
    ``reports`` gets each worker's count of sources translated.
    """
    from pipeline.store.claims import new_owner

    summaries = job.fill_from_memory()
    if not any(w.machine for w in job.work):
        return summaries
    context = multiprocessing.get_context("spawn")
    owners = [f"{new_owner()}-w{i}" for i in range(workers)]
    pipes: dict[str, Connection] = {}
    processes = {}
    for owner in owners:
        reader, writer = context.Pipe(duplex=False)
        processes[owner] = context.Process(target=_worker, args=(order, owner, writer), daemon=True)
        processes[owner].start()
        # Only the worker may hold the writing end: its death is then the pipe's end.
        writer.close()
        pipes[owner] = reader
    finished: set[str] = set()
    try:
        while pipes:
            ready_ends = wait(list(pipes.values()))
            for owner in [o for o, conn in pipes.items() if conn in ready_ends]:
                ready = pipes[owner]
                try:
                    kind, payload = ready.recv()
                except (EOFError, OSError):
                    # The worker is gone (done, or killed, perhaps mid-message).
                    ready.close()
                    del pipes[owner]
                    processes[owner].join(timeout=10)
                    with job.store.transaction():
                        job.store.release(owner)
                    continue
                if kind == "progress":
                    if reports is not None:
                        reports[owner] = reports.get(owner, 0) + payload
                    if progress:
                        progress(payload)
                elif kind == "done":
                    finished.add(owner)
                    merge(summaries, [LanguageSummary(**s) for s in payload])
    finally:
        for process in processes.values():
            if process.is_alive():
                process.terminate()
            process.join(timeout=10)
        for conn in pipes.values():
            conn.close()
        for owner in owners:
            with job.store.transaction():
                job.store.release(owner)
    lost = finished != set(owners)
    if lost or any(p.exitcode for p in processes.values()):
        # A worker died: what it left pending is translated here, nothing is lost.
        retry = TranslationJob(
            job.store,
            job.engine,
            job.documents,
            job.targets,
            batch_size=job.batch_size,
            fuzzy_threshold=job.fuzzy_threshold,
        )
        if retry.plan():
            merge(summaries, retry.run(progress))
    return summaries
