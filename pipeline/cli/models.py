"""`pipeline models`: list, find, install and remove Argos translation packages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import PackageError

app = typer.Typer(
    name="models",
    help="Manage the Argos translation packages the argos engine uses.\n\n"
    "Example: pipeline models install en my",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _size(size: int) -> str:
    """Return a byte count for people: 1.2 MB."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def _pair(from_code: str, to_code: str) -> str:
    """Return a language pair with English names: English (en) → Burmese (my)."""
    from pipeline.packages import language_name

    return f"{language_name(from_code)} ({from_code}) → {language_name(to_code)} ({to_code})"


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Return rows as left-aligned columns, the last column left ragged."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]])
        for row in rows
    )


@app.command("list")
def list_packages() -> None:
    """List installed packages: code, languages, version, size on disk and folder.

    Example: pipeline models list
    """
    from pipeline.packages import installed_packages, packages_dir

    packages = installed_packages()
    if not packages:
        typer.echo(f"no packages in {packages_dir()}; install one: pipeline models install en my")
        return
    rows = [("CODE", "LANGUAGES", "VERSION", "SIZE", "PATH")]
    rows += [
        (p.code, _pair(p.from_code, p.to_code), p.version, _size(p.size), str(p.path))
        for p in packages
    ]
    typer.echo(_table(rows))


@app.command()
def available(
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Download the index again instead of the cache.")
    ] = False,
) -> None:
    """List the packages in the Argos package index (cached after the first download).

    Example: pipeline models available --refresh
    """
    from pipeline.packages import available_packages, installed_packages

    installed = {(p.from_code, p.to_code) for p in installed_packages()}
    rows = [("CODE", "LANGUAGES", "VERSION", "")]
    rows += [
        (
            p.code,
            _pair(p.from_code, p.to_code),
            p.version,
            "installed" if (p.from_code, p.to_code) in installed else "",
        )
        for p in available_packages(refresh=refresh)
    ]
    typer.echo(_table(rows))


@app.command()
def install(
    what: Annotated[
        list[str],
        typer.Argument(
            metavar="FROM TO | FILE",
            help="Two language codes to download from the index, or a .argosmodel file.",
            show_default=False,
        ),
    ],
) -> None:
    """Install a package: download FROM→TO from the Argos index, or install a local file.

    The archive is checked before anything is written, and a bad one leaves nothing behind.

    Example: pipeline models install en my
    """
    from pipeline.packages import install_from_index, install_package

    if len(what) == 1 and Path(what[0]).is_file():
        package = install_package(Path(what[0]))
    elif len(what) == 2:
        package = install_from_index(what[0], what[1])
    elif len(what) == 1:
        raise PackageError(
            f"{what[0]} is not a file; give a .argosmodel file or two language codes,"
            " e.g. `pipeline models install en my`"
        )
    else:
        raise typer.BadParameter("give FROM TO (two language codes) or one .argosmodel file")
    pair = _pair(package.from_code, package.to_code)
    typer.echo(f"installed {package.code} {package.version} ({pair}) in {package.path}")


@app.command()
def remove(
    code: Annotated[str, typer.Argument(help="Package code, as `pipeline models list` shows.")],
) -> None:
    """Remove an installed package.

    Example: pipeline models remove translate-en_my
    """
    from pipeline.packages import remove_package

    package = remove_package(code)
    typer.echo(f"removed {package.code} from {package.path}")
