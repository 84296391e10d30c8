"""The routing rules' page (docs/inbox.md, "Rules in the web app"): `/w/{slug}/inbox/rules`.

Everyone who reads the inbox reads the rules, in the order they apply: the settings file's
first (read-only here, marked as coming from the file), then those written in the web app.
Admins (the `routing` permission) add, edit, delete and move the web app's rules, each checked
as a rule of the file is (`inbox.rules.check_rule`: the query parses, the department exists, the
priority is one of the four), and try a rule before saving it: on the last 30 days'
conversations, how many it would have caught and how many of those are now elsewhere.

A saved rule routes the next conversation that opens: the collectors build their router from
the file's rules and the stored ones (`inbox.rules.router_for`) at every reading.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.inbox.rules import (
    TRIAL_DAYS,
    RuleError,
    Trial,
    check_rule,
    rules_of,
    tags_of,
    try_rule,
)
from rumeur.settings.inbox import PRIORITIES, RoutingRule
from rumeur.store import routing_rules as stored
from rumeur.web.auth import Viewer, api_viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.filters import FilterError
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api")
Reading = Annotated[Viewer, Depends(page_viewer(Permission.INBOX))]
Editing = Annotated[Viewer, Depends(csrf_checked(Permission.ROUTING))]
ApiReading = Annotated[Viewer, Depends(api_viewer(Permission.INBOX))]
ApiEditing = Annotated[Viewer, Depends(api_viewer(Permission.ROUTING))]
TEXT_LIMIT = 4000  # what a form field may hold before it is refused


def _now() -> datetime:
    return datetime.now(UTC)


def _rules_url(slug: str) -> str:
    return f"/w/{slug}/inbox/rules"


def _id(value: str) -> int | None:
    """A rule's id from the form ("" for a new rule); FilterError if it is not one."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise FilterError(_("id: not a rule of this workspace"))
    return int(value)


class Draft:
    """The form's values, as typed (shown again when the form is refused)."""

    def __init__(self, **values: str) -> None:
        self.id = values.get("id", "")
        self.name = values.get("name", "")
        self.query = values.get("query", "")
        self.department = values.get("department", "")
        self.priority = values.get("priority", "")
        self.tags = values.get("tags", "")
        self.assignee = values.get("assignee", "")
        self.stop = values.get("stop", "") in ("1", "on", "true")

    @classmethod
    def of(cls, rule: stored.StoredRule) -> Draft:
        return cls(
            id=str(rule.id),
            name=rule.name,
            query=rule.query,
            department=rule.department or "",
            priority=rule.priority or "",
            tags=", ".join(rule.tags),
            assignee=rule.assignee or "",
            stop="1" if rule.stop else "",
        )

    def fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            "department": self.department,
            "priority": self.priority,
            "tags": tags_of(self.tags),
            "assignee": self.assignee,
            "stop": self.stop,
        }


def _draft(values: dict[str, str]) -> Draft:
    """The form's fields (`_rule_form`) as a draft; a field over TEXT_LIMIT is refused."""
    for key, value in values.items():
        if len(value) > TEXT_LIMIT:
            raise FilterError(_("{name}: at most {n} characters").format(name=key, n=TEXT_LIMIT))
    return Draft(**values)


FormField = Annotated[str, Form()]


def _rule_form(
    id: FormField = "",
    name: FormField = "",
    query: FormField = "",
    department: FormField = "",
    priority: FormField = "",
    tags: FormField = "",
    assignee: FormField = "",
    stop: FormField = "",
) -> dict[str, str]:
    """The rule form's fields as sent, in the order `_draft` checks them."""
    return {
        "id": id, "name": name, "query": query, "department": department, "priority": priority,
        "tags": tags, "assignee": assignee, "stop": stop,
    }  # fmt: skip


RuleForm = Annotated[dict[str, str], Depends(_rule_form)]


def _page(
    request: Request,
    ws: Workspace,
    viewer: Viewer,
    draft: Draft | None = None,
    error: RuleError | None = None,
    trial: Trial | None = None,
    status: int = 200,
) -> Response:
    listed = rules_of(state(request).store, ws)
    context = page_context(
        request,
        viewer,
        ws=ws,
        rules=listed,
        draft=draft or Draft(),
        error=error,
        trial=trial,
        trial_days=TRIAL_DAYS,
        priorities=PRIORITIES,
        departments=ws.departments,
        department_names={d.slug: d.name for d in ws.departments},
        web_ids=[r.stored.id for r in listed if r.stored is not None],
    )
    return page("inbox_rules.html", context, status=status)


