"""The composer (docs/publish.md, "The composer"), for the `publish` permission: one master
message, its variants per network and per account, each account's variables offered as chips,
and each account's variant previewed as its network will show it, checked as it is typed.

- `GET /w/SLUG/compose` (`?template=NAME` starts from a saved template): the form;
- `POST /w/SLUG/compose/check`: the preview (htmx, on each pause in the typing, with the form's
  CSRF token): the expansion and the checks of `POST /api/w/SLUG/publish/check`, through the
  same functions (publishing/expand.py), rendered; nothing is stored. The API answers a token
  only, never the session cookie, so the page asks its own route;
- `POST /w/SLUG/compose` (multipart: each image row takes an uploaded file, publishing/uploads.py,
  kept in the `media` folder beside the SQLite database, or in the folder rumeur runs in when the
  store is a server; the page carries the kept file's name back when it is shown again):
  "Send for approval" / "Schedule" (the account's workflow decides
  which: publishing/approvals.py), "Post now" (the same, at this minute), or "Save as a
  template"; the variants are checked again before anything is stored, and each refused one
  is named with its reason.

A local manager (a senior of a department who is not an admin) is offered their departments'
accounts only. The form is read once, here, into a message of `rumeur publish FILE`'s format,
then read by `spec.read` as the file's and the API's are.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.publishing import calendar as planning
from rumeur.publishing import quotas, templates, uploads
from rumeur.publishing.approvals import ADMIN, status_word
from rumeur.publishing.expand import Variant, account_name, expand
from rumeur.publishing.lookups import Lookups
from rumeur.publishing.preview import shown
from rumeur.publishing.rules import IMAGE_SUFFIXES, VISIBILITIES
from rumeur.publishing.schedule import needs_approval, schedule
from rumeur.publishing.spec import SpecError, read
from rumeur.settings.inbox import OwnedAccount
from rumeur.store.store import Store
from rumeur.web.auth import Viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
Composing = Annotated[Viewer, Depends(page_viewer(Permission.PUBLISH))]
Posting = Annotated[Viewer, Depends(csrf_checked(Permission.PUBLISH))]
NETWORKS = ("bluesky", "mastodon", "reddit")
MAX_MEDIA_ROWS = 4
ACTIONS = ("schedule", "now", "template")


def visibility_word(value: str) -> str:
    """Mastodon's visibility as the composer names it, in the reader's language."""
    words = {
        "public": _("public: everyone, in the timelines"),
        "unlisted": _("unlisted: everyone, out of the timelines"),
        "private": _("private: the followers only"),
        "direct": _("direct: the people mentioned only"),
    }
    return words.get(value, value)


def is_local(ws: Workspace, viewer: Viewer) -> bool:
    """A local manager: a senior of one of the workspace's departments, not an admin."""
    name = viewer.user.name.casefold()
    return viewer.user.role.value != ADMIN and any(
        name in {s.casefold() for s in d.seniors} for d in ws.departments
    )


def accounts_for(ws: Workspace, viewer: Viewer) -> list[OwnedAccount]:
    """The accounts the viewer composes for: all of them, or a local manager's own."""
    if not is_local(ws, viewer):
        return list(ws.owned_accounts)
    name = viewer.user.name.casefold()
    mine = {d.slug for d in ws.departments if name in {s.casefold() for s in d.seniors}}
    return [a for a in ws.owned_accounts if a.department in mine]


def _minute(now: datetime, zone: str) -> str:
    """This minute in the workspace's zone, as the form's `datetime-local` writes a time."""
    return now.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def media_folder(store: Store) -> Path:
    """Where uploaded images are kept: `media` beside the SQLite database, or in the folder
    rumeur runs in when the store is a server (the senders read them there)."""
    if store.dialect == "sqlite" and store.where not in ("", ":memory:"):
        return Path(store.where).resolve().parent / "media"
    return Path.cwd() / "media"


