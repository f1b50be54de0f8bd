"""The review desk against hostile and careless requests: 4xx with one short line, never 5xx.

Pages for documents and languages that do not exist or are not on the desk, JSON that Python
would turn into infinities, huge integers, deep recursion or lone surrogates, wrong types,
missing fields, oversized bodies and texts; every endpoint acts only on the desk's documents
and languages; long documents come in pages. A hypothesis test fuzzes every endpoint's path,
query and body.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from pipeline.desk.app import DeskConfig, create_app
from pipeline.desk.limits import MAX_BODY, MAX_TEXT
from pipeline.records import EditConflict, Origin, State, TranslationDraft
from pipeline.store import open_store
from tests.test_cli import cli, store_path
from tests.test_fuzz import fuzz_settings

TOKEN = "hostile-token"
ROUTES = ("/api/qa", "/api/save", "/api/revert", "/api/resolve")
ONE = "Police said 19 officers crossed the border.\n\nThey left on Tuesday.\n"
TWO = "The river rose by 2 metres.\n\nFarmers planted rice.\n"


@pytest.fixture
def two_documents(tmp_path: Path) -> None:
    """Ingest two articles, each pseudo-translated into Burmese and Hindi."""
    for name, text in (("one.txt", ONE), ("two.txt", TWO)):
        article = tmp_path / name
        article.write_text(text, encoding="utf-8")
        assert cli("ingest", str(article))[0] == 0
    assert cli("translate", "--engine", "pseudo", "--to", "my,hi")[0] == 0


def client_for(config: DeskConfig) -> TestClient:
    """Return a signed-in client of a desk (5xx answered, not raised)."""
    client = TestClient(create_app(config), raise_server_exceptions=False)
    assert client.get(f"/?token={TOKEN}", follow_redirects=False).status_code == 303
    return client


@pytest.fixture
def desk(two_documents: None) -> Iterator[tuple[TestClient, DeskConfig]]:
    """A desk for document 1 in Burmese only, over a store that holds more."""
    config = DeskConfig(str(store_path()), TOKEN, ("my",), ("1",))
    with client_for(config) as client:
        yield client, config


def send(client: TestClient, config: DeskConfig, route: str, body: bytes | str) -> Any:
    """POST a raw body with the page's headers."""
    content = body.encode() if isinstance(body, str) else body
    headers = {"X-Desk-CSRF": config.csrf, "Content-Type": "application/json"}
    return client.post(route, content=content, headers=headers)


def segments_of(doc_id: int) -> list[int]:
    with open_store(store_path()) as db:
        return [s.id for s in db.segments(doc_id)]


def newest(segment_id: int, lang: str) -> int:
    with open_store(store_path()) as db:
        seg = db.segment(segment_id)
        return db.revision_ids(seg.document_id, lang)[segment_id]


def short_line(response: Any) -> str:
    """Return the one line a refusal carries (JSON error or plain text); fail on anything else."""
    try:
        line = str(response.json()["error"])
    except ValueError:
        line = response.text
    assert line and "\n" not in line.strip() and len(line) < 200, line
    assert "Traceback" not in line
    return line


def test_pages_for_missing_out_of_range_or_foreign_documents_are_404(
    desk: tuple[TestClient, DeskConfig],
) -> None:
    """Every bad document id or language in a page address is a 404 with one short line."""
    client, _ = desk
    bad = [
        "/doc/999/my",
        "/doc/0/my",
        "/doc/" + "9" * 20 + "/my",
        "/doc/-1/my",
        "/doc/abc/my",
        "/doc/1.5/my",
        "/doc/%F0%9F%99%82/my",
        "/doc/2/my",  # in the store, not on this desk
        "/doc/1/hi",  # translated, not on this desk
        "/doc/1/xx",
        "/doc/1/hi-IN",  # another name of a language not on this desk
        "/doc/1/" + "m" * 200,
        "/doc/1/my?page=0",
        "/doc/1/my?page=2",
        "/doc/1/my?page=" + "9" * 30,
        "/doc/1/my?page=-3",
        "/doc/1/my?show=nonsense",
    ]
    for url in bad:
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code, response.text[:200])
        short_line(response)
    assert client.get("/doc/1/my").status_code == 200
    # Any name of a served language is that language (one code per language).
    assert client.get("/doc/1/my-MM").status_code == client.get("/doc/1/MY").status_code == 200
    assert "no document 999" in client.get("/doc/999/my").text


