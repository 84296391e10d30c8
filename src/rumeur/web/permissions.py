"""What each role may do. Every route names the permission it needs; a test walks every route
as every role against this table."""

from __future__ import annotations

from enum import StrEnum

from rumeur.web.accounts import Role


class Permission(StrEnum):
    DASHBOARD = "dashboard"  # read the listening dashboard
    STREAM = "stream"  # read the mention stream and the posts' details
    EXPORT = "export"  # download a filtered view as CSV
    ACCOUNT = "account"  # one's own language and API token
    USERS = "users"  # create, disable and list accounts
    ALERTS = "alerts"  # read the alerts and their crisis rooms
    RESPOND = "respond"  # ack, mute, assign tasks and write notes in a crisis room
    INBOX = "inbox"  # read the shared inbox's conversations (a department: its own)
    ANSWER = "answer"  # take, assign, note, resolve and answer conversations
    ROUTING = "routing"  # write, try, move and delete the inbox's routing rules (admins only)
    SETTINGS = "settings"  # edit the workspace's settings in the app, read their history (admins)
    LABEL = "label"  # correct a post's sentiment, emotion or complaint reason
    PUBLISH = "publish"  # compose, schedule and approve posts of the owned accounts
    # read the influencers, keep the relationship file and the campaigns (docs/influence.md)
    INFLUENCE = "influence"
    WORKERS = "workers"  # the health figures: the Workers page and /metrics (admins only)


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    # Analysts read the inbox's figures and conversations; they do not answer customers.
    Role.ANALYST: frozenset(
        {Permission.DASHBOARD, Permission.STREAM, Permission.EXPORT, Permission.ACCOUNT}
        | {Permission.ALERTS, Permission.RESPOND, Permission.INBOX, Permission.LABEL}
        | {Permission.INFLUENCE}
    ),
    Role.COMMUNITY_MANAGER: frozenset(
        {Permission.DASHBOARD, Permission.STREAM, Permission.EXPORT, Permission.ACCOUNT}
        | {Permission.ALERTS, Permission.RESPOND, Permission.INBOX, Permission.ANSWER}
        | {Permission.LABEL, Permission.PUBLISH, Permission.INFLUENCE}
    ),
    # Advisers answer customers one by one: they read posts, they do not take the archive away.
    # They follow a crisis (its room, its statements) but do not run it.
    Role.CARE: frozenset(
        {Permission.DASHBOARD, Permission.STREAM, Permission.ACCOUNT, Permission.ALERTS}
        | {Permission.INBOX, Permission.ANSWER}
    ),
    # Every read is narrowed to the department's items (see `scope.py`). Alerts count the whole
    # workspace, so a department does not see them. In the inbox, a department sees and answers
    # the conversations routed to it, and those only (web/inbox.py).
    Role.DEPARTMENT: frozenset(
        {Permission.DASHBOARD, Permission.STREAM, Permission.EXPORT, Permission.ACCOUNT}
        | {Permission.INBOX, Permission.ANSWER}
    ),
}


def allowed(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
