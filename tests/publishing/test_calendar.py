"""The publishing calendar (docs/publish.md, "The calendar"): periods and days in the
workspace's zone across the daylight-saving changes, moving an item (what may move, what an
approval becomes, who may), each network's quotas and the warning of a move into a window over
quota."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import laposte_workspace as laposte
import pytest
from publishing_support import SETTINGS, workspace
from sqlalchemy import insert

from replay import ReplayServer
from rumeur.publishing import calendar as planning
from rumeur.publishing import quotas
from rumeur.store import publishing as rows
from rumeur.store.publishing import NewItem
from rumeur.store.schema import outbox
from rumeur.store.store import Store

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def add(store: Store, account: str, at: datetime, status: str = "scheduled",
        text: str = "Bonjour {n}", media: int = 0, platform: str = "bluesky") -> int:  # fmt: skip
    item = NewItem(
        account=account, platform=platform, handle=laposte.ACCOUNTS[account][1],
        text=text.format(n=at.isoformat()), at=at, timezone="Europe/Paris",
        status=status,  # type: ignore[arg-type]
        media=[{"path": f"i{n}.png", "alt": "une image"} for n in range(media)],
    )  # fmt: skip
    made = rows.create(store, "laposte", text=item.text, items=[item], now=NOW, author="cyril")
    return made.items[0][0]


@pytest.fixture
def lite(tmp_path: Path, _sqlite_migrated: Path) -> Iterator[Store]:
    """A SQLite store alone, for what does not depend on the database (the tests that take
    `store` run on PostgreSQL too: the moves' conditional UPDATE, the times, the feed token)."""
    path = tmp_path / "lite.db"
    shutil.copyfile(_sqlite_migrated, path)
    opened = Store.open(str(path))
    yield opened
    opened.close()


# --- periods and days --------------------------------------------------------------------


def test_a_week_runs_monday_to_sunday_and_a_month_is_padded_to_whole_weeks() -> None:
    week = planning.period("week", date(2027, 3, 31))
    assert (week.first, week.last) == (date(2027, 3, 29), date(2027, 4, 4))
    month = planning.period("month", date(2027, 2, 14))  # 1 February 2027 is a Monday
    assert (month.first, month.last, len(month.days)) == (date(2027, 2, 1), date(2027, 2, 28), 28)
    march = planning.period("month", date(2027, 3, 14))
    assert (march.first, march.last) == (date(2027, 3, 1), date(2027, 4, 4))
    assert (march.previous(), march.next()) == (date(2027, 2, 1), date(2027, 4, 1))


def test_the_week_of_the_spring_change_is_167_hours_of_paris_time() -> None:
    week = planning.period("week", date(2027, 3, 28))  # the clocks go forward that Sunday
    start = planning.midnight(week.first, PARIS)
    end = planning.midnight(week.last + timedelta(days=1), PARIS)
    assert start == datetime(2027, 3, 21, 23, tzinfo=UTC)  # CET, UTC+1
    assert end == datetime(2027, 3, 28, 22, tzinfo=UTC)  # CEST, UTC+2
    assert end - start == timedelta(hours=167)


def test_an_item_at_0900_in_paris_stays_at_0900_on_both_sides_of_each_change(store: Store) -> None:
    ws = workspace()
    spring = [date(2027, 3, 27), date(2027, 3, 28), date(2027, 3, 29)]  # the change: 28 March
    autumn = [date(2027, 10, 30), date(2027, 10, 31), date(2027, 11, 1)]  # 31 October
    days = spring + autumn
    ids = {day: add(store, "lyon", paris(day, 9)) for day in days}
    assert rows.item(store, ids[date(2027, 3, 27)]).at.hour == 8  # type: ignore[union-attr]
    assert rows.item(store, ids[date(2027, 3, 29)]).at.hour == 7  # type: ignore[union-attr]
    for day, item_id in ids.items():
        shown = planning.build(store, ws, "week", day, planning.Filters())
        [entry] = [e for e in shown.days[day] if e.item.id == item_id]
        assert entry.local.strftime("%H:%M") == "09:00", day
        assert entry.local.date() == day
    month = planning.build(store, ws, "month", date(2027, 10, 15), planning.Filters())
    assert [e.local.hour for d in days[3:5] for e in month.days[d]] == [9, 9]  # ends Sunday 31


def test_a_drop_on_another_day_keeps_the_time_of_day_not_the_hours_between() -> None:
    ws = workspace()
    saturday = paris(date(2027, 3, 27), 9)  # 08:00 UTC
    item = _item(saturday)
    assert planning.on_day(item, date(2027, 3, 29), ws.zone) == datetime(2027, 3, 29, 7, tzinfo=UTC)
    autumn = _item(paris(date(2027, 10, 30), 9))  # 07:00 UTC
    after = datetime(2027, 11, 1, 8, tzinfo=UTC)
    assert planning.on_day(autumn, date(2027, 11, 1), ws.zone) == after


def test_a_time_the_clocks_skip_reads_as_the_hour_after() -> None:
    skipped = planning.local_at(date(2027, 3, 28), time(2, 30), PARIS)
    assert skipped == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert skipped.astimezone(PARIS).strftime("%H:%M") == "03:30"
    assert planning.read_time("2027-03-29T09:00", PARIS) == datetime(2027, 3, 29, 7, tzinfo=UTC)
    assert planning.read_time("2027-03-29T09:00Z", PARIS) == datetime(2027, 3, 29, 9, tzinfo=UTC)


def _item(at: datetime) -> rows.Item:
    return rows.Item(
        id=1, workspace="laposte", message_id=1, account="lyon", platform="bluesky",
        handle="laposte-lyon.bsky.social", text="x", title=None, media=[], visibility=None,
        spoiler=None, extra={}, at=at, timezone="Europe/Paris", status="scheduled",
        native_id=None, native_url=None, idempotency_key="k", error=None, author=None,
        approved_by=None, approved_at=None, created_at=at, updated_at=at,
    )  # fmt: skip


def test_filters_keep_an_account_a_network_or_a_department(lite: Store) -> None:
    ws = workspace()
    day = date(2027, 3, 10)
    for account, platform in (("lyon", "bluesky"), ("toulouse", "mastodon"),
                              ("marseille", "mastodon")):  # fmt: skip
        add(lite, account, paris(day, 10), platform=platform)

    def shown(**f: str) -> list[str]:
        cal = planning.build(lite, ws, "week", day, planning.Filters(**f))
        return sorted(e.item.account for e in cal.days[day])

    assert shown() == ["lyon", "marseille", "toulouse"]
    assert shown(network="mastodon") == ["marseille", "toulouse"]
    assert shown(account="lyon") == ["lyon"]
    assert shown(department="marseille") == ["marseille"]


# --- moving --------------------------------------------------------------------------------


def test_an_approved_item_moved_stays_approved_and_a_pending_one_keeps_its_step(
    store: Store,
) -> None:
    ws = workspace()
    approved = add(store, "lyon", paris(date(2027, 3, 10), 9))
    rows.transition(store, approved, ("scheduled",), "scheduled", NOW, approved_by="ada",
                    approved_at=NOW)  # fmt: skip
    pending = add(store, "marseille", paris(date(2027, 3, 10), 9), "pending_approval",
                  platform="mastodon")  # fmt: skip
    to = paris(date(2027, 3, 12), 9)
    moved = planning.move(store, ws, approved, to, "cyril", "community_manager", NOW)
    assert (moved.item.at, moved.item.status, moved.item.approved_by) == (to, "scheduled", "ada")
    assert moved.item.timezone == "Europe/Paris" and moved.warnings == []
    held = planning.move(store, ws, pending, to, None, None, NOW).item
    assert (held.status, held.step, held.round, held.at) == ("pending_approval", 1, 1, to)


def test_what_was_sent_or_is_being_sent_does_not_move(lite: Store) -> None:
    ws = workspace()
    to = paris(date(2027, 3, 12), 9)
    for status in ("published", "sending", "failed", "unknown"):
        item_id = add(lite, "lyon", paris(date(2027, 3, 10), 9), status, text=status + " {n}")
        with pytest.raises(planning.MoveError) as refused:
            planning.move(lite, ws, item_id, to, None, None, NOW)
        assert refused.value.status == 409
        assert rows.item(lite, item_id).at == paris(date(2027, 3, 10), 9)  # type: ignore[union-attr]


def test_a_late_item_moved_ahead_is_scheduled_again_unless_the_sender_tried_it(
    store: Store,
) -> None:
    ws = workspace()
    to = paris(date(2027, 3, 12), 9)
    late = add(store, "lyon", NOW - timedelta(hours=1), "late")
    moved = planning.move(store, ws, late, to, None, None, NOW).item
    assert (moved.status, moved.error) == ("scheduled", None)
    tried = add(store, "lille", NOW - timedelta(hours=1), "late")
    item = rows.item(store, tried)
    with store.transaction() as conn:  # its tries ran out: the outbox row keeps the item's key
        conn.execute(insert(outbox).values(
            workspace="laposte", item_id=tried, platform="bluesky", account="laposte-lille",
            text="x", visibility="public", idempotency_key=item.idempotency_key,  # type: ignore[union-attr]
            request={}, state="failed", attempts=8, created_at=NOW, updated_at=NOW,
        ))  # fmt: skip
    with pytest.raises(planning.MoveError) as refused:
        planning.move(store, ws, tried, to, None, None, NOW)
    assert refused.value.status == 409


def test_a_past_time_and_another_department_s_manager_are_refused(lite: Store) -> None:
    ws = workspace()
    item_id = add(lite, "lyon", paris(date(2027, 3, 10), 9))
    with pytest.raises(planning.MoveError) as past:
        planning.move(lite, ws, item_id, NOW - timedelta(hours=2), None, None, NOW)
    assert past.value.status == 400 and "has passed" in str(past.value)
    # sam is a senior of Marseille: a local manager moves their own accounts' items only.
    with pytest.raises(planning.MoveError) as other:
        planning.move(lite, ws, item_id, NOW + timedelta(days=3), "sam", "community_manager",
                      NOW)  # fmt: skip
    assert other.value.status == 403
    theirs = add(lite, "marseille", paris(date(2027, 3, 10), 9), platform="mastodon")
    moved = planning.move(lite, ws, theirs, NOW + timedelta(days=3), "sam", "community_manager",
                          NOW)  # fmt: skip
    assert moved.item.at == NOW + timedelta(days=3)
    with pytest.raises(planning.MoveError) as missing:
        planning.move(lite, ws, 999_999, NOW + timedelta(days=3), None, None, NOW)
    assert missing.value.status == 404


# --- quotas --------------------------------------------------------------------------------


def _posts(n: int, platform: str, start: datetime, media: int = 0, step_s: int = 1) -> list:
    return [quotas.Planned(i, "acct", platform, start + timedelta(seconds=i * step_s),
                           ("m",) * media) for i in range(n)]  # fmt: skip


def test_bluesky_points_per_hour_and_per_day() -> None:
    nine = datetime(2027, 3, 10, 9, tzinfo=UTC)
    assert quotas.over(_posts(1666, "bluesky", nine)) == []  # 4,998 points
    [hour] = quotas.over(_posts(1667, "bluesky", nine))  # 5,001 points
    assert (hour.quota.key, hour.used, hour.start) == ("bluesky_hour", 5001, nine)
    # 11,667 posts spread over the day, under 5,000 points in each hour: the day is over.
    spread = _posts(11_667, "bluesky", datetime(2027, 3, 10, tzinfo=UTC), step_s=7)
    found = quotas.over(spread)
    assert [(u.quota.key, u.used) for u in found] == [("bluesky_day", 35_001)]


def test_mastodon_requests_and_media_in_fixed_windows() -> None:
    ten = datetime(2027, 3, 10, 10, tzinfo=UTC)
    # 8 statuses of 4 images: 32 uploads in one 30-minute window.
    [media] = quotas.over(_posts(8, "mastodon", ten, media=4, step_s=60))
    assert (media.quota.key, media.used, media.start) == ("mastodon_media", 32, ten)
    # The same 8 across 10:29 and 10:31: two windows, neither over.
    split = [quotas.Planned(i, "a", "mastodon", ten + timedelta(minutes=29 if i < 4 else 31),
                            ("m",) * 4) for i in range(8)]  # fmt: skip
    assert quotas.over(split) == []
    # 300 requests per 5 minutes: 60 statuses of 4 images are 300, 61 are 305.
    assert [u.quota.key for u in quotas.over(_posts(60, "mastodon", ten, media=4))] == [
        "mastodon_media"
    ]
    keys = {u.quota.key for u in quotas.over(_posts(61, "mastodon", ten, media=4))}
    assert keys == {"mastodon_media", "mastodon_requests"}


def test_a_move_into_a_window_over_quota_warns_and_the_calendar_flags_it(lite: Store) -> None:
    ws = workspace()
    ten = paris(date(2027, 3, 10), 10)
    for n in range(7):  # 28 uploads from 10:00
        add(lite, "toulouse", ten + timedelta(minutes=n), media=4, platform="mastodon")
    later = add(lite, "toulouse", ten + timedelta(hours=2), media=4, platform="mastodon")
    moved = planning.move(lite, ws, later, ten + timedelta(minutes=10), None, None, NOW)
    [line] = moved.warnings
    assert line.startswith("toulouse: 32 of 30 media uploads from 2027-03-10 09:00")
    assert "over Mastodon's quota" in line
    shown = planning.build(lite, ws, "week", date(2027, 3, 10), planning.Filters())
    flagged = [e for e in shown.days[date(2027, 3, 10)] if e.over]
    assert len(flagged) == 8
    assert [(u.account, u.quota.key, u.used) for u in shown.over()] == [
        ("toulouse", "mastodon_media", 32)
    ]
    # Drafts do not count: the same window with the moved item a draft is within the quota.
    rows.transition(lite, later, ("scheduled",), "draft", NOW)
    again = planning.build(lite, ws, "week", date(2027, 3, 10), planning.Filters())
    assert again.over() == []


def _replies(store: Store, handle: str, at: datetime, n: int, state: str = "sent") -> None:
    """`n` inbox replies of the account `handle` (outbox rows of no item), sent at `at`."""
    rows_ = [{"workspace": "laposte", "platform": "mastodon", "account": handle, "text": "Merci",
              "visibility": "public", "idempotency_key": f"{handle}-{state}-{k}",
              "request": {}, "state": state, "attempts": 1, "sent_at": at if state == "sent"
              else None, "next_at": at, "created_at": at, "updated_at": at}
             for k in range(n)]  # fmt: skip
    with store.transaction() as conn:
        conn.execute(insert(outbox), rows_)


def test_the_inbox_s_replies_spend_the_same_quota_as_the_posts(lite: Store) -> None:
    """298 replies sent by toulouse at 10:00 and a post of 2 images at 10:01: 301 of Mastodon's
    300 requests per 5 minutes. Replies pending approval or failed, and another account's,
    spend nothing."""
    ws = workspace()
    ten = paris(date(2027, 3, 10), 10)
    _replies(lite, "laposte_toulouse", ten, 298)
    _replies(lite, "laposte_toulouse", ten, 50, state="pending")
    _replies(lite, "laposte_toulouse", ten, 50, state="failed")
    _replies(lite, "laposte_marseille", ten, 50)
    later = add(lite, "toulouse", ten + timedelta(hours=2), media=2, platform="mastodon")
    moved = planning.move(lite, ws, later, ten + timedelta(minutes=1), None, None, NOW)
    [line] = moved.warnings
    assert line.startswith("toulouse: 301 of 300 requests from 2027-03-10 09:00"), line
    shown = planning.build(lite, ws, "week", date(2027, 3, 10), planning.Filters())
    assert [(u.account, u.quota.key, u.used) for u in shown.over()] == [
        ("toulouse", "mastodon_requests", 301)
    ]
    planning.move(lite, ws, later, ten + timedelta(minutes=5), None, None, NOW)
    assert planning.build(lite, ws, "week", date(2027, 3, 10), planning.Filters()).over() == []


# --- the iCalendar feed --------------------------------------------------------------------


def test_the_feed_folds_at_75_octets_between_characters_and_escapes_text(lite: Store) -> None:
    from ical_check import events
    from rumeur.publishing import feeds

    ws = workspace()
    text = "Soldes d'été 🎄🎄, à Lyon; venez\nnombreux \\ " + "é" * 60 + " 👨‍👩‍👧" * 10
    item_id = add(lite, "lyon", paris(date(2027, 3, 10), 9), text=text + "{n}")
    first = feeds.calendar(lite, ws, feeds.WHOLE, NOW)
    raw = first.encode("utf-8")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    for part in raw.split(b"\r\n"):
        part.decode("utf-8")  # raises when a fold cut a character in two
    [event] = events(first)
    assert event["UID"] == f"item-{item_id}@laposte.rumeur"
    assert event["DTSTART"] == "20270310T080000Z"  # 09:00 in Paris, in UTC
    assert event["SUMMARY"].startswith("[scheduled] lyon (Bluesky): Soldes d'été 🎄🎄, à Lyon;")
    assert event["DESCRIPTION"].startswith(text)  # newline, comma, semicolon and backslash back
    planning.move(lite, ws, item_id, paris(date(2027, 3, 12), 9), None, None, NOW)
    [moved] = events(feeds.calendar(lite, ws, feeds.WHOLE, NOW))
    assert (moved["UID"], moved["DTSTART"]) == (event["UID"], "20270312T080000Z")


def test_a_feed_token_is_kept_as_its_hash_and_opens_its_team_only(store: Store) -> None:
    from sqlalchemy import select

    from rumeur.publishing import feeds
    from rumeur.store.schema import calendar_feeds

    ws = workspace()
    token = feeds.issue(store, ws, "marseille", "cyril", NOW)
    assert token.startswith("rcal_") and len(token) > 40
    with store.read() as conn:
        [stored] = conn.execute(select(calendar_feeds)).all()
    assert token not in str(tuple(stored)) and stored.token_hash == feeds.digest(token)
    assert feeds.opens(store, ws, "marseille", token)
    assert not feeds.opens(store, ws, feeds.WHOLE, token)
    assert not feeds.opens(store, ws, "marseille", "rcal_" + "x" * 43)
    with pytest.raises(feeds.FeedError):
        feeds.issue(store, ws, "nowhere", None, NOW)
    mine = add(store, "marseille", paris(date(2027, 3, 10), 9), platform="mastodon")
    add(store, "lyon", paris(date(2027, 3, 10), 9))
    team = feeds.calendar(store, ws, "marseille", NOW)
    assert f"UID:item-{mine}@laposte.rumeur" in team and team.count("BEGIN:VEVENT") == 1


def test_scheduling_into_a_window_over_quota_warns_on_the_command_line(
    lite: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from rumeur.commands.publishing import publish_file

    ws = workspace()
    ten = datetime(2027, 3, 10, 10, tzinfo=PARIS)
    images = [{"path": f"photo{n}.png", "alt": "Le bureau de {ville}"} for n in range(4)]
    messages = [{"text": f"Message {n} à {{ville}}", "accounts": ["toulouse"], "media": images,
                 "at": (ten + timedelta(minutes=n)).isoformat()} for n in range(8)]  # fmt: skip
    path = tmp_path / "week.json"
    path.write_text(json.dumps(messages[:7]), encoding="utf-8")
    assert publish_file(lite, ws, path, None) == 0
    assert "warning" not in capsys.readouterr().out  # 28 uploads of 30
    path.write_text(json.dumps(messages[7]), encoding="utf-8")
    publish_file(lite, ws, path, None)
    out = capsys.readouterr().out
    assert "warning: toulouse: 32 of 30 media uploads from 2027-03-10 09:00" in out, out


# --- results -------------------------------------------------------------------------------

RECORDED = "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s"


def test_published_posts_are_read_back_with_their_counts_and_summed(lite: Store) -> None:
    """getPosts replayed (../shared/fixtures/bluesky/getPosts.cassette.yml: the post has 4
    likes) through a local server as the account's AppView."""
    from replay import ReplayServer
    from rumeur.config import parse_settings
    from rumeur.publishing import readback, results

    with ReplayServer() as server:
        server.serve_cassette("bluesky/getPosts.cassette.yml")
        text = SETTINGS.replace('name = "lyon"\n', 'name = "lyon"\nsource = "bsky-lyon"\n') + (
            f'\n[[workspaces.sources]]\ntype = "bluesky"\nname = "bsky-lyon"\n'
            f'service = "{server.base_url}"\n'
        )
        ws = parse_settings(text, "results.toml").workspaces[0]
        at = datetime(2026, 11, 20, 9, tzinfo=UTC)
        shown = add(lite, "lyon", at)
        gone = add(lite, "lyon", at + timedelta(hours=1), text="gone {n}")
        rows.transition(lite, shown, ("scheduled",), "published", at, native_id=RECORDED)
        rows.transition(lite, gone, ("scheduled",), "published", at,
                        native_id=RECORDED.replace("3k7q", "3zzz"))  # fmt: skip
        now = datetime(2026, 12, 1, tzinfo=UTC)
        before = results.results(lite, ws, now - timedelta(days=30), now)
        assert [r.engagement for r in before.items] == [None, None]  # not read back yet
        done = readback.read_back(lite, ws, now, days=30)
        assert (done.read, done.missing, done.failed) == (1, 1, [])
        [asked] = server.requests_to("/xrpc/app.bsky.feed.getPosts")
        assert sorted(asked.query["uris"]) == sorted([RECORDED, RECORDED.replace("3k7q", "3zzz")])
    after = results.results(lite, ws, now - timedelta(days=30), now)
    by_id = {r.item.id: r for r in after.items}
    assert by_id[shown].engagement == 4 and by_id[gone].engagement is None
    [network] = after.networks
    assert (network.key, network.items, network.read_back, network.engagement) == (
        "bluesky", 2, 1, 4)  # fmt: skip
    assert [(g.key, g.mean) for g in after.scopes] == [("local", 4.0)]  # lyon has variables
    csv_text = results.csv_text(after, PARIS)
    assert f"{shown},2026-11-20T10:00:00+01:00,lyon,bluesky,local," in csv_text


def test_mastodon_statuses_are_read_back_and_a_deleted_one_is_missing(lite: Store) -> None:
    """GET /api/v1/statuses/:id replayed (../shared/fixtures/mastodon/status-get.cassette.yaml,
    and error-404-status.cassette.yaml for a status gone) from the instance of the account's
    source."""
    from rumeur.config import parse_settings
    from rumeur.publishing import readback, results

    uri = "http://localhost:3000/ap/users/117020565966271181/statuses/117020583223442465"
    with ReplayServer() as server:
        server.serve_cassette("mastodon/status-get.cassette.yaml")
        server.serve_cassette("mastodon/error-404-status.cassette.yaml")
        text = SETTINGS.replace('name = "toulouse"\n', 'name = "toulouse"\nsource = "masto"\n')
        text += '\n[[workspaces.sources]]\ntype = "mastodon"\nname = "masto"\n'
        text += f'instance = "{server.base_url}"\n'
        ws = parse_settings(text, "results.toml").workspaces[0]
        at = datetime(2026, 11, 20, 9, tzinfo=UTC)
        kept = add(lite, "toulouse", at, platform="mastodon")
        gone = add(lite, "toulouse", at, platform="mastodon", text="gone {n}")
        address = "https://example.social/@laposte/117020583223442465"
        rows.transition(lite, kept, ("scheduled",), "published", at, native_id=uri,
                        native_url=address)  # fmt: skip
        rows.transition(lite, gone, ("scheduled",), "published", at, native_id=uri + "0",
                        native_url="https://example.social/@laposte/0")  # fmt: skip
        now = datetime(2026, 12, 1, tzinfo=UTC)
        done = readback.read_back(lite, ws, now, days=30)
        assert (done.read, done.missing, done.failed) == (1, 1, [])
        asked = [r.path for r in server.requests]
        assert sorted(asked) == ["/api/v1/statuses/0", "/api/v1/statuses/117020583223442465"]
    found = {r.item.id: r for r in results.results(lite, ws, now - timedelta(days=30), now).items}
    assert (found[kept].item.read_back, found[kept].engagement) == (True, 0)
    assert found[gone].engagement is None


def test_reddit_submissions_are_read_back_through_the_account_s_source(
    lite: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GET /api/info?id=t3_…,t3_… answered with a submission of the recorded r/askreddit/new
    Listing (../shared/fixtures/reddit/subreddit-new.2020.cassette.json, the same `t3` things
    /api/info lists): its score and comment count stored, the other fullname missing; an account
    without a Reddit source named in one line."""
    from replay import load_cassette
    from rumeur.config import parse_settings
    from rumeur.publishing import readback, results

    [thing] = load_cassette("reddit/subreddit-new.2020.cassette.json")[-1].json()["data"][
        "children"
    ][:1]
    kept, gone = thing["data"]["name"], "t3_zzgone"
    monkeypatch.setenv("RUMEUR_REDDIT_CLIENT_ID", "the-client-id")
    monkeypatch.setenv("RUMEUR_REDDIT_CLIENT_SECRET", "s3cret-CLIENT-value")
    with ReplayServer() as server:
        token = {"access_token": "tok-A", "token_type": "bearer", "expires_in": 3600}
        server.serve("POST", "/api/v1/access_token", json=token)
        listing = {"kind": "Listing", "data": {"after": None, "before": None,
                                               "children": [thing]}}  # fmt: skip
        server.serve("GET", "/api/info", json=listing, query={"id": [f"{kept},{gone}"]})
        text = SETTINGS + (
            '\n[[workspaces.owned_accounts]]\nname = "paris"\nplatform = "reddit"\n'
            'handle = "laposte_paris"\nsource = "rd"\n'
            '\n[[workspaces.owned_accounts]]\nname = "nice"\nplatform = "reddit"\n'
            'handle = "laposte_nice"\n'
            f'\n[[workspaces.sources]]\ntype = "reddit"\nname = "rd"\napi = "{server.base_url}"\n'
            f'auth = "{server.base_url}"\n'
        )
        ws = parse_settings(text, "results.toml").workspaces[0]
        at = datetime(2026, 11, 20, 9, tzinfo=UTC)
        ids = {}
        for account, native in (("paris", kept), ("paris", gone), ("nice", "t3_nice1")):
            item = NewItem(account=account, platform="reddit", handle=f"laposte_{account}",
                           text=f"Sujet {native}", at=at, timezone="Europe/Paris",
                           title="Un sujet")  # fmt: skip
            made = rows.create(lite, "laposte", text=item.text, items=[item], now=NOW)
            ids[native] = made.items[0][0]
            rows.transition(lite, ids[native], ("scheduled",), "published", at, native_id=native)
        now = datetime(2026, 12, 1, tzinfo=UTC)
        done = readback.read_back(lite, ws, now, days=30)
        assert (done.read, done.missing) == (1, 1)
        assert done.failed == ["nice: no Reddit source to read its posts with"]
        [asked] = [r for r in server.requests if r.path == "/api/info"]
        assert asked.query["id"] == [f"{kept},{gone}"]
    found = {r.item.id: r for r in results.results(lite, ws, now - timedelta(days=30), now).items}
    score, comments = thing["data"]["score"], thing["data"]["num_comments"]
    assert found[ids[kept]].item.read_back is True
    assert found[ids[kept]].engagement == score + comments, (score, comments)
    assert found[ids[gone]].engagement is None
