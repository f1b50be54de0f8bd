"""What one request to the desk may carry, each excess refused with a status and one line.

A body is read in chunks and refused past :data:`MAX_BODY` (so a 200 MB upload never reaches
memory); JSON is parsed with a nesting limit, integers of at most 19 digits, finite numbers
only, and strings free of lone surrogates; ids are positive 64-bit integers; a segment's text
is at most :data:`MAX_TEXT` characters.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

from starlette.requests import Request

MAX_BODY = 1_000_000  # bytes in a request body (1 MB): a segment edit needs a few kB
MAX_TEXT = 20_000  # characters in a segment's text, on a save and a QA request
MAX_NAME = 200  # characters in a reviewer's name
MAX_DEPTH = 32  # JSON nesting: the desk's bodies are flat objects
MAX_DIGITS = 19  # an id fits a signed 64-bit integer, as the stores keep it
MAX_ID = 2**63 - 1
_STRUCTURE = re.compile(r'[\[\]{}"\\]')
_SURROGATE = re.compile("[\ud800-\udfff]")


class Refused(Exception):
    """A request the desk refuses, with the status and the one line to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Malformed(ValueError):
    """A JSON value the desk does not take (raised from the parser's hooks)."""


def shown(value: str, limit: int = 40) -> str:
    """Return a user's value shortened for a message."""
    return value if len(value) <= limit else value[:limit] + "…"


async def read_body(request: Request) -> bytes:
    """Return a request's body; refuse it (413) once it passes MAX_BODY, before it is all read."""
    declared = request.headers.get("content-length", "")
    if len(declared) > 12 or (declared.isdigit() and int(declared) > MAX_BODY):
        raise Refused(413, _too_large())
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BODY:
            raise Refused(413, _too_large())
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> str:
    return f"the request is larger than the desk takes ({MAX_BODY:,} bytes)"


def parse(raw: bytes) -> dict[str, Any]:
    """Return a request body as a JSON object, or refuse it (400) with what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the request is not UTF-8 JSON") from None
    try:
        _check_depth(text)
        data = json.loads(
            text, parse_constant=_no_constant, parse_int=_integer, parse_float=_finite
        )
    except _Malformed as exc:
        raise Refused(400, str(exc)) from None
    except (ValueError, RecursionError):
        raise Refused(400, "the request is not JSON") from None
    if not isinstance(data, dict):
        raise Refused(400, "the request is not a JSON object")
    for key, value in data.items():
        if _SURROGATE.search(key) or (isinstance(value, str) and _SURROGATE.search(value)):
            raise Refused(400, "the request holds a lone surrogate (not a character)")
    return data


def _check_depth(text: str) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH, in one pass (the parser would recurse)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth, in_string, skip = 0, False, -1
    for found in _STRUCTURE.finditer(text):
        at, char = found.start(), found.group()
        if at == skip:
            continue
        if in_string:
            if char == "\\":
                skip = at + 1  # the escaped character is not structure
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _Malformed(f"the request is nested deeper than {MAX_DEPTH} levels")
        elif char in "]}":
            depth -= 1


def _no_constant(name: str) -> NoReturn:
    raise _Malformed(f"{name} is not a number the desk takes")


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _Malformed(f"a number has more than {MAX_DIGITS} digits")
    return int(digits)


def _finite(digits: str) -> float:
    value = float(digits)
    if not math.isfinite(value):
        raise _Malformed(f"{shown(digits)} is not a finite number")
    return value


def ident(value: Any, what: str, malformed: int = 400) -> int:
    """Return an id given as a JSON integer or a string of digits; refuse anything else.

    ``malformed`` is the status for a value that is no number at all: 404 in an address.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        if len(value) > MAX_DIGITS:
            raise Refused(404, f"no {what} {shown(value)}")
        number = int(value)
    else:
        if malformed == 404 and isinstance(value, str):
            raise Refused(404, f"no {what} {shown(value)}")
        raise Refused(malformed, f"{what} must be a whole number")
    if not 1 <= number <= MAX_ID:
        raise Refused(404, f"no {what} {number}")
    return number


def segment_text(value: Any) -> str:
    """Return a segment's edited text; refuse a non-string or one longer than MAX_TEXT."""
    if not isinstance(value, str):
        raise Refused(400, "the text must be a string")
    if len(value) > MAX_TEXT:
        raise Refused(
            413, f"a segment is at most {MAX_TEXT:,} characters; this one has {len(value):,}"
        )
    return value


def reviewer(value: Any, missing: str) -> str:
    """Return a reviewer's name with its spaces normalised; refuse none or a too long one."""
    if not isinstance(value, str) or not value.strip():
        raise Refused(400, missing)
    name = " ".join(value.split())
    if len(name) > MAX_NAME:
        raise Refused(400, f"a reviewer's name is at most {MAX_NAME} characters")
    return name
