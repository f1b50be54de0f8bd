"""XML attacks at every command that reads XML: refused with one line, nothing fetched or lost.

Each reader (review import of XLIFF 1.2 and 2.0, tm import of TMX and of XLIFF, glossary
import of TBX, ingest of HTML) gets the classic attacks: entity expansion (billion laughs,
quadratic blowup), external entities (``file://`` and ``http://``, general and parameter),
deep nesting and oversized input. A local HTTP server on 127.0.0.1 plays the remote host and
counts requests; a secret file plays the local file an entity would leak. A file that only
names a remote DTD, a schema location or an XInclude is read as data and nothing is fetched.
"""

from __future__ import annotations

import http.server
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline import xmlsafe
from tests.test_cli import cli, store_path

SECRET = "TOP-SECRET-7f3a"


@dataclass(frozen=True)
class Reader:
    """A command that reads XML, and the file it reads with {doctype} and {text} to fill."""

    root: str
    suffix: str
    template: str
    command: Callable[[Path], list[str]]


XLIFF12 = (
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a"'
    ' source-language="en" target-language="my" datatype="plaintext"><body>'
    '<trans-unit id="s1"><source>Hello</source><target state="translated">{text}</target>'
    "</trans-unit></body></file></xliff>"
)
XLIFF20 = (
    '<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en"'
    ' trgLang="my"><file id="f1"><unit id="s1"><segment state="translated"><source>Hello'
    "</source><target>{text}</target></segment></unit></file></xliff>"
)
TMX = (
    '<tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence"'
    ' adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/><body><tu>'
    '<tuv xml:lang="en"><seg>Hello</seg></tuv><tuv xml:lang="my"><seg>{text}</seg></tuv>'
    "</tu></body></tmx>"
)
TBX = (
    '<martif type="TBX" xml:lang="en"><text><body><termEntry id="c1"><langSet xml:lang="en">'
    '<tig><term>police</term></tig></langSet><langSet xml:lang="my"><tig><term>{text}</term>'
    "</tig></langSet></termEntry></body></text></martif>"
)
HTML = "<html><head><title>t</title></head><body><p>Hello {text} there.</p></body></html>"

READERS = {
    "review import xliff 1.2": Reader(
        "xliff", ".xlf", XLIFF12, lambda p: ["review", "import", str(p), "--reviewer", "R"]
    ),
    "review import xliff 2.0": Reader(
        "xliff", ".xlf", XLIFF20, lambda p: ["review", "import", str(p), "--reviewer", "R"]
    ),
    "tm import tmx": Reader("tmx", ".tmx", TMX, lambda p: ["tm", "import", str(p)]),
    "tm import xliff": Reader("xliff", ".xlf", XLIFF12, lambda p: ["tm", "import", str(p)]),
    "glossary import tbx": Reader(
        "martif", ".tbx", TBX, lambda p: ["glossary", "import", str(p), "--to", "my"]
    ),
    "ingest html": Reader("html", ".html", HTML, lambda p: ["ingest", str(p)]),
}


class Counting(http.server.BaseHTTPRequestHandler):
    """Answers every GET with an entity's worth of text, counting the requests."""

    requests: list[str] = []  # noqa: RUF012 (one list per server, reset by the fixture)

    def do_GET(self) -> None:
        Counting.requests.append(self.path)
        body = b'<!ENTITY leak "FETCHED">' if self.path.endswith(".dtd") else b"FETCHED"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def remote() -> Iterator[str]:
    """Return the address of a loopback HTTP server that counts what it is asked for."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def laughs(root: str) -> tuple[str, str]:
    """The billion laughs: ten entities, each ten of the one before."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return f"<!DOCTYPE {root} [{''.join(entities)}]>", "&lol9;"


def quadratic(root: str) -> tuple[str, str]:
    """One big entity referenced many times (no nesting for a nesting limit to catch)."""
    return f'<!DOCTYPE {root} [<!ENTITY big "{"x" * 50_000}">]>', "&big;" * 2_000


def local_file(root: str, secret: Path, remote: str) -> tuple[str, str]:
    return f'<!DOCTYPE {root} [<!ENTITY leak SYSTEM "file://{secret}">]>', "&leak;"


def http_entity(root: str, secret: Path, remote: str) -> tuple[str, str]:
    return f'<!DOCTYPE {root} [<!ENTITY leak SYSTEM "{remote}/entity">]>', "&leak;"


def parameter_entity(root: str, secret: Path, remote: str) -> tuple[str, str]:
    return f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "{remote}/p.dtd"> %p;]>', "&leak;"


