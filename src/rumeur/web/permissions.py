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


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.ANALYST: frozenset(
        {Permission.DASHBOARD, Permission.STREAM, Permission.EXPORT, Permission.ACCOUNT}
        | {Permission.ALERTS, Permission.RESPOND}
    ),
    Role.COMMUNITY_MANAGER: frozenset(
        {Permission.DASHBOARD, Permission.STREAM, Permission.EXPORT, Permission.ACCOUNT}
        | {Permission.ALERTS, Permission.RESPOND}
    ),
    # Advisers answer customers one by one: they read posts, they do not take the archive away.
    # They follow a crisis (its room, its statements) but do not run it.
    Role.CARE: frozenset(
        {Permission.DASHBOARD, Permission.STREAM, Permission.ACCOUNT, Permission.ALERTS}
    ),
    # Read-only, and every read is narrowed to the department's items (see `scope.py`). Alerts
    # count the whole workspace, so a department does not see them.
    Role.DEPARTMENT: frozenset(
        {Permission.DASHBOARD, Permission.STREAM, Permission.EXPORT, Permission.ACCOUNT}
    ),
}


def allowed(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
