"""Inline codes as XML elements: written for XLIFF 1.2, XLIFF 2.0 and TMX, read back from XLIFF.

Writing (:func:`fill`) walks a coded text once. A pair that nests cleanly inside its text
becomes one element around its content (XLIFF 1.2 ``<g>``, XLIFF 2.0 ``<pc>``) when the
format has such an element; every other code is an empty (or native-content) element at its
offset: a standalone code, an isolated end whose partner is in another segment, and the two
ends of a pair that crosses another (which only a target with broken codes has). A format's
:class:`Style` makes the elements.

Reading (:func:`read_inline`) returns the plain text and the codes of a ``<source>`` or
``<target>``: ids, types and offsets. Tags and markup are not taken from the file; the
importer takes them from the stored segment's codes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from lxml import etree

from pipeline.formats import xml_text
from pipeline.inline import isolated, ordered, pieces
from pipeline.records import Code, CodeType

__all__ = [
    "TMX_INLINE",
    "XLIFF12_INLINE",
    "XLIFF20_INLINE",
    "Coded",
    "Grammar",
    "InlineError",
    "Style",
    "fill",
    "kind_name",
    "nested_pairs",
    "read_inline",
]

_NUMBER = re.compile(r"\s*(\d+)\s*")


class InlineError(ValueError):
    """An inline element a reader cannot make a code of; the message says which."""


class Style(Protocol):
    """How one format writes codes as elements."""

    # True: a cleanly nested pair is one element around its content.
    nests: bool

    def pair(self, code: Code) -> etree._Element:
        """Return the element that wraps a nested pair's content (its OPEN code given)."""
        ...

    def single(self, code: Code, lone: bool) -> etree._Element:
        """Return the element of one code standing alone; ``lone``: its partner is elsewhere."""
        ...


# Inline elements a code may stand for, and their names in the formats' vocabularies.
PAIR_KINDS = {"a": "link", "b": "bold", "strong": "bold", "i": "italic", "em": "italic"}
UNDERLINED = ("u", "ins")
STANDALONE_KINDS = {"img": "image", "br": "lb"}
_NOT_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def kind_name(code: Code, underlined: str) -> str:
    """Return a code's kind in a format's words (``underlined`` differs), else ``x-<tag>``.

    >>> from pipeline.records import Code, CodeType as T
    >>> em, u = Code(1, T.OPEN, "em", "<em>", 0), Code(2, T.OPEN, "u", "<u>", 0)
    >>> kind_name(em, "ulined"), kind_name(u, "ulined")
    ('italic', 'ulined')
    >>> raw, bare = Code(3, T.OPEN, "html", "<span>", 0), Code(4, T.OPEN, "", "*", 0)
    >>> kind_name(raw, ""), kind_name(bare, "")
    ('x-html', 'x-code')
    """
    tag = code.tag.lower()
    if code.type is CodeType.STANDALONE:
        known = STANDALONE_KINDS.get(tag)
    else:
        known = underlined if tag in UNDERLINED else PAIR_KINDS.get(tag)
    name = _NOT_NAME.sub("-", code.tag).strip("-")
    return known or f"x-{name or 'code'}"


def nested_pairs(codes: Sequence[Code]) -> frozenset[int]:
    """Return the ids of pairs that can be written as one element around their content.

    A pair qualifies when its id opens once and closes once, later, and nothing opened in
    between is still open when it closes.

    >>> from pipeline.records import Code, CodeType as T
    >>> crossing = [Code(1, T.OPEN, "b", "", 0), Code(2, T.OPEN, "i", "", 1),
    ...             Code(1, T.CLOSE, "b", "", 2), Code(2, T.CLOSE, "i", "", 3)]
    >>> sorted(nested_pairs(crossing))
    [2]
    """
    in_order = ordered(codes)
    counts = Counter((c.id, c.type) for c in in_order)
    opened_at = {c.id: i for i, c in enumerate(in_order) if c.type is CodeType.OPEN}
    closed_at = {c.id: i for i, c in enumerate(in_order) if c.type is CodeType.CLOSE}
    candidates = {
        code_id
        for code_id in opened_at.keys() & closed_at.keys()
        if counts[(code_id, CodeType.OPEN)] == counts[(code_id, CodeType.CLOSE)] == 1
        and opened_at[code_id] < closed_at[code_id]
    }
    stack: list[int] = []
    nested: set[int] = set()
    for code in in_order:
        if code.id not in candidates or code.type is CodeType.STANDALONE:
            continue
        if code.type is CodeType.OPEN:
            stack.append(code.id)
        elif stack[-1] == code.id:
            stack.pop()
            nested.add(code.id)
        else:  # crosses a pair opened inside it: both ends are written flat
            stack.remove(code.id)
    return frozenset(nested)


