"""`pipeline models build | catalogue | evaluate`: make packages from open models, choose, score."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import MAX_BEAM, MAX_DECODING
from pipeline.errors import PackageError


def register(models_app: typer.Typer) -> None:
    """Add the build, catalogue and evaluate commands to the `pipeline models` sub-app."""
    models_app.command("build")(build)
    models_app.command("catalogue")(catalogue)
    models_app.command("evaluate")(evaluate)


def _mb(path: Path) -> str:
    """Return a file's size in MB for people."""
    return f"{path.stat().st_size / 1e6:.1f} MB"


def build(
    model: Annotated[
        str, typer.Argument(help="Hugging Face model id, or a local directory holding one.")
    ],
    to: Annotated[
        str, typer.Option("--to", help="Target languages, comma-separated: one package each.")
    ],
    from_code: Annotated[str, typer.Option("--from", help="Source language.")] = "en",
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the .argosmodel files.")
    ] = Path("."),
    quantization: Annotated[
        str, typer.Option("--quantization", help="CTranslate2 weight type (int8, float16, ...).")
    ] = "int8",
    version: Annotated[str, typer.Option("--version", help="Package version.")] = "1.0",
    tag: Annotated[
        str | None,
        typer.Option(
            "--tag",
            help="Model tag in the package code (default e.g. nllb600m).",
            show_default=False,
        ),
    ] = None,
    revision: Annotated[
        str | None,
        typer.Option("--revision", help="Hugging Face revision to download.", show_default=False),
    ] = None,
    source_token: Annotated[
        str | None,
        typer.Option(
            "--source-token", help="Source language token, e.g. eng_Latn.", show_default=False
        ),
    ] = None,
    target_token: Annotated[
        str | None,
        typer.Option(
            "--target-token", help="Target token, e.g. mya_Mymr or >>mya<<.", show_default=False
        ),
    ] = None,
    install: Annotated[
        bool, typer.Option("--install", help="Install each package once it is built.")
    ] = False,
) -> None:
    """Convert an NLLB-200, M2M-100 or OPUS-MT model into Argos packages, one per direction.

    The model is downloaded from Hugging Face (or read from a local folder), converted once
    with CTranslate2 and packed as one .argosmodel file per target language, which
    `pipeline models install` installs offline. Needs the 'convert' extra (transformers;
    torch, CPU build). See `pipeline models catalogue` for licences and scores.

    Example: pipeline models build facebook/nllb-200-distilled-600M --to my,hi
    """
    from pipeline.build import build_packages
    from pipeline.catalogue import is_non_commercial
    from pipeline.packages import install_package

    targets = [code.strip() for code in to.split(",") if code.strip()]
    built = build_packages(
        model,
        from_code,
        targets,
        output,
        quantization=quantization,
        version=version,
        tag=tag,
        revision=revision,
        source_token=source_token,
        target_token=target_token,
        log=lambda message: typer.echo(message, err=True),
    )
    for package in built:
        licence = package.licence
        if is_non_commercial(licence):
            licence += " (non-commercial use only)"
        typer.echo(
            f"built {package.code} {package.version} ({package.from_code} → {package.to_code})"
            f" in {package.archive} ({_mb(package.archive)}); licence {licence}"
        )
        if install:
            installed = install_package(package.archive)
            typer.echo(f"installed {installed.code} in {installed.path}")
        else:
            typer.echo(f"  install it: pipeline models install {package.archive}")


