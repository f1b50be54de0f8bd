"""Translate throughput: argostranslate's translate() vs bare CTranslate2 vs `pipeline translate`.

Run from the repository root:

    uv run python -m bench.translate_throughput [--quick] [--reps N]

Every contender runs the same Transformer-base-sized package (random int8 weights, 32k
vocabulary) over the same sentences with the same beam, and decodes exactly ``--length``
tokens per sentence. See bench/README.md for what each timing includes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".bench"  # gitignored: model, packages, peer venv, stores
SEED = ROOT / "seeds" / "2021-03-05-myanmar-police-cross-into-india.txt"
PEER_VENV = WORK / "argos-peer"
PEER_SCRIPT = Path(__file__).resolve().parent / "argos_peer.py"
PACKAGES = WORK / "packages"
# The CPU build lying on local disk (pip's find-links); "+cpu" matches no CUDA build on an index,
# so a machine without that wheel fails here rather than download several GB.
TORCH = "torch==2.13.0+cpu"
FROM, TO = "en", "my"
# vocab_size 8000 asks for more pieces than the article yields: the tokenizer gets all it can
# (about 420); the model's vocabulary is padded to 32000 as in a real Argos package.
MODEL = {"seed": 0, "vocab_size": 8000, "model_vocab_size": 32000, "quantization": "int8"}
# Bare CTranslate2's best settings on this machine (see README: --sweep reruns the search).
BARE = {"inter_threads": 2, "intra_threads": 1, "max_batch_size": 16, "batch_type": "examples"}
SWEEP = [
    {"inter_threads": i, "intra_threads": 3 - i, "max_batch_size": n, "batch_type": t}
    for i in (1, 2)
    for n, t in ((8, "examples"), (16, "examples"), (32, "examples"), (64, "examples"))
] + [{**BARE, "max_batch_size": n, "batch_type": "tokens"} for n in (512, 1024, 2048)]
WARM_UP = "A warm-up sentence loads the model."


def bare_settings(segments: int) -> list[dict[str, Any]]:
    """Return (b)'s candidates: BARE, and one half per worker or batches of 32 (the sweep's)."""
    half = -(-segments // BARE["inter_threads"])
    other = half if half < BARE["max_batch_size"] else 32
    return [BARE, {**BARE, "max_batch_size": other}]


@dataclass(frozen=True)
class DataSet:
    """An article and the translatable sentences it segments into, grouped by paragraph."""

    name: str
    path: Path
    paragraphs: tuple[tuple[str, ...], ...]

    @property
    def segments(self) -> list[str]:
        """Return every sentence in article order."""
        return [s for p in self.paragraphs for s in p]


@dataclass(frozen=True)
class Settings:
    """What every contender shares."""

    length: int
    beam: int
    reps: int
    peer_reps: int


# ---------------------------------------------------------------- model, package, data


def build_model() -> Path:
    """Build the benchmark package once (cached under .bench/model) and return the archive."""
    kit = ROOT / "tests" / "modelkit.py"
    key = hashlib.sha256(kit.read_bytes() + json.dumps(MODEL).encode()).hexdigest()[:12]
    dest = WORK / "model" / key
    found = sorted(dest.glob("*.argosmodel"))
    if found:
        return found[0]
    if str(ROOT) not in sys.path:  # run as a script, the repository root is not on the path
        sys.path.insert(0, str(ROOT))
    from tests.modelkit import BASE, build_package

    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    print(f"building the Transformer-base package in {dest} ...", flush=True)
    archive = build_package(dest, "plain", FROM, TO, size=BASE, **MODEL)
    shutil.rmtree(dest / "src")
    return archive


def argos_env() -> dict[str, str]:
    """Return an environment whose Argos home and packages live under .bench."""
    env = dict(os.environ, ARGOS_PACKAGES_DIR=str(PACKAGES))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[name] = str(WORK / "home" / name.lower())
    # A user's Python caches compiled modules; this sandbox turns that off, which would add
    # about 0.4 s of compiling to every CLI start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def install_model(archive: Path) -> Path:
    """Install the archive with `pipeline models install` (the layout Argos reads)."""
    marker = PACKAGES / ".installed-from"
    if marker.is_file() and marker.read_text() == str(archive):
        return PACKAGES
    shutil.rmtree(PACKAGES, ignore_errors=True)
    PACKAGES.mkdir(parents=True)
    run([sys.executable, "-m", "pipeline", "models", "install", str(archive)], argos_env())
    marker.write_text(str(archive))
    return PACKAGES


def read_paragraphs(path: Path, kinds: Sequence[str] = ()) -> tuple[tuple[str, ...], ...]:
    """Segment an article as `pipeline ingest` does; keep what goes to MT, by paragraph."""
    from pipeline.ingest import read_article

    paragraphs: dict[int, list[str]] = {}
    for seg in read_article(path, FROM).segments:
        if seg.kind.translatable and (not kinds or seg.kind.value in kinds):
            paragraphs.setdefault(seg.paragraph, []).append(seg.source)
    return tuple(tuple(p) for p in paragraphs.values())


NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")


def vary(sentence: str, k: int) -> str:
    """Return copy k of a sentence: numbers raised by k, or "On day k+1," before it."""
    if not NUMBER.search(sentence):
        return f"On day {k + 1}, {sentence[0].lower()}{sentence[1:]}"

    def shift(match: re.Match[str]) -> str:
        n = int(match.group(0).replace(",", "")) + k
        return f"{n:,}" if "," in match.group(0) else str(n)

    return NUMBER.sub(shift, sentence)


def variants_article(dest: Path, seed: Sequence[Sequence[str]], count: int) -> DataSet:
    """Write an article of distinct variants of the seed's paragraphs, about count sentences."""
    paragraphs: list[list[str]] = []
    k = 0
    while sum(map(len, paragraphs)) < count:
        for para in seed:
            if sum(map(len, paragraphs)) >= count:
                break
            paragraphs.append([vary(s, k) for s in para])
        k += 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("\n\n".join(" ".join(p) for p in paragraphs) + "\n", encoding="utf-8")
    data = DataSet(f"{sum(map(len, paragraphs))} segments", dest, read_paragraphs(dest))
    if data.segments != [s for p in paragraphs for s in p] or len(set(data.segments)) != len(
        data.segments
    ):
        raise SystemExit(f"{dest}: does not segment into the distinct sentences written")
    return data


