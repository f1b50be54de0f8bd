"""XLIFF 2.0 core: one target language per file, one ``<file>`` per document.

``srcLang``/``trgLang`` sit on the root; each ``<file>`` has ``id`` = ``d<document id>`` and
``original`` = the document URI; each ``<unit>`` has ``id`` = the unit id (``s<segment
id>``) and one ``<segment>`` whose ``state`` is the pipeline state itself (initial,
translated, reviewed, final) and whose ``subState`` is ``pipeline:<origin>``. Notes carry
the position, origin, signature, pseudo warning and QA flags (``category="qa"``).

Modules: the fuzzy memory matches translate offered are the matches module's ``<mtc:match
ref="#seg" type="tm" matchQuality="87.50" origin="…">`` (source, target), with a unit note
``category="match"`` saying what each match's source differs in; the glossary terms found in
the source are the glossary module's ``<gls:glossEntry>`` (term, approved translations, and
a definition saying what to do). Both come first in the unit, as the core schema wants.

Inline codes: a pair within the segment is ``<pc id="N" dataRefStart="dN" dataRefEnd="dNe">``,
a standalone code ``<ph id="N" dataRef="dN"/>``, an isolated end ``<sc id="N" dataRef="dN"
isolated="yes"/>`` or ``<ec id="N" dataRef="dNe" isolated="yes"/>`` (the two ends of a pair
that crosses another are ``<sc id="N">`` and ``<ec startRef="N">``). The native markup each
code stands for is in the unit's ``<originalData>``, one ``<data id="dN">`` (open or
standalone) or ``<data id="dNe">`` (close) per code, before the segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, BinaryIO

from lxml import etree

from pipeline.formats import (
    PSEUDO_WARNING,
    ExportOptions,
    exported_in,
    flag_line,
    match_lines,
    term_line,
    terms_of,
    write_chunks,
    xml_text,
)
from pipeline.formats.codes_xml import fill
from pipeline.formats.errors import ExportError
from pipeline.records import Code, CodeType, Document, Severity, State, Translation, Unit

if TYPE_CHECKING:
    from pipeline.glossary.match import TermHit

NAMESPACE = "urn:oasis:names:tc:xliff:document:2.0"
MATCHES = "urn:oasis:names:tc:xliff:matches:2.0"
GLOSSARY = "urn:oasis:names:tc:xliff:glossary:2.0"
# Each unit has one segment; the matches module refers to it by this id.
SEGMENT_ID = "seg"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Note categories that describe the target rather than the unit.
_ABOUT_TARGET = frozenset({"pseudo", "qa", "origin", "signature"})


def data_id(code: Code) -> str:
    """Return the ``<data>`` id of a code's native markup: ``dN``, or ``dNe`` for a close end.

    >>> from pipeline.records import Code, CodeType as T
    >>> data_id(Code(3, T.OPEN, "a", "<a>", 0)), data_id(Code(3, T.CLOSE, "a", "</a>", 2))
    ('d3', 'd3e')
    """
    return f"d{code.id}e" if code.type is CodeType.CLOSE else f"d{code.id}"


class InlineCodes:
    """Codes as XLIFF 2.0 ``pc``, ``ph``, ``sc`` and ``ec`` elements referring to data."""

    nests = True

    def pair(self, code: Code) -> etree._Element:
        """Return ``<pc>`` for a pair within the text."""
        return etree.Element(
            "pc",
            id=str(code.id),
            dataRefStart=data_id(code),
            dataRefEnd=f"d{code.id}e",
        )

    def single(self, code: Code, lone: bool) -> etree._Element:
        """Return ``<ph>``, or an ``<sc>``/``<ec>`` end, isolated when its partner is elsewhere."""
        if code.type is CodeType.STANDALONE:
            return etree.Element("ph", id=str(code.id), dataRef=data_id(code))
        name = "sc" if code.type is CodeType.OPEN else "ec"
        element = etree.Element(name, dataRef=data_id(code))
        if lone or code.type is CodeType.OPEN:
            element.set("id", str(code.id))
        else:
            element.set("startRef", str(code.id))
        if lone:
            element.set("isolated", "yes")
        return element


def original_data(*codes: Sequence[Code]) -> etree._Element | None:
    """Return the ``<originalData>`` of a unit's codes (first markup per data id), or None."""
    seen: dict[str, str] = {}
    for group in codes:
        for code in group:
            seen.setdefault(data_id(code), code.data)
    if not seen:
        return None
    element = etree.Element("originalData")
    for key, data in seen.items():
        etree.SubElement(element, "data", id=key).text = xml_text(data)
    return element


def generate_xliff(units: Iterable[Unit], options: ExportOptions) -> Iterator[str]:
    """Yield an XLIFF 2.0 document in the first target language, one ``<file>`` per document."""
    if not options.source_lang:
        raise ExportError(
            "XLIFF 2.0 holds one source language and these documents have several;"
            " export them separately"
        )
    lang = options.target_langs[0]
    root = etree.Element("xliff", version="2.0", srcLang=options.source_lang, trgLang=lang)
    opening = etree.tostring(root, encoding="unicode").removesuffix("/>")
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{opening} xmlns="{NAMESPACE}"'
        f' xmlns:mtc="{MATCHES}" xmlns:gls="{GLOSSARY}">\n'
    )
    document_id = None
    for unit in units:
        if not exported_in(unit, lang):
            continue
        if unit.document.id != document_id:
            if document_id is not None:
                yield "</file>\n"
            document_id = unit.document.id
            yield _file_start(unit.document)
        element = unit_element(unit, lang, terms_of(unit, lang, options))
        yield etree.tostring(element, encoding="unicode", pretty_print=True)
    if document_id is not None:
        yield "</file>\n"
    yield "</xliff>\n"


