"""The publishing calendar (docs/publish.md, "The calendar"): a week or a month of the
workspace's items, in the workspace's time zone, filtered per account, network and department,
with each network's quotas (quotas.py); and an item moved to another time.

Days are the workspace's days: a period runs from local midnight to local midnight, read
through the zone's rules, so that the week of a daylight-saving change is 167 or 169 hours long
and an item at 09:00 in Paris is shown at 09:00 on both sides of it. Moving an item to another
day keeps its local time of day (09:00 stays 09:00 across the change), not its distance in
hours.

Moving and approval: an approver approves what is said (the text, the title, the warning and
the media: store/approvals.text_hash), not when. A move changes only the time, so an approved
item stays scheduled and a pending item keeps its step and the approvals it has; an edit of
the text is what sends an item back (approvals.edit). Who may edit an item may move it: the
centre every item, a local manager their own accounts'. What the sender holds or has sent
(sending, published, unknown, failed) does not move; a late item moved to a time to come is
scheduled again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from rumeur.config import Workspace
from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.publishing import approvals, quotas
from rumeur.publishing.expand import find_account
from rumeur.publishing.schedule import PAST
from rumeur.store import calendar as rows
from rumeur.store import publishing as items_store
from rumeur.store.publishing import Item
from rumeur.store.store import Store

View = Literal["week", "month"]
MOVABLE = ("draft", "pending_approval", "scheduled", "late")
QUOTA_SPAN = timedelta(days=1)  # read around a period, so that its first and last days count whole


class MoveError(RumeurError):
    """An item cannot move as asked: one line; `status` says how the API answers it."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Filters:
    account: str | None = None
    network: str | None = None
    department: str | None = None

    def accounts(self, ws: Workspace) -> list[str] | None:
        """The accounts' names the filters keep (None: every account)."""
        if self.account is None and self.network is None and self.department is None:
            return None
        return [
            name
            for a in ws.owned_accounts
            if (name := a.name or a.key)
            and (self.account is None or name == self.account)
            and (self.network is None or a.platform == self.network)
            and (self.department is None or a.department == self.department)
        ]


@dataclass(frozen=True, slots=True)
class Period:
    view: View
    day: date  # the day it was asked around
    days: tuple[date, ...]

    @property
    def first(self) -> date:
        return self.days[0]

    @property
    def last(self) -> date:
        return self.days[-1]

    def previous(self) -> date:
        if self.view == "week":
            return self.day - timedelta(days=7)
        return (self.day.replace(day=1) - timedelta(days=1)).replace(day=1)

    def next(self) -> date:
        if self.view == "week":
            return self.day + timedelta(days=7)
        return (self.day.replace(day=28) + timedelta(days=4)).replace(day=1)


def period(view: View, day: date) -> Period:
    """The week (Monday to Sunday) holding `day`, or its month padded to whole weeks."""
    if view == "week":
        monday = day - timedelta(days=day.weekday())
        return Period(view, day, tuple(monday + timedelta(days=n) for n in range(7)))
    first = day.replace(day=1)
    after = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    start = first - timedelta(days=first.weekday())
    end = after + timedelta(days=(7 - after.weekday()) % 7)
    return Period(view, day, tuple(start + timedelta(days=n) for n in range((end - start).days)))


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight of `day`, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """`day` at `clock` in `zone`, in UTC. A time the clocks skip (02:30 on the night they go
    forward) reads as the offset before the change, 03:30 once there (zoneinfo's fold=0)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Entry:
    """An item as a day of the calendar shows it."""

    item: Item
    local: datetime  # in the workspace's zone
    department: str | None
    over: tuple[str, ...] = ()  # the quotas' lines of the windows over quota it is in

    @property
    def movable(self) -> bool:
        return self.item.status in MOVABLE


@dataclass(frozen=True, slots=True)
class Calendar:
    period: Period
    filters: Filters
    zone: ZoneInfo
    days: dict[date, list[Entry]]
    uses: list[quotas.Use] = field(default_factory=list)  # the period's quota windows used

    def over(self) -> list[quotas.Use]:
        return [u for u in self.uses if u.over]

    def busiest(self) -> list[quotas.Use]:
        """Each account's busiest window of each quota, the fullest first."""
        found = quotas.busiest(self.uses).values()
        return sorted(found, key=lambda u: (-u.used / u.quota.allowed, u.account, u.quota.key))


def planned(item: Item) -> quotas.Planned:
    return quotas.Planned(item.id, item.account, item.platform, item.at, tuple(item.media))


def counted(item: Item) -> bool:
    """Whether an item uses its network's quota: it was sent, or is still to be."""
    return item.status not in ("draft", "failed", "late")


REPLY = 0  # a reply's id among the items' in a quota window: no item has it


def replies(
    store: Store, ws: Workspace, start: datetime, end: datetime, accounts: Sequence[str] | None
) -> list[quotas.Planned]:
    """The inbox's replies of the accounts named (every owned account: None) in the window, as
    a quota sees them: the outbox names an account by its handle, an item by its name."""
    names: dict[tuple[str, str], str] = {}
    for a in ws.owned_accounts:
        name = a.name or a.key
        if accounts is None or name in accounts:
            names[(a.platform, a.handle)] = names[(a.platform, a.handle.lstrip("@"))] = name
    found = rows.replies_between(store, ws.slug, start, end, list(names))
    return [quotas.Planned(REPLY, names[(p, h)], p, at) for p, h, at in found]


