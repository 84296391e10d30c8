"""The shared inbox's settings (docs/inbox.md): the accounts the brand answers from
(`[[workspaces.owned_accounts]]`) and the rules that route a conversation to a department
(`[[workspaces.routing]]`).

In the config layer, so that reading a settings file loads no inbox code. What can only be
checked against the rest of the workspace (a rule's department exists, an owned account's source
exists and reads the same network) is `check_inbox`, which `Workspace` calls; its errors name
the key that is wrong, as every other settings error does:

    rumeur.toml: workspaces[0].routing[1].department: no department 'colis' in this workspace
    (known: 'service-client')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated, Any, Literal, Protocol

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

# A conversation's priority, lowest first. Without a rule that sets one it is "normal".
Priority = Literal["low", "normal", "high", "urgent"]
PRIORITIES: tuple[Priority, ...] = ("low", "normal", "high", "urgent")
DEFAULT_PRIORITY: Priority = "normal"
# The networks rumeur can read an owned account's inbox from and answer through.
INBOX_PLATFORMS = ("mastodon", "bluesky", "reddit")

RuleName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
# A publishing variable's name, as `{ville}` writes it (any column of the account's sheet).
VariableName = Annotated[str, Field(pattern=r"^[^\W\d]\w{0,62}$")]
Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\s,]+$")]
# Business hours: the days a workspace answers on, and the hours of those days (local time).
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A department's approval of replies (docs/inbox.md, "Approval"): `none`, every reply is queued
# at once; `juniors`, the reply of anyone who is not one of the department's `seniors` (nor an
# admin) waits until a senior or an admin approves it; `all`, every reply waits for someone else
# than its author (a senior or an admin).
Approval = Literal["none", "juniors", "all"]
APPROVALS: tuple[Approval, ...] = ("none", "juniors", "all")
UserName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\s,]+$")]


def _clock(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d|24:00", value):
        raise ValueError(f"a time of day such as '09:00' or '18:30', not {value!r}")
    return value


Clock = Annotated[str, AfterValidator(_clock)]


def _duration(value: Any) -> Any:
    """`30m`, `2h`, `1d` as config.Duration reads them (config imports this module)."""
    if isinstance(value, str) and (match := re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", value)):
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        return timedelta(**{unit: int(match.group(1))})
    return value  # "HH:MM", "24:00" for the end of the day


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parsed_query(value: str) -> str:
    """`value` if it parses as a query; else ValueError with the parser's first line (the same
    line a saved query's error gives)."""
    from rumeur.query.parser import QueryError, parse

    try:
        parse(value)
    except QueryError as exc:
        raise ValueError(str(exc).splitlines()[0].removeprefix("query: ")) from None
    return value


class OwnedAccount(_Strict):
    """An account of the brand. With a `source`, its mentions, replies and direct messages are
    read into the inbox through that source, and answered through it; `department` is where a
    conversation goes when no routing rule sends it elsewhere."""

    platform: Annotated[str, Field(min_length=1)]
    handle: Annotated[str, Field(min_length=1)]
    source: str | None = None  # the name of a [[workspaces.sources]] entry
    department: str | None = None  # a [[workspaces.departments]] slug
    # Publishing (docs/publish.md): the name a message's `accounts` give (unique in the
    # workspace), and the values of the `{variables}` its text may hold for this account.
    name: RuleName | None = None
    variables: dict[VariableName, Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=dict
    )
    # A scheduled post this far past its time is flagged late, not sent (docs/publish.md,
    # "Sending"): `15m`, `1h`, or seconds.
    late_after: Annotated[timedelta, BeforeValidator(_duration), Field(gt=timedelta(0))] = (
        timedelta(minutes=15)
    )

    @property
    def key(self) -> str:
        """`platform:handle`, as the inbox's tables name the account."""
        return f"{self.platform}:{self.handle.lstrip('@')}"


def owned_account(
    accounts: Sequence[OwnedAccount], platform: str, handle: str
) -> OwnedAccount | None:
    """The owned account of `platform` named `handle` (whatever its case, with or without
    its @), or None."""
    wanted = f"{platform}:{handle.lstrip('@')}".lower()
    return next((a for a in accounts if a.key.lower() == wanted), None)


class RoutingRule(_Strict):
    """A rule of `[[workspaces.routing]]`: a conversation whose first message matches `query`
    gets what the rule sets. Rules apply in the file's order; every matching rule applies, a
    later rule's `department`, `priority` and `assignee` replace an earlier one's, `tags` add up,
    and a matching rule with `stop = true` is the last applied (inbox/routing.py)."""

    name: RuleName
    query: Annotated[str, Field(min_length=1)]
    department: str | None = None
    priority: Priority | None = None
    tags: list[Tag] = Field(default_factory=list)
    assignee: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    stop: bool = False

    @field_validator("query")
    @classmethod
    def _parses(cls, value: str) -> str:
        return parsed_query(value)

    @field_validator("tags")
    @classmethod
    def _distinct_tags(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _sets_something(self) -> RoutingRule:
        if not (self.department or self.priority or self.tags or self.assignee or self.stop):
            raise ValueError(
                "a routing rule must set a department, a priority, tags or an assignee, "
                "or stop = true"
            )
        return self


# The variables a saved reply may hold; the composer fills them in (inbox/compose.py).
REPLY_VARIABLES = ("customer", "case", "agent")


def _variables(value: str) -> str:
    for name in re.findall(r"\{([^{}]*)\}", value):
        if name not in REPLY_VARIABLES:
            known = ", ".join("{" + v + "}" for v in REPLY_VARIABLES)
            raise ValueError(f"unknown variable {{{name}}} (a saved reply may use {known})")
    return value


ReplyText = Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_variables)]