def message_of(
    form: FormData, ws: Workspace, now: datetime, folder: Path | None = None
) -> dict[str, Any]:
    """The form as a message of the file's format (the variants only where written); an image
    row names a kept upload (in `folder`) or a path typed on the page."""

    def get(key: str) -> str:
        return str(form.get(key) or "").strip()

    # "Post now" is this minute; the preview checks a message not yet timed as of now.
    at = get("at") if get("action") != "now" else ""
    at = at or (_minute(now, ws.timezone) if get("action") in ("now", "check") else "")
    message: dict[str, Any] = {"text": str(form.get("text") or ""), "at": at,
                               "accounts": [str(a) for a in form.getlist("accounts")]}  # fmt: skip
    variants: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key.startswith("variant:") and str(value).strip():
            variants[key.removeprefix("variant:")] = {"text": str(value)}
    mastodon = {k: get(k) for k in ("visibility", "spoiler") if get(k)}
    reddit = {k: get(k) for k in ("title", "subreddit") if get(k)}
    for network, fields in (("mastodon", mastodon), ("reddit", reddit)):
        if fields:
            variants[network] = variants.get(network, {}) | fields
    if variants:
        message["variants"] = variants
    media = [{"path": path, "alt": get(f"media_alt_{i}")}
             for i in range(MAX_MEDIA_ROWS) if (path := _media_path(get, i, folder))]  # fmt: skip
    if media:
        message["media"] = media
    options = [o.strip() for o in str(form.get("poll_options") or "").splitlines() if o.strip()]
    if options:
        message["poll"] = {"options": options, "expires_in": _seconds(get("poll_hours"))}
    for key, field in (("type", "type"), ("template", "template")):
        if get(field):
            message[key] = get(field)
    return message


def _media_path(get: Any, row: int, folder: Path | None) -> str:
    """A row's image: the upload kept for it, else the path typed (checked by `_media_refusal`)."""
    upload = uploads.kept(folder, get(f"media_upload_{row}")) if folder else None
    return str(upload) if upload else get(f"media_path_{row}")


def _seconds(hours: str) -> int:
    """A poll's duration from the form's hours (a day when it gives none that reads); the
    network's rule on the duration is checked with the variant."""
    try:
        value = float(hours.replace(",", "."))
    except ValueError:
        return 86_400
    return round(value * 3600) if 0 < value < 10_000 else 86_400


def _media_refusal(form: FormData) -> str | None:
    """A page names images on this server: an image file under the folder rumeur runs in, never
    an absolute path nor one that climbs out (`..`), so no form can send another file. A row
    with a kept upload sends that instead of its typed path."""
    for row in range(MAX_MEDIA_ROWS):
        typed = str(form.get(f"media_path_{row}") or "").strip()
        if not typed or form.get(f"media_upload_{row}"):
            continue
        path = PurePosixPath(typed.replace("\\", "/"))
        if (
            path.is_absolute()
            or ".." in path.parts
            or ":" in typed
            or (path.suffix.lower() not in IMAGE_SUFFIXES)
        ):
            return _("{path}: an image (png, jpeg, gif or webp) under rumeur's folder").format(
                path=typed[:200]
            )
    return None


def _read(form: FormData, ws: Workspace, now: datetime, folder: Path) -> Any:
    """The form's message as a Spec, or the one line that says why it does not read."""
    message = message_of(form, ws, now, folder)
    if not message["accounts"]:
        return _("choose at least one account")
    refusal = _media_refusal(form)
    if refusal is not None:
        return refusal
    try:
        return read(message, ws.timezone, _("the message"))
    except SpecError as exc:
        return str(exc)


def _context(request: Request, viewer: Viewer, ws: Workspace, form: dict[str, Any],
             **more: Any) -> dict[str, Any]:  # fmt: skip
    accounts = accounts_for(ws, viewer)
    user = viewer.user
    waits = any(needs_approval(ws, a, user.name, user.role.value) for a in accounts)
    chips = sorted({k for a in accounts for k in a.variables})
    more = {"error": None, "saved_line": None, "outcome": None} | more
    return page_context(
        request, viewer, ws=ws, accounts=accounts, account_name=account_name, form=form,
        chips=chips, waits=waits, networks=NETWORKS, visibilities=VISIBILITIES,
        media_rows=range(MAX_MEDIA_ROWS), kinds=templates.KINDS, status_word=status_word,
        visibility_word=visibility_word,
        saved=templates.listed(state(request).store, ws.slug), **more,
    )  # fmt: skip


