"""The Argos package index: fetch and cache it, list it, download a package from it."""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import PackageError
from pipeline.packages import (
    CHUNK,
    AvailablePackage,
    InstalledPackage,
    find_package,
    package_code,
    same_pair,
)
from pipeline.packages.install import already_installed, install_package

DOWNLOAD_TIMEOUT = 60


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
            if same_pair((package.from_code, package.to_code), (from_code, to_code)):
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
        raise already_installed(existing.code, existing.path)
    archive = download_package(from_code, to_code)
    try:
        return install_package(archive)
    finally:
        archive.unlink(missing_ok=True)
