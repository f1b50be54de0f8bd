"""The review desk under load: many reviewers saving at once lose no edit, report every conflict.

`pipeline review serve` runs as a real process on loopback, on SQLite and on PostgreSQL.
Reviewer threads, each with its own HTTP client (its own token cookie), save in rounds: some
rounds on a segment only that reviewer edits (each save on the base the previous one
returned: all must be saved), most on one shared segment, every reviewer naming the same base
(exactly one may win, the others must be conflicts). Afterwards the store is read: every save
answered 200 is in the history exactly once with its text and reviewer, every 409 is an
``edit_conflicts`` row with its text, and nothing else was written.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipeline.records import EditConflict, Origin, Saved, State, TranslationDraft
from pipeline.store import open_store
from tests.test_cli import cli

pytestmark = pytest.mark.slow

LANG = "my"
REVIEWERS = 8
ROUNDS = 25  # saves per reviewer
BARRIER_ROUNDS = 15  # of which in lockstep rounds, the rest free running
SHARED = 2  # segments every reviewer edits
# A page asked for while the reviewers save must answer within this (2 shared cores, CI).
RESPONSIVE_SECONDS = 10.0
PARAGRAPHS = [
    "Police said 19 officers crossed the border on Tuesday.",
    "The river rose by two metres overnight.",
    "Farmers in the valley planted rice in May.",
    "The council met on Friday to discuss the budget.",
    "A new school opened near the market last year.",
    "The bridge was closed for repairs in March.",
    "Doctors visited three villages this week.",
    "The festival drew crowds from across the region.",
    "Rain is expected to continue until Sunday.",
    "The library lent more books than ever before.",
    "Workers repaired the road after the storm.",
]


@dataclass(frozen=True)
class Desk:
    """A served desk: its address and the values a reviewer's browser would hold."""

    base_url: str
    token: str
    process: subprocess.Popen[str]

    @property
    def csrf(self) -> str:
        return hmac.new(self.token.encode(), b"csrf", hashlib.sha256).hexdigest()

    def client(self) -> httpx.Client:
        """Return a signed-in client: the token query sets the per-port cookie."""
        client = httpx.Client(base_url=self.base_url, timeout=60)
        response = client.get(f"/?token={self.token}", follow_redirects=False)
        assert response.status_code == 303, response.text
        assert client.cookies, "the desk set no token cookie"
        return client

    def save(self, client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
        return client.post("/api/save", json=body, headers={"X-Desk-CSRF": self.csrf})


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Return the store location for one backend; PIPELINE_STORE names it for the CLI."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_url")
        monkeypatch.setenv("PIPELINE_STORE", url)
    return os.environ["PIPELINE_STORE"]


