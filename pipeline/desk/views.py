"""What the desk's pages show, read from the store: documents with their figures, and rows.

Everything here returns plain data; the templates escape every text (Jinja2 autoescape),
and an inline code becomes a chip whose markup is escaped text in its title, never markup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from pipeline.formats import flag_line, match_lines, term_line
from pipeline.formats.bilingual_html import coded_html
from pipeline.glossary.cache import Glossaries
from pipeline.inline import carried, marked
from pipeline.records import (
    Code,
    Document,
    EditConflict,
    Flag,
    Origin,
    Revision,
    Segment,
    Severity,
    State,
    Translation,
)
from pipeline.store.base import Store

FILTERS = ("all", "open", "flagged", "pseudo", "changed")
ORDERS = ("article", "confidence")
DONE = (State.REVIEWED, State.FINAL)


EDITABLE = ' contenteditable="false" draggable="true" data-marker="{marker}"'


def chips(text: str, codes: Sequence[Code], *, editable: bool = False) -> str:
    """Return a coded text as escaped HTML, each code a chip (atomic and draggable to edit).

    >>> from pipeline.records import Code, CodeType as T
    >>> chips("a<b", [Code(1, T.STANDALONE, "img", '<img src="x">', 1)])
    'a<span class="chip" title="&lt;img src=&quot;x&quot;&gt;">&lt;1/&gt;</span>&lt;b'
    """
    return coded_html(text, codes, css="chip", attrs=EDITABLE if editable else "")


@dataclass(frozen=True)
class DocumentFigures:
    """One document in one language on the list: segments by state, flags, pseudo."""

    document: Document
    lang: str
    states: dict[str, int]
    flagged: int
    pseudo: int


def figures(store: Store, docs: Sequence[Document], langs: Sequence[str]) -> list[DocumentFigures]:
    """Return the list page's figures: the ``status`` counts, QA flags and pseudo counts."""
    found = []
    for doc in docs:
        total = len(store.segments(doc.id))
        for lang in langs:
            done = store.translations(doc.id, lang)
            states = Counter(t.state.value for t in done.values())
            states[State.INITIAL.value] += total - len(done)
            found.append(
                DocumentFigures(
                    doc,
                    lang,
                    {s.value: states[s.value] for s in State},
                    sum(1 for t in done.values() if t.flags),
                    sum(1 for t in done.values() if t.is_pseudo),
                )
            )
    return found


@dataclass(frozen=True)
class Row:
    """One segment as the document page shows it, its editor filled with the target."""

    segment: Segment
    translation: Translation | None
    base: int | None
    source_html: str
    source_edit_html: str
    editor_html: str
    flags: list[tuple[str, str]]
    matches: list[dict[str, Any]]
    terms: list[str]
    machine: str | None
    history: list[dict[str, Any]]
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.translation.state.value if self.translation else State.INITIAL.value

    @property
    def is_open(self) -> bool:
        return _open(self.translation)


def flag_rows(flags: Sequence[Flag]) -> list[tuple[str, str]]:
    """Return flags as (severity, line) pairs, errors first."""
    ordered = sorted(flags, key=lambda f: f.severity is not Severity.ERROR)
    return [(f.severity.value, flag_line(f)) for f in ordered]


PAGE_SIZE = 200


@dataclass(frozen=True)
class Page:
    """One page of a document's rows, with where the pages around it and the next open one are."""

    rows: list[Row]
    number: int
    count: int
    total: int
    first: int
    # (page number, segment id) of the first open segment after this page, in the same view.
    next_open: tuple[int, int] | None


class NoSuchPage(ValueError):
    """A page number past the last page of a view."""