def data_sets(count: int) -> list[DataSet]:
    """Return the seed article and an article of about count distinct sentences."""
    seed = DataSet("seed article", SEED, read_paragraphs(SEED))
    # Text paragraphs only: the seed's first line (dateline, caption, credit) is a header.
    text = read_paragraphs(SEED, kinds=("text",))
    return [seed, variants_article(WORK / "data" / f"article-{count}.txt", text, count)]


# ---------------------------------------------------------------- subprocesses


def run(cmd: Sequence[str], env: dict[str, str]) -> float:
    """Run a command from the repository root and return its wall time; fail loudly."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return elapsed


def run_json(cmd: Sequence[str], job: dict[str, Any], env: dict[str, str]) -> Any:
    """Hand job to a worker process as JSON and return the JSON it writes back."""
    tmp = WORK / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "job.json").write_text(json.dumps(job), encoding="utf-8")
    (tmp / "result.json").unlink(missing_ok=True)
    run([*cmd, str(tmp / "job.json"), str(tmp / "result.json")], env)
    return json.loads((tmp / "result.json").read_text(encoding="utf-8"))


def locked_version(name: str) -> str:
    """Return the version uv.lock pins for a package."""
    lock = (ROOT / "uv.lock").read_text(encoding="utf-8")
    found = re.search(rf'name = "{re.escape(name)}"\nversion = "([^"]+)"', lock)
    if not found:
        raise SystemExit(f"uv.lock pins no {name}")
    return found.group(1)


def peer_python() -> Path:
    """Return the peer venv's python, creating the venv (full argostranslate) if needed."""
    python = PEER_VENV / "bin" / "python"
    want = locked_version("argostranslate")
    check = (
        "import importlib.metadata as m, torch; "
        f"assert m.version('argostranslate') == {want!r}; "
        "assert torch.version.cuda is None, torch.__version__; print(torch.__version__)"
    )
    probe = [str(python), "-c", check]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return python
    print(f"creating the peer venv {PEER_VENV} (argostranslate {want}, CPU torch) ...", flush=True)
    shutil.rmtree(PEER_VENV, ignore_errors=True)
    base = shutil.which("python3") or sys.executable
    env = dict(os.environ)
    run([base, "-m", "venv", str(PEER_VENV)], env)
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    run([*pip, TORCH], env)  # first, so argostranslate's torch requirement is already met
    run([*pip, f"argostranslate=={want}"], env)
    run(probe, env)
    return python


# ---------------------------------------------------------------- contenders