def fill(parent: etree._Element, text: str, codes: Sequence[Code], style: Style) -> None:
    """Append a coded text to an empty element: text runs and one element per code."""
    wrapped = nested_pairs(codes) if style.nests else frozenset()
    lone = isolated(codes)
    # Every element holding coded text gets a text node, empty if need be: libxml2 pretty
    # prints (indents) exactly the elements with no text child, and indentation inside a
    # <target> that holds only codes, or inside a <g> around codes, would be read as text.
    _append_text(parent, "")
    open_elements = [parent]
    for piece in pieces(text, codes):
        if isinstance(piece, str):
            _append_text(open_elements[-1], xml_text(piece))
        elif piece.id in wrapped and piece.type is CodeType.OPEN:
            element = style.pair(piece)
            element.text = ""
            open_elements[-1].append(element)
            open_elements.append(element)
        elif piece.id in wrapped and piece.type is CodeType.CLOSE:
            open_elements.pop()
        else:
            open_elements[-1].append(style.single(piece, piece.id in lone))


def _append_text(element: etree._Element, text: str) -> None:
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


# --- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Coded:
    """A plain text and the codes at offsets in it, as read from a file."""

    text: str
    codes: tuple[Code, ...] = ()

    def after(self, other: Coded) -> Coded:
        """Return this coded text appended to another, offsets shifted."""
        shift = len(other.text)
        return Coded(
            other.text + self.text, other.codes + tuple(c.moved(c.at + shift) for c in self.codes)
        )


@dataclass(frozen=True)
class Grammar:
    """One format's inline elements: which are codes, and where each keeps its id."""

    pairs: frozenset[str]  # around content: g, pc
    standalone: frozenset[str]  # x, ph
    opens: frozenset[str]  # bx, bpt, sc
    closes: frozenset[str]  # ex, ept, ec
    # Elements whose content is native code, not text (XLIFF 1.2 ph, bpt, ept, it).
    native: frozenset[str] = frozenset()
    # Attributes holding the code id of an open or close end, first found wins.
    end_ids: tuple[str, ...] = ("id",)
    # Elements that hold no text and are no code (XLIFF 2.0 annotation markers).
    ignored: frozenset[str] = frozenset()
    # Attributes holding the code id of a pair or a standalone code, first found wins.
    ids: tuple[str, ...] = ("id",)


XLIFF12_INLINE = Grammar(
    pairs=frozenset({"g"}),
    standalone=frozenset({"x", "ph"}),
    opens=frozenset({"bx", "bpt"}),
    closes=frozenset({"ex", "ept"}),
    native=frozenset({"ph", "bpt", "ept", "it"}),
    end_ids=("rid", "id"),
)
XLIFF20_INLINE = Grammar(
    pairs=frozenset({"pc"}),
    standalone=frozenset({"ph"}),
    opens=frozenset({"sc"}),
    closes=frozenset({"ec"}),
    end_ids=("startRef", "id"),
    ignored=frozenset({"sm", "em"}),
)
# TMX as the pipeline writes it (pipeline.formats.tmx): ids in ``x``, an ``ept`` has only ``i``.
TMX_INLINE = Grammar(
    pairs=frozenset(),
    standalone=frozenset({"ph", "ut"}),
    opens=frozenset({"bpt"}),
    closes=frozenset({"ept"}),
    native=frozenset({"ph", "ut", "bpt", "ept", "it"}),
    end_ids=("x", "i"),
    ids=("x",),
)


def read_inline(element: etree._Element, grammar: Grammar) -> Coded:
    """Return an element's plain text and codes; raise InlineError for a code with no number."""
    text: list[str] = []
    codes: list[Code] = []
    _walk(element, grammar, text, codes)
    return Coded("".join(text), tuple(codes))


def _walk(element: etree._Element, grammar: Grammar, text: list[str], codes: list[Code]) -> None:
    text.append(element.text or "")
    for child in element:
        if isinstance(child.tag, str):
            _child(child, grammar, text, codes)
        text.append(child.tail or "")


def _child(child: etree._Element, grammar: Grammar, text: list[str], codes: list[Code]) -> None:
    """Add one inline element: a code, a code point, or markup whose text is read through."""
    name = etree.QName(child).localname
    length = sum(map(len, text))

    def code(kind: CodeType, attrs: Sequence[str] = grammar.ids, at: int = length) -> None:
        codes.append(Code(_code_id(child, name, attrs), kind, name, "", at))

    if name in grammar.pairs:
        code(CodeType.OPEN)
        _walk(child, grammar, text, codes)
        code(CodeType.CLOSE, at=sum(map(len, text)))
    elif name in grammar.standalone:
        code(CodeType.STANDALONE)
    elif name in grammar.opens:
        code(CodeType.OPEN, grammar.end_ids)
    elif name in grammar.closes:
        code(CodeType.CLOSE, grammar.end_ids)
    elif name == "it" and name in grammar.native:
        kind = CodeType.CLOSE if child.get("pos") in ("close", "end") else CodeType.OPEN
        code(kind, grammar.end_ids)
    elif name == "cp":
        text.append(_code_point(child.get("hex", "")))
    elif name not in grammar.native and name not in grammar.ignored:
        _walk(child, grammar, text, codes)


def _code_id(element: etree._Element, name: str, attrs: Sequence[str]) -> int:
    for attr in attrs:
        value = element.get(attr)
        if value is None:
            continue
        found = _NUMBER.fullmatch(value)
        if found is None:
            raise InlineError(f"inline <{name} {attr}={value!r}> is not a code of the export")
        return int(found.group(1))
    raise InlineError(f"inline <{name}> has no {' or '.join(attrs)}")


def _code_point(value: str) -> str:
    try:
        return chr(int(value, 16))
    except ValueError:
        return ""
