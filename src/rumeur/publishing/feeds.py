"""Each team's iCalendar feed token (docs/publish.md, "The iCalendar feed").

A calendar app cannot sign in: it reads an address, so the address carries a secret of its
own, never a password nor an API token. A feed token (`rcal_` and 43 random characters) gives
one team's calendar to read and nothing else; it is shown once, when made, and the database
keeps only its SHA-256 (random enough that a slow hash adds nothing, as for API tokens). Making
a new one for a team replaces the old, which stops answering.

A team is a department of the workspace (its slug): its feed holds the items of the owned
accounts of that department. The team `""` is the whole workspace.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from rumeur.config import Workspace
from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.publishing import ical
from rumeur.publishing.calendar import Filters
from rumeur.store import calendar as rows
from rumeur.store.store import Store

PREFIX = "rcal_"
BEFORE, AFTER = timedelta(days=31), timedelta(days=366)  # what a feed holds around now
WHOLE = ""  # the team of the whole workspace


class FeedError(RumeurError):
    """A team that the workspace does not have."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_team(ws: Workspace, team: str) -> str:
    if team == WHOLE or any(d.slug == team for d in ws.departments):
        return team
    raise FeedError(_("no department {team} in this workspace").format(team=team))


def issue(store: Store, ws: Workspace, team: str, by: str | None, now: datetime) -> str:
    """A new feed token for `team`, replacing its old one; the token, to be shown once."""
    check_team(ws, team)
    token = PREFIX + secrets.token_urlsafe(32)
    rows.save_feed(store, ws.slug, team, digest(token), by, now)
    return token


def opens(store: Store, ws: Workspace, team: str, token: str) -> bool:
    """Whether `token` is `team`'s feed token in this workspace."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return False
    found = rows.feed_team(store, ws.slug, digest(token))
    return found is not None and hmac.compare_digest(found.encode(), team.encode())


def calendar(store: Store, ws: Workspace, team: str, now: datetime) -> str:
    """`team`'s feed: its accounts' items from a month ago to a year ahead."""
    accounts = Filters(department=team).accounts(ws) if team != WHOLE else None
    items = rows.between(store, ws.slug, now - BEFORE, now + AFTER, accounts)
    names = {d.slug: d.name for d in ws.departments}
    return ical.feed(items, workspace=ws.slug, name=ws.name, team=names.get(team, team))
