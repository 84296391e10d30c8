"""The settings area, `/w/{slug}/settings` (docs/web.md, "Settings"): an admin edits the
workspace's brands and competitors, saved queries, complaint reasons, departments, alert
thresholds, notification targets, holding statements and business hours, one page each, and
reads who changed what.

Each page's form is checked whole by the settings' own models (`settings.sections.with_section`,
the same rules as the settings file) and saved as a new version of the workspace
(`store.workspace_settings.save`), whose summary is the history's line. A refused form is shown
again as typed, with the one-line reason next to its field, and nothing is saved. A form carries
the version it was read from: saved over a newer one, it is refused rather than undo an other
admin's change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from rumeur.config import Workspace
from rumeur.errors import ConfigError
from rumeur.i18n import _
from rumeur.inbox.rules import query_problem
from rumeur.settings import sections
from rumeur.settings.alerts import AlertSettings
from rumeur.settings.inbox import APPROVALS, WEEKDAYS, BusinessHours
from rumeur.store import workspace_settings as versions
from rumeur.web.auth import Viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.filters import FilterError
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context
from rumeur.web.settings import forms, reasons, sending, thresholds
from rumeur.web.settings.forms import Kind

router = APIRouter(include_in_schema=False)
Reading = Annotated[Viewer, Depends(page_viewer(Permission.SETTINGS))]
Editing = Annotated[Viewer, Depends(csrf_checked(Permission.SETTINGS))]
ALERTS = {key: Kind.VALUE for key in AlertSettings.model_fields}


@dataclass(frozen=True, slots=True)
class Part:
    """A part of a page's form: the fields under `prefix`, one table or a list of rows."""

    prefix: str  # the settings key path: "brand", "competitors", "notify.targets"
    kinds: Mapping[str, Kind]
    listed: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    slug: str  # the page's address, /w/{ws}/settings/{slug}
    parts: tuple[Part, ...]
    title: Callable[[], str]

    @property
    def template(self) -> str:
        return f"settings_{self.slug.replace('-', '_')}.html"