@router.get("/w/{slug}/compose")
def compose_page(request: Request, slug: str, viewer: Composing, template: str = "") -> Response:
    ws = workspace_of(request, slug)
    form: dict[str, Any] = {
        "at": "",
        "accounts": [account_name(a) for a in accounts_for(ws, viewer)],
    }
    error = None
    if template:
        try:
            found = templates.find(state(request).store, ws.slug, template[:64])
        except templates.TemplateError as exc:
            error = str(exc)
        else:
            hours = str(round(found.expires_in / 3600, 2)).removesuffix(".0")
            form |= {"text": found.text, "type": found.content_type or "",
                     "template": found.name, "poll_options": "\n".join(found.options),
                     "poll_hours": hours}  # fmt: skip
    return page("compose.html", _context(request, viewer, ws, form, error=error))


@router.post("/w/{slug}/compose/check")
async def check_fragment(request: Request, slug: str, viewer: Posting) -> Response:
    """The preview of each account's variant, or why the message does not read yet."""
    ws = workspace_of(request, slug)
    form = await request.form()
    await form.close()  # the preview reads no file: a kept upload is named by its row
    return await run_in_threadpool(_check, request, viewer, ws, form)


def _check(request: Request, viewer: Viewer, ws: Workspace, form: FormData) -> Response:
    checked = FormData([*((k, v) for k, v in form.multi_items() if k != "action"),
                        ("action", "check")])  # fmt: skip
    spec = _read(checked, ws, datetime.now(UTC), media_folder(state(request).store))
    if not isinstance(spec, str):
        spec = _foreign(ws, viewer, spec.accounts) or spec
    if isinstance(spec, str):
        return page("compose_preview.html", {"problem": spec, "variants": [], "warnings": [],
                                             "visibility_word": visibility_word})  # fmt: skip
    lookups = Lookups(ws.sources, ws.owned_accounts)
    variants = expand(spec, ws.owned_accounts, resolve=lookups.resolve, limit=lookups.limit)
    found = [{"v": v, "shown": shown(v.draft, lookups.limit(a) if (a := _account(ws, v.account))
                                    else None)} for v in variants]  # fmt: skip
    context = {"problem": None, "variants": found, "visibility_word": visibility_word,
               "warnings": _quota_lines(state(request).store, ws, spec.at, variants)}  # fmt: skip
    return page("compose_preview.html", context)


def _quota_lines(store: Store, ws: Workspace, at: datetime, variants: list[Variant]) -> list[str]:
    """The quota windows the variants would go over at the chosen time, with what the accounts
    have scheduled around it (publishing/calendar.py): said before scheduling, not refused."""
    kept = [v for v in variants if v.refusal is None]
    new = [quotas.Planned(-n, v.account, v.platform, at, tuple(v.draft.media))
           for n, v in enumerate(kept, start=1)]  # fmt: skip
    return planning.new_warnings(store, ws, new)


def _foreign(ws: Workspace, viewer: Viewer, names: tuple[str, ...]) -> str | None:
    """Why the viewer may not write for one of `names` (a local manager's other accounts)."""
    allowed = {account_name(a).casefold() for a in accounts_for(ws, viewer)}
    foreign = [a for a in names if a.casefold() not in allowed]
    if not foreign:
        return None
    return _("{account} is not one of your accounts").format(account=foreign[0])


def _account(ws: Workspace, name: str) -> OwnedAccount | None:
    return next((a for a in ws.owned_accounts if account_name(a) == name), None)


