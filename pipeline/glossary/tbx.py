"""Read TBX glossaries: TBX 2 / TBX-Basic (``<martif>``) and TBX v3 (``<tbx>``, dca and dct).

Both are read by local names, so any namespace works (v3's ``urn:iso:std:iso:30042:ed-2``,
a dct module's ``basic:``). A concept entry (``termEntry`` / ``conceptEntry``) holds language
sections (``langSet`` / ``langSec``) that hold terms (``tig``, ``ntig/termGrp``, ``termSec``).
A data category is either a typed element (``<termNote type="administrativeStatus">``, the
TBX 2 and dca way) or an element named after it (``<basic:administrativeStatus>``, dct):

- ``administrativeStatus`` (or ``normativeAuthorization``) gives the status
  (:func:`pipeline.glossary.fields.term_status`), ``partOfSpeech`` the part of speech;
- ``note``, every ``descrip``, and ``definition``/``context``/``explanation``/``subjectField``
  give the note;
- do-not-translate is any data category whose type or text says so
  (:func:`~pipeline.glossary.fields.says_dnt`: ``<termNote type="transferComment">do not
  translate</termNote>``, ``<admin type="doNotTranslate">yes</admin>``, a note saying "DNT")
  or any element with ``translate="no"``. It holds for the whole entry when the concept, the
  source language or the source term says it, and for one pair when the target term does.

Each source term is paired with each target term of its entry; a source term with no target
term in a language yields an entry with target "" (with dnt when the concept says so).

The file is parsed incrementally, one entry at a time. Nothing is fetched and no DTD is
loaded (a ``<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">`` is read as it stands); a file
that declares entities or uses one is refused, so no expansion (billion laughs) can happen.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from pipeline import xmlsafe
from pipeline.errors import InputError
from pipeline.glossary import GlossaryEntry
from pipeline.glossary.fields import says_dnt, target_language, term_status

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ROOTS = {"martif", "tbx"}
ENTRIES = {"termEntry", "conceptEntry"}
LANGUAGES = {"langSet", "langSec"}
TERMS = {"tig", "ntig", "termSec"}
TYPED = {"termNote", "descrip", "admin", "transac", "adminNote", "transacNote", "descripNote"}
NOTES = {"note", "definition", "context", "explanation", "subjectField"}
STATUSES = {"administrativeStatus", "normativeAuthorization"}
_NO = {"no", "false", "0", "n"}


@dataclass
class _Info:
    """The data categories found at one level of an entry."""

    status: str = ""
    pos: str = ""
    notes: list[str] = field(default_factory=list)
    dnt: bool = False


@dataclass
class _Term:
    text: str
    info: _Info


@dataclass
class _Concept:
    """One entry as read: its id, its own data categories, its terms by language."""

    id: str
    info: _Info
    terms: dict[str, list[_Term]]
    langs: dict[str, _Info]


def read_tbx(
    path: Path,
    source_lang: str,
    target_lang: str | None = None,
    lang_map: Mapping[str, str] | None = None,
) -> list[GlossaryEntry]:
    """Return the entries of a TBX file: each source term paired with each target term."""
    try:
        with path.open("rb") as handle:
            concepts = list(_concepts(path, handle, target_lang, lang_map, source_lang))
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    held = sorted({lang for c in concepts for lang, t in c.terms.items() if t} - {source_lang})
    if target_lang is not None and held and target_lang not in held:
        raise InputError(f"{path}: no {target_lang} terms (the file has {', '.join(held)})")
    targets = [target_lang] if target_lang is not None else held
    if not targets and any(source_lang in c.terms for c in concepts):
        raise InputError(f"{path}: the file holds no target language terms; give --to")
    return [e for c in concepts for e in _pairs(path, c, source_lang, targets)]


def _first_error(events: etree.iterparse, exc: etree.XMLSyntaxError) -> str:
    """Return this parse's first error: iterparse's own message can be a vague "no element"."""
    errors = [e for e in events.error_log if e.level >= etree.ErrorLevels.ERROR]
    if not errors:
        return str(exc)
    return f"{errors[0].message} (line {errors[0].line}, column {errors[0].column})"


def _concepts(
    path: Path,
    handle: BinaryIO,
    target_lang: str | None,
    lang_map: Mapping[str, str] | None,
    source_lang: str,
) -> Iterator[_Concept]:
    events = xmlsafe.iterparse(
        handle, events=("start", "end"), remove_comments=True, remove_pis=True
    )
    started = False
    try:
        for event, element in events:
            if not started:
                # The first event is the root's start: after the DOCTYPE, before any content.
                started = True
                _check_root(path, element)
            if event != "end" or etree.QName(element).localname not in ENTRIES:
                continue
            yield _concept(path, element, target_lang, lang_map, source_lang)
            element.clear(keep_tail=False)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        why = xmlsafe.refusal(exc)
        if why:
            raise InputError(f"{path}: {why}") from None
        raise InputError(f"{path}: malformed TBX: {_first_error(events, exc)}") from None
    if not started:
        raise InputError(f"{path}: not a TBX file (no root element)")


def _check_root(path: Path, root: etree._Element) -> None:
    name = etree.QName(root).localname
    if name not in ROOTS:
        raise InputError(f"{path}: not a TBX file (root <{name}>, not <martif> or <tbx>)")
    try:
        xmlsafe.check_doctype(root.getroottree())
    except xmlsafe.UnsafeXMLError as exc:
        raise InputError(f"{path}: {exc}") from None


def _concept(
    path: Path,
    entry: etree._Element,
    target_lang: str | None,
    lang_map: Mapping[str, str] | None,
    source_lang: str,
) -> _Concept:
    concept_id = entry.get("id") or ""
    entity = next(entry.iter(etree.Entity), None)
    if entity is not None:
        raise InputError(f"{path}: entity reference {entity.text} is refused")
    concept = _Concept(concept_id, _info(entry, LANGUAGES), {}, {})
    for section in entry.iter("{*}langSet", "{*}langSec"):
        where = f"entry {concept_id!r}" if concept_id else "an entry"
        value = section.get(XML_LANG) or section.get("lang")
        lang = target_language(path, value, target_lang, lang_map, where, source_lang)
        concept.langs.setdefault(lang, _info(section, TERMS))
        terms = concept.terms.setdefault(lang, [])
        for group in section:
            if isinstance(group.tag, str) and etree.QName(group).localname in TERMS:
                term = next(group.iter("{*}term"), None)
                text = _text(term) if term is not None else ""
                if text:
                    terms.append(_Term(text, _info(group, set())))
    return concept


def _text(element: etree._Element) -> str:
    """Return an element's text content, whitespace runs as one space."""
    return " ".join("".join(str(t) for t in element.itertext()).split())


