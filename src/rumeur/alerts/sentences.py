"""What an alert says to people, once: its name, the sentence that tells why it fired, its
figures named for people, and its log as the team reads it. The web pages (the list, the crisis
room, the report), the notifications (dispatch.build_message) and the command line all read
these, in the language of the moment (`i18n.using` for a workspace's, the request's on a page).

Nothing here shows an internal code: kinds are named by kinds.label, baselines by what they
compare with, a viral post by its author and its text (never `post:x:123`), shares as
percentages. The post texts and handles returned are a stranger's: the callers escape them (the
templates' autoescaping, markupsafe in the emails, each chat format its own way).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rumeur.alerts.kinds import INFLUENCER, NEGATIVE, VIRAL, VOLUME, WATCH
from rumeur.alerts.kinds import label as kind_label
from rumeur.i18n import _, language, number

ALL = "*"  # the subject of an alert about every mention (store.rollups.ALL)
SHORT_POST = 80  # characters of a viral post's text in its name
HOUR = timedelta(hours=1)
DETECTORS = ("opened", "updated")  # what the detectors log at each run that fires


@dataclass(frozen=True, slots=True)
class Facts:
    """One alert as the sentences read it, from a row, a page's dict or the CLI's JSON dict."""

    kind: str
    subject: str
    observed: float
    expected: float
    started_at: datetime
    updated_at: datetime
    why: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, alert: Any) -> Facts:
        get = alert.get if isinstance(alert, Mapping) else lambda k: getattr(alert, k, None)
        return cls(
            kind=get("kind"),
            subject=get("subject"),
            observed=float(get("observed") or 0),
            expected=float(get("expected") or 0),
            started_at=_moment(get("started_at")),
            updated_at=_moment(get("updated_at")),
            why=get("explanation") or {},
        )


def _moment(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


# -- names --------------------------------------------------------------------------------------


def subject(alert: Facts, limit: int = SHORT_POST) -> str:
    """What the alert is about: a brand, all mentions, a watch query, or a viral post as its
    author and the start of its text (`limit` characters at most)."""
    if alert.kind == VIRAL:
        return _viral_subject(alert, limit)
    if alert.subject == ALL:
        return _("all mentions")
    return alert.subject


def title(alert: Facts, limit: int = SHORT_POST) -> str:
    """`Volume spike · American`, `Viral post · @jo: “my flight…”`."""
    return f"{kind_label(alert.kind)} · {subject(alert, limit)}"


def _viral_subject(alert: Facts, limit: int) -> str:
    author, text = _viral_post(alert)
    shown = short(text, limit)
    if author and shown:
        return _("@{author}: “{text}”").format(author=author, text=shown)
    if shown:
        return _("“{text}”").format(text=shown)
    return _("a post by @{author}").format(author=author) if author else _("a post")


def _viral_post(alert: Facts) -> tuple[str, str]:
    """(author, text) of a viral alert's post: the explanation's only post and author."""
    posts = alert.why.get("posts") or [{}]
    authors = alert.why.get("authors") or [""]
    return str(posts[0].get("author") or authors[0] or ""), str(posts[0].get("text") or "")


def short(text: str, limit: int) -> str:
    """`text` on one line, cut at a word before `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def status(value: str) -> str:
    """An alert's status for people (the web's `status` macro names them alike)."""
    names = {
        "open": _("open"),
        "acked": _("acknowledged"),
        "muted": _("muted"),
        "closed": _("closed"),
    }
    return names.get(value, value)


def baseline(method: str | None) -> str:
    """What a volume alert was compared with, for people."""
    if method == "hour-of-day+weekday":
        return _("the usual level for these hours on this weekday")
    if method == "hour-of-day":
        return _("the usual level for these hours of the day")
    if method == "trailing":
        return _("the usual level of the previous hours")
    return _("the usual level")


# -- formats ------------------------------------------------------------------------------------


def when(at: datetime, zone: ZoneInfo) -> str:
    """`22 Feb 11:00`, `22 févr. 11:00`: a day and a time in `zone`."""
    from babel.dates import format_datetime

    return format_datetime(at.astimezone(zone), "d MMM HH:mm", tzinfo=zone, locale=language())


def clock(at: datetime, zone: ZoneInfo) -> str:
    from babel.dates import format_datetime

    return format_datetime(at.astimezone(zone), "HH:mm", tzinfo=zone, locale=language())


def weekday(at: datetime, zone: ZoneInfo) -> str:
    from babel.dates import format_datetime

    return format_datetime(at.astimezone(zone), "EEEE", tzinfo=zone, locale=language())


def share(value: float) -> str:
    """A share as a whole percentage in the language's style: `80%`, `80 %`."""
    from babel.numbers import format_percent

    return format_percent(value, locale=language())


def count(value: float) -> str:
    """A count, rounded: `1,234`, `1 234`."""
    return number(round(value))


def times(ratio: float) -> str:
    """`5.4` (`5,4`) times; whole from 10 on, where a decimal says nothing."""
    return number(ratio, 0 if ratio >= 10 else 1)


# -- the sentence -------------------------------------------------------------------------------


def sentence(alert: Facts, zone: ZoneInfo) -> str:
    """Why the alert fired, in one sentence with its figures, in the current language."""
    since = when(alert.started_at, zone)
    if alert.kind == VOLUME:
        return _volume(alert, zone, since)
    if alert.kind == NEGATIVE:
        return _negative(alert, since)
    if alert.kind == VIRAL:
        return _viral(alert, since)
    if alert.kind == INFLUENCER:
        return _influencer(alert, since)
    if alert.kind == WATCH:
        return _watch(alert, since)
    return _("{kind} about {subject} since {since}").format(
        kind=kind_label(alert.kind), subject=subject(alert), since=since
    )


def _volume(alert: Facts, zone: ZoneInfo, since: str) -> str:
    what = (
        _("Volume of all mentions")
        if alert.subject == ALL
        else _("Volume about {subject}").format(subject=alert.subject)
    )
    if alert.expected < 0.5:  # "118 times" a level of nothing says nothing
        end = _window_end(alert)
        return _(
            "{what} reached {observed} posts from {start} to {end}, against almost none usually, "
            "since {since}"
        ).format(
            what=what,
            observed=count(alert.observed),
            start=when(_window_start(alert, end), zone),
            end=clock(end, zone),
            since=since,
        )
    ratio = alert.why.get("ratio") or alert.observed / max(alert.expected, 1.0)
    return _(
        "{what} is {ratio} times its usual level{usual} ({observed} posts against {expected}), "
        "since {since}"
    ).format(
        what=what,
        ratio=times(ratio),
        usual=_usual_hours(alert, zone),
        observed=count(alert.observed),
        expected=_about(alert.expected),
        since=since,
    )


def _usual_hours(alert: Facts, zone: ZoneInfo) -> str:
    """` for a Sunday between 11:00 and 14:00`: the window the baseline compares with."""
    end = _window_end(alert)
    start = _window_start(alert, end)
    hours = {"start": clock(start, zone), "end": clock(end, zone)}
    method = alert.why.get("method")
    if method == "hour-of-day+weekday":
        return _(" for a {weekday} between {start} and {end}").format(
            weekday=weekday(start, zone), **hours
        )
    if method == "hour-of-day":
        return _(" between {start} and {end}").format(**hours)
    return _(" of the previous hours")


def _window_end(alert: Facts) -> datetime:
    until = alert.why.get("until")
    return _moment(until) if until else alert.updated_at


def _window_start(alert: Facts, end: datetime) -> datetime:
    since = alert.why.get("since")
    return _moment(since) if since else end - HOUR


def _about(expected: float) -> str:
    if expected < 0.5:
        return _("almost none usually")
    return _("about {n}").format(n=count(expected))


def _negative(alert: Facts, since: str) -> str:
    what = (
        _("All mentions")
        if alert.subject == ALL
        else _("Posts about {subject}").format(subject=alert.subject)
    )
    posts, negative = _negative_counts(alert)
    line = _("{what} are {share} negative against about {usual} usually").format(
        what=what, share=share(alert.observed), usual=share(alert.expected)
    )
    if isinstance(posts, int | float) and isinstance(negative, int | float):
        line += " " + _("({negative} of {posts} posts)").format(
            negative=count(negative), posts=count(posts)
        )
    return _("{line}, since {since}").format(line=line, since=since)


def _negative_counts(alert: Facts) -> tuple[Any, Any]:
    """(posts, negative posts) of the window: `window_posts`, or `posts` where an older
    explanation kept the count there."""
    posts = alert.why.get("window_posts", alert.why.get("posts"))
    return posts, alert.why.get("negative")


def _viral(alert: Facts, since: str) -> str:
    author, text = _viral_post(alert)
    what = _("A post by @{author}").format(author=author) if author else _("A post")
    ratio = alert.why.get("ratio") or alert.observed / max(alert.expected, 1.0)
    line = _(
        "{what} is gathering engagement {ratio} times faster than a usual post "
        "({speed} an hour against about {usual}), since {since}"
    ).format(
        what=what,
        ratio=times(ratio),
        speed=count(alert.observed),
        usual=count(alert.expected),
        since=since,
    )
    if not text:
        return line
    return _("{line}: “{text}”").format(line=line, text=short(text, SHORT_POST))


def _influencer(alert: Facts, since: str) -> str:
    voices = alert.why.get("influencers") or []
    days = alert.why.get("lookback_days", 0)
    fields = {
        "subject": subject(alert),
        "days": count(days),
        "reach": count(alert.why.get("reach", alert.observed)),
        "names": voices_line(voices),
        "since": since,
    }
    if len(voices) == 1:
        return _(
            "A large account that had not named {subject} in the previous {days} days now "
            "does, {reach} followers: {names}; since {since}"
        ).format(**fields)
    return _(
        "{n} large accounts that had not named {subject} in the previous {days} days now do, "
        "{reach} followers in all: {names}; since {since}"
    ).format(n=count(len(voices)), **fields)


def voices_line(voices: Sequence[Mapping[str, Any]]) -> str:
    """`@a (1,200,000 followers), @b (80,000 followers)`."""
    return ", ".join(
        _("@{handle} ({n} followers)").format(handle=v.get("handle", ""), n=count(v["followers"]))
        if isinstance(v.get("followers"), int | float)
        else "@" + str(v.get("handle", ""))
        for v in voices
    )


def _watch(alert: Facts, since: str) -> str:
    n = round(alert.observed)
    if n == 1:
        return _("The watch query {query} matched one post since {since}").format(
            query=alert.subject, since=since
        )
    return _("The watch query {query} matched {n} posts since {since}").format(
        query=alert.subject, n=count(n), since=since
    )


# -- the figures in short (the log, the chat lines) ----------------------------------------------


def in_short(kind: str, observed: float, expected: float) -> str:
    """The figures of one run: `118 posts against about 22`, `80% negative against about 60%`."""
    if kind == VOLUME:
        return _("{observed} posts against {expected}").format(
            observed=count(observed), expected=_about(expected)
        )
    if kind == NEGATIVE:
        return _("{share} negative against about {usual} usually").format(
            share=share(observed), usual=share(expected)
        )
    if kind == VIRAL:
        return _("{speed} engagements an hour against about {usual} usually").format(
            speed=count(observed), usual=count(expected)
        )
    if kind == INFLUENCER:
        return _("{reach} followers reached").format(reach=count(observed))
    if kind == WATCH:
        return _("{n} matching posts").format(n=count(observed))
    return _("{observed} against {expected} expected").format(
        observed=number(observed, 1), expected=number(expected, 1)
    )


# -- the figures, named for people ---------------------------------------------------------------


def figures(alert: Facts, zone: ZoneInfo) -> list[tuple[str, str]]:
    """(what, value) rows behind the sentence, per kind, then the window."""
    rows = {
        VOLUME: _volume_figures,
        NEGATIVE: _negative_figures,
        VIRAL: _viral_figures,
        INFLUENCER: _influencer_figures,
        WATCH: _watch_figures,
    }.get(alert.kind, _plain_figures)(alert)
    if alert.why.get("since") and alert.why.get("until"):
        end = _window_end(alert)
        span = f"{when(_window_start(alert, end), zone)} – {when(end, zone)}"
        rows.append((_("Window counted"), span))
    return rows


def _volume_figures(alert: Facts) -> list[tuple[str, str]]:
    ratio = alert.why.get("ratio") or alert.observed / max(alert.expected, 1.0)
    rows = [
        (_("Posts in the window"), count(alert.observed)),
        (_("Usual level"), _about(alert.expected)),
        (_("Compared with"), baseline(alert.why.get("method"))),
    ]
    if alert.expected >= 0.5:
        rows.append((_("Ratio"), _("{ratio} times the usual level").format(ratio=times(ratio))))
    return rows


def _negative_figures(alert: Facts) -> list[tuple[str, str]]:
    rows = [
        (_("Negative share"), share(alert.observed)),
        (_("Usual negative share"), _("about {share}").format(share=share(alert.expected))),
    ]
    posts, negative = _negative_counts(alert)
    if isinstance(posts, int | float) and isinstance(negative, int | float):
        rows.append((_("Negative posts"), _("{negative} of {posts}").format(
            negative=count(negative), posts=count(posts))))  # fmt: skip
    return rows


def _viral_figures(alert: Facts) -> list[tuple[str, str]]:
    author, _text = _viral_post(alert)
    why = alert.why
    rows = [(_("Author"), "@" + author)] if author else []
    if isinstance(why.get("engagement"), int | float):
        detail = _("{likes} likes, {reposts} reposts, {replies} replies, {quotes} quotes").format(
            **{k: count(why.get(k) or 0) for k in ("likes", "reposts", "replies", "quotes")}
        )
        rows.append((_("Engagement"), f"{count(why['engagement'])} ({detail})"))
    rows += [
        (_("Engagement per hour"), count(alert.observed)),
        (_("Usual engagement per hour"), _("about {n}").format(n=count(alert.expected))),
    ]
    if isinstance(why.get("age_hours"), int | float):
        rows.append((_("Age of the post"), _("{n} h").format(n=number(why["age_hours"], 1))))
    return rows


def _influencer_figures(alert: Facts) -> list[tuple[str, str]]:
    voices = alert.why.get("influencers") or []
    return [
        (_("Large accounts"), voices_line(voices)),
        (_("Followers in all"), count(alert.why.get("reach", alert.observed))),
        (_("Accounts counted from"), _("{n} followers").format(n=count(alert.expected))),
    ]


def _watch_figures(alert: Facts) -> list[tuple[str, str]]:
    return [(_("Watch query"), alert.subject), (_("Matching posts"), count(alert.observed))]


def _plain_figures(alert: Facts) -> list[tuple[str, str]]:
    return [(_("Observed"), number(alert.observed, 1)), (_("Expected"), number(alert.expected, 1))]


# -- the log --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of an alert's log: a person's action, or a run of detector updates folded."""

    at: datetime  # the line's latest moment (the log is newest first)
    by: str | None  # a person, or None for the detectors
    what: str  # the event's code, or "updates" for a folded run
    text: str


def log_lines(
    events: Iterable[Mapping[str, Any]],
    kind: str,
    zone: ZoneInfo,
    statements: Mapping[str, str] | None = None,
) -> list[LogLine]:
    """The log newest first, the detectors' updates that follow one another without a person
    acting in between folded into one line: a storm updates its alert every run."""
    lines: list[LogLine] = []
    run: list[Mapping[str, Any]] = []
    for e in events:
        if e["what"] == "updated":
            run.append(e)
            continue
        lines += _folded(run, kind, zone)
        run = []
        lines.append(LogLine(e["at"], e.get("by"), e["what"], event(e, kind, zone, statements)))
    return lines + _folded(run, kind, zone)


def _folded(run: list[Mapping[str, Any]], kind: str, zone: ZoneInfo) -> list[LogLine]:
    if not run:
        return []
    if len(run) == 1:
        return [LogLine(run[0]["at"], None, "updated", event(run[0], kind, zone))]
    latest, first = run[0], run[-1]  # newest first
    text = _("updated the figures {n} times between {start} and {end}; latest: {figures}").format(
        n=count(len(run)),
        start=when(first["at"], zone),
        end=when(latest["at"], zone),
        figures=_event_figures(latest, kind),
    )
    return [LogLine(latest["at"], None, "updates", text)]


def _event_figures(e: Mapping[str, Any], kind: str) -> str:
    detail = e.get("detail") or {}
    return in_short(kind, float(detail.get("observed") or 0), float(detail.get("expected") or 0))


def event(
    e: Mapping[str, Any],
    kind: str,
    zone: ZoneInfo,
    statements: Mapping[str, str] | None = None,
) -> str:
    """One event of the log as a sentence; `statements` names the holding statements by slug."""
    what, detail = e["what"], e.get("detail") or {}
    if what == "opened":
        return _("opened: {figures}").format(figures=_event_figures(e, kind))
    if what == "updated":
        return _("updated: {figures}").format(figures=_event_figures(e, kind))
    if what == "acked":
        return _("acknowledged")
    if what == "muted":
        until = detail.get("until")
        if not until:
            return _("muted")
        return _("muted until {time}").format(time=when(_moment(until), zone))
    if what == "unmuted":
        return _("unmuted")
    if what == "closed":
        return _("closed after a quiet cooldown")
    if what == "assigned":
        task = detail.get("task")
        return _("assigned to {name}: {task}").format(name=detail.get("to"), task=task)
    if what == "note":
        return _("note: {text}").format(text=detail.get("text"))
    if what == "statement_copied":
        slug = detail.get("statement", "")
        return _("copied the statement “{name}” ({language})").format(
            name=(statements or {}).get(slug, slug), language=str(detail.get("language")).upper()
        )
    if what == "statement_published":
        return _("published the statement “{name}” ({language}) on {accounts}").format(
            name=(statements or {}).get(detail.get("statement", ""), detail.get("statement")),
            language=str(detail.get("language")).upper(),
            accounts=", ".join(str(a) for a in detail.get("accounts") or ()),
        )
    return str(what)
