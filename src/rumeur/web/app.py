"""The web app: `create_app(settings, store)` builds it (an app factory, so that tests choose
their database); `rumeur serve` runs it with uvicorn.

Every response carries a strict Content-Security-Policy (scripts and styles from this server
only, no inline code), and one error handler answers HTML for pages and JSON under `/api/`."""

from __future__ import annotations

from http import HTTPStatus
from importlib import resources
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rumeur import __version__, i18n, logs
from rumeur.config import Settings
from rumeur.i18n import _
from rumeur.store import Store
from rumeur.web import (
    alerting,
    api,
    calendar,
    calendar_api,
    campaign_pages,
    campaigns_api,
    compose,
    compose_items,
    holding,
    inbox,
    inbox_approval,
    inbox_rules,
    influence,
    influence_api,
    pages,
    people,
    people_api,
    places_api,
    publish_results,
    publishing,
    stream,
    workers,
)
from rumeur.web.auth import LANG_COOKIE, SignInRequired, WebState, choose_language
from rumeur.web.body_limit import BodyLimit
from rumeur.web.filters import BAD_INPUT
from rumeur.web.render import page
from rumeur.web.settings import pages as settings_pages

log = structlog.get_logger(__name__)
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def create_app(settings: Settings, store: Store, secure_cookies: bool | None = None) -> FastAPI:
    app = FastAPI(
        title="rumeur",
        version=__version__,
        description="The REST API of rumeur: the same figures and posts as the web pages. "
        "Authenticate with `Authorization: Bearer <token>`; each user makes a token on their "
        "account page.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI would load scripts from a CDN
        redoc_url=None,
    )
    logs.ensure_configured()
    app.state.rumeur = WebState(settings, store, secure_cookies)
    static = resources.files("rumeur.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(pages.router)
    app.include_router(workers.router)
    app.include_router(influence.router)
    app.include_router(people.router)
    app.include_router(people_api.api_router)
    app.include_router(campaign_pages.router)
    app.include_router(influence_api.api_router)
    app.include_router(stream.router)
    app.include_router(alerting.router)
    app.include_router(holding.router)
    # Before the inbox's: /inbox/approvals is not a conversation's id.
    app.include_router(inbox_approval.router)
    app.include_router(inbox_approval.api_router)
    # Before the inbox's own pages: /w/{slug}/inbox/rules is not a conversation's number.
    app.include_router(inbox_rules.router)
    app.include_router(inbox_rules.api_router)
    app.include_router(inbox.router)
    app.include_router(inbox.api_router)
    app.include_router(api.router)
    app.include_router(publishing.api_router)
    app.include_router(calendar.router)
    app.include_router(calendar_api.api_router)
    app.include_router(publish_results.router)
    app.include_router(places_api.api_router)
    app.include_router(campaigns_api.api_router)
    app.include_router(compose.router)
    app.include_router(compose_items.router)
    app.include_router(settings_pages.router)
    app.add_exception_handler(SignInRequired, _sign_in)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _error)  # type: ignore[arg-type]
    for refusal in (*BAD_INPUT, RequestValidationError):
        app.add_exception_handler(refusal, _bad_input)  # type: ignore[arg-type]
    # Innermost, so that a refusal still gets the security headers and the request's language.
    app.add_middleware(BodyLimit)
    app.add_middleware(FreshSettings)
    app.add_middleware(SecurityHeaders)
    # Outermost: the crash page SecurityHeaders writes is in the request's language too.
    app.add_middleware(RequestLanguage, default=settings.workspace().locale)
    return app


class RequestLanguage:
    """Sets the request's language for everything that runs for it, errors included."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        chosen = choose_language(
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language", ""),
            self.default,
        )
        with i18n.using(chosen):
            await self.app(scope, receive, send)


class FreshSettings:
    """Each request reads the settings in effect: those edited in the app since the last
    request, in this process or another, apply at once (`WebState.refresh`, one cheap read
    in a worker thread; static files skip it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/static/"):
            await run_in_threadpool(scope["app"].state.rumeur.refresh)
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Adds the headers above to every response, static files and errors included. A crash
    becomes a plain 500 page here, inside these headers (Starlette's own error page would be
    sent from outside every middleware, without them); the traceback goes to the log, without
    its frames' variables (`logs.py`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception as exc:
            # Not raised further: the server would log the traceback again, its own way. A
            # response already started is left unfinished, and the server closes it.
            _log_failure(scope, exc, started)
            if not started:
                await _crashed(scope, receive, with_headers)


def _log_failure(scope: Scope, exc: Exception, started: bool) -> None:
    refused = exc if isinstance(exc, BAD_INPUT) else exc.__cause__
    if started and isinstance(refused, BAD_INPUT):
        # A refusal once the answer began (an export over its budget) is no fault; Starlette
        # wraps it in a RuntimeError, as it can no longer be answered with a 400.
        log.warning("request refused midway", path=scope.get("path"), reason=_line(refused))
    else:
        log.exception("request failed", path=scope.get("path"))


async def _crashed(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope)
    if _is_api(request):
        response: Response = JSONResponse({"error": "internal error"}, status_code=500)
    else:
        response = _error_page(500, "")
    await response(scope, receive, send)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _sign_in(request: Request, exc: SignInRequired) -> Response:
    if request.headers.get("hx-request"):
        # htmx would swap the sign-in page into a fragment: ask for a full load instead.
        return Response(status_code=401, headers={"HX-Redirect": "/signin"})
    return RedirectResponse("/signin?next=" + quote(exc.wanted, safe=""), status_code=303)


def _message(status: int) -> str:
    known = {
        400: _("The request could not be read."),
        401: _("Please sign in."),
        403: _("Your role does not give access to this page."),
        404: _("There is nothing at this address."),
        405: _("This address does not take that method."),
        422: _("The request could not be read."),
        500: _("Something went wrong on the server: the error is in its log."),
    }
    return known.get(status, _("Something went wrong."))


def _error(request: Request, exc: HTTPException) -> Response:
    if _is_api(request):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    # Starlette's own detail is the status's English name ("Not Found"): the message says it.
    detail = "" if exc.detail == HTTPStatus(exc.status_code).phrase else str(exc.detail)
    return _error_page(exc.status_code, detail)


def _bad_input(request: Request, exc: Exception) -> Response:
    """Every refusal of what a request asks (a filter, a query, an id, a query too costly):
    400 with one line that says why, in the request's language."""
    reason = _invalid(exc) if isinstance(exc, RequestValidationError) else _line(exc)
    if _is_api(request):
        return JSONResponse({"error": reason}, status_code=400)
    return _error_page(400, reason)


def _line(exc: Exception) -> str:
    """The first line of a refusal (a query's error has a caret under it on the next ones)."""
    text = str(exc)
    return text.splitlines()[0] if text else _message(400)


def _invalid(exc: RequestValidationError) -> str:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    context = first.get("ctx") or {}
    problems = {
        "missing": _("missing"),
        "int_parsing": _("not a whole number"),
        "greater_than_equal": _("less than {limit}").format(limit=context.get("ge")),
        "less_than_equal": _("more than {limit}").format(limit=context.get("le")),
    }
    problem = problems.get(first.get("type", ""), _("not a valid value"))
    return _("{where}: {problem}").format(where=where, problem=problem)


def _error_page(status: int, detail: str) -> Response:
    context = {"status": status, "message": _message(status), "detail": detail, "viewer": None}
    return page("error.html", context, status=status)