@router.get("/w/{slug}/inbox/rules")
def rules_page(request: Request, slug: str, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    draft = None
    edit = request.query_params.get("edit", "")
    if edit:
        rule_id = _id(edit)
        found = None if rule_id is None else stored.get_rule(state(request).store, ws.slug, rule_id)
        if found is None:
            raise HTTPException(404, _("no such rule in this workspace"))
        draft = Draft.of(found)
    return _page(request, ws, viewer, draft)


def _checked(ws: Workspace, draft: Draft, saving: bool) -> RoutingRule:
    """The form's rule, checked; saved, its name may not be a file rule's."""
    file_names = {r.name for r in ws.routing} if saving else ()
    fields = draft.fields()
    if not saving and not fields["name"]:
        fields["name"] = "trial"  # a rule is tried before it has a name
    return check_rule(ws, fields, file_names)


@router.post("/w/{slug}/inbox/rules/try")
def try_page(
    request: Request,
    slug: str,
    viewer: Editing,
    form: RuleForm,
) -> Response:
    """The trial of the form's rule: the fragment the Try button swaps in (htmx), or the whole
    page with it (a browser without scripts)."""
    ws = workspace_of(request, slug)
    draft = _draft(form)
    error, trial = None, None
    try:
        rule = _checked(ws, draft, saving=False)
    except RuleError as exc:
        error = exc
    else:
        trial = try_rule(state(request).store, ws, rule, _now())
    if request.headers.get("hx-request"):
        context = page_context(
            request,
            viewer,
            ws=ws,
            error=error,
            trial=trial,
            department_names={d.slug: d.name for d in ws.departments},
        )
        return page("inbox_rule_trial.html", context)
    return _page(request, ws, viewer, draft, error, trial, 400 if error else 200)


@router.post("/w/{slug}/inbox/rules")
def save_page(
    request: Request,
    slug: str,
    viewer: Editing,
    form: RuleForm,
) -> Response:
    """Add the form's rule after the others, or replace rule `id`'s fields; the page again
    with the one-line reason when it cannot be saved."""
    ws = workspace_of(request, slug)
    draft = _draft(form)
    store = state(request).store
    try:
        rule = _checked(ws, draft, saving=True)
        values = rule.model_dump()
        rule_id = _id(draft.id)
        try:
            if rule_id is None:
                stored.add_rule(store, ws.slug, values, viewer.user.name, _now())
            elif not stored.update_rule(store, ws.slug, rule_id, values, viewer.user.name, _now()):
                raise HTTPException(404, _("no such rule in this workspace"))
        except stored.DuplicateName:
            raise RuleError(
                _("name: a rule named {name!r} already exists in this workspace").format(
                    name=rule.name
                )
            ) from None
    except RuleError as exc:
        return _page(request, ws, viewer, draft, exc, status=400)
    return RedirectResponse(_rules_url(ws.slug), status_code=303)


@router.post("/w/{slug}/inbox/rules/delete")
def delete_page(request: Request, slug: str, viewer: Editing, id: FormField = "") -> Response:
    ws = workspace_of(request, slug)
    rule_id = _id(id)
    if rule_id is None:
        raise FilterError(_("id: not a rule of this workspace"))
    if not stored.delete_rule(state(request).store, ws.slug, rule_id):
        raise HTTPException(404, _("no such rule in this workspace"))
    return RedirectResponse(_rules_url(ws.slug), status_code=303)


@router.post("/w/{slug}/inbox/rules/move")
def move_page(
    request: Request, slug: str, viewer: Editing, id: FormField = "", direction: FormField = ""
) -> Response:
    """Move a web rule one place up or down among the web app's rules (the file's stay first)."""
    ws = workspace_of(request, slug)
    rule_id = _id(id)
    if rule_id is None or direction not in ("up", "down"):
        raise FilterError(_("move: give a rule and up or down"))
    store = state(request).store
    if stored.get_rule(store, ws.slug, rule_id) is None:
        raise HTTPException(404, _("no such rule in this workspace"))
    stored.move_rule(store, ws.slug, rule_id, -1 if direction == "up" else 1)
    return RedirectResponse(_rules_url(ws.slug), status_code=303)


# The REST API ------------------------------------------------------------------------------------


def _json_rule(listed: Any) -> dict[str, Any]:
    rule, row = listed.rule, listed.stored
    source = rule.model_dump() if rule is not None else row.fields()
    return {
        "origin": listed.origin,
        "id": None if row is None else row.id,
        **{key: source[key] for key in stored.RULE_FIELDS},
        "applies": listed.applies,
        "problem": listed.problem,
    }


@api_router.get("/w/{slug}/inbox/rules")
def api_rules(request: Request, slug: str, viewer: ApiReading) -> dict[str, Any]:
    """The workspace's routing rules in the order they apply: the file's, then the web app's."""
    ws = workspace_of(request, slug)
    return {"rules": [_json_rule(r) for r in rules_of(state(request).store, ws)]}


class RuleIn(BaseModel):
    name: Annotated[str, Field(max_length=64)] = ""
    query: Annotated[str, Field(max_length=TEXT_LIMIT)]
    department: Annotated[str, Field(max_length=64)] | None = None
    priority: Annotated[str, Field(max_length=16)] | None = None
    tags: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=50)] = []
    assignee: Annotated[str, Field(max_length=64)] | None = None
    stop: bool = False


@api_router.post("/w/{slug}/inbox/rules/try")
def api_try(
    request: Request, slug: str, viewer: ApiEditing, body: Annotated[RuleIn, Body()]
) -> Response:
    """Try a rule on the last 30 days, as the page's Try button does: nothing is saved."""
    ws = workspace_of(request, slug)
    fields = body.model_dump()
    fields["name"] = fields["name"] or "trial"
    try:
        rule = check_rule(ws, fields)
    except RuleError as exc:
        return JSONResponse({"error": str(exc), "caret": exc.caret}, status_code=400)
    trial = try_rule(state(request).store, ws, rule, _now())
    return JSONResponse(
        {
            "days": trial.days,
            "since": trial.since.isoformat(),
            "looked": trial.looked,
            "caught": trial.caught,
            "elsewhere": trial.elsewhere,
            "sentence": trial.sentence(),
            "examples": [
                {
                    "id": e.id,
                    "customer": e.customer,
                    "platform": e.platform,
                    "department": e.department,
                    "opened_at": e.opened_at.isoformat(),
                    "text": e.text,
                    "elsewhere": e.elsewhere,
                }
                for e in trial.examples
            ],
        }
    )
