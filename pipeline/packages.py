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
import stat
import tempfile
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.errors import PackageError

MAX_UNPACKED_BYTES = 8 * 1024**3  # NLLB-derived packages reach a few GB; nothing real is near 8
MAX_RATIO = 100  # model weights compress about 1.1:1 and vocabularies about 4:1
RATIO_FLOOR = 1024**2  # small files (configs, READMEs) may compress well without being bombs
MAX_ENTRIES = 10_000
DOWNLOAD_TIMEOUT = 60
CHUNK = 1024**2


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
    """Return the English name of a language code, or the code if babel does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name("en")
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return name or code


def tokenizer_kind(path: Path) -> TokenizerKind | None:
    """Return which tokenizer files a package directory holds."""
    for kind, files in TOKENIZER_FILES:
        if all((path / name).is_file() for name in files):
            return kind
    return None


def disk_size(path: Path) -> int:
    """Return the bytes used by the files under path."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file())


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
        if package.from_code == from_code and package.to_code == to_code:
            return package
    return None


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


def check_metadata(metadata: Any) -> None:
    """Raise ValueError unless metadata is an object naming its from and to languages."""
    if not isinstance(metadata, dict):
        raise ValueError("metadata.json is not a JSON object")
    for key in ("from_code", "to_code"):
        value = metadata.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"metadata.json does not name {key}")


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


def _already_installed(code: str, where: Path) -> PackageError:
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
            raise _already_installed(p.code, p.path)
    if (root / plan.top).exists():
        raise _already_installed(code, root / plan.top)


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


def install_package(
    archive: Path, *, max_bytes: int = MAX_UNPACKED_BYTES, max_ratio: float = MAX_RATIO
) -> InstalledPackage:
    """Validate an .argosmodel archive, then install it atomically into the packages directory."""
    name = Path(archive).name
    if not Path(archive).is_file():
        raise PackageError(f"{archive} does not exist or is not a file")
    if not zipfile.is_zipfile(archive):
        raise PackageError(f"{name} is not a zip archive (.argosmodel); not installed")
    root = packages_dir()
    try:
        with zipfile.ZipFile(archive) as zf:
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
    return read_package(root / plan.top)


def index_url() -> str:
    """Return the URL of the Argos package index ($ARGOS_PACKAGE_INDEX or Argos's setting)."""
    base = os.environ.get("ARGOS_PACKAGE_INDEX")
    if not base:
        from argostranslate import settings

        base = str(settings.package_index)
    return base.rstrip("/") + "/index.json"


def index_cache() -> Path:
    """Return where the index is cached: the file argostranslate itself reads."""
    from argostranslate import settings

    return Path(settings.local_package_index)


def downloads_dir() -> Path:
    """Return where downloaded packages are kept: argostranslate's downloads directory."""
    from argostranslate import settings

    return Path(settings.downloads_dir)


def _fetch(url: str, dest: Path) -> None:
    """Download url to dest through a temporary file, so dest is whole or absent."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    request = urllib.request.Request(url, headers={"User-Agent": "pipeline (argos packages)"})
    partial = dest.with_name(dest.name + ".part")
    try:
        with (
            urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response,
            open(partial, "wb") as sink,
        ):
            shutil.copyfileobj(response, sink, CHUNK)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


def refresh_index() -> Path:
    """Download the package index into the cache and return the cache path."""
    url, cache = index_url(), index_cache()
    try:
        _fetch(url, cache)
    except (OSError, ValueError) as err:  # URLError and timeouts are OSErrors
        reason = getattr(err, "reason", err)
        cached = "a cached copy exists" if cache.is_file() else "no cached copy exists"
        raise PackageError(
            f"cannot reach the package index at {url} ({reason}); {cached}"
        ) from None
    return cache


def _parse_index(cache: Path) -> Iterator[AvailablePackage]:
    """Yield the translation packages listed in a cached index file."""
    try:
        entries = json.loads(cache.read_text(encoding="utf-8"))
        if not isinstance(entries, list):
            raise ValueError("not a JSON list")
    except (OSError, ValueError) as err:
        raise PackageError(
            f"the cached package index {cache} is unreadable ({err});"
            " run `pipeline models available --refresh`"
        ) from None
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("from_code") or not entry.get("to_code"):
            continue
        yield AvailablePackage(
            code=package_code(entry),
            from_code=entry["from_code"],
            from_name=str(entry.get("from_name", "")),
            to_code=entry["to_code"],
            to_name=str(entry.get("to_name", "")),
            version=str(entry.get("package_version", "")),
            argos_version=str(entry.get("argos_version", "")),
            links=tuple(str(link) for link in entry.get("links", ())),
            metadata=entry,
        )


def available_packages(refresh: bool = False) -> list[AvailablePackage]:
    """Return the packages in the Argos index, from the cache unless refresh or none is cached."""
    cache = index_cache()
    if refresh or not cache.is_file():
        refresh_index()
    return sorted(_parse_index(cache), key=lambda p: p.code)


def find_available(from_code: str, to_code: str) -> AvailablePackage:
    """Return the index entry for a pair, refreshing a cached index once if it lacks it."""
    # A stale cache may predate the package; a fresh download needs no second try.
    attempts = (False, True) if index_cache().is_file() else (False,)
    for refresh in attempts:
        for package in available_packages(refresh=refresh):
            if (package.from_code, package.to_code) == (from_code, to_code):
                return package
    raise PackageError(
        f"the Argos index has no package {from_code}→{to_code}; see `pipeline models available`"
    )


def download_package(from_code: str, to_code: str) -> Path:
    """Download the index's package for a pair and return the .argosmodel path."""
    package = find_available(from_code, to_code)
    urls = [link for link in package.links if link.startswith(("https://", "http://"))]
    if not urls:
        raise PackageError(f"the index lists no http(s) download for {package.code}")
    dest = downloads_dir() / f"{package.code}-{package.version.replace('.', '_')}.argosmodel"
    errors = []
    for url in urls:
        try:
            _fetch(url, dest)
        except (OSError, ValueError) as err:
            errors.append(f"{url}: {getattr(err, 'reason', err)}")
            continue
        if zipfile.is_zipfile(dest):
            return dest
        dest.unlink()
        errors.append(f"{url}: not a zip archive")
    raise PackageError(f"cannot download {package.code} ({'; '.join(errors)})")


def install_from_index(from_code: str, to_code: str) -> InstalledPackage:
    """Download the index's package for a pair, install it and delete the download."""
    existing = find_package(from_code, to_code)
    if existing is not None:
        raise _already_installed(existing.code, existing.path)
    archive = download_package(from_code, to_code)
    try:
        return install_package(archive)
    finally:
        archive.unlink(missing_ok=True)