def catalogue(
    from_code: Annotated[str, typer.Option("--from", help="Source language.")] = "en",
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="Target language (default: every listed pair).", show_default=False
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per model.")] = False,
) -> None:
    """List open MT models for en→my and en→hi: licence, size, published chrF++, advice.

    Scores are FLORES-200 devtest chrF++ from the OPUS-MT and External-MT leaderboards,
    each row naming its source. NLLB-200 is non-commercial (CC-BY-NC-4.0); OPUS-MT
    (CC-BY-4.0) and M2M-100 (MIT) allow commercial use.

    Example: pipeline models catalogue --to my
    """
    from pipeline import catalogue as cat
    from pipeline.cli.models import _table

    pairs = [(a, b) for a, b in cat.pairs() if a == from_code and (to is None or b == to)]
    if not pairs:
        listed = ", ".join(f"{a}→{b}" for a, b in cat.pairs())
        raise PackageError(
            f"the catalogue has no {from_code}→{to or '*'} models; it lists {listed}"
        )
    for index, (a, b) in enumerate(pairs):
        entries = cat.entries(a, b)
        if as_json:
            for entry in entries:
                typer.echo(json.dumps(asdict(entry), ensure_ascii=False))
            continue
        if index:
            typer.echo("")
        typer.echo(f"{a} → {b}: FLORES-200 devtest chrF++ (higher is better)")
        rows = [("MODEL", "CHRF++", "LICENCE", "PARAMS", "INT8 SIZE", "SOURCE", "RECOMMENDED")]
        rows += [
            (
                e.model.name,
                f"{e.score.chrf_pp:.1f}",
                e.model.licence.spdx,
                f"{e.model.parameters_m}M",
                f"~{e.model.package_mb} MB",
                e.score.source.name.split(" (")[0].split(",")[0],
                " + ".join(f"{use} use" for use in e.recommended_for) or "-",
            )
            for e in entries
        ]
        typer.echo(_table(rows))
        for e in entries:
            if e.model.note:
                typer.echo(f"  {e.model.name}: {e.model.note}")
        for use in cat.Use:
            best = cat.recommend(a, b, use)
            typer.echo(f"  {use} use: pipeline models build {best.name} --from {a} --to {b}")
    if not as_json:
        typer.echo("\nSources (figures as published, not re-measured here):")
        for source in (cat.OPUS_MT_LEADERBOARD, cat.EXTERNAL_MT_LEADERBOARD):
            typer.echo(f"  {source.name}: {source.url}")


def evaluate(
    model: Annotated[str, typer.Argument(help="Installed package code (pipeline models list).")],
    source: Annotated[
        Path, typer.Option("--source", help="Source segments, one per line.", show_default=False)
    ],
    ref: Annotated[
        Path,
        typer.Option("--ref", help="Reference translations, line by line.", show_default=False),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Also write the translations here.", show_default=False
        ),
    ] = None,
    beam_size: Annotated[
        int, typer.Option("--beam-size", min=1, max=MAX_BEAM, help="Beam size.")
    ] = 2,
    max_decoding_length: Annotated[
        int,
        typer.Option(
            "--max-decoding-length", min=1, max=MAX_DECODING, help="Longest output, in tokens."
        ),
    ] = 256,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Score an installed package on your own test set: chrF++ and BLEU (sacrebleu).

    The source and reference files must have the same number of lines. For Burmese, BLEU
    is spBLEU when sacrebleu's FLORES-200 tokenizer model is on disk, else BLEU on characters.

    Example: pipeline models evaluate translate-en_my-nllb600m --source en.txt --ref my.txt
    """
    from pipeline.engines.argos import ArgosEngine
    from pipeline.evaluate import evaluate_package

    engine = ArgosEngine(beam_size=beam_size, max_decoding_length=max_decoding_length)
    result = evaluate_package(model, source, ref, engine=engine, output=output)
    if as_json:
        data = asdict(result)
        data["model"] = json.loads(result.model.to_json())
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    typer.echo(
        f"{result.package} ({result.source_lang} → {result.target_lang}),"
        f" {result.segments} segments"
    )
    width = max(len(s.name) for s in result.scores)
    for metric in result.scores:
        typer.echo(f"{metric.name.ljust(width)}  {metric.score:5.1f}  {metric.signature}")
    if result.note:
        typer.echo(f"note: {result.note}")
    typer.echo(f"model: {result.model.to_json()}")
