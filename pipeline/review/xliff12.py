"""Read a reviewed XLIFF 1.2 file: one record per trans-unit, states mapped to ours.

Inline elements become codes (:data:`pipeline.formats.codes_xml.XLIFF12_INLINE`): ``<g>`` a
pair around its content, ``<x>`` and ``<ph>`` standalone, ``<bx>``/``<bpt>`` open ends,
``<ex>``/``<ept>`` close ends (their id is ``rid``, else ``id``), ``<it pos>`` either end.
The content of ``ph``, ``bpt``, ``ept`` and ``it`` is native code, not text.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.formats.codes_xml import XLIFF12_INLINE, Coded, InlineError, read_inline
from pipeline.formats.xliff12 import STATES_IN
from pipeline.records import State
from pipeline.review import ReviewFile, ReviewUnit, parse_xliff
from pipeline.review.documents import document_name, noted_id

if TYPE_CHECKING:
    from lxml.etree import _Element

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read(path: Path) -> ReviewFile:
    """Read every trans-unit of an XLIFF 1.2 file."""
    root = parse_xliff(path, "1")
    units = []
    for file in root.iterfind("{*}file"):
        lang = file.get("target-language")
        contacts = _phase_contacts(file)
        notes = (n.text for n in file.iterfind("{*}header/{*}note"))
        document = document_name(
            file.get("original"), next(filter(None, map(noted_id, notes)), None)
        )
        for unit in file.iterfind(".//{*}trans-unit"):
            # A PO file's header as translate-toolkit's po2xliff writes it: no segment.
            if unit.get("restype") == "x-gettext-domain-header":
                continue
            units.append(replace(_unit(unit, lang, contacts), document=document))
    return ReviewFile(path, "xliff12", tuple(units))


def _unit(unit: _Element, file_lang: str | None, contacts: dict[str, str]) -> ReviewUnit:
    source = unit.find("{*}source")
    target = unit.find("{*}target")
    state, problem = _state(unit, target)
    if source is None:
        problem = problem or "no <source> in the unit"
    try:
        source_text = _coded(source) or Coded("")
        target_text = _coded(target)
    except InlineError as exc:
        source_text, target_text = Coded(""), None
        problem = problem or str(exc)
    phase = unit.get("phase-name") or (target.get("phase-name") if target is not None else None)
    return ReviewUnit(
        unit_id=unit.get("id", ""),
        source=source_text.text,
        target=target_text.text if target_text is not None else None,
        state=state,
        source_codes=source_text.codes,
        target_codes=target_text.codes if target_text is not None else (),
        target_lang=file_lang or (target.get(_XML_LANG) if target is not None else None),
        reviewer=contacts.get(phase) if phase else None,
        notes=tuple((n.text or "").strip() for n in unit.iterfind("{*}note")),
        problem=problem,
        state_given=target is None or "state" in target.attrib or "approved" in unit.attrib,
    )


def _coded(element: _Element | None) -> Coded | None:
    return read_inline(element, XLIFF12_INLINE) if element is not None else None


def _state(unit: _Element, target: _Element | None) -> tuple[State, str]:
    """Return our state for a trans-unit, or a problem when its state value is unknown."""
    if target is None:
        return State.INITIAL, ""
    value = target.get("state")
    if value is None:
        approved = unit.get("approved") == "yes"
        return (State.REVIEWED if approved else State.TRANSLATED), ""
    state = STATES_IN.get(value)
    if state is None:
        return State.INITIAL, f"unknown XLIFF 1.2 state {value!r}"
    return state, ""


def _phase_contacts(file: _Element) -> dict[str, str]:
    """Return the contact name of each phase in a file's header, by phase name."""
    return {
        name: contact
        for phase in file.iterfind("{*}header/{*}phase-group/{*}phase")
        if (name := phase.get("phase-name")) and (contact := phase.get("contact-name"))
    }
