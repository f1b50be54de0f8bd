"""The review desk's app through an HTTP client: guards, pages, saves, conflicts, QA, revert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pipeline.desk.app import DeskConfig, create_app
from pipeline.desk.messages import texts
from pipeline.records import Origin, State, TranslationDraft
from pipeline.store import open_store
from tests.test_cli import cli, store_path

TOKEN = "s3cret-token"
ARTICLE = (
    "Officials wrote <script>alert('x')</script> & left.\n\n"
    "Police said 19 officers crossed the border on Tuesday.\n"
)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[TestClient, DeskConfig]]:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert cli("ingest", str(article))[0] == 0
    assert cli("translate", str(article), "--engine", "pseudo", "--to", "my")[0] == 0
    config = DeskConfig(str(store_path()), TOKEN, ("my",))
    with TestClient(create_app(config)) as client:
        yield client, config


def signed_in(client: TestClient) -> TestClient:
    response = client.get(f"/?token={TOKEN}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=strict" in response.headers["set-cookie"].lower()
    return client


def segments() -> tuple[list, dict]:  # type: ignore[type-arg]
    with open_store(store_path()) as db:
        doc = db.documents()[0]
        return db.segments(doc.id), db.translations(doc.id, "my")


def base_of(segment_id: int) -> int:
    with open_store(store_path()) as db:
        doc = db.documents()[0]
        return db.revision_ids(doc.id, "my")[segment_id]


def post(client: TestClient, config: DeskConfig, url: str, body: dict) -> object:  # type: ignore[type-arg]
    return client.post(url, json=body, headers={"X-Desk-CSRF": config.csrf})


def test_nothing_is_served_without_the_token(desk: tuple[TestClient, DeskConfig]) -> None:
    client, _ = desk
    for url in ("/", "/doc/1/my", "/static/desk.js", "/?token=wrong"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 403, url
        assert texts(None)["denied"] in response.text
    signed_in(client)
    assert client.get("/static/desk.js").status_code == 200


def test_an_unknown_host_is_refused(tmp_path: Path) -> None:
    config = DeskConfig(str(tmp_path / "x.db"), TOKEN, ("my",), hosts=frozenset({"127.0.0.1:9"}))
    with TestClient(create_app(config)) as client:
        assert client.get(f"/?token={TOKEN}").status_code == 400


def test_list_and_document_pages_escape_every_text(desk: tuple[TestClient, DeskConfig]) -> None:
    client = signed_in(desk[0])
    page = client.get("/").text
    assert '<a class="open-doc" href="/doc/1/my">' in page
    assert "content-security-policy" in client.get("/").headers
    doc = client.get("/doc/1/my").text
    assert "<script>alert" not in doc and "&lt;script&gt;alert(" in doc
    # Pseudo-translations are unmistakable.
    assert doc.count("PSEUDO-TRANSLATION: not a translation") >= 2
    assert 'class="editor" contenteditable="true"' in doc


def test_a_change_needs_the_csrf_header_and_the_desks_origin(
    desk: tuple[TestClient, DeskConfig],
) -> None:
    client, config = desk
    signed_in(client)
    (first, *_), _ = segments()
    body = {"segment": first.id, "lang": "my", "text": "x", "reviewer": "T", "base": None}
    assert client.post("/api/save", json=body).status_code == 403
    wrong = {"X-Desk-CSRF": "no"}
    assert client.post("/api/save", json=body, headers=wrong).status_code == 403
    evil = {"X-Desk-CSRF": config.csrf, "Origin": "http://evil.example"}
    assert client.post("/api/save", json=body, headers=evil).status_code == 403
    form = {"X-Desk-CSRF": config.csrf, "Content-Type": "application/x-www-form-urlencoded"}
    assert client.post("/api/save", content="a=1", headers=form).status_code == 415
    assert segments()[1][first.id].origin is Origin.MT  # nothing changed


def test_save_as_reviewed_then_final(desk: tuple[TestClient, DeskConfig]) -> None:
    client, config = desk
    signed_in(client)
    seg = segments()[0][1]
    text = "ရဲ ၁၉ ဦး အင်္ဂါနေ့က နယ်စပ်ကို ဖြတ်ကျော်ခဲ့သည်ဟု ရဲက ပြောသည်။"
    body = {"segment": seg.id, "lang": "my", "text": text, "reviewer": "Thida"}
    response = post(client, config, "/api/save", {**body, "base": base_of(seg.id)})
    assert response.status_code == 200, response.text
    t = segments()[1][seg.id]
    assert (t.text, t.state, t.origin, t.author) == (text, State.REVIEWED, Origin.HUMAN, "Thida")
    assert response.json()["base"] == base_of(seg.id)
    final = post(client, config, "/api/save", {**body, "state": "final", "base": base_of(seg.id)})
    assert final.status_code == 200 and segments()[1][seg.id].state is State.FINAL


def test_a_zawgyi_edit_is_converted_and_the_answer_says_so(
    desk: tuple[TestClient, DeskConfig],
) -> None:
    """No silent repair: the save's answer names the conversion the reviewer did not type."""
    client, config = desk
    signed_in(client)
    seg = segments()[0][1]
    zawgyi, unicode = "ေက်ာ္ကိုလည္း ဖမ္းဆီးထားသည္။", "ကျော်ကိုလည်း ဖမ်းဆီးထားသည်။"
    body = {"segment": seg.id, "lang": "my", "text": zawgyi, "reviewer": "Thida"}
    response = post(client, config, "/api/save", {**body, "base": base_of(seg.id)})
    assert response.status_code == 200, response.text
    assert "converted from Zawgyi" in response.json()["changed"]
    assert segments()[1][seg.id].text == unicode