ATTACKS: dict[str, Callable[[str, Path, str], tuple[str, str]]] = {
    "billion laughs": lambda root, secret, remote: laughs(root),
    "quadratic blowup": lambda root, secret, remote: quadratic(root),
    "external file entity": local_file,
    "external http entity": http_entity,
    "parameter entity": parameter_entity,
}


def rows() -> dict[str, int]:
    """Return the row count of every table of the store (none when there is no store)."""
    if not store_path().exists():
        return {}
    conn = sqlite3.connect(store_path())
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def stored_text() -> str:
    """Return every text value of the store, to look for a leaked secret."""
    if not store_path().exists():
        return ""
    return store_path().read_bytes().decode("utf-8", "replace")


@pytest.fixture(autouse=True)
def a_store(seed: Path) -> None:
    """Every test starts from a store holding the seed article, so `rows` shows any write."""
    code, _, err = cli("ingest", str(seed))
    assert code == 0, err


def refused(reader: Reader, path: Path) -> str:
    """Run the reader's command on path; assert one line, a non-zero exit, nothing written."""
    before = rows()
    code, out, err = cli(*reader.command(path))
    assert code != 0, out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert path.name in lines[0], lines[0]
    assert rows() == before
    return lines[0]


@pytest.mark.parametrize("attack", list(ATTACKS))
@pytest.mark.parametrize("name", list(READERS))
def test_attack_is_refused_in_one_line(
    name: str, attack: str, tmp_path: Path, secret: Path, remote: str
) -> None:
    reader = READERS[name]
    doctype, text = ATTACKS[attack](reader.root, secret, remote)
    path = tmp_path / f"attack{reader.suffix}"
    path.write_text(doctype + reader.template.format(text=text), encoding="utf-8")
    Counting.requests.clear()
    line = refused(reader, path)
    assert "lol" * 20 not in line and "x" * 1000 not in line
    assert SECRET not in line and SECRET not in stored_text()
    assert Counting.requests == [], "the reader fetched from the network"


@pytest.mark.parametrize("name", list(READERS))
def test_deep_nesting_is_refused(name: str, tmp_path: Path) -> None:
    reader = READERS[name]
    depth = 5_000
    nested = "<b>" * depth + "deep" + "</b>" * depth
    if reader.root == "html":
        nested = "<span>" * depth + "deep" + "</span>" * depth
    path = tmp_path / f"deep{reader.suffix}"
    path.write_text(reader.template.format(text=nested), encoding="utf-8")
    line = refused(reader, path)
    assert "nested" in line or "deep" in line.lower(), line


@pytest.mark.parametrize("name", [n for n, r in READERS.items() if r.suffix != ".tmx"])
def test_oversized_file_read_whole_is_refused(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files parsed whole have a size limit (lowered here, so the test writes 2 MB, not 128)."""
    monkeypatch.setattr(xmlsafe, "MAX_DOCUMENT_BYTES", 1024 * 1024)
    reader = READERS[name]
    path = tmp_path / f"big{reader.suffix}"
    path.write_text(reader.template.format(text="word " * 400_000), encoding="utf-8")
    line = refused(reader, path)
    assert "MiB" in line, line


def test_streamed_tmx_has_no_size_limit_but_a_text_limit(tmp_path: Path) -> None:
    """TMX streams: a big memory is fine, one 11 MB text node is refused."""
    reader = READERS["tm import tmx"]
    path = tmp_path / "huge.tmx"
    path.write_text(reader.template.format(text="x" * (11 * 1024 * 1024)), encoding="utf-8")
    line = refused(reader, path)
    assert "10 MB" in line, line


@pytest.mark.parametrize("name", [n for n, r in READERS.items() if r.root != "html"])
def test_remote_dtd_schema_and_xinclude_are_never_fetched(
    name: str, tmp_path: Path, remote: str
) -> None:
    """A DOCTYPE naming a remote DTD (as real TMX files do), xsi:schemaLocation and XInclude:
    the file is read as it stands, and the network is never asked."""
    reader = READERS[name]
    doctype = f'<!DOCTYPE {reader.root} SYSTEM "{remote}/format.dtd">'
    text = (
        f'<x:include xmlns:x="http://www.w3.org/2001/XInclude" href="{remote}/inc.xml"/>'
        if reader.root != "martif"
        else "police"
    )
    body = reader.template.format(text=text).replace(
        f"<{reader.root} ",
        f'<{reader.root} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:schemaLocation="urn:x {remote}/schema.xsd" ',
        1,
    )
    path = tmp_path / f"remote{reader.suffix}"
    path.write_text(doctype + body, encoding="utf-8")
    Counting.requests.clear()
    cli(*reader.command(path))  # applied or refused (the unit is not the store's): no matter
    assert Counting.requests == [], "the reader fetched from the network"
    assert "FETCHED" not in stored_text()
