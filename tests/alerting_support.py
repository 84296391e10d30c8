"""Alerts in the web tests' demo store: the detectors run over the storm of 22 February 2015,
as a replay would at those hours, and open real alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from rumeur.alerts.engine import run_detectors
from rumeur.store.schema import alerts
from website import Site

STORM = datetime(2015, 2, 22, 10, tzinfo=UTC)  # from 10h to 15h UTC: United's volume spike


def open_storm_alerts(site: Site) -> None:
    """Run the detectors once per hour over the storm, unless it was done for this site."""
    ws = site.settings.workspace()
    with site.store.engine.connect() as conn:
        if conn.execute(select(alerts.c.id).where(alerts.c.workspace == ws.slug)).first():
            return
    for hour in range(6):
        run_detectors(site.store, ws, STORM + timedelta(hours=hour))


def an_alert(site: Site, subject: str = "United", kind: str = "volume_spike") -> int:
    """The id of the storm's alert of `kind` on `subject` (opened on the first call)."""
    open_storm_alerts(site)
    a = alerts.c
    with site.store.engine.connect() as conn:
        return conn.execute(
            select(a.id).where(a.kind == kind, a.subject == subject).order_by(a.id).limit(1)
        ).scalar_one()
