"""Coded text: a plain text plus the inline codes that stand at offsets in it.

A segment's source and each translation keep their markup as :class:`~pipeline.records.Code`
records beside the plain text, in the manner of Okapi's coded text: the plain text is what
machine translation, memory matching, QA and hashing see; the codes put the original markup
back (:func:`render`). Exchange formats write the codes as their own inline elements; PO and
the tables use the readable form of :func:`marked`. Everything here is a pure function.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from pipeline.records import Code, CodeType, Flag, Severity

__all__ = [
    "CodeProblem",
    "at_edges",
    "carried",
    "codes_from_json",
    "codes_to_json",
    "escaped",
    "isolated",
    "marked",
    "pieces",
    "places",
    "problems",
    "read_markers",
    "reflagged",
    "render",
    "tag_flags",
    "transfer",
    "unmarked",
    "unpaired",
]

# <1> … </1> a pair, <2/> a standalone code. Only these exact forms are codes. In the marked
# form a backslash run before one says how to read it (see :func:`marked`): an odd run makes
# it text, and the run stands for half its backslashes.
# Each starts at the start of its backslash run (the lookbehind): tried from inside a long
# run, the run was rescanned from every backslash (quadratic). An id of more than 18 digits
# is text, never a code (int() refuses thousands of digits).
_MARKER = re.compile(r"(?<!\\)(\\*)<(?:/([0-9]{1,18})|([0-9]{1,18})(/?))>")
# Text that would read as a marker, with the backslashes before it; backslashes at a text's end.
_MARKER_LIKE = re.compile(r"(?<!\\)(\\*)(<(?:/[0-9]{1,18}|[0-9]{1,18}/?)>)")
_TRAILING = re.compile(r"(?<!\\)\\+$")


class CodeProblem(ValueError):
    """A target's codes do not match its source's; the message says how."""


def codes_to_json(codes: Iterable[Code]) -> list[list[object]]:
    """Return codes as JSON-ready lists (the store's form)."""
    return [[c.id, c.type.value, c.tag, c.data, c.at, int(c.protect)] for c in codes]


def codes_from_json(rows: Iterable[Sequence[object]]) -> tuple[Code, ...]:
    """Return the codes stored as lists by :func:`codes_to_json`."""
    return tuple(
        Code(int(str(r[0])), CodeType(str(r[1])), str(r[2]), str(r[3]), int(str(r[4])), bool(r[5]))
        for r in rows
    )


def ordered(codes: Iterable[Code]) -> tuple[Code, ...]:
    """Return codes by offset; codes at one offset keep their order."""
    return tuple(sorted(codes, key=lambda c: c.at))


def places(codes: Iterable[Code]) -> tuple[tuple[int, str, int], ...]:
    """Return the ids, types and offsets of codes in reading order (markup aside).

    Two texts whose codes have the same places hold the same codes where it matters to a
    reviewer: an import compares them so, whatever markup each file carries.
    """
    return tuple((c.id, c.type.value, c.at) for c in ordered(codes))


def pieces(text: str, codes: Sequence[Code]) -> Iterator[str | Code]:
    """Yield the text's runs and its codes in reading order (no empty runs)."""
    done = 0
    for code in ordered(codes):
        at = min(max(code.at, done), len(text))
        if at > done:
            yield text[done:at]
            done = at
        yield code
    if done < len(text):
        yield text[done:]


def render(
    text: str,
    codes: Sequence[Code],
    escape: Callable[[str], str] = lambda s: s,
    *,
    inside: Callable[[str, Code | None], str] | None = None,
) -> str:
    """Return the text with each code's original markup put back, text runs escaped.

    ``inside(run, code)``, if given, escapes a run knowing the innermost open code around it
    (Markdown leaves the content of a code span as it is).

    >>> from pipeline.records import Code, CodeType as T
    >>> render("go home", [Code(1, T.OPEN, "em", "<em>", 3), Code(1, T.CLOSE, "em", "</em>", 7)])
    'go <em>home</em>'
    """
    out: list[str] = []
    stack: list[Code] = []
    for piece in pieces(text, codes):
        if isinstance(piece, str):
            out.append(inside(piece, stack[-1] if stack else None) if inside else escape(piece))
            continue
        out.append(piece.data)
        if piece.type is CodeType.OPEN:
            stack.append(piece)
        elif piece.type is CodeType.CLOSE:
            for index in range(len(stack) - 1, -1, -1):
                if stack[index].id == piece.id:
                    del stack[index]
                    break
    return "".join(out)


def isolated(codes: Sequence[Code]) -> frozenset[int]:
    """Return the ids of open or close codes whose partner is in another segment."""
    opens = {c.id for c in codes if c.type is CodeType.OPEN}
    closes = {c.id for c in codes if c.type is CodeType.CLOSE}
    return frozenset(opens ^ closes)


def unpaired(codes: Sequence[Code]) -> frozenset[int]:
    """Return the ids of open and close codes that make no pair here, in reading order.

    Those are the ends whose partner is in another segment (:func:`isolated`) and both ends
    of a pair that closes before it opens (a target with broken codes). A format that pairs
    ends by reference, as TMX ``bpt``/``ept`` do, writes these as isolated ends, which keep
    their id and kind.

    >>> from pipeline.records import Code, CodeType as T
    >>> sorted(unpaired([Code(1, T.CLOSE, "b", "", 0), Code(1, T.OPEN, "b", "", 2),
    ...                  Code(2, T.OPEN, "i", "", 2), Code(2, T.CLOSE, "i", "", 3),
    ...                  Code(3, T.OPEN, "em", "", 3)]))
    [1, 3]
    """
    opened: set[int] = set()
    paired: set[int] = set()
    for code in ordered(codes):
        if code.type is CodeType.OPEN:
            opened.add(code.id)
        elif code.type is CodeType.CLOSE and code.id in opened:
            paired.add(code.id)
    ends = {c.id for c in codes if c.type is not CodeType.STANDALONE}
    return frozenset(ends - paired)


def marked(text: str, codes: Sequence[Code]) -> str:
    """Return the readable form used by PO, tables and the desk: ``<1>…</1>``, ``<2/>`` codes.

    Text that itself reads as a marker gets a backslash before it (``\\<1>`` is the text
    ``<1>``), and backslashes just before a marker are doubled, so :func:`read_markers`
    gives back every character. Other backslashes are written as they are.

    >>> from pipeline.records import Code, CodeType as T
    >>> marked("see map", [Code(1, T.OPEN, "a", "<a>", 4), Code(1, T.CLOSE, "a", "</a>", 7),
    ...                    Code(2, T.STANDALONE, "br", "<br>", 7)])
    'see <1>map</1><2/>'
    >>> print(marked("type <1> or {1}", []))
    type \\<1> or {1}
    """
    out = []
    runs = list(pieces(text, codes))
    for number, piece in enumerate(runs):
        if isinstance(piece, str):
            before_code = number + 1 < len(runs)
            out.append(escaped(piece, before_code=before_code))
        elif piece.type is CodeType.OPEN:
            out.append(f"<{piece.id}>")
        elif piece.type is CodeType.CLOSE:
            out.append(f"</{piece.id}>")
        else:
            out.append(f"<{piece.id}/>")
    return "".join(out)


def escaped(text: str, *, before_code: bool = False) -> str:
    r"""Return a run of text as the marked form writes it (see :func:`marked`).

    >>> print(escaped("a\\</2> b\\", before_code=True))
    a\\\</2> b\\
    """
    text = _MARKER_LIKE.sub(lambda m: m.group(1) * 2 + "\\" + m.group(2), text)
    if before_code:
        text = _TRAILING.sub(lambda m: m.group(0) * 2, text)
    return text


def read_markers(text: str) -> tuple[str, tuple[Code, ...]]:
    """Return the plain text of a marked text and its codes (ids, types, offsets; no markup).

    >>> plain, codes = read_markers(r"<1>map</1> here<2/> \\<3>")
    >>> plain, [(c.id, c.type.value, c.at) for c in codes]
    ('map here <3>', [(1, 'open', 0), (1, 'close', 3), (2, 'standalone', 8)])
    """
    plain: list[str] = []
    found: list[Code] = []
    done = length = 0  # the plain text's length so far, kept as it grows (not re-summed)
    for match in _MARKER.finditer(text):
        slashes, closed, opened, alone = match.groups()
        plain.append(text[done : match.start()] + slashes[: len(slashes) // 2])
        length += len(plain[-1])
        done = match.end()
        marker = match.group(0)[len(slashes) :]
        if len(slashes) % 2:
            plain.append(marker)  # escaped: the marker's text itself
            length += len(marker)
            continue
        kind = CodeType.CLOSE if closed else CodeType.STANDALONE if alone else CodeType.OPEN
        found.append(Code(int(closed or opened), kind, "", "", length))
    plain.append(text[done:])
    return "".join(plain), tuple(found)


def unmarked(text: str, source: Sequence[Code]) -> tuple[str, tuple[Code, ...]]:
    """Return the plain text and codes of a marked text, the markup taken from ``source``.

    Raises CodeProblem when the markers do not match the source's codes.

    >>> from pipeline.records import Code, CodeType as T
    >>> src = (Code(1, T.OPEN, "a", "<a>", 4), Code(1, T.CLOSE, "a", "</a>", 7))
    >>> plain, codes = unmarked("<1>နေရာ</1> ကြည့်", src)
    >>> plain, [(c.type.value, c.at) for c in codes]
    ('နေရာ ကြည့်', [('open', 0), ('close', 4)])
    """
    plain, found = read_markers(text)
    return plain, with_markup(found, source)


def with_markup(found: Sequence[Code], source: Sequence[Code]) -> tuple[Code, ...]:
    """Return codes read from a file with the tag and markup of the source's codes.

    Raises CodeProblem when they do not match (see :func:`problems`).
    """
    trouble = problems(source, found)
    if trouble:
        raise CodeProblem("; ".join(trouble))
    by_key = {(c.id, c.type): c for c in source}
    return tuple(by_key[(c.id, c.type)].moved(c.at) for c in found)


def problems(source: Sequence[Code], target: Sequence[Code]) -> list[str]:
    """Return what is wrong with a target's codes against its source's (empty: nothing).

    Every source code must be in the target exactly once, with its type; no other code may
    be; pairs must open before they close and nest without crossing. Order may change.

    >>> from pipeline.records import Code, CodeType as T
    >>> src = [Code(1, T.OPEN, "a", "", 0), Code(1, T.CLOSE, "a", "", 2),
    ...        Code(2, T.OPEN, "b", "", 2), Code(2, T.CLOSE, "b", "", 4)]
    >>> problems(src, [src[0], src[2], src[1], src[3]])
    ['broken nesting: code 2 opens inside code 1 and closes outside it']
    >>> problems(src, src[:3])
    ['missing code </2>']
    """
    wanted = {(c.id, c.type) for c in source}
    seen: dict[tuple[int, CodeType], int] = {}
    out: list[str] = []
    for code in target:
        key = (code.id, code.type)
        seen[key] = seen.get(key, 0) + 1
        if key not in wanted:
            out.append(f"unknown code {_shown(code.id, code.type)}")
    for key, count in seen.items():
        if key in wanted and count > 1:
            out.append(f"duplicated code {_shown(*key)}")
    for code_id, kind in sorted(wanted - set(seen), key=lambda k: (k[0], k[1].value)):
        out.append(f"missing code {_shown(code_id, kind)}")
    return out + _nesting(target, isolated(source))


def _nesting(target: Sequence[Code], lone: frozenset[int]) -> list[str]:
    """Return the nesting faults of a target's paired codes, in reading order."""
    out: list[str] = []
    stack: list[int] = []
    opened: set[int] = set()
    for code in ordered(target):
        if code.id in lone or code.type is CodeType.STANDALONE:
            continue
        if code.type is CodeType.OPEN:
            stack.append(code.id)
            opened.add(code.id)
        elif code.id not in opened:
            out.append(f"code {code.id} closes before it opens")
        elif stack and stack[-1] != code.id:
            inner = stack[-1]
            out.append(
                f"broken nesting: code {inner} opens inside code {code.id} and closes outside it"
            )
            stack.remove(code.id)
        elif stack:
            stack.pop()
    return out


def _shown(code_id: int, kind: CodeType) -> str:
    return {CodeType.OPEN: f"<{code_id}>", CodeType.CLOSE: f"</{code_id}>"}.get(
        kind, f"<{code_id}/>"
    )


def signature(codes: Sequence[Code]) -> tuple[tuple[CodeType, str], ...]:
    """Return the codes' shape, their types and tags in order, ignoring ids and markup."""
    return tuple((c.type, c.tag) for c in codes)


def transfer(
    target: Sequence[Code], old_source: Sequence[Code], new_source: Sequence[Code]
) -> tuple[Code, ...] | None:
    """Return a translation's codes moved onto a new source with the same plain text.

    The new source's codes take the old ones' places when both have the same shape
    (types and tags in order); None when they differ, so the caller places them anew.
    """
    if signature(ordered(old_source)) != signature(ordered(new_source)):
        return None
    renamed = {
        (old.id, old.type): new
        for old, new in zip(ordered(old_source), ordered(new_source), strict=True)
    }
    try:
        return tuple(renamed[(c.id, c.type)].moved(c.at) for c in target)
    except KeyError:
        return None


@dataclass(frozen=True)
class Placed:
    """Codes placed in a target, and whether some had to go to a sentence edge."""

    codes: tuple[Code, ...]
    moved: tuple[int, ...] = ()


def at_edges(source_text: str, source: Sequence[Code], target_text: str) -> Placed:
    """Place every code at the sentence edge nearest its source offset (the fallback).

    Codes keep their source order, and those in the first half of the source go to the
    start: a prefix of a well-nested sequence, so the pairs stay well nested. Codes not at
    an edge of the source are reported as moved.
    """
    middle = len(source_text) / 2
    placed = tuple(
        code.moved(0 if code.at < middle else len(target_text)) for code in ordered(source)
    )
    moved = tuple(sorted({c.id for c in source if 0 < c.at < len(source_text)}))
    return Placed(placed, moved)


def carried(
    target: Sequence[Code],
    old_source: Sequence[Code],
    new_source: Sequence[Code],
    source_text: str,
    target_text: str,
) -> Placed:
    """Return a translation's codes for a new source of the same plain text.

    Memory matches and translations carried to a new document version compare plain text
    only, so a change of markup alone still reuses the translation: the codes follow when
    the markup has the same shape, and go to the sentence edges (reported) when it has not.
    """
    moved = transfer(target, old_source, new_source)
    if moved is not None:
        return Placed(moved)
    if not new_source:
        return Placed(())
    edges = at_edges(source_text, new_source, target_text)
    # A pair whose ends meet at one edge would render as empty markup (`****`, `[](…)`)
    # though its source encloses text: such pairs wrap the whole target instead.
    was = {(c.id, c.type): c.at for c in new_source}
    now = {(c.id, c.type): c.at for c in edges.codes}
    wrap = {
        i
        for (i, kind) in was
        if kind is CodeType.OPEN
        and was[(i, kind)] < was.get((i, CodeType.CLOSE), -1)
        and now[(i, kind)] == now[(i, CodeType.CLOSE)]
    }
    if not wrap or not target_text:
        return edges
    opens = [c.moved(0) for c in edges.codes if c.id in wrap and c.type is CodeType.OPEN]
    closes = [
        c.moved(len(target_text))
        for c in reversed(edges.codes)
        if c.id in wrap and c.type is CodeType.CLOSE
    ]
    rest = [c for c in edges.codes if c.id not in wrap]
    first, last = [c for c in rest if c.at == 0], [c for c in rest if c.at != 0]
    return Placed((*first, *opens, *closes, *last), edges.moved)


def reflagged(flags: Iterable[Flag], source: Sequence[Code], placed: Placed) -> tuple[Flag, ...]:
    """Return QA flags with the ``tags`` findings made anew for placed codes."""
    kept = [f for f in flags if f.check != "tags"]
    return (*kept, *tag_flags(source, placed.codes, placed.moved))


def tag_flags(source: Sequence[Code], target: Sequence[Code], moved: Sequence[int]) -> list[Flag]:
    """Return the QA flags of a target's codes: errors for faults, a warning for moved codes."""
    flags = [Flag("tags", Severity.ERROR, problem) for problem in problems(source, target)]
    if moved:
        shown = ", ".join(str(i) for i in moved)
        flags.append(
            Flag(
                "tags",
                Severity.WARNING,
                f"inline code {shown} placed at a sentence edge: no confident alignment",
            )
        )
    return flags
