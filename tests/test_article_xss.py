"""Hostile reviewed translations published as articles: nothing runs in a real browser.

Each test ingests an article, signs off hostile translations in an XLIFF file through
``review import`` (as a translator would send them) and exports the article without
``--allow-draft``. HTML is loaded as it is, Markdown rendered with the reader's own
markdown-it, plain text wrapped as text; headless Chromium (Debian's, as in
tests/test_desk_browser.py) then shows whether any script ran.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
import yaml
from lxml import etree

from pipeline.ingest.markdown import parser
from tests.articlekit import identity_article
from tests.publishkit import article, cli, export_article, ingest_and_draft
from tests.test_desk_browser import chromium

pytestmark = pytest.mark.slow

XLIFF = "{urn:oasis:names:tc:xliff:document:1.2}"
# The attack: a paragraph that closes an attribute and adds an event handler.
BREAKOUT = '19 x" autofocus tabindex="1" onfocus="window.__pwned=\'article\''
CANARY = "http://127.0.0.1:9/canary"
SCRIPT = f"<script>window.__pwned='script';fetch('{CANARY}')</script>"
IMAGE = f'<img src="{CANARY}" onerror="window.__pwned=\'img\'">'
QUOTE = f'" onerror="window.__pwned=\'attr\'" src="{CANARY}'

HTML = """<!DOCTYPE html><html><head><title>Police cross</title>
<meta name="description" content="A short summary.">
<script>window.__source = "{{p:0}}";</script>
<style>p::before { content: "{{p:3}}"; }</style></head><body>
<div title="Nineteen officers">Police crossed.</div>
<p>Nineteen officers crossed.</p>
<p><img src="a.png" alt="An image"> <a href="https://example.org/">the report</a> here.</p>
<p>Police said <script>window.__inline = "{{p:4}}";</script> more.</p>
</body></html>
"""
HTML_TARGETS: dict[str, str | list[str]] = {
    "Police cross": "</title>" + SCRIPT,
    "A short summary.": '">' + SCRIPT,
    "Nineteen officers": "{{p:4}}",
    "Police crossed.": "{{a:2}} " + IMAGE,
    "Nineteen officers crossed.": BREAKOUT,
    "An image": QUOTE,
    "the report here.": ["</a>" + SCRIPT, " {{p:4}} here."],
    "Police said more.": ["{{p:4}} " + SCRIPT, " javascript:window.__pwned=1"],
}
MARKDOWN = """---
title: Police cross
description: A short summary.
---

# Police cross

Nineteen officers crossed.