HOSTILE_BODIES = {
    "Infinity": '{"segment": Infinity, "lang": "my", "text": "x", "conflict": Infinity}',
    "NaN": '{"segment": NaN, "lang": "my", "text": "x"}',
    "1e400": '{"segment": 1e400, "lang": "my", "text": "x", "conflict": 1e400}',
    "5000 digits": '{"segment": ' + "9" * 5000 + ', "lang": "my", "conflict": 1}',
    "20 digits": '{"segment": 99999999999999999999, "lang": "my", "conflict": 1}',
    "20-digit string": '{"segment": "99999999999999999999", "lang": "my", "conflict": 1}',
    "100k deep": "[" * 100_000 + "]" * 100_000,
    "100k deep object": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "lone surrogate": '{"segment": 1, "lang": "my", "text": "\\ud800", "reviewer": "\\udfff"}',
    "bad UTF-8": b'{"segment": 1, "lang": "my", "text": "\xff\xfe"}',
    "wrong types": '{"segment": [1], "lang": {"my": 1}, "text": 5, "reviewer": [], '
    '"base": {}, "state": [], "revision": "x", "conflict": true}',
    "boolean id": '{"segment": true, "lang": "my", "text": "x", "conflict": false}',
    "negative id": '{"segment": -1, "lang": "my", "text": "x", "conflict": -1}',
    "missing fields": "{}",
    "not an object": '"segment"',
    "not JSON": "segment=1",
    "empty": "",
}


def test_hostile_json_gets_a_4xx_and_one_line_on_every_endpoint(
    desk: tuple[TestClient, DeskConfig],
) -> None:
    """Infinities, huge integers, deep nesting, surrogates, wrong types: 4xx, never 500."""
    client, config = desk
    for name, body in HOSTILE_BODIES.items():
        for route in ROUTES:
            response = send(client, config, route, body)
            assert 400 <= response.status_code < 500, (name, route, response.text)
            short_line(response)


def test_a_body_past_the_limit_is_refused_before_it_is_read(
    desk: tuple[TestClient, DeskConfig],
) -> None:
    """413 for a declared length past 1 MB, and a streamed body is not read past the limit."""
    client, config = desk
    headers = {"X-Desk-CSRF": config.csrf, "Content-Type": "application/json"}
    too_big = b'{"text": "' + b"x" * MAX_BODY + b'"}'
    declared = client.post("/api/qa", content=too_big, headers=headers)
    assert declared.status_code == 413 and "1,000,000 bytes" in short_line(declared)
    # Straight through ASGI, as a server streams a chunked upload: 50 chunks of 1 MB offered.
    status, taken = asyncio.run(streamed(config, chunks=50))
    assert status == 413 and taken <= 2, (status, taken)


async def streamed(config: DeskConfig, chunks: int) -> tuple[int, int]:
    """POST a chunked body of 1 MB chunks to /api/save; return the status and chunks taken."""
    taken = 0
    answer: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal taken
        if taken >= chunks:
            return {"type": "http.disconnect"}
        taken += 1
        return {"type": "http.request", "body": b" " * 1_000_000, "more_body": taken < chunks}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.append(message["status"])

    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"cookie", f"pipeline_desk_8000={TOKEN}".encode()),
        (b"x-desk-csrf", config.csrf.encode()),
        (b"content-type", b"application/json"),
        (b"transfer-encoding", b"chunked"),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/save",
        "raw_path": b"/api/save",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
    }
    await create_app(config)(scope, receive, send)
    return answer[0], taken


def test_a_segment_text_past_the_limit_is_refused_on_save_and_qa(
    desk: tuple[TestClient, DeskConfig],
) -> None:
    """A text of 20,001 characters gets one clear line; 20,000 are checked as usual."""
    client, config = desk
    seg = segments_of(1)[0]
    body = {"segment": seg, "lang": "my", "reviewer": "T", "base": newest(seg, "my")}
    for route in ("/api/qa", "/api/save"):
        response = send(client, config, route, json.dumps({**body, "text": "ရ" * (MAX_TEXT + 1)}))
        assert response.status_code == 413, response.text
        assert short_line(response) == "a segment is at most 20,000 characters; this one has 20,001"
    fits = send(
        client, config, "/api/qa", json.dumps({**body, "text": ("ရဲ 19 " * 4000)[:MAX_TEXT]})
    )
    assert fits.status_code == 200, fits.text


