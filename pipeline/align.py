"""Tag projection: inline codes placed in a translation from a word alignment.

Machine translation sees the plain text; the codes go back afterwards, as Bergamot does it
(Firefox Translations, ``src/translator/html.cpp``): every target token is tied to the source
token it attends to most (a hard alignment), a pair of codes spans the target tokens tied to
the source tokens it covered, nesting is kept (a child is clipped into its parent, siblings
are kept apart) and a standalone code follows the target token tied to the source token
before it. A code with nothing to go by is put at the nearest sentence edge and reported as
moved (:class:`~pipeline.inline.Placed`), never dropped. Everything here is a pure function.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.inline import Placed, at_edges, isolated, ordered, problems
from pipeline.records import Code, CodeType

__all__ = ["Alignment", "Span", "compose", "hard_links", "project"]

Span = tuple[int, int]


@dataclass(frozen=True)
class Alignment:
    """Source and target tokens as character spans of their texts, and the links between them.

    ``links`` holds (target token, source token) index pairs, as a hard alignment does.
    """

    source: tuple[Span, ...]
    target: tuple[Span, ...]
    links: tuple[tuple[int, int], ...]

    def remapped(self, source: Callable[[Span], Span], target: Callable[[Span], Span]) -> Alignment:
        """Return the alignment with its spans moved to other texts (masked to plain)."""
        return Alignment(
            tuple(source(s) for s in self.source),
            tuple(target(t) for t in self.target),
            self.links,
        )


def hard_links(matrix: Sequence[Sequence[float]]) -> tuple[tuple[int, int], ...]:
    """Return each target row's most attended source column; rows with no attention have none.

    >>> hard_links([[0.1, 0.9], [0.7, 0.3], [0.0, 0.0]])
    ((0, 1), (1, 0))
    """
    links = []
    for row_index, row in enumerate(matrix):
        if len(row) and max(row) > 0:
            links.append((row_index, max(range(len(row)), key=row.__getitem__)))
    return tuple(links)


def compose(first: Alignment, second: Alignment) -> Alignment:
    """Return source→target links through a pivot: ``first`` ends, ``second`` starts in it.

    A pivot token of the second model links to every token of the first model's output whose
    characters it overlaps.
    """
    sources: dict[int, list[int]] = defaultdict(list)
    for target, source in first.links:
        sources[target].append(source)
    links: set[tuple[int, int]] = set()
    for target, middle in second.links:
        begin, end = second.source[middle]
        for index, (b, e) in enumerate(first.target):
            if b < end and e > begin:
                links.update((target, s) for s in sources[index])
    return Alignment(first.source, second.target, tuple(sorted(links)))


@dataclass
class _Node:
    """A pair (or a standalone code, ``close`` None) in the source's nesting tree."""

    index: int
    open: Code
    close: Code | None
    parent: int | None
    children: list[int] = field(default_factory=list)

    @property
    def span(self) -> Span:
        return (self.open.at, self.close.at if self.close else self.open.at)


