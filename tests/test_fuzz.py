"""Fuzz every reader of untrusted input: each call succeeds or raises one of our errors, fast.

The readers fuzzed are review files (XLIFF 1.2, XLIFF 2.0, PO), TMX memories, TBX glossaries,
HTML and Markdown articles, ``.argosmodel`` archives and the review desk's JSON API. Inputs are
valid files mutated (elements dropped or duplicated, attributes and ids changed, inline codes
mismatched, truncation, inserted bytes, other encodings and BOMs) and raw random bytes.

Every call must either return or raise :class:`pipeline.errors.PipelineError` (what the CLI turns
into one line), in under five seconds; the desk must never answer 5xx. The "ci" profile of
tests/conftest.py keeps this file to well under a minute (each test sets its own
``max_examples``); for a longer local hunt::

    HYPOTHESIS_PROFILE=long uv run pytest -q tests/test_fuzz.py

which runs each test with the long profile's example count instead.
"""

from __future__ import annotations

import copy
import json
import shutil
import time
import zipfile
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from starlette.testclient import TestClient

from pipeline.desk.app import DeskConfig, create_app
from pipeline.errors import PipelineError
from tests.test_cli import cli, store_path

DATA = Path(__file__).resolve().parent / "data"
SECONDS = 5.0


def _profile_examples(ci: int) -> int:
    """Examples for one test: ``ci`` in the ci profile, the loaded profile's count otherwise."""
    current = settings().max_examples
    return ci if current <= 200 else current


