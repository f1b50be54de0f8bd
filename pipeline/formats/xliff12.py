"""XLIFF 1.2, valid against the strict schema: one ``<file>`` per document and target language.

Each ``<file>`` has ``original`` = the document URI and a header ``<note from="pipeline">``
with the document id and version; each ``<trans-unit>`` has ``id`` = the unit id
(``s<segment id>``) and a location ``<context-group>`` (paragraph, sentence, kind).

States, pipeline → XLIFF 1.2 ``<target>`` (``approved="yes"`` on reviewed and final):

- no translation: no ``<target>``
- initial: ``state="new"``
- translated, origin mt: ``state="needs-review-translation"``,
  ``state-qualifier="mt-suggestion"``
- translated, origin tm: ``state="needs-review-translation"``,
  ``state-qualifier="leveraged-tm"``
- translated, origin human or import: ``state="translated"``
- reviewed: ``state="signed-off"``
- final: ``state="final"``

Read back (:func:`parse_state`): new, needs-translation → initial; translated,
needs-review-*, needs-adaptation, needs-l10n → translated; signed-off → reviewed;
final → final.

Inline codes (see docs/formats.md, "Inline codes"): a pair within the segment is
``<g id="N" ctype="…">…</g>``, a standalone code ``<x id="N" ctype="…"/>``, an isolated
open end ``<bx id="N" rid="N" ctype="…"/>`` and an isolated close end ``<ex id="N"/>`` (the
strict schema wants every ``ex/@rid`` matched by a ``bx`` in the same element, so an end
whose partner is in another segment has none). ``ctype`` says what a code is: ``bold``,
``italic``, ``underlined``, ``link``, ``image``, ``lb`` or ``x-<element>``. The native
markup (an href, say) stays in the store: translators never see or retype it. Codes are
written in ``<source>``, ``<target>`` and ``<alt-trans>``.

Notes carry the origin, the signature, the pseudo warning and one note per QA flag.
``<alt-trans>`` holds other hypotheses: the memory match a tm translation came from
(``origin="tm"``), when the history has one, the earlier different machine output
(``alttranstype="previous-version"``, ``origin`` = its engine), and each fuzzy memory match
translate found (``alttranstype="proposal"``, ``match-quality`` = its score, ``origin`` =
where it is held, a ``<note>`` saying what its source differs in). Glossary terms found in
the source are ``<note from="glossary" annotates="source">`` lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC
from itertools import groupby
from typing import BinaryIO

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
from pipeline.formats.codes_xml import fill, kind_name
from pipeline.records import (
    Code,
    CodeType,
    Document,
    MemoryMatch,
    Origin,
    Severity,
    State,
    Translation,
    Unit,
)

NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
DATATYPES = {"txt": "plaintext", "html": "html", "md": "x-markdown"}

# XLIFF 1.2 target states -> ours (the importer reads with the same table).
STATES_IN = {
    "new": State.INITIAL,
    "needs-translation": State.INITIAL,
    "translated": State.TRANSLATED,
    "needs-review-translation": State.TRANSLATED,
    "needs-review-adaptation": State.TRANSLATED,
    "needs-review-l10n": State.TRANSLATED,
    "needs-adaptation": State.TRANSLATED,
    "needs-l10n": State.TRANSLATED,
    "signed-off": State.REVIEWED,
    "final": State.FINAL,
}


def ctype(code: Code) -> str:
    """Return the XLIFF 1.2 ``ctype`` of a code: a schema value, else ``x-<element>``.

    >>> from pipeline.records import Code, CodeType as T
    >>> ctype(Code(1, T.OPEN, "em", "<em>", 0)), ctype(Code(2, T.STANDALONE, "br", "<br>", 0))
    ('italic', 'lb')
    >>> ctype(Code(3, T.OPEN, "html", "<span>", 0)), ctype(Code(4, T.OPEN, "", "*", 0))
    ('x-html', 'x-code')
    """
    return kind_name(code, "underlined")


class InlineCodes:
    """Codes as XLIFF 1.2 ``g``, ``x``, ``bx`` and ``ex`` elements (no native markup)."""

    nests = True

    def pair(self, code: Code) -> etree._Element:
        """Return ``<g>`` for a pair within the text."""
        return etree.Element("g", id=str(code.id), ctype=ctype(code))

    def single(self, code: Code, lone: bool) -> etree._Element:
        """Return ``<x>``, ``<bx>`` or ``<ex>``; a close end has a rid only beside its bx."""
        code_id = str(code.id)
        if code.type is CodeType.STANDALONE:
            return etree.Element("x", id=code_id, ctype=ctype(code))
        if code.type is CodeType.OPEN:
            return etree.Element("bx", id=code_id, rid=code_id, ctype=ctype(code))
        element = etree.Element("ex", id=code_id)
        if not lone:
            element.set("rid", code_id)
        return element


def coded(element: etree._Element, text: str, codes: Sequence[Code]) -> etree._Element:
    """Fill a ``<source>`` or ``<target>`` with text and inline codes; return it."""
    fill(element, text, codes, InlineCodes())
    return element


def xliff_state(t: Translation) -> tuple[str, str | None]:
    """Return the XLIFF 1.2 ``state`` and ``state-qualifier`` (or None) of a translation."""
    if t.state is State.TRANSLATED:
        if t.origin is Origin.MT:
            return "needs-review-translation", "mt-suggestion"
        if t.origin is Origin.TM:
            return "needs-review-translation", "leveraged-tm"
        return "translated", None
    return {
        State.INITIAL: "new",
        State.REVIEWED: "signed-off",
        State.FINAL: "final",
    }[t.state], None


def parse_state(state: str | None, has_target: bool = True) -> State:
    """Return the pipeline state of an XLIFF 1.2 target state (the inverse of the export).

    >>> parse_state("needs-review-translation").value
    'translated'
    >>> parse_state(None, has_target=False).value
    'initial'
    """
    if state is None:
        return State.TRANSLATED if has_target else State.INITIAL
    return STATES_IN.get(state, State.TRANSLATED)


def generate_xliff(units: Iterable[Unit], options: ExportOptions) -> Iterator[str]:
    """Yield an XLIFF 1.2 document: one ``<file>`` per document and target language.

    A document's units are held while its files are written, one document at a time.
    """
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<xliff version="1.2" xmlns="{NAMESPACE}">\n'
    for _, group in groupby(units, key=lambda unit: unit.document.id):
        doc_units = list(group)
        for lang in options.target_langs:
            chosen = [unit for unit in doc_units if exported_in(unit, lang)]
            if chosen:
                yield from _file(chosen, lang, options)
    yield "</xliff>\n"


def _file(units: Sequence[Unit], lang: str, options: ExportOptions) -> Iterator[str]:
    """Yield one ``<file>`` element: header, then each trans-unit."""
    doc = units[0].document
    file = etree.Element(
        "file",
        original=xml_text(doc.uri),
        datatype=DATATYPES.get(doc.format, "plaintext"),
        date=options.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    file.set("source-language", doc.source_lang)
    file.set("target-language", lang)
    file.set("tool-id", "pipeline")
    file.set("product-name", xml_text(doc.title))
    opening = etree.tostring(file, encoding="unicode").removesuffix("/>") + ">\n"
    yield opening
    yield etree.tostring(_header(doc, options), encoding="unicode", pretty_print=True)
    yield "<body>\n"
    for unit in units:
        element = trans_unit(unit, lang, options)
        yield etree.tostring(element, encoding="unicode", pretty_print=True)
    yield "</body>\n</file>\n"


def _header(doc: Document, options: ExportOptions) -> etree._Element:
    header = etree.Element("header")
    tool = etree.SubElement(header, "tool")
    tool.set("tool-id", "pipeline")
    tool.set("tool-name", "pipeline")
    tool.set("tool-version", options.tool_version)
    note = etree.SubElement(header, "note", {"from": "pipeline"})
    note.text = f"document-id: {doc.id}; version: {doc.version}"
    return header


def trans_unit(unit: Unit, lang: str, options: ExportOptions) -> etree._Element:
    """Return the ``<trans-unit>`` of one unit in one target language."""
    element = etree.Element("trans-unit", id=unit.unit_id)
    # Tabs and runs of spaces are text, not layout: readers must keep them.
    element.set(XML_SPACE, "preserve")
    coded(etree.SubElement(element, "source"), unit.segment.source, unit.segment.codes)
    t = unit.translations.get(lang)
    if t is not None:
        _target(element, t, lang)
    group = etree.SubElement(element, "context-group", purpose="location")
    for kind, value in (
        ("x-paragraph", unit.segment.paragraph),
        ("x-sentence", unit.segment.sentence),
        ("x-kind", unit.segment.kind.value),
    ):
        etree.SubElement(group, "context", {"context-type": kind}).text = str(value)
    if t is not None:
        _notes(element, t)
    for hit in terms_of(unit, lang, options):
        note = etree.SubElement(element, "note", {"from": "glossary", "annotates": "source"})
        note.text = xml_text(term_line(hit))
    if t is not None:
        _alternatives(element, unit, t, lang, options)
    for match in unit.matches.get(lang, ()):
        _fuzzy(element, unit, match, lang)
    return element


def _fuzzy(element: etree._Element, unit: Unit, match: MemoryMatch, lang: str) -> None:
    """Add a fuzzy memory match as a proposal: its source, its target, what differs."""
    alt = etree.SubElement(element, "alt-trans", origin=xml_text(match.origin))
    alt.set("match-quality", f"{match.score:g}")
    alt.set("alttranstype", "proposal")
    coded(etree.SubElement(alt, "source"), match.source, match.source_codes)
    _alt_target(alt, match.target, match.target_codes, lang)
    etree.SubElement(alt, "note").text = xml_text(match_lines(match, unit.segment.source)[1])


def _target(element: etree._Element, t: Translation, lang: str) -> None:
    state, qualifier = xliff_state(t)
    if t.state in (State.REVIEWED, State.FINAL):
        element.set("approved", "yes")
    target = etree.SubElement(element, "target", state=state)
    if qualifier:
        target.set("state-qualifier", qualifier)
    target.set(XML_LANG, lang)
    coded(target, t.text, t.codes)


def _notes(element: etree._Element, t: Translation) -> None:
    """Add the pseudo warning, QA flags, origin and signature as notes."""
    if t.is_pseudo:
        _note(element, PSEUDO_WARNING, "pipeline", priority=1)
    for flag in t.flags:
        _note(element, flag_line(flag), "qa", priority=1 if flag.severity is Severity.ERROR else 3)
    details = [f"origin: {t.origin.value}"]
    if t.author:
        details.append(f"author: {t.author}")
    if t.score is not None:
        details.append(f"score: {t.score!r}")
    _note(element, "; ".join(details), "pipeline")
    if t.signature is not None:
        _note(element, f"signature: {t.signature}", "pipeline")


def _note(element: etree._Element, text: str, source: str, priority: int | None = None) -> None:
    note = etree.SubElement(element, "note", {"from": source, "annotates": "target"})
    if priority is not None:
        note.set("priority", str(priority))
    note.text = xml_text(text)


def _alternatives(
    element: etree._Element, unit: Unit, t: Translation, lang: str, options: ExportOptions
) -> None:
    """Add the memory match and the earlier machine output as ``<alt-trans>``."""
    if t.origin is Origin.TM:
        alt = etree.SubElement(element, "alt-trans", origin="tm")
        alt.set("match-quality", "100")
        coded(etree.SubElement(alt, "source"), unit.segment.source, unit.segment.codes)
        _alt_target(alt, t.text, t.codes, lang)
        if t.signature is not None:
            etree.SubElement(alt, "note").text = xml_text(f"signature: {t.signature}")
    if options.history is None:
        return
    earlier = [r for r in options.history(t.id) if r.origin is Origin.MT and r.text != t.text]
    if earlier:
        previous = earlier[-1]
        engine = previous.signature.engine if previous.signature else "mt"
        alt = etree.SubElement(element, "alt-trans", origin=xml_text(engine))
        alt.set("alttranstype", "previous-version")
        _alt_target(alt, previous.text, previous.codes, lang)
        if previous.signature is not None:
            etree.SubElement(alt, "note").text = xml_text(f"signature: {previous.signature}")


def _alt_target(alt: etree._Element, text: str, codes: Sequence[Code], lang: str) -> None:
    target = etree.SubElement(alt, "target")
    target.set(XML_LANG, lang)
    coded(target, text, codes)


def write(units: Iterable[Unit], out: BinaryIO, options: ExportOptions) -> None:
    """Write units as an XLIFF 1.2 file."""
    write_chunks(generate_xliff(units, options), out)