@dataclass(frozen=True)
class _Frame:
    """What projection needs of the texts: lengths and the alignment in usable form."""

    source_length: int
    target: str
    alignment: Alignment
    targets_of: Mapping[int, tuple[int, ...]]
    words: tuple[int, ...]  # source tokens with characters, in order

    @classmethod
    def of(cls, source_text: str, target_text: str, alignment: Alignment) -> _Frame:
        targets: dict[int, list[int]] = defaultdict(list)
        for target, source in alignment.links:
            if 0 <= target < len(alignment.target) and 0 <= source < len(alignment.source):
                targets[source].append(target)
        words = tuple(
            i for i, (b, e) in enumerate(alignment.source) if e > b and source_text[b:e].strip()
        )
        as_tuples = {s: tuple(sorted(t)) for s, t in targets.items()}
        return cls(len(source_text), target_text, alignment, as_tuples, words)

    @property
    def target_length(self) -> int:
        return len(self.target)

    def trimmed(self, span: Span) -> Span:
        """Return a non-empty span without the whitespace at its ends (kept if all space)."""
        begin, end = span
        while begin < end and self.target[begin].isspace():
            begin += 1
        while end > begin and self.target[end - 1].isspace():
            end -= 1
        return (begin, end) if end > begin else span

    @property
    def first(self) -> int:
        return self.alignment.source[self.words[0]][0] if self.words else 0

    @property
    def last(self) -> int:
        return self.alignment.source[self.words[-1]][1] if self.words else self.source_length

    def hull(self, sources: Sequence[int]) -> Span | None:
        """Return the span of the target tokens linked to these source tokens."""
        spans = [
            self.alignment.target[t]
            for s in sources
            for t in self.targets_of.get(s, ())
            if self.alignment.target[t][1] > self.alignment.target[t][0]
        ]
        if not spans:
            return None
        return min(b for b, _ in spans), max(e for _, e in spans)

    def covered(self, begin: int, end: int) -> list[int]:
        """Return the source tokens with characters in ``[begin, end)``."""
        return [i for i in self.words if self._overlaps(i, begin, end)]

    def _overlaps(self, index: int, begin: int, end: int) -> bool:
        b, e = self.alignment.source[index]
        return b < end and e > begin

    def point(self, at: int) -> int | None:
        """Return the target offset of a code at ``at``: after the token tied to the one before."""
        if at <= self.first:
            return 0
        if at >= self.last:
            return self.target_length
        spans = self.alignment.source
        before = [i for i, (b, e) in enumerate(spans) if b < e <= at]
        for index in reversed(before):
            found = self.hull([index])
            if found is not None:
                return found[1]
        return None

    def pair(self, begin: int, end: int) -> Span | None:
        """Return the target span of a pair over ``[begin, end)`` of the source."""
        if begin <= self.first and end >= self.last:
            return 0, self.target_length
        return self.hull(self.covered(begin, end))


def _tree(codes: Sequence[Code], lone: frozenset[int]) -> list[_Node]:
    """Return the source's pairs and standalone codes in reading order, parents first."""
    nodes: list[_Node] = []
    stack: list[int] = []
    for code in ordered(codes):
        if code.id in lone:
            continue
        if code.type is CodeType.CLOSE:
            while stack:
                top = nodes[stack.pop()]
                if top.open.id == code.id:
                    top.close = code
                    break
            continue
        node = _Node(len(nodes), code, None, stack[-1] if stack else None)
        nodes.append(node)
        if node.parent is not None:
            nodes[node.parent].children.append(node.index)
        if code.type is CodeType.OPEN:
            stack.append(node.index)
    return nodes


def _raw(node: _Node, frame: _Frame) -> Span | None:
    """Return the node's target span from the alignment alone, or None when nothing ties it."""
    begin, end = node.span
    if node.close is not None and end > begin:
        return frame.pair(begin, end)
    at = frame.point(begin)
    return None if at is None else (at, at)


def _edge(node: _Node, container: Span, parent: Span) -> Span:
    """Return the fallback span: the nearest edges of the container, as at_edges does."""
    middle = (parent[0] + parent[1]) / 2
    begin, end = node.span
    low, high = container
    if node.close is None or end == begin:
        return (low, low) if begin < middle else (high, high)
    if end < middle:
        return low, low
    return (high, high) if begin >= middle else (low, high)


def _clip(span: Span, container: Span) -> Span:
    """Return the span cut to its container; a span outside it shrinks to the nearest edge."""
    low, high = container
    begin, end = max(span[0], low), min(span[1], high)
    if begin <= end:
        return begin, end
    edge = high if span[0] >= high else low
    return edge, edge


def _apart(span: Span, siblings: Sequence[tuple[Span, bool]]) -> Span:
    """Return the span cut so it overlaps no placed sibling (``True``: it follows that one)."""
    begin, end = span
    for (low, high), after in siblings:
        if end <= low or begin >= high:
            continue
        left, right = (begin, min(end, low)), (max(begin, high), end)
        sizes = (left[1] - left[0], right[1] - right[0])
        if sizes == (0, 0) or begin == end:
            begin = end = high if after else low
        elif sizes[1] > sizes[0] or (sizes[1] == sizes[0] and after):
            begin, end = right
        else:
            begin, end = left
    return begin, end