def test_a_second_reviewer_on_an_old_revision_gets_a_conflict_and_both_are_kept(
    desk: tuple[TestClient, DeskConfig],
) -> None:
    client, config = desk
    signed_in(client)
    seg = segments()[0][1]
    seen = base_of(seg.id)  # both reviewers opened the page here
    one = {"segment": seg.id, "lang": "my", "base": seen}
    first = post(client, config, "/api/save", {**one, "text": "ပထမ ၁၉", "reviewer": "A"})
    assert first.status_code == 200
    second = post(client, config, "/api/save", {**one, "text": "ဒုတိယ ၁၉", "reviewer": "B"})
    assert second.status_code == 409
    conflict = second.json()["conflict"]
    assert (conflict["theirs"], conflict["yours"], conflict["author"]) == ("ပထမ ၁၉", "ဒုတိယ ၁၉", "A")
    assert segments()[1][seg.id].text == "ပထမ ၁၉"
    page = client.get("/doc/1/my").text
    assert f'data-conflict="{conflict["id"]}"' in page and "ဒုတိယ ၁၉" in page
    # B chooses theirs: the conflict is resolved, nothing is written.
    chosen = {"conflict": conflict["id"], "segment": seg.id, "lang": "my", "reviewer": "B"}
    resolved = post(client, config, "/api/resolve", chosen)
    assert resolved.status_code == 200
    assert f'data-conflict="{conflict["id"]}"' not in client.get("/doc/1/my").text


def test_revert_restores_an_earlier_revision(desk: tuple[TestClient, DeskConfig]) -> None:
    client, config = desk
    signed_in(client)
    seg = segments()[0][1]
    machine = segments()[1][seg.id]
    body = {"segment": seg.id, "lang": "my", "text": "ရဲ ၁၉", "reviewer": "T"}
    assert post(client, config, "/api/save", {**body, "base": base_of(seg.id)}).status_code == 200
    with open_store(store_path()) as db:
        first = db.revisions(machine.id)[0]
    reverted = post(
        client,
        config,
        "/api/revert",
        {
            "segment": seg.id,
            "lang": "my",
            "revision": first.id,
            "base": base_of(seg.id),
            "reviewer": "T",
        },
    )
    assert reverted.status_code == 200, reverted.text
    t = segments()[1][seg.id]
    assert (t.text, t.origin) == (machine.text, Origin.MT)
    with open_store(store_path()) as db:
        assert len(db.revisions(machine.id)) == 3  # nothing in the history is lost


def test_qa_runs_on_a_draft_and_broken_codes_are_refused(
    desk: tuple[TestClient, DeskConfig],
) -> None:
    client, config = desk
    signed_in(client)
    seg = segments()[0][1]
    found = post(client, config, "/api/qa", {"segment": seg.id, "lang": "my", "text": "ရဲ ၂၀"})
    lines = [line for _, line in found.json()["flags"]]
    assert "qa error: numbers: number 19 is missing from the translation" in lines
    assert segments()[1][seg.id].origin is Origin.MT  # QA writes nothing
    bad = {
        "segment": seg.id,
        "lang": "my",
        "text": "ရဲ <7>x</7>",
        "reviewer": "T",
        "base": base_of(seg.id),
    }
    response = post(client, config, "/api/save", bad)
    assert response.status_code == 422 and "7" in response.json()["error"]