See [the report](https://example.org/ "Report title") and ![An image](a.png) here.

Run `{{p:1}}` now.

```js
window.__source = "{{p:2}}";
```

<div onclick="{{p:1}}">Raw block.</div>
"""
MARKDOWN_TARGETS: dict[str, str | list[str]] = {
    "Police cross": "\"\n<script>window.__pwned='fm'</script>",
    "A short summary.": "\\\"}}' " + SCRIPT,
    "Nineteen officers crossed.": BREAKOUT + " " + SCRIPT,
    "See the report and here.": ["[x](javascript:window.__pwned=1) ", "the <b>report", IMAGE],
    "An image": "x](javascript:window.__pwned=1) " + QUOTE,
    "Run {{p:1}} now.": ["{{p:2}} <script>", "{{p:1}}", " </script>"],
}


def slots(element: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """Yield the text places of an XLIFF segment element, in reading order."""
    yield element, "text"
    for inner in element.iterdescendants():
        yield inner, "text"
        yield inner, "tail"


def review(path: Path, lang: str, targets: Mapping[str, str | Sequence[str]]) -> None:
    """Sign off targets in the article's XLIFF: codes kept, each text run replaced in order."""
    xliff = path.with_name(f"{path.stem}.{lang}.xlf")
    code, _, err = cli("export", "--format", "xliff12", "--to", lang, str(path), "-o", str(xliff))
    assert code == 0, err
    tree = etree.parse(str(xliff))
    for unit in tree.iter(f"{XLIFF}trans-unit"):
        source = unit.find(f"{XLIFF}source")
        assert source is not None
        wanted = targets.get("".join(source.itertext()))
        if wanted is None:
            continue
        runs = [wanted] if isinstance(wanted, str) else list(wanted)
        old = unit.find(f"{XLIFF}target")
        if old is not None:
            unit.remove(old)
        target = copy.deepcopy(source)
        target.tag = f"{XLIFF}target"
        target.set("state", "signed-off")
        source.addnext(target)
        unit.set("approved", "yes")
        for node, slot in slots(target):
            if getattr(node, slot) and runs:
                setattr(node, slot, runs.pop(0))
        assert not runs, f"unused runs for {''.join(source.itertext())!r}"
    tree.write(str(xliff), encoding="UTF-8", xml_declaration=True)
    code, out, err = cli("review", "import", str(xliff), "--reviewer", "Mallory")
    assert code == 0 and "applied" in out, err


def published(
    tmp_path: Path, name: str, source: str, targets: Mapping[str, str | list[str]]
) -> str:
    """Ingest, sign off the hostile targets and return the reviewed article's text."""
    path = article(tmp_path, name, source)
    ingest_and_draft(path, "my")
    review(path, "my", targets)
    out = tmp_path / f"out-{name}"
    # QA flags the attacks (numbers, script); a newsroom can still publish them.
    code, _, err = export_article(path, "my", out, "--allow-flagged")
    assert code == 0, err
    return out.read_text("utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Yield headless Chromium, launched once for the module."""
    from playwright.sync_api import sync_playwright

    path = chromium()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def loaded(browser, page_html: str, folder: Path) -> tuple[object, list[str]]:  # type: ignore[no-untyped-def]
    """Open a page in Chromium as a file; return the page and the problems seen on it."""
    problems: list[str] = []
    page = browser.new_page()
    page.on(
        "dialog", lambda dialog: (problems.append(f"dialog {dialog.message}"), dialog.dismiss())
    )
    page.on("request", lambda r: problems.append(f"request {r.url}") if "canary" in r.url else None)
    target = folder / "page.html"
    target.write_text(page_html, "utf-8")
    page.goto(target.as_uri())
    page.keyboard.press("Tab")  # focus moves: an injected onfocus would fire
    page.mouse.move(200, 200)
    page.wait_for_timeout(150)
    if page.evaluate("typeof window.__pwned") != "undefined":
        problems.append(f"script ran: {page.evaluate('window.__pwned')}")
    injected = page.evaluate(
        "document.querySelectorAll('[onfocus],[onerror],[autofocus],[onclick]:not(div)').length"
    )
    if injected:
        problems.append(f"{injected} elements with injected handlers")
    return page, problems


def test_hostile_html_translations_are_text_in_the_browser(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Reviewed translations breaking out of text, attributes and scripts run nothing in HTML."""
    page_html = published(tmp_path, "a.html", HTML, HTML_TARGETS)
    # Source scripts and styles come back byte for byte: no translation in their code.
    assert '<script>window.__source = "{{p:0}}";</script>' in page_html
    assert '<style>p::before { content: "{{p:3}}"; }</style>' in page_html
    assert '<script>window.__inline = "{{p:4}}";</script>' in page_html
    assert 'href="https://example.org/"' in page_html
    page, problems = loaded(browser, page_html, tmp_path)
    assert problems == []
    body = page.inner_text("body")  # type: ignore[attr-defined]
    assert BREAKOUT in body and "{{a:2}} " + IMAGE in body and SCRIPT in body
    assert page.title() == "</title>" + SCRIPT  # type: ignore[attr-defined]
    assert page.get_attribute("div[title]", "title") == "{{p:4}}"  # type: ignore[attr-defined]
    assert page.get_attribute("img", "alt") == QUOTE  # type: ignore[attr-defined]
    description = page.get_attribute("meta[name=description]", "content")  # type: ignore[attr-defined]
    assert description == '">' + SCRIPT
    assert page.evaluate("window.__source + '|' + window.__inline") == "{{p:0}}|{{p:4}}"  # type: ignore[attr-defined]


def test_hostile_markdown_translations_are_text_in_the_browser(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Reviewed translations typing Markdown, HTML and links render as text from Markdown."""
    text = published(tmp_path, "a.md", MARKDOWN, MARKDOWN_TARGETS)
    front, body = text.split("\n---\n", 1)
    values = yaml.safe_load(front.removeprefix("---\n"))
    assert values == {"title": MARKDOWN_TARGETS["Police cross"], "description": "\\\"}}' " + SCRIPT}
    assert 'window.__source = "{{p:2}}";' in body and '<div onclick="{{p:1}}">' in body
    assert '](https://example.org/ "Report title")' in body and "](a.png)" in body
    page, problems = loaded(browser, parser().render(body), tmp_path)
    assert problems == []
    shown = page.inner_text("body")  # type: ignore[attr-defined]
    assert BREAKOUT + " " + SCRIPT in shown and "[x](javascript:window.__pwned=1)" in shown
    assert page.get_attribute("img", "alt") == MARKDOWN_TARGETS["An image"]  # type: ignore[attr-defined]
    hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")  # type: ignore[attr-defined]
    assert hrefs == ["https://example.org/"]
    assert page.inner_text("code") == "{{p:1}}"  # type: ignore[attr-defined]


def test_placeholders_typed_in_a_plain_text_translation_stay_text(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A .txt translation reading {{p:1}} or script is published as typed, and shown as text."""
    source = "Police cross.\n\nNineteen officers crossed.\n\n- One item\n"
    targets: dict[str, str | list[str]] = {
        "Police cross.": "{{p:1}} and {{p:2}}",
        "Nineteen officers crossed.": SCRIPT,
        "One item": "{{=}} {{p:0}}",
    }
    text = published(tmp_path, "a.txt", source, targets)
    assert text == f"{{{{p:1}}}} and {{{{p:2}}}}\n\n{SCRIPT}\n\n- {{{{=}}}} {{{{p:0}}}}\n"
    page, problems = loaded(browser, f"<pre>{html.escape(text)}</pre>", tmp_path)
    assert problems == [] and page.inner_text("pre").rstrip("\n") == text.rstrip("\n")  # type: ignore[attr-defined]


def test_a_translator_cannot_change_a_link_target(tmp_path: Path) -> None:
    """Markup sent back in an XLIFF code (a javascript: href) is replaced by the source's."""
    path = article(tmp_path, "a.html", "<p>Read <a href='https://example.org/'>it</a> now.</p>")
    ingest_and_draft(path, "my")
    xliff = tmp_path / "a.my.xlf"
    cli("export", "--format", "xliff12", "--to", "my", str(path), "-o", str(xliff))
    evil = '&lt;a href="javascript:window.__pwned=1"&gt;'
    unit = (
        f'<target state="signed-off"><bpt id="1">{evil}</bpt>ဖတ်<ept id="1">&lt;/a&gt;</ept>'
        " ပါ။</target>"
    )
    text = xliff.read_text("utf-8")
    start = text.index("<target")
    end = text.index("</target>") + len("</target>")
    xliff.write_text(text[:start] + unit + text[end:], "utf-8")
    code, _, err = cli("review", "import", str(xliff), "--reviewer", "Mallory")
    assert code == 0, err
    out = tmp_path / "out.html"
    assert export_article(path, "my", out, "--allow-flagged")[0] == 0
    published_text = out.read_text("utf-8")
    assert "javascript:" not in published_text
    assert '<a href="https://example.org/">ဖတ်</a>' in published_text


@pytest.mark.parametrize(
    ("name", "source"),
    [
        (
            "a.html",
            '<p>Write {{p:0}} <code>{{=}}</code>.</p><script>f("{{p:0}}{{{a:1}}}")</script>',
        ),
        ("a.md", "Write {{p:0}} `{{=}}` here.\n\n    {{p:0}} {{{c:1}}}\n"),
        ("a.txt", "Write {{p:0}} and {{=}} here.\n"),
    ],
)
def test_an_article_holding_placeholder_text_comes_back_as_it_was(
    tmp_path: Path, name: str, source: str
) -> None:
    """The file's own {{p:0}} and {{=}}, in text, code and scripts, are never filled."""
    path = article(tmp_path, name, source)
    rebuilt = identity_article(path, tmp_path / "identity.db")
    for literal in ("{{p:0}}", "{{=}}"):
        assert rebuilt.count(literal) == source.count(literal), rebuilt
    if name != "a.html":  # lxml writes an HTML page whole; the others are kept byte for byte
        assert rebuilt == source
