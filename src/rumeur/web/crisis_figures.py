"""The crisis room's charts, drawn on the server as SVG (`charts.py`) in the request's language:
the subject's hourly posts by sentiment, and its spread across platforms and authors."""

from __future__ import annotations

from markupsafe import Markup

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.web import labels
from rumeur.web.crisis import Room
from rumeur.web.figures import bucket_labels, counts, sentiment_bars


def room_charts(room: Room, ws: Workspace) -> dict[str, Markup]:
    t = room.timeline
    names = bucket_labels([h.astimezone(ws.zone) for h in t.hours])
    return {
        "timeline": sentiment_bars(
            "timeline", _("Posts per hour, by sentiment"), names, t.sentiment
        ),
        "platforms": counts(
            "platforms", _("Platforms"), [(labels.platform(p), n) for p, n in room.platforms]
        ),
        "authors": counts(
            "authors", _("Most active authors"), [("@" + h, n) for h, n in room.authors]
        ),
    }
