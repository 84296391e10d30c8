"""`rumeur replay` prints each new alert's subject as it is: `post:x:123` is no emoji code."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rumeur.commands.replaying import _print_new, console_for_alerts
from rumeur.store import Store
from rumeur.store.schema import alerts


def test_a_viral_post_subject_is_printed_literally(store: Store) -> None:
    at = datetime(2015, 2, 24, 11, tzinfo=UTC)
    row = {
        "workspace": "default", "kind": "viral", "subject": "post:x:570306133677760513",
        "status": "open", "started_at": at, "updated_at": at, "observed": 12.0,
        "expected": 1.0, "score": 12.0, "explanation": {}, "revision": 1,
    }  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(alerts.insert(), [row])
    out = io.StringIO()
    _print_new(console_for_alerts(out), store, "default", set())
    assert "alert 1 viral post:x:570306133677760513: 12.00 against 1.00" in out.getvalue()
    assert "\u274c" not in out.getvalue()  # the cross mark emoji rich substitutes for :x:
