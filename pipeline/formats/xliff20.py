"""XLIFF 2.0 core: one target language per file, one ``<file>`` per document.

``srcLang``/``trgLang`` sit on the root; each ``<file>`` has ``id`` = ``d<document id>`` and
``original`` = the document URI; each ``<unit>`` has ``id`` = the unit id (``s<segment
id>``) and one ``<segment>`` whose ``state`` is the pipeline state itself (initial,
translated, reviewed, final) and whose ``subState`` is ``pipeline:<origin>``. Notes carry
the position, origin, signature, pseudo warning and QA flags (``category="qa"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lxml import etree

from pipeline.formats import (
    PSEUDO_WARNING,
    ExportOptions,
    exported_in,
    flag_line,
    write_chunks,
    xml_text,
)
from pipeline.formats.errors import ExportError
from pipeline.records import Document, Severity, State, Translation, Unit

NAMESPACE = "urn:oasis:names:tc:xliff:document:2.0"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Note categories that describe the target rather than the unit.
_ABOUT_TARGET = frozenset({"pseudo", "qa", "origin", "signature"})


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
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n{opening} xmlns="{NAMESPACE}">\n'
    document_id = None
    for unit in units:
        if not exported_in(unit, lang):
            continue
        if unit.document.id != document_id:
            if document_id is not None:
                yield "</file>\n"
            document_id = unit.document.id
            yield _file_start(unit.document)
        yield etree.tostring(unit_element(unit, lang), encoding="unicode", pretty_print=True)
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


def unit_element(unit: Unit, lang: str) -> etree._Element:
    """Return the ``<unit>`` of one unit: notes, then its one segment."""
    t = unit.translations.get(lang)
    seg = unit.segment
    element = etree.Element("unit", id=unit.unit_id)
    element.set(XML_SPACE, "preserve")
    notes = etree.SubElement(element, "notes")
    _note(
        notes, f"paragraph {seg.paragraph}, sentence {seg.sentence}, {seg.kind.value}", "location"
    )
    if t is not None:
        _translation_notes(notes, t)
    segment = etree.SubElement(element, "segment", state=t.state.value if t else "initial")
    if t is not None:
        segment.set("subState", f"pipeline:{t.origin.value}")
    etree.SubElement(segment, "source").text = xml_text(seg.source)
    if t is not None and (t.text or t.state is not State.INITIAL):
        etree.SubElement(segment, "target").text = xml_text(t.text)
    return element


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
