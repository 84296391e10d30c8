"""`rumeur replay` prints each new alert as the pages name it, a stranger's `:x:` as it is: no
emoji code."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rumeur.commands.replaying import _print_new, console_for_alerts
from rumeur.config import Workspace
from rumeur.store import Store
from rumeur.store.schema import alerts


def test_a_viral_post_subject_is_printed_literally(store: Store) -> None:
    at = datetime(2015, 2, 24, 11, tzinfo=UTC)
    row = {
        "workspace": "default", "kind": "viral_post", "subject": "post:x:570306133677760513",
        "status": "open", "started_at": at, "updated_at": at, "observed": 12.0,
        "expected": 1.0, "score": 12.0, "revision": 1,
        "explanation": {"posts": [{"text": "late :x: again"}], "authors": ["jo"]},
    }  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(alerts.insert(), [row])
    out = io.StringIO()
    ws = Workspace(slug="default", name="Default", timezone="Europe/Paris", brand={"name": "Acme"})
    _print_new(console_for_alerts(out), store, ws, set())
    assert out.getvalue() == (
        "2015-02-24 12:00 CET: alert 1, Viral post · @jo: “late :x: again”: "
        "12 engagements an hour against about 1 usually\n"
    )
    assert "\u274c" not in out.getvalue()  # the cross mark emoji rich substitutes for :x:
