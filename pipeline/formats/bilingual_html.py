"""Bilingual side-by-side HTML for review: one table row per paragraph, one column per language.

Each segment is a ``<span>`` with its unit id, state (shown as a badge) and QA flags (listed
under the paragraph); pseudo-translations carry a visible PSEUDO badge. Every text is
escaped; each column has its ``lang`` and ``dir``; under the flags, each language's cell lists
the glossary terms found in the source (``ul.terms``) and the fuzzy memory matches offered
(``ul.matches``, with what differs); the font stack covers Myanmar and
Devanagari. An inline code shows as its marker, ``<span class="code" title="native
markup">&lt;1&gt;</span>``: the markup it stands for is escaped text in a tooltip, never
live markup in the page.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, groupby
from typing import BinaryIO

from pipeline.formats import (
    ExportOptions,
    exported_in,
    flag_line,
    match_lines,
    state_of,
    term_line,
    terms_of,
    write_chunks,
)
from pipeline.inline import marked, pieces
from pipeline.records import Code, Document, Translation, Unit

FONTS = (
    'system-ui, "Noto Sans", "Noto Sans Myanmar", "Padauk", "Myanmar Text",'
    ' "Noto Sans Devanagari", "Mangal", "Nirmala UI", sans-serif'
)
STYLE = f"""
body {{ font-family: {FONTS}; margin: 1.5rem; line-height: 1.6; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
th, td {{ border: 1px solid #ccc; padding: .4rem .6rem; vertical-align: top; }}
th {{ background: #f3f3f3; text-align: start; }}
.seg {{ display: inline; }}
.badge {{ font: .7rem/1 system-ui, sans-serif; padding: .1rem .3rem; border-radius: .2rem;
  background: #eee; color: #333; margin-inline-start: .2rem; vertical-align: super; }}
.initial .badge {{ background: #fdd; }}
.translated .badge {{ background: #ffe9b3; }}
.reviewed .badge {{ background: #d7ecff; }}
.final .badge {{ background: #d5f5d5; }}
.pseudo {{ outline: 2px dashed #c00; }}
.pseudo-badge {{ background: #c00; color: #fff; }}
.flags {{ margin: .3rem 0 0; padding-inline-start: 1.2rem; font-size: .85rem; color: #900; }}
.terms, .matches {{ margin: .3rem 0 0; padding-inline-start: 1.2rem; font-size: .85rem; }}
.terms {{ color: #035; }}
.matches {{ color: #444; }}
.missing {{ color: #999; font-style: italic; }}
.code {{ font: .75rem/1 ui-monospace, monospace; color: #05a; background: #eef4ff;
  border-radius: .2rem; padding: 0 .15rem; cursor: help; }}
"""


def text_direction(lang: str) -> str:
    """Return "rtl" or "ltr" for a language, as babel knows it (ltr when unknown).

    >>> text_direction("ar"), text_direction("my")
    ('rtl', 'ltr')
    """
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(lang.replace("-", "_")).text_direction)
    except (ValueError, UnknownLocaleError):
        return "ltr"


def coded_html(text: str, codes: Sequence[Code], *, css: str = "code", attrs: str = "") -> str:
    """Return a coded text as escaped HTML, each code a visible marker with its markup as title.

    ``css`` is the markers' class; ``attrs`` more attributes for each (the review desk's
    editable chips), with ``{marker}`` standing for the escaped marker.

    >>> from pipeline.records import Code, CodeType as T
    >>> coded_html("a<b", [Code(1, T.STANDALONE, "img", '<img src="x">', 1)])
    'a<span class="code" title="&lt;img src=&quot;x&quot;&gt;">&lt;1/&gt;</span>&lt;b'
    """
    out = []
    for piece in pieces(text, codes):
        if isinstance(piece, str):
            out.append(html.escape(piece))
        else:
            marker = html.escape(marked("", (piece.moved(0),)))
            title = _attr(piece.data or piece.tag)
            more = attrs.format(marker=marker)
            out.append(f'<span class="{css}"{more} title="{title}">{marker}</span>')
    return "".join(out)


def generate_html(units: Iterable[Unit], options: ExportOptions) -> Iterator[str]:
    """Yield the page: head, then per document a table whose rows are paragraphs."""
    langs = options.target_langs
    directions = {lang: text_direction(lang) for lang in langs}
    yield (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="generator" content="pipeline '
        f'{html.escape(options.tool_version)}">\n'
        f"<title>Bilingual review: {', '.join(html.escape(lang) for lang in langs)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
    )
    for _, doc_units in groupby(units, key=lambda unit: unit.document.id):
        first = next(doc_units)
        yield _table_start(first.document, langs, directions)
        for _, paragraph in groupby(
            chain([first], doc_units), key=lambda unit: unit.segment.paragraph
        ):
            yield _row(list(paragraph), langs, directions, options)
        yield "</tbody>\n</table>\n</section>\n"
    yield "</body>\n</html>\n"


def _table_start(doc: Document, langs: Sequence[str], directions: dict[str, str]) -> str:
    source_dir = text_direction(doc.source_lang)
    heads = [
        f'<th lang="{_attr(doc.source_lang)}" dir="{source_dir}">'
        f"{html.escape(doc.source_lang)}</th>",
        *(
            f'<th lang="{_attr(lang)}" dir="{directions[lang]}">{html.escape(lang)}</th>'
            for lang in langs
        ),
    ]
    return (
        f'<section id="d{doc.id}">\n<h1>{html.escape(doc.title)}</h1>\n'
        f"<p>{html.escape(doc.uri)} · document {doc.id}, version {doc.version}</p>\n"
        f"<table>\n<thead><tr><th>¶</th>{''.join(heads)}</tr></thead>\n<tbody>\n"
    )


def _row(
    units: Sequence[Unit], langs: Sequence[str], directions: dict[str, str], options: ExportOptions
) -> str:
    """Return one paragraph's row: the source segments, then each language's segments."""
    doc = units[0].document
    source = " ".join(
        f'<span class="seg" id="{unit.unit_id}">'
        f"{coded_html(unit.segment.source, unit.segment.codes)}</span>"
        for unit in units
    )
    cells = [
        f'<td lang="{_attr(doc.source_lang)}" dir="{text_direction(doc.source_lang)}">{source}</td>'
    ]
    for lang in langs:
        cells.append(_target_cell(units, lang, directions[lang], options))
    return f"<tr><th>{units[0].segment.paragraph}</th>{''.join(cells)}</tr>\n"


def _target_cell(units: Sequence[Unit], lang: str, direction: str, options: ExportOptions) -> str:
    spans: list[str] = []
    flags: list[str] = []
    terms: list[str] = []
    matches: list[str] = []
    for unit in units:
        if not exported_in(unit, lang):
            spans.append('<span class="missing" title="left out by the state filter">·</span>')
            continue
        t = unit.translations.get(lang)
        spans.append(_target_span(unit, t))
        if t is not None:
            flags.extend(
                f"<li>{unit.unit_id}: {html.escape(flag_line(flag))}</li>" for flag in t.flags
            )
        terms.extend(
            f"<li>{unit.unit_id}: {html.escape(term_line(hit))}</li>"
            for hit in terms_of(unit, lang, options)
        )
        for m in unit.matches.get(lang, ()):
            offered, differs = match_lines(m, unit.segment.source)
            matches.append(
                f"<li>{unit.unit_id}: {html.escape(offered)}<br>{html.escape(differs)}</li>"
            )
    listed = "".join(
        f'<ul class="{name}">{"".join(items)}</ul>'
        for name, items in (("flags", flags), ("terms", terms), ("matches", matches))
        if items
    )
    return f'<td lang="{_attr(lang)}" dir="{direction}">{" ".join(spans)}{listed}</td>'


def _target_span(unit: Unit, t: Translation | None) -> str:
    state = state_of(t).value
    classes = ["seg", state]
    badges = [f'<span class="badge">{state}</span>']
    if t is not None and t.is_pseudo:
        classes.append("pseudo")
        badges.append('<span class="badge pseudo-badge">PSEUDO: not a translation</span>')
    if t is not None and t.flags:
        badges.append(f'<span class="badge">{len(t.flags)} QA</span>')
    missing = '<span class="missing">—</span>'
    text = coded_html(t.text, t.codes) if t is not None and t.text else missing
    return (
        f'<span class="{" ".join(classes)}" data-unit="{unit.unit_id}" data-state="{state}"'
        f' title="{unit.unit_id} {state}">{text}{"".join(badges)}</span>'
    )


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def write(units: Iterable[Unit], out: BinaryIO, options: ExportOptions) -> None:
    """Write units as a bilingual HTML page."""
    write_chunks(generate_html(units, options), out)
