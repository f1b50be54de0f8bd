"""Validate an .argosmodel archive completely, then install it atomically."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from pipeline.errors import PackageError
from pipeline.inputs import RefusedFileError, open_regular
from pipeline.packages import (
    CHUNK,
    TOKENIZER_FILES,
    VOCABULARIES,
    InstalledPackage,
    check_metadata,
    installed_packages,
    package_code,
    packages_dir,
    read_package,
)

MAX_UNPACKED_BYTES = 8 * 1024**3  # NLLB-derived packages reach a few GB; nothing real is near 8
MAX_RATIO = 100  # model weights compress about 1.1:1 and vocabularies about 4:1
RATIO_FLOOR = 1024**2  # small files (configs, READMEs) may compress well without being bombs
MAX_ENTRIES = 10_000


def _member_parts(info: zipfile.ZipInfo) -> tuple[str, ...]:
    """Return the path parts of a zip entry, refusing anything that could escape."""
    name = info.filename
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise PackageError(f"archive entry {name!r} has an absolute or Windows path; not installed")
    parts = tuple(p for p in PurePosixPath(name).parts if p != ".")
    if not parts or ".." in parts:
        raise PackageError(f"archive entry {name!r} points outside the package; not installed")
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if stat.S_ISLNK(mode):
        raise PackageError(f"archive entry {name!r} is a symbolic link; not installed")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise PackageError(f"archive entry {name!r} is not a regular file; not installed")
    if info.flag_bits & 0x1:
        raise PackageError(f"archive entry {name!r} is encrypted; not installed")
    return parts


def _check_sizes(infos: list[zipfile.ZipInfo], max_bytes: int, max_ratio: float) -> None:
    """Refuse archives that would unpack to too much data (zip bombs)."""
    if len(infos) > MAX_ENTRIES:
        raise PackageError(f"archive has {len(infos)} entries (limit {MAX_ENTRIES}); not installed")
    total = sum(info.file_size for info in infos)
    if total > max_bytes:
        raise PackageError(
            f"archive would unpack to {total} bytes (limit {max_bytes}); not installed"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > max_ratio:
            raise PackageError(
                f"archive entry {info.filename!r} expands {ratio:.0f}:1 (limit {max_ratio:.0f}:1),"
                " a likely zip bomb; not installed"
            )


def _check_layout(files: set[str], archive: str) -> None:
    """Refuse packages without a CTranslate2 model or a tokenizer."""
    if "model/model.bin" not in files:
        raise PackageError(f"{archive} has no CTranslate2 model (model/model.bin); not installed")
    # CTranslate2 < 3 wrote no config.json, so a vocabulary also proves a converted model.
    if not any(f"model/{name}" in files for name in ("config.json", *VOCABULARIES)):
        raise PackageError(f"{archive} has no model/config.json or vocabulary; not installed")
    if not any(all(name in files for name in names) for _, names in TOKENIZER_FILES):
        raise PackageError(
            f"{archive} has no tokenizer (sentencepiece.model, bpe.model or source.spm and"
            " target.spm); not installed"
        )


@dataclass(frozen=True)
class _Plan:
    """A validated archive: its top directory, its entries and its metadata."""

    top: str
    entries: list[tuple[zipfile.ZipInfo, tuple[str, ...]]]
    metadata: dict[str, Any]


def _plan(zf: zipfile.ZipFile, archive: str, max_bytes: int, max_ratio: float) -> _Plan:
    """Validate an open archive without writing anything."""
    infos = zf.infolist()
    _check_sizes(infos, max_bytes, max_ratio)
    entries = [(info, _member_parts(info)) for info in infos]
    tops = {parts[0] for _, parts in entries}
    if len(tops) != 1:
        raise PackageError(
            f"{archive} must hold exactly one top directory, found {len(tops)}; not installed"
        )
    top = tops.pop()
    if top.startswith(".") or any(len(p) == 1 and not i.is_dir() for i, p in entries):
        raise PackageError(f"{archive} must hold one package directory at its top; not installed")
    names = ["/".join(parts[1:]) for info, parts in entries if not info.is_dir()]
    if len(names) != len(set(names)):
        raise PackageError(f"{archive} has duplicate entries; not installed")
    if "metadata.json" not in names:
        raise PackageError(f"{archive} has no metadata.json; not installed")
    info = next(i for i, p in entries if p[1:] == ("metadata.json",) and not i.is_dir())
    try:
        metadata = json.loads(zf.read(info).decode("utf-8"))
        check_metadata(metadata)
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise PackageError(f"{archive}: metadata.json is invalid ({err}); not installed") from None
    _check_layout(set(names), archive)
    return _Plan(top, entries, metadata)


def already_installed(code: str, where: Path) -> PackageError:
    """Return the error for a package that would overwrite an installed one."""
    return PackageError(
        f"{code} is already installed at {where}; remove it first with"
        f" `pipeline models remove {code}`"
    )


def _refuse_overwrite(plan: _Plan, root: Path) -> None:
    """Refuse to replace an installed package: same code, same pair or same directory."""
    code, pair = package_code(plan.metadata), (plan.metadata["from_code"], plan.metadata["to_code"])
    for p in installed_packages():
        if p.code == code or (p.from_code, p.to_code) == pair:
            raise already_installed(p.code, p.path)
    if (root / plan.top).exists():
        raise already_installed(code, root / plan.top)


def _extract(zf: zipfile.ZipFile, plan: _Plan, dest: Path) -> None:
    """Write the validated entries under dest, counting bytes since headers can lie."""
    for info, parts in plan.entries:
        target = dest.joinpath(*parts)
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with zf.open(info) as source, open(target, "xb") as sink:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > info.file_size:
                    raise PackageError(
                        f"archive entry {info.filename!r} is larger than it declares; not installed"
                    )
                sink.write(chunk)
        if written != info.file_size:  # complete by its CRC, yet not what the header says
            raise PackageError(
                f"archive entry {info.filename!r} is smaller than it declares; not installed"
            )


def _install_from(handle: BinaryIO, name: str, max_bytes: int, max_ratio: float) -> Path:
    """Validate the open archive, unpack it beside the packages, rename it in; return its path."""
    if not zipfile.is_zipfile(handle):
        raise PackageError(f"{name} is not a zip archive (.argosmodel); not installed")
    root = packages_dir()
    try:
        with zipfile.ZipFile(handle) as zf:
            plan = _plan(zf, name, max_bytes, max_ratio)
            _refuse_overwrite(plan, root)
            root.mkdir(parents=True, exist_ok=True)
            # Unpack beside the destination so the final rename is atomic (same filesystem).
            staging = Path(tempfile.mkdtemp(prefix=".install-", dir=root))
            try:
                _extract(zf, plan, staging)
                os.rename(staging / plan.top, root / plan.top)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as err:
        raise PackageError(f"{name} is a damaged zip archive ({err}); not installed") from None
    except OSError as err:
        raise PackageError(f"cannot install {name}: {err}") from None
    return root / plan.top


def install_package(
    archive: Path, *, max_bytes: int = MAX_UNPACKED_BYTES, max_ratio: float = MAX_RATIO
) -> InstalledPackage:
    """Validate an .argosmodel archive, then install it atomically into the packages directory."""
    name = Path(archive).name
    try:
        handle = open_regular(Path(archive))
    except (OSError, RefusedFileError) as err:
        why = err if isinstance(err, RefusedFileError) else "does not exist or cannot be read"
        raise PackageError(f"{archive}: {why}; not installed") from None
    with handle:
        return read_package(_install_from(handle, name, max_bytes, max_ratio))
