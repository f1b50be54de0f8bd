"""Put an imported entry's inline codes onto the codes of the stored segment it translates.

Other tools write inline codes in their own way: OmegaT as its short tags (``<g0>``, as
``<bpt>`` content in a level 2 TMX, or as text in its level 1 memories), Trados and memoQ as
their native markup (``{1}``, ``<cf bold="True">``). None of that markup may reach an
article. So an entry's codes are mapped onto those of a stored segment whose source is the
entry's plain source (normalised as memory matching compares, same source language), which
gives them the segment's ids, types, tags and markup:

- OmegaT tags written as text (a file OmegaT wrote: ``creationtool="OmegaT"``,
  ``project_save.tmx``, ``PROJECT-omegat.tmx``) are read by the segment's own tag names
  (:func:`pipeline.omegat.tags.names`), in source and target; text that is not one of those
  tags stays text.
- Otherwise by order: the entry's source codes fall into pairs (two ends sharing an id,
  ``bpt``/``ept`` joined by ``i``) and single codes (``ph``, ``it``, ``ut``, an end whose
  partner is missing); the segment's likewise. The n-th pair of the entry, in the order
  the pairs open, is the n-th pair of the segment; the n-th single code the n-th single
  code. Both must have as many of each.
- A target code follows its partner in the source (``x``, else ``i``, as read).

An entry that maps onto no segment (none has its source, the numbers of codes differ, the
target has a code the source has not, one twice, or a pair around nothing where the source's
encloses text) keeps its plain text without codes and is counted. A file the pipeline wrote
itself (``creationtool="pipeline"``) keeps its codes then: their markup is the pipeline's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Protocol

from pipeline.inline import ordered
from pipeline.records import Code, CodeType, Segment, normalise, source_hash
from pipeline.tm import MemoryEntry

if TYPE_CHECKING:
    from pipeline.omegat.tags import Names

# Entries named in the report, at most.
SHOWN = 5
# The tags OmegaT's XLIFF filter writes (pipeline.omegat.tags.names): other tag-like text in
# an OmegaT memory is looked up as text.
XLIFF_TAG = re.compile(r"</?g\d+>|<[xbe]\d+/>")

Key = tuple[int, CodeType]


class Tool(Enum):
    """Who wrote a memory file, as far as its inline codes are concerned."""

    PIPELINE = "pipeline"  # our own markup: kept even where no segment matches
    OMEGAT = "omegat"  # its tags may be text in the segs
    OTHER = "other"


def tool_of(creationtool: str | None, file_name: str) -> Tool:
    """Return who wrote a TMX file, from its header and OmegaT's own file names.

    >>> [tool_of(t, n).value for t, n in (("OmegaT", "a.tmx"), (None, "project_save.tmx"),
    ...     (None, "book-omegat.tmx"), ("pipeline", "m.tmx"), ("SDL Trados", "m.tmx"))]
    ['omegat', 'omegat', 'omegat', 'pipeline', 'other']
    """
    name = (creationtool or "").strip().lower()
    if name.startswith("omegat") or file_name == "project_save.tmx":
        return Tool.OMEGAT
    if file_name.endswith("-omegat.tmx"):
        return Tool.OMEGAT
    return Tool.PIPELINE if name == "pipeline" else Tool.OTHER


class SegmentSource(Protocol):
    """Where the stored segments of a source are looked up (a store)."""

    def segments_by_source(
        self, source_hashes: Iterable[str], source_lang: str
    ) -> dict[str, list[Segment]]: ...


@dataclass
class CodeMatch:
    """Map imported entries' codes onto stored segments; count what could not be mapped."""

    store: SegmentSource | None = None
    mapped: int = 0
    unmapped: int = 0
    shown: list[str] = field(default_factory=list)

    def adopt(self, entry: MemoryEntry, tool: Tool) -> MemoryEntry:
        """Return the entry with its codes the matching segment's, or as plain text."""
        if tool is Tool.OMEGAT and _has_tags(entry):
            return self._settle(entry, tool, self._from_tags(entry))
        if not entry.source_codes and not entry.target_codes:
            return entry
        return self._settle(entry, tool, self._by_order(entry))

    def report(self) -> str | None:
        """Return one line on the entries kept as plain text, or None when there are none."""
        if not self.unmapped:
            return None
        more = ", …" if self.unmapped > len(self.shown) else ""
        return (
            f"{self.unmapped} entries kept as plain text: their codes map onto no stored"
            f" segment with the same source ({', '.join(self.shown)}{more})"
        )

    def _settle(self, entry: MemoryEntry, tool: Tool, found: MemoryEntry | None) -> MemoryEntry:
        if found is not None:
            self.mapped += 1
            return found
        if tool is Tool.PIPELINE:
            return entry
        if tool is Tool.OMEGAT and _has_tags(entry):
            plain = replace(entry, source=_untagged(entry.source), target=_untagged(entry.target))
        else:
            plain = replace(entry, source_codes=(), target_codes=())
        self.unmapped += 1
        if len(self.shown) < SHOWN:
            self.shown.append(_name(plain))
        return plain

    def _segments(self, source_lang: str, text: str) -> list[Segment]:
        """Return the stored segments of a source, those of the very same text first."""
        if self.store is None:
            return []
        key = source_hash(text)
        found = self.store.segments_by_source([key], source_lang).get(key, [])
        return sorted(found, key=lambda s: s.source != text)

    def _from_tags(self, entry: MemoryEntry) -> MemoryEntry | None:
        """Return an OmegaT entry with its tags read as the matching segment's codes."""
        from pipeline.omegat.tags import names

        plain = dict.fromkeys((_untagged(entry.source), entry.source))
        for seg in (s for text in plain for s in self._segments(entry.source_lang, text)):
            tags = names(seg.source, seg.codes)
            source, source_found = _read_tags(entry.source, tags)
            target, target_found = _read_tags(entry.target, tags)
            if normalise(source) != normalise(seg.source):
                continue
            found = _placed(seg.codes, source_found, target_found, lambda code: code)
            if found is not None:
                return replace(
                    entry,
                    source=source,
                    target=target,
                    source_codes=found[0],
                    target_codes=found[1],
                )
        return None

    def _by_order(self, entry: MemoryEntry) -> MemoryEntry | None:
        """Return an entry with its codes put onto the matching segment's by order."""
        for seg in self._segments(entry.source_lang, entry.source):
            pairing = _pairing(entry.source_codes, seg.codes)
            if pairing is None:
                continue
            found = _placed(
                seg.codes,
                entry.source_codes,
                entry.target_codes,
                partial(_renamed, pairing=pairing),
            )
            if found is not None:
                return replace(entry, source_codes=found[0], target_codes=found[1])
        return None


