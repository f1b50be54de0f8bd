"""Tag projection cost: the translate job on marked-up news pages, with and without their codes.

Run from the repository root:

    uv run python -m bench.tag_projection [--reps N] [--segments N]

Both contenders are the same `pipeline translate` job (engine loaded and warm) over the same
segments of real news pages (``../shared/corpus/news``) with the benchmark's Transformer-base
package (see bench/README.md): once as ingested, with their inline codes, so the engine asks
CTranslate2 for attention and the job projects every code onto the target; once with the
codes taken off the segments, so nothing is projected. They run in turn, repetition by
repetition, so both see the same machine. The ratio coded/plain must be at least 0.95: tag
projection may cost at most 5 % of throughput.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bench.translate_throughput import (
    FROM,
    ROOT,
    TO,
    WARM_UP,
    argos_env,
    build_model,
    fresh_store,
    install_model,
)

if TYPE_CHECKING:
    from pipeline.engines.argos import ArgosEngine
    from pipeline.records import DocumentDraft

NEWS = ROOT.parent / "shared" / "corpus" / "news"
TARGET_RATIO = 0.95


def drafts(limit: int) -> list[DocumentDraft]:
    """Return news pages read as `pipeline ingest` reads them, up to ``limit`` segments."""
    from pipeline.ingest import read_article

    found, total = [], 0
    for page in sorted(NEWS.glob("*.html")):
        draft = read_article(page, FROM)
        found.append(draft)
        total += len(draft.segments)
        if total >= limit:
            break
    return found


def without_codes(draft: DocumentDraft) -> DocumentDraft:
    """Return a document draft whose segments carry no inline codes."""
    segments = tuple(replace(s, codes=()) for s in draft.segments)
    return replace(draft, uri=draft.uri + "#plain", segments=segments)


def timed(engine: ArgosEngine, documents: Sequence[DocumentDraft], name: str) -> tuple[float, int]:
    """Ingest into a fresh store (not timed) and time one translate run; return (s, segments)."""
    from pipeline import jobs
    from pipeline.store import open_store
    from pipeline.translate import TranslationJob

    with open_store(str(fresh_store(name))) as db:
        jobs.ingest_articles(db, documents)
        job = TranslationJob(db, engine, db.documents(), [TO])
        count = job.plan()
        start = time.perf_counter()
        job.run()
        return time.perf_counter() - start, count


def main(argv: Sequence[str] | None = None) -> int:
    """Time both contenders and print their rates and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions (best is reported)")
    parser.add_argument("--segments", type=int, default=300, help="segments to translate")
    parser.add_argument("--length", type=int, default=32, help="tokens decoded per segment")
    args = parser.parse_args(argv)
    os.environ.update(argos_env())
    install_model(build_model())
    from pipeline.engines.argos import ArgosEngine

    coded = drafts(args.segments)
    plain = [without_codes(d) for d in coded]
    with_codes = sum(1 for d in coded for s in d.segments if s.codes)
    engine = ArgosEngine(max_decoding_length=args.length)
    engine.translate([WARM_UP], FROM, TO)
    times: dict[str, list[float]] = {"coded": [], "plain": []}
    counts: dict[str, int] = {}
    for rep in range(args.reps):
        order = ("coded", "plain") if rep % 2 == 0 else ("plain", "coded")
        for name in order:
            seconds, counts[name] = timed(engine, coded if name == "coded" else plain, name)
            times[name].append(seconds)
            print(f"rep {rep + 1}: {name:5} {counts[name] / seconds:6.1f} segments/s", flush=True)
    rates = {name: counts[name] / min(t) for name, t in times.items()}
    ratio = rates["coded"] / rates["plain"]
    total = sum(len(d.segments) for d in coded)
    print(
        f"\n{len(coded)} news pages, {total} segments ({with_codes} with inline codes),"
        f" {counts['coded']} sent to MT; beam {engine.beam_size}, {args.length} tokens each"
    )
    print(f"coded {rates['coded']:.1f} segments/s, plain {rates['plain']:.1f} segments/s")
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    print(f"coded/plain = {ratio:.3f}  (>= {TARGET_RATIO})  {verdict}")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