def _info(element: etree._Element, skip: set[str]) -> _Info:
    """Return the data categories of an element, not looking into ``skip`` children."""
    info = _Info(dnt=element.get("translate") == "no")
    _categories(info, element, skip)
    return info


def _categories(info: _Info, element: etree._Element, skip: set[str]) -> None:
    """Add what the children of an element say to ``info``, reading groups (``…Grp``) through."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name in skip or name == "term":
            continue
        if child.get("translate") == "no":
            info.dnt = True
        if name.endswith("Grp"):
            _categories(info, child, skip)
            continue
        category = child.get("type", "") if name in TYPED else name
        value = _text(child)
        if category in STATUSES:
            info.status = info.status or value
        elif category == "partOfSpeech":
            info.pos = info.pos or value
        elif says_dnt(category):
            info.dnt = info.dnt or value.lower() not in _NO
        elif name in ("note", "descrip") or category in NOTES:
            info.notes.append(value)
        if says_dnt(value):
            info.dnt = True


def _pairs(
    path: Path, concept: _Concept, source_lang: str, targets: list[str]
) -> Iterator[GlossaryEntry]:
    source_info = concept.langs.get(source_lang, _Info())
    for source in concept.terms.get(source_lang, []):
        whole = [concept.info, source_info, source.info]
        for lang in targets:
            found = concept.terms.get(lang, [])
            lang_info = concept.langs.get(lang, _Info())
            for target in found or [_Term("", _Info())]:
                levels = [*whole, lang_info, target.info]
                notes = dict.fromkeys(n for level in levels for n in level.notes if n)
                yield GlossaryEntry(
                    source_lang,
                    lang,
                    source.text,
                    target.text,
                    status=term_status(target.info.status or lang_info.status),
                    dnt=any(level.dnt for level in levels),
                    pos=source.info.pos or target.info.pos,
                    note="; ".join(notes),
                    origin=str(path),
                    concept=concept.id,
                )