def fuzz_settings(ci: int) -> settings:
    return settings(
        max_examples=_profile_examples(ci),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def bounded(call: Callable[[], object]) -> object:
    """Run ``call``: return its result or None if it raised a PipelineError; fail if it was slow."""
    start = time.monotonic()
    try:
        return call()
    except PipelineError as exc:
        assert str(exc).strip(), "an error with no message"
        return None
    finally:
        assert time.monotonic() - start < SECONDS, "a reader took too long"


# --- Mutations -------------------------------------------------------------------------------

ATTRIBUTES = ("id", "state", "xml:lang", "srclang", "version", "rid", "i", "x", "type", "startRef")
TEXTS = st.sampled_from(["", "0", "-1", "1", "s1", "2", "x-🙂", "\x00", "&", "9" * 30, "en", "my"])


@st.composite
def xml_mutation(draw: st.DrawFn, seed: bytes) -> bytes:
    """Structural edits of an XML seed: drop, duplicate, re-attribute or re-id elements."""
    root = etree.fromstring(seed, etree.XMLParser(resolve_entities=False))
    for _ in range(draw(st.integers(1, 4))):
        elements = list(root.iter())
        element = elements[draw(st.integers(0, len(elements) - 1))]
        parent = element.getparent()
        action = draw(st.sampled_from(["drop", "duplicate", "attribute", "text", "swap"]))
        if action == "drop" and parent is not None:
            parent.remove(element)
        elif action == "duplicate" and parent is not None:
            parent.insert(parent.index(element), copy.deepcopy(element))
        elif action == "attribute":
            name = draw(st.sampled_from(ATTRIBUTES))
            if name == "xml:lang":
                name = "{http://www.w3.org/XML/1998/namespace}lang"
            value = draw((TEXTS | st.text(max_size=8)).filter(_xml_text))
            element.set(name, value)
        elif action == "text":
            element.text = draw(TEXTS.filter(_xml_text) | st.text(max_size=12).filter(_xml_text))
        elif action == "swap" and parent is not None and len(parent) > 1:
            # Moves an inline code (or anything) elsewhere: mismatched pairs, codes in no seg.
            other = parent[draw(st.integers(0, len(parent) - 1))]
            other.addnext(element)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _xml_text(text: str) -> bool:
    return all(c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") for c in text)


@st.composite
def byte_mutation(draw: st.DrawFn, seed: bytes) -> bytes:
    """Byte-level damage: truncation, inserted bytes, deleted or doubled ranges, encodings."""
    data = seed
    for _ in range(draw(st.integers(1, 3))):
        action = draw(
            st.sampled_from(["truncate", "insert", "delete", "double", "encode", "bom", "flip"])
        )
        at = draw(st.integers(0, len(data)))
        if action == "truncate":
            data = data[:at]
        elif action == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
        elif action == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
        elif action == "double":
            data = data[:at] + data[at : at + draw(st.integers(1, 200))] * 2 + data[at:]
        elif action == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif action == "bom":
            data = (
                draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00"])) + data
            )
        elif action == "encode":
            text = data.decode("utf-8", "replace")
            codec = draw(st.sampled_from(["utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252"]))
            data = text.encode(codec, "replace")
    return data


def damaged(seeds: list[bytes], xml: bool = True) -> st.SearchStrategy[bytes]:
    """A seed as it is, mutated structurally, damaged byte-wise, both, or raw random bytes."""
    seed = st.sampled_from(seeds)
    parts: list[st.SearchStrategy[bytes]] = [seed, seed.flatmap(byte_mutation)]
    if xml:
        structural = seed.flatmap(xml_mutation)
        parts += [structural, structural.flatmap(byte_mutation)]
    parts.append(st.binary(max_size=600))
    return st.one_of(parts)


# --- Seeds -----------------------------------------------------------------------------------

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header creationtool="t" segtype="sentence" o-tmf="t" adminlang="en" srclang="en"
          datatype="plaintext"/>
  <body>
    <tu tuid="1" creationdate="20240105T092000Z">
      <prop type="x-project">border</prop>
      <tuv xml:lang="en">
        <seg>Police <bpt i="1" x="1">&lt;b&gt;</bpt>crossed<ept i="1">&lt;/b&gt;</ept> it.<ph
          x="2">&lt;br/&gt;</ph></seg></tuv>
      <tuv xml:lang="my-MM" changedate="20240105T093000Z" changeid="thida">
        <seg>ရဲ <bpt i="1">&lt;b&gt;</bpt>ဖြတ်<ept i="1">&lt;/b&gt;</ept>။<ph x="2"/></seg></tuv>
    </tu>
    <tu><tuv xml:lang="EN"><seg>Two <it pos="begin">&lt;i&gt;</it>words<hi>x</hi></seg></tuv>
        <tuv xml:lang="hi"><seg>दो शब्द</seg></tuv></tu>
  </body>
</tmx>
""".encode()

TBX = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>glossary</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <descrip type="subjectField">geography</descrip>
      <langSec xml:lang="en"><termSec><term>Mizoram</term>
        <termNote type="partOfSpeech">properNoun</termNote></termSec></langSec>
      <langSec xml:lang="my"><termSec><term>မီဇိုရမ်</term>
        <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
        <termSec><term>မီဇို</term>
        <termNote type="administrativeStatus">notRecommended</termNote></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
""".encode()

MARTIF = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en-US">
  <martifHeader><fileDesc><sourceDesc><p>g</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="c-n"><descrip type="subjectField">geography</descrip>
      <langSet xml:lang="en-US"><tig><term>Naypyitaw</term></tig></langSet>
      <langSet xml:lang="my-MM"><ntig><termGrp><term>နေ</term>
        <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termGrp></ntig>
      </langSet></termEntry>
  </body></text>
</martif>
""".encode()

XLIFF_SEEDS = [(DATA / "review" / n).read_bytes() for n in ("reviewed-12.xlf", "reviewed-20.xlf")]
PO_SEED = (DATA / "review" / "reviewed.po").read_bytes()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# --- Readers ---------------------------------------------------------------------------------


@fuzz_settings(400)
@given(data=damaged(XLIFF_SEEDS), suffix=st.sampled_from([".xlf", ".xliff", ".xml", ".txt"]))
def test_review_xliff_reading_never_crashes(tmp_path: Path, data: bytes, suffix: str) -> None:
    from pipeline.review import read

    found = bounded(lambda: read(write(tmp_path, "r" + suffix, data)))
    assert found is None or found.units  # type: ignore[attr-defined]


@fuzz_settings(400)
@given(data=damaged([PO_SEED], xml=False), suffix=st.sampled_from([".po", ".pot", ".txt"]))
def test_review_po_reading_never_crashes(tmp_path: Path, data: bytes, suffix: str) -> None:
    from pipeline.review import read

    found = bounded(lambda: read(write(tmp_path, "r" + suffix, data)))
    assert found is None or found.units  # type: ignore[attr-defined]


@fuzz_settings(400)
@given(data=damaged([TMX]), lang=st.sampled_from(["en", "my", "xx"]))
def test_tmx_reading_never_crashes(tmp_path: Path, data: bytes, lang: str) -> None:
    from pipeline.tm.read import read_memory

    bounded(lambda: list(read_memory(write(tmp_path, "m.tmx", data), lang)))


@fuzz_settings(400)
@given(data=damaged([TBX, MARTIF]), to=st.sampled_from([None, "my", "hi"]))
def test_tbx_reading_never_crashes(tmp_path: Path, data: bytes, to: str | None) -> None:
    from pipeline.glossary.read import read_glossary

    bounded(lambda: read_glossary(write(tmp_path, "g.tbx", data), "en", to))


ARTICLE_SEEDS = {".html": (DATA / "ingest" / "article.html").read_bytes()}
ARTICLE_SEEDS[".md"] = (DATA / "ingest" / "article.md").read_bytes()


@fuzz_settings(250)
@given(data=damaged([ARTICLE_SEEDS[".html"]], xml=False))
def test_html_ingest_never_crashes(tmp_path: Path, data: bytes) -> None:
    from pipeline.ingest import read_article

    bounded(lambda: read_article(write(tmp_path, "a.html", data)))


@fuzz_settings(250)
@given(data=damaged([ARTICLE_SEEDS[".md"]], xml=False))
def test_markdown_ingest_never_crashes(tmp_path: Path, data: bytes) -> None:
    from pipeline.ingest import read_article

    bounded(lambda: read_article(write(tmp_path, "a.md", data)))


# --- Packages --------------------------------------------------------------------------------

PACKAGE_FILES = {
    "metadata.json": json.dumps({"from_code": "en", "to_code": "my", "package_version": "1"}),
    "model/model.bin": "weights",
    "model/config.json": "{}",
    "sentencepiece.model": "spm",
}
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def archives(draw: st.DrawFn) -> bytes:
    """A package zip with entries renamed, dropped or added and its metadata changed."""
    files: dict[str, bytes] = {k: v.encode() for k, v in PACKAGE_FILES.items()}
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["drop", "add", "metadata", "metabytes"]))
        if action == "drop" and files:
            files.pop(draw(st.sampled_from(sorted(files))))
        elif action == "add":
            name = draw(
                st.sampled_from(["../x", "/abs", "a\\b", "C:x", ".", "model/", "x/../../y", "ok"])
                | st.text(min_size=1, max_size=10)
            )
            files[name] = draw(st.binary(max_size=20))
        elif action == "metadata":
            meta = draw(st.dictionaries(st.sampled_from(["from_code", "to_code", "x"]), JSONISH))
            files["metadata.json"] = json.dumps(draw(st.one_of(st.just(meta), JSONISH))).encode()
        else:
            files["metadata.json"] = draw(st.binary(max_size=30))
    top = draw(st.sampled_from(["en_my", "pkg", ".hidden", ""]))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in files.items():
            zf.writestr(f"{top}/{name}" if top else name, content)
    return buffer.getvalue()


@fuzz_settings(400)
@given(data=st.one_of(archives(), archives().flatmap(byte_mutation), st.binary(max_size=300)))
def test_package_install_never_crashes(data: bytes, tmp_path: Path) -> None:
    from pipeline.packages.install import install_package

    found = bounded(lambda: install_package(write(tmp_path, "p.argosmodel", data)))
    if found is not None:  # installed: remove it so the next example can install again
        shutil.rmtree(found.path)  # type: ignore[attr-defined]


def test_a_valid_package_installs(tmp_path: Path) -> None:
    """The archive seed itself is a package: the fuzzer starts from something that installs."""
    from pipeline.packages.install import install_package

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in PACKAGE_FILES.items():
            zf.writestr(f"en_my/{name}", content)
    installed = install_package(write(tmp_path, "p.argosmodel", buffer.getvalue()))
    assert (installed.from_code, installed.to_code) == ("en", "my")


def test_the_seeds_read(tmp_path: Path) -> None:
    """Unmutated seeds are valid files, so mutations explore near real input."""
    from pipeline.glossary.read import read_glossary
    from pipeline.review import read
    from pipeline.tm.read import read_memory

    folder = tmp_path
    for name, data in (("a.xlf", XLIFF_SEEDS[0]), ("b.xlf", XLIFF_SEEDS[1]), ("c.po", PO_SEED)):
        assert read(write(folder, name, data)).units
    assert len(list(read_memory(write(folder, "m.tmx", TMX), "en"))) >= 2
    assert read_glossary(write(folder, "g.tbx", TBX), "en", "my")
    assert read_glossary(write(folder, "h.tbx", MARTIF), "en", "my")


# --- The desk's API --------------------------------------------------------------------------

TOKEN = "fuzz-token"
FIELDS = ("segment", "lang", "text", "reviewer", "base", "state", "conflict", "revision")
VALUES = st.one_of(
    JSONISH,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["my", "en", "1", "final", "reviewed", "<g1>x</g1>", "{1}", "\u200b"]),
)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[TestClient, DeskConfig]]:
    article = tmp_path / "a.txt"
    article.write_text("Police said <b>19</b> officers crossed.\n\nThey left.\n", encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", str(article), "--engine", "pseudo", "--to", "my")[0] == 0
    config = DeskConfig(str(store_path()), TOKEN, ("my",))
    with TestClient(create_app(config)) as client:
        yield client, config


@fuzz_settings(300)
@given(
    route=st.sampled_from(["/api/save", "/api/qa", "/api/revert", "/api/resolve"]),
    body=st.one_of(
        st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6),
        JSONISH,
        st.binary(max_size=40),
    ),
    signed=st.booleans(),
    csrf=st.sampled_from(["right", "wrong", "none"]),
)
def test_the_desk_never_answers_5xx(
    desk: tuple[TestClient, DeskConfig], route: str, body: Any, signed: bool, csrf: str
) -> None:
    client, config = desk
    client.cookies.clear()
    if signed:
        assert client.get(f"/?token={TOKEN}", follow_redirects=False).status_code == 303
    headers = {"right": {"X-Desk-CSRF": config.csrf}, "wrong": {"X-Desk-CSRF": "x"}, "none": {}}
    sent = dict(headers[csrf], **{"Content-Type": "application/json"})
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    start = time.monotonic()
    response = client.post(route, content=content, headers=sent)
    assert time.monotonic() - start < SECONDS
    assert response.status_code < 500, (route, body, response.text)
    if not (signed and csrf == "right"):
        assert response.status_code == 403
