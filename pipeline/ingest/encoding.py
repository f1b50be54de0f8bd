"""The encoding of an HTML page by the WHATWG rules: its BOM, then the <meta> prescan."""

from __future__ import annotations

import re

import webencodings  # type: ignore[import-untyped]

# The prescan reads only this much, as browsers do without a transport layer.
PRESCAN_BYTES = 1024

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xfe\xff", "utf-16be"), (b"\xff\xfe", "utf-16le"))
_META = re.compile(rb"<meta(?=[\s/>])([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(
    rb"""([^\s/>=]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""", re.IGNORECASE
)
_CONTENT_CHARSET = re.compile(rb"""charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;"']+))""", re.I)
_SKIPPED = re.compile(rb"<!--.*?-->", re.DOTALL)


def bom_encoding(data: bytes) -> str:
    """Return the encoding a byte order mark names ("utf-8", "utf-16le", "utf-16be"), or ""."""
    for mark, name in _BOMS:
        if data.startswith(mark):
            return name
    return ""


def declared_encoding(data: bytes) -> str:
    """Return the encoding a <meta> in the first 1024 bytes declares, by its WHATWG name, or ""."""
    head = _SKIPPED.sub(b"", data[:PRESCAN_BYTES])
    for meta in _META.finditer(head):
        label = _meta_label(meta.group(1))
        if label is None:
            continue
        found = webencodings.lookup(label.decode("ascii", "replace").strip())
        if found is None:
            continue
        # A page cannot be UTF-16 and declare it in ASCII bytes: the standard reads UTF-8.
        name = "utf-8" if found.name.startswith("utf-16") else found.name
        return "windows-1252" if name == "x-user-defined" else str(name)
    return ""


def _meta_label(attributes: bytes) -> bytes | None:
    """Return the charset label one <meta>'s attributes give, or None."""
    values: dict[bytes, bytes] = {}
    for match in _ATTRIBUTE.finditer(attributes):
        name = match.group(1).lower()
        if name not in values:
            values[name] = next((g for g in match.groups()[1:] if g is not None), b"")
    if b"charset" in values:
        return values[b"charset"]
    if values.get(b"http-equiv", b"").strip().lower() == b"content-type":
        found = _CONTENT_CHARSET.search(values.get(b"content", b""))
        if found:
            return next(g for g in found.groups() if g is not None)
    return None


def python_codec(name: str) -> str:
    """Return the Python codec decoding a WHATWG encoding name."""
    return str(webencodings.lookup(name).codec_info.name)