def test_an_unedited_pseudo_translation_cannot_be_approved(
    desk: tuple[TestClient, DeskConfig],
) -> None:
    client, config = desk
    signed_in(client)
    seg = segments()[0][1]
    pseudo = segments()[1][seg.id].text
    body = {
        "segment": seg.id,
        "lang": "my",
        "text": pseudo,
        "reviewer": "T",
        "base": base_of(seg.id),
    }
    response = post(client, config, "/api/save", body)
    assert response.status_code == 422 and "pseudo" in response.json()["error"].lower()


def test_filters_and_least_confident_first(desk: tuple[TestClient, DeskConfig]) -> None:
    client, config = desk
    signed_in(client)
    seg = segments()[0][1]
    body = {"segment": seg.id, "lang": "my", "text": "ရဲ ၁၉ ဦး", "reviewer": "T"}
    assert post(client, config, "/api/save", {**body, "base": base_of(seg.id)}).status_code == 200
    open_page = client.get("/doc/1/my?show=open").text
    assert f'id="s{seg.id}"' not in open_page
    pseudo_page = client.get("/doc/1/my?show=pseudo").text
    assert f'id="s{seg.id}"' not in pseudo_page and pseudo_page.count('class="segment ') >= 1
    assert client.get("/doc/1/my?show=nonsense").status_code == 404
    assert client.get("/doc/1/my?order=confidence").status_code == 200


def test_the_desk_speaks_burmese_and_hindi(desk: tuple[TestClient, DeskConfig]) -> None:
    client, _ = desk
    signed_in(client)
    for lang in ("my", "hi"):
        page = client.get(f"/?ui={lang}").text
        assert f'<html lang="{lang}">' in page
        assert texts(lang)["documents"] != texts(None)["documents"]
        assert f"<h1>{texts(lang)['documents']}</h1>" in page
    # The choice is remembered.
    assert f"<h1>{texts('hi')['documents']}</h1>" in client.get("/").text


def test_changed_since_the_last_export(desk: tuple[TestClient, DeskConfig], tmp_path: Path) -> None:
    """An export is logged; the filter then shows only what was saved after it."""
    client, config = desk
    signed_in(client)
    first, second = segments()[0]
    before = client.get("/doc/1/my?show=changed").text
    assert f'id="s{first.id}"' in before and f'id="s{second.id}"' in before  # never exported
    out = tmp_path / "out.xlf"
    assert cli("export", "--format", "xliff12", "--to", "my", "-o", str(out))[0] == 0
    assert f'id="s{first.id}"' not in client.get("/doc/1/my?show=changed").text
    body = {"segment": second.id, "lang": "my", "text": "ရဲ ၁၉ ဦး", "reviewer": "T"}
    assert (
        post(client, config, "/api/save", {**body, "base": base_of(second.id)}).status_code == 200
    )
    after = client.get("/doc/1/my?show=changed").text
    assert f'id="s{second.id}"' in after and f'id="s{first.id}"' not in after


def test_a_file_exported_before_a_desk_save_does_not_undo_it(
    desk: tuple[TestClient, DeskConfig], tmp_path: Path
) -> None:
    """review import of an older export keeps the desk's newer text, and says so."""
    client, config = desk
    signed_in(client)
    second = segments()[0][1]
    out = tmp_path / "old.xlf"
    assert cli("export", "--format", "xliff12", "--to", "my", "-o", str(out))[0] == 0
    body = {"segment": second.id, "lang": "my", "text": "ရဲ ၁၉ ဦး", "reviewer": "Desk"}
    assert (
        post(client, config, "/api/save", {**body, "base": base_of(second.id)}).status_code == 200
    )
    code, _, err = cli("review", "import", str(out), "--reviewer", "File")
    assert code == 0, err
    assert "older revision than the store" in err and f"s{second.id}" in err
    t = segments()[1][second.id]
    assert (t.text, t.author) == ("ရဲ ၁၉ ဦး", "Desk")


def test_least_confident_first_orders_by_the_models_score(
    desk: tuple[TestClient, DeskConfig],
) -> None:
    client, _ = desk
    signed_in(client)
    first, second = segments()[0]
    with open_store(store_path()) as db:
        for seg, score in ((first, -0.2), (second, -3.5)):
            t = db.translations(seg.document_id, "my")[seg.id]
            db.write_translations(
                [
                    TranslationDraft(
                        seg.id,
                        "my",
                        t.text,
                        t.state,
                        t.origin,
                        t.signature,
                        score,
                        "",
                        codes=t.codes,
                    )
                ]
            )
    page = client.get("/doc/1/my?order=confidence").text
    assert page.index(f'id="s{second.id}"') < page.index(f'id="s{first.id}"')
    page = client.get("/doc/1/my").text
    assert page.index(f'id="s{first.id}"') < page.index(f'id="s{second.id}"')