def peer(
    data: DataSet, cfg: Settings, threads: tuple[int, int] | None, reps: int
) -> dict[str, Any]:
    """(a) argostranslate.translate.translate() on the whole article, in the peer venv."""
    env = dict(argos_env(), ARGOS_DEVICE_TYPE="cpu", ARGOS_BEAM_SIZE=str(cfg.beam))
    env["ARGOS_COMPUTE_TYPE"] = "int8"
    if threads:
        env["ARGOS_INTER_THREADS"], env["ARGOS_INTRA_THREADS"] = map(str, threads)
    job = {
        "paragraphs": data.paragraphs,
        "length": cfg.length,
        "reps": reps,
        "from_code": FROM,
        "to_code": TO,
    }
    return dict(run_json([str(peer_python()), str(PEER_SCRIPT)], job, env))


def worker(job: dict[str, Any]) -> dict[str, Any]:
    """Run ct2_worker in a fresh process of the project's environment."""
    cmd = [sys.executable, "-m", "bench.translate_throughput", "--worker"]
    return dict(run_json(cmd, job, argos_env()))


class Bare:
    """(b) CTranslate2's translate_batch over all pre-tokenized segments, nothing else."""

    def __init__(self, job: dict[str, Any]) -> None:
        import sentencepiece

        self.job = job
        self.package = next(p for p in PACKAGES.iterdir() if (p / "metadata.json").is_file())
        spm = sentencepiece.SentencePieceProcessor(
            model_file=str(self.package / "sentencepiece.model")
        )
        self.tokens = [spm.encode(s, out_type=str) for s in job["segments"]]
        self.translators: dict[tuple[int, int], Any] = {}
        self.lengths: set[int] = set()

    def translator(self, inter: int, intra: int) -> Any:
        """Return a loaded, warmed-up translator with these threads."""
        import ctranslate2

        if (inter, intra) not in self.translators:
            self.translators.clear()  # at most one model in memory
            model = str(self.package / "model")
            translator = ctranslate2.Translator(
                model, device="cpu", compute_type="int8", inter_threads=inter, intra_threads=intra
            )
            translator.translate_batch([self.tokens[0]], max_decoding_length=4)
            self.translators[inter, intra] = translator
        return self.translators[inter, intra]

    def time(self, setting: dict[str, Any]) -> float:
        """Translate every segment once with a setting; return the seconds it took."""
        translator = self.translator(setting["inter_threads"], setting["intra_threads"])
        start = time.perf_counter()
        out = translator.translate_batch(
            self.tokens,
            max_batch_size=setting["max_batch_size"],
            batch_type=setting["batch_type"],
            beam_size=self.job["beam"],
            max_decoding_length=self.job["length"],
            min_decoding_length=self.job["length"],
        )
        elapsed = time.perf_counter() - start
        self.lengths |= {len(r.hypotheses[0]) for r in out}
        return elapsed


class Job:
    """(c) The translate job `pipeline translate` runs, its engine loaded and warm."""

    def __init__(self, job: dict[str, Any]) -> None:
        from pipeline import jobs
        from pipeline.engines.argos import ArgosEngine

        self.engine = ArgosEngine(beam_size=job["beam"], max_decoding_length=job["length"])
        self.engine.translate([WARM_UP], FROM, TO)
        self.lengths: list[int] = []
        original = self.engine._translate_batch

        def recording(loaded: Any, batch: Any, prefix: Any, *rest: Any) -> Any:
            results = original(loaded, batch, prefix, *rest)
            self.lengths.extend(len(r.hypotheses[0]) for r in results)
            return results

        # Records decoded lengths only: the pipeline passes no min_decoding_length.
        self.engine._translate_batch = recording  # type: ignore[method-assign]
        self.draft = jobs.read_articles([Path(job["article"])], FROM)

    def time(self, name: str) -> tuple[float, float]:
        """Ingest into a fresh store (not timed), then time a first and a second run."""
        from pipeline import jobs
        from pipeline.store import open_store
        from pipeline.translate import TranslationJob

        times = []
        with open_store(str(fresh_store(name))) as db:
            jobs.ingest_articles(db, self.draft)
            for _ in range(2):  # the second run finds the article translated
                start = time.perf_counter()
                translate = TranslationJob(db, self.engine, db.documents(), [TO])
                translate.plan()
                translate.run()
                times.append(time.perf_counter() - start)
        return times[0], times[1]

    def settings(self) -> dict[str, Any]:
        """Return the engine's threads and batching."""
        names = ("inter_threads", "intra_threads", "max_batch_size", "batch_type")
        return {name: getattr(self.engine, name) for name in names}


