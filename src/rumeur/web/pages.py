"""The pages: sign-in, the dashboard, a post's detail, the CSV export, the
user's account and, for admins, the accounts. Each route declares the permission it needs."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from rumeur.i18n import LANGUAGES, _, moment
from rumeur.web import sessions, throttle, tokens
from rumeur.web.accounts import (
    BY_POWER,
    MIN_PASSWORD,
    AccountError,
    Role,
    add_user,
    authenticate,
    default_role,
    list_users,
    name_key,
    set_disabled,
    set_language,
    set_password,
    well_formed,
)
from rumeur.web.auth import (
    CSRF_COOKIE,
    LANG_COOKIE,
    SESSION_COOKIE,
    Viewer,
    csrf_checked,
    page_viewer,
    same,
    state,
    workspace_of,
)
from rumeur.web.corrections import correct_post, label_rows
from rumeur.web.filters import (
    MAX_QUERY,
    Id,
    StreamFilters,
)
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context
from rumeur.web.views import read_dashboard, read_post

router = APIRouter(include_in_schema=False)
YEAR = 365 * 86_400


def _secure(request: Request) -> bool:
    chosen = state(request).secure_cookies
    return request.url.scheme == "https" if chosen is None else chosen


def _cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=_secure(request),
        samesite="strict" if name == CSRF_COOKIE else "lax",
        path="/",
    )


def _new_session(request: Request, response: Response, user_id: int) -> str:
    """Start a session for the user and set its cookie on `response`; returns its token."""
    token = sessions.start(state(request).store, user_id)
    lifetime = int(sessions.LIFETIME.total_seconds())
    _cookie(request, response, SESSION_COOKIE, token, max_age=lifetime)
    return token


def _forget(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", secure=_secure(request), httponly=True)


def _local_next(value: str | None) -> str:
    """Where to go after sign-in: a path of this site only, never another site."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if len(value) > MAX_QUERY or not value.isprintable():
        return "/"
    parts = urlsplit(value)
    return "/" if parts.scheme or parts.netloc or "\\" in value else value


# --- signing in and out ----------------------------------------------------------------------


@router.get("/signin")
def signin_form(request: Request, next: str | None = None) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = page(
        "signin.html", page_context(request, None, csrf=token, next=_local_next(next), error=None)
    )
    _cookie(request, response, CSRF_COOKIE, token)
    return response


