"""The dashboard's charts, drawn on the server as SVG (`charts.py`) in the request's language,
each with its visible title and a subtitle that says what is counted, over which period and in
which scope."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from markupsafe import Markup

from rumeur.analytics.dashboard import Dashboard
from rumeur.i18n import _, language, number
from rumeur.web import labels
from rumeur.web.charts import (
    NARROW,
    WIDE,
    Series,
    bar_list,
    caption,
    line_chart,
    stacked_bars,
)

SENTIMENT_COLORS = {
    "negative": "#c0392b",
    "neutral": "#95a5a6",
    "positive": "#1e8449",
    "unknown": "#d5d8dc",
}
TIME_HEIGHT = 300  # the charts over time, at WIDE
SEP = " · "


def hourly(buckets: Sequence[datetime]) -> bool:
    return len(buckets) > 1 and buckets[1] - buckets[0] < timedelta(days=1)


def bucket_labels(buckets: list[datetime]) -> list[str]:
    """The x labels: "Feb 17" / "17 févr." per day (the subtitle gives the year), a day and an
    hour per hour."""
    from babel.dates import format_datetime, format_skeleton

    if not hourly(buckets):
        return [format_skeleton("MMMd", b.date(), locale=language()) for b in buckets]
    return [format_datetime(b, "d MMM HH:mm", tzinfo=b.tzinfo, locale=language()) for b in buckets]


def day_range(first: date, last: date) -> str:
    """Both days included: "Feb 17 – 24, 2015" / "17–24 févr. 2015"."""
    from babel.dates import format_interval

    return format_interval(first, last, "yMMMd", locale=language())


def hour_range(start: datetime, end: datetime) -> str:
    """From an hour to another, in their own time zone: "22 Feb 2015 10:00 – 16:00", the day
    repeated only when the end is on another day."""
    from babel.dates import format_datetime

    def at(moment: datetime, pattern: str) -> str:
        return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=language())

    first = at(start, "d MMM y HH:mm")
    same_day = (end - timedelta(microseconds=1)).date() == start.date()
    return f"{first} – {at(end, 'HH:mm' if same_day else 'd MMM y HH:mm')}"


def buckets_range(buckets: Sequence[datetime]) -> str:
    """The period the buckets cover, as the subtitles say it."""
    if not buckets:
        return ""
    if hourly(buckets):
        return hour_range(buckets[0], buckets[-1] + (buckets[1] - buckets[0]))
    return day_range(buckets[0].date(), buckets[-1].date())


def subtitle(*parts: str) -> str:
    return SEP.join(p for p in parts if p)


def sentiment_bars(
    key: str,
    title: str,
    what: str,
    names: Sequence[str],
    counts: Mapping[str, Sequence[float]],
) -> Markup:
    """Posts per bucket stacked by sentiment, in the sentiments' own colours."""
    svg = stacked_bars(
        key,
        title,
        names,
        [Series(labels.sentiment(s), v) for s, v in counts.items()],
        colors={labels.sentiment(k): c for k, c in SENTIMENT_COLORS.items()},
        fmt=number,
        empty_text=_("No posts in this period"),
        width=WIDE,
        height=TIME_HEIGHT,
    )
    return caption(title, what) + svg


def counts(key: str, title: str, what: str, rows: Sequence[tuple[str, float]]) -> Markup:
    """Counts as horizontal bars, largest first as given, half a page wide, after their
    caption."""
    svg = bar_list(key, title, rows, fmt=number, empty_text=_("No posts in this period"),
                   width=NARROW)  # fmt: skip
    return caption(title, what) + svg


def scope_of(department: str | None) -> str:
    if department:
        return _("posts of the department {department}").format(department=department)
    return _("all mentions")


def charts(d: Dashboard, department: str | None = None) -> dict[str, Markup]:
    names = bucket_labels(d.buckets)
    period = buckets_range(d.buckets)
    scope = scope_of(department)
    per_hour = hourly(d.buckets)
    volume_title = _("Volume per brand")
    volume = line_chart(
        "volume",
        volume_title,
        names,
        [Series(b.name, b.series) for b in d.brands],
        fmt=number,
        empty_text=_("No posts in this period"),
        width=WIDE,
        height=TIME_HEIGHT,
    )
    brand_what = (
        _("Posts per hour naming each brand") if per_hour else _("Posts per day naming each brand")
    )
    sentiment_what = (
        _("Posts per hour by sentiment") if per_hour else _("Posts per day by sentiment")
    )
    return {
        "volume": caption(volume_title, subtitle(brand_what, period, scope)) + volume,
        "sentiment": sentiment_bars(
            "sentiment",
            _("Sentiment over time"),
            subtitle(sentiment_what, period, scope),
            names,
            d.sentiment,
        ),
        "emotions": counts(
            "emotions",
            _("Emotions"),
            subtitle(_("Posts per emotion detected"), period, scope),
            [(labels.emotion(e), n) for e, n in d.emotions],
        ),
        "reasons": counts(
            "reasons",
            _("Complaint reasons"),
            subtitle(_("Negative posts per complaint reason"), period, scope),
            [(labels.reason(r), n) for r, n in d.reasons],
        ),
        "languages": counts(
            "languages",
            _("Languages"),
            subtitle(_("Posts per language detected"), period, scope),
            [(labels.language_name(c), n) for c, n in d.languages],
        ),
    }
