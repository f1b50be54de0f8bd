"""Read TMX 1.4 (and the 1.1 ``lang`` attribute) as memory entries, one ``<tu>`` at a time.

The file is parsed incrementally (lxml ``iterparse``) and each ``<tu>`` is dropped once read,
so a memory of any size imports in bounded memory. No DTD is loaded, no entity is resolved,
nothing is fetched: a DOCTYPE naming ``tmx14.dtd`` is read as it stands.

Inline codes follow TMX: ``<bpt i>``/``<ept i>`` pair, ``<ph>`` and ``<ut>`` stand alone,
``<it pos="begin|end">`` is an end whose partner is in another unit, ``<hi>`` is read through.
Each code keeps its native content as its markup; ``x`` (else ``i`` for ``bpt``/``ept``, else
the order among the variant's elements of its name) makes a code the same code in every
language of the unit. Given a :class:`~pipeline.tm.codes.CodeMatch` (as ``tm import`` gives
one), each entry's codes are put onto those of the stored segment it translates, or dropped
(:mod:`pipeline.tm.codes`): another tool's markup never reaches an article.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from pipeline import xmlsafe
from pipeline.errors import InputError
from pipeline.inputs import RefusedFileError, open_regular
from pipeline.records import Code, CodeType
from pipeline.tm import MemoryEntry, language_tag
from pipeline.tm.codes import CodeMatch, Tool, tool_of

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_tmx(
    path: Path,
    source_lang: str,
    lang_map: Mapping[str, str] | None = None,
    codes: CodeMatch | None = None,
) -> Iterator[MemoryEntry]:
    """Yield one entry per target language of each ``<tu>`` that has a source_lang variant.

    With ``codes``, each entry's codes are the matching stored segment's, or none.
    """
    try:
        with open_regular(path) as handle:
            for entry, tool in _read(path, handle, source_lang, lang_map):
                yield entry if codes is None else codes.adopt(entry, tool)
    except etree.XMLSyntaxError as exc:
        why = xmlsafe.refusal(exc)
        raise InputError(f"{path}: {why}" if why else f"{path}: malformed TMX: {exc}") from None
    except RefusedFileError as exc:  # unsafe XML, or no longer a regular file
        raise InputError(f"{path}: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None


def _read(
    path: Path, handle: BinaryIO, source_lang: str, lang_map: Mapping[str, str] | None
) -> Iterator[tuple[MemoryEntry, Tool]]:
    """Yield each entry with who wrote the file (its header's ``creationtool``)."""
    header_lang: str | None = None
    tool = tool_of(None, path.name)
    # Only the ends of <header> and <tu> are events: nothing else costs a callback.
    events = xmlsafe.iterparse(
        handle, events=("end",), tag=("{*}header", "{*}tu"), remove_comments=True
    )
    for number, (_, element) in enumerate(events):
        if number == 0:
            xmlsafe.check_doctype(element.getroottree())
            _check_root(path, element.getroottree().getroot())
        if etree.QName(element).localname == "header":
            header_lang = language_tag(element.get("srclang"), lang_map, source_lang)
            tool = tool_of(element.get("creationtool"), path.name)
            continue
        for entry in _entries(path, element, header_lang or source_lang, lang_map, source_lang):
            yield entry, tool
        element.clear(keep_tail=False)
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]
    _check_root(path, events.root)


def _check_root(path: Path, root: etree._Element | None) -> None:
    name = etree.QName(root).localname if root is not None else None
    if name != "tmx":
        raise InputError(f"{path}: not a TMX file (root <{name}>)")


def _entries(
    path: Path,
    tu: etree._Element,
    default_source: str,
    lang_map: Mapping[str, str] | None,
    given_source: str,
) -> Iterator[MemoryEntry]:
    source_lang = language_tag(tu.get("srclang"), lang_map, given_source) or default_source
    props: dict[str, list[str]] = {}
    ids: dict[tuple[str, str], int] = {}
    variants: dict[str, tuple[str, tuple[Code, ...], etree._Element]] = {}
    for child in tu:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name == "prop":
            props.setdefault(child.get("type", ""), []).append(child.text or "")
        elif name == "tuv":
            lang = language_tag(child.get(XML_LANG) or child.get("lang"), lang_map, given_source)
            seg = next((c for c in child if etree.QName(c).localname == "seg"), None)
            if lang is None or seg is None or lang in variants:
                continue
            text, codes = _inline(seg, ids)
            variants[lang] = (text, codes, child)
    if source_lang not in variants:
        return
    source, source_codes, _ = variants[source_lang]
    if not source.strip():
        return
    for lang, (target, target_codes, tuv) in variants.items():
        if lang == source_lang or not target.strip():
            continue
        yield MemoryEntry(
            source_lang,
            lang,
            source,
            target,
            source_codes,
            target_codes,
            origin=str(path),
            tuid=tu.get("tuid"),
            created_at=_date(tuv.get("creationdate") or tu.get("creationdate")),
            created_by=tuv.get("creationid") or tu.get("creationid"),
            changed_at=_date(tuv.get("changedate") or tu.get("changedate")),
            changed_by=tuv.get("changeid") or tu.get("changeid"),
            props=props,
        )


def _inline(seg: etree._Element, ids: dict[tuple[str, str], int]) -> tuple[str, tuple[Code, ...]]:
    """Return a ``<seg>``'s plain text and codes; ids are shared by the unit's variants."""
    text: list[str] = []
    codes: list[Code] = []
    pairs: dict[str, tuple[int, str]] = {}
    order = 0
    # Codes without x are the same code in each variant by their order among their kind.
    seen: dict[str, int] = {}

    def code_id(key: tuple[str, str]) -> int:
        if key not in ids:
            ids[key] = len(ids) + 1
        return ids[key]

    def walk(element: etree._Element) -> None:
        nonlocal order
        text.append(element.text or "")
        for child in element:
            if not isinstance(child.tag, str):
                text.append(child.tail or "")
                continue
            name = etree.QName(child).localname
            at = sum(map(len, text))
            native = "".join(str(t) for t in child.itertext())
            order += 1
            seen[name] = seen.get(name, 0) + 1
            x, i = child.get("x"), child.get("i")
            if name == "bpt":
                cid = code_id(("x", x) if x else ("i", i or str(order)))
                tag = _type(child, "bpt")
                pairs[i or ""] = (cid, tag)
                codes.append(Code(cid, CodeType.OPEN, tag, native, at))
            elif name == "ept":
                opened = pairs.pop(i or "", None)
                cid, tag = opened or (code_id(("i", i or str(order))), "ept")
                codes.append(Code(cid, CodeType.CLOSE, tag, native, at))
            elif name in ("ph", "ut", "it"):
                cid = code_id(("x", x) if x else ("n", f"{name}{seen[name]}"))
                kind = CodeType.STANDALONE
                if name == "it":
                    kind = CodeType.CLOSE if child.get("pos") == "end" else CodeType.OPEN
                codes.append(Code(cid, kind, _type(child, name), native, at))
            elif name == "hi":
                walk(child)
            text.append(child.tail or "")

    walk(seg)
    return "".join(text), tuple(codes)


def _type(element: etree._Element, default: str) -> str:
    """Return a code's ``type``, kept when it is empty (as ``tm export`` writes a bare code)."""
    value = element.get("type")
    return default if value is None else value


def _date(value: str | None) -> str | None:
    """Return a TMX date (``YYYYMMDDThhmmssZ``) in ISO 8601, other text as it is."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return value
