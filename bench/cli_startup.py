"""Benchmark: how fast `pipeline --help` answers, against peers measured in the same run.

Peers: the bare interpreter (`python -c pass`, the floor no Python CLI can beat) and, when the
translate_throughput benchmark has built its argostranslate environment, `argospm --help`
(Argos Translate's own package manager CLI). Target: `pipeline --help` well under 0.5 s.

It also prices the message catalogs: `pipeline --ui-lang my --help` with the compiled `.mo`
the build ships, and with the `.po` read by babel at start-up (the fallback for a checkout
whose catalogs are not compiled), each as a ratio to the English help.

Run: uv run python -m bench.cli_startup [--reps N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER_ENV = ROOT / ".bench" / "argos-peer"
TARGET_SECONDS = 0.5


def best_of(
    command: list[str], reps: int, env: Mapping[str, str] | None = None
) -> tuple[float, float]:
    """Return the best and the median wall time of a command over reps runs."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    """Time each contender and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    contenders = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "pipeline --help": [sys.executable, "-m", "pipeline", "--help"],
    }
    argospm = PEER_ENV / "bin" / "argospm"
    if argospm.exists():
        contenders["argospm --help (peer)"] = [str(argospm), "--help"]
    results = {name: best_of(cmd, args.reps) for name, cmd in contenders.items()}
    results.update(catalog_timings(args.reps))
    print(f"{'contender':<30}{'best s':>10}{'median s':>10}")
    for name, (best, median) in results.items():
        print(f"{name:<30}{best:>10.3f}{median:>10.3f}")
    ours = results["pipeline --help"][1]
    floor = results["python -c pass"][1]
    print(f"pipeline --help / python start: {ours / floor:.1f}x")
    if "argospm --help (peer)" in results:
        print(
            f"pipeline --help / argospm --help: {ours / results['argospm --help (peer)'][1]:.2f}x"
        )
    english = results["pipeline --help"][1]
    for name in CATALOG_CONTENDERS:
        print(f"{name} / English help: {results[name][1] / english:.2f}x")
    verdict = "PASS" if ours < TARGET_SECONDS else "FAIL"
    print(f"pipeline --help median {ours:.3f} s vs target < {TARGET_SECONDS} s: {verdict}")


CATALOG_CONTENDERS = ("--ui-lang my, compiled .mo", "--ui-lang my, .po read")


def catalog_timings(reps: int) -> dict[str, tuple[float, float]]:
    """Time the Burmese help from compiled catalogs and from .po files read at start-up."""
    command = [sys.executable, "-m", "pipeline", "--ui-lang", "my", "--help"]
    with tempfile.TemporaryDirectory() as tmp:
        compiled, source = Path(tmp, "mo"), Path(tmp, "po")
        for po in (ROOT / "locales").glob("*/LC_MESSAGES/pipeline.po"):
            lang = po.parent.parent.name
            for folder in (compiled, source):
                (folder / lang / "LC_MESSAGES").mkdir(parents=True)
                shutil.copy2(po, folder / lang / "LC_MESSAGES")
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "babel.messages.frontend",
                    "compile",
                    "-d",
                    str(compiled),
                    "-D",
                    "pipeline",
                    "-l",
                    lang,
                ],
                check=True,
                capture_output=True,
            )
        timings = {}
        for name, folder in zip(CATALOG_CONTENDERS, (compiled, source), strict=True):
            env = {**os.environ, "PIPELINE_LOCALEDIR": str(folder)}
            timings[name] = best_of(command, reps, env)
    return timings


if __name__ == "__main__":
    main()