def page(
    store: Store,
    doc: Document,
    lang: str,
    *,
    show: str = "all",
    order: str = "article",
    since: str | None = None,
    number: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """Return one page of a document's rows in one language, filtered and ordered as asked."""
    done = store.translations(doc.id, lang)
    chosen = [s for s in store.segments(doc.id) if _shown(done.get(s.id), show, since)]
    if order == "confidence":
        # Lowest model score first; segments the engine gave no score come after.
        chosen.sort(key=lambda s: _score(done.get(s.id)))
    count = max(1, -(-len(chosen) // size))
    if not 1 <= number <= count:
        raise NoSuchPage(f"no page {number}: this view has {count}")
    start = (number - 1) * size
    after = start + size
    following = next((i for i in range(after, len(chosen)) if _open(done.get(chosen[i].id))), None)
    return Page(
        rows=_rows(store, doc, lang, chosen[start:after], done),
        number=number,
        count=count,
        total=len(chosen),
        first=start + 1,
        next_open=None if following is None else (following // size + 1, chosen[following].id),
    )


def links(path: str, show: str, order: str, page: Page) -> dict[str, str]:
    """Return the addresses of the pages around this one and of the next open segment."""

    def to(number: int, anchor: str = "") -> str:
        query = {"show": show, "order": order, "page": str(number)}
        return f"{path}?{urlencode(query)}{anchor}"

    found = {}
    if page.number > 1:
        found["prev"] = to(page.number - 1)
    if page.number < page.count:
        found["next"] = to(page.number + 1)
    if page.next_open is not None:
        number, segment_id = page.next_open
        # Not the section's own id: the browser's jump to an anchor would take the focus away.
        found["next_open"] = to(number, f"#at-s{segment_id}")
    return found


def _rows(
    store: Store,
    doc: Document,
    lang: str,
    segments: Sequence[Segment],
    done: dict[int, Translation],
) -> list[Row]:
    """Return the rows of these segments: history, matches, terms and conflicts included."""
    offered = store.matches(doc.id, lang)
    bases = store.revision_ids(doc.id, lang)
    waiting = store.edit_conflicts(doc.id, lang)
    glossary = Glossaries(store).get(doc.source_lang, lang)
    found = []
    for seg in segments:
        t = done.get(seg.id)
        history = store.revisions(t.id) if t is not None else []
        found.append(
            Row(
                segment=seg,
                translation=t,
                base=bases.get(seg.id),
                source_html=chips(seg.source, seg.codes),
                source_edit_html=chips(seg.source, seg.codes, editable=True),
                editor_html=chips(t.text, t.codes, editable=True) if t else "",
                flags=flag_rows(t.flags) if t else [],
                matches=[_match(m, seg) for m in offered.get(seg.id, ())],
                terms=[term_line(h) for h in glossary.hits(seg.source)] if glossary else [],
                machine=_machine(history, t),
                history=[_revision(r) for r in reversed(history)],
                conflicts=[_conflict(c) for c in waiting.get(seg.id, ())],
            )
        )
    return found


def _open(t: Translation | None) -> bool:
    return t is None or t.state not in DONE


def _shown(t: Translation | None, show: str, since: str | None) -> bool:
    if show == "open":
        return _open(t)
    if show == "flagged":
        return t is not None and bool(t.flags)
    if show == "pseudo":
        return t is not None and t.is_pseudo
    if show == "changed":
        return t is not None and (since is None or t.updated_at > since)
    return True


def _score(t: Translation | None) -> tuple[int, float]:
    if t is None or t.score is None:
        return (1, 0.0)
    return (0, t.score)


def _match(m: Any, seg: Segment) -> dict[str, Any]:
    offered, differs = match_lines(m, seg.source)
    return {
        "score": m.score,
        "origin": m.origin,
        "html": chips(m.target, m.target_codes),
        "edit_html": chips(m.target, _carried(m, seg), editable=True),
        "line": offered,
        "differs": differs,
    }


def _carried(m: Any, seg: Segment) -> tuple[Code, ...]:
    """Return a match target's codes as the segment's (its own ids may differ)."""
    return carried(m.target_codes, m.source_codes, seg.codes, seg.source, m.target).codes


def _machine(history: Sequence[Revision], t: Translation | None) -> str | None:
    """Return the newest machine output of a segment when the current text is not it."""
    machine = [r for r in history if r.origin is Origin.MT]
    if not machine or t is None or machine[-1].text == t.text:
        return None
    return chips(machine[-1].text, machine[-1].codes)


def _revision(r: Revision) -> dict[str, Any]:
    return {
        "id": r.id,
        "when": r.created_at[:19].replace("T", " "),
        "author": r.author,
        "state": r.state.value,
        "origin": r.origin.value,
        "engine": r.signature.engine if r.signature else "",
        "html": chips(r.text, r.codes),
        "note": r.note,
    }


def _conflict(c: EditConflict) -> dict[str, Any]:
    return {
        "id": c.id,
        "author": c.author,
        "when": c.created_at[:19].replace("T", " "),
        "yours": marked(c.text, c.codes),
        "html": chips(c.text, c.codes),
    }
