"""The review desk as a real `review serve` process under one heavy request.

A 200 MB upload (declared, and streamed chunked with no length) is answered 413 at once and
the server's resident memory (``VmRSS`` in ``/proc/PID/status``) stays small; static files
and pages keep answering while QA requests of the longest text the desk takes keep its
workers busy.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from pipeline.desk.limits import MAX_TEXT
from pipeline.store import open_store
from tests.test_cli import cli, store_path

pytestmark = pytest.mark.slow

UPLOAD = 200 * 1024 * 1024
CHUNK = 1024 * 1024
# Memory the server may gain while a 200 MB upload is refused (it took 11.6 GB before).
RSS_GROWTH_MB = 60
# A static file or page asked for while QA keeps the desk busy answers within this.
RESPONSIVE_SECONDS = 1.5
REVIEWERS = 6  # sending QA requests back to back


@dataclass(frozen=True)
class Served:
    """A running desk: its address, token and process."""

    host: str
    port: int
    token: str
    process: subprocess.Popen[str]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def csrf(self) -> str:
        return hmac.new(self.token.encode(), b"csrf", hashlib.sha256).hexdigest()

    def client(self) -> httpx.Client:
        client = httpx.Client(base_url=self.base_url, timeout=30)
        assert client.get(f"/?token={self.token}", follow_redirects=False).status_code == 303
        return client

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        assert found, status
        return int(found.group(1)) / 1024


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """Ingest and pseudo-translate a short article, serve the desk as a process, yield it."""
    article = tmp_path / "article.txt"
    article.write_text("Police said 19 officers crossed.\n\nThey left on Tuesday.\n")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", str(article), "--engine", "pseudo", "--to", "my")[0] == 0
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "pipeline", "review", "serve", "--to", "my"]
    env = {**os.environ, "PIPELINE_STORE": str(store_path())}
    with (
        log.open("w") as errors,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env) as p,
    ):
        try:
            assert p.stdout is not None
            found = None
            for _ in range(5):
                if found := re.search(
                    r"http://(127\.0\.0\.1):(\d+)/\?token=(\S+)", p.stdout.readline()
                ):
                    break
            assert found, log.read_text()
            yield Served(found.group(1), int(found.group(2)), found.group(3), p)
        finally:
            p.terminate()
            p.wait(timeout=10)
    assert "Traceback" not in log.read_text(), log.read_text()


def upload(served: Served, cookie: str, *, chunked: bool) -> tuple[int, int, float]:
    """Send a 200 MB POST as fast as the server takes it; return status, bytes sent, seconds."""
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {UPLOAD}"
    head = (
        f"POST /api/save HTTP/1.1\r\nHost: {served.host}:{served.port}\r\n"
        f"Cookie: {cookie}\r\nX-Desk-CSRF: {served.csrf}\r\n"
        f"Content-Type: application/json\r\n{length}\r\n\r\n"
    ).encode()
    block = b"9" * CHUNK
    piece = f"{CHUNK:x}\r\n".encode() + block + b"\r\n" if chunked else block
    began = time.monotonic()
    sent = 0
    with closing(socket.create_connection((served.host, served.port), timeout=30)) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        answer = b""
        while time.monotonic() - began < 30:
            readable, writable, _ = select.select([sock], [sock] if sent < UPLOAD else [], [], 1)
            if readable:
                try:
                    data = sock.recv(65536)
                except ConnectionResetError:
                    break
                answer += data
                if not data or b"\r\n\r\n" in answer:
                    break
            elif writable:
                try:
                    sent += max(0, sock.send(piece))
                except (BrokenPipeError, ConnectionResetError):
                    break
    status = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    return (int(status.group(1)) if status else 0), sent, time.monotonic() - began


def test_a_200_mb_upload_is_refused_at_once_and_memory_stays_small(served: Served) -> None:
    """Declared or streamed, 200 MB gets 413 within seconds and the server gains < 60 MB."""
    with closing(served.client()) as client:
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        before = served.rss_mb()
        for chunked in (False, True):
            status, sent, seconds = upload(served, cookie, chunked=chunked)
            assert status == 413, (chunked, status, sent)
            assert seconds < 10 and sent < UPLOAD / 4, (chunked, seconds, sent)
        assert served.rss_mb() - before < RSS_GROWTH_MB, (before, served.rss_mb())
        # The desk still works.
        assert client.get("/static/desk.css").status_code == 200


def test_static_files_and_pages_answer_while_qa_keeps_the_desk_busy(served: Served) -> None:
    """Six reviewers' QA of 20,000-character texts at once: a page still answers in 1.5 s."""
    with open_store(store_path()) as db:
        segment = db.segments(db.documents()[0].id)[0].id
    text = ("ရဲ 19 ဦး နယ်စပ်ကို ဖြတ်ကျော်ခဲ့သည် " * 1000)[:MAX_TEXT]
    body = {"segment": segment, "lang": "my", "text": text}
    stop = threading.Event()
    answered: list[int] = []

    def reviewer() -> None:
        with closing(served.client()) as client:
            while not stop.is_set():
                response = client.post("/api/qa", json=body, headers={"X-Desk-CSRF": served.csrf})
                answered.append(response.status_code)

    threads = [threading.Thread(target=reviewer) for _ in range(REVIEWERS)]
    for thread in threads:
        thread.start()
    waits: list[float] = []
    try:
        with closing(served.client()) as client:
            time.sleep(0.5)  # the QA requests are running and queued
            for url in ["/static/desk.css", "/static/desk.js", "/", "/doc/1/my"] * 2:
                began = time.monotonic()
                assert client.get(url).status_code == 200, url
                waits.append(time.monotonic() - began)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert answered and set(answered) <= {200, 429}, set(answered)
    assert answered.count(200) >= REVIEWERS
    assert max(waits) < RESPONSIVE_SECONDS, [round(w, 2) for w in waits]