def make_conflict(segment_id: int, lang: str) -> int:
    """Save two edits on one base in the store; return the id of the conflict kept."""
    with open_store(store_path()) as db:
        seg = db.segment(segment_id)
        base = db.revision_ids(seg.document_id, lang)[segment_id]
        for author in ("A", "B"):
            draft = TranslationDraft(
                segment_id, lang, f"{author} ရဲ 19", State.REVIEWED, Origin.HUMAN, None, None, author
            )
            result = db.save_edit(draft, base)
        assert isinstance(result, EditConflict)
        return result.id


def open_conflicts(segment_id: int, lang: str) -> list[int]:
    with open_store(store_path()) as db:
        seg = db.segment(segment_id)
        found = db.edit_conflicts(seg.document_id, lang).get(segment_id, [])
        return [c.id for c in found]


def test_every_endpoint_acts_only_on_the_desks_documents_and_languages(
    desk: tuple[TestClient, DeskConfig],
) -> None:
    """Document 2 and Hindi are in the store but not on the desk: each endpoint answers 404."""
    client, config = desk
    ours, theirs = segments_of(1)[0], segments_of(2)[0]
    for segment, lang in ((theirs, "my"), (theirs, "hi"), (ours, "hi")):
        base = newest(segment, lang)
        conflict = make_conflict(segment, lang)
        before = open_conflicts(segment, lang)
        bodies = {
            "/api/qa": {"text": "ရဲ 19"},
            "/api/save": {"text": "ရဲ 19", "reviewer": "T", "base": base},
            "/api/revert": {"revision": base, "reviewer": "T", "base": base},
            "/api/resolve": {"conflict": conflict, "reviewer": "T"},
        }
        for route, body in bodies.items():
            sent = {**body, "segment": segment, "lang": lang}
            response = send(client, config, route, json.dumps(sent))
            assert response.status_code == 404, (route, segment, lang, response.text)
            short_line(response)
        assert open_conflicts(segment, lang) == before == [conflict]
        assert newest(segment, lang) != base  # the two store saves, nothing from the desk
    # A foreign conflict named with one of the desk's own segments is still refused.
    foreign = open_conflicts(theirs, "my")[0]
    body = {"conflict": foreign, "segment": ours, "lang": "my", "reviewer": "T"}
    assert send(client, config, "/api/resolve", json.dumps(body)).status_code == 404
    assert open_conflicts(theirs, "my") == [foreign]
    page = client.get("/").text
    assert 'href="/doc/1/my"' in page and "/doc/2/" not in page and "/doc/1/hi" not in page


def test_a_long_document_comes_in_pages_linked_to_each_other(tmp_path: Path) -> None:
    """450 segments at 200 a page: three pages, links between them and to the next open one."""
    article = tmp_path / "long.txt"
    article.write_text("\n\n".join(f"Line {n} has {n} words." for n in range(450)) + "\n")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", "--engine", "pseudo", "--to", "my")[0] == 0
    ids = segments_of(1)
    with open_store(store_path()) as db:
        # Everything up to segment 250 reviewed: the next open one after page 1 is on page 2.
        for seg in ids[:250]:
            draft = TranslationDraft(seg, "my", "ရဲ", State.REVIEWED, Origin.HUMAN, None, None, "T")
            db.write_translations([draft])
    config = DeskConfig(str(store_path()), TOKEN, ("my",))
    with client_for(config) as client:
        first = client.get("/doc/1/my").text
        assert first.count('class="segment ') == 200
        assert 'data-next="/doc/1/my?show=all&amp;order=article&amp;page=2"' in first
        assert (
            f'data-next-open="/doc/1/my?show=all&amp;order=article&amp;page=2#at-s{ids[250]}"'
            in (first)
        )
        assert 'data-prev=""' in first and "1 / 3 · 1–200 / 450" in first
        last = client.get("/doc/1/my?page=3").text
        assert last.count('class="segment ') == 50 and 'data-next=""' in last
        assert f'id="s{ids[449]}"' in last and "3 / 3 · 401–450 / 450" in last
        # A filter is kept in the links: the open segments are 200, then 0 more.
        opened = client.get("/doc/1/my?show=open").text
        assert opened.count('class="segment ') == 200 and 'data-next=""' in opened
        assert f'id="s{ids[250]}"' in opened and f'id="s{ids[249]}"' not in opened
        assert client.get("/doc/1/my?page=4").status_code == 404