@pytest.fixture
def desk(tmp_path: Path, location: str) -> Iterator[Desk]:
    """Ingest and pseudo-translate an article, serve the desk as a process, yield it."""
    article = tmp_path / "article.txt"
    article.write_text("\n\n".join(PARAGRAPHS) + "\n", encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", str(article), "--engine", "pseudo", "--to", LANG)[0] == 0
    log = tmp_path / "serve.log"
    with (
        log.open("w") as errors,
        subprocess.Popen(
            [sys.executable, "-m", "pipeline", "review", "serve", "--to", LANG],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env={**os.environ, "PIPELINE_STORE": location},
        ) as process,
    ):
        try:
            assert process.stdout is not None
            found = None
            for _ in range(5):
                line = process.stdout.readline()
                if found := re.search(r"(http://127\.0\.0\.1:\d+)/\?token=(\S+)", line):
                    break
            assert found, log.read_text()
            yield Desk(found.group(1), found.group(2), process)
        finally:
            process.terminate()
            process.wait(timeout=10)
        assert "Traceback" not in log.read_text(), log.read_text()


def where() -> str:
    """Return the store the test's desk serves (a file or a postgresql:// URL)."""
    return os.environ["PIPELINE_STORE"]


def segment_ids() -> list[int]:
    with open_store(where()) as db:
        doc = db.documents()[0]
        return [s.id for s in db.segments(doc.id)]


def newest(segment_id: int) -> int | None:
    with open_store(where()) as db:
        doc = db.documents()[0]
        return db.revision_ids(doc.id, LANG).get(segment_id)


@dataclass(frozen=True)
class Answer:
    """One save as sent and as answered."""

    reviewer: str
    segment: int
    text: str
    base: int | None
    status: int
    body: dict[str, Any]


def test_concurrent_reviewers_lose_no_edit_and_every_conflict_is_reported(desk: Desk) -> None:
    ids = segment_ids()
    assert len(ids) >= SHARED + REVIEWERS + 1
    shared, own = ids[:SHARED], ids[SHARED : SHARED + REVIEWERS]
    free = ids[SHARED + REVIEWERS]
    # Before each round (every reviewer has had the previous one answered): the shared
    # segment's newest revision, which every reviewer then names as its base.
    round_base: dict[str, int | None] = {"round": 0}

    def next_round() -> None:
        number = round_base["round"] or 0
        round_base["segment"] = shared[number % SHARED]
        round_base["base"] = newest(shared[number % SHARED])
        round_base["round"] = number + 1

    answers: list[Answer] = []
    lock = threading.Lock()
    barrier = threading.Barrier(REVIEWERS, action=next_round, timeout=60)
    failures: list[BaseException] = []

    def send(client: httpx.Client, name: str, segment: int, base: int | None, r: int) -> Answer:
        text = f"ပြင်ဆင်ချက် {name[-1]}-{r} ရဲ 19"
        body = {"segment": segment, "lang": LANG, "text": text, "reviewer": name, "base": base}
        response = desk.save(client, body)
        answer = Answer(name, segment, text, base, response.status_code, response.json())
        with lock:
            answers.append(answer)
        return answer

    def reviewer(index: int) -> None:
        name = f"Reviewer {index}"
        try:
            with closing(desk.client()) as client:
                base = newest(own[index])
                # In rounds: every third on the reviewer's own segment, the rest on a shared
                # one with the base every reviewer holds (one winner, the others conflicts).
                for r in range(BARRIER_ROUNDS):
                    barrier.wait()
                    if r % 3 == 0:
                        answer = send(client, name, own[index], base, r)
                        base = answer.body.get("base")
                    else:
                        segment = round_base["segment"]
                        assert segment is not None
                        send(client, name, segment, round_base["base"], r)
                # Then free running on one segment, each on the base its last answer gave
                # (saved: the new revision; conflict: the revision it lost to), as the page does.
                base = newest(free)
                for r in range(BARRIER_ROUNDS, ROUNDS):
                    answer = send(client, name, free, base, r)
                    if answer.status == 200:
                        base = answer.body["base"]
                    elif answer.status == 409:
                        base = answer.body["conflict"]["base"]
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            barrier.abort()

    # A GET during the load: the page still answers, within a bound.
    stop = threading.Event()
    waits: list[float] = []

    def watcher() -> None:
        try:
            with closing(desk.client()) as client:
                while not stop.is_set():
                    began = time.monotonic()
                    page = client.get(f"/doc/1/{LANG}")
                    waits.append(time.monotonic() - began)
                    assert page.status_code == 200, page.text
                    stop.wait(0.2)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    watch = threading.Thread(target=watcher)
    threads = [threading.Thread(target=reviewer, args=(i,)) for i in range(REVIEWERS)]
    watch.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watch.join()
    assert not failures, failures
    assert desk.process.poll() is None, "the desk died under load"

    statuses = [a.status for a in answers]
    assert len(answers) == REVIEWERS * ROUNDS
    assert set(statuses) <= {200, 409}, [(a.status, a.body) for a in answers if a.status >= 500]
    saved = [a for a in answers if a.status == 200]
    conflicts = [a for a in answers if a.status == 409]
    assert len(saved) + len(conflicts) == len(answers)
    # Own segments never conflict; each shared round has exactly one winner.
    assert all(a.status == 200 for a in answers if a.segment in own)
    shared_rounds = sum(1 for r in range(BARRIER_ROUNDS) if r % 3)
    in_rounds = [a for a in conflicts if a.segment in shared]
    assert len(in_rounds) == shared_rounds * (REVIEWERS - 1), statuses
    assert any(a.segment == free for a in saved)
    assert waits and max(waits) < RESPONSIVE_SECONDS, max(waits)

    with open_store(where()) as db:
        doc = db.documents()[0]
        translations = db.translations(doc.id, LANG)
        history = {seg: db.revisions(translations[seg].id) for seg in ids}
        kept = [c for found in db.edit_conflicts(doc.id, LANG).values() for c in found]
    # Every save answered as saved is in the history exactly once, with its text and reviewer.
    human = [
        (seg, r.text, r.author)
        for seg, revs in history.items()
        for r in revs
        if r.origin is Origin.HUMAN
    ]
    assert sorted(human) == sorted((a.segment, a.text, a.reviewer) for a in saved)
    assert len(set(human)) == len(human)
    for a in saved:
        assert a.body["author"] == a.reviewer
        revs = history[a.segment]
        (at,) = [i for i, r in enumerate(revs) if r.text == a.text]
        # The answer names the revision the save made, and that revision follows the one the
        # reviewer saw: nobody's edit was overwritten unseen.
        assert a.body["base"] == revs[at].id
        assert at > 0 and revs[at - 1].id == a.base
    # Every conflict answered is kept, with its text, reviewer and base; nothing else is.
    by_id = {c.id: c for c in kept}
    assert len(by_id) == len(kept) == len(conflicts)
    for a in conflicts:
        shown = a.body["conflict"]
        c = by_id[shown["id"]]
        assert (c.segment_id, c.text, c.author, c.base) == (a.segment, a.text, a.reviewer, a.base)
        assert shown["yours"] == a.text
        # The base offered with the conflict is the revision whose text it shows as theirs.
        (theirs,) = [r for r in history[a.segment] if r.id == shown["base"]]
        assert (theirs.text, theirs.author) == (shown["theirs"], shown["author"])
    # What the store holds now is the last saved edit of each segment.
    for seg in [*shared, *own, free]:
        last = [a for a in saved if a.segment == seg][-1]
        assert (translations[seg].text, translations[seg].author) == (last.text, last.reviewer)


def test_an_identical_double_submit_and_a_stale_base(desk: Desk) -> None:
    ids = segment_ids()
    seg = ids[0]
    seen = newest(seg)
    with closing(desk.client()) as a, closing(desk.client()) as b:
        body = {"segment": seg, "lang": LANG, "text": "ပထမ ရဲ 19", "reviewer": "A", "base": seen}
        # A double-click: the same save sent twice at once.
        results: list[httpx.Response] = []
        twice = [
            threading.Thread(target=lambda: results.append(desk.save(a, body))) for _ in range(2)
        ]
        for thread in twice:
            thread.start()
        for thread in twice:
            thread.join()
        assert sorted(r.status_code for r in results) == [200, 200], [r.text for r in results]
        with open_store(where()) as db:
            doc = db.documents()[0]
            t = db.translations(doc.id, LANG)[seg]
            human = [r for r in db.revisions(t.id) if r.origin is Origin.HUMAN]
            assert [(r.text, r.author) for r in human] == [("ပထမ ရဲ 19", "A")]
            assert db.edit_conflicts(doc.id, LANG) == {}
        after_a = newest(seg)
        assert {r.json()["base"] for r in results} == {after_a}
        # B saves on the base it saw before A's save: a conflict showing both texts.
        stale = desk.save(b, {**body, "text": "ဒုတိယ ရဲ 19", "reviewer": "B"})
        assert stale.status_code == 409, stale.text
        conflict = stale.json()["conflict"]
        assert (conflict["yours"], conflict["theirs"], conflict["author"]) == (
            "ဒုတိယ ရဲ 19",
            "ပထမ ရဲ 19",
            "A",
        )
        assert conflict["base"] == after_a
        with open_store(where()) as db:
            doc = db.documents()[0]
            assert db.translations(doc.id, LANG)[seg].text == "ပထမ ရဲ 19"
            (kept,) = db.edit_conflicts(doc.id, LANG)[seg]
            assert (kept.text, kept.author, kept.base) == ("ဒုတိယ ရဲ 19", "B", seen)
        # On the base the conflict gave, B's save goes through.
        again = desk.save(b, {**body, "text": "ဒုတိယ ရဲ 19", "reviewer": "B", "base": after_a})
        assert again.status_code == 200, again.text
        assert newest(seg) == again.json()["base"] != after_a


def test_the_same_edit_sent_twice_is_saved_once_but_another_authors_is_a_conflict(
    tmp_path: Path, location: str
) -> None:
    """save_edit itself: a repeat on a stale base is Saved (no revision); anyone else's is kept."""
    article = tmp_path / "article.txt"
    article.write_text(PARAGRAPHS[0] + "\n", encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", str(article), "--engine", "pseudo", "--to", LANG)[0] == 0
    (seg,) = segment_ids()
    seen = newest(seg)
    draft = TranslationDraft(seg, LANG, "ပထမ ရဲ 19", State.REVIEWED, Origin.HUMAN, None, None, "A")
    with open_store(location) as db:
        first = db.save_edit(draft, seen)
        assert isinstance(first, Saved) and first.revision is not None
        again = db.save_edit(draft, seen)
        assert isinstance(again, Saved) and again.revision is None
        assert again.translation.text == "ပထမ ရဲ 19"
        final = db.save_edit(replace(draft, state=State.FINAL), seen)
        other = db.save_edit(replace(draft, author="B"), seen)
        assert isinstance(final, EditConflict) and isinstance(other, EditConflict)
        doc = db.documents()[0]
        assert [c.author for c in db.edit_conflicts(doc.id, LANG)[seg]] == ["A", "B"]
        assert db.revision_ids(doc.id, LANG)[seg] == first.revision
