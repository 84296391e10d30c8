"""User accounts: argon2id hashes, unique names whatever the case, roles and departments, and the
`rumeur users` commands, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from clirun import rumeur
from rumeur.config import load_settings
from rumeur.errors import RumeurError
from rumeur.store import Store
from rumeur.store.schema import users
from rumeur.web.accounts import (
    AccountError,
    Role,
    add_user,
    authenticate,
    hash_password,
    list_users,
    verify_password,
)

PASSWORD = "correct horse battery"
# The hashing itself is tested here: with the app's hasher, not the tests' cheap one (conftest).
pytestmark = pytest.mark.usefixtures("real_hasher")


def stored(store: Store, name_key: str) -> dict:
    with store.engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name_key == name_key)).mappings().one()
    return dict(row)


def test_add_and_authenticate(store: Store) -> None:
    user = add_user(store, "Alice", "analyst", PASSWORD)
    assert user.role is Role.ANALYST and user.department is None and not user.disabled
    signed_in = authenticate(store, "Alice", PASSWORD)
    assert signed_in is not None and signed_in.id == user.id and signed_in.name == "Alice"
    assert authenticate(store, "ALICE", PASSWORD) == signed_in
    assert authenticate(store, "Alice", PASSWORD + "!") is None
    assert authenticate(store, "Bob", PASSWORD) is None
    assert [u.name for u in list_users(store)] == ["Alice"]


def test_the_hash_is_argon2id_and_not_the_password(store: Store) -> None:
    add_user(store, "alice", "admin", PASSWORD)
    row = stored(store, "alice")
    assert row["password_hash"].startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(row["password_hash"])  # argon2-cffi's defaults
    assert PASSWORD not in row["password_hash"]
    assert row["api_token_hash"] is None
    assert verify_password(row["password_hash"], PASSWORD)
    assert not verify_password(row["password_hash"], "wrong password!")
    assert not verify_password("not a hash", PASSWORD)


def test_a_name_is_taken_whatever_its_case(store: Store) -> None:
    add_user(store, "Alice", "analyst", PASSWORD)
    with pytest.raises(AccountError, match="a user named 'Alice' already exists"):
        add_user(store, "aLICE", "care", PASSWORD)
    assert len(list_users(store)) == 1


def test_department_role_rules(store: Store) -> None:
    ws = load_settings().workspace(None)  # the demo workspace: customer-care, operations...
    with pytest.raises(AccountError, match="needs a department"):
        add_user(store, "ops", "department", PASSWORD)
    with pytest.raises(AccountError, match="no department 'nope' in workspace united"):
        add_user(store, "ops", "department", PASSWORD, "nope", ws)
    with pytest.raises(AccountError, match="only the department role takes a department"):
        add_user(store, "ops", "analyst", PASSWORD, "operations")
    with pytest.raises(AccountError, match="not a slug"):
        add_user(store, "ops", "department", PASSWORD, "Not A Slug")
    user = add_user(store, "ops", "department", PASSWORD, "operations", ws)
    assert user.role is Role.DEPARTMENT and user.department == "operations"
    assert stored(store, "ops")["department"] == "operations"


def test_unknown_role_short_password_and_bad_name(store: Store) -> None:
    with pytest.raises(AccountError, match="unknown role 'boss'"):
        add_user(store, "alice", "boss", PASSWORD)
    with pytest.raises(AccountError, match="too short: at least 12 characters"):
        add_user(store, "alice", "analyst", "x" * 11)
    with pytest.raises(AccountError, match="user name"):
        add_user(store, "two words", "analyst", PASSWORD)
    assert issubclass(AccountError, RumeurError)
    assert list_users(store) == []


def test_an_old_hash_is_replaced_on_sign_in(store: Store) -> None:
    add_user(store, "alice", "analyst", PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    with store.transaction() as conn:
        conn.execute(users.update().values(password_hash=weak))
    assert authenticate(store, "alice", PASSWORD) is not None
    renewed = stored(store, "alice")["password_hash"]
    assert renewed != weak and renewed.startswith("$argon2id$")
    assert authenticate(store, "alice", PASSWORD) is not None


def test_a_disabled_user_cannot_sign_in(store: Store) -> None:
    add_user(store, "alice", "analyst", PASSWORD)
    with store.transaction() as conn:
        conn.execute(users.update().values(disabled=True))
    assert authenticate(store, "alice", PASSWORD) is None


def test_hash_password_salts() -> None:
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


def test_users_add_and_list(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = str(tmp_path / "u.db")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    ran = rumeur(
        capsys, "users", "add", "Alice", "--role", "analyst", "--password-stdin", "--db", db
    )
    assert ran.code == 0, ran.err
    assert "user Alice added (analyst)" in ran.out
    assert PASSWORD not in ran.out + ran.err

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    ran = rumeur(
        capsys, "users", "add", "ops", "--role", "department", "--department", "baggage",
        "--password-stdin", "--db", db,
    )  # fmt: skip
    assert ran.code == 0, ran.err

    ran = rumeur(capsys, "users", "list", "--db", db)
    assert ran.code == 0, ran.err
    assert "Alice" in ran.out and "analyst" in ran.out
    assert "ops" in ran.out and "baggage" in ran.out
    assert "argon2" not in ran.out and PASSWORD not in ran.out

    store = Store.open(db)
    try:
        assert authenticate(store, "alice", PASSWORD) is not None
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["alice", "--role", "analyst"], PASSWORD, "a user named 'Alice' already exists"),
        (["bob", "--role", "boss"], PASSWORD, "unknown role 'boss'"),
        (["bob", "--role", "care"], "tiny1234", "the password is too short"),
        (["bob", "--role", "department"], PASSWORD, "the department role needs a department"),
        (["bob", "--role", "department", "--department", "nope"], PASSWORD, "no department"),
    ],
)
def test_users_add_errors_are_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    db = str(tmp_path / "u.db")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert (
        rumeur(
            capsys, "users", "add", "Alice", "--role", "analyst", "--password-stdin", "--db", db
        ).code
        == 0
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin + "\n"))
    ran = rumeur(capsys, "users", "add", *args, "--password-stdin", "--db", db)
    assert ran.code == 1
    assert ran.err.startswith("rumeur: error: ") and message in ran.err
    assert ran.err.count("\n") == 1
    assert stdin not in ran.err


def test_there_is_no_password_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ran = rumeur(
        capsys, "users", "add", "bob", "--role", "care", "--password", PASSWORD,
        "--db", str(tmp_path / "u.db"),
    )  # fmt: skip
    assert ran.code != 0
