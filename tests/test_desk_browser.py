"""The review desk in a real browser: headless Chromium (Debian's) driven through Playwright.

`pipeline review serve` runs as a real process on loopback; the tests open its printed
address, edit, save with the keyboard, and read the store afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.inline import problems
from pipeline.records import Origin, State
from pipeline.store import open_store
from tests.test_cli import cli, store_path

pytestmark = pytest.mark.slow

ARTICLE = """<html><head><title>Police cross into India</title></head><body><article>
<h1>Police cross into India</h1>
<p>Police said 19 officers crossed the border on Tuesday.</p>
<p>Read <a href="https://example.org/report">the full report</a> here.</p>
<p>Officials wrote &lt;script&gt;alert('x')&lt;/script&gt; and left.</p>
</article></body></html>
"""
BURMESE = "ရဲအရာရှိ ၁၉ ဦး အင်္ဂါနေ့က နယ်စပ်ကို ဖြတ်ကျော်ခဲ့သည်ဟု ရဲက ပြောသည်။"


def chromium() -> str:
    found = os.environ.get("PIPELINE_CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    if os.environ.get("PIPELINE_REQUIRE_BROWSER"):
        pytest.fail("chromium is missing (Debian: apt-get install chromium fonts-noto-core)")
    pytest.skip("chromium is not installed (Debian: apt-get install chromium)")


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[str]:
    """Ingest and pseudo-translate an article, serve the desk, yield its address."""
    yield from served(tmp_path)


def served(tmp_path: Path, *options: str) -> Iterator[str]:
    """Serve the desk on an ingested, pseudo-translated article; yield its printed address."""
    article = tmp_path / "article.html"
    article.write_text(ARTICLE, encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", str(article), "--engine", "pseudo", "--to", "my")[0] == 0
    log = tmp_path / "serve.log"
    with (
        log.open("w") as errors,
        subprocess.Popen(
            [sys.executable, "-m", "pipeline", "review", "serve", "--to", "my", *options],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env={**os.environ, "PIPELINE_STORE": str(store_path())},
        ) as process,
    ):
        try:
            assert process.stdout is not None
            url = ""
            for _ in range(5):
                line = process.stdout.readline()
                if found := re.search(r"http://127\.0\.0\.\d+:\d+/\?token=\S+", line):
                    url = found.group(0)
                    break
            assert url, log.read_text()
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    path = chromium()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def translations() -> dict:  # type: ignore[type-arg]
    with open_store(store_path()) as db:
        doc = db.documents()[0]
        return {s.source: (s, db.translations(doc.id, "my").get(s.id)) for s in db.segments(doc.id)}


def open_document(browser, url: str, reviewer: str):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url)
    assert page.url.endswith("/") and "token" not in page.url  # the token became a cookie
    page.click("a.open-doc")
    page.fill("#reviewer", reviewer)
    return page


def test_without_the_token_nothing_is_served(desk: str) -> None:
    import httpx

    base = desk.split("?")[0]
    assert httpx.get(base).status_code == 403
    assert httpx.get(base + "static/desk.js").status_code == 403
    port = base.rsplit(":", 1)[1].strip("/")
    # Another host name for the same address (DNS rebinding) is refused even with the token.
    assert httpx.get(desk, headers={"Host": f"evil.example:{port}"}).status_code == 400


def test_an_explicit_host_still_needs_the_token(tmp_path: Path) -> None:
    """--host serves on that address (here another loopback one); the token stays required."""
    import httpx

    for url in served(tmp_path, "--host", "127.0.0.2"):
        assert url.startswith("http://127.0.0.2:")
        assert httpx.get(url.split("?")[0]).status_code == 403
        with httpx.Client(follow_redirects=True) as client:
            assert client.get(url).status_code == 200


def test_edit_and_save_with_the_keyboard(desk: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = open_document(browser, desk, "Thida")
    section = page.locator("section.segment", has_text="19 officers")
    editor = section.locator(".editor")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("ရဲ")
    # QA runs as the reviewer types: the number is missing.
    section.locator("ul.flags li", has_text="number 19 is missing").wait_for()
    page.keyboard.press("Control+A")
    page.keyboard.type(BURMESE)
    page.keyboard.press("Control+Enter")
    section.locator(".status", has_text="Saved.").wait_for()
    assert section.get_attribute("data-state") == "reviewed"
    seg, t = translations()["Police said 19 officers crossed the border on Tuesday."]
    assert (t.text, t.state, t.origin, t.author) == (BURMESE, State.REVIEWED, Origin.HUMAN, "Thida")
    # Ctrl+Enter moved on to the next open segment.
    focused = page.evaluate("document.activeElement.closest('section').dataset.segment")
    assert int(focused) != seg.id
    # Alt+Up goes back; Ctrl+Shift+Enter marks final.
    page.keyboard.press("Alt+ArrowUp")
    assert int(page.evaluate("document.activeElement.closest('section').dataset.segment")) == seg.id
    page.keyboard.press("Control+Shift+Enter")
    section.locator(".badge.state", has_text="final").wait_for()
    assert (
        translations()["Police said 19 officers crossed the border on Tuesday."][1].state
        is State.FINAL
    )


def test_chips_survive_deletion_and_the_source_copy_saves_whole_codes(
    desk: str,
    browser,  # type: ignore[no-untyped-def]
) -> None:
    page = open_document(browser, desk, "Thida")
    section = page.locator("section.segment", has_text="full report")
    editor = section.locator(".editor")
    assert editor.locator(".chip").count() == 2
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    assert editor.locator(".chip").count() == 2  # a code cannot be deleted
    page.keyboard.press("Alt+S")  # copy the source, codes included
    assert editor.locator(".chip").count() == 2
    assert "the full report" in editor.inner_text()
    # A chip moves by dragging: the link's closing code goes to the end of the sentence.
    closing = editor.locator(".chip", has_text="</1>")
    box = editor.bounding_box()
    closing.drag_to(editor, target_position={"x": box["width"] - 4, "y": box["height"] / 2})
    assert editor.locator(".chip").count() == 2
    page.keyboard.press("Control+Enter")
    section.locator(".status", has_text="Saved.").wait_for()
    seg, t = translations()["Read the full report here."]
    assert t.text == "Read the full report here." and problems(seg.codes, t.codes) == []
    close = next(c for c in t.codes if c.type.value == "close")
    assert close.at == len(t.text)
    # Text that looks like markup is shown as text.
    script = page.locator("section.segment", has_text="alert('x')").locator(".source")
    assert "<script>alert('x')</script>" in script.inner_text()
    assert page.locator("script", has_text="alert").count() == 0


def test_two_reviewers_on_one_segment_get_a_conflict_with_both_texts(
    desk: str,
    browser,  # type: ignore[no-untyped-def]
) -> None:
    first = open_document(browser, desk, "Aye")
    second = open_document(browser, desk, "Ba")  # both opened the same revision
    for page, text in ((first, "ပထမ ၁၉"), (second, "ဒုတိယ ၁၉")):
        section = page.locator("section.segment", has_text="19 officers")
        section.locator(".editor").click()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        section.locator("button.save[data-state=reviewed]").click()
    section = second.locator("section.segment", has_text="19 officers")
    conflict = section.locator(".conflict")
    conflict.wait_for()
    assert "ပထမ ၁၉" in conflict.inner_text() and "ဒုတိယ ၁၉" in conflict.inner_text()
    seg, t = translations()["Police said 19 officers crossed the border on Tuesday."]
    assert (t.text, t.author) == ("ပထမ ၁၉", "Aye")  # nothing overwritten
    with open_store(store_path()) as db:
        (kept,) = db.edit_conflicts(seg.document_id, "my")[seg.id]
    assert (kept.text, kept.author) == ("ဒုတိယ ၁၉", "Ba")
    # Ba keeps theirs: resolved, the store unchanged, the page shows Aye's text.
    conflict.locator("button.keep-theirs").click()
    second.wait_for_load_state()
    second.locator("section.segment", has_text="19 officers").locator(
        ".editor", has_text="ပထမ ၁၉"
    ).wait_for()
    with open_store(store_path()) as db:
        assert db.edit_conflicts(seg.document_id, "my") == {}


def test_the_desk_speaks_burmese_and_makes_the_readme_screenshot(
    desk: str,
    browser,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from pipeline.desk.messages import texts

    page = open_document(browser, desk, "Thida")
    section = page.locator("section.segment", has_text="19 officers")
    section.locator(".editor").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(BURMESE)
    page.keyboard.press("Control+Enter")
    section.locator(".status", has_text="Saved.").wait_for()
    page.goto(page.url.split("?")[0] + "?ui=my")
    assert page.locator("header .home").inner_text() == texts("my")["title"]
    # The Myanmar text is drawn with a Myanmar font, not boxes: its glyphs have width.
    width = page.evaluate(
        "() => { const s = document.createElement('span'); s.textContent = 'နေပြည်တော်';"
        " document.body.append(s); const w = s.getBoundingClientRect().width; s.remove();"
        " return w; }"
    )
    assert width > 20
    shot = Path(os.environ.get("PIPELINE_DESK_SCREENSHOT") or tmp_path / "desk.png")
    page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