def _has_tags(entry: MemoryEntry) -> bool:
    """Return whether an entry's texts hold what OmegaT's XLIFF filter writes as tags."""
    return bool(XLIFF_TAG.search(entry.source) or XLIFF_TAG.search(entry.target))


def _untagged(text: str) -> str:
    """Return text without the tags OmegaT's XLIFF filter writes (the plain text to look up)."""
    return XLIFF_TAG.sub("", text)


def _read_tags(marked: str, tags: Names) -> tuple[str, tuple[Code, ...]]:
    """Return OmegaT text's plain text and codes: tags of ``tags`` are codes, the rest text."""
    from pipeline.omegat.tags import TAG, from_omegat

    known = set(tags.values())
    text: list[str] = []
    codes: list[Code] = []
    done = 0
    # from_omegat reads each stretch between tag-like text the segment has no tag for.
    for match in [m for m in TAG.finditer(marked) if m.group(0) not in known] + [None]:
        stop = len(marked) if match is None else match.start()
        part, found = from_omegat(marked[done:stop], tags)
        offset = sum(map(len, text))
        codes += [c.moved(c.at + offset) for c in found]
        text.append(part if match is None else part + match.group(0))
        done = stop if match is None else match.end()
    return "".join(text), tuple(codes)


def _name(entry: MemoryEntry) -> str:
    """Return how the report names an entry: its tuid, else the start of its source."""
    if entry.tuid:
        return f"tu {entry.tuid}"
    text = normalise(entry.source)
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _renamed(code: Code, pairing: dict[Key, Key]) -> Code | None:
    """Return a code with the segment's id and type it pairs with, None if it has none."""
    key = pairing.get((code.id, code.type))
    return None if key is None else Code(key[0], key[1], "", "", code.at)


