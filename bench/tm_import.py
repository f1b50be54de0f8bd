"""Benchmark: `pipeline tm import` of a large TMX, in bounded memory, against a small one.

Generates two TMX files of the same shape (en→my and en→hi per unit, dates, a prop, a
bpt/ept pair in one unit in ten): SMALL and LARGE units. Each is imported into a new store
by the CLI in a child process; its peak RSS comes from the OS (``resource.getrusage`` of the
children). Bounded memory means the large/small peak ratio stays near 1 while the unit
ratio is LARGE/SMALL; the rate is entries per second. A second import of the large file
must add nothing.

Run: uv run python -m bench.tm_import [--large 200000] [--small 20000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_tmx(path: Path, units: int) -> None:
    """Write a TMX file of units, streamed line by line."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n')
        out.write('<tmx version="1.4"><header creationtool="bench" creationtoolversion="1"')
        out.write(' segtype="sentence" o-tmf="x" adminlang="en" srclang="en-US"')
        out.write(' datatype="plaintext"/>\n<body>\n')
        for n in range(units):
            bold = n % 10 == 0
            border = "<bpt i='1'>&lt;b&gt;</bpt>border<ept i='1'>&lt;/b&gt;</ept>"
            en = f"Unit {n} says the {border if bold else 'border'} is closed today."
            out.write(
                f'<tu tuid="{n}"><prop type="x-batch">{n // 1000}</prop>'
                f"<tuv xml:lang='EN-US'><seg>{en}</seg></tuv>"
                f"<tuv xml:lang='my-MM' changedate='20240105T093000Z' changeid='thida'>"
                f"<seg>ယူနစ် {n} နယ်စပ် ပိတ်ထားသည်။</seg></tuv>"
                f"<tuv xml:lang='hi-IN'><seg>इकाई {n}: सीमा बंद है।</seg></tuv></tu>\n"
            )
        out.write("</body></tmx>\n")


def import_once(tmx: Path, store: Path) -> tuple[float, float, str]:
    """Import tmx into store in a child; return seconds, the child's peak RSS MiB, output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "tm", "import", str(tmx), "--store", str(store)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: the small file runs first, so the
    # large import's figure is an upper bound (it equals the small one when no larger).
    return seconds, max(peak, before) / 1024, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small, large = folder / "small.tmx", folder / "large.tmx"
        write_tmx(small, args.small)
        write_tmx(large, args.large)
        s_time, s_peak, _ = import_once(small, folder / "small.db")
        l_time, l_peak, said = import_once(large, folder / "large.db")
        r_time, _, again = import_once(large, folder / "large.db")
    entries = 2 * args.large
    print(f"small: {args.small} units, {s_time:.1f} s, peak {s_peak:.0f} MiB")
    print(
        f"large: {args.large} units, {l_time:.1f} s, peak {l_peak:.0f} MiB,"
        f" {entries / l_time:,.0f} entries/s"
    )
    print(f"  {said}")
    print(f"re-import: {r_time:.1f} s; {again}")
    print(
        f"units large/small: {args.large / args.small:.0f}x;"
        f" peak RSS large/small: {l_peak / s_peak:.2f}x"
    )


if __name__ == "__main__":
    main()
