"""Alerts in the web tests' demo store: the detectors run over the storm of 22 February 2015,
as a replay would at those hours, and open real alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from rumeur.alerts.engine import run_detectors
from rumeur.store import Store
from rumeur.store.schema import alert_events, alerts
from website import Site

STORM = datetime(2015, 2, 22, 10, tzinfo=UTC)  # from 10h to 15h UTC: United's volume spike
ONE_AT = datetime(2015, 2, 22, 18, tzinfo=UTC)


def store_with_one_alert(
    path: str, opened_event: bool = False, viral: dict[str, str] | None = None
) -> str:
    """A new store at `path` holding one open volume alert on American (id 1, revision 4),
    with its "opened" event when asked; and a viral post's alert (id 2) by `viral["author"]`
    saying `viral["text"]` when given."""
    store = Store.open(path)
    with store.transaction() as conn:
        conn.execute(
            insert(alerts).values(
                workspace="united", kind="volume_spike", subject="American", status="open",
                started_at=ONE_AT, updated_at=ONE_AT, observed=118.0, expected=3.0, score=40.0,
                explanation={"terms": ["cancelled", "flight"], "posts": []}, revision=4,
            )
        )  # fmt: skip
        if viral:
            why = {"posts": [{"id": 9, "text": viral["text"], "engagement": 400}],
                   "authors": [viral["author"]], "ratio": 20.0}  # fmt: skip
            conn.execute(
                insert(alerts).values(
                    workspace="united", kind="viral_post", subject="post:x:569927", status="open",
                    started_at=ONE_AT, updated_at=ONE_AT, observed=200.0, expected=10.0,
                    score=20.0, explanation=why, revision=1,
                )
            )  # fmt: skip
        if opened_event:
            event = {"alert_id": 1, "at": ONE_AT, "what": "opened", "detail": {}}
            conn.execute(insert(alert_events).values(event))
    store.close()
    return path


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
