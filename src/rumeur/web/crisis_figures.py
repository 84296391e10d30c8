"""The crisis room's charts, drawn on the server as SVG (`charts.py`) in the request's language:
the subject's hourly posts by sentiment, and its spread across platforms and authors, each with
its visible title and a subtitle naming the subject and the hours counted."""

from __future__ import annotations

from datetime import datetime, timedelta

from markupsafe import Markup

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.model import platform_name
from rumeur.store.rollups import ALL
from rumeur.web.crisis import Room, rollup_subject
from rumeur.web.figures import bucket_labels, counts, hour_range, sentiment_bars, subtitle

HOUR = timedelta(hours=1)


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def heat(alert: dict) -> tuple[datetime, datetime]:
    """The hours the platforms and authors are counted over, as `crisis.read_room` reads them:
    from the alert's first hour to the end of its last update's."""
    return _hour(alert["started_at"]), _hour(alert["updated_at"]) + HOUR


def room_charts(room: Room, ws: Workspace) -> dict[str, Markup]:
    t = room.timeline
    local = [h.astimezone(ws.zone) for h in t.hours]
    names = bucket_labels(local)
    about = rollup_subject(room.alert)
    everything = about == ALL

    def what(all_posts: str, brand_posts: str) -> str:
        return all_posts if everything else brand_posts.format(brand=about)

    timeline = hour_range(local[0], local[-1] + HOUR) if local else ""
    start, end = heat(room.alert)
    hot = hour_range(start.astimezone(ws.zone), end.astimezone(ws.zone))
    return {
        "timeline": sentiment_bars(
            "timeline",
            _("Posts per hour, by sentiment"),
            subtitle(what(_("All mentions per hour"), _("Posts about {brand} per hour")), timeline),
            names,
            t.sentiment,
        ),
        "platforms": counts(
            "platforms",
            _("Platforms"),
            subtitle(what(_("Mentions per platform"), _("Posts about {brand} per platform")), hot),
            [(platform_name(p), n) for p, n in room.platforms],
        ),
        "authors": counts(
            "authors",
            _("Most active authors"),
            subtitle(what(_("Mentions per author"), _("Posts about {brand} per author")), hot),
            [("@" + h, n) for h, n in room.authors],
        ),
    }
