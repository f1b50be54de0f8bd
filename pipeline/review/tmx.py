"""Read the pipeline's own TMX export (``export --format tmx``) back as reviewed units.

Our export is told from a memory by what it carries: a ``<header>`` with
``creationtool="pipeline"`` and units with an ``x-document-id`` prop and no ``x-origin``
prop (which ``pipeline tm export`` writes on every unit). Each target ``<tuv>``
is one unit in its language, its state the ``x-state`` prop (a target with none is
``translated``). A memory (``pipeline tm export``, or another tool's TMX) is refused with
a line saying to use ``pipeline tm import``. Codes are read as the export writes them
(:data:`pipeline.formats.codes_xml.TMX_INLINE`): ``bpt``/``ept`` ends, ``ph`` standalone,
``it`` isolated ends, their content native code.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.formats.codes_xml import TMX_INLINE, Coded, InlineError, read_inline
from pipeline.records import State
from pipeline.review import ReviewFile, ReviewUnit, parse_xml
from pipeline.review.documents import document_name
from pipeline.review.errors import ReviewFileError

if TYPE_CHECKING:
    from lxml.etree import _Element

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEMORY = "this is a translation memory, not a review file: use pipeline tm import"


def read(path: Path) -> ReviewFile:
    """Read every target of our own TMX export; refuse any other TMX as memory."""
    root = parse_tmx(path)
    header = root.find("{*}header")
    units = root.findall("{*}body/{*}tu")
    ours = header is not None and header.get("creationtool") == "pipeline"
    if not ours or not any(_exported(tu) for tu in units):
        raise ReviewFileError(f"{path.name}: {MEMORY}")
    source_lang = header.get("srclang") if header is not None else None
    found: list[ReviewUnit] = []
    for tu in units:
        found.extend(_units(tu, source_lang))
    return ReviewFile(path, "tmx", tuple(found))


def parse_tmx(path: Path) -> _Element:
    """Parse a TMX file safely: entities declared in it refused, nothing fetched, root checked."""
    from lxml import etree

    from pipeline import xmlsafe

    root = parse_xml(path)  # one line per I/O error or malformed file, as for XLIFF
    try:
        xmlsafe.check_doctype(root.getroottree())
    except xmlsafe.UnsafeXMLError as exc:
        raise ReviewFileError(f"{path.name}: {exc}") from None
    if etree.QName(root).localname != "tmx":
        raise ReviewFileError(f"{path.name}: not TMX (root <{etree.QName(root).localname}>)")
    return root


def _exported(tu: _Element) -> bool:
    """Return whether a ``<tu>`` is a document export's: a document prop, no memory origin.

    ``tm export`` writes an ``x-origin`` prop on every unit (the file or document an entry
    came from), and may carry the props of a document export it once imported.
    """
    props = _props(tu)
    return bool(props.get("x-document-id")) and "x-origin" not in props


def _props(element: _Element) -> dict[str, str]:
    """Return an element's own props by type (the first of each)."""
    props: dict[str, str] = {}
    for prop in element.iterfind("{*}prop"):
        props.setdefault(prop.get("type", ""), prop.text or "")
    return props


def _units(tu: _Element, source_lang: str | None) -> list[ReviewUnit]:
    """Return one unit per target ``<tuv>`` of a ``<tu>``; one with no target when it has none."""
    variants = tu.findall("{*}tuv")
    if not variants:
        return []
    lang_of = [tuv.get(XML_LANG) or tuv.get("lang") for tuv in variants]
    first = next((i for i, lang in enumerate(lang_of) if lang == source_lang), 0)
    unit_id = tu.get("tuid", "")
    props = _props(tu)
    document = document_name(props.get("x-document"), props.get("x-document-id"))
    try:
        source = _coded(variants[first])
    except InlineError as exc:
        return [ReviewUnit(unit_id, "", None, State.INITIAL, problem=str(exc), document=document)]
    targets = [(lang_of[i], tuv) for i, tuv in enumerate(variants) if i != first]
    if not targets:
        alone = ReviewUnit(unit_id, source.text, None, State.INITIAL, source_codes=source.codes)
        return [replace(alone, document=document)]
    return [
        replace(_target(unit_id, source, lang, tuv), document=document) for lang, tuv in targets
    ]


def _target(unit_id: str, source: Coded, lang: str | None, tuv: _Element) -> ReviewUnit:
    props = _props(tuv)
    problem = ""
    try:
        target = _coded(tuv)
    except InlineError as exc:
        target, problem = Coded(""), str(exc)
    try:
        state = State(props.get("x-state") or State.TRANSLATED.value)
    except ValueError:
        state, problem = State.INITIAL, problem or f"unknown x-state {props['x-state']!r}"
    return ReviewUnit(
        unit_id=unit_id,
        source=source.text,
        target=target.text,
        state=state,
        source_codes=source.codes,
        target_codes=target.codes,
        target_lang=lang,
        notes=tuple((n.text or "").strip() for n in tuv.iterfind("{*}note")),
        problem=problem,
    )


def _coded(tuv: _Element) -> Coded:
    seg = tuv.find("{*}seg")
    return read_inline(seg, TMX_INLINE) if seg is not None else Coded("")
