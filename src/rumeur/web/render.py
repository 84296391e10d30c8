"""Pages are Jinja templates rendered on the server, with autoescaping on: a stranger's text is
always text. Messages go through `_()` in the request's language, numbers and dates through
Babel in that language and the workspace's time zone."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from rumeur import __version__, i18n
from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.model import platform_name
from rumeur.web.auth import Viewer, state
from rumeur.web.crisis import open_count
from rumeur.web.filters import reasons_for
from rumeur.web.permissions import Permission, allowed

HTMX = "htmx-2.0.11.min.js"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("rumeur.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from rumeur.alerts import kinds
    from rumeur.query.fields import EMOTIONS, SENTIMENTS
    from rumeur.web import labels
    from rumeur.web.figures import charts
    from rumeur.web.filters import field_query, stream_link
    from rumeur.web.links import DashboardLinks

    env.globals.update(
        _=_,
        version=__version__,
        htmx=HTMX,
        safe_url=safe_url,
        labels=labels,
        label_platform=platform_name,
        sentiments=SENTIMENTS,
        emotions=EMOTIONS,
        dashboard_charts=charts,
        stream_link=stream_link,
        dashboard_links=DashboardLinks.of,
        field_query=field_query,
        alert_kind=kinds.label,  # the one naming of the alert kinds, as the notifications
    )
    env.filters.update(number=_number, percent=_percent, moment=_moment, day=i18n.day)
    return env


def page(name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Template `name` rendered in the request's language."""
    html = environment().get_template(name).render(language=i18n.language(), **context)
    return HTMLResponse(html, status_code=status)


def page_context(request: Request, viewer: Viewer | None, **more: Any) -> dict[str, Any]:
    """What every page's template reads (who is asking, what they may do, the workspaces
    they are offered, the open alerts' count), with the page's own values in `more`."""
    settings = state(request).settings
    can = {p.value: viewer is not None and allowed(viewer.user.role, p) for p in Permission}
    # A department user is offered only the workspaces that have their department.
    shown = [
        ws for ws in settings.workspaces if viewer is None or reasons_for(viewer.user, ws) != ()
    ]
    # The pages outside a workspace (account, users) keep the same links as the others: to
    # the viewer's home workspace (the default one, when they may see it).
    nav_ws = more.get("ws") or _home(settings.workspace(), shown)
    alerting = viewer is not None and nav_ws is not None and can[Permission.ALERTS.value]
    return {
        "viewer": viewer,
        "can": can,
        "nav_ws": nav_ws,
        "open_alerts": open_count(state(request).store, nav_ws.slug) if alerting else 0,
        "workspaces": shown,
        "path": request.url.path,
        "query_string": request.url.query,
        **more,
    }


def _home(default: Workspace, shown: list[Workspace]) -> Workspace | None:
    return default if default in shown else (shown[0] if shown else None)


def _number(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else i18n.number(value, digits)


def _percent(value: float | None) -> str:
    return "–" if value is None else i18n.percent(value)


def _moment(value: datetime, zone: ZoneInfo, style: str = "medium") -> str:
    return i18n.moment(value, zone, style)


def safe_url(value: str | None) -> str | None:
    """A stranger's address if it is a web address (http or https), else None: a
    `javascript:` or `data:` address never becomes a link."""
    if not value:
        return None
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return None
    return value.strip() if scheme in ("http", "https") else None