@router.post("/signin")
def signin(
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    store = state(request).store
    wanted = _local_next(next)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not same(csrf, cookie):
        return _signin_error(request, wanted, _("The form has expired: please try again."), 403)
    if not well_formed(name, password):
        message = _("No account has such a name or password: check what was typed.")
        return _signin_error(request, wanted, message, 400)
    keys = _throttle_keys(request, name)
    locked = _locked(request, keys)
    if locked is not None:
        return _signin_error(request, wanted, locked, 429)
    user = authenticate(store, name, password)
    if user is None:
        throttle.failed(store, keys)
        return _signin_error(request, wanted, _("Wrong name or password."), 401)
    throttle.succeeded(store, name_key(user.name))
    token = sessions.start(store, user.id)
    response = RedirectResponse(wanted, status_code=303)
    _cookie(
        request, response, SESSION_COOKIE, token, max_age=int(sessions.LIFETIME.total_seconds())
    )
    found = sessions.find(store, token)
    if found is not None and found.language in LANGUAGES:
        _cookie(request, response, LANG_COOKIE, found.language, max_age=YEAR)
    _forget(request, response, CSRF_COOKIE)
    return response


def _throttle_keys(request: Request, name: str) -> list[str]:
    address = request.client.host if request.client else "unknown"
    return throttle.keys(name_key(name.strip()), address)


def _locked(request: Request, keys: list[str]) -> str | None:
    """The message that says until when these keys are locked, if they are."""
    until = throttle.locked_until(state(request).store, keys)
    if until is None:
        return None
    zone = state(request).settings.workspace().zone
    return _("Too many failed attempts: try again after {time}.").format(
        time=moment(until, zone, "short")
    )


def _signin_error(request: Request, wanted: str, message: str, status: int) -> Response:
    token = secrets.token_urlsafe(24)
    context = page_context(request, None, csrf=token, next=wanted, error=message)
    response = page("signin.html", context, status=status)
    _cookie(request, response, CSRF_COOKIE, token)
    return response


@router.post("/signout")
def signout(
    request: Request, viewer: Annotated[Viewer, Depends(csrf_checked(Permission.ACCOUNT))]
) -> Response:
    sessions.end(state(request).store, viewer.token)
    response = RedirectResponse("/signin", status_code=303)
    _forget(request, response, SESSION_COOKIE)
    return response


@router.post("/language")
def choose_language(
    request: Request,
    viewer: Annotated[Viewer, Depends(csrf_checked(Permission.ACCOUNT))],
    language: Annotated[str, Form()] = "en",
    back: Annotated[str, Form()] = "/",
) -> Response:
    code = language if language in LANGUAGES else "en"
    set_language(state(request).store, viewer.user.id, code)
    response = RedirectResponse(_local_next(back), status_code=303)
    _cookie(request, response, LANG_COOKIE, code, max_age=YEAR)
    return response


# --- listening -------------------------------------------------------------------------------


@router.get("/")
def home(
    request: Request, viewer: Annotated[Viewer, Depends(page_viewer(Permission.STREAM))]
) -> Response:
    ws = state(request).settings.workspace()
    return RedirectResponse(f"/w/{ws.slug}/dashboard", status_code=303)


@router.get("/w/{slug}/dashboard")
def dashboard_page(
    request: Request,
    slug: str,
    viewer: Annotated[Viewer, Depends(page_viewer(Permission.DASHBOARD))],
) -> Response:
    ws = workspace_of(request, slug)
    view = read_dashboard(state(request), ws, viewer, dict(request.query_params))
    return page("dashboard.html", page_context(request, viewer, ws=ws, view=view, d=view.figures))


@router.get("/w/{slug}/posts/{post_id}")
def post_page(
    request: Request,
    slug: str,
    post_id: Id,
    viewer: Annotated[Viewer, Depends(page_viewer(Permission.STREAM))],
) -> Response:
    ws = workspace_of(request, slug)
    view = read_post(state(request), ws, viewer, post_id)
    rows = label_rows(state(request), ws, view.post)
    context = page_context(request, viewer, ws=ws, post=view.post, why=view.why, label_rows=rows)
    return page("post.html", context)


@router.post("/w/{slug}/posts/{post_id}/labels")
def correct_labels(
    request: Request,
    slug: str,
    post_id: Id,
    viewer: Annotated[Viewer, Depends(csrf_checked(Permission.LABEL))],
    field: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
) -> Response:
    """An analyst's correction of one of the post's labels, from the post page's forms."""
    ws = workspace_of(request, slug)
    correct_post(state(request), ws, viewer, post_id, {field: value} if field else {})
    return RedirectResponse(f"/w/{ws.slug}/posts/{post_id}#labels", status_code=303)


@router.get("/w/{slug}/export.csv")
def export_page(
    request: Request,
    slug: str,
    viewer: Annotated[Viewer, Depends(page_viewer(Permission.EXPORT))],
) -> Response:
    from rumeur.web.views import export_lines

    ws = workspace_of(request, slug)
    filters = StreamFilters.read(dict(request.query_params))
    lines = export_lines(state(request), ws, viewer, filters)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rumeur-{ws.slug}-{stamp}.csv"'},
    )


# --- the account and the accounts ------------------------------------------------------------


@router.get("/account")
def account_page(
    request: Request, viewer: Annotated[Viewer, Depends(page_viewer(Permission.ACCOUNT))]
) -> Response:
    return _account(request, viewer, changed=request.query_params.get("changed") == "1")


def _account(request: Request, viewer: Viewer, status: int = 200, **more: Any) -> HTMLResponse:
    """The account page, saying whether the user has an API token."""
    has = tokens.has_token(state(request).store, viewer.user.id)
    context = page_context(request, viewer, has_token=has, new_token=None, **more)
    return page("account.html", context, status=status)


