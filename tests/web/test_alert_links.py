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
from rumeur.alerts.kinds import NEGATIVE, VOLUME
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
