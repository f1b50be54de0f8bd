"""OmegaT's short tags for a segment's inline codes, and back.

OmegaT's XLIFF filter shows each inline element of a unit as a short tag, numbered from 0 in
reading order within the segment: a ``<g>`` pair as ``<g0>…</g0>``, ``<x/>`` as ``<x1/>``,
``<bx/>`` as ``<b2/>`` and ``<ex/>`` as ``<e3/>`` (the element's first letter; ``ctype``
plays no part); a ``<g>`` that encloses nothing at all is one tag, ``<g4/>``. Tags at a
segment's edges count too, as long as the project keeps them (``removeTags="false"`` in its
``omegat/filters.xml``, which the project writer sets), and OmegaT writes the tags as this
text in the memories it reads and writes (``tm/auto``, ``project_save.tmx``): matching a
memory entry means holding exactly this text.

Which code becomes which element is the XLIFF 1.2 writer's choice
(:func:`pipeline.formats.codes_xml.fill`): a pair nested in order is a ``<g>``, a
standalone code an ``<x/>``, and any other open or close end (partner in another segment,
or a pair crossing another) a ``<bx/>`` or ``<ex/>``. The names are those of the *source*;
a translation's codes take the names of the source's codes with the same id and type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from pipeline.formats.codes_xml import nested_pairs
from pipeline.inline import CodeProblem, pieces
from pipeline.records import Code, CodeType

__all__ = ["TAG", "Names", "from_omegat", "names", "to_omegat"]

# An OmegaT tag: <g0>, </g0>, <x1/>, <b2/>, <e3/>; other letters come from other filters.
TAG = re.compile(r"<(/?)([a-zA-Z]{1,3})(\d+)(/?)>")

# (code id, code type) -> the tag's text, e.g. (1, OPEN) -> "<g0>".
Names = Mapping[tuple[int, CodeType], str]


def names(text: str, codes: Sequence[Code]) -> dict[tuple[int, CodeType], str]:
    """Return the OmegaT tag of each of a source's codes, by id and type.

    >>> from pipeline.records import Code, CodeType as T
    >>> found = names("A b c d", [Code(5, T.STANDALONE, "img", "", 0),
    ...     Code(1, T.OPEN, "b", "", 2), Code(1, T.CLOSE, "b", "", 3),
    ...     Code(3, T.OPEN, "a", "", 6), Code(4, T.CLOSE, "a", "", 7)])
    >>> list(found.values())
    ['<x0/>', '<g1>', '</g1>', '<b2/>', '<e3/>']
    >>> empty = [Code(1, T.OPEN, "a", "", 2), Code(1, T.CLOSE, "a", "", 2)]
    >>> list(names("A b", empty).values())
    ['<g0/>', '']
    """
    wrapped = nested_pairs(codes)
    found: dict[tuple[int, CodeType], str] = {}
    number = 0
    run = list(pieces(text, codes))
    for index, piece in enumerate(run):
        if isinstance(piece, str):
            continue
        key = (piece.id, piece.type)
        if piece.id in wrapped and piece.type is CodeType.CLOSE:
            opened = found[(piece.id, CodeType.OPEN)]
            # An empty pair is one tag, <gN/>: its close has no text of its own.
            found[key] = "" if opened.endswith("/>") else "</" + opened[1:]
            continue
        if piece.id in wrapped:
            following = run[index + 1]
            empty = isinstance(following, Code) and following.id == piece.id
            found[key] = f"<g{number}/>" if empty else f"<g{number}>"
        elif piece.type is CodeType.STANDALONE:
            found[key] = f"<x{number}/>"
        else:
            found[key] = f"<{'b' if piece.type is CodeType.OPEN else 'e'}{number}/>"
        number += 1
    return found


def to_omegat(text: str, codes: Sequence[Code], tags: Names) -> str:
    """Return a coded text as OmegaT holds it: its codes as the source's tags, in place.

    >>> from pipeline.records import Code, CodeType as T
    >>> codes = [Code(1, T.OPEN, "a", "", 0), Code(1, T.CLOSE, "a", "", 7)]
    >>> to_omegat("History of it", codes, names("History of it", codes))
    '<g0>History</g0> of it'
    """
    out: list[str] = []
    for piece in pieces(text, codes):
        if isinstance(piece, str):
            out.append(piece)
        elif (piece.id, piece.type) in tags:
            out.append(tags[(piece.id, piece.type)])
        else:
            raise CodeProblem(f"code {piece.id} ({piece.type}) is not in the source")
    return "".join(out)


def from_omegat(marked: str, tags: Names) -> tuple[str, tuple[Code, ...]]:
    """Return the plain text and codes of OmegaT text, its tags read by the source's names.

    The codes carry ids, types and offsets only (an importer takes their markup from the
    stored source). A tag the source does not have is a :class:`CodeProblem`; text that
    merely looks like a tag of another shape stays text.

    >>> from pipeline.records import Code, CodeType as T
    >>> tags = {(1, T.OPEN): "<g0>", (1, T.CLOSE): "</g0>", (2, T.STANDALONE): "<x1/>"}
    >>> text, codes = from_omegat("မြို့ <x1/><g0>သမိုင်း</g0>", tags)
    >>> text, [(c.id, c.type.value, c.at) for c in codes]
    ('မြို့ သမိုင်း', [(2, 'standalone', 6), (1, 'open', 6), (1, 'close', 13)])
    """
    by_name = {name: key for key, name in tags.items() if name}
    text: list[str] = []
    codes: list[Code] = []
    at = 0
    for chunk in _split(marked):
        if isinstance(chunk, str):
            text.append(chunk)
            at += len(chunk)
            continue
        key = by_name.get(chunk.group(0))
        if key is None:
            raise CodeProblem(f"tag {chunk.group(0)} is not in the source")
        codes.append(Code(key[0], key[1], "", "", at))
        if tags.get((key[0], CodeType.CLOSE)) == "" and key[1] is CodeType.OPEN:
            codes.append(Code(key[0], CodeType.CLOSE, "", "", at))  # an empty pair, <gN/>
    return "".join(text), tuple(codes)


def _split(marked: str) -> Iterator[str | re.Match[str]]:
    """Yield the text runs and the tag matches of OmegaT text, in order."""
    done = 0
    for match in TAG.finditer(marked):
        if match.start() > done:
            yield marked[done : match.start()]
        yield match
        done = match.end()
    if done < len(marked):
        yield marked[done:]
