"""Write text back into Markdown so that it renders as the same text, never as markup.

A translated run is backslash-escaped where a character could open inline markup (``*``,
``_``, `````, ``[``, ``<``, an entity's ``&``…) or, at the start of a run, a block (``#``,
``>``, ``-``, ``1.``…); inside a code span nothing is escaped. Table cells also escape
``|``; front matter values are the content of a JSON string literal, which is a valid YAML
double-quoted and TOML basic string. Over-escaping is safe: ``\\`` before any ASCII
punctuation renders as the character itself.
"""

from __future__ import annotations

import json
import re

from pipeline.burmese import LINE_BREAK
from pipeline.ingest import Escaper
from pipeline.records import Code

# Characters that open or close inline markup wherever they stand.
_ALWAYS = frozenset("\\`*[]<")
# A character reference: "&amp;", "&#42;", "&#x2A;" (a lone "&" is text).
_ENTITY = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")
# What starts a block at the beginning of a line: a quote, a list item, a thematic break or
# setext underline, a tilde fence ("#" is escaped by ``inline``, backticks always are).
_BLOCK_START = re.compile(
    r"[ \t]*(?:(>)|([-+])(?=[ \t]|$)|(-)(?=-)|(=)(?=[ \t=]|$)|\d{1,9}([.)])(?=[ \t]|$)|(~)(?=~~))"
)
# Characters a YAML double-quoted scalar cannot hold as they are (C0/C1 controls, DEL,
# line and paragraph separators, BOM); json.dumps leaves some of them raw.
# A line break in a translation would end a table row or start a block: it is a space.
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n][ \t\r\n]*")
_UNSAFE_IN_QUOTES = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")


def escaper(mode: str) -> Escaper:
    """Return how text runs are written for a placeholder mode ("p", "c", "a", "j")."""
    if mode == "j":
        return quoted
    if mode == "p":
        return _breaking
    escape = {"c": cell, "a": alt}.get(mode, text)
    return lambda run, code: escape(_LINE_BREAKS.sub(" ", run).replace(LINE_BREAK, " "), code)


def _breaking(run: str, code: Code | None) -> str:
    """Escape running text; a line break character is a hard break (a space in code)."""
    run = _LINE_BREAKS.sub(" ", run)
    if code is not None and code.tag == "code":
        return text(run.replace(LINE_BREAK, " "), code)
    # Each line is escaped as a run: a line may not start a list or a heading.
    return "\\\n".join(text(line, code) for line in run.split(LINE_BREAK))


def text(run: str, code: Code | None) -> str:
    """Escape a run of running text; a code span's content is written as it is."""
    if code is not None and code.tag == "code":
        return run
    return _leading(inline(run))


def cell(run: str, code: Code | None) -> str:
    """Escape a run inside a table cell: as running text, and ``|`` everywhere."""
    if code is not None and code.tag == "code":
        return run.replace("|", "\\|")
    return inline(run).replace("|", "\\|")


def alt(run: str, code: Code | None) -> str:
    """Escape an image's text inside ``![…]`` (``|`` too: the image may sit in a cell)."""
    return inline(run).replace("|", "\\|")


def quoted(run: str, code: Code | None) -> str:
    """Return a run as the content of a JSON string literal, safe in YAML and TOML."""
    body = json.dumps(run, ensure_ascii=False)[1:-1]
    return _UNSAFE_IN_QUOTES.sub(lambda m: f"\\u{ord(m.group()):04x}", body)


def inline(run: str) -> str:
    """Backslash-escape what could start inline markup anywhere in a line."""
    out = []
    for index, char in enumerate(run):
        if char in _ALWAYS or (char == "_" and not _inside_word(run, index)):
            out.append("\\" + char)
        elif char == "&" and _ENTITY.match(run, index):
            out.append("\\&")
        elif char == "#" and _closes_heading(run, index):
            out.append("\\#")
        elif char == "!" and index == len(run) - 1:
            out.append("\\!")  # a link may follow: "![" would open an image
        else:
            out.append(char)
    # "{{p:0}}" in a translation needs no escape: ``rebuild`` never reads a paragraph again.
    return "".join(out)


def _inside_word(run: str, index: int) -> bool:
    """Return whether run[index] has a letter or digit on both sides (it cannot emphasise)."""
    return 0 < index < len(run) - 1 and run[index - 1].isalnum() and run[index + 1].isalnum()


def _closes_heading(run: str, index: int) -> bool:
    """Return whether run[index] starts a run of "#" that could close an ATX heading."""
    if index > 0 and run[index - 1] not in " \t":
        return False
    end = index
    while end < len(run) and run[end] == "#":
        end += 1
    return end == len(run) or run[end] in " \t"


def _leading(run: str) -> str:
    """Escape a block marker at the start of the run (it may start a line)."""
    match = _BLOCK_START.match(run)
    if match is None:
        return run
    at = next(match.start(group) for group in range(1, 7) if match.group(group) is not None)
    return run[:at] + "\\" + run[at:]


def destination(href: str) -> str:
    """Return a link destination that parses back to ``href`` (already URL-encoded)."""
    if not href:
        return "<>"
    out = []
    for index, char in enumerate(href):
        if char in "()<>\\ " or (char == "&" and _ENTITY.match(href, index)):
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def title(value: str) -> str:
    """Return a link title in double quotes that parses back to ``value``."""
    escaped = "".join("\\" + char if char in '"\\&`' else char for char in value)
    return f'"{escaped}"'
