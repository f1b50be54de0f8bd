"""Read a reviewed XLIFF 2.x file: one record per unit, its segments' states taken as ours."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.records import State
from pipeline.review import ReviewFile, ReviewUnit, inline_text, parse_xliff

if TYPE_CHECKING:
    from lxml.etree import _Element

_ORDER = (State.INITIAL, State.TRANSLATED, State.REVIEWED, State.FINAL)


def read(path: Path) -> ReviewFile:
    """Read every unit of an XLIFF 2.x file; the target language is <xliff trgLang>."""
    root = parse_xliff(path, "2")
    lang = root.get("trgLang")
    units = [_unit(unit, lang) for unit in root.iterfind("{*}file//{*}unit")]
    return ReviewFile(path, "xliff20", tuple(units))


def _unit(unit: _Element, lang: str | None) -> ReviewUnit:
    """Join a unit's segments and ignorables; its state is the least advanced segment's."""
    sources: list[str] = []
    targets: list[str] = []
    states: list[State] = []
    has_target = False
    problem = ""
    for part in unit:
        kind = part.tag.rsplit("}", 1)[-1] if isinstance(part.tag, str) else ""
        if kind not in ("segment", "ignorable"):
            continue
        source = part.find("{*}source")
        target = part.find("{*}target")
        source_text = inline_text(source) if source is not None else ""
        sources.append(source_text)
        if kind == "ignorable":
            # An ignorable with no target keeps its source text in the target.
            targets.append(inline_text(target) if target is not None else source_text)
            continue
        has_target = has_target or target is not None
        targets.append(inline_text(target) if target is not None else "")
        state, trouble = _state(part, target)
        states.append(state)
        problem = problem or trouble
    if not states:
        problem = problem or "no <segment> in the unit"
    return ReviewUnit(
        unit_id=unit.get("id", ""),
        source="".join(sources),
        target="".join(targets) if has_target else None,
        state=min(states, key=_ORDER.index) if states else State.INITIAL,
        target_lang=lang,
        notes=tuple((n.text or "").strip() for n in unit.iterfind("{*}notes/{*}note")),
        problem=problem,
    )


def _state(segment: _Element, target: _Element | None) -> tuple[State, str]:
    """Return a segment's state; a target with no state attribute counts as translated."""
    value = segment.get("state")
    if value is None:
        return (State.INITIAL if target is None else State.TRANSLATED), ""
    try:
        return State(value), ""
    except ValueError:
        return State.INITIAL, f"unknown XLIFF 2.0 state {value!r}"
