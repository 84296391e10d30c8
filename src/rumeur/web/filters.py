"""What a page or an API call asks to see, read from its query string and checked: the
dashboard's period, the mention stream's filters, and who is looking (a department sees its
items only). Bad values give a `FilterError` whose message says which parameter and why."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Path
from sqlalchemy import ColumnElement

from rumeur.config import Workspace
from rumeur.errors import QueryTooCostly, RumeurError
from rumeur.i18n import _
from rumeur.limits import BIGINT_MAX, BRAND_LENGTH, HANDLE_LENGTH, LABEL_LENGTH, PLATFORM_LENGTH
from rumeur.metrics import engagement_of
from rumeur.query.ast import And, Filter, Node, Query
from rumeur.query.fields import EMOTIONS, SENTIMENTS, FieldError, brand_key, filter_node
from rumeur.query.parser import QueryError, parse
from rumeur.store.conditions import reason_condition, stream_conditions
from rumeur.store.search import SORTS, Keyset, Period, Ranked, Tally
from rumeur.web.accounts import Role, User

PERIODS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_PERIOD = "30d"
MAX_QUERY = 2000
# The store's limits (`limits.py`): its columns' sizes, its ids (signed 64 bits), and days
# whose midnight exists in every time zone and in UTC, with room for a dashboard's previous
# period (as long as the period itself) before them.
MAX_ID = BIGINT_MAX
FIRST_DAY, LAST_DAY = date(1000, 1, 1), date(9998, 12, 31)
MAX_DASHBOARD_DAYS = 1096  # three years of daily points in each chart
MAX_PARAM = 200  # any other parameter: a day, a page position, a period's name
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class FilterError(RumeurError):
    """A parameter of the page's address cannot be read."""


# Every refusal of what a request asks: the one error handler answers each with a 400.
BAD_INPUT: tuple[type[Exception], ...] = (FilterError, QueryError, QueryTooCostly)
# An id in an address: a row of the store, so a positive signed 64-bit integer.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def reasons_for(user: User, ws: Workspace) -> tuple[str, ...] | None:
    """The complaint reasons a department user may see in `ws` (none at all when the workspace
    has no such department); None for the other roles, who see everything."""
    if user.role is not Role.DEPARTMENT:
        return None
    for department in ws.departments:
        if department.slug == user.department:
            return tuple(department.reasons)
    return ()


