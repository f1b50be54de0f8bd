"""TMX 1.4b: a translation memory, one ``<tu>`` per segment, one ``<tuv>`` per language.

The file is valid against the TMX 1.4 DTD. ``tuid`` is the unit id (``s<segment id>``). The
``<tu>`` carries the document and the segment's position as ``x-`` props; its dates span
its targets' dates. Each target ``<tuv>`` carries its own creation and change dates
(``YYYYMMDDThhmmssZ``) and author (``creationid``/``changeid``), the props ``x-state``,
``x-origin``, ``x-signature`` (plus ``x-score`` and ``x-pseudo`` when set) and one
``<note>`` per QA flag. One file holds every target language asked for; a segment with no
target keeps a ``<tu>`` with its source alone.

Inline codes hold their native markup as content, as TMX asks: a pair is
``<bpt i="N" x="N">native</bpt>`` … ``<ept i="N">native</ept>``, a standalone code
``<ph x="N">native</ph>`` and an end whose partner is in another segment
``<it pos="begin|end" x="N">native</it>``; ``type`` says what a code is where TMX has a
name for it (bold, italic, ulined, link, image, lb), else ``x-<element>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import BinaryIO

from lxml import etree

from pipeline.formats import (
    PSEUDO_WARNING,
    ExportOptions,
    flag_line,
    write_chunks,
    xml_text,
)
from pipeline.formats.codes_xml import fill, kind_name
from pipeline.inline import unpaired
from pipeline.records import Code, CodeType, Translation, Unit

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def code_type(code: Code) -> str:
    """Return the TMX ``type`` of a code: a TMX name, else ``x-<element>``.

    >>> from pipeline.records import Code, CodeType as T
    >>> bold, sup = Code(1, T.OPEN, "strong", "<strong>", 0), Code(2, T.OPEN, "sup", "", 0)
    >>> code_type(bold), code_type(sup)
    ('bold', 'x-sup')
    """
    return kind_name(code, "ulined")


class InlineCodes:
    """Codes as TMX ``bpt``/``ept``, ``ph`` and ``it`` elements holding the native markup.

    The ends of a pair that closes before it opens are written as ``it`` too: an ``ept``
    before its ``bpt`` would be read as another code.
    """

    nests = False

    def __init__(self, codes: Sequence[Code] = ()) -> None:
        self.unpaired = unpaired(codes)

    def pair(self, code: Code) -> etree._Element:
        """Never called: TMX writes both ends of a pair as bpt and ept."""
        raise NotImplementedError

    def single(self, code: Code, lone: bool) -> etree._Element:
        """Return the element of one code, its native markup as text."""
        code_id = str(code.id)
        if code.type is CodeType.STANDALONE:
            element = etree.Element("ph", x=code_id, type=code_type(code))
        elif lone or code.id in self.unpaired:
            pos = "begin" if code.type is CodeType.OPEN else "end"
            element = etree.Element("it", pos=pos, x=code_id, type=code_type(code))
        elif code.type is CodeType.OPEN:
            element = etree.Element("bpt", i=code_id, x=code_id, type=code_type(code))
        else:
            element = etree.Element("ept", i=code_id)
        element.text = xml_text(code.data)
        return element


def tmx_date(stamp: str | datetime) -> str:
    """Return an ISO 8601 time (or datetime) in TMX's form, in UTC.

    >>> tmx_date("2021-03-05T09:30:00.123456+00:00")
    '20210305T093000Z'
    """
    moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def generate_tmx(units: Iterable[Unit], options: ExportOptions) -> Iterator[str]:
    """Yield a TMX document piece by piece: the header, one ``<tu>`` per unit, the end."""
    header = etree.Element(
        "header",
        creationtool="pipeline",
        creationtoolversion=options.tool_version,
        segtype="sentence",
        adminlang="en",
        srclang=options.source_lang or "*all*",
        datatype="plaintext",
        creationdate=tmx_date(options.created_at),
    )
    header.set("o-tmf", "pipeline")
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
    yield '<tmx version="1.4">\n'
    yield etree.tostring(header, encoding="unicode") + "\n<body>\n"
    for unit in units:
        yield etree.tostring(tu_element(unit, options), encoding="unicode", pretty_print=True)
    yield "</body>\n</tmx>\n"


def tu_element(unit: Unit, options: ExportOptions) -> etree._Element:
    """Return the ``<tu>`` of one unit: position props, the source and each target."""
    targets = [
        (lang, unit.translations[lang])
        for lang in options.target_langs
        if lang in unit.translations
    ]
    tu = etree.Element("tu", tuid=unit.unit_id)
    if targets:
        first = min((t for _, t in targets), key=lambda t: t.created_at)
        last = max((t for _, t in targets), key=lambda t: t.updated_at)
        _stamp(tu, first, last)
    doc, seg = unit.document, unit.segment
    for kind, value in (
        ("x-document", doc.uri),
        ("x-document-id", str(doc.id)),
        ("x-document-version", str(doc.version)),
        ("x-paragraph", str(seg.paragraph)),
        ("x-sentence", str(seg.sentence)),
        ("x-kind", seg.kind.value),
    ):
        _prop(tu, kind, value)
    tu.append(_tuv(doc.source_lang, seg.source, seg.codes))
    for lang, translation in targets:
        tu.append(_target_tuv(lang, translation))
    return tu


def _target_tuv(lang: str, t: Translation) -> etree._Element:
    """Return a target ``<tuv>`` with its dates, author, props and QA notes."""
    tuv = etree.Element("tuv")
    tuv.set(XML_LANG, lang)
    _stamp(tuv, t, t)
    _prop(tuv, "x-state", t.state.value)
    _prop(tuv, "x-origin", t.origin.value)
    if t.signature is not None:
        _prop(tuv, "x-signature", str(t.signature))
    if t.score is not None:
        _prop(tuv, "x-score", repr(t.score))
    if t.is_pseudo:
        _prop(tuv, "x-pseudo", "yes")
        etree.SubElement(tuv, "note").text = PSEUDO_WARNING
    for flag in t.flags:
        etree.SubElement(tuv, "note").text = xml_text(flag_line(flag))
    fill(etree.SubElement(tuv, "seg"), t.text, t.codes, InlineCodes(t.codes))
    return tuv


def _tuv(lang: str, text: str, codes: Sequence[Code]) -> etree._Element:
    tuv = etree.Element("tuv")
    tuv.set(XML_LANG, lang)
    fill(etree.SubElement(tuv, "seg"), text, codes, InlineCodes(codes))
    return tuv


def _stamp(element: etree._Element, first: Translation, last: Translation) -> None:
    """Set creation and change dates, and authors where known."""
    element.set("creationdate", tmx_date(first.created_at))
    if first.author:
        element.set("creationid", xml_text(first.author))
    element.set("changedate", tmx_date(last.updated_at))
    if last.author:
        element.set("changeid", xml_text(last.author))


def _prop(parent: etree._Element, kind: str, value: str) -> None:
    etree.SubElement(parent, "prop", type=kind).text = xml_text(value)


def write(units: Iterable[Unit], out: BinaryIO, options: ExportOptions) -> None:
    """Write units as a TMX 1.4b file."""
    write_chunks(generate_tmx(units, options), out)
