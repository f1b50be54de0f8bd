"""What this copy of the pipeline is and how it was installed: versions, missing extras.

Everything here reads installed distributions' metadata (``importlib.metadata``) and imports
none of the libraries it names, so ``pipeline --version`` stays as fast as ``--help``.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import shlex
import sys
from importlib import metadata

from pipeline import __version__

DISTRIBUTION = "pipeline"
# What --version reports beside the pipeline itself: the libraries a translation depends on.
LIBRARIES = ("ctranslate2", "sentencepiece", "argostranslate")
# torch is never a declared requirement: from the package index it is a CUDA build of
# several GB, and conversion runs on the CPU build from PyTorch's own index.
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# The import name of each distribution an extra needs, where the two differ.
IMPORT_NAMES = {"protobuf": "google.protobuf"}


def distribution_version(name: str) -> str | None:
    """Return an installed distribution's version, None when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def version_lines() -> list[str]:
    """Return the lines of ``pipeline --version``: ours, the store schema, the libraries."""
    from pipeline.store.schema import SCHEMA_VERSION

    lines = [
        f"pipeline {__version__}",
        f"store schema {SCHEMA_VERSION}",
        *(f"{name} {distribution_version(name) or 'not installed'}" for name in LIBRARIES),
        f"python {platform.python_version()}",
    ]
    return lines


def extra_requirements(extra: str) -> list[str]:
    """Return the requirements the pipeline's metadata declares for extra, without markers."""
    from packaging.requirements import Requirement

    try:
        declared = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return []
    found = []
    for line in declared:
        requirement = Requirement(line)
        if requirement.marker is not None and requirement.marker.evaluate({"extra": extra}):
            requirement.marker = None
            found.append(str(requirement))
    return found


def _name(requirement: str) -> str:
    from packaging.requirements import Requirement

    return Requirement(requirement).name


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_convert_extra() -> str | None:
    """Return one line saying exactly what to install for model conversion, None if nothing."""
    requirements = extra_requirements("convert")
    missing = [r for r in requirements if not _importable(IMPORT_NAMES.get(_name(r), _name(r)))]
    torch_missing = not _importable("torch")
    if not missing and not torch_missing:
        return None
    names = [_name(r) for r in missing] + (["torch (CPU build)"] if torch_missing else [])
    steps = []
    if missing:
        steps.append(install_command(missing, extra="convert"))
    if torch_missing:
        steps.append(install_command(["torch"], index=TORCH_CPU_INDEX))
    return (
        f"model conversion needs the 'convert' extra and a CPU build of torch; missing here:"
        f" {', '.join(names)}. Install them with: {' && '.join(steps)}"
    )


def install_command(
    requirements: list[str], *, extra: str | None = None, index: str | None = None
) -> str:
    """Return the command that installs requirements into this environment, as it was made.

    A uv project checkout gets ``uv sync --extra``; an environment uv made gets ``uv pip
    install --python``; anything else gets this interpreter's ``pip``.
    """
    how = installer()
    if extra is not None and how == "uv-project":
        return f"uv sync --extra {extra}"
    words = list(requirements)
    if index is not None:
        words += ["--index-url", index]
    if how in ("uv", "uv-project"):
        # --no-config: a project's uv settings would drop torch from the request silently.
        head = ["uv", "pip", "install", "--no-config", "--python", sys.executable]
    else:
        head = [sys.executable, "-m", "pip", "install"]
    return shlex.join(head + words)


def installer() -> str:
    """Return 'uv-project' (an editable uv checkout), 'uv', or 'pip' (anything else)."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "pip"
    tool = (dist.read_text("INSTALLER") or "").strip()
    editable = False
    direct_url = dist.read_text("direct_url.json")
    if direct_url:
        try:
            editable = bool(json.loads(direct_url).get("dir_info", {}).get("editable"))
        except (ValueError, AttributeError):
            editable = False
    if tool == "uv":
        return "uv-project" if editable else "uv"
    return "pip"
