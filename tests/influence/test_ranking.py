"""Author statistics, tiers, engagement rates and influence scores on recorded posts with real
follower counts (tests/influence/recorded.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from influence.recorded import feed_posts, workspace, x_posts
from rumeur.errors import ConfigError
from rumeur.i18n import using
from rumeur.influence import ranking, sentences
from rumeur.metrics import engagement_of
from rumeur.model import Author, Label, Metrics, Post
from rumeur.query.parser import parse
from rumeur.store import Store
from rumeur.store import author_stats as stats
from rumeur.store.corrections import record_correction
from rumeur.store.matched import apply_queries
from rumeur.store.rollups import ALL

ONE_POST = "[workspaces.influence]\nmin_posts = 1\n"


def by_author(found: list[ranking.Influencer]) -> dict[str, ranking.Influencer]:
    return {one.author: one for one in found}


def test_a_micro_account_with_high_engagement_outranks_a_mega_account_with_low(
    store: Store,
) -> None:
    ws = workspace(ONE_POST)
    posts = x_posts()
    store.write(ws.slug, posts)
    found = ranking.ranked(store, ws)
    ranks = {one.author: i for i, one in enumerate(found)}
    shown = by_author(found)
    assert set(shown) == {p.author.handle for p in posts}
    # The tiers from the accounts' real counts.
    tiers = {name: one.tier for name, one in shown.items()}
    assert tiers == {
        "BBCRajiniV": "micro", "KassidyCook1": "micro", "Stranger_Things": "mega",
        "Independent": "mega", "Chelseaaa2710": "nano", "YEPSportsdesk": "nano",
    }  # fmt: skip
    micro, mega = shown["BBCRajiniV"], shown["Independent"]
    assert micro.followers == 23047 and mega.followers == 2790092
    assert micro.engagement_rate == pytest.approx((2623 + 3845) / 23047)
    assert mega.engagement_rate == pytest.approx((28 + 16) / 2790092)
    # Ranked within their tier: each is one of two on x, the best and the worst of it.
    assert micro.tier_percentile == 0.75 and mega.tier_percentile == 0.25
    assert ranks["BBCRajiniV"] < ranks["Independent"]
    assert micro.score is not None and mega.score is not None and micro.score > mega.score
    # Why: the engagement part alone differs (both speak of the brand in their one post).
    parts = {p.name: p for p in micro.explanation}
    others = {p.name: p for p in mega.explanation}
    assert set(parts) == set(others) == {"engagement", "relevance", "sentiment"}
    gap = {name: parts[name].contribution - others[name].contribution for name in parts}
    assert gap["engagement"] == pytest.approx(micro.score - mega.score, abs=0.02)
    assert gap["relevance"] == gap["sentiment"] == 0
    why = sentences.sentence(parts["engagement"])
    assert "above 75.0% of micro accounts on X" in why
    assert "above 25.0% of mega accounts on X" in sentences.sentence(others["engagement"])
    assert parts["engagement"].posts == (int(micro.posts[0]),)
    # The follower count weighs nothing itself: the mega account's millions do not help it.
    assert all(p.name != "followers" for p in micro.explanation)


def test_the_statistics_of_a_recorded_feed_and_too_few_posts(store: Store) -> None:
    ws = workspace()
    posts, profile = feed_posts()
    store.write(ws.slug, posts)
    mine = [p for p in posts if p.author.handle == profile["handle"]]
    one = ranking.influencer(store, ws, f"bluesky:{profile['handle']}")
    assert one is not None and one.reason is None
    assert one.window_posts == len(mine) == 23
    assert one.interactions == sum(p.metrics.engagement for p in mine)
    assert one.followers == profile["followersCount"] == 4945 and one.tier == "nano"
    rate = sum(p.metrics.engagement for p in mine) / len(mine) / 4945
    assert one.engagement_rate == pytest.approx(rate)
    assert one.tier_percentile == 0.5  # alone in its tier on bluesky
    assert one.brands == {"Acme": 23}
    assert one.first_mention == min(p.created_at for p in mine)
    assert one.last_mention == max(p.created_at for p in mine)
    best = sorted(mine, key=lambda p: -p.metrics.engagement)[0]
    assert best.metrics.engagement == 76 + 50  # the recorded post most liked and reposted
    with store.read() as conn:
        stored = {p.id: p for p in stats.author_posts(conn, ws.slug, one.id)}
    assert len(stored) == 23 and len(one.posts) == 3
    assert [stored[i].engagement for i in one.posts] == sorted(
        (p.metrics.engagement for p in mine), reverse=True
    )[:3]
    # The feed's two reposted authors have one post each: a reason, not a number.
    other = ranking.influencer(store, ws, "xychelsea.tv")
    assert other is not None and other.score is None and other.reason == "not_enough_posts"
    assert other.followers is None and other.tier is None and other.explanation == ()
    listed = {p.author for p in ranking.ranked(store, ws)}
    assert listed == {profile["handle"]}


def _days(store: Store, slug: str) -> dict[tuple[str, int], stats.Sums]:
    """Every author's sums over every day and brand of the workspace."""
    since, until = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    found = {}
    with store.read() as conn:
        for brand in (ALL, "Acme", "Other"):
            for author, sums in stats.window_sums(conn, slug, brand, since, until).items():
                found[(brand, author)] = sums
    return found


