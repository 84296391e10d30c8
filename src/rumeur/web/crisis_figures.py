"""The crisis room's charts, drawn on the server as SVG (`charts.py`) in the request's language:
the subject's hourly posts by sentiment, and its spread across platforms and authors."""

from __future__ import annotations

from markupsafe import Markup

from rumeur.config import Workspace
from rumeur.i18n import _, number
from rumeur.web import labels
from rumeur.web.charts import Series, bar_list, stacked_bars
from rumeur.web.crisis import Room
from rumeur.web.figures import SENTIMENT_COLORS, bucket_labels


def room_charts(room: Room, ws: Workspace) -> dict[str, Markup]:
    t = room.timeline
    names = bucket_labels([h.astimezone(ws.zone) for h in t.hours])
    none = _("No posts in this period")
    return {
        "timeline": stacked_bars(
            "timeline",
            _("Posts per hour, by sentiment"),
            names,
            [Series(labels.sentiment(s), v) for s, v in t.sentiment.items()],
            colors={labels.sentiment(k): c for k, c in SENTIMENT_COLORS.items()},
            fmt=number,
            empty_text=none,
        ),
        "platforms": bar_list(
            "platforms",
            _("Platforms"),
            [(labels.platform(p), n) for p, n in room.platforms],
            fmt=number,
            empty_text=none,
        ),
        "authors": bar_list(
            "authors",
            _("Most active authors"),
            [("@" + h, n) for h, n in room.authors],
            fmt=number,
            empty_text=none,
        ),
    }