@dataclass(frozen=True, slots=True)
class StreamFilters:
    q: str = ""
    since: str = ""  # YYYY-MM-DD, a day in the workspace's time zone
    until: str = ""  # YYYY-MM-DD, included
    # A precise window, for the links from a figure counted over hours: ISO 8601 times
    # (2015-02-22T11:00), in the workspace's time zone unless they carry an offset; `end` is
    # excluded. Both narrow what `since` and `until` allow.
    start: str = ""
    end: str = ""
    platform: str = ""
    sentiment: str = ""
    emotion: str = ""
    language: str = ""
    brand: str = ""  # a brand's name, as `brand:` takes it
    department: str = ""  # a department's slug: the posts of its complaint reasons
    author: str = ""  # a handle, as `author:` takes it
    sort: str = ""  # "date" (the default, newest first) or "engagement" (most first)

    @classmethod
    def read(cls, params: Mapping[str, str]) -> StreamFilters:
        found = cls(**{f.name: (params.get(f.name) or "").strip() for f in fields(cls)})
        found.check()
        return found

    def check(self) -> None:
        if len(self.q) > MAX_QUERY:
            raise FilterError(_("q: the query is longer than {n} characters").format(n=MAX_QUERY))
        check_text("q", self.q, MAX_QUERY)
        for name in ("since", "until"):
            read_day(name, getattr(self, name))
        for name in ("start", "end"):
            read_moment(name, getattr(self, name), UTC)
        _one_of("sentiment", self.sentiment, SENTIMENTS)
        _one_of("emotion", self.emotion, EMOTIONS)
        _one_of("sort", self.sort, SORTS)
        # Any platform or language the store may hold: imports name their own platforms.
        check_text("platform", self.platform, PLATFORM_LENGTH)
        check_text("language", self.language, LABEL_LENGTH)
        check_text("department", self.department)
        self._field_filters()

    def _field_filters(self) -> list[Node]:
        """The brand and author filters, as the query language reads `brand:` and `author:`
        (one rule for both: the filter finds what the field finds)."""
        found = []
        for name, limit in (("brand", BRAND_LENGTH), ("author", HANDLE_LENGTH)):
            value = check_text(name, getattr(self, name), limit)
            if not value:
                continue
            try:
                found.append(filter_node(name, name, value))
            except FieldError as exc:
                raise FilterError(str(exc)) from None
        return found

    def query(self) -> Query | None:
        """The parsed boolean query with the brand and author filters, or None when there is
        neither; a malformed one raises `FilterError`."""
        try:
            parsed = parse(self.q) if self.q else None
        except QueryError as exc:
            raise FilterError(str(exc).splitlines()[0]) from None
        extra = self._field_filters()
        if not extra:
            return parsed
        nodes = ([parsed.root] if parsed else []) + extra
        root = nodes[0] if len(nodes) == 1 else And(tuple(nodes))
        return Query(root, self.q, parsed.warnings if parsed else ())

    def period(self, zone: ZoneInfo) -> Period:
        since, until = read_day("since", self.since), read_day("until", self.until)
        start, end = read_moment("start", self.start, zone), read_moment("end", self.end, zone)
        lows = [t for t in (None if since is None else local_midnight(since, zone), start) if t]
        highs = [
            t
            for t in (
                None if until is None else local_midnight(until + timedelta(days=1), zone),
                end,
            )
            if t
        ]
        return Period(max(lows, default=None), min(highs, default=None))

    def conditions(
        self, ws: Workspace, reasons: tuple[str, ...] | None
    ) -> list[ColumnElement[bool]]:
        """`reasons` (a department user's, or None) and the filters on the posts' columns."""
        found = stream_conditions(
            reasons, self.platform, self.sentiment, self.emotion, self.language
        )
        if self.department:
            found += reason_condition(department_reasons(ws, self.department))
        return found

    def tally(self, ws: Workspace, reasons: tuple[str, ...] | None) -> Tally | None:
        """These filters as the hourly rollups count them (`search.rollup_count`); None when a
        query or an author narrows them, which the rollups do not hold. A query that is one
        `brand:` alone is the brand filter (the rollups count a brand's posts as the field finds
        them): counting it from the posts took seconds on a million."""
        brand = brand_key(self.brand)
        if self.q:
            named = _brand_alone(self.q)
            if named is None or brand not in ("", named):
                return None
            brand = named
        if self.author:
            return None
        narrowed = [] if reasons is None else [reasons]
        if self.department:
            narrowed.append(department_reasons(ws, self.department))
        return Tally(
            brand, self.platform, self.sentiment, self.emotion, self.language, tuple(narrowed)
        )

    def params(self, **changes: str) -> str:
        """The query string of these filters (with `changes`), empty values left out."""
        changed = replace(self, **changes) if changes else self  # once, not once per field
        values = {f.name: getattr(changed, f.name) for f in fields(self)}
        return urlencode({k: v for k, v in values.items() if v})

    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def _brand_alone(q: str) -> str | None:
    """The brand (as `brand_key` writes it) when the query is `brand:` and nothing else."""
    try:
        root = parse(q).root
    except QueryError:
        return None
    if isinstance(root, Filter) and root.field == "brand" and root.op == "eq":
        return root.value if isinstance(root.value, str) else None
    return None


def department_reasons(ws: Workspace, slug: str) -> tuple[str, ...]:
    """The complaint reasons of the workspace's department `slug`; FilterError when it has none
    of that name."""
    for department in ws.departments:
        if department.slug == slug:
            return tuple(department.reasons)
    raise FilterError(
        _("department: {value!r} is not one of {known}").format(
            value=slug, known=", ".join(d.slug for d in ws.departments) or "-"
        )
    )


def check_text(name: str, value: str, limit: int = MAX_PARAM) -> str:
    """A parameter as the store can compare it: no NUL or other control character, no lone
    surrogate, at most `limit` characters."""
    if len(value) > limit:
        raise FilterError(_("{name}: longer than {n} characters").format(name=name, n=limit))
    if _CONTROL.search(value):
        raise FilterError(_("{name}: holds a control character").format(name=name))
    return value


def field_query(field: str, value: str) -> str:
    """A query for one value of `field`, quoted so that a value holding spaces stays one
    (`author:"jean dupont"`); the query language has no escape for a quote inside one."""
    return f'{field}:"{value.replace(chr(34), "")}"'


def stream_link(slug: str, **values: str) -> str | None:
    """The stream's address for these filter values, checked as the stream checks them (the
    query parsed too), so that a link never leads to a refusal; None when the stream would
    refuse them: the figure is then shown without a link."""
    try:
        filters = StreamFilters.read(values)
        filters.query()
    except BAD_INPUT:
        return None
    return f"/w/{slug}/stream?{filters.params()}"


