"""Read a reviewed XLIFF 2.x file: one record per unit, its segments' states taken as ours.

Inline elements become codes (:data:`pipeline.formats.codes_xml.XLIFF20_INLINE`): ``<pc>`` a
pair around its content, ``<ph>`` standalone, ``<sc>`` an open end, ``<ec>`` a close end
(its id is ``startRef``, else ``id``); ``<cp hex>`` is the character it names. The
``<originalData>`` of the file is not read: the markup comes from the store.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.formats.codes_xml import XLIFF20_INLINE, Coded, InlineError, read_inline
from pipeline.records import State
from pipeline.review import ReviewFile, ReviewUnit, parse_xliff
from pipeline.review.documents import document_name

if TYPE_CHECKING:
    from lxml.etree import _Element

_ORDER = (State.INITIAL, State.TRANSLATED, State.REVIEWED, State.FINAL)


def read(path: Path) -> ReviewFile:
    """Read every unit of an XLIFF 2.x file; the target language is <xliff trgLang>."""
    root = parse_xliff(path, "2")
    lang = root.get("trgLang")
    units = [
        replace(_unit(unit, lang), document=_document(file))
        for file in root.iterfind("{*}file")
        for unit in file.iterfind(".//{*}unit")
    ]
    return ReviewFile(path, "xliff20", tuple(units))


def _document(file: _Element) -> str:
    """Return the document a ``<file id="dN" original="URI">`` of our export names."""
    file_id = file.get("id") or ""
    number = file_id[1:] if file_id[:1] == "d" and file_id[1:].isdigit() else None
    return document_name(file.get("original"), number)


def _unit(unit: _Element, lang: str | None) -> ReviewUnit:
    """Return a unit's record, or one carrying the problem its inline codes have."""
    base = ReviewUnit(
        unit_id=unit.get("id", ""),
        source="",
        target=None,
        state=State.INITIAL,
        target_lang=lang,
        notes=tuple((n.text or "").strip() for n in unit.iterfind("{*}notes/{*}note")),
    )
    try:
        return _joined(unit, base)
    except InlineError as exc:
        return replace(base, problem=str(exc))


def _joined(unit: _Element, base: ReviewUnit) -> ReviewUnit:
    """Join a unit's segments and ignorables; its state is the least advanced segment's."""
    source, target = Coded(""), Coded("")
    states: list[State] = []
    has_target = False
    given = True
    problem = ""
    for part in unit:
        kind = part.tag.rsplit("}", 1)[-1] if isinstance(part.tag, str) else ""
        if kind not in ("segment", "ignorable"):
            continue
        part_source = _coded(part.find("{*}source")) or Coded("")
        part_target = _coded(part.find("{*}target"))
        source = part_source.after(source)
        if kind == "ignorable":
            # An ignorable with no target keeps its source text in the target.
            target = (part_target or part_source).after(target)
            continue
        has_target = has_target or part_target is not None
        target = (part_target or Coded("")).after(target)
        state, trouble = _state(part, part_target)
        given = given and (part_target is None or "state" in part.attrib)
        states.append(state)
        problem = problem or trouble
    return ReviewUnit(
        unit_id=base.unit_id,
        source=source.text,
        target=target.text if has_target else None,
        state=min(states, key=_ORDER.index) if states else State.INITIAL,
        source_codes=source.codes,
        target_codes=target.codes if has_target else (),
        target_lang=base.target_lang,
        notes=base.notes,
        problem=problem or ("" if states else "no <segment> in the unit"),
        state_given=given,
    )


def _coded(element: _Element | None) -> Coded | None:
    return read_inline(element, XLIFF20_INLINE) if element is not None else None


def _state(segment: _Element, target: Coded | None) -> tuple[State, str]:
    """Return a segment's state; a target with no state attribute counts as translated."""
    value = segment.get("state")
    if value is None:
        return (State.INITIAL if target is None else State.TRANSLATED), ""
    try:
        return State(value), ""
    except ValueError:
        return State.INITIAL, f"unknown XLIFF 2.0 state {value!r}"
