"""Fuzzy memory matches for the translate job: find them, and turn one into a draft's text.

The store's own reviewed work and the imported memory of a language pair are indexed
together (:class:`pipeline.tm.fuzzy.FuzzyIndex`) once per run, and only when some segment
goes to the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.records import Code, Flag, MemoryMatch, Severity
from pipeline.store.base import Store
from pipeline.tm import MemoryEntry
from pipeline.tm.adapt import adapt_numbers, describe, differences


def find_matches(
    store: Store,
    pair: tuple[str, str],
    sources: Mapping[str, Sequence[Code]],
    threshold: float,
    limit: int = 3,
) -> dict[str, tuple[MemoryMatch, ...]]:
    """Return the best fuzzy matches (at least threshold percent) of each source, by source."""
    own = list(store.own_memory(pair))
    imported = store.memory_sources(pair)
    first = next(imported, None)
    if not own and first is None:
        return {}
    from pipeline.tm.fuzzy import FuzzyIndex

    # Own entries are held whole; imported ones by row id, read in full only when they match.
    index: FuzzyIndex[MemoryEntry | int] = FuzzyIndex()
    for entry in own:
        index.add(entry.source, entry.source_codes, entry)
    if first is not None:
        index.add(first[1], first[2], first[0])
        for row_id, source, codes in imported:
            index.add(source, codes, row_id)
    found = {text: index.lookup(text, codes, threshold, limit) for text, codes in sources.items()}
    rows = store.memory_by_id(
        m.entry for matches in found.values() for m in matches if isinstance(m.entry, int)
    )
    return {
        text: tuple(
            offered(m.entry, m.score, pair[1], True)
            if isinstance(m.entry, MemoryEntry)
            else offered(rows[m.entry], m.score, pair[1], False)
            for m in matches
        )
        for text, matches in found.items()
        if matches
    }


def offered(entry: MemoryEntry, score: float, lang: str, own: bool) -> MemoryMatch:
    """Return a fuzzy match as stored: the store's own work, or a file's unit."""
    if own:
        where = f"store:{entry.origin} {entry.tuid}"
    else:
        where = f"memory:{entry.origin}" + (f" tu {entry.tuid}" if entry.tuid else "")
    return MemoryMatch(
        lang,
        score,
        entry.source,
        entry.target,
        where,
        entry.source_codes,
        entry.target_codes,
        entry.changed_by or entry.created_by or "",
    )


@dataclass(frozen=True)
class Filled:
    """A fuzzy match's target made a draft: the source's numbers, flags saying what differs."""

    text: str
    codes: tuple[Code, ...]
    flags: tuple[Flag, ...]
    note: str


def fill(match: MemoryMatch, source: str) -> Filled:
    """Return a match's target for a source: differing numbers replaced, all of it flagged.

    >>> m = MemoryMatch("hi", 90.0, "Police paid 5 rupees.", "पुलिस ने 5 रुपये दिए।", "memory:a")
    >>> filled = fill(m, "Police paid 6 rupees.")
    >>> filled.text, [f.message for f in filled.flags][1:]
    ('पुलिस ने 6 रुपये दिए।', ['numbers replaced from the source: 5 → 6'])
    """
    found = differences(source, match.source)
    adapted = adapt_numbers(match.target, found)
    notes = [f"filled from a {match.score:g}% memory match ({match.origin})"]
    flags = [Flag("fuzzy", Severity.WARNING, f"{notes[0]}; it differs: {describe(found)}")]
    if adapted.replaced:
        replaced = ", ".join(adapted.replaced)
        flags.append(
            Flag("fuzzy", Severity.WARNING, f"numbers replaced from the source: {replaced}")
        )
        notes.append(f"numbers replaced: {replaced}")
    flags += [
        Flag("fuzzy", Severity.WARNING, f"number {n} of the match is not in its target")
        for n in adapted.missing
    ]
    codes = tuple(c.moved(adapted.offset(c.at)) for c in match.target_codes)
    return Filled(adapted.text, codes, tuple(flags), "; ".join(notes))
