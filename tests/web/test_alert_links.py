"""The crisis room's "Mentions of the period" opens the stream on the posts the alert counted:
the brand's posts (by attribution, `brand:`, not the word) over the alert's window, in hours.
The stream's count is the alert's figure: its observed posts for a volume spike, the posts of
its window for a negative surge."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from test_dashboard_links import stream_count

from alerting_support import open_storm_alerts
from rumeur.alerts.kinds import NEGATIVE, VOLUME, WATCH
from rumeur.store.schema import alerts
from website import Site, make_site


@pytest.fixture(scope="module")
def storm(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    for site in make_site(demo_db, tmp_path_factory.mktemp("alert-links")):
        open_storm_alerts(site)
        yield site


def counted_alerts(site: Site) -> list[dict[str, Any]]:
    a = alerts.c
    with site.store.engine.connect() as conn:
        rows = conn.execute(select(alerts).where(a.kind.in_([VOLUME, NEGATIVE])).order_by(a.id))
        return [dict(r._mapping) for r in rows]


def figure(alert: dict[str, Any]) -> int:
    """The posts the alert counted in its window."""
    if alert["kind"] == VOLUME:
        return int(alert["observed"])
    return int(alert["explanation"]["window_posts"])


def room_link(client: Any, alert_id: int) -> str:
    page = client.get(f"/w/united/alerts/{alert_id}").text
    found = re.search(r'<a href="([^"]+)" data-testid="stream-link"', page)
    assert found is not None, "no link to the mentions in the room"
    return html.unescape(found.group(1))


def test_the_storm_opens_alerts_on_brands(storm: Site) -> None:
    kinds = {(a["kind"], a["subject"] != "*") for a in counted_alerts(storm)}
    assert (VOLUME, True) in kinds  # a brand's spike, the case the word search got wrong


def test_each_room_links_to_the_posts_its_alert_counted(storm: Site) -> None:
    client = storm.client("cyril")
    checked = []
    for alert in counted_alerts(storm):
        link = room_link(client, alert["id"])
        if alert["subject"] != "*":
            assert "brand=" + alert["subject"].replace(" ", "+") in link
        assert "start=" in link and "end=" in link
        checked.append((alert["kind"], alert["subject"], figure(alert), stream_count(client, link)))
    assert checked
    assert [c for c in checked if c[2] != c[3]] == []


def test_a_watch_word_links_to_its_saved_query_from_its_first_match(storm: Site) -> None:
    """A watch word counts the posts its saved query matched from the first one to the time it
    fired, that time included: its link runs the saved query over those times."""
    from datetime import UTC, datetime

    from sqlalchemy import and_, func, insert

    from rumeur.store.schema import post_queries, posts

    now = datetime(2015, 2, 22, 15, tzinfo=UTC)
    p, q = posts.c, post_queries.c
    matched = and_(q.workspace == "united", q.query == "delays", p.id == q.post_id)
    with storm.store.engine.connect() as conn:
        first = conn.execute(
            select(func.min(p.created_at)).where(matched, p.created_at > now.replace(hour=9))
        ).scalar_one()
        counted = conn.execute(
            select(func.count()).where(matched, p.created_at >= first, p.created_at <= now)
        ).scalar_one()
    why = {"since": first.isoformat(), "until": now.isoformat(), "query": "delays",
           "terms": [], "authors": [], "posts": []}  # fmt: skip
    with storm.store.transaction() as conn:
        alert_id = conn.execute(
            insert(alerts).values(
                workspace="united", kind=WATCH, subject="delays", status="open",
                started_at=now, updated_at=now, observed=float(counted), expected=0.0,
                score=float(counted), explanation=why, revision=1,
            )
        ).inserted_primary_key[0]  # fmt: skip
    client = storm.client("cyril")
    link = room_link(client, alert_id)
    assert "q=%28delay%2A" in link
    assert counted > 0 and stream_count(client, link) == counted
