"""A document as an OmegaT project's source file: XLIFF 1.2 whose targets copy the source.

OmegaT's XLIFF filter translates what a unit's ``<target>`` holds and never shows its
``<source>``; an export with no targets shows nothing, a pseudo-translated one shows the
pseudo text. So each unit's target is a copy of its source, inline codes included
(``state="new"``: OmegaT never changes the state), and the translator sees the English with
its codes as OmegaT's tags. Source and codes are written as the XLIFF 1.2 export writes them
(:func:`pipeline.formats.xliff12.coded`), ids ``s<segment id>`` as in every export; a
``<note>`` says what the segment is and where it stands. No translation is written here:
the store's reviewed work goes to ``tm/auto`` and machine output to ``tm/mt``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from lxml import etree

from pipeline.formats import xml_text
from pipeline.formats.xliff12 import DATATYPES, NAMESPACE, XML_LANG, XML_SPACE, coded
from pipeline.records import Document, Unit

__all__ = ["generate_source"]


def generate_source(
    document: Document, units: Iterable[Unit], lang: str, created_at: datetime
) -> Iterator[str]:
    """Yield one document's OmegaT source file: an XLIFF 1.2 ``<file>``, a unit per line."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<xliff version="1.2" xmlns="{NAMESPACE}">\n'
    yield _opening(document, lang, created_at)
    yield etree.tostring(_header(document), encoding="unicode") + "\n<body>\n"
    for unit in units:
        yield etree.tostring(trans_unit(unit, lang), encoding="unicode") + "\n"
    yield "</body>\n</file>\n</xliff>\n"


def _opening(document: Document, lang: str, created_at: datetime) -> str:
    """Return the ``<file>`` start tag: original URI, languages, date, tool."""
    file = etree.Element(
        "file",
        original=xml_text(document.uri),
        datatype=DATATYPES.get(document.format, "plaintext"),
        date=created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    file.set("source-language", document.source_lang)
    file.set("target-language", lang)
    file.set("tool-id", "pipeline")
    file.set("product-name", xml_text(document.title))
    return etree.tostring(file, encoding="unicode").removesuffix("/>") + ">\n"


def _header(document: Document) -> etree._Element:
    """Return the header naming the store's document and version, as the XLIFF export does."""
    header = etree.Element("header")
    note = etree.SubElement(header, "note", {"from": "pipeline"})
    note.text = f"document-id: {document.id}; version: {document.version}"
    return header


def trans_unit(unit: Unit, lang: str) -> etree._Element:
    """Return a unit whose target is a copy of its source, codes included, and a note."""
    segment = unit.segment
    element = etree.Element("trans-unit", id=unit.unit_id)
    # Tabs and runs of spaces are text, not layout: readers must keep them.
    element.set(XML_SPACE, "preserve")
    coded(etree.SubElement(element, "source"), segment.source, segment.codes)
    target = etree.SubElement(element, "target", state="new")
    target.set(XML_LANG, lang)
    coded(target, segment.source, segment.codes)
    note = etree.SubElement(element, "note", {"from": "pipeline"})
    note.text = (
        f"{segment.kind.value.replace('_', ' ')}, paragraph {segment.paragraph},"
        f" sentence {segment.sentence}"
    )
    return element