SECTIONS = (
    Section(
        "brands",
        (Part("brand", forms.BRAND), Part("competitors", forms.BRAND, True)),
        lambda: _("Brands and competitors"),
    ),
    Section("queries", (Part("queries", forms.QUERY, True),), lambda: _("Saved queries")),
    Section("reasons", (Part("reasons", forms.REASON, True),), lambda: _("Complaint reasons")),
    Section(
        "departments", (Part("departments", forms.DEPARTMENT, True),), lambda: _("Departments")
    ),
    Section("alerts", (Part("alerts", ALERTS),), lambda: _("Alert thresholds")),
    Section(
        "notify",
        (Part("notify", forms.NOTIFY), Part("notify.targets", forms.TARGET, True)),
        lambda: _("Notifications"),
    ),
    Section(
        "statements", (Part("statements", forms.STATEMENT, True),), lambda: _("Holding statements")
    ),
    Section("business-hours", (Part("business_hours", forms.HOURS),), lambda: _("Business hours")),
)
BY_SLUG = {s.slug: s for s in SECTIONS}


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a form was not saved: the one line, and the field (its name in the form) it is
    about; "" when it is about the whole form."""

    line: str
    at: str = ""


# Reading the workspace and its versions --------------------------------------------------------


def _version(request: Request, slug: str) -> int:
    """The workspace's newest stored version (0: only the settings file's)."""
    return versions.current_version(state(request).store, slug)


def _file_workspace(request: Request, slug: str) -> Workspace | None:
    """The settings file's workspace: what the first stored version's summary compares with."""
    return next((w for w in state(request).file_settings.workspaces if w.slug == slug), None)


def _data(ws: Workspace) -> dict[str, Any]:
    return ws.model_dump(mode="python")


def _at(data: Mapping[str, Any], path: str) -> Any:
    for key in path.split("."):
        data = data.get(key) or {}
    return data


def filled(section: Section, ws: Workspace) -> tuple[dict[str, Any], dict[str, int]]:
    """The fields of `section`'s form as the workspace holds them, and each list's row count
    (the rows held and one empty row to add another)."""
    data = _data(ws)
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for part in section.parts:
        held = _at(data, part.prefix)
        if part.prefix == "notify.targets":
            for i, target in enumerate(held or []):
                values |= forms.fill_target(f"{part.prefix}[{i}]", target)
        elif part.listed:
            values |= forms.fill_items(part.prefix, held or [], part.kinds)
        elif part.prefix == "business_hours":
            values[f"{part.prefix}.enabled"] = held is not None and held != {}
            default = BusinessHours().model_dump(mode="python")
            values |= forms.fill_object(part.prefix, held or default, part.kinds)
        else:
            values |= forms.fill_object(part.prefix, held or {}, part.kinds)
        if part.listed:
            rows[part.prefix] = len(held or []) + 1
    return values, rows


def _typed_rows(section: Section, form: Any) -> dict[str, int]:
    """A refused form's rows: those it sent, and an empty one after them (the one it sent
    when that one is still empty)."""
    rows = {}
    for part in section.parts:
        if part.listed:
            sent = forms.rows_sent(form, part.prefix)
            count = max(sent) + 1 if sent else 0
            held = {row for row, _item in forms.read_items(form, part.prefix, part.kinds)}
            rows[part.prefix] = count + 1 if not sent or count - 1 in held else count
    return rows


# Reading a form into sections --------------------------------------------------------------------


def read(section: Section, form: Any, ws: Workspace) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The settings sections the form sets, and each list's form rows in the order kept."""
    kept: dict[str, list[int]] = {}

    def listed(prefix: str, items: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
        kept[prefix] = [row for row, _item in items]
        return [item for _row, item in items]

    def items(prefix: str, kinds: Mapping[str, Kind]) -> list[dict[str, Any]]:
        return listed(prefix, forms.read_items(form, prefix, kinds))

    match section.slug:
        case "brands":
            changes = {
                "brand": forms.read_object(form, "brand", forms.BRAND),
                "competitors": items("competitors", forms.BRAND),
            }
        case "notify":
            targets = listed("notify.targets", forms.read_targets(form, ws.notify.targets))
            changes = {
                "notify": {**forms.read_object(form, "notify", forms.NOTIFY), "targets": targets}
            }
        case "business-hours":
            on = forms.read_value(form, "business_hours.enabled", Kind.CHECK)
            hours = forms.read_object(form, "business_hours", forms.HOURS)
            changes = {"business_hours": hours if on else None}
        case "alerts":
            changes = {"alerts": forms.read_object(form, "alerts", ALERTS)}
        case _:
            part = section.parts[0]
            changes = {part.prefix: items(part.prefix, part.kinds)}
    return changes, kept


_PATH = re.compile(
    r"^((?:brand|competitors|queries|reasons|departments|alerts|notify|statements|business_hours)"
    r"(?:\[\d+\]|\.[a-z_]+)*): "
)
_LAST = re.compile(r"(\[\d+\]|\.[a-z_]+)$")


def refusal(
    message: str, ws: Workspace, section: Section, kept: Mapping[str, list[int]]
) -> Refusal:
    """The one line of a refused form (`with_section`'s: `slug: key.path: why`), and the
    form's field it names: the key path's list indices (places in the list kept) turned back
    into the form's row numbers."""
    line = (message.splitlines() or [""])[0].removeprefix(f"{ws.slug}: ")
    found = _PATH.match(line)
    if found is None:
        return Refusal(line)
    # A target's errors name its kind after its place (pydantic's tag): not a field of the form.
    kinds = "|".join(forms.TARGET_KINDS)
    path = re.sub(rf"(targets\[\d+\])\.(?:{kinds})\b", r"\1", found.group(1))
    for prefix, rows in kept.items():
        path = re.sub(
            re.escape(prefix) + r"\[(\d+)\]",
            lambda m, rows=rows, prefix=prefix: f"{prefix}[{_row(rows, int(m.group(1)))}]",
            path,
        )
    field = _field(section, path)
    if not field:  # about another part of the workspace: the whole line, its key path said
        return Refusal(line)
    reason = reasons.in_words(line[found.end() :].strip(), path)
    return Refusal(reason or line, field)


def _row(rows: list[int], index: int) -> int:
    return rows[index] if 0 <= index < len(rows) else index


def _field(section: Section, path: str) -> str:
    """The nearest field or row of the form that `path` is in ("" for the whole form)."""
    while path:
        if _known(section, path):
            return path
        path = _LAST.sub("", path) if _LAST.search(path) else ""
    return ""


def _known(section: Section, path: str) -> bool:
    for part in section.parts:
        if part.listed:
            match = re.fullmatch(re.escape(part.prefix) + r"\[\d+\](?:\.([a-z_]+))?", path)
            if match and (match.group(1) is None or match.group(1) in part.kinds):
                return True
        elif path.startswith(part.prefix + ".") and path[len(part.prefix) + 1 :] in part.kinds:
            return True
    return False


def apply(ws: Workspace, changes: Mapping[str, Any]) -> Workspace:
    """`ws` with the form's sections; ConfigError (one line, its key path) if one is refused."""
    for name, value in changes.items():
        ws = sections.with_section(ws, name, value)
    return ws


# Pages ------------------------------------------------------------------------------------------


def _context(request: Request, viewer: Viewer, ws: Workspace, **more: Any) -> dict[str, Any]:
    return page_context(
        request,
        viewer,
        ws=ws,
        sections=SECTIONS,
        weekdays=WEEKDAYS,
        approvals=APPROVALS,
        target_kinds=forms.TARGET_KINDS,
        security=forms.SECURITY,
        thresholds=thresholds,
        # What the page shows of a target's address written in the settings: its host only.
        inline_hosts={
            t.name: host for t in ws.notify.targets if (host := sending.host_of_target(t))
        },
        saved_targets={t.name for t in ws.notify.targets},
        **more,
    )


def _section_page(
    request: Request,
    viewer: Viewer,
    ws: Workspace,
    section: Section,
    values: dict[str, Any],
    rows: dict[str, int],
    version: int,
    refused: Refusal | None = None,
    saved: int | None = None,
    status: int = 200,
    outcome: Any = None,
) -> Response:
    context = _context(
        request,
        viewer,
        ws,
        section=section,
        values=values,
        rows=rows,
        settings_version=version,  # not `version`: the footer names the app's version
        refused=refused,
        saved=saved,
        outcome=outcome,
        alert_defaults={
            k: forms.shown(v, Kind.VALUE) for k, v in AlertSettings().model_dump().items()
        },
    )
    return page(section.template, context, status=status)


@router.get("/w/{slug}/settings")
def overview(request: Request, slug: str, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    recent = versions.history(state(request).store, ws.slug, limit=5)
    return page("settings.html", _context(request, viewer, ws, recent=recent))


@router.get("/w/{slug}/settings/history")
def history_page(request: Request, slug: str, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    listed = versions.history(state(request).store, ws.slug, limit=200)
    return page("settings_history.html", _context(request, viewer, ws, history=listed))


def _saved_of(request: Request) -> int | None:
    value = request.query_params.get("saved", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def show(request: Request, slug: str, viewer: Reading, section: Section) -> Response:
    ws = workspace_of(request, slug)
    values, rows = filled(section, ws)
    version = _version(request, ws.slug)
    return _section_page(
        request, viewer, ws, section, values, rows, version, saved=_saved_of(request)
    )


async def save(request: Request, slug: str, viewer: Editing, section: Section) -> Response:
    """Check the whole form, save it as a new version, and go back to the page with the
    version's number; or the page again as typed, with why, and nothing saved."""
    ws = workspace_of(request, slug)
    form = await request.form()
    based_on = forms.text_of(form, "version").strip()
    if not based_on.isdigit():
        raise FilterError(_("version: the form is incomplete; reload the page"))
    current = _version(request, ws.slug)
    if int(based_on) != current:
        raise HTTPException(
            409,
            _(
                "the settings were changed (version {version}) since this page was opened: "
                "reload it and make your change again"
            ).format(version=current),
        )
    try:
        changes, kept = read(section, form, ws)
    except forms.FormError as exc:
        return _refused(request, viewer, ws, section, form, current, Refusal(str(exc)))
    try:
        changed = apply(ws, changes)
    except ConfigError as exc:
        refused = refusal(str(exc), ws, section, kept)
        return _refused(request, viewer, ws, section, form, current, refused)
    here = f"/w/{ws.slug}/settings/{section.slug}"
    if changed == ws:  # nothing to store: said so, rather than a version that changes nothing
        return RedirectResponse(f"{here}?saved=0", status_code=303)
    store = state(request).store
    number = versions.save(store, changed, viewer.user.name, base=_file_workspace(request, ws.slug))
    return RedirectResponse(f"{here}?saved={number}", status_code=303)


def _refused(
    request: Request,
    viewer: Viewer,
    ws: Workspace,
    section: Section,
    form: Any,
    version: int,
    refused: Refusal,
) -> Response:
    """The page again as typed, with why, and nothing saved."""
    values = forms.typed(form)
    rows = _typed_rows(section, form)
    return _section_page(
        request, viewer, ws, section, values, rows, version, refused=refused, status=400
    )


def _register(section: Section) -> None:
    """The GET and POST routes of one section's page (explicit paths: each is a route of its
    own in the role table, tests/web/test_roles.py)."""

    def get(request: Request, slug: str, viewer: Reading) -> Response:
        return show(request, slug, viewer, section)

    async def post(request: Request, slug: str, viewer: Editing) -> Response:
        return await save(request, slug, viewer, section)

    path = f"/w/{{slug}}/settings/{section.slug}"
    router.add_api_route(path, get, methods=["GET"], name=f"settings_{section.slug}")
    router.add_api_route(path, post, methods=["POST"], name=f"save_settings_{section.slug}")


for _section in SECTIONS:
    _register(_section)


# The query checked as typed, and the test message ------------------------------------------------


FormField = Annotated[str, Form()]


@router.post("/w/{slug}/settings/queries/check")
async def check_query(request: Request, slug: str, viewer: Editing) -> Response:
    """The htmx fragment under a query's field as it is typed (the field `queries[i].query`
    that htmx sends): the query's one-line error and caret, or a word that it reads."""
    ws = workspace_of(request, slug)
    form = await request.form()
    name = next((k for k in form if k == "query" or k.endswith("].query")), "query")
    query = forms.text_of(form, name)
    error = query_problem(query) if query.strip() else None
    context = _context(request, viewer, ws, error=error, empty=not query.strip())
    return page("settings_query_check.html", context)


@router.post("/w/{slug}/settings/notify/test")
def test_target(request: Request, slug: str, viewer: Editing, target: FormField = "") -> Response:
    """Send a test message to a saved target; its outcome in one line (the htmx fragment, or
    the notifications page with it)."""
    ws = workspace_of(request, slug)
    found = next((t for t in ws.notify.targets if t.name == target), None)
    if found is None:
        raise FilterError(_("target: no notification target {name!r} is saved").format(name=target))
    outcome = sending.send_test(ws, found, viewer.user.name)
    if request.headers.get("hx-request"):
        return page("settings_test_outcome.html", _context(request, viewer, ws, outcome=outcome))
    section = BY_SLUG["notify"]
    values, rows = filled(section, ws)
    return _section_page(
        request, viewer, ws, section, values, rows, _version(request, ws.slug), outcome=outcome
    )
