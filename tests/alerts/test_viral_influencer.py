"""The viral-post (engagement velocity) and influencer detectors, on synthetic posts whose
metrics and authors' followers the tests set. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from factories import make_post
from rumeur.alerts.actions import events, list_alerts
from rumeur.alerts.detectors import quantile
from rumeur.alerts.engine import run_detectors
from rumeur.config import Workspace
from rumeur.model import Author, Post
from rumeur.store import Store

HOUR = timedelta(hours=1)
START = datetime(2015, 2, 17, tzinfo=UTC)
NOW = START + HOUR * 30  # a day and more of usual posts behind it


def workspace() -> Workspace:
    return Workspace.model_validate(
        {"slug": "acme", "name": "Acme", "brand": {"name": "Acme"}, "alerts": {"top": 3}}
    )


def usual_day(store: Store) -> None:
    """Sixty posts on the first day with 0 to 3 likes: the usual speed is the floor, 1/h."""
    store.write(
        "acme",
        [
            make_post(f"u{i}", "Acme ok", when=START + HOUR * (i % 24), likes=i % 4,
                      brands=["Acme"], handle=f"user{i % 7}")
            for i in range(60)
        ],
    )  # fmt: skip


def of_kind(store: Store, kind: str) -> list[dict]:
    return [a for a in list_alerts(store, "acme", True) if a["kind"] == kind]


def voice(native_id: str, handle: str, followers: int | None, when: datetime) -> Post:
    post = make_post(native_id, "I tried Acme today", when=when, handle=handle, brands=["Acme"])
    post.author = Author(handle=handle, followers=followers)
    return post


def test_a_fast_post_fires_once_then_updates_and_a_slow_one_does_not(store: Store) -> None:
    usual_day(store)
    ws = workspace()
    posted = NOW - HOUR / 2
    fast = make_post("fast", "Acme lost my dog", when=posted, likes=20, reposts=20,
                     brands=["Acme"])  # fmt: skip
    slow = make_post("slow", "Acme, a long story", when=NOW - 5 * HOUR, likes=40,
                     brands=["Acme"])  # fmt: skip
    small = make_post("small", "Acme hi", when=NOW - HOUR / 4, likes=10, brands=["Acme"])
    store.write("acme", [fast, slow, small])
    assert run_detectors(store, ws, NOW).opened == 1  # 40 in half an hour: 80/h, 10/h needed
    (alert,) = of_kind(store, "viral_post")
    assert alert["subject"] == "post:x:fast" and alert["observed"] == 80.0
    assert alert["expected"] == 1.0 and alert["started_at"] == posted.isoformat()
    why = alert["explanation"]
    assert (why["engagement"], why["likes"], why["reposts"]) == (40, 20, 20)
    assert why["brands"] == ["Acme"] and why["baseline_posts"] == 60
    assert [p["native_id"] for p in why["posts"]] == ["fast"]
    fast.metrics.likes = 280  # it keeps spreading: one alert, a new revision
    store.write("acme", [fast])
    report = run_detectors(store, ws, NOW + HOUR)
    assert (report.opened, report.updated) == (0, 1)
    (alert,) = of_kind(store, "viral_post")
    assert (alert["revision"], alert["observed"]) == (2, 200.0)  # 300 in 1.5 h
    assert [e["what"] for e in events(store, alert["id"])] == ["opened", "updated"]


def test_no_viral_alert_without_a_baseline(store: Store) -> None:
    fast = make_post("fast", "Acme!", when=NOW - HOUR / 2, likes=100, brands=["Acme"])
    store.write("acme", [fast])
    assert run_detectors(store, workspace(), NOW).opened == 0


def test_the_usual_speed_is_a_high_quantile() -> None:
    assert quantile([0, 0, 0, 10], 0.5) == 0
    assert quantile([0.0, 10.0], 0.99) == 9.9
    assert quantile([3.0], 0.99) == 3.0


def test_a_big_account_naming_the_brand_for_the_first_time_fires(store: Store) -> None:
    ws = workspace()
    first = NOW - HOUR / 2
    store.write("acme", [voice("b1", "bigname", 50_000, first),
                         voice("s1", "smallfry", 800, first),
                         voice("n1", "nobody", None, first)])  # fmt: skip
    assert run_detectors(store, ws, NOW).opened == 1
    (alert,) = of_kind(store, "influencer")
    assert alert["subject"] == "Acme" and alert["observed"] == 50_000
    assert alert["expected"] == 10_000 and alert["started_at"] == first.isoformat()
    (who,) = alert["explanation"]["influencers"]
    assert (who["handle"], who["followers"], who["native_id"]) == ("bigname", 50_000, "b1")
    assert [p["native_id"] for p in alert["explanation"]["posts"]] == ["b1"]
    # Again the next hour: the same alert, updated while the first post is in the window...
    store.write("acme", [voice("b2", "bigname", 50_000, NOW + HOUR / 2)])
    report = run_detectors(store, ws, NOW + HOUR)
    assert (report.opened, report.updated) == (0, 1)
    # ...and quiet once it is older than the window: they have talked about it before.
    later = NOW + 4 * HOUR
    store.write("acme", [voice("b3", "bigname", 50_000, later - HOUR / 2)])
    report = run_detectors(store, ws, later)
    assert (report.opened, report.updated) == (0, 0)
    assert len(of_kind(store, "influencer")) == 1


def test_an_author_who_named_the_brand_last_week_is_no_newcomer(store: Store) -> None:
    ws = workspace()
    store.write("acme", [voice("old", "bigname", 50_000, NOW - 7 * 24 * HOUR),
                         voice("new", "bigname", 50_000, NOW - HOUR / 2)])  # fmt: skip
    assert run_detectors(store, ws, NOW).opened == 0


def test_two_newcomers_add_up_their_reach(store: Store) -> None:
    store.write("acme", [voice("a", "big", 50_000, NOW - HOUR / 2),
                         voice("b", "bigger", 120_000, NOW - HOUR / 4)])  # fmt: skip
    run_detectors(store, workspace(), NOW)
    (alert,) = of_kind(store, "influencer")
    assert alert["observed"] == 170_000
    assert [w["handle"] for w in alert["explanation"]["influencers"]] == ["bigger", "big"]