# --- Fuzzing every endpoint --------------------------------------------------------------

IDS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["1", "2", "0", "-0", "1e3", "0x1", "١", "²", "%00", "..", "1%2F2", ""]),
    st.text(max_size=8),
)
LANGS = st.one_of(
    st.sampled_from(
        ["my", "hi", "en", "MY", "my-MM", "my_MM", "xx", "%ED%A0%80", "../app.py", "%2e%2e/x"]
    ),
    st.text(max_size=8),
)
QUERY_KEYS = st.sampled_from(["show", "order", "page", "ui", "token", "x"])
HOSTILE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["my", "hi", "1", "reviewed", "final", "<1>x</1>", "\u200b"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
FIELDS = st.sampled_from(
    ["segment", "lang", "text", "reviewer", "base", "state", "conflict", "revision"]
)
RAW_TOKENS = st.sampled_from(
    ["Infinity", "-Infinity", "NaN", "1e400", "9" * 30, '"\\ud800"', "[" * 50, "{}", "null"]
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """Return a JSON-ish body: an object of hostile values, some spliced in raw."""
    obj = draw(st.dictionaries(FIELDS, HOSTILE_VALUES, max_size=7))
    text = json.dumps(obj)
    if draw(st.booleans()) and obj:
        key = draw(st.sampled_from(sorted(obj)))
        text = text.replace(
            json.dumps(key) + ": " + json.dumps(obj[key]),
            json.dumps(key) + ": " + draw(RAW_TOKENS),
            1,
        )
    return text.encode("utf-8", "surrogatepass")


@fuzz_settings(100)
@given(
    doc=IDS,
    lang=LANGS,
    query=st.dictionaries(QUERY_KEYS, st.text(max_size=12), max_size=3),
    route=st.sampled_from(ROUTES),
    body=st.one_of(bodies(), st.binary(max_size=30)),
)
def test_no_path_query_or_body_makes_the_desk_answer_5xx(
    desk: tuple[TestClient, DeskConfig],
    doc: str,
    lang: str,
    query: dict[str, str],
    route: str,
    body: bytes,
) -> None:
    """Any document id, language, static file name, query and API body answers below 500."""
    client, config = desk
    query.pop("token", None)  # a token in the query is a sign-in, tested elsewhere
    path = f"/doc/{quote(doc, safe='%')}/{quote(lang, safe='%')}"
    page = client.get(path, params=query)
    assert page.status_code < 500, (path, query, page.text[:300])
    if page.status_code >= 400:
        short_line(page)
    index = client.get("/", params=query)
    assert index.status_code < 500, (query, index.text[:300])
    static = client.get(f"/static/{quote(lang, safe='%/.')}", params=query)
    assert static.status_code < 500, (lang, static.text[:300])
    answer = send(client, config, route, body)
    assert answer.status_code < 500, (route, body[:200], answer.text[:300])
    if answer.status_code >= 400:
        short_line(answer)
    assert not re.search(r"Traceback|Internal Server Error", page.text + answer.text)


SERVE_MISTAKES = [
    ("--port", "70000"),
    ("--port", "-1"),
    ("--port", "9" * 25),
    ("--port", "http"),
    ("--page-size", "0"),
    ("9" * 20,),
    ("0",),
    ("--to", "xx"),
]


def test_review_serve_refuses_bad_arguments_in_one_line(two_documents: None) -> None:
    """A port out of range, a page size of 0, an unknown document or language: one line, exit."""
    for args in SERVE_MISTAKES:
        code, out, err = cli("review", "serve", "--to", "my", *args)
        assert code != 0 and "Traceback" not in out + err, args
        assert len(err.strip().splitlines()) == 1, (args, err)
