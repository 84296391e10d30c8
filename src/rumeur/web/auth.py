"""Who is asking, and may they: the dependencies every route declares.

Pages are signed in by the session cookie and check the form's CSRF token on every POST; the
REST API is signed in by a bearer token only (`Authorization: Bearer rmr_...`), never by the
cookie, so a page of another site cannot make a browser call it. Both check the role against
`permissions.ROLE_PERMISSIONS`."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from fastapi import HTTPException, Request

from rumeur.config import Settings, Workspace
from rumeur.i18n import LANGUAGES, _, language
from rumeur.store import Store
from rumeur.store import workspace_settings as versions
from rumeur.web import sessions, tokens
from rumeur.web.accounts import User
from rumeur.web.permissions import Permission, allowed

log = structlog.get_logger(__name__)
SESSION_COOKIE = "rumeur_session"
CSRF_COOKIE = "rumeur_csrf"  # before sign-in only: the sign-in form's double-submit token
LANG_COOKIE = "rumeur_lang"


class WebState:
    """What every request reads: the store, and the settings in effect, that is the settings
    file's with each workspace replaced by its newest version stored in the app
    (store/workspace_settings.py). `refresh` (the app runs it once per request) reads them
    again when a version was stored since, by any process: one cheap read otherwise."""

    def __init__(self, settings: Settings, store: Store, secure_cookies: bool | None) -> None:
        self.file_settings = settings
        self.store = store
        self.secure_cookies = secure_cookies  # None: Secure when the request came over HTTPS
        self.settings = settings
        self._stamp = -1
        self.refresh()

    def refresh(self) -> None:
        # Read the stamp before the settings: a version stored in between is read next time.
        stamp = versions.stamp(self.store)
        if stamp == self._stamp:
            return
        try:
            self.settings = versions.effective(self.file_settings, self.store)
        except versions.UnreadableVersion as exc:
            # Keep serving what was read last (the settings pages can store a good version).
            log.error("stored settings refused; the last ones read stay in effect", error=str(exc))
        self._stamp = stamp


def state(request: Request) -> WebState:
    return request.app.state.rumeur


@dataclass(frozen=True, slots=True)
class Viewer:
    user: User
    language: str
    # Secrets, left out of the repr, so that no message or log line that shows a viewer
    # shows them.
    csrf: str = field(repr=False)  # "" for API calls
    token: str = field(default="", repr=False)  # the session cookie's token, for sign-out


class SignInRequired(Exception):
    """A page was asked without a live session: the handler sends the browser to sign in."""

    def __init__(self, wanted: str) -> None:
        self.wanted = wanted


def choose_language(cookie: str | None, accept: str, default: str) -> str:
    """The language cookie (set when the user chooses, and at sign-in from their saved
    choice), else the browser's first known language, else the default workspace's locale."""
    if cookie in LANGUAGES:
        return cookie
    for part in accept.split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return default


def page_viewer(permission: Permission) -> Callable[[Request], Viewer]:
    def dependency(request: Request) -> Viewer:
        token = request.cookies.get(SESSION_COOKIE)
        found = sessions.find(state(request).store, token)
        if found is None:
            raise SignInRequired(_wanted(request))
        viewer = Viewer(found.user, language(), found.csrf, token or "")
        _check(viewer.user, permission)
        return viewer

    return dependency


def api_viewer(permission: Permission) -> Callable[[Request], Viewer]:
    def dependency(request: Request) -> Viewer:
        scheme, _sep, value = request.headers.get("authorization", "").partition(" ")
        user = None
        if scheme.lower() == "bearer" and value.strip():
            user = tokens.user_of(state(request).store, value.strip())
        if user is None:
            raise HTTPException(
                401, _("a valid API token is needed"), headers={"WWW-Authenticate": "Bearer"}
            )
        viewer = Viewer(user, language(), "")
        _check(user, permission)
        return viewer

    return dependency


def _check(user: User, permission: Permission) -> None:
    if not allowed(user.role, permission):
        raise HTTPException(403, _("your role does not allow this"))


def csrf_checked(permission: Permission) -> Callable[[Request], Awaitable[Viewer]]:
    """A signed-in page's POST: the viewer, once the form's `csrf` field matched the session's."""
    view = page_viewer(permission)

    async def dependency(request: Request) -> Viewer:
        form = await request.form()
        viewer = view(request)
        if not same(str(form.get("csrf", "")), viewer.csrf):
            raise HTTPException(403, _("the form has expired: reload the page and try again"))
        return viewer

    return dependency


def same(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def workspace_of(request: Request, slug: str) -> Workspace:
    for ws in state(request).settings.workspaces:
        if ws.slug == slug:
            return ws
    raise HTTPException(404, _("no such workspace"))


def _wanted(request: Request) -> str:
    path = request.url.path
    return path + ("?" + request.url.query if request.url.query else "")
