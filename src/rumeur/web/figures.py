"""The dashboard's charts, drawn on the server as SVG (`charts.py`) in the request's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from markupsafe import Markup

from rumeur.analytics.dashboard import Dashboard
from rumeur.i18n import _, day, language, number
from rumeur.web import labels
from rumeur.web.charts import Series, bar_list, line_chart, stacked_bars

SENTIMENT_COLORS = {
    "negative": "#c0392b",
    "neutral": "#95a5a6",
    "positive": "#1e8449",
    "unknown": "#d5d8dc",
}


def bucket_labels(buckets: list[datetime]) -> list[str]:
    hourly = len(buckets) > 1 and buckets[1] - buckets[0] < timedelta(days=1)
    if not hourly:
        return [day(b.date()) for b in buckets]
    from babel.dates import format_datetime

    return [format_datetime(b, "d MMM HH:mm", tzinfo=b.tzinfo, locale=language()) for b in buckets]


def sentiment_bars(
    key: str, title: str, names: Sequence[str], counts: Mapping[str, Sequence[float]]
) -> Markup:
    """Posts per bucket stacked by sentiment, in the sentiments' own colours."""
    return stacked_bars(
        key,
        title,
        names,
        [Series(labels.sentiment(s), v) for s, v in counts.items()],
        colors={labels.sentiment(k): c for k, c in SENTIMENT_COLORS.items()},
        fmt=number,
        empty_text=_("No posts in this period"),
    )


def counts(key: str, title: str, rows: Sequence[tuple[str, float]]) -> Markup:
    """Counts as horizontal bars, largest first as given."""
    return bar_list(key, title, rows, fmt=number, empty_text=_("No posts in this period"))


def charts(d: Dashboard) -> dict[str, Markup]:
    names = bucket_labels(d.buckets)
    return {
        "volume": line_chart(
            "volume",
            _("Volume per brand"),
            names,
            [Series(b.name, b.series) for b in d.brands],
            fmt=number,
            empty_text=_("No posts in this period"),
        ),
        "sentiment": sentiment_bars("sentiment", _("Sentiment over time"), names, d.sentiment),
        "emotions": counts(
            "emotions", _("Emotions"), [(labels.emotion(e), n) for e, n in d.emotions]
        ),
        "reasons": counts("reasons", _("Complaint reasons"), d.reasons),
        "languages": counts(
            "languages", _("Languages"), [(labels.language_name(c), n) for c, n in d.languages]
        ),
    }
