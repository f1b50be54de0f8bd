"""The review desk's pages in a real browser: the keys carry on across pages of a long document.

`pipeline review serve --page-size 3` serves an eight-paragraph article in three pages;
headless Chromium (Debian's, through Playwright) moves with Alt+Down/Alt+Up over the page
edges, and Ctrl+Enter on the last open segment of a page goes to the next open one on a
later page.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.records import Origin, State, TranslationDraft
from pipeline.store import open_store
from tests.test_cli import cli, store_path
from tests.test_desk_browser import browser, chromium  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow

PARAGRAPHS = [f"Paragraph {n} says {n + 10} officers crossed." for n in range(8)]


def segment_ids() -> list[int]:
    with open_store(store_path()) as db:
        return [s.id for s in db.segments(db.documents()[0].id)]


@pytest.fixture
def address(tmp_path: Path) -> Iterator[str]:
    """Serve eight pseudo-translated segments, three a page; segments 3 to 5 reviewed."""
    article = tmp_path / "long.txt"
    article.write_text("\n\n".join(PARAGRAPHS) + "\n", encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", str(article), "--engine", "pseudo", "--to", "my")[0] == 0
    with open_store(store_path()) as db:
        for seg in segment_ids()[3:6]:
            draft = TranslationDraft(seg, "my", "ရဲ", State.REVIEWED, Origin.HUMAN, None, None, "T")
            db.write_translations([draft])
    command = [sys.executable, "-m", "pipeline", "review", "serve", "--to", "my"]
    env = {**os.environ, "PIPELINE_STORE": str(store_path())}
    with subprocess.Popen(
        [*command, "--page-size", "3"], stdout=subprocess.PIPE, text=True, env=env
    ) as process:
        try:
            assert process.stdout is not None
            found = None
            for _ in range(5):
                if found := re.search(r"http://\S+/\?token=\S+", process.stdout.readline()):
                    break
            assert found
            yield found.group(0)
        finally:
            process.terminate()
            process.wait(timeout=10)


def focused_segment(page) -> int:  # type: ignore[no-untyped-def]
    """Return the id of the segment whose editor has the focus."""
    page.locator("section.segment .editor:focus").wait_for()
    return int(page.evaluate("document.activeElement.closest('section').dataset.segment"))


def test_the_keys_move_across_pages(address: str, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Alt+Down past a page's last segment opens the next page; Ctrl+Enter finds the next open."""
    ids = segment_ids()
    page = browser.new_context().new_page()
    page.goto(address)
    page.click("a.open-doc")
    assert page.locator("section.segment").count() == 3
    assert focused_segment(page) == ids[0]  # the first open segment
    page.fill("#reviewer", "Thida")  # kept by the browser for the next pages
    page.locator(f"#s{ids[0]} .editor").click()
    page.keyboard.press("Alt+ArrowDown")
    page.keyboard.press("Alt+ArrowDown")
    assert focused_segment(page) == ids[2]
    page.keyboard.press("Alt+ArrowDown")  # over the edge: page 2, its first segment
    page.wait_for_url(re.compile(r"page=2#first$"))
    assert focused_segment(page) == ids[3]
    page.keyboard.press("Alt+ArrowUp")  # and back: page 1, its last segment
    page.wait_for_url(re.compile(r"page=1#last$"))
    assert focused_segment(page) == ids[2]
    # Saving the last open segment of page 1 goes to the next open one: page 3 (page 2 is done).
    page.keyboard.press("Control+A")
    page.keyboard.type("ရဲ 12 ဦး")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(rf"page=3#at-s{ids[6]}$"))
    assert focused_segment(page) == ids[6]
    with open_store(store_path()) as db:
        saved = db.translations(db.documents()[0].id, "my")[ids[2]]
    assert (saved.text, saved.state, saved.author) == ("ရဲ 12 ဦး", State.REVIEWED, "Thida")
