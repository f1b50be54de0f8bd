"""Write a whole memory as TMX 1.4, one ``<tu>`` per entry, streamed (lxml ``xmlfile``).

What an entry knows goes where TMX keeps it: ``tuid``, creation and change dates and users
on the target ``<tuv>``, each property as a ``<prop>``, the file it came from as
``x-origin``. Codes are written with their native markup as content (``bpt``/``ept``, ``ph``,
``it``), ``x`` numbering each code the same in both languages, so reading the file back
(``pipeline tm import``) gives the same entries and adds nothing.

For OmegaT (:func:`write_omegat_memory`) the file is TMX level 1 instead: each code is
written as the short tag OmegaT shows for it (``<g0>``, ``<x1/>``, named from the entry's
source codes by :mod:`pipeline.omegat.tags`), as escaped text in the ``<seg>``. That is
how OmegaT keeps its own memories, and the only form whose entries with codes OmegaT 3.6
matches: it ignores the ``<bpt>``/``<ept>`` of a memory it did not write. An entry whose
target has a code its source does not is left out (OmegaT would insert a tag it cannot
place).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from lxml import etree

from pipeline import __version__
from pipeline.formats import xml_text
from pipeline.inline import CodeProblem, ordered, unpaired
from pipeline.records import Code, CodeType
from pipeline.tm import MemoryEntry

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Written:
    """How many entries a memory file holds, and how many were left out."""

    entries: int
    skipped: int = 0


def write_memory(entries: Iterable[MemoryEntry], out: BinaryIO, source_lang: str) -> int:
    """Write entries as one TMX document to out; return how many were written."""
    return _write(entries, out, source_lang, _tu).entries


def write_omegat_memory(entries: Iterable[MemoryEntry], out: BinaryIO, source_lang: str) -> Written:
    """Write entries as OmegaT's TMX level 1, its tags as text; skip those it cannot hold."""
    return _write(entries, out, source_lang, _omegat_tu)


def _write(
    entries: Iterable[MemoryEntry],
    out: BinaryIO,
    source_lang: str,
    make_tu: Callable[[MemoryEntry], etree._Element],
) -> Written:
    """Write entries as one TMX document, each ``<tu>`` made by make_tu."""
    count = skipped = 0
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
                    try:
                        tu = make_tu(entry)
                    except CodeProblem:
                        skipped += 1
                        continue
                    xf.write(tu)
                    count += 1
    return Written(count, skipped)


def _omegat_tu(entry: MemoryEntry) -> etree._Element:
    """Return an entry as OmegaT holds it: plain segs, codes as its tags in the text."""
    from pipeline.omegat.tags import names, to_omegat

    tags = names(entry.source, entry.source_codes)
    return _tu(
        entry,
        to_omegat(entry.source, entry.source_codes, tags),
        to_omegat(entry.target, entry.target_codes, tags),
    )


def _tu(
    entry: MemoryEntry, source_text: str | None = None, target_text: str | None = None
) -> etree._Element:
    """Return an entry's ``<tu>``; given texts replace its coded texts (level 1)."""
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
    if source_text is None:
        _seg(source, entry.source, entry.source_codes)
    else:
        etree.SubElement(source, "seg").text = xml_text(source_text)
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
    if target_text is None:
        _seg(target, entry.target, entry.target_codes)
    else:
        etree.SubElement(target, "seg").text = xml_text(target_text)
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
