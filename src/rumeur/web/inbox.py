"""The shared inbox in the web app and the REST API (docs/inbox.md): the list of a workspace's
conversations with its filters and counts, a conversation's page (its thread and notes, the
customer's history, assignment, status, the composer with its saved replies, its live counter
and its lock), and the same under `/api/w/{slug}/inbox`.

Everything goes through the functions `rumeur inbox` calls (inbox/work.py, store/conversations.py,
store/inbox.py): the page queues a reply in the outbox (`queue_reply`) and the sender sends it;
no request reaches a network. Who may send is `inbox.work.may_reply` (the assignee or an admin),
as on the command line; a colleague's live lock (store/locks.py) stops everyone else's send.

A department user sees, and works on, the conversations of their department only: any other
is answered 404, as if it did not exist.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from rumeur.config import Workspace
from rumeur.i18n import _, language
from rumeur.inbox import compose
from rumeur.inbox.approval import needs_approval
from rumeur.inbox.work import (
    LIST_FIELDS,
    MESSAGE_FIELDS,
    MORE_FIELDS,
    MORE_MESSAGE_FIELDS,
    POLICIES,
    REPLY_FIELDS,
    assign_next,
    may_reply,
    refresh_due,
    worklist,
)
from rumeur.model import platform_name
from rumeur.query.fields import SENTIMENTS
from rumeur.settings.inbox import INBOX_PLATFORMS, PRIORITIES
from rumeur.store import conversations as rows
from rumeur.store import locks
from rumeur.store.conversations import Filters
from rumeur.store.inbox import (
    STATUSES,
    outbox_of,
    outbox_row,
    pending_replies,
    queue_reply,
    set_status,
)
from rumeur.web.accounts import Role, User, list_users
from rumeur.web.auth import Viewer, api_viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.filters import FilterError, Id, check_text
from rumeur.web.permissions import Permission, allowed
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api")
Reading = Annotated[Viewer, Depends(page_viewer(Permission.INBOX))]
Watching = Annotated[Viewer, Depends(csrf_checked(Permission.INBOX))]
Working = Annotated[Viewer, Depends(csrf_checked(Permission.ANSWER))]
ApiReading = Annotated[Viewer, Depends(api_viewer(Permission.INBOX))]
ApiWorking = Annotated[Viewer, Depends(api_viewer(Permission.ANSWER))]

LISTED = 200  # conversations on the list page, the latest activity first
KEY = re.compile(r"^[0-9a-f]{32}$")
# The networks whose sender answers a public message in private (a direct Mastodon status).
PRIVATE_ANSWERS = frozenset({"mastodon"})


def _now() -> datetime:
    return datetime.now(UTC)


# Who sees what -----------------------------------------------------------------------------------


def departments_for(user: User, ws: Workspace) -> tuple[str, ...] | None:
    """The departments whose conversations a department user sees in `ws` (none when the
    workspace has no such department); None for the other roles, who see them all."""
    if user.role is not Role.DEPARTMENT:
        return None
    slugs = [d.slug for d in ws.departments]
    return (user.department,) if user.department in slugs else ()


def _visible(talk: dict[str, Any], user: User, ws: Workspace) -> bool:
    allowed_here = departments_for(user, ws)
    return allowed_here is None or talk["department"] in allowed_here


def visible_thread(
    request: Request, ws: Workspace, viewer: Viewer, conversation_id: int
) -> rows.Thread:
    """The conversation with its messages, or a 404 when the viewer may not see it (another
    department's, or none): the approvals' routes check the same way."""
    found = rows.thread(state(request).store, ws.slug, conversation_id)
    if found is None or not _visible(found.conversation, viewer.user, ws):
        raise HTTPException(404, _("no such conversation in this workspace"))
    return found


def _fresh_thread(
    request: Request, ws: Workspace, viewer: Viewer, conversation_id: int
) -> tuple[rows.Thread, datetime]:
    """The conversation, its target brought up to date and flagged `overdue` (as the list says
    it), and the time it was read at."""
    refresh_due(state(request).store, ws, [conversation_id])
    found = visible_thread(request, ws, viewer, conversation_id)
    now = _now()
    found.conversation["overdue"] = _overdue(found.conversation, now)
    return found, now


def _team(request: Request, viewer: Viewer, ws: Workspace) -> list[str]:
    """Whom a conversation may be given to: the enabled accounts that may answer (a department
    user: their department's)."""
    mine = departments_for(viewer.user, ws)
    return [
        u.name
        for u in list_users(state(request).store)
        if not u.disabled
        and allowed(u.role, Permission.ANSWER)
        and (mine is None or u.department in mine)
    ]


# The list ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListFilters:
    """The list's filters, as the address gives them ("" for any)."""

    department: str = ""
    status: str = ""
    platform: str = ""
    priority: str = ""
    sentiment: str = ""
    overdue: str = ""  # "1": only the overdue ones

    @classmethod
    def read(cls, params: Any, ws: Workspace) -> ListFilters:
        values = {
            name: check_text(name, (params.get(name) or "").strip())
            for name in cls.__dataclass_fields__
        }
        found = cls(**values)
        known = {
            "department": tuple(d.slug for d in ws.departments),
            "status": STATUSES,
            "platform": INBOX_PLATFORMS,
            "priority": PRIORITIES,
            "sentiment": SENTIMENTS,
            "overdue": ("1",),
        }
        for name, choices in known.items():
            value = getattr(found, name)
            if value and value not in choices:
                raise FilterError(
                    _("{name}: {value!r} is not one of {known}").format(
                        name=name, value=value, known=", ".join(choices) or "-"
                    )
                )
        return found

    def store_filters(self, departments: tuple[str, ...] | None) -> Filters:
        return Filters(
            department=self.department or None,
            status=self.status or None,
            platform=self.platform or None,
            priority=self.priority or None,
            sentiment=self.sentiment or None,
            overdue=True if self.overdue else None,
            departments=departments,
        )

    def link(self, slug: str, **changes: str) -> str:
        from urllib.parse import urlencode

        values = {k: v for k, v in asdict(replace(self, **changes)).items() if v}
        return f"/w/{slug}/inbox" + (f"?{urlencode(values)}" if values else "")

    def active(self) -> bool:
        return any(asdict(self).values())


@router.get("/w/{slug}/inbox")
def inbox_page(request: Request, slug: str, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    filters = ListFilters.read(request.query_params, ws)
    mine = departments_for(viewer.user, ws)
    store = state(request).store
    now = _now()
    found, counts = worklist(store, ws, filters.store_filters(mine), now, limit=LISTED)
    every_status = rows.count_conversations(
        store, ws.slug, replace(filters, status="").store_filters(mine), now=now
    )
    context = page_context(
        request,
        viewer,
        ws=ws,
        filters=filters,
        conversations=found,
        counts=counts,
        every_status=every_status,
        statuses=STATUSES,
        priorities=PRIORITIES,
        platforms=INBOX_PLATFORMS,
        departments=[d for d in ws.departments if mine is None or d.slug in mine],
        department_names={d.slug: d.name for d in ws.departments},
        own_department=mine[0] if mine else None,
        listed=LISTED,
        to_approve=len(pending_replies(store, ws.slug, mine)),  # web/inbox_approval.py
    )
    return page("inbox.html", context)


# A conversation ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Composer:
    text: str
    key: str
    private: bool
    error: str | None = None
    choice: str = ""  # the saved reply it started from (`slug:fr`)


def _items(found: rows.Thread) -> list[dict[str, Any]]:
    """The thread's messages and notes in one list, oldest first."""
    items = [dict(m, what=m["direction"]) for m in found.messages]
    items += [
        {"what": "note", "author": n.author, "text": n.text, "at": n.at, "id": n.id}
        for n in found.notes
    ]
    return sorted(items, key=lambda item: (item["at"], item["what"] == "note"))


def _saved(ws: Workspace, choice: str, talk: dict[str, Any], agent: str) -> str:
    """The text of saved reply `choice` (`slug:fr` or `slug:en`), its variables filled in."""
    slug, _sep, lang = check_text("saved", choice).partition(":")
    for saved in ws.saved_replies:
        if saved.slug == slug and lang in ("fr", "en"):
            template = saved.text_fr if lang == "fr" else saved.text_en
            return compose.fill(template, customer=talk["customer"], case=talk["id"], agent=agent)
    raise FilterError(_("saved: there is no such saved reply"))


def duration(value: timedelta) -> str:
    """A time span in words, in the request's language ("3 hours", "3 heures")."""
    from babel.dates import format_timedelta

    return format_timedelta(value, locale=language(), threshold=1.5)


def _overdue(talk: dict[str, Any], now: datetime) -> bool:
    """It waits for the brand and its target has passed (as the list says it)."""
    return talk["status"] in rows.OPEN and talk["due_at"] is not None and talk["due_at"] <= now


def _may_send(viewer: Viewer, talk: dict[str, Any]) -> bool:
    return allowed(viewer.user.role, Permission.ANSWER) and may_reply(
        viewer.user.name, viewer.user.role.value, talk["assignee"]
    )


def _conversation_page(
    request: Request,
    ws: Workspace,
    viewer: Viewer,
    conversation_id: int,
    composer: Composer | None = None,
    status: int = 200,
) -> Response:
    store = state(request).store
    found, now = _fresh_thread(request, ws, viewer, conversation_id)
    talk = found.conversation
    if composer is None:
        choice = request.query_params.get("saved", "")
        text = _saved(ws, choice, talk, viewer.user.name) if choice else ""
        composer = Composer(text, uuid.uuid4().hex, talk["kind"] == "private", choice=choice)
    lock = locks.holder(store, ws.slug, conversation_id, now)
    replies = [r for r in outbox_of(store, conversation_id) if r.state != "sent"]
    from rumeur.web.inbox_approval import decisions

    context = page_context(
        request,
        viewer,
        ws=ws,
        talk=talk,
        items=_items(found),
        replies=replies,
        decisions=decisions(viewer, ws, talk, replies),
        history=locks.history(store, ws.slug, talk["platform"], talk["customer"], talk["id"]),
        team=_team(request, viewer, ws),
        may_send=_may_send(viewer, talk),
        composer=composer,
        lock=lock,
        count=compose.count(talk["platform"], composer.text, talk["customer"]),
        private_possible=talk["kind"] == "private" or talk["platform"] in PRIVATE_ANSWERS,
        saved_replies=ws.saved_replies,
        saved_choice=composer.choice,
        department_names={d.slug: d.name for d in ws.departments},
        statuses=STATUSES,
        duration=duration,
    )
    return page("conversation.html", context, status=status)


@router.get("/w/{slug}/inbox/{conversation_id}")
def conversation_page(
    request: Request, slug: str, conversation_id: Id, viewer: Reading
) -> Response:
    ws = workspace_of(request, slug)
    return _conversation_page(request, ws, viewer, conversation_id)


def _back(slug: str, conversation_id: int) -> RedirectResponse:
    return RedirectResponse(f"/w/{slug}/inbox/{conversation_id}", status_code=303)


def _assign(
    request: Request, ws: Workspace, viewer: Viewer, conversation_id: int, to: str
) -> str | None:
    """Give the conversation to `to` (a member of the team, or "" for nobody); who has it."""
    visible_thread(request, ws, viewer, conversation_id)
    store = state(request).store
    if to in POLICIES:
        got = assign_next(store, ws, conversation_id, to, _now())  # type: ignore[arg-type]
        if got is None:
            raise FilterError(
                _("Nobody to assign it to: it has an assignee, or its department has no members.")
            )
        return got
    if to and to not in _team(request, viewer, ws):
        raise FilterError(_("Choose a member of the team."))
    rows.assign(store, ws.slug, conversation_id, to or None, _now())
    return to or None


@router.post("/w/{slug}/inbox/{conversation_id}/assign")
def assign_page(
    request: Request,
    slug: str,
    conversation_id: Id,
    viewer: Working,
    to: Annotated[str, Form()] = "",
) -> Response:
    ws = workspace_of(request, slug)
    if to == "me":
        to = viewer.user.name
    if not to:
        raise FilterError(_("Choose a member of the team."))
    _assign(request, ws, viewer, conversation_id, "" if to == "nobody" else to)
    return _back(ws.slug, conversation_id)


@router.post("/w/{slug}/inbox/{conversation_id}/status")
def status_page(
    request: Request,
    slug: str,
    conversation_id: Id,
    viewer: Working,
    status: Annotated[str, Form()] = "",
) -> Response:
    ws = workspace_of(request, slug)
    if status not in STATUSES:
        raise FilterError(
            _("status: {value!r} is not one of {known}").format(
                value=status, known=", ".join(STATUSES)
            )
        )
    visible_thread(request, ws, viewer, conversation_id)
    set_status(state(request).store, conversation_id, status, _now())
    return _back(ws.slug, conversation_id)


@router.post("/w/{slug}/inbox/{conversation_id}/note")
def note_page(
    request: Request,
    slug: str,
    conversation_id: Id,
    viewer: Working,
    text: Annotated[str, Form()] = "",
) -> Response:
    ws = workspace_of(request, slug)
    visible_thread(request, ws, viewer, conversation_id)
    text = check_text("text", text.strip(), rows.NOTE_LENGTH)
    if not text:
        raise FilterError(_("Write something first."))
    rows.add_note(state(request).store, ws.slug, conversation_id, viewer.user.name, text, _now())
    return _back(ws.slug, conversation_id)


class Refused(Exception):
    """A reply the page or the API does not queue: the one line says why; `status` is the HTTP
    answer's."""

    def __init__(self, line: str, status: int = 400) -> None:
        super().__init__(line)
        self.status = status


def send(
    request: Request,
    ws: Workspace,
    viewer: Viewer,
    conversation_id: int,
    text: str,
    private: bool,
    key: str | None,
) -> int:
    """Queue a reply in the outbox, once the rules allow it (the assignee or an admin, nobody
    else writing, what the network takes); the outbox row's id. The same `key` queues once."""
    talk = visible_thread(request, ws, viewer, conversation_id).conversation
    store = state(request).store
    now = _now()
    if not _may_send(viewer, talk):
        raise Refused(
            _("Only the assignee ({assignee}) or an admin may answer this conversation.").format(
                assignee=talk["assignee"] or "-"
            ),
            403,
        )
    lock = locks.holder(store, ws.slug, conversation_id, now)
    if lock is not None and lock.holder.casefold() != viewer.user.name.casefold():
        raise Refused(
            _("{user} is writing a reply: wait until they are done.").format(user=lock.holder),
            409,
        )
    text = text.strip()
    if len(text) > 20_000:
        raise Refused(_("The reply is too long."))
    line = compose.refusal(talk["platform"], text, talk["customer"])
    if line is not None:
        raise Refused(line)
    if private and talk["kind"] != "private" and talk["platform"] not in PRIVATE_ANSWERS:
        raise Refused(
            _("{platform}: a public message is answered in public here.").format(
                platform=platform_name(talk["platform"])
            )
        )
    if key is not None and not KEY.match(key):
        raise Refused(_("key: 32 hexadecimal digits"))
    visibility = "direct" if private and talk["kind"] != "private" else None
    user = viewer.user
    outbox_id = queue_reply(
        store,
        conversation_id,
        text=text,
        now=now,
        author=user.name,
        key=key,
        visibility=visibility,
        pending=needs_approval(ws, talk["department"], user.name, user.role.value),
    )
    locks.release(store, ws.slug, conversation_id, viewer.user.name)
    return outbox_id


@router.post("/w/{slug}/inbox/{conversation_id}/reply")
def reply_page(
    request: Request,
    slug: str,
    conversation_id: Id,
    viewer: Working,
    text: Annotated[str, Form()] = "",
    key: Annotated[str, Form()] = "",
    private: Annotated[str, Form()] = "",
) -> Response:
    ws = workspace_of(request, slug)
    try:
        send(request, ws, viewer, conversation_id, text, bool(private), key or None)
    except Refused as exc:
        composer = Composer(text[:20_000], key if KEY.match(key) else uuid.uuid4().hex,
                            bool(private), str(exc))  # fmt: skip
        # The page's refusals are 400s (the form asked something that cannot be): a 403 is the
        # role's alone. The API answers with the refusal's own status.
        return _conversation_page(request, ws, viewer, conversation_id, composer, 400)
    return _back(ws.slug, conversation_id)


@router.post("/w/{slug}/inbox/{conversation_id}/lock")
def lock_fragment(
    request: Request,
    slug: str,
    conversation_id: Id,
    viewer: Watching,
    text: Annotated[str, Form()] = "",
    key: Annotated[str, Form()] = "",
) -> Response:
    """The composer's status, asked by the page when the text changes and every 20 seconds: the
    viewer who may send and has text in the composer takes or renews the lock (an emptied
    composer lets it go, and so does one whose reply is queued); the answer is the live count,
    who holds the lock, and the send button (disabled while a colleague writes or the network
    would refuse the text)."""
    ws = workspace_of(request, slug)
    talk = visible_thread(request, ws, viewer, conversation_id).conversation
    store = state(request).store
    now = _now()
    may_send = _may_send(viewer, talk)
    sent = bool(key) and locks.queued(store, key)  # a renewal that arrives after the send
    if may_send and text.strip() and not sent:
        lock = locks.hold(store, ws.slug, conversation_id, viewer.user.name, now)
    else:
        if may_send:
            locks.release(store, ws.slug, conversation_id, viewer.user.name)
        lock = locks.holder(store, ws.slug, conversation_id, now)
    context = page_context(
        request,
        viewer,
        ws=ws,
        talk=talk,
        lock=lock,
        may_send=may_send,
        count=compose.count(talk["platform"], text[:20_000], talk["customer"]),
    )
    return page("conversation_status.html", context)


# The REST API ------------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def _fields(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {key: _json(row.get(key)) for key in names}


class CountsOut(BaseModel):
    total: int
    by_status: dict[str, int]
    by_department: dict[str, int]
    overdue: int


class InboxOut(BaseModel):
    conversations: list[dict[str, Any]]  # the fields of `rumeur inbox list --json`
    counts: CountsOut


@api_router.get("/w/{slug}/inbox", response_model=InboxOut)
def api_list(request: Request, slug: str, viewer: ApiReading) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    filters = ListFilters.read(request.query_params, ws)
    found, counts = worklist(
        state(request).store,
        ws,
        filters.store_filters(departments_for(viewer.user, ws)),
        _now(),
        limit=LISTED,
    )
    return {
        "conversations": [_fields(row, LIST_FIELDS + MORE_FIELDS) for row in found],
        "counts": asdict(counts),
    }


def _show(request: Request, ws: Workspace, viewer: Viewer, conversation_id: int) -> dict[str, Any]:
    """The conversation as `rumeur inbox show --json` gives it, with its lock and the customer's
    history."""
    store = state(request).store
    found, now = _fresh_thread(request, ws, viewer, conversation_id)
    talk = found.conversation
    shown = _fields(talk, LIST_FIELDS + MORE_FIELDS[:1] + ("kind", "tags", "opened_at"))
    shown["messages_count"] = talk["messages"]
    shown["messages"] = [_fields(m, MESSAGE_FIELDS + MORE_MESSAGE_FIELDS) for m in found.messages]
    shown["notes"] = [
        {"id": n.id, "author": n.author, "text": n.text, "at": _json(n.at)} for n in found.notes
    ]
    shown["replies"] = [_fields(asdict(r), REPLY_FIELDS) for r in outbox_of(store, talk["id"])]
    lock = locks.holder(store, ws.slug, conversation_id, now)
    shown["locked_by"] = lock.holder if lock else None
    shown["history"] = [
        {
            "id": e.id,
            "status": e.status,
            "department": e.department,
            "opened_at": _json(e.opened_at),
            "messages": e.messages,
            "first_response_seconds": None
            if e.first_response is None
            else int(e.first_response.total_seconds()),
            "sentiment": e.sentiment,
            "answer": e.answer,
        }
        for e in locks.history(store, ws.slug, talk["platform"], talk["customer"], talk["id"])
    ]
    return shown


@api_router.get("/w/{slug}/inbox/{conversation_id}")
def api_show(
    request: Request, slug: str, conversation_id: Id, viewer: ApiReading
) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    return _show(request, ws, viewer, conversation_id)


class AssignIn(BaseModel):
    user: Annotated[str, Field(max_length=64)] | None = None  # a member of the team; null: nobody
    policy: str | None = None  # or round-robin, least-busy


@api_router.post("/w/{slug}/inbox/{conversation_id}/assign")
def api_assign(
    request: Request,
    slug: str,
    conversation_id: Id,
    viewer: ApiWorking,
    body: Annotated[AssignIn, Body()],
) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    if body.policy is not None and body.policy not in POLICIES:
        raise FilterError(
            _("policy: {value!r} is not one of {known}").format(
                value=body.policy, known=", ".join(POLICIES)
            )
        )
    if body.policy is not None and body.user is not None:
        raise FilterError(_("name a user, or a policy, not both"))
    got = _assign(request, ws, viewer, conversation_id, body.policy or body.user or "")
    return {"id": conversation_id, "assignee": got}


class ReplyIn(BaseModel):
    text: Annotated[str, Field(max_length=20_000)]
    private: bool = False  # answer a public message in private (Mastodon)
    key: str | None = None  # the reply's idempotency key: the same key queues once


@api_router.post("/w/{slug}/inbox/{conversation_id}/reply")
def api_reply(
    request: Request,
    slug: str,
    conversation_id: Id,
    viewer: ApiWorking,
    body: Annotated[ReplyIn, Body()],
) -> Response:
    from fastapi.responses import JSONResponse

    ws = workspace_of(request, slug)
    try:
        outbox_id = send(request, ws, viewer, conversation_id, body.text, body.private, body.key)
    except Refused as exc:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    row = outbox_row(state(request).store, outbox_id)  # pending: it waits for approval
    return JSONResponse({"id": outbox_id, "state": row.state if row else "queued"})


@api_router.post("/w/{slug}/inbox/{conversation_id}/resolve")
def api_resolve(
    request: Request, slug: str, conversation_id: Id, viewer: ApiWorking
) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    visible_thread(request, ws, viewer, conversation_id)
    set_status(state(request).store, conversation_id, "resolved", _now())
    return {"id": conversation_id, "status": "resolved"}
