"""Which document a unit of an exported file says it comes from, as one readable name."""

from __future__ import annotations

import re

_DOCUMENT_ID = re.compile(r"document-id:\s*(\d+)")


def document_name(uri: str | None, doc_id: object = None) -> str:
    """Return "URI (document N)" from what a file carries; empty when it carries neither.

    >>> document_name("/news/a.md", 3), document_name(None, "3"), document_name("", None)
    ('/news/a.md (document 3)', 'document 3', '')
    """
    number = f"document {doc_id}" if doc_id not in (None, "") else ""
    if uri and number:
        return f"{uri} ({number})"
    return uri or number


def noted_id(note: str | None) -> str | None:
    """Return the document id a ``document-id: N; version: V`` note names, if it does.

    >>> noted_id("document-id: 12; version: 2"), noted_id("other")
    ('12', None)
    """
    found = _DOCUMENT_ID.search(note or "")
    return found.group(1) if found else None