def ct2_worker(job: dict[str, Any]) -> dict[str, Any]:
    """Time (b) for each setting and (c), interleaved rep by rep so both see the same load."""
    bare = Bare(job)
    pipeline = Job(job) if job.get("article") else None
    b: list[list[float]] = [[] for _ in job["settings"]]
    c: dict[str, list[float]] = {"first": [], "second": []}
    for rep in range(job["reps"]):
        for times, setting in zip(b, job["settings"], strict=True):
            times.append(bare.time(setting))
        if pipeline:
            first, second = pipeline.time(f"job-{rep}")
            c["first"].append(first)
            c["second"].append(second)
    out: dict[str, Any] = {
        "b": [{"setting": s, "times": t} for s, t in zip(job["settings"], b, strict=True)],
        "b_decoded": [min(bare.lengths), max(bare.lengths)],
    }
    if pipeline:
        out["c"] = c | {"decoded": [min(pipeline.lengths), max(pipeline.lengths)]}
        out["c"]["engine"] = pipeline.settings()
    return out


def fresh_store(name: str) -> Path:
    """Return the path of an empty store file under .bench/run."""
    path = WORK / "run" / f"{name}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def warm_cli() -> None:
    """Run the CLI once, untimed, so Python has compiled and cached every module it imports."""
    store = ["--store", str(fresh_store("cli-warm-up"))]
    pipeline = [sys.executable, "-m", "pipeline"]
    run([*pipeline, "ingest", str(SEED), *store], argos_env())
    run([*pipeline, "translate", "--to", TO, "--max-decoding-length", "2", *store], argos_env())


def cli(data: DataSet, cfg: Settings) -> dict[str, list[float]]:
    """(c) `python -m pipeline translate` as a user runs it: fresh store, first and second run."""
    env = argos_env()
    pipeline = [sys.executable, "-m", "pipeline"]
    translate = [*pipeline, "translate", str(data.path), "--to", TO]
    translate += ["--beam-size", str(cfg.beam), "--max-decoding-length", str(cfg.length)]
    out: dict[str, list[float]] = {"ingest": [], "first": [], "second": []}
    for rep in range(cfg.reps):
        store = ["--store", str(fresh_store(f"cli-{rep}"))]
        out["ingest"].append(run([*pipeline, "ingest", str(data.path), *store], env))
        out["first"].append(run([*translate, *store], env))
        out["second"].append(run([*translate, *store], env))
    return out


# ---------------------------------------------------------------- report


def rate(segments: int, times: Sequence[float]) -> float:
    """Return segments per second of the fastest repetition."""
    return segments / min(times)