def test_author_days_kept_by_the_writer_are_what_a_recount_finds(store: Store) -> None:
    ws = workspace()
    posts = x_posts()
    store.write(ws.slug, posts)
    # Seen again: fresher counts, another brand, a sentiment, a query; and once more unchanged.
    again = x_posts()
    again[0].metrics = Metrics(likes=100, reposts=9)
    again[1].brands = ["Other"]
    again[2].labels = [Label("sentiment", "positive")]
    again[3].queries = ["launch"]
    store.write(ws.slug, again)
    store.write(ws.slug, again)
    kept = _days(store, ws.slug)
    assert kept[(ALL, _id(store, "KassidyCook1"))].engagement == 109
    assert ("Acme", _id(store, "Stranger_Things")) not in kept
    assert kept[("Other", _id(store, "Stranger_Things"))].posts == 1
    assert kept[("Acme", _id(store, "BBCRajiniV"))].positive == 1
    assert kept[(ALL, _id(store, "Chelseaaa2710"))].matched == 1
    totals = sum(s.engagement for (brand, _), s in kept.items() if brand == ALL)
    assert totals == sum(engagement_of(_metrics(p)) for p in again)
    # A team's correction of a label moves the author's days as it moves the rollups.
    record_correction(store, ws.slug, _post_id(store, "BBCRajiniV"), None, "sentiment",
                      "negative", "léa")  # fmt: skip
    kept = _days(store, ws.slug)
    assert kept[("Acme", _id(store, "BBCRajiniV"))].positive == 0
    assert kept[("Acme", _id(store, "BBCRajiniV"))].negative == 1
    # The saved queries run again over the archive (`rumeur query apply`): one matches a post
    # more, the query the batch had recorded is dropped.
    apply_queries(store, ws.slug, [("water", parse("water"))], forget_others=True)
    kept = _days(store, ws.slug)
    assert kept[(ALL, _id(store, "BBCRajiniV"))].matched == 1
    assert kept[(ALL, _id(store, "Chelseaaa2710"))].matched == 0
    with store.transaction() as conn:
        assert stats.rebuild_author_days(conn) == len(posts)
    assert _days(store, ws.slug) == kept


def _post_id(store: Store, handle: str) -> int:
    with store.read() as conn:
        return stats.author_posts(conn, "watch", _id(store, handle))[0].id


def _metrics(post: Post) -> dict[str, int]:
    m = post.metrics
    return {"likes": m.likes, "reposts": m.reposts, "replies": m.replies, "quotes": m.quotes}


def _id(store: Store, handle: str) -> int:
    with store.read() as conn:
        found = stats.find_author(conn, "watch", handle)
    assert found is not None
    return found


def _post(n: int, when: datetime, followers: int | None, likes: int) -> Post:
    return Post(
        platform="bluesky", native_id=f"g{n}", text=f"Acme post {n}", created_at=when,
        author=Author(handle="grower.example", followers=followers), brands=["Acme"],
        metrics=Metrics(likes=likes),
    )  # fmt: skip


def test_growth_of_followers_over_the_window_is_a_part_of_the_score(store: Store) -> None:
    ws = workspace()
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    counts = [1000, 1000, 1100, 1300]  # as each day's post carried it
    store.write(ws.slug, [_post(i, start + timedelta(days=i), c, 5) for i, c in enumerate(counts)])
    one = ranking.influencer(store, ws, "grower.example")
    assert one is not None and one.growth == pytest.approx(0.3)
    growth = {p.name: p for p in one.explanation}["growth"]
    assert growth.value == 1.0  # 20 % or more takes the part to its top
    assert growth.figures == {"first": 1000, "last": 1300, "growth": pytest.approx(0.3)}
    assert one.followers == 1300
    with using("en"):
        assert sentences.sentence(growth) == ("Followers 1,000 to 1,300 over the window (+30.0%).")
    # An old post seen again with a newer count leaves its day's count as it was.
    store.write(ws.slug, [_post(0, start, 5000, 6)])
    again = ranking.influencer(store, ws, "grower.example")
    assert again is not None and again.growth == pytest.approx(0.3)


