"""User accounts: who may sign in to the web app, with which role.

Passwords are hashed with argon2id (argon2-cffi's `PasswordHasher` and its defaults) and rehashed
on sign-in when those defaults move on. Neither a password nor a hash is ever logged or printed:
`User` does not carry the hash at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.store import accounts as rows

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from rumeur.config import Workspace
    from rumeur.store import Store

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length, but hashing a megabyte is a cost to refuse
NAME = re.compile(r"^[\w.@+-]{1,64}$")
DEPARTMENT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    COMMUNITY_MANAGER = "community_manager"
    CARE = "care"
    DEPARTMENT = "department"  # read-only, its department's items only


# From the least to the most powerful. A department account reads its department's items only;
# care answers customers but takes nothing away (no export) nor runs a crisis; an analyst reads
# and exports everything; a community manager also answers; an admin does all. The add-user
# form offers the roles in this order and starts on the least powerful one it can give, so
# that a slip of the admin's hand never makes another admin.
BY_POWER = (Role.DEPARTMENT, Role.CARE, Role.ANALYST, Role.COMMUNITY_MANAGER, Role.ADMIN)


def default_role(departments: Sequence[str]) -> Role:
    """The least powerful role that can be given: the department role needs a department."""
    return next(r for r in BY_POWER if r is not Role.DEPARTMENT or departments)


class AccountError(RumeurError):
    """An account cannot be created as asked: the one line says why."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role
    department: str | None
    created_at: datetime
    disabled: bool


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the name is unknown, so that both cases take as long."""
    return _hasher().hash("not a password of anyone's")


def hash_password(password: str) -> str:
    """An argon2id PHC string (`$argon2id$v=19$...`)."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def name_key(name: str) -> str:
    return name.casefold()


def add_user(
    store: Store,
    name: str,
    role: str,
    password: str,
    department: str | None = None,
    workspace: Workspace | None = None,
    now: datetime | None = None,
) -> User:
    """Create an account. The department role needs a department (one of the workspace's, when a
    workspace is given); the other roles take none."""
    name = name.strip()
    if not NAME.match(name):
        raise AccountError(
            _("user name {name!r}: 1 to 64 letters, digits and . @ + - _").format(name=name)
        )
    try:
        checked = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise AccountError(
            _("unknown role {role!r} (roles: {known})").format(role=role, known=known)
        ) from None
    department = _department(checked, department, workspace)
    _check_password(password)
    password_hash = hash_password(password)
    now = now or datetime.now(UTC)
    row = {
        "name": name,
        "name_key": name_key(name),
        "role": checked.value,
        "department": department,
        "password_hash": password_hash,
        "api_token_hash": None,
        "created_at": now,
        "updated_at": now,
        "disabled": False,
    }
    try:
        new_id = rows.insert_user(store, row)
    except rows.NameTaken as taken:
        raise AccountError(
            _("a user named {name!r} already exists").format(name=taken.name)
        ) from None
    return User(new_id, name, checked, department, now, False)


def _department(role: Role, department: str | None, workspace: Workspace | None) -> str | None:
    if role is not Role.DEPARTMENT:
        if department is not None:
            raise AccountError(
                _("only the department role takes a department, not {role}").format(role=role)
            )
        return None
    if not department:
        raise AccountError(_("the department role needs a department (--department SLUG)"))
    if workspace is not None:
        known = [d.slug for d in workspace.departments]
        if department not in known:
            raise AccountError(
                _("no department {slug!r} in workspace {ws} (it has: {known})").format(
                    slug=department, ws=workspace.slug, known=", ".join(known) or "-"
                )
            )
    elif not DEPARTMENT.match(department):
        raise AccountError(_("department {slug!r}: not a slug").format(slug=department))
    return department


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            _("the password is too short: at least {n} characters").format(n=MIN_PASSWORD)
        )
    if len(password) > MAX_PASSWORD or "\x00" in password:
        raise AccountError(
            _("the password is too long (at most {n} characters) or holds a NUL").format(
                n=MAX_PASSWORD
            )
        )


def well_formed(name: str, password: str) -> bool:
    """Whether `name` and `password` could belong to an account at all: a name of the shape
    `add_user` allows, a password no longer than any it takes and without a NUL. What is not
    is refused before it reaches the store, the throttle or a log."""
    return (
        bool(NAME.match(name.strip())) and len(password) <= MAX_PASSWORD and "\x00" not in password
    )


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user with this name (in any case) and password, or None. An unknown name costs a
    verification too, so the answer's timing does not tell whether a name exists."""
    if not well_formed(name, password):
        return None
    row = rows.user_named(store, name_key(name.strip()))
    if row is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(row["password_hash"], password) or row["disabled"]:
        return None
    if needs_rehash(row["password_hash"]):
        values = {"password_hash": hash_password(password), "updated_at": datetime.now(UTC)}
        rows.update_user(store, row["id"], values)
    return row_user(row)


def find_user(store: Store, name: str) -> User:
    """The account named `name` (in any case), or an AccountError."""
    if not NAME.match(name.strip()):
        raise AccountError(_("no user named {name!r}").format(name=name))
    row = rows.user_named(store, name_key(name.strip()))
    if row is None:
        raise AccountError(_("no user named {name!r}").format(name=name))
    return row_user(row)


def list_users(store: Store) -> list[User]:
    """Every account, by name."""
    return [row_user(r) for r in rows.all_users(store)]


def row_user(row: Any) -> User:
    return User(
        row["id"],
        row["name"],
        Role(row["role"]),
        row["department"],
        row["created_at"],
        bool(row["disabled"]),
    )


def set_password(store: Store, user_id: int, password: str) -> None:
    _check_password(password)
    values = {"password_hash": hash_password(password), "updated_at": datetime.now(UTC)}
    rows.update_user(store, user_id, values)


def set_language(store: Store, user_id: int, language: str) -> None:
    rows.update_user(store, user_id, {"language": language, "updated_at": datetime.now(UTC)})


def set_disabled(store: Store, user_id: int, disabled: bool) -> User | None:
    """Disable or enable an account; a disabled account's sessions and token stop working."""
    values = {"disabled": disabled, "updated_at": datetime.now(UTC)}
    row = rows.update_user_row(store, user_id, values)
    return None if row is None else row_user(row)


def print_users(found: Sequence[User]) -> None:
    """The accounts as a table: never a hash."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from rumeur.web import labels

    table = Table(title_justify="left")
    for header in (_("Name"), _("Role"), _("Department"), _("Created"), _("Disabled")):
        table.add_column(header)
    for user in found:
        table.add_row(
            Text(user.name),
            Text(labels.role(user.role.value)),
            Text(user.department or ""),
            Text(user.created_at.strftime("%Y-%m-%d %H:%M UTC")),
            Text(_("yes") if user.disabled else ""),
        )
    Console(highlight=False).print(table)
