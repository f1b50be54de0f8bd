"""Build the engine a user asked for by name, with its decoding options."""

from __future__ import annotations

import sys
from typing import Any

from pipeline.engines import load_engine
from pipeline.engines.auto import FallbackEngine
from pipeline.engines.base import Engine


def build_engine(name: str, options: dict[str, Any]) -> Engine:
    """Return the named engine; ``auto`` falls back to pseudo where no model is installed."""
    if name == "auto":
        primary = load_engine("argos", **options)
        return FallbackEngine(primary, load_engine("pseudo"), warn=_stderr)
    if name == "pseudo":
        return load_engine("pseudo")
    return load_engine(name, **options)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)
