"""Argos Translate packages: list, fetch the index, download, validate, install and remove.

Packages live in Argos's own layout (one directory per package holding metadata.json, a
CTranslate2 ``model/`` and a tokenizer), so stock argostranslate and this module can use each
other's installs. argostranslate is imported lazily: importing its settings creates directories
under the home directory, and its installer imports torch, so only its paths are used here.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pipeline.errors import PackageError

CHUNK = 1024**2  # bytes copied at a time when unpacking or downloading


class TokenizerKind(StrEnum):
    """How a package tokenizes text."""

    SENTENCEPIECE = "sentencepiece"  # sentencepiece.model for both sides
    BPE = "bpe"  # bpe.model (subword-nmt codes over Moses tokens)
    SPM_PAIR = "spm-pair"  # source.spm and target.spm (OPUS-MT / Marian)


# Where each tokenizer's files live relative to the package directory; the first match wins.
TOKENIZER_FILES: tuple[tuple[TokenizerKind, tuple[str, ...]], ...] = (
    (TokenizerKind.SENTENCEPIECE, ("sentencepiece.model",)),
    (TokenizerKind.BPE, ("bpe.model",)),
    (TokenizerKind.SPM_PAIR, ("source.spm", "target.spm")),
    (TokenizerKind.SPM_PAIR, ("model/source.spm", "model/target.spm")),
)
VOCABULARIES = tuple(f"{s}_vocabulary.{e}" for s in ("shared", "source") for e in ("json", "txt"))


@dataclass(frozen=True)
class InstalledPackage:
    """A package installed in the packages directory."""

    code: str
    from_code: str
    to_code: str
    version: str
    argos_version: str
    size: int
    path: Path
    target_prefix: str
    tokenizer: TokenizerKind | None
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def model_dir(self) -> Path:
        """Return the CTranslate2 model directory."""
        return self.path / "model"


@dataclass(frozen=True)
class AvailablePackage:
    """A package listed in the Argos package index."""

    code: str
    from_code: str
    from_name: str
    to_code: str
    to_name: str
    version: str
    argos_version: str
    links: tuple[str, ...]
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)


def packages_dir() -> Path:
    """Return the packages directory: $ARGOS_PACKAGES_DIR, else argostranslate's setting."""
    # Read the environment at call time: argostranslate.settings freezes it at import.
    env = os.environ.get("ARGOS_PACKAGES_DIR")
    if env:
        return Path(env).expanduser()
    from argostranslate import settings

    return Path(settings.package_data_dir)


def package_code(metadata: dict[str, Any]) -> str:
    """Return a package's code as argospm names it (translate-FROM_TO)."""
    code = metadata.get("code")
    if isinstance(code, str) and code:
        return code
    kind = metadata.get("type") or "translate"
    return f"{kind}-{metadata['from_code']}_{metadata['to_code']}"


def language_name(code: str) -> str:
    """Return a language's English and native names (Burmese — မြန်မာ), else the code."""
    from pipeline.errors import LanguageError
    from pipeline.locale import display_name

    try:
        return display_name(code)
    except LanguageError:
        return code


def tokenizer_kind(path: Path) -> TokenizerKind | None:
    """Return which tokenizer files a package directory holds."""
    for kind, files in TOKENIZER_FILES:
        if all((path / name).is_file() for name in files):
            return kind
    return None


def disk_size(path: Path) -> int:
    """Return the bytes used by the files under path."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file())


def check_metadata(metadata: Any) -> None:
    """Raise ValueError unless metadata is an object naming its from and to languages."""
    if not isinstance(metadata, dict):
        raise ValueError("metadata.json is not a JSON object")
    for key in ("from_code", "to_code"):
        value = metadata.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"metadata.json does not name {key}")


def read_package(path: Path) -> InstalledPackage:
    """Read an installed package directory."""
    try:
        metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        check_metadata(metadata)
    except (OSError, ValueError) as err:
        raise PackageError(f"package at {path} has no readable metadata.json: {err}") from None
    return InstalledPackage(
        code=package_code(metadata),
        from_code=metadata["from_code"],
        to_code=metadata["to_code"],
        version=str(metadata.get("package_version", "")),
        argos_version=str(metadata.get("argos_version", "")),
        size=disk_size(path),
        path=path,
        target_prefix=str(metadata.get("target_prefix") or ""),
        tokenizer=tokenizer_kind(path),
        metadata=metadata,
    )


def installed_packages() -> list[InstalledPackage]:
    """Return the installed packages, sorted by code."""
    root = packages_dir()
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.iterdir()):
        # Dot-directories are our own in-progress installs and removals.
        if path.name.startswith(".") or not (path / "metadata.json").is_file():
            continue
        try:
            found.append(read_package(path))
        except PackageError:
            continue  # a broken directory is not a package; stock Argos would fail on it too
    return sorted(found, key=lambda p: (p.code, p.path.name))


def find_package(from_code: str, to_code: str) -> InstalledPackage | None:
    """Return the installed package translating from_code into to_code, if any."""
    for package in installed_packages():
        if same_pair((package.from_code, package.to_code), (from_code, to_code)):
            return package
    return None


def pair_key(from_code: str, to_code: str) -> tuple[str, str]:
    """Return a package's pair as the store keys languages (Argos ``zt`` is ``zh-Hant``).

    >>> pair_key("en", "zt"), pair_key("en", "xx-unknown")
    (('en', 'zh-Hant'), ('en', 'xx-unknown'))
    """
    from pipeline.locale import canonical_or_none

    return (canonical_or_none(from_code) or from_code, canonical_or_none(to_code) or to_code)


def same_pair(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Return whether two pairs name the same languages, however each code is spelled."""
    return pair_key(*a) == pair_key(*b)


def remove_package(code: str) -> InstalledPackage:
    """Remove an installed package by its code (or directory name) and return it."""
    matches = [p for p in installed_packages() if code in (p.code, p.path.name)]
    if not matches:
        raise PackageError(f"no installed package {code!r}; see `pipeline models list`")
    package = matches[0]
    root = packages_dir()
    if package.path.is_symlink():
        package.path.unlink()  # a linked package belongs to someone else: drop only the link
        return package
    # Rename first so a crash mid-delete never leaves a half package that looks installed.
    doomed = Path(tempfile.mkdtemp(prefix=".remove-", dir=root))
    os.rename(package.path, doomed / package.path.name)
    shutil.rmtree(doomed)
    return package


# The installer and the index client live in their own modules; re-exported for callers.
__all__ = [
    "AvailablePackage",
    "InstalledPackage",
    "TokenizerKind",
    "available_packages",
    "check_metadata",
    "download_package",
    "downloads_dir",
    "find_available",
    "find_package",
    "index_cache",
    "index_url",
    "install_from_index",
    "install_package",
    "installed_packages",
    "language_name",
    "package_code",
    "packages_dir",
    "read_package",
    "refresh_index",
    "remove_package",
    "tokenizer_kind",
]

from pipeline.packages.index import (  # noqa: E402
    available_packages,
    download_package,
    downloads_dir,
    find_available,
    index_cache,
    index_url,
    install_from_index,
    refresh_index,
)
from pipeline.packages.install import install_package  # noqa: E402
