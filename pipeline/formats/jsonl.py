"""JSON Lines: one object per unit, every field the store holds, UTF-8, one line each.

``{"id": "s12", "document": {id, uri, version, title, format, source_lang},
"segment": {id, paragraph, sentence, kind, source, source_hash},
"targets": {LANG: {text, state, origin, signature, score, author, created_at,
updated_at, flags, pseudo} | null}}``. ``signature`` is the signature's own JSON object
(or null); ``flags`` a list of ``{check, severity, message}``; a target language with no
translation is ``null`` (state initial); one left out by a state filter is absent.
``matches``: {LANG: [{score, source, target, origin, author, differs, source_codes,
target_codes}]}, the fuzzy memory matches translate offered, best first, ``differs`` a list
of [match's text, source's text] pairs. ``terms``: {LANG: [{start, end, text, term, targets,
forbidden, dnt, action, notes}]}, the glossary terms found in the source. A language with
none is absent from each.

Inline codes: ``segment`` and each target have ``codes``, a list of ``{id, type, tag, data,
at, protect}`` (``type`` open, close or standalone; ``at`` an offset in the plain text;
``data`` the native markup), and ``marked``, the readable form of
:func:`pipeline.inline.marked` (``<1>…</1>``, ``<2/>``; text reading ``<1>`` is ``\\<1>``).
``source`` and ``text`` stay plain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO

from pipeline.formats import ExportOptions, exported_in, terms_of, write_chunks
from pipeline.inline import marked
from pipeline.records import Code, MemoryMatch, Translation, Unit

# Line breaks other than LF that str.splitlines() honours: escaped, so a line is one unit.
_LINE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}


def record(unit: Unit, options: ExportOptions) -> dict[str, Any]:
    """Return the JSON-ready record of one unit."""
    doc, seg = unit.document, unit.segment
    langs = [lang for lang in options.target_langs if exported_in(unit, lang)]
    return {
        "id": unit.unit_id,
        "document": {
            "id": doc.id,
            "uri": doc.uri,
            "version": doc.version,
            "title": doc.title,
            "format": doc.format,
            "source_lang": doc.source_lang,
        },
        "segment": {
            "id": seg.id,
            "paragraph": seg.paragraph,
            "sentence": seg.sentence,
            "kind": seg.kind.value,
            "source": seg.source,
            "source_hash": seg.source_hash,
            "codes": codes_record(seg.codes),
            "marked": marked(seg.source, seg.codes),
        },
        "targets": {lang: _target(unit.translations.get(lang)) for lang in langs},
        "matches": {
            lang: [_match(m, seg.source) for m in unit.matches[lang]]
            for lang in langs
            if unit.matches.get(lang)
        },
        "terms": {lang: found for lang in langs if (found := _terms(unit, lang, options))},
    }


def _match(m: MemoryMatch, source: str) -> dict[str, Any]:
    from pipeline.tm.adapt import differences

    return {
        "score": m.score,
        "source": m.source,
        "target": m.target,
        "origin": m.origin,
        "author": m.author,
        "differs": [list(pair) for pair in differences(source, m.source)],
        "source_codes": codes_record(m.source_codes),
        "target_codes": codes_record(m.target_codes),
    }


def _terms(unit: Unit, lang: str, options: ExportOptions) -> list[dict[str, Any]]:
    return [
        {
            "start": hit.start,
            "end": hit.end,
            "text": hit.text,
            "term": hit.term,
            "targets": list(hit.targets),
            "forbidden": list(hit.forbidden),
            "dnt": hit.dnt,
            "action": hit.action,
            "notes": list(hit.notes),
        }
        for hit in terms_of(unit, lang, options)
    ]


def codes_record(codes: Sequence[Code]) -> list[dict[str, Any]]:
    """Return codes as JSON-ready objects, in their stored order."""
    return [
        {
            "id": c.id,
            "type": c.type.value,
            "tag": c.tag,
            "data": c.data,
            "at": c.at,
            "protect": c.protect,
        }
        for c in codes
    ]


def _target(t: Translation | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {
        "text": t.text,
        "state": t.state.value,
        "origin": t.origin.value,
        "signature": json.loads(t.signature.to_json()) if t.signature else None,
        "score": t.score,
        "author": t.author,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "flags": [
            {"check": f.check, "severity": f.severity.value, "message": f.message} for f in t.flags
        ],
        "pseudo": t.is_pseudo,
        "codes": codes_record(t.codes),
        "marked": marked(t.text, t.codes),
    }


def generate_jsonl(units: Iterable[Unit], options: ExportOptions) -> Iterator[str]:
    """Yield one JSON line per unit."""
    for unit in units:
        yield json.dumps(record(unit, options), ensure_ascii=False).translate(_LINE_BREAKS) + "\n"


def write(units: Iterable[Unit], out: BinaryIO, options: ExportOptions) -> None:
    """Write units as JSON Lines."""
    write_chunks(generate_jsonl(units, options), out)