def used_around(
    store: Store, ws: Workspace, start: datetime, end: datetime, accounts: Sequence[str] | None
) -> tuple[list[Item], list[quotas.Planned]]:
    """The items from `start` to `end`, and what spends the accounts' quotas then: the items
    that count and the inbox's replies."""
    items = rows.between(store, ws.slug, start, end, accounts)
    spent = [planned(i) for i in items if counted(i)] + replies(store, ws, start, end, accounts)
    return items, spent


def build(store: Store, ws: Workspace, view: View, day: date, filters: Filters) -> Calendar:
    """The calendar of the period holding `day`: each day's items in the workspace's zone."""
    zone = ws.zone
    shown = period(view, day)
    start, end = midnight(shown.first, zone), midnight(shown.last + timedelta(days=1), zone)
    accounts = filters.accounts(ws)
    # The quotas read a day more on each side: a UTC day overlaps two local days.
    around, spent = used_around(store, ws, start - QUOTA_SPAN, end + QUOTA_SPAN, accounts)
    uses = quotas.usage(spent)
    lines: dict[int, list[str]] = {}
    for use in uses:
        if use.over:
            for item_id in use.items:
                lines.setdefault(item_id, []).append(quotas.warning(use))
    departments = {a.name or a.key: a.department for a in ws.owned_accounts}
    days: dict[date, list[Entry]] = {d: [] for d in shown.days}
    for item in around:
        if start <= item.at < end:
            local = item.at.astimezone(zone)
            entry = Entry(item, local, departments.get(item.account), tuple(lines.get(item.id, ())))
            days[local.date()].append(entry)
    in_period = [u for u in uses if u.end > start and u.start < end]
    return Calendar(shown, filters, zone, days, in_period)


@dataclass(frozen=True, slots=True)
class Moved:
    item: Item
    warnings: list[str]


def move(
    store: Store,
    ws: Workspace,
    item_id: int,
    at: datetime,
    name: str | None,
    role: str | None,
    now: datetime,
) -> Moved:
    """Item `item_id` moved to `at` (aware) by `name` (of `role`), with the quota warnings of
    its new time; MoveError otherwise."""
    try:
        item = approvals.found_item(store, ws, item_id)
    except approvals.ApprovalError as exc:
        raise MoveError(str(exc), 404) from None
    message = items_store.message(store, item.message_id) or {}
    if not approvals.may_edit(ws, item, message, name, role):
        raise MoveError(
            _("{user} may not move item {id}: it is {account}'s").format(
                user=name, id=item.id, account=item.account
            ),
            403,
        )
    if item.status not in MOVABLE:
        raise MoveError(
            _("item {id} is {status}: it can no longer move").format(
                id=item.id, status=approvals.status_word(item.status)
            ),
            409,
        )
    if at < now - PAST:
        raise MoveError(_("{at} has passed").format(at=at.astimezone(ws.zone).isoformat()), 400)
    status = "scheduled" if item.status == "late" else item.status
    if not rows.move(store, item, at.astimezone(UTC), ws.timezone, status, MOVABLE, now):
        raise MoveError(_("item {id} changed meanwhile: nothing moved").format(id=item.id), 409)
    after = items_store.item(store, item.id) or item
    return Moved(after, move_warnings(store, ws, after))


def move_warnings(store: Store, ws: Workspace, item: Item) -> list[str]:
    """The quota lines of the windows the item's new time puts over quota."""
    span = max(q.window for q in quotas.QUOTAS)
    return quotas.warnings(used_around(store, ws, item.at - span, item.at + span,
                                       [item.account])[1], item.id)  # fmt: skip


def schedule_warnings(store: Store, ws: Workspace, made: Sequence[Item]) -> list[str]:
    """The quota lines of the windows that newly scheduled items put over quota, each once."""
    return new_warnings(store, ws, [planned(i) for i in made if counted(i)])


def new_warnings(store: Store, ws: Workspace, new: Sequence[quotas.Planned]) -> list[str]:
    """The quota lines of the windows that `new` (stored or not yet: the composer's preview
    gives its variants ids below 0) put over quota with what the accounts have around them,
    each once."""
    if not new:
        return []
    span = max(q.window for q in quotas.QUOTAS)
    start, end = min(p.at for p in new) - span, max(p.at for p in new) + span
    accounts = sorted({p.account for p in new})
    ids = {p.id for p in new}
    stored = [p for p in used_around(store, ws, start, end, accounts)[1] if p.id not in ids]
    return [quotas.warning(u) for u in quotas.over([*stored, *new]) if ids & set(u.items)]


def read_time(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 time; without an offset, in the workspace's zone. ValueError otherwise."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def on_day(item: Item, day: date, zone: ZoneInfo) -> datetime:
    """The item's local time of day, on `day` (a drop on another day of the calendar)."""
    return local_at(day, item.at.astimezone(zone).time().replace(tzinfo=None), zone)


def target(store: Store, ws: Workspace, item_id: int, at: str, day: str) -> datetime:
    """The new time a move asks for: `at` (ISO 8601, local without an offset) or `day`."""
    try:
        if at:
            return read_time(at, ws.zone)
        if day:
            item = approvals.found_item(store, ws, item_id)
            return on_day(item, date.fromisoformat(day), ws.zone)
    except approvals.ApprovalError as exc:
        raise MoveError(str(exc), 404) from None
    except ValueError:
        raise MoveError(_("at: not a time (YYYY-MM-DDTHH:MM)"), 400) from None
    raise MoveError(_("at: give the new time (or a day)"), 400)


def department_of(ws: Workspace, item: Item) -> str | None:
    account = find_account(ws.owned_accounts, item.account)
    return account.department if account is not None else None
