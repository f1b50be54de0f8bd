"""Translation engines, imported lazily by name so the CLI starts fast."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pipeline.errors import EngineError

if TYPE_CHECKING:
    from pipeline.engines.base import Engine

ENGINES = {
    "argos": "pipeline.engines.argos:ArgosEngine",
    "pseudo": "pipeline.engines.pseudo:PseudoEngine",
}


def load_engine(name: str, **options: Any) -> Engine:
    """Return an engine instance by its name."""
    try:
        target = ENGINES[name]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise EngineError(f"unknown engine {name!r}; choose one of: {known}") from None
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(module_name)
    engine: Engine = getattr(module, class_name)(**options)
    return engine
