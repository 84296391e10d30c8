"""The dashboard's charts, drawn on the server as SVG (`charts.py`) in the request's language."""

from __future__ import annotations

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


def charts(d: Dashboard) -> dict[str, Markup]:
    names = bucket_labels(d.buckets)
    none = _("No posts in this period")
    return {
        "volume": line_chart(
            "volume",
            _("Volume per brand"),
            names,
            [Series(b.name, b.series) for b in d.brands],
            fmt=number,
            empty_text=none,
        ),
        "sentiment": stacked_bars(
            "sentiment",
            _("Sentiment over time"),
            names,
            [Series(labels.sentiment(s), v) for s, v in d.sentiment.items()],
            colors={labels.sentiment(k): c for k, c in SENTIMENT_COLORS.items()},
            fmt=number,
            empty_text=none,
        ),
        "emotions": bar_list(
            "emotions",
            _("Emotions"),
            [(labels.emotion(e), n) for e, n in d.emotions],
            fmt=number,
            empty_text=none,
        ),
        "reasons": bar_list(
            "reasons", _("Complaint reasons"), d.reasons, fmt=number, empty_text=none
        ),
        "languages": bar_list(
            "languages",
            _("Languages"),
            [(labels.language_name(c), n) for c, n in d.languages],
            fmt=number,
            empty_text=none,
        ),
    }
