"""Round trips for article conformance tests: ingest, translate as the source, rebuild.

The identity round trip stores each segment's source, with its codes, as a reviewed human
translation and exports the article: what a newsroom would get back from a translator who
changed no word. Rendered HTML is compared element for element (tags, attributes, text with
whitespace folded), so what differs is markup the pipeline lost or changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from pipeline.formats.article import render
from pipeline.ingest import ReadOptions, read_article
from pipeline.records import Origin, State, TranslationDraft
from pipeline.store import open_store

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"
TARGET = "my"
# Pages are parsed from UTF-8 bytes whatever their <meta charset> says (or lacks).
UTF8 = lxml_html.HTMLParser(encoding="utf-8")


def identity_article(path: Path, store_path: Path, options: ReadOptions | None = None) -> str:
    """Return the article rebuilt from its own sources and codes, stored as reviewed."""
    with open_store(str(store_path)) as store:
        document = store.ingest(read_article(path, "en", options)).document
        drafts = [
            TranslationDraft(
                segment.id,
                TARGET,
                segment.source,
                State.REVIEWED,
                Origin.HUMAN,
                author="identity",
                codes=segment.codes,
            )
            for segment in store.segments(document.id)
        ]
        store.write_translations(drafts)
        units = list(store.units([document.id], [TARGET]))
        return render(units, TARGET, document=document)


def element_tree(markup: str) -> list[tuple[str, tuple[tuple[str, str], ...], str, str]]:
    """Return an HTML page or fragment as (tag, attributes, text, tail) per element, in order.

    Text and tails have their whitespace folded; ``lang`` and ``dir`` on ``<html>`` are left
    out (the article export sets them to the target).
    """
    root = _parse(markup)
    return [] if root is None else list(_walk(root))


def _parse(markup: str) -> etree._Element | None:
    """Parse HTML as a browser would (lxml wraps a fragment in html and body)."""
    if not markup.strip():
        return None
    try:
        return lxml_html.document_fromstring(markup.encode("utf-8"), parser=UTF8)
    except etree.ParserError:  # only comments or whitespace
        return None


def _walk(root: etree._Element) -> Iterator[tuple[str, tuple[tuple[str, str], ...], str, str]]:
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else f"#{type(element).__name__}"
        attrs = tuple(
            sorted(
                (str(k), str(v))
                for k, v in element.attrib.items()
                if not (tag == "html" and k in ("lang", "dir"))
            )
        )
        text = " ".join((element.text or "").split())
        tail = " ".join((element.tail or "").split())
        yield tag, attrs, text, tail


def links(markup: str) -> list[tuple[str, str]]:
    """Return the (tag, href or src) of every link and image in rendered HTML, in order."""
    root = _parse(markup)
    if root is None:
        return []
    return [
        (str(e.tag), str(e.get("href") if e.tag == "a" else e.get("src")))
        for e in root.iter("a", "img")
    ]