class SavedReply(_Strict):
    """`[[workspaces.saved_replies]]`: a reply written in advance, in French and in English, that
    the composer offers; `{customer}` (the customer's handle), `{case}` (the conversation's
    number) and `{agent}` (the adviser's name) are filled in when it is used."""

    slug: RuleName
    title: Annotated[str, Field(min_length=1, max_length=200)]
    text_fr: ReplyText
    text_en: ReplyText


class BusinessHours(_Strict):
    """`[workspaces.business_hours]`: when the workspace answers, in its time zone. Response-time
    targets count only these hours (inbox/hours.py). Without it, they count every hour."""

    days: Annotated[list[Weekday], Field(min_length=1)] = Field(
        default_factory=lambda: list(WEEKDAYS[:5])
    )
    start: Clock = "09:00"
    end: Clock = "18:00"  # "24:00": until midnight
    holidays: list[date] = Field(default_factory=list)

    @field_validator("days")
    @classmethod
    def _distinct_days(cls, value: list[Weekday]) -> list[Weekday]:
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _opens_before_closing(self) -> BusinessHours:
        if self.closes <= self.opens:
            raise ValueError(f"end {self.end!r} must come after start {self.start!r}")
        return self

    @property
    def opens(self) -> int:
        """The opening time, in minutes after midnight."""
        return _minutes(self.start)

    @property
    def closes(self) -> int:
        """The closing time, in minutes after midnight (1440: midnight at the end of the day)."""
        return _minutes(self.end)

    def open_on(self, day: date) -> bool:
        return WEEKDAYS[day.weekday()] in self.days and day not in self.holidays


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class _Department(Protocol):
    @property
    def slug(self) -> str: ...

    @property
    def first_response(self) -> timedelta | None: ...

    @property
    def next_response(self) -> timedelta | None: ...


def check_inbox(
    owned_accounts: Sequence[OwnedAccount],
    departments: Sequence[_Department],
    sources: Sequence[Any],
    routing: Sequence[RoutingRule],
) -> None:
    """Check the inbox settings against the rest of the workspace; a ValidationError located
    at the key that is wrong (so that the file's one-line error names it) otherwise."""
    for i, department in enumerate(departments):
        for key in ("first_response", "next_response"):
            target = getattr(department, key)
            if target is not None and target <= timedelta(0):
                _fail(("departments", i, key), str(target), "a response time must be positive")
    slugs = [d.slug for d in departments]
    known_slugs = ", ".join(repr(s) for s in slugs) or "none"
    by_name = {s.name: s for s in sources}
    for i, account in enumerate(owned_accounts):
        where = ("owned_accounts", i)
        if account.department is not None and account.department not in slugs:
            _fail(
                (*where, "department"),
                account.department,
                f"no department {account.department!r} in this workspace (known: {known_slugs})",
            )
        if account.source is None:
            continue
        source = by_name.get(account.source)
        if source is None:
            known = ", ".join(repr(n) for n in by_name) or "none"
            _fail(
                (*where, "source"),
                account.source,
                f"no source {account.source!r} in this workspace (known: {known})",
            )
        elif source.type != account.platform:
            _fail(
                (*where, "source"),
                account.source,
                f"source {account.source!r} reads {source.type}, "
                f"not this account's platform {account.platform!r}",
            )
    names = [a.name for a in owned_accounts]
    for i, name in enumerate(names):
        if name is not None and name in names[:i]:
            _fail(("owned_accounts", i, "name"), name, f"two owned accounts are named {name!r}")
    keys = [a.key.lower() for a in owned_accounts]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            _fail(
                ("owned_accounts", i, "handle"),
                owned_accounts[i].handle,
                f"the owned account {owned_accounts[i].key!r} is declared twice",
            )
    names = [r.name for r in routing]
    for i, rule in enumerate(routing):
        if rule.name in names[:i]:
            _fail(("routing", i, "name"), rule.name, f"two routing rules are named {rule.name!r}")
        if rule.department is not None and rule.department not in slugs:
            _fail(
                ("routing", i, "department"),
                rule.department,
                f"no department {rule.department!r} in this workspace (known: {known_slugs})",
            )


def _fail(loc: tuple[str | int, ...], value: str, message: str) -> None:
    # Without a context, pydantic does not read placeholders in the message: braces stay.
    error = InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value)
    raise ValidationError.from_exception_data("Workspace", [error])
