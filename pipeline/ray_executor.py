"""``translate --executor ray``: segment batches spread over Ray actors, each loading a model once.

The driver (the ``translate`` process) plans the run, fills what memory fills, claims each
batch (:mod:`pipeline.store.claims`), masks it, and sends only the texts to an actor; the
actor's engine translates them; the driver checks, places codes and writes the results
(results reach the store through the driver, so the store needs no network access from the
workers). Each actor needs ``cpus`` CPUs (or one GPU with ``--device cuda``), so Ray puts one
per CPU group or GPU. An actor that dies is restarted by Ray and its batch retried
(``max_restarts``, ``max_task_retries``): nothing is lost. Ray is an optional extra,
``pipeline[ray]``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from pipeline.engines.base import Hypothesis
from pipeline.errors import EngineError
from pipeline.records import Signature
from pipeline.translate import LanguageSummary, TranslationJob

# Batches in flight per actor: one decoding, one waiting, so an actor never idles.
IN_FLIGHT = 2
# Seconds for the first actor to load its engine and answer.
START_TIMEOUT = 300.0


class ModelActor:
    """A Ray actor holding one engine (its models loaded once, on first use)."""

    def __init__(self, engine: str, options: dict[str, Any]) -> None:
        from pipeline.engines.factory import build_engine

        self.engine = build_engine(engine, options)

    def signature(self, source_lang: str, target_lang: str) -> Signature:
        """Return the engine's signature for a pair."""
        return self.engine.signature(source_lang, target_lang)

    def translate(
        self, texts: Sequence[str], source_lang: str, target_lang: str, align: bool
    ) -> list[Hypothesis]:
        """Translate a batch of masked texts."""
        if align:
            return self.engine.translate(texts, source_lang, target_lang, align=True)
        return self.engine.translate(texts, source_lang, target_lang)

    def pid(self) -> int:
        """Return the actor's process id (for fault-injection tests)."""
        return os.getpid()


def import_ray() -> Any:
    """Return the ray module, or raise the one-line error naming the extra to install.

    Workers run this process's interpreter: Ray's ``uv run`` hook (on when the driver was
    started by ``uv run``, and read when ray is imported) would start them through uv in
    their own folder, where the project's environment, and so Ray, may not be found.
    """
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    try:
        import ray
    except ImportError:
        raise EngineError(
            "--executor ray needs Ray: install the extra, e.g. uv sync --extra ray "
            "(or pip install 'pipeline[ray]')"
        ) from None
    return ray


def init_ray(ray: Any, address: str | None) -> None:
    """Connect to a Ray cluster, or start a local one on loopback for this run."""
    options: dict[str, Any] = {
        "include_dashboard": False,
        "logging_level": "ERROR",
        "log_to_driver": False,
        "configure_logging": False,
    }
    if address is None:
        options.update(address="local", _node_ip_address="127.0.0.1")
    else:
        options["address"] = address
    ray.init(**options)


def run_ray(
    job: TranslationJob,
    engine: str,
    options: dict[str, Any],
    *,
    address: str | None = None,
    actors: int = 2,
    cpus: float = 1.0,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[list[Any]], None] | None = None,
) -> list[LanguageSummary]:
    """Translate a planned job's machine work on Ray actors; return the run's summaries.

    Without ``address`` a local Ray cluster is started for the run and stopped after it.
    ``on_start`` receives the actors once they exist (tests kill one).
    """
    ray = import_ray()
    summaries = job.fill_from_memory()
    if not any(w.machine for w in job.work):
        return summaries
    started = not ray.is_initialized()
    if started:
        init_ray(ray, address)
    try:
        gpu = options.get("device") == "cuda"
        remote = ray.remote(
            num_cpus=0 if gpu else cpus,
            num_gpus=1 if gpu else 0,
            max_restarts=-1,
            max_task_retries=-1,
        )(ModelActor)
        pool = [remote.remote(engine, options) for _ in range(actors)]
        if on_start is not None:
            on_start(pool)
        for work in job.work:
            if work.machine:
                _translate_pair(ray, job, work, pool, progress)
    finally:
        with job.store.transaction():
            job.store.release(job.owner)
        if started:
            ray.shutdown()
    return summaries


def _translate_pair(
    ray: Any,
    job: TranslationJob,
    work: Any,
    pool: list[Any],
    progress: Callable[[int], None] | None,
) -> None:
    """Send one language pair's batches to the actors and save each result as it comes."""
    source_lang, lang = work.summary.source_lang, work.summary.target_lang
    try:
        signature = ray.get(pool[0].signature.remote(source_lang, lang), timeout=START_TIMEOUT)
    except ray.exceptions.GetTimeoutError:
        raise EngineError(
            f"no Ray actor started within {START_TIMEOUT:.0f} s; see the Ray logs"
            " (/tmp/ray/session_latest/logs)"
        ) from None
    work.summary.pseudo = signature.engine == "pseudo"
    batches = iter(job.batches(work))
    pending: dict[Any, tuple[list[str], list[Any], Any]] = {}

    def submit(actor: Any) -> None:
        for batch in batches:
            mine = job.claimed(work, batch)
            if mine:
                masked, texts, align = job.masked_batch(work, mine)
                ref = actor.translate.remote(texts, source_lang, lang, align)
                pending[ref] = (mine, masked, actor)
                return
            if progress:
                progress(len(batch))

    for actor in pool:
        for _ in range(IN_FLIGHT):
            submit(actor)
    while pending:
        (ref,), _ = ray.wait(list(pending), num_returns=1)
        batch, masked, actor = pending.pop(ref)
        hypotheses = ray.get(ref)
        submit(actor)
        job.save(work, batch, masked, hypotheses, signature)
        if progress:
            progress(len(batch))
