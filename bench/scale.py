"""Scale: a store of many segments in two languages, and translation over 1 or 2 processes.

Run from the repository root:

    uv run python -m bench.scale [--segments 100000] [--translate 600] [--ray]

Builds a store of ``--segments`` segments (generated articles of 100 one-sentence paragraphs)
translated into my and hi with the pseudo engine (half of them reviewed, so memory lookup has
something to find), then prints:

- ingest rate (segments/s);
- exact memory lookup time per segment (``Store.memory``, 1,000 lookups);
- TMX export time and the export process's peak memory, against the same export of a store
  a tenth the size (the ratio must stay near 1: the export streams);
- ``status`` time;
- translate throughput on ``--translate`` fresh segments with the Argos-size random-weight
  model of bench/translate_throughput: one process, ``--workers 2``, and (``--ray``) Ray with
  2 actors, each as a ratio to the one-process run in this same benchmark.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".bench" / "scale"
PER_ARTICLE = 100


def sentence(rng: random.Random, n: int) -> str:
    words = ["police", "officers", "border", "district", "report", "officials", "crossed"]
    picked = " ".join(rng.choice(words) for _ in range(rng.randint(6, 16)))
    return f"Report {n} says {picked} {rng.randint(1, 9999)} times."


def write_articles(folder: Path, segments: int, seed: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for a in range(-(-segments // PER_ARTICLE)):
        count = min(PER_ARTICLE, segments - a * PER_ARTICLE)
        lines = [sentence(rng, a * PER_ARTICLE + i) for i in range(count)]
        path = folder / f"article-{seed}-{a:05d}.txt"
        path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def build_store(location: Path, segments: int, seed: int) -> dict[str, float]:
    """Ingest and pseudo-translate; return the ingest rate and memory lookup time."""
    from pipeline.engines.pseudo import PseudoEngine
    from pipeline.ingest import read_article
    from pipeline.records import Origin, State, TranslationDraft
    from pipeline.store.sqlite import SQLiteStore
    from pipeline.translate import TranslationJob

    location.unlink(missing_ok=True)
    paths = write_articles(WORK / f"articles-{seed}", segments, seed)
    figures: dict[str, float] = {}
    with SQLiteStore(location) as store:
        start = time.perf_counter()
        for path in paths:
            store.ingest(read_article(path))
        figures["ingest segments/s"] = segments / (time.perf_counter() - start)
        job = TranslationJob(store, PseudoEngine(), store.documents(), ["my", "hi"], batch_size=512)
        job.plan()
        job.run()
        reviewed = []
        for doc in store.documents()[::2]:
            for t in store.translations(doc.id, "my").values():
                reviewed.append(
                    TranslationDraft(
                        t.segment_id,
                        "my",
                        f"ရဲ {t.segment_id}",
                        State.REVIEWED,
                        Origin.HUMAN,
                        author="bench",
                    )
                )
        store.write_translations(reviewed)
        hashes = [s.source_hash for d in store.documents()[:20] for s in store.segments(d.id)]
        rng = random.Random(1)
        sample = [rng.choice(hashes) for _ in range(1000)]
        start = time.perf_counter()
        for h in sample:
            store.memory([h], "my")
        figures["memory lookup ms/segment"] = 1000 * (time.perf_counter() - start) / len(sample)
        start = time.perf_counter()
        store.status()
        figures["status s"] = time.perf_counter() - start
    return figures


def export_peak(location: Path) -> tuple[float, float]:
    """Return (seconds, peak MiB) of `pipeline export --format tmx`, measured by a fresh
    parent process so that no other child's peak is counted."""
    out = WORK / "export.tmx"
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "export",
        "--format",
        "tmx",
        "--to",
        "my,hi",
        "-o",
        str(out),
        "--store",
        str(location),
    ]
    probe = (
        "import resource, subprocess, sys, time; start = time.perf_counter();"
        " subprocess.run(sys.argv[1:], check=True, capture_output=True);"
        " print(time.perf_counter() - start,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *cmd], check=True, capture_output=True, text=True
    )
    took, peak = done.stdout.split()
    return float(took), int(peak) / 1024


def translate_rate(segments: int, mode: str) -> float:
    """Return segments/s of `pipeline translate` on fresh segments with the Argos-size model."""
    from bench.translate_throughput import argos_env, build_model, install_model

    install_model(build_model())
    env = argos_env()
    location = WORK / f"translate-{mode}.db"
    location.unlink(missing_ok=True)
    for path in write_articles(WORK / "articles-translate", segments, 99):
        subprocess.run(
            [sys.executable, "-m", "pipeline", "ingest", str(path), "--store", str(location)],
            check=True,
            capture_output=True,
            env=env,
        )
    extra = {
        "one": [],
        "workers": ["--workers", "2"],
        "ray": ["--executor", "ray", "--workers", "2"],
    }
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "translate",
        "--to",
        "my",
        "--store",
        str(location),
        "--max-decoding-length",
        "32",
        "--beam-size",
        "2",
        *extra[mode],
    ]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return segments / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--translate", type=int, default=600)
    parser.add_argument("--ray", action="store_true", help="also time the Ray executor")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.pop("PIPELINE_STORE", None)
    small, large = WORK / "small.db", WORK / "large.db"
    print(
        f"building stores of {args.segments // 10:,} and {args.segments:,} segments x 2 languages"
    )
    small_figures = build_store(small, args.segments // 10, 1)
    figures = build_store(large, args.segments, 2)
    for name, value in figures.items():
        print(f"  {name:<28} {value:10.3f}   (store a tenth the size: {small_figures[name]:.3f})")
    small_export, small_peak = export_peak(small)
    large_export, large_peak = export_peak(large)
    print(f"  TMX export s                 {large_export:10.2f}   (a tenth: {small_export:.2f})")
    print(
        f"  TMX export peak MiB          {large_peak:10.1f}   (a tenth: {small_peak:.1f});"
        f" ratio {large_peak / small_peak:.2f} (must stay near 1)"
    )
    modes = ["one", "workers"] + (["ray"] if args.ray else [])
    rates = {mode: translate_rate(args.translate, mode) for mode in modes}
    print(f"translate {args.translate} segments, Argos-size random-weight model, beam 2:")
    for mode, rate in rates.items():
        print(
            f"  {mode:<8} {rate:8.1f} segments/s   ratio to one process {rate / rates['one']:.2f}"
        )
    shutil.rmtree(WORK / "articles-translate", ignore_errors=True)


if __name__ == "__main__":
    main()