@router.post("/account/password")
def change_password(
    request: Request,
    viewer: Annotated[Viewer, Depends(csrf_checked(Permission.ACCOUNT))],
    current: Annotated[str, Form()] = "",
    new: Annotated[str, Form()] = "",
    repeat: Annotated[str, Form()] = "",
) -> Response:
    """A new password, given the current one; every other session of the user ends."""
    store = state(request).store
    refused = _try_password_change(request, viewer, current, new, repeat)
    if refused is not None:
        return _account(request, viewer, status=refused[1], error=refused[0])
    sessions.end_all(store, viewer.user.id)
    token = sessions.start(store, viewer.user.id)
    response = RedirectResponse("/account?changed=1", status_code=303)
    _cookie(
        request, response, SESSION_COOKIE, token, max_age=int(sessions.LIFETIME.total_seconds())
    )
    return response


def _try_password_change(
    request: Request, viewer: Viewer, current: str, new: str, repeat: str
) -> tuple[str, int] | None:
    """Why the password cannot be changed, and the status that says it; None once it is.
    Wrong current passwords are throttled as sign-in failures are, on the same keys, so that
    a stolen session cannot try passwords faster than the sign-in form."""
    store = state(request).store
    keys = _throttle_keys(request, viewer.user.name)
    locked = _locked(request, keys)
    if locked is not None:
        return locked, 429
    if authenticate(store, viewer.user.name, current) is None:
        throttle.failed(store, keys)
        return _("The current password is wrong."), 400
    throttle.succeeded(store, name_key(viewer.user.name))
    if new != repeat:
        return _("The two new passwords differ."), 400
    try:
        set_password(store, viewer.user.id, new)
    except AccountError as exc:
        return str(exc), 400
    return None


@router.post("/account/token")
def new_token(
    request: Request, viewer: Annotated[Viewer, Depends(csrf_checked(Permission.ACCOUNT))]
) -> Response:
    token = tokens.issue(state(request).store, viewer.user.id)
    response = page("account.html", page_context(request, viewer, has_token=True, new_token=token))
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account/token/revoke")
def revoke_token(
    request: Request, viewer: Annotated[Viewer, Depends(csrf_checked(Permission.ACCOUNT))]
) -> Response:
    tokens.revoke(state(request).store, viewer.user.id)
    return RedirectResponse("/account", status_code=303)


@router.get("/admin/users")
def users_page(
    request: Request, viewer: Annotated[Viewer, Depends(page_viewer(Permission.USERS))]
) -> Response:
    return _users(request, viewer)


def _users(
    request: Request, viewer: Viewer, error: str | None = None, status: int = 200
) -> HTMLResponse:
    store = state(request).store
    departments = sorted(
        {d.slug for ws in state(request).settings.workspaces for d in ws.departments}
    )
    context = page_context(
        request,
        viewer,
        users=list_users(store),
        roles=[r.value for r in BY_POWER],
        default_role=default_role(departments).value,
        departments=departments,
        min_password=MIN_PASSWORD,
        error=error,
    )
    return page("users.html", context, status=status)


@router.post("/admin/users")
def users_add(
    request: Request,
    viewer: Annotated[Viewer, Depends(csrf_checked(Permission.USERS))],
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    department: Annotated[str, Form()] = "",
) -> Response:
    # The form's department applies to the department role only (the field is always there).
    chosen = department if role == Role.DEPARTMENT.value else ""
    try:
        add_user(state(request).store, name, role, password, chosen or None)
    except AccountError as exc:
        return _users(request, viewer, str(exc), 400)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/disabled")
def users_disable(
    request: Request,
    user_id: Id,
    viewer: Annotated[Viewer, Depends(csrf_checked(Permission.USERS))],
    disabled: Annotated[str, Form()] = "1",
) -> Response:
    if user_id == viewer.user.id:
        return _users(request, viewer, _("You cannot disable your own account."), 400)
    store = state(request).store
    if set_disabled(store, user_id, disabled == "1") is None:
        return _users(request, viewer, _("There is no such account."), 404)
    if disabled == "1":
        sessions.end_all(store, user_id)
    return RedirectResponse("/admin/users", status_code=303)