def verdict(ok: bool) -> str:
    """Return PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def ratios(name: str, c: float, a: float, b: float, second: float) -> tuple[bool, str]:
    """Return whether c/a, c/b and second/first meet their targets, and a line saying so."""
    checks = ((c / a, 8.0, "c/a", ">= 8x"), (c / b, 0.9, "c/b", ">= 0.9"))
    line = f"  {name:<14}"
    for value, floor, label, target in checks:
        line += f"{label} = {value:6.3f}  ({target})  {verdict(value >= floor)}    "
    line += f"second/first = {second:6.2%}  (<= 2%)  {verdict(second <= 0.02)}"
    return c / a >= 8 and c / b >= 0.9 and second <= 0.02, line


def report(rows: list[dict[str, Any]], cfg: Settings) -> bool:
    """Print the table and the ratios; return whether every like-for-like target passed."""
    head = ("data set", "segs", "(a) argos", "(b) bare CT2", "(c) pipeline job", "(c) CLI")
    print(
        f"\nsegments/s, best of {cfg.reps} ((a) on the large set: {cfg.peer_reps}); "
        f"beam {cfg.beam}; every segment decoded to exactly {cfg.length} tokens"
    )
    print(f"{head[0]:<14}{head[1]:>6}" + "".join(f"{h:>18}" for h in head[2:]))
    for r in rows:
        figures = "".join(f"{r[k]:>18.1f}" for k in ("a", "b", "c", "c_cli"))
        print(f"{r['name']:<14}{r['segments']:>6}{figures}")
    ok = True
    print("\nratios, like for like (model loaded and warm; translation only):")
    for r in rows:
        passed, line = ratios(r["name"], r["c"], r["a"], r["b"], r["second"] / r["first"])
        ok &= passed
        print(line)
    print("ratios as a user runs it (c = CLI wall time: start, imports, model load, store):")
    for r in rows:
        second = r["cli_second"] / r["cli_first"]
        print(ratios(r["name"], r["c_cli"], r["a"], r["b"], second)[1])
    ingest = ", ".join(f"{r['name']} {min(r['ingest']):.2f} s" for r in rows)
    print(f"CLI ingest (not timed above): {ingest}")
    return ok


# ---------------------------------------------------------------- main


def measure(
    data: DataSet, cfg: Settings, peer_threads: tuple[int, int] | None, peer_reps: int
) -> dict[str, Any]:
    """Run every contender on one data set and return its row of figures."""
    n = len(data.segments)
    print(f"{data.name}: (a) argostranslate translate() ...", flush=True)
    a = peer(data, cfg, peer_threads, peer_reps)
    print(f"{data.name}: (b) bare CTranslate2 and (c) pipeline translate job ...", flush=True)
    job = {
        "segments": data.segments,
        "beam": cfg.beam,
        "length": cfg.length,
        "reps": cfg.reps,
        "settings": bare_settings(n),
        "article": str(data.path),
    }
    ct2 = worker(job)
    best = min(ct2["b"], key=lambda r: min(r["times"]))
    c = ct2["c"]
    print(f"{data.name}: (c) pipeline translate CLI ...", flush=True)
    c_cli = cli(data, cfg)
    for name, got in (("a", a["decoded"]), ("b", ct2["b_decoded"]), ("c", c["decoded"])):
        if got != [cfg.length, cfg.length]:
            raise SystemExit(f"({name}) decoded {got} tokens per segment, not {cfg.length}")
    print(f"  (a) settings {a['settings']}; {a['calls_per_article']} translate_batch calls")
    print(f"  (b) best of {[r['setting']['max_batch_size'] for r in ct2['b']]}: {best['setting']}")
    print(f"  (c) engine {c['engine']}")
    return {
        "name": data.name,
        "segments": n,
        "a": rate(n, a["times"]),
        "b": rate(n, best["times"]),
        "c": rate(n, c["first"]),
        "first": min(c["first"]),
        "second": min(c["second"]),
        "c_cli": rate(n, c_cli["first"]),
        "cli_first": min(c_cli["first"]),
        "cli_second": min(c_cli["second"]),
        "ingest": c_cli["ingest"],
    }


def sweep(data: DataSet, cfg: Settings) -> None:
    """Print bare CTranslate2's throughput for each candidate setting."""
    job = {"segments": data.segments, "beam": cfg.beam, "length": cfg.length}
    print(f"{data.name}: bare CTranslate2 sweep ...", flush=True)
    for r in worker({**job, "reps": cfg.reps, "settings": SWEEP})["b"]:
        print(f"  {r['setting']}: {rate(len(data.segments), r['times']):.1f} segments/s")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repetition of everything")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (best is reported)")
    parser.add_argument("--peer-reps", type=int, default=1, help="(a) reps on the large set")
    parser.add_argument("--length", type=int, default=32, help="tokens decoded per segment")
    parser.add_argument("--beam", type=int, default=None, help="beam size (pipeline's default)")
    parser.add_argument("--segments", type=int, default=500, help="size of the large set")
    parser.add_argument(
        "--peer-threads",
        choices=("matched", "argos"),
        default="matched",
        help="(a) threads: the pipeline's (default) or Argos's own defaults",
    )
    parser.add_argument("--sweep", action="store_true", help="search bare CTranslate2 settings")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare model, package, data and peer; measure; print the table and ratios."""
    args = parse(argv)
    if args.worker:
        job = json.loads(Path(args.files[0]).read_text(encoding="utf-8"))
        result = ct2_worker(job)
        Path(args.files[1]).write_text(json.dumps(result), encoding="utf-8")
        return 0
    from pipeline.engines.argos import DEFAULT_BEAM_SIZE, default_threads

    reps = 1 if args.quick else args.reps
    cfg = Settings(args.length, args.beam or DEFAULT_BEAM_SIZE, reps, min(args.peer_reps, reps))
    started = time.perf_counter()
    install_model(build_model())
    peer_python()
    sets = data_sets(args.segments)
    if args.sweep:
        sweep(sets[1], cfg)
    warm_cli()
    threads = default_threads() if args.peer_threads == "matched" else None
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    rows = [
        measure(sets[0], cfg, threads, cfg.reps),
        measure(sets[1], cfg, threads, cfg.peer_reps),
    ]
    ok = report(rows, cfg)
    print(
        f"\nload average at end: {os.getloadavg()[0]:.2f}; "
        f"whole benchmark {time.perf_counter() - started:.0f} s"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
