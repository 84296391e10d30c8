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


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.ANALYST: frozenset(
        {Permission.DASHBOARD, Permission.STREAM, Permission.EXPORT, Permission.ACCOUNT}
    ),
    Role.COMMUNITY_MANAGER: frozenset(
        {Permission.DASHBOARD, Permission.STREAM, Permission.EXPORT, Permission.ACCOUNT}
    ),
    # Advisers answer customers one by one: they read posts, they do not take the archive away.
    Role.CARE: frozenset({Permission.DASHBOARD, Permission.STREAM, Permission.ACCOUNT}),
    # Read-only, and every read is narrowed to the department's items (see `scope.py`).
    Role.DEPARTMENT: frozenset(
        {Permission.DASHBOARD, Permission.STREAM, Permission.EXPORT, Permission.ACCOUNT}
    ),
}


def allowed(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
