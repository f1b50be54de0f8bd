"""The review desk's web app (Starlette): pages, the save/QA/revert API, its guards.

Guards, in the order a request meets them:

- **Host.** Only the host names the server was started for (``127.0.0.1``, ``localhost``,
  an explicit ``--host``) with its port: a DNS-rebinding page cannot reach the desk.
- **Token.** Nothing is served, static files included, without the secret token: as a
  ``?token=`` query (which sets an HttpOnly, SameSite=Strict cookie and redirects to the
  same address without it) or that cookie.
- **CSRF.** A request that changes anything is a ``POST`` of JSON carrying the page's
  ``X-Desk-CSRF`` header (a value derived from the token, in the page, never in a cookie),
  and an ``Origin``, when the browser sends one, of the desk itself.

**Scope and size.** Every page and API call acts only on the documents and languages the
desk was started for (404 otherwise); bodies, ids and texts are bounded
(:mod:`pipeline.desk.limits`), and API work runs on the desk's own bounded pool
(:mod:`pipeline.desk.work`), off the event loop. Long documents are served in pages.

Each save names the revision it edits (``base``): :meth:`pipeline.store.base.Store.save_edit`
refuses a stale one and keeps the edit as a conflict instead, so two reviewers never
overwrite each other silently.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.burmese import normalise_text
from pipeline.desk import limits, views
from pipeline.desk.limits import Refused
from pipeline.desk.messages import texts
from pipeline.desk.work import Workers
from pipeline.errors import NotFoundError, PipelineError
from pipeline.glossary.cache import Glossaries
from pipeline.inline import CodeProblem, marked, unmarked
from pipeline.locale import canonical_or_none
from pipeline.qa import check as check_quality
from pipeline.records import (
    Code,
    Document,
    EditConflict,
    Flag,
    Origin,
    Segment,
    State,
    TranslationDraft,
)
from pipeline.store import open_store
from pipeline.store.base import Store

HERE = Path(__file__).resolve().parent
COOKIE = "pipeline_desk"
UI_COOKIE = "pipeline_desk_ui"
UI_LANGS = ("en", "my", "hi")


@dataclass(frozen=True)
class DeskConfig:
    """What one desk serves: a store, some documents and languages, behind a token."""

    store: str
    token: str
    langs: tuple[str, ...]
    # Document refs (ids, paths, URIs); empty: every document's newest version.
    documents: tuple[str, ...] = ()
    ui_lang: str | None = None
    # "host:port" values a request may name; None: any (tests through a client only).
    hosts: frozenset[str] | None = None
    # Segments on one page of a document.
    page_size: int = views.PAGE_SIZE

    @property
    def csrf(self) -> str:
        """Return the CSRF value pages carry: derived from the token, useless without it."""
        return hmac.new(self.token.encode(), b"csrf", hashlib.sha256).hexdigest()


def create_app(config: DeskConfig) -> Starlette:
    """Return the desk's ASGI app."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    desk = _Desk(config, env)
    routes = [
        Route("/", desk.index),
        # Any id and language reach the view, which refuses what is not served in one line.
        Route("/doc/{doc_id}/{lang}", desk.document),
        Route("/api/qa", desk.qa, methods=["POST"]),
        Route("/api/save", desk.save, methods=["POST"]),
        Route("/api/revert", desk.revert, methods=["POST"]),
        Route("/api/resolve", desk.resolve, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        desk.workers.close()

    return Starlette(
        routes=routes, middleware=[Middleware(_Guard, config=config)], lifespan=lifespan
    )


class _Guard(BaseHTTPMiddleware):
    """Host, token and CSRF checks before any route (see the module docstring)."""

    def __init__(self, app: Any, config: DeskConfig) -> None:
        super().__init__(app)
        self.config = config

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        config = self.config
        host = request.headers.get("host", "")
        if config.hosts is not None and host not in config.hosts:
            return Response("unknown host", status_code=400, media_type="text/plain")
        given = request.query_params.get("token")
        if given is not None and hmac.compare_digest(given, config.token):
            rest = {k: v for k, v in request.query_params.items() if k != "token"}
            target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
            redirect = RedirectResponse(target, status_code=303)
            redirect.set_cookie(_cookie(request), config.token, httponly=True, samesite="strict")
            return redirect
        cookie = request.cookies.get(_cookie(request), "")
        if not hmac.compare_digest(cookie, config.token):
            lang = _ui_lang(request, config)
            return HTMLResponse(
                f"<!DOCTYPE html><meta charset=utf-8><p>{texts(lang)['denied']}</p>",
                status_code=403,
            )
        if request.method != "GET":
            origin = request.headers.get("origin")
            if origin is not None and origin != f"{request.url.scheme}://{host}":
                return JSONResponse({"error": "cross-origin request refused"}, status_code=403)
            sent = request.headers.get("x-desk-csrf", "")
            if not hmac.compare_digest(sent, config.csrf):
                return JSONResponse({"error": "missing or wrong CSRF header"}, status_code=403)
            if request.headers.get("content-type", "").split(";")[0] != "application/json":
                return JSONResponse({"error": "send JSON"}, status_code=415)
        response = await call_next(request)
        chosen = request.query_params.get("ui")
        if chosen in UI_LANGS:
            response.set_cookie(UI_COOKIE, chosen, httponly=True, samesite="strict")
        # Pages never load anything from elsewhere.
        response.headers["content-security-policy"] = (
            "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
        )
        response.headers["x-content-type-options"] = "nosniff"
        return response


def _cookie(request: Request) -> str:
    """Return the token cookie's name: per port, as cookies are shared across a host's ports."""
    return f"{COOKIE}_{request.url.port or 0}"


def _ui_lang(request: Request, config: DeskConfig) -> str | None:
    """Return the UI language: ?ui=, its cookie, Accept-Language, else the server's."""
    for value in (request.query_params.get("ui"), request.cookies.get(UI_COOKIE)):
        if value in UI_LANGS:
            return value
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in UI_LANGS:
            return code
    return config.ui_lang


class _Desk:
    """The routes, over one config; each request opens the store for its own thread."""

    def __init__(self, config: DeskConfig, env: Environment) -> None:
        self.config = config
        self.env = env
        self.workers = Workers()

    # -- pages ------------------------------------------------------------------------

    def _page(self, request: Request, name: str, **context: Any) -> HTMLResponse:
        lang = _ui_lang(request, self.config)
        page = self.env.get_template(name).render(
            t=texts(lang),
            ui=lang or "en",
            ui_langs=UI_LANGS,
            csrf=self.config.csrf,
            path=request.url.path,
            query=dict(request.query_params),
            **context,
        )
        return HTMLResponse(page)

    def _documents(self, db: Store) -> list[Document]:
        refs = self.config.documents
        return [db.document(ref) for ref in refs] if refs else db.documents()

    def index(self, request: Request) -> HTMLResponse:
        with open_store(self.config.store) as db:
            found = views.figures(db, self._documents(db), self.config.langs)
        return self._page(request, "index.html", figures=found, states=[s.value for s in State])

    def document(self, request: Request) -> Response:
        try:
            return self._document(request)
        except Refused as exc:
            return PlainTextResponse(str(exc), status_code=exc.status)

    def _document(self, request: Request) -> Response:
        lang = self._lang(request.path_params["lang"])
        show = request.query_params.get("show", "all")
        order = request.query_params.get("order", "article")
        if show not in views.FILTERS:
            raise Refused(404, f"no filter {limits.shown(show)}")
        order = order if order in views.ORDERS else "article"
        number = limits.ident(request.query_params.get("page", "1"), "page", 404)
        with open_store(self.config.store) as db:
            doc_id = limits.ident(request.path_params["doc_id"], "document", 404)
            doc = self._allowed(db, doc_id)
            since = db.last_export(doc.id, lang) if show == "changed" else None
            try:
                found = views.page(
                    db,
                    doc,
                    lang,
                    show=show,
                    order=order,
                    since=since,
                    number=number,
                    size=self.config.page_size,
                )
            except views.NoSuchPage as exc:
                raise Refused(404, str(exc)) from None
        return self._page(
            request,
            "document.html",
            doc=doc,
            lang=lang,
            page=found,
            rows=found.rows,
            links=views.links(request.url.path, show, order, found),
            show=show,
            order=order,
            filters=views.FILTERS,
            orders=views.ORDERS,
        )

    def _lang(self, value: Any) -> str:
        """Return the code of a served language, however it is named (my-MM, MYA); else refuse."""
        if not isinstance(value, str) or not value:
            raise Refused(400, "name a language")
        # A tag longer than any language's is refused before parsing.
        code = canonical_or_none(value) if len(value) <= 64 else None
        if code not in self.config.langs:
            served = ", ".join(self.config.langs)
            raise Refused(404, f"{limits.shown(value)} is not on this desk ({served})")
        return code

    def _allowed(self, db: Store, doc_id: int) -> Document:
        try:
            doc = db.document(str(doc_id))
        except NotFoundError:
            raise Refused(404, f"no document {doc_id}") from None
        if self.config.documents and doc.id not in {d.id for d in self._documents(db)}:
            raise Refused(404, f"document {doc_id} is not on this desk")
        return doc

    # -- API --------------------------------------------------------------------------

    async def qa(self, request: Request) -> JSONResponse:
        return await self._api(request, self._qa)

    async def save(self, request: Request) -> JSONResponse:
        return await self._api(request, self._save)

    async def revert(self, request: Request) -> JSONResponse:
        return await self._api(request, self._revert)

    async def resolve(self, request: Request) -> JSONResponse:
        return await self._api(request, self._resolve)

    async def _api(
        self, request: Request, handler: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]
    ) -> JSONResponse:
        try:
            raw = await limits.read_body(request)
            # Parsing, QA and saving run on the desk's pool: the event loop keeps serving.
            status, body = await self.workers.run(lambda: handler(limits.parse(raw)))
        except Refused as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except (PipelineError, CodeProblem) as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return JSONResponse(body, status_code=status)

    def _target(self, db: Store, data: dict[str, Any]) -> tuple[Segment, Document, str]:
        if "segment" not in data or "lang" not in data:
            raise Refused(400, "name a segment and a language")
        segment_id = limits.ident(data["segment"], "segment")
        lang = self._lang(data["lang"])
        try:
            seg = db.segment(segment_id)
        except NotFoundError:
            raise Refused(404, f"no segment {segment_id}") from None
        return seg, self._allowed(db, seg.document_id), lang

    def _coded(self, seg: Segment, lang: str, value: Any) -> tuple[str, tuple[Code, ...], str]:
        """Return an edited text's plain text, codes and what normalising changed."""
        value = limits.segment_text(value)
        text, codes = unmarked(value, seg.codes)
        normalised = normalise_text(text, lang)
        if normalised.text != text:
            # Zawgyi converted or zero-width characters dropped: the codes go back by markers.
            text, codes = unmarked(normalise_text(value, lang).text, seg.codes)
        return text, codes, "; ".join(normalised.changes)

    def _flags(
        self, db: Store, seg: Segment, doc: Document, lang: str, text: str, codes: tuple[Code, ...]
    ) -> tuple[Flag, ...]:
        glossary = Glossaries(db).get(doc.source_lang, lang)
        return check_quality(
            seg.source,
            text,
            doc.source_lang,
            lang,
            source_codes=seg.codes,
            target_codes=codes,
            terms=glossary,
        )

    def _qa(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with open_store(self.config.store) as db:
            seg, doc, lang = self._target(db, data)
            try:
                text, codes, _ = self._coded(seg, lang, data.get("text", ""))
            except CodeProblem as exc:
                return 200, {"flags": [["error", f"qa error: tags: {exc}"]]}
            flags = self._flags(db, seg, doc, lang, text, codes)
        return 200, {"flags": views.flag_rows(flags)}

    def _reviewer(self, data: dict[str, Any]) -> str:
        return limits.reviewer(data.get("reviewer"), texts(self.config.ui_lang)["reviewer_needed"])

    @staticmethod
    def _base(data: dict[str, Any]) -> int | None:
        base = data.get("base")
        if base is None or base == "":
            return None
        return limits.ident(base, "revision")

    def _save(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        reviewer = self._reviewer(data)
        wanted = data.get("state", "reviewed")
        if wanted not in (State.REVIEWED.value, State.FINAL.value):
            raise Refused(400, "state must be reviewed or final")
        state = State(wanted)
        with open_store(self.config.store) as db:
            seg, doc, lang = self._target(db, data)
            text, codes, changed = self._coded(seg, lang, data.get("text"))
            stored = db.translations(doc.id, lang).get(seg.id)
            same = stored is not None and stored.text == text and stored.codes == codes
            draft = TranslationDraft(
                seg.id,
                lang,
                text,
                state,
                Origin.HUMAN,
                stored.signature if same and stored else None,
                stored.score if same and stored else None,
                reviewer,
                note="; ".join(filter(None, ["review desk", changed])),
                flags=self._flags(db, seg, doc, lang, text, codes),
                codes=codes,
            )
            return self._saved(db, draft, self._base(data), changed)

    def _saved(
        self, db: Store, draft: TranslationDraft, base: int | None, changed: str = ""
    ) -> tuple[int, dict[str, Any]]:
        segment_id, lang = draft.segment_id, draft.target_lang
        with db.transaction():
            # The next save's base is read in the save's own transaction (which holds the
            # segment's lock): the revision this save made, or the one its conflict shows.
            # Read after it, it could name another reviewer's newer save, which the next
            # save (or "use mine") would then overwrite unseen.
            result = db.save_edit(draft, base)
            newest = self._newest(db, segment_id, lang)
        if isinstance(result, EditConflict):
            current = result.current
            return 409, {
                "conflict": {
                    "id": result.id,
                    "yours": marked(result.text, result.codes),
                    "theirs": marked(current.text, current.codes) if current else "",
                    "theirs_html": views.chips(current.text, current.codes, editable=True)
                    if current
                    else "",
                    "author": current.author if current else "",
                    "base": newest,
                }
            }
        t = result.translation
        return 200, {
            "base": newest,
            "state": t.state.value,
            "origin": t.origin.value,
            "author": t.author,
            "flags": views.flag_rows(t.flags),
            "changed": changed,
            "html": views.chips(t.text, t.codes, editable=True),
        }

    @staticmethod
    def _newest(db: Store, segment_id: int, lang: str) -> int | None:
        """Return the newest revision id of a segment's translation, the next save's base."""
        return db.revision_ids(db.segment(segment_id).document_id, lang).get(segment_id)

    def _revert(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        reviewer = self._reviewer(data)
        with open_store(self.config.store) as db:
            seg, doc, lang = self._target(db, data)
            stored = db.translations(doc.id, lang).get(seg.id)
            wanted = limits.ident(data.get("revision"), "revision")
            history = db.revisions(stored.id) if stored else []
            revision = next((r for r in history if r.id == wanted), None)
            if stored is None or revision is None:
                raise Refused(404, f"no revision {wanted} of this segment")
            draft = TranslationDraft(
                seg.id,
                lang,
                revision.text,
                revision.state,
                revision.origin,
                revision.signature,
                revision.score,
                reviewer,
                note=f"review desk: reverted to revision {revision.id}",
                flags=self._flags(db, seg, doc, lang, revision.text, revision.codes),
                codes=revision.codes,
            )
            return self._saved(db, draft, self._base(data))

    def _resolve(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        reviewer = self._reviewer(data)
        if "conflict" not in data:
            raise Refused(400, "name a conflict")
        conflict = limits.ident(data["conflict"], "conflict")
        with open_store(self.config.store) as db:
            # Only a conflict of a segment and language on this desk: named, then checked.
            seg, doc, lang = self._target(db, data)
            waiting = db.edit_conflicts(doc.id, lang).get(seg.id, [])
            if conflict not in {c.id for c in waiting}:
                raise Refused(404, f"no open conflict {conflict} on segment {seg.id} in {lang}")
            db.resolve_conflict(conflict, reviewer)
        return 200, {"resolved": conflict}