def test_engagement_by_tier_measures_the_workspace_s_own_authors(store: Store) -> None:
    ws = workspace(ONE_POST)
    store.write(ws.slug, x_posts())
    rows = {(r.tier, r.platform): r for r in ranking.engagement_by_tier(store, ws)}
    assert [r.tier for r in ranking.engagement_by_tier(store, ws)] == ["nano", "micro", "mega"]
    micro = rows[("micro", "x")]
    assert micro.authors == 2 and micro.posts == 2
    assert micro.median_engagement_rate == pytest.approx(
        ((2623 + 3845) / 23047 + (47 + 7) / 25941) / 2
    )


def test_tier_limits_must_rise_and_the_error_says_where() -> None:
    bad = "[workspaces.influence.tiers]\nnano = 50000\nmicro = 20000\n"
    with pytest.raises(ConfigError, match=r"test\.toml.*influence.*tier limits must rise"):
        workspace(bad)
    ws = workspace("[workspaces.influence.tiers]\nnano = 1000\n")
    assert ws.influence.tiers.tier(999) == "nano" and ws.influence.tiers.tier(1000) == "micro"


def _voice(handle: str, n: int, when: datetime, likes: int, location: str | None = None) -> Post:
    return Post(
        platform="mastodon", native_id=f"{handle}-{n}", text=f"Acme {n}", created_at=when,
        author=Author(handle=handle, location=location), brands=["Acme"],
        metrics=Metrics(likes=likes),
    )  # fmt: skip


def test_a_place_scores_locality_and_keeps_the_city_and_its_region(store: Store) -> None:
    ws = workspace()
    when = datetime(2026, 5, 1, 9, tzinfo=UTC)
    typed = {"lea": "Bordeaux, France", "paul": "Pessac", "zoe": "Paris", "max": None}
    store.write(
        ws.slug,
        [_voice(h, i, when + timedelta(hours=i), 3, where) for h, where in typed.items()
         for i in range(3)],
    )  # fmt: skip
    found = by_author(ranking.ranked(store, ws, place="Bordeaux"))
    assert set(found) == {"lea", "paul"}  # Paris and the unknown are not near Bordeaux
    locality = {
        name: {p.name: p for p in one.explanation}["locality"] for name, one in found.items()
    }
    assert locality["lea"].value == 1.0 and locality["paul"].value == 0.5
    assert found["lea"].score > found["paul"].score  # all else equal
    assert found["paul"].place == {
        "city": "Pessac", "region": "Nouvelle-Aquitaine", "country": "FR",
    }  # fmt: skip
    assert sentences.sentence(locality["paul"]) == (
        "Near Bordeaux, Nouvelle-Aquitaine, FR: Pessac, Nouvelle-Aquitaine, FR."
    )
    with pytest.raises(ranking.UnknownPlace):
        ranking.ranked(store, ws, place="le monde entier")
    assert len(ranking.ranked(store, ws)) == 4  # no place asked: no locality part, no filter
    assert all(p.name != "locality" for one in ranking.ranked(store, ws) for p in one.explanation)


def test_rising_voices_compare_the_recent_half_of_the_window_with_the_earlier(
    store: Store,
) -> None:
    ws = workspace()
    end = datetime(2026, 6, 30, 12, tzinfo=UTC)
    early, late = end - timedelta(days=70), end - timedelta(days=10)
    posts = [
        # Interactions per post from 2 to 12: listed.
        *(_voice("riser", i, early + timedelta(hours=i), 2) for i in range(3)),
        *(_voice("riser", 10 + i, late + timedelta(hours=i), 12) for i in range(3)),
        # As engaged as before: not listed.
        *(_voice("steady", i, early + timedelta(hours=i), 5) for i in range(3)),
        *(_voice("steady", 10 + i, late + timedelta(hours=i), 5) for i in range(3)),
        # Three posts in the recent half only: a new voice.
        *(_voice("newcomer", i, late + timedelta(hours=i), 1) for i in range(3)),
    ]
    store.write(ws.slug, posts)
    found = by_author(ranking.rising(store, ws))
    assert set(found) == {"riser", "newcomer"}
    assert found["riser"].listed_for == (
        {"sentence": "rising_engagement", "before": 2.0, "now": 12.0},
    )
    assert found["newcomer"].listed_for == ({"sentence": "rising_new_voice", "posts": 3},)
    assert sentences.listed_for(found["riser"].listed_for[0]) == (
        "Interactions per post up from 2.0 to 12.0."
    )
    assert len(found["riser"].posts) == 3 and found["riser"].to_json()["listed_for"][0]["text"]