def _place(
    nodes: list[_Node], frame: _Frame, fixed: Mapping[int, Span]
) -> tuple[dict[int, Span], set[int]]:
    """Return each node's target span, parents before children, and the ids that moved."""
    placed: dict[int, Span] = {}
    moved: set[int] = set()
    whole = (0, frame.target_length)
    for node in nodes:
        container = whole if node.parent is None else placed[node.parent]
        parent_source = (0, frame.source_length)
        if node.parent is not None:
            parent_source = nodes[node.parent].span
        raw = fixed.get(node.open.id) or _raw(node, frame)
        if raw is None:
            raw = _edge(node, container, parent_source)
            if any(0 < at < frame.source_length for at in node.span):
                moved.add(node.open.id)
        siblings = nodes[node.parent].children if node.parent is not None else _roots(nodes)
        others = [(placed[i], True) for i in siblings if i in placed]
        span = frame.trimmed(_apart(_clip(raw, container), others))
        begin, end = node.span
        if node.close is not None and end > begin and span[1] == span[0]:
            moved.add(node.open.id)
        placed[node.index] = span
    return placed, moved


def _roots(nodes: Sequence[_Node]) -> list[int]:
    return [n.index for n in nodes if n.parent is None]


def _emit(index: int, nodes: Sequence[_Node], placed: Mapping[int, Span]) -> list[Code]:
    """Return a node's codes in reading order: open, its children in target order, close."""
    node = nodes[index]
    begin, end = placed[index]
    out = [node.open.moved(begin)]
    for child in sorted(node.children, key=lambda i: (*placed[i], i)):
        out += _emit(child, nodes, placed)
    if node.close is not None:
        out.append(node.close.moved(end))
    return out


def _lone(
    codes: Sequence[Code], frame: _Frame, lone: frozenset[int]
) -> list[tuple[Code, int, bool]]:
    """Return the isolated codes with their aligned offsets and whether each fell back."""
    out = []
    for code in ordered(codes):
        if code.id not in lone:
            continue
        if code.type is CodeType.CLOSE:  # covers [0, at): it goes after what it covered
            found = frame.point(code.at)
        elif code.at <= frame.first:
            found = 0
        elif code.at >= frame.last:
            found = frame.target_length
        else:  # covers [at, end): it goes before what it covered
            hull = frame.hull(frame.covered(code.at, frame.source_length))
            found = None if hull is None else hull[0]
        fallback = 0 if code.at < frame.source_length / 2 else frame.target_length
        out.append((code, fallback if found is None else found, found is None))
    return out


def _outside(code: Code, at: int, roots: Sequence[tuple[Span, Span]], floor: int) -> int:
    """Return an offset at least ``floor``, outside every top-level pair, on its source side."""
    at = max(at, floor)
    for (low, high), (_, source_end) in roots:
        if low < at < high:
            at = high if source_end <= code.at or low < floor else low
    return at


def project(
    source_text: str,
    source_codes: Sequence[Code],
    target_text: str,
    alignment: Alignment | None,
    fixed: Mapping[int, Span] | None = None,
) -> Placed:
    """Place a source's codes in its translation from a token alignment.

    ``fixed`` gives target spans known without the alignment (a protected pair's content,
    copied verbatim), by code id. With no alignment, or a malformed source, every code goes
    to the sentence edges (:func:`pipeline.inline.at_edges`).
    """
    if not source_codes:
        return Placed(())
    if alignment is None or problems(source_codes, source_codes):
        return at_edges(source_text, source_codes, target_text)
    frame = _Frame.of(source_text, target_text, alignment)
    lone = isolated(source_codes)
    nodes = _tree(source_codes, lone)
    placed, moved = _place(nodes, frame, fixed or {})
    roots = [(placed[i], nodes[i].span) for i in _roots(nodes)]
    items: list[tuple[tuple[int, int, int, int], list[Code]]] = [
        ((*placed[i], nodes[i].open.at, 1), _emit(i, nodes, placed)) for i in _roots(nodes)
    ]
    floor = 0
    for code, aligned, fell_back in _lone(source_codes, frame, lone):
        at = _outside(code, aligned, roots, floor)
        floor = at
        rank = 0 if code.type is CodeType.CLOSE else 2
        items.append(((at, at, code.at, rank), [code.moved(at)]))
        if fell_back:
            moved.add(code.id)
    codes = [c for _, run in sorted(items, key=lambda item: item[0]) for c in run]
    return Placed(tuple(codes), tuple(sorted(moved)))