@router.post("/w/{slug}/compose")
async def compose_post(request: Request, slug: str, viewer: Posting) -> Response:
    ws = workspace_of(request, slug)
    sent = await request.form()
    try:
        form, refusal = await _with_uploads(request, ws, sent)
    finally:
        await sent.close()  # the spooled files, read or not
    if refusal is not None:
        context = _context(request, viewer, ws, _kept(form), error=refusal)
        return page("compose.html", context, 400)
    return await run_in_threadpool(_submit, request, viewer, ws, form)


async def _with_uploads(
    request: Request, ws: Workspace, form: FormData
) -> tuple[FormData, str | None]:
    """The form with each uploaded image checked and kept, its row naming the kept file
    (`media_upload_N`) in place of the file; and the first refusal, if any, naming the file.
    The images kept before a refusal stay named, so the page shown again keeps them."""
    chosen = {str(a) for a in form.getlist("accounts")}
    limit = uploads.limit_for(a.platform for a in ws.owned_accounts if account_name(a) in chosen)
    folder = media_folder(state(request).store)
    named: dict[str, str] = {}
    refusal = None
    for row in range(MAX_MEDIA_ROWS):
        upload = form.get(f"media_file_{row}")
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        data = await upload.read(limit + 1)  # one byte past the limit says it is over
        try:
            if not str(form.get(f"media_alt_{row}") or "").strip():
                raise uploads.UploadError(_("{name}: every image needs its alt text").format(
                    name=upload.filename[:100]))  # fmt: skip
            kind = uploads.checked(upload.filename, data, limit)
        except uploads.UploadError as exc:
            refusal = refusal or str(exc)
            continue
        kept = await run_in_threadpool(uploads.keep, folder, data, kind)
        named[f"media_upload_{row}"] = kept.name
    rest = [
        (k, v) for k, v in form.multi_items() if not isinstance(v, UploadFile) and k not in named
    ]
    return FormData([*rest, *named.items()]), refusal


def _submit(request: Request, viewer: Viewer, ws: Workspace, form: FormData) -> Response:
    now = datetime.now(UTC)
    values = _kept(form)
    action = str(form.get("action") or "schedule")
    if action == "template":
        return _save_template(request, viewer, ws, form, values, now)
    spec = _read(form, ws, now, media_folder(state(request).store))
    if isinstance(spec, str):
        return page("compose.html", _context(request, viewer, ws, values, error=spec), 400)
    line = _foreign(ws, viewer, spec.accounts)
    if line is not None:
        return page("compose.html", _context(request, viewer, ws, values, error=line), 403)
    lookups = Lookups(ws.sources, ws.owned_accounts)
    user = viewer.user
    outcome = schedule(
        state(request).store, ws, spec, now, author=user.name, role=user.role.value,
        resolve=lookups.resolve, limit=lookups.limit,
    )  # fmt: skip
    context = _context(request, viewer, ws, values, outcome=outcome)
    return page("compose.html", context, 201 if outcome.created else 200)


def _save_template(request: Request, viewer: Viewer, ws: Workspace, form: FormData,
                   values: dict[str, Any], now: datetime) -> Response:  # fmt: skip
    data = {
        "name": str(form.get("template_name") or ""), "kind": str(form.get("template_kind") or ""),
        "text": str(form.get("text") or ""), "type": str(form.get("type") or "") or None,
        "options": [o for o in str(form.get("poll_options") or "").splitlines() if o.strip()],
        "expires_in": _seconds(str(form.get("poll_hours") or "")),
    }  # fmt: skip
    try:
        saved = templates.save(state(request).store, ws.slug, templates.read_template(data),
                               viewer.user.name, now)  # fmt: skip
    except templates.TemplateError as exc:
        return page("compose.html", _context(request, viewer, ws, values, error=str(exc)), 400)
    line = _("template {name} saved").format(name=saved.name)
    return page("compose.html", _context(request, viewer, ws, values, saved_line=line))


def _kept(form: FormData) -> dict[str, Any]:
    """The form's values, to show it again as it was sent."""
    values: dict[str, Any] = {k: str(v) for k, v in form.multi_items()
                              if k != "csrf" and not isinstance(v, UploadFile)}  # fmt: skip
    values["accounts"] = [str(a) for a in form.getlist("accounts")]
    return values