def _file_start(doc: Document) -> str:
    """Return a ``<file>`` start tag and its notes."""
    file = etree.Element("file", id=f"d{doc.id}", original=xml_text(doc.uri))
    opening = etree.tostring(file, encoding="unicode").removesuffix("/>") + ">\n"
    notes = etree.Element("notes")
    _note(notes, f"document-id: {doc.id}; version: {doc.version}", "document")
    _note(notes, doc.title, "title")
    return opening + etree.tostring(notes, encoding="unicode", pretty_print=True)


def unit_element(unit: Unit, lang: str, terms: Sequence[TermHit] = ()) -> etree._Element:
    """Return the ``<unit>`` of one unit: matches, glossary, notes, then its one segment."""
    t = unit.translations.get(lang)
    seg = unit.segment
    element = etree.Element("unit", id=unit.unit_id)
    element.set(XML_SPACE, "preserve")
    _matches(element, unit, lang)
    _glossary(element, terms)
    notes = etree.SubElement(element, "notes")
    _note(
        notes, f"paragraph {seg.paragraph}, sentence {seg.sentence}, {seg.kind.value}", "location"
    )
    if t is not None:
        _translation_notes(notes, t)
    # A match has no notes of its own: what its source differs in is a unit note.
    for m in unit.matches.get(lang, ()):
        _note(notes, "; ".join(match_lines(m, seg.source)), "match")
    has_target = t is not None and (bool(t.text) or t.state is not State.INITIAL)
    target_codes = t.codes if t is not None and has_target else ()
    data = original_data(seg.codes, target_codes)
    if data is not None:
        element.append(data)
    segment = etree.SubElement(
        element, "segment", id=SEGMENT_ID, state=t.state.value if t else "initial"
    )
    if t is not None:
        segment.set("subState", f"pipeline:{t.origin.value}")
    fill(etree.SubElement(segment, "source"), seg.source, seg.codes, InlineCodes())
    if t is not None and has_target:
        fill(etree.SubElement(segment, "target"), t.text, t.codes, InlineCodes())
    return element


def _matches(element: etree._Element, unit: Unit, lang: str) -> None:
    """Add the fuzzy memory matches as the matches module's ``<mtc:match>`` elements."""
    found = unit.matches.get(lang, ())
    if not found:
        return
    matches = etree.SubElement(element, f"{{{MATCHES}}}matches", nsmap={"mtc": MATCHES})
    for m in found:
        match = etree.SubElement(matches, f"{{{MATCHES}}}match", ref=f"#{SEGMENT_ID}")
        match.set("type", "tm")
        match.set("matchQuality", f"{m.score:.2f}")
        match.set("origin", xml_text(m.origin))
        data = original_data(m.source_codes, m.target_codes)
        if data is not None:
            match.append(data)
        fill(etree.SubElement(match, "source"), m.source, m.source_codes, InlineCodes())
        fill(etree.SubElement(match, "target"), m.target, m.target_codes, InlineCodes())


def _glossary(element: etree._Element, terms: Sequence[TermHit]) -> None:
    """Add the glossary terms found in the source as the glossary module's entries."""
    if not terms:
        return
    glossary = etree.SubElement(element, f"{{{GLOSSARY}}}glossary", nsmap={"gls": GLOSSARY})
    for hit in terms:
        entry = etree.SubElement(glossary, f"{{{GLOSSARY}}}glossEntry")
        etree.SubElement(entry, f"{{{GLOSSARY}}}term", source="glossary").text = xml_text(hit.text)
        for target in (hit.text,) if hit.dnt else hit.targets:
            etree.SubElement(entry, f"{{{GLOSSARY}}}translation").text = xml_text(target)
        definition = term_line(hit).removeprefix("term: ")
        etree.SubElement(entry, f"{{{GLOSSARY}}}definition").text = xml_text(definition)


def _translation_notes(notes: etree._Element, t: Translation) -> None:
    if t.is_pseudo:
        _note(notes, PSEUDO_WARNING, "pseudo", priority=1)
    for flag in t.flags:
        priority = 1 if flag.severity is Severity.ERROR else 3
        _note(notes, flag_line(flag), "qa", priority=priority)
    details = [f"origin: {t.origin.value}"]
    if t.author:
        details.append(f"author: {t.author}")
    if t.score is not None:
        details.append(f"score: {t.score!r}")
    details.append(f"updated: {t.updated_at}")
    _note(notes, "; ".join(details), "origin")
    if t.signature is not None:
        _note(notes, f"signature: {t.signature}", "signature")


def _note(notes: etree._Element, text: str, category: str, priority: int | None = None) -> None:
    note = etree.SubElement(notes, "note", category=category)
    if priority is not None:
        note.set("priority", str(priority))
    if category in _ABOUT_TARGET:
        note.set("appliesTo", "target")
    note.text = xml_text(text)


def write(units: Iterable[Unit], out: BinaryIO, options: ExportOptions) -> None:
    """Write units as an XLIFF 2.0 file in the first target language."""
    write_chunks(generate_xliff(units, options), out)