def read_day(name: str, value: str) -> date | None:
    if not value:
        return None
    check_text(name, value)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise FilterError(
            _("{name}: {value!r} is not a date such as 2015-02-22").format(name=name, value=value)
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise FilterError(
            _("{name}: {value} is not a day from {first} to {last}").format(
                name=name, value=value, first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()
            )
        )
    return day


def read_moment(name: str, value: str, zone: tzinfo) -> datetime | None:
    """A time of `start` or `end` in UTC: ISO 8601, in `zone` unless it carries an offset."""
    if not value:
        return None
    check_text(name, value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise FilterError(
            _("{name}: {value!r} is not a time such as 2015-02-22T11:00").format(
                name=name, value=value
            )
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def read_keyset(value: str | None, sort: str = "date") -> Keyset | Ranked | None:
    """The `before` parameter of a stream page, as `keyset_param` writes it: `<ISO time>_<id>`
    for the newest first, `<engagement>_<ISO time>_<id>` for the most engaged first."""
    if not value:
        return None
    head, _sep, ident = check_text("before", value).rpartition("_")
    engaged, _sep, when = head.rpartition("_") if sort == "engagement" else ("0", "", head)
    try:
        number, engagement = int(ident), int(engaged)
        moment = datetime.fromisoformat(when)
    except ValueError:
        raise FilterError(_("before: not a page position")) from None
    if moment.tzinfo is None or not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise FilterError(_("before: not a page position"))
    if not (-MAX_ID <= number <= MAX_ID and 0 <= engagement <= MAX_ID):
        raise FilterError(_("before: not a page position"))
    keyset = Keyset(moment.astimezone(UTC), number)
    if sort == "engagement":
        return Ranked(engagement, keyset.created_at, keyset.id)
    return keyset


def keyset_param(row: Mapping[str, object], sort: str = "date") -> str:
    moment = row["created_at"]
    assert isinstance(moment, datetime)
    where = f"{moment.astimezone(UTC).isoformat()}_{row['id']}"
    return f"{engagement_of(row)}_{where}" if sort == "engagement" else where


@dataclass(frozen=True, slots=True)
class DashboardPeriod:
    """The dashboard's days: the last 7, 30 or 90 days of data, or `since`..`until` (local)."""

    name: str
    since: datetime  # UTC
    until: datetime  # UTC, exclusive
    first_day: date
    last_day: date

    @classmethod
    def read(
        cls,
        params: Mapping[str, str],
        zone: ZoneInfo,
        span: tuple[datetime, datetime] | None = None,
    ) -> DashboardPeriod:
        """Relative periods end with the newest data and never start before the oldest, so that
        an archive (the demo's 2015) shows its last month rather than an empty one."""
        since, until = (
            read_day("since", params.get("since", "")),
            read_day("until", params.get("until", "")),
        )
        oldest, newest = span or (None, datetime.now(UTC))
        if since or until:
            # One end given: the other is the data's (the newest day, or 30 days before).
            until = until or newest.astimezone(zone).date()
            since = since or until - timedelta(days=PERIODS[DEFAULT_PERIOD] - 1)
            if until < since:
                raise FilterError(_("until: the period ends before it starts"))
            if (until - since).days >= MAX_DASHBOARD_DAYS:
                raise FilterError(
                    _("until: a period of at most {n} days").format(n=MAX_DASHBOARD_DAYS)
                )
            return cls._make("custom", since, until, zone)
        name = check_text("period", params.get("period") or DEFAULT_PERIOD)
        if name not in PERIODS:
            raise FilterError(
                _("period: {value!r} is not one of {known}").format(
                    value=name, known=", ".join(PERIODS)
                )
            )
        last = newest.astimezone(zone).date()
        first = last - timedelta(days=PERIODS[name] - 1)
        if oldest is not None:
            first = max(first, oldest.astimezone(zone).date())
        return cls._make(name, first, last, zone)

    @classmethod
    def _make(cls, name: str, first: date, last: date, zone: ZoneInfo) -> DashboardPeriod:
        return cls(
            name,
            local_midnight(first, zone),
            local_midnight(last + timedelta(days=1), zone),
            first,
            last,
        )


def _one_of(name: str, value: str, known: tuple[str, ...]) -> None:
    if value and check_text(name, value) not in known:
        raise FilterError(
            _("{name}: {value!r} is not one of {known}").format(
                name=name, value=value, known=", ".join(known)
            )
        )
