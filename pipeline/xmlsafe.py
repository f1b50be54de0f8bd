"""Safe XML and HTML parsing: the one place that sets lxml's parser options and the read limits.

Every reader of XML (XLIFF review files, TMX and TBX imports, XLIFF as memory) and of HTML
articles builds its parser here, so the defences are the same everywhere:

- no entity is resolved (``resolve_entities=False``), no DTD is loaded or validated against,
  nothing is fetched (``no_network=True``): a ``SYSTEM`` entity naming ``file://`` or
  ``http://``, a parameter entity, a remote DTD in the DOCTYPE, an ``xsi:schemaLocation``
  or an ``<xi:include>`` is read as it stands and never followed (XInclude is only processed
  on request, and no reader asks);
- a DOCTYPE whose internal subset declares any entity is refused (:func:`check_doctype`):
  none of these formats needs one, and it is how entity bombs and external entities arrive.
  libxml2 (2.11 and later) also stops an expansion that grows past its amplification limit,
  even with ``resolve_entities=False``; :func:`refusal` names that error;
- ``huge_tree=False`` keeps libxml2's limits: elements nested at most :data:`MAX_DEPTH` deep,
  a text node at most 10 MB. libxml2's HTML parser silently drops what lies deeper than that
  instead of failing, so :func:`check_html` refuses such a page rather than lose its text;
- a file parsed whole is at most :data:`MAX_DOCUMENT_BYTES`, counted as it is read
  (:func:`read_whole`, through :mod:`pipeline.inputs`, which reads regular files only); TMX
  and TBX stream (``iterparse``) and have no size limit, so a memory of any size still imports.

defusedxml is not used: its lxml module is deprecated (and gone from its newer releases),
and what it adds for lxml is what these options and checks already do, with tests in
tests/test_xml_attacks.py showing each attack fail.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from pipeline.inputs import RefusedFileError, read_at_most

if TYPE_CHECKING:  # lxml is imported when a parser is made: reading a file needs none
    from lxml import etree
    from lxml import html as lxml_html

# libxml2's own depth limit without XML_PARSE_HUGE (xmlParserMaxDepth): deeper XML is a parse
# error; deeper HTML is cut off, which check_html turns into a refusal.
MAX_DEPTH: Final = 256

# A whole-file parse holds the bytes and lxml's tree (measured: about 2.2 times the file for
# XLIFF) plus the reader's own objects. 128 MiB is some 500,000 XLIFF units, far more than a
# review file holds; a bigger memory belongs in TMX, which streams.
MAX_DOCUMENT_BYTES: Final = 128 * 1024 * 1024

OPTIONS: Final[dict[str, bool]] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "attribute_defaults": False,
    "huge_tree": False,
}

# libxml2 messages of the limits above, and what they mean to the user.
_REFUSALS: Final = (
    ("amplification factor", "its entities expand too much (an entity bomb?); refused"),
    ("entity reference loop", "its entities refer to themselves in a loop; refused"),
    ("excessive depth", f"elements nested deeper than {MAX_DEPTH} levels; refused"),
    ("text node too long", "a text of more than 10 MB in one element; refused"),
    ("buffer size limit", "a value of more than 10 MB in one piece; refused"),
    ("name too long", "a name of more than 50,000 characters; refused"),
)

_INTERNAL_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_HTML_ROOT = re.compile(r"<html[\s>]", re.IGNORECASE)


class UnsafeXMLError(RefusedFileError):
    """A file is refused for safety; the message is the reason, the caller adds the file."""


def xml_parser() -> etree.XMLParser:
    """Return a parser for a whole file, with the safe options."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
    )


def iterparse(source: IO[bytes], **kwargs: Any) -> etree.iterparse:
    """Return lxml's iterparse over source with the safe options (events, tag, … in kwargs)."""
    from lxml import etree

    return etree.iterparse(source, **OPTIONS, **kwargs)


def html_parser() -> lxml_html.HTMLParser:
    """Return an HTML parser that fetches nothing (its default, stated here) and keeps limits."""
    from lxml import html as lxml_html

    # default_doctype: lxml-stubs do not know it; without it lxml invents an HTML 4.0 doctype.
    return lxml_html.HTMLParser(  # type: ignore[call-arg]
        encoding="utf-8", default_doctype=False, no_network=True, huge_tree=False
    )


def read_whole(path: Path) -> bytes:
    """Return the bytes of a regular file to parse whole, refusing more than the limit."""
    return read_at_most(path, MAX_DOCUMENT_BYTES)


def check_doctype(tree: etree._ElementTree) -> None:
    """Refuse a document whose DOCTYPE declares entities (general or parameter)."""
    dtd = tree.docinfo.internalDTD
    # lxml-stubs lacks DTD.iterentities (lxml has had it since 2.3).
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[attr-defined]
        raise UnsafeXMLError("the file declares XML entities (<!ENTITY>); they are refused")


def refusal(exc: etree.XMLSyntaxError) -> str | None:
    """Return why a parse error is one of the refused attacks, or None for plain bad XML."""
    message = str(exc).lower()
    return next((reason for needle, reason in _REFUSALS if needle in message), None)


def check_html(text: str, root: lxml_html.HtmlElement) -> None:
    """Refuse an HTML page with an internal DTD subset, or nested as deep as libxml2 cuts off."""
    from lxml import etree

    root_tag = _HTML_ROOT.search(text)
    head = text[: root_tag.start()] if root_tag else text[:65536]
    if _INTERNAL_SUBSET.search(head):
        # HTML has no internal subset; libxml2 would read it as text of the page.
        raise UnsafeXMLError("its DOCTYPE has an internal subset ([…]); HTML has none; refused")
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth >= MAX_DEPTH - 1:
            raise UnsafeXMLError(f"elements nested {MAX_DEPTH} levels deep or more; refused")