def _placed(
    segment: Sequence[Code],
    source: Sequence[Code],
    target: Sequence[Code],
    rename: Callable[[Code], Code | None],
) -> tuple[tuple[Code, ...], tuple[Code, ...]] | None:
    """Return source and target codes with the segment's markup, or None if they do not fit.

    The source must hold each of the segment's codes once; the target none twice and none
    the source has not; neither a pair around nothing where the segment's encloses text.
    """
    markup = {(c.id, c.type): c for c in segment}
    sides: list[tuple[Code, ...]] = []
    for codes in (source, target):
        renamed = [rename(c) for c in codes]
        keys = [(c.id, c.type) for c in renamed if c is not None]
        if None in renamed or len(set(keys)) != len(keys) or not set(keys) <= set(markup):
            return None
        placed = tuple(markup[(c.id, c.type)].moved(c.at) for c in renamed if c is not None)
        if _emptied(segment, placed):
            return None
        sides.append(placed)
    if {(c.id, c.type) for c in sides[0]} != set(markup):
        return None
    return sides[0], sides[1]


def _emptied(segment: Sequence[Code], codes: Sequence[Code]) -> bool:
    """Return whether codes hold a pair around nothing whose segment pair encloses text."""
    opens = {c.id: c.at for c in segment if c.type is CodeType.OPEN}
    closes = {c.id: c.at for c in segment if c.type is CodeType.CLOSE}
    empty_ok = {i for i in opens.keys() & closes.keys() if opens[i] == closes[i]}
    at_open = {c.id: c.at for c in codes if c.type is CodeType.OPEN}
    return any(
        c.type is CodeType.CLOSE and at_open.get(c.id) == c.at and c.id not in empty_ok
        for c in codes
    )


def _pairing(entry: Sequence[Code], segment: Sequence[Code]) -> dict[Key, Key] | None:
    """Return which segment code each entry source code is, by order; None if counts differ."""
    entry_pairs, entry_singles = _split(entry)
    seg_pairs, seg_singles = _split(segment)
    if len(entry_pairs) != len(seg_pairs) or len(entry_singles) != len(seg_singles):
        return None
    pairing: dict[Key, Key] = {}
    for ours, theirs in zip(entry_pairs, seg_pairs, strict=True):
        pairing[(ours, CodeType.OPEN)] = (theirs, CodeType.OPEN)
        pairing[(ours, CodeType.CLOSE)] = (theirs, CodeType.CLOSE)
    for one, other in zip(entry_singles, seg_singles, strict=True):
        pairing[(one.id, one.type)] = (other.id, other.type)
    return pairing


def _split(codes: Sequence[Code]) -> tuple[list[int], list[Code]]:
    """Return the ids of a coded text's pairs in the order they open, and its single codes."""
    opens = {c.id for c in codes if c.type is CodeType.OPEN}
    closes = {c.id for c in codes if c.type is CodeType.CLOSE}
    paired = opens & closes
    pairs = [c.id for c in ordered(codes) if c.type is CodeType.OPEN and c.id in paired]
    singles = [c for c in ordered(codes) if c.id not in paired or c.type is CodeType.STANDALONE]
    return pairs, singles
