"""Publishing's approval workflows (docs/publish.md, "Approval"): `[[workspaces.workflows]]`.

A workflow names the accounts and departments it applies to and its steps, in order. A step is
approved by its `users`, by anyone of its `roles`, and by the `seniors` of the item's account's
department when `seniors = true`; `need = "any"`: one of them is enough, `"all"`: every named
user (and every senior) must approve, so that a role, which names no one, only goes with `any`.
An author among `may_skip` (or of a role among `may_skip_roles`) schedules at once, "post now"
included; anyone else's item goes through every step.

In the config layer, so that reading a settings file loads no publishing code. What can only be
checked against the rest of the workspace (an account or department exists, each item falls
under one workflow) is `check_workflows`, which `Workspace` calls; its errors name the key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rumeur.settings.inbox import OwnedAccount, RuleName, UserName, _fail

Need = Literal["any", "all"]
RoleName = Literal["admin", "analyst", "community_manager", "care", "department"]
MAX_STEPS = 10


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    """One step of a workflow: who approves it, and whether one of them or all of them."""

    users: list[UserName] = Field(default_factory=list)
    roles: list[RoleName] = Field(default_factory=list)
    seniors: bool = False  # the seniors of the item's account's department
    need: Need = "any"

    @model_validator(mode="after")
    def _someone(self) -> Step:
        if not (self.users or self.roles or self.seniors):
            raise ValueError("a step needs approvers: users, roles or seniors = true")
        if self.need == "all" and self.roles:
            raise ValueError("need = 'all' names its approvers: users or seniors, not roles")
        return self


class Workflow(_Strict):
    name: RuleName
    accounts: list[str] = Field(default_factory=list)  # owned accounts' names
    departments: list[str] = Field(default_factory=list)  # their accounts' departments
    steps: Annotated[list[Step], Field(min_length=1, max_length=MAX_STEPS)]
    may_skip: list[UserName] = Field(default_factory=list)
    may_skip_roles: list[RoleName] = Field(default_factory=list)

    def applies_to(self, account: OwnedAccount) -> bool:
        return (account.name is not None and account.name in self.accounts) or (
            account.department is not None and account.department in self.departments
        )


def check_workflows(
    workflows: Sequence[Workflow], accounts: Sequence[OwnedAccount], departments: Sequence[Any]
) -> None:
    """Each workflow's accounts and departments exist, its name is its own, and no account
    falls under two workflows; a ValidationError located at the key that is wrong otherwise."""
    names = {a.name for a in accounts if a.name}
    slugs = {d.slug for d in departments}
    for i, flow in enumerate(workflows):
        if flow.name in [w.name for w in workflows[:i]]:
            _fail(("workflows", i, "name"), flow.name, f"two workflows are named {flow.name!r}")
        if not (flow.accounts or flow.departments):
            _fail(("workflows", i, "accounts"), "", "name the accounts or departments it covers")
        for j, name in enumerate(flow.accounts):
            if name not in names:
                _fail(("workflows", i, "accounts", j), name, f"no owned account named {name!r}")
        for j, slug in enumerate(flow.departments):
            if slug not in slugs:
                _fail(("workflows", i, "departments", j), slug, f"no department {slug!r}")
    for account in accounts:
        under = [w.name for w in workflows if w.applies_to(account)]
        if len(under) > 1:
            i = next(k for k, w in enumerate(workflows) if w.name == under[1])
            _fail(
                ("workflows", i, "accounts"),
                account.name or account.key,
                f"the account {account.name or account.key!r} is under two workflows: "
                f"{under[0]!r} and {under[1]!r}",
            )
