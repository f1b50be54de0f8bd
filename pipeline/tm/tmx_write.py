"""Write a whole memory as TMX 1.4, one ``<tu>`` per entry, streamed (lxml ``xmlfile``).

What an entry knows goes where TMX keeps it: ``tuid``, creation and change dates and users
on the target ``<tuv>``, each property as a ``<prop>``, the file it came from as
``x-origin``. Codes are written with their native markup as content (``bpt``/``ept``, ``ph``,
``it``), ``x`` numbering each code the same in both languages, so reading the file back
(``pipeline tm import``) gives the same entries and adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import BinaryIO

from lxml import etree

from pipeline import __version__
from pipeline.formats import xml_text
from pipeline.inline import ordered, unpaired
from pipeline.records import Code, CodeType
from pipeline.tm import MemoryEntry

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def write_memory(entries: Iterable[MemoryEntry], out: BinaryIO, source_lang: str) -> int:
    """Write entries as one TMX document to out; return how many were written."""
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        xf.write_doctype('<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
        with xf.element("tmx", version="1.4"):
            header = etree.Element(
                "header",
                creationtool="pipeline",
                creationtoolversion=__version__,
                segtype="sentence",
                adminlang="en",
                srclang=source_lang,
                datatype="plaintext",
            )
            header.set("o-tmf", "pipeline")
            xf.write(header)
            with xf.element("body"):
                for entry in entries:
                    xf.write(_tu(entry))
                    count += 1
    return count


def _tu(entry: MemoryEntry) -> etree._Element:
    tu = etree.Element("tu")
    if entry.tuid:
        tu.set("tuid", xml_text(entry.tuid))
    tu.set("srclang", entry.source_lang)
    for name, values in sorted(entry.props.items()):
        for value in values:
            etree.SubElement(tu, "prop", type=xml_text(name)).text = xml_text(value)
    if entry.origin:
        etree.SubElement(tu, "prop", type="x-origin").text = xml_text(entry.origin)
    source = etree.SubElement(tu, "tuv")
    source.set(XML_LANG, entry.source_lang)
    _seg(source, entry.source, entry.source_codes)
    target = etree.SubElement(tu, "tuv")
    target.set(XML_LANG, entry.target_lang)
    stamps: dict[str, str | None] = {
        "creationdate": _tmx_date(entry.created_at),
        "creationid": entry.created_by,
        "changedate": _tmx_date(entry.changed_at),
        "changeid": entry.changed_by,
    }
    for attr, stamp in stamps.items():
        if stamp:
            target.set(attr, xml_text(stamp))
    _seg(target, entry.target, entry.target_codes)
    return tu


def _seg(tuv: etree._Element, text: str, codes: Sequence[Code]) -> None:
    seg = etree.SubElement(tuv, "seg")
    last: etree._Element | None = None
    position = 0
    # A pair that closes before it opens (broken codes) is written as two isolated ends.
    loose = unpaired(codes)

    def put(chunk: str) -> None:
        chunk = xml_text(chunk)
        if last is None:
            seg.text = (seg.text or "") + chunk
        else:
            last.tail = (last.tail or "") + chunk

    for code in ordered(codes):
        put(text[position : code.at])
        position = code.at
        if code.type is CodeType.STANDALONE:
            last = etree.SubElement(seg, "ph", x=str(code.id), type=code.tag)
        elif code.id not in loose and code.type is CodeType.OPEN:
            last = etree.SubElement(seg, "bpt", i=str(code.id), x=str(code.id), type=code.tag)
        elif code.id not in loose:
            last = etree.SubElement(seg, "ept", i=str(code.id))
        else:
            pos = "begin" if code.type is CodeType.OPEN else "end"
            last = etree.SubElement(seg, "it", pos=pos, x=str(code.id), type=code.tag)
        last.text = xml_text(code.data)
    put(text[position:])


def _tmx_date(value: str | None) -> str | None:
    """Return an ISO 8601 UTC time as TMX writes it (``YYYYMMDDThhmmssZ``), else None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.strftime("%Y%m%dT%H%M%SZ")
