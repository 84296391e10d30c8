"""Approval workflows (docs/publish.md, "Approvals"): steps in order, `any` and `all`, a change
after approval back to the first step, a rejection back to draft, a locked master, local
managers confined to their own accounts, "post now" through the workflow unless the author may
skip, and two approvers at once never approving twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import laposte_workspace as laposte
import pytest

from rumeur.config import Workspace, parse_settings
from rumeur.publishing import approvals
from rumeur.publishing.approvals import ApprovalError
from rumeur.publishing.schedule import schedule
from rumeur.publishing.spec import read
from rumeur.store import Store
from rumeur.store import approvals as decisions
from rumeur.store.publishing import item as load

NOW = datetime(2030, 6, 1, 6, tzinfo=UTC)
AT = "2030-06-01T09:00:00+02:00"
WORKFLOWS = """
[[workspaces.workflows]]
name = "regions"
departments = ["rhone", "nord"]
may_skip = ["ada"]

[[workspaces.workflows.steps]]
seniors = true

[[workspaces.workflows.steps]]
users = ["léa", "marc"]
need = "all"

[[workspaces.workflows]]
name = "toulouse"
accounts = ["toulouse"]
may_skip_roles = ["admin"]

[[workspaces.workflows.steps]]
roles = ["community_manager"]
"""
SETTINGS = laposte.settings(
    laposte.department("rhone", "lucie"),
    laposte.department("nord", "nadia"),
    laposte.account("lyon", department="rhone"),
    laposte.account("lille", department="nord"),
    laposte.account("toulouse"),
    WORKFLOWS,
)
CM = "community_manager"
sqlite = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def ws() -> Workspace:
    return parse_settings(SETTINGS, "flows.toml").workspaces[0]


def _item(store: Store, ws: Workspace, account: str, author: str = "cyril", role: str = CM,
          at: str = AT) -> int:  # fmt: skip
    spec = read({"text": "Bureau de {ville} 📮", "accounts": [account], "at": at}, ws.timezone)
    outcome = schedule(store, ws, spec, NOW, author=author, role=role)
    [item] = outcome.created
    return item.id


def _approve(store: Store, ws: Workspace, item_id: int, name: str, role: str = CM) -> str:
    return approvals.decide(store, ws, item_id, name, role, NOW).line


@sqlite
def test_two_steps_the_second_with_all(store: Store, ws: Workspace) -> None:
    item_id = _item(store, ws, "lyon")
    with pytest.raises(ApprovalError, match="léa may not approve item 1 at step 1: lucie may"):
        _approve(store, ws, item_id, "léa")
    assert _approve(store, ws, item_id, "lucie") == (
        "item 1 approved by lucie; step 2 of 2: waiting for léa, marc"
    )
    assert _approve(store, ws, item_id, "léa") == (
        "item 1 approved by léa; step 2 of 2: waiting for marc"
    )
    assert _approve(store, ws, item_id, "LÉA").startswith("item 1: LÉA approved this step already")
    assert _approve(store, ws, item_id, "marc") == "item 1 approved: scheduled"
    found = load(store, item_id)
    assert found is not None and found.status == "scheduled" and found.approved_by == "marc"
    kept = decisions.history(store, item_id)
    assert [(r.step, r.approver, r.decision) for r in kept] == [
        (1, "lucie", "approved"), (2, "léa", "approved"), (2, "marc", "approved"),
    ]  # fmt: skip
    assert {r.text_hash for r in kept} == {decisions.text_hash(found)}


@sqlite
def test_any_one_of_a_role_is_enough_and_the_author_is_not(store: Store, ws: Workspace) -> None:
    item_id = _item(store, ws, "toulouse")
    with pytest.raises(ApprovalError, match="cyril wrote item 1: someone else approves it"):
        _approve(store, ws, item_id, "cyril")
    with pytest.raises(ApprovalError, match="ana may not approve"):
        _approve(store, ws, item_id, "ana", "analyst")
    assert _approve(store, ws, item_id, "sam") == "item 1 approved: scheduled"
    held = _item(store, ws, "toulouse", at="2030-06-03T09:00")
    unheld = ws.model_copy(update={"workflows": ws.workflows[:1]})  # its workflow taken out
    assert _approve(store, unheld, held, "ana", "analyst") == f"item {held} approved: scheduled"


@sqlite
def test_a_change_after_approval_goes_back_to_the_first_step(store: Store, ws: Workspace) -> None:
    item_id = _item(store, ws, "lyon")
    _approve(store, ws, item_id, "lucie")
    _approve(store, ws, item_id, "léa")
    edited = approvals.edit(store, ws, item_id, "lucie", CM, NOW, text="Le bureau de {ville} ouvre")
    assert (edited.status, edited.step, edited.round) == ("pending_approval", 1, 2)
    assert edited.text == "Le bureau de Lyon ouvre"
    assert edited.extra["edit"] == {"text": "Le bureau de {ville} ouvre"}
    with pytest.raises(ApprovalError, match="léa may not approve item 1 at step 1"):
        _approve(store, ws, item_id, "léa")  # her approval was of the old text
    assert _approve(store, ws, item_id, "lucie").endswith("step 2 of 2: waiting for léa, marc")
    assert len(decisions.history(store, item_id)) == 3  # the old approvals are kept


@sqlite
def test_a_rejection_returns_to_draft_with_its_reason(store: Store, ws: Workspace) -> None:
    item_id = _item(store, ws, "lille")
    line = approvals.decide(store, ws, item_id, "nadia", CM, NOW, reason="Pas le bon horaire").line
    assert line == "item 1 rejected: back to draft (Pas le bon horaire)"
    for bad in (" ", "nul\x00", "\ud800"):
        with pytest.raises(ApprovalError, match=r"^reason: say why it is rejected$"):
            approvals.decide(store, ws, item_id, "nadia", CM, NOW, reason=bad)
    with pytest.raises(ApprovalError, match=r"^--set ville\\x00: not a variable's name$"):
        approvals.edit(store, ws, item_id, "cyril", CM, NOW, values={"ville\x00": "x"})
    found = load(store, item_id)
    assert found is not None and (found.status, found.error) == ("draft", "Pas le bon horaire")
    assert _approve(store, ws, item_id, "nadia").startswith(
        "item 1 needs no approval (it is draft)"
    )
    again = approvals.edit(store, ws, item_id, "cyril", CM, NOW, text="Bureau de {ville} !")
    assert (again.status, again.step, again.error) == ("pending_approval", 1, None)


@sqlite
def test_a_locked_master_and_a_local_manager_confined_to_their_accounts(
    store: Store, ws: Workspace
) -> None:
    lyon, lille = _item(store, ws, "lyon"), _item(store, ws, "lille", at="2030-06-02T09:00")
    with pytest.raises(ApprovalError, match="nadia may not approve item 1 at step 1: lucie may"):
        _approve(store, ws, lyon, "nadia")  # a senior of another department
    with pytest.raises(ApprovalError, match=r"^nadia may not edit item 1: it is lyon's variant$"):
        approvals.edit(store, ws, lyon, "nadia", CM, NOW, text="Bonjour")
    with pytest.raises(ApprovalError, match="lucie may not lock message"):
        approvals.lock(store, ws, lyon, "lucie", CM, True)
    approvals.lock(store, ws, lyon, "cyril", CM, True)  # the message's author: the centre
    with pytest.raises(ApprovalError, match="master text is locked; only the variables' values"):
        approvals.edit(store, ws, lyon, "lucie", CM, NOW, text="Autre chose")
    edited = approvals.edit(store, ws, lyon, "lucie", CM, NOW, values={"ville": "Lyon 3e"})
    assert edited.text == "Bureau de Lyon 3e 📮"
    assert edited.extra["facets"] == [] and edited.extra["edit"] == {
        "variables": {"ville": "Lyon 3e"}
    }
    with pytest.raises(ApprovalError, match=r"^lille \(bluesky\): 301 characters") as refused:
        approvals.edit(store, ws, lille, "nadia", CM, NOW, text="x" * 301)
    assert refused.value.refusal
    untouched = load(store, lille)
    assert untouched is not None and untouched.text == "Bureau de Lille 📮"


@sqlite
def test_post_now_goes_through_the_workflow_unless_the_author_may_skip(
    store: Store, ws: Workspace
) -> None:
    now = NOW.isoformat()
    waits = load(store, _item(store, ws, "lyon", at=now))
    assert waits is not None and waits.status == "pending_approval"
    skipped = load(store, _item(store, ws, "lille", author="ada", at=now))
    assert skipped is not None and skipped.status == "scheduled"  # ada may skip
    admin = load(store, _item(store, ws, "toulouse", author="root", role="admin", at=now))
    assert admin is not None and admin.status == "scheduled"  # toulouse: admins may skip
    [row] = [v for v in approvals.list_approvals(store, ws, [waits]).values()]
    assert row == {"workflow": "regions", "step": 1, "steps": 2, "need": "any",
                   "approved": [], "waiting": ["lucie"]}  # fmt: skip


def test_two_approvers_at_once_never_approve_twice(
    store: Store, ws: Workspace, db_url: str
) -> None:
    """Two connections: both approvals of an `all` step land and the step moves on once; of
    two approvers of an `any` step, one approves and the other finds it approved."""
    other = Store.open(db_url)
    try:
        for names, step_of in ((("léa", "marc"), 2), (("sam", "tom"), None)):
            account = "lyon" if step_of else "toulouse"
            item_id = _item(store, ws, account, at=(NOW + timedelta(days=len(names))).isoformat())
            if step_of:
                _approve(store, ws, item_id, "lucie")
            done = _race(store, other, ws, item_id, names)
            found = load(store, item_id)
            assert found is not None and found.status == "scheduled"
            approved = [r for r in decisions.history(store, item_id) if r.step == (step_of or 1)]
            assert len(approved) == (2 if step_of else 1), done
    finally:
        other.close()


def _race(one: Store, two: Store, ws: Workspace, item_id: int, names: tuple[str, str]) -> list:
    start, done = threading.Barrier(2), []

    def go(store: Store, name: str) -> None:
        start.wait()
        done.append(approvals.decide(store, ws, item_id, name, CM, NOW).outcome)

    threads = [
        threading.Thread(target=go, args=(s, n)) for s, n in zip((one, two), names, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return done
