"""Benchmark: fuzzy memory lookup per segment over a 100,000-entry memory, against a full scan.

The memory is generated: sentences of 6 to 30 tokens drawn from a Zipf vocabulary of 8,000
words (rank r in proportion to 1/r), numbers and punctuation. Queries are memory sources
with 0 to 4 token edits (replace, insert, delete) and, one in four, fresh sentences that
match nothing. Contenders, both in this run on the same index: ``FuzzyIndex.lookup`` (the
prefix filter on posting lists, then rapidfuzz's ``cdist``) and ``FuzzyIndex.scan`` (every
entry scored, one rapidfuzz call each: the plain full scan). The two must agree on the best
score of every query. Goal: ≤ 20 ms per segment on 2 cores.

Run: uv run python -m bench.fuzzy_lookup [--entries 100000] [--queries 300]
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time

from pipeline.tm import MemoryEntry
from pipeline.tm.fuzzy import FuzzyIndex

TARGET_MS = 20.0


def sentence(rng: random.Random, vocab: list[str], weights: list[float]) -> list[str]:
    """Return 6-30 tokens: Zipf-distributed words (rank r drawn in proportion to 1/r, as
    English running text is: the commonest word about 10 % of tokens), maybe a number."""
    words = rng.choices(vocab, cum_weights=weights, k=rng.randint(5, 29))
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words)), str(rng.randint(1, 5000)))
    return [*words, "."]


def edited(rng: random.Random, words: list[str], vocab: list[str], edits: int) -> list[str]:
    out = list(words)
    for _ in range(edits):
        op, at = rng.choice(("replace", "insert", "delete")), rng.randrange(len(out))
        if op == "replace":
            out[at] = rng.choice(vocab)
        elif op == "insert":
            out.insert(at, rng.choice(vocab))
        elif len(out) > 2:
            del out[at]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    vocab = [f"w{n}" for n in range(8000)]
    weights = list(itertools.accumulate(1 / rank for rank in range(1, len(vocab) + 1)))
    sources = [sentence(rng, vocab, weights) for _ in range(args.entries)]
    start = time.perf_counter()
    index = FuzzyIndex.of(
        MemoryEntry("en", "my", " ".join(words), f"t{n}") for n, words in enumerate(sources)
    )
    built = time.perf_counter() - start
    queries = []
    for _ in range(args.queries):
        if rng.random() < 0.25:
            queries.append(" ".join(sentence(rng, vocab, weights)))
        else:
            queries.append(" ".join(edited(rng, rng.choice(sources), vocab, rng.randint(0, 4))))
    timings: dict[str, list[float]] = {"lookup": [], "scan": []}
    best: dict[str, list[float]] = {"lookup": [], "scan": []}
    for query in queries:  # interleaved: both see the same machine state
        for name in ("lookup", "scan"):
            start = time.perf_counter()
            found = index.lookup(query) if name == "lookup" else index.scan(query)
            timings[name].append(time.perf_counter() - start)
            best[name].append(found[0].score if found else 0.0)
    assert best["lookup"] == best["scan"], "lookup and scan disagree on a best score"
    hits = sum(1 for score in best["lookup"] if score)
    print(
        f"memory: {index.size:,} entries, indexed in {built:.1f} s; {len(queries)} queries,"
        f" {hits} with a match ≥ 75 %"
    )
    for name, values in timings.items():
        print(
            f"{name:<7} median {1000 * statistics.median(values):8.2f} ms/segment,"
            f" p95 {1000 * sorted(values)[int(0.95 * len(values))]:8.2f} ms"
        )
    lookup = statistics.median(timings["lookup"])
    scan = statistics.median(timings["scan"])
    print(f"scan/lookup: {scan / lookup:.0f}x")
    verdict = "PASS" if 1000 * lookup <= TARGET_MS else "FAIL"
    print(f"lookup median {1000 * lookup:.2f} ms vs target ≤ {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
