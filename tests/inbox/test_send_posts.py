"""Scheduled posts go out through the inbox's one sender, each once (docs/publish.md, "Sending").

The fake network (network.py) answers with the recorded payloads (tests/replay's cassettes:
createRecord-post with its uploadBlob, status-post-public, Reddit's submit) and keeps what it
made, so that a test sees both what was sent (bodies and headers, against the shapes the
composer's `publishing/bodies.py` gives) and how many posts exist whatever was lost on the way."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from network import (
    CREATE_RECORD,
    DID,
    MEDIA,
    SECRETS,
    STATUSES,
    SUBMIT,
    UPLOAD_BLOB,
    Network,
    settings_toml,
)

from rumeur.config import parse_settings
from rumeur.i18n import using
from rumeur.inbox.sender import Repliers, Sender
from rumeur.net.retry import RetryPolicy
from rumeur.publishing import bodies
from rumeur.publishing.facets import facets
from rumeur.sources.bluesky.post import post_rkey
from rumeur.sources.context import SourceContext
from rumeur.sources.post import Post
from rumeur.store import Store
from rumeur.store.inbox import outbox_in
from rumeur.store.publishing import Item, NewItem, create, item

AT = datetime(2026, 12, 24, 8, tzinfo=UTC)  # 09:00 in Paris
# The store's part is the same on both databases (the bodies and the Bluesky tests run on
# both); the rest runs on SQLite alone, to keep the suite quick.
SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
TEXT = "Joyeux Noël à Besançon 🎄 #NoëlPostal avec @laposte.bsky.social : https://laposte.fr/noël"


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def network() -> Iterator[Network]:
    with Network() as fake:
        yield fake


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "sapin.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return path


def sender(store: Store, network: Network, toml: str | None = None, **more: Any) -> Sender:
    ws = parse_settings(toml or settings_toml(network.base_url), "rumeur.toml").workspace()
    quick = RetryPolicy(attempts=3, base=0.0, cap=0.0, sleep=lambda s: None, rng=random.Random(1))
    context = SourceContext(sleep=lambda s: None)
    more.setdefault("retry", quick)
    return Sender(store, Repliers([ws], context), **more)


def schedule(store: Store, platform: str, text: str = TEXT, **fields: Any) -> Item:
    handle = {"bluesky": "laposte.bsky.social"}.get(platform, "laposte")
    new = NewItem(
        account=f"national-{platform}", platform=platform, handle=handle, text=text,
        at=fields.pop("at", AT), timezone="Europe/Paris", **fields,
    )  # fmt: skip
    made = create(store, "laposte", text=text, items=[new], now=AT - timedelta(days=1))
    found = item(store, made.items[0][0])
    assert found is not None
    return found


def at(minutes: float) -> Any:
    return lambda: AT + timedelta(minutes=minutes)


def form_of(body: bytes) -> dict[str, list[str]]:
    return parse_qs(body.decode("utf-8"), keep_blank_values=True)


def test_mastodon_status_with_media_visibility_and_key(
    store: Store, network: Network, image: Path
) -> None:
    media = [{"path": str(image), "alt": "Un sapin devant le bureau de poste"}]
    post = schedule(store, "mastodon", visibility="unlisted", spoiler="Fêtes", media=media)
    with sender(store, network, now=at(1)) as s:
        report = s.once()
    assert report.sent == 1, report

    upload = network.requests_to(MEDIA)[0]
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b"Un sapin devant le bureau de poste" in upload.body
    # 202: still processing; read (206) until it is ready (200), then named by the status.
    assert len(network.requests_to(f"GET /api/v1/media/{_first_media(network)}")) == 2
    status = network.requests_to(STATUSES)
    assert len(status) == 1
    sent = form_of(status[0].body)
    expected = bodies.mastodon_status(post, [_first_media(network)])
    assert {k: v if isinstance(v, list) else [v] for k, v in expected.items()} == sent
    assert sent["visibility"] == ["unlisted"] and sent["spoiler_text"] == ["Fêtes"]
    assert status[0].headers["idempotency-key"] == post.idempotency_key

    done = item(store, post.id)
    assert done is not None and done.status == "published"
    assert done.native_id and done.native_id.startswith("http://localhost:3000/ap/users/")
    assert done.native_url and done.native_url.startswith("http://localhost:3000/@")
    made = network.posts()
    assert len(made) == 1 and made[0]["media_attachments"][0]["description"].startswith("Un sapin")


def _first_media(network: Network) -> str:
    return next(iter(network.fake.media))


@SQLITE
def test_mastodon_lost_answer_is_asked_again_with_the_same_key(
    store: Store, network: Network
) -> None:
    post = schedule(store, "mastodon", visibility="public")
    network.plan(STATUSES, "drop")  # made, its answer lost: asked again with its key
    with sender(store, network, now=at(1)) as s:
        report = s.once()
    assert report.sent == 1, report
    keys = {r.headers["idempotency-key"] for r in network.requests_to(STATUSES)}
    assert keys == {post.idempotency_key}
    assert len(network.requests_to(STATUSES)) >= 2
    assert len(network.posts()) == 1
    assert item(store, post.id).status == "published"  # type: ignore[union-attr]


def test_bluesky_record_at_a_key_chosen_from_the_item(
    store: Store, network: Network, image: Path
) -> None:
    dids = {"laposte.bsky.social": DID}
    found = facets(TEXT, dids.get)
    media = [{"path": str(image), "alt": "Un sapin"}]
    post = schedule(store, "bluesky", extra={"facets": found}, media=media)
    with sender(store, network, now=at(2)) as s:
        assert s.once().sent == 1

    blob = network.requests_to(UPLOAD_BLOB)[0]
    assert blob.headers["content-type"] == "image/png" and blob.body == image.read_bytes()
    body = json.loads(network.requests_to(CREATE_RECORD)[0].body)
    blobs = {str(image): network.fake.blobs[0]}
    assert body["record"] == bodies.bluesky_record(post, blobs)
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.post"
    assert body["record"]["createdAt"] == "2026-12-24T08:00:00.000Z"  # the scheduled time
    expected_key = post_rkey(Post(item=post.id, at=post.at), post.idempotency_key)
    assert body["rkey"] == expected_key
    data = TEXT.encode("utf-8")
    cut = [data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in found]
    assert cut == ["#NoëlPostal", "@laposte.bsky.social", "https://laposte.fr/noël"]
    assert body["record"]["embed"]["images"][0]["alt"] == "Un sapin"

    done = item(store, post.id)
    assert done is not None and done.status == "published"
    assert done.native_id == f"at://{DID}/app.bsky.feed.post/{expected_key}"
    assert done.native_url == f"https://bsky.app/profile/laposte.bsky.social/post/{expected_key}"


def test_the_record_key_is_the_same_for_the_same_item_only() -> None:
    one = Post(item=7, at=AT)
    assert post_rkey(one, "key-7") == post_rkey(Post(item=7, at=AT), "key-7")
    assert post_rkey(one, "key-7") != post_rkey(Post(item=8, at=AT), "key-8")
    assert len(post_rkey(one, "key-7")) == 13


@pytest.mark.parametrize("fault", ["drop", 503])
def test_bluesky_reads_the_record_before_any_retry(
    store: Store, network: Network, fault: str | int
) -> None:
    post = schedule(store, "bluesky", text="Bonne année", extra={"facets": []})
    network.plan(CREATE_RECORD, fault)  # "drop": made, answer lost; 503: lost, not made
    with sender(store, network, now=at(1)) as s:
        assert s.once().sent == 1
    calls = [
        f"{r.method} {r.path}" for r in network.requests if "repo." in r.path
    ]  # createRecord and getRecord only
    get = "GET /xrpc/com.atproto.repo.getRecord"
    # Made: found at its key, not written again. Not made: read (when reconciled, and again
    # before the retry), then written at the same key.
    assert calls == (
        [CREATE_RECORD, get] if fault == "drop" else [CREATE_RECORD, get, get, CREATE_RECORD]
    )
    keys = {json.loads(r.body)["rkey"] for r in network.requests_to(CREATE_RECORD)}
    assert len(keys) == 1 and len(network.posts()) == 1
    assert item(store, post.id).status == "published"  # type: ignore[union-attr]


@SQLITE
def test_reddit_submission_and_its_reconciliation(store: Store, network: Network) -> None:
    post = schedule(store, "reddit", text="Nos horaires de Noël.", title="Horaires de Noël",
                    extra={"subreddit": "laposte"})  # fmt: skip
    network.plan(SUBMIT, "drop")  # made, answer lost: found among the account's submissions
    network.now = at(1)  # the network's clock is the sender's
    with sender(store, network, now=at(1)) as s:
        assert s.once().sent == 1
    sent = form_of(network.requests_to(SUBMIT)[0].body)
    expected = bodies.reddit_submission(post)
    assert {k: [v] for k, v in expected.items()}.items() <= sent.items()
    assert sent["api_type"] == ["json"]
    assert len(network.requests_to(SUBMIT)) == 1  # read back, not submitted again
    assert network.requests_to("GET /user/laposte/submitted")
    done = item(store, post.id)
    assert done is not None and done.status == "published"
    assert done.native_id == network.fake.submissions[0]["name"]


@SQLITE
def test_a_post_too_late_is_flagged_not_sent(store: Store, network: Network) -> None:
    late = schedule(store, "mastodon", text="Trop tard")
    on_time = schedule(store, "bluesky", text="À l'heure", extra={"facets": []})
    # The Bluesky account allows an hour (its late_after), the Mastodon one the default 15 min.
    toml = settings_toml(network.base_url).replace(
        'source = "ciel"\n', 'source = "ciel"\nlate_after = "1h"\n'
    )
    with sender(store, network, toml, now=at(16)) as s:
        report = s.once()
    assert (report.late, report.sent) == (1, 1)
    flagged = item(store, late.id)
    assert flagged is not None and flagged.status == "late"
    assert flagged.error == "late: 16 min past its time, more than the 15 min allowed"
    assert network.requests_to(STATUSES) == []
    assert item(store, on_time.id).status == "published"  # type: ignore[union-attr]


@SQLITE
def test_a_retry_past_the_moment_is_flagged_late_when_the_network_has_none(
    store: Store, network: Network
) -> None:
    post = schedule(store, "bluesky", text="Bonne année", extra={"facets": []})
    network.plan(CREATE_RECORD, 429)  # rate limited: tried again later
    wait = RetryPolicy(attempts=3, base=60.0, cap=60.0, sleep=lambda s: None)
    with sender(store, network, now=at(1), retry=wait) as s:
        assert s.once().retried == 1
    assert item(store, post.id).status == "sending"  # type: ignore[union-attr]
    with sender(store, network, now=at(30)) as s:
        report = s.once()
    assert (report.late, report.sent) == (1, 0)
    assert item(store, post.id).status == "late"  # type: ignore[union-attr]
    assert network.requests_to("GET /xrpc/com.atproto.repo.getRecord")  # read before deciding
    assert network.posts() == []


@SQLITE
def test_refused_for_good_stops_the_item_with_its_reason(store: Store, network: Network) -> None:
    post = schedule(store, "mastodon", text="x" * 10)
    network.plan(STATUSES, 422)
    with using("fr"), sender(store, network, now=at(1)) as s:
        assert s.once().failed == 1
    done = item(store, post.id)
    assert done is not None and done.status == "failed"
    assert done.error and "/api/v1/statuses answered 422" in done.error
    assert [r.state for r in outbox_in(store, "failed")] == ["failed"]


@pytest.mark.parametrize(
    ("db_url", "language", "reason"),
    [
        ("sqlite", "en", "token revoked: reconnect the account"),
        pytest.param(
            "postgres", "fr", "jeton révoqué : reconnectez le compte", marks=pytest.mark.postgres
        ),
    ],
    indirect=["db_url"],
)
def test_a_revoked_token_stops_the_accounts_posts_with_the_reason(
    store: Store, network: Network, language: str, reason: str
) -> None:
    first = schedule(store, "mastodon", text="Bonjour")
    second = schedule(store, "mastodon", text="Bonsoir")
    network.plan(STATUSES, 401)
    with using(language), sender(store, network, now=at(1), batch=1) as s:
        report = s.once()
    assert report.held and report.sent == 0 and report.failed == 1
    for post in (first, second):  # the one tried, and the one queued behind it
        stopped = item(store, post.id)
        assert stopped is not None and stopped.status == "failed"
        assert stopped.error == reason
        assert SECRETS["RUMEUR_TEST_SEND_MASTODON_TOKEN"] not in str(stopped)
    assert len(network.requests) == 1  # one try: the second post never left
    with sender(store, network, now=at(2)) as s:
        assert s.once().held == {}  # nothing of the account is left to send
    assert len(network.requests) == 1


@SQLITE
def test_not_due_yet_is_left_alone(store: Store, network: Network) -> None:
    post = schedule(store, "mastodon", text="Demain")
    with sender(store, network, now=at(-1)) as s:
        assert s.once().sent == 0
    assert item(store, post.id).status == "scheduled"  # type: ignore[union-attr]
    assert network.requests == []


@SQLITE
def test_a_posts_outbox_row_is_no_reply_to_approve(store: Store, network: Network) -> None:
    from rumeur.inbox.approval import ApprovalError, approve

    schedule(store, "mastodon", text="Bonjour")
    with sender(store, network, now=at(1)) as s:
        assert s.once().sent == 1
    row = outbox_in(store, "sent")[0]
    assert row.item_id is not None and row.conversation_id is None
    ws = parse_settings(settings_toml(network.base_url), "rumeur.toml").workspace()
    with pytest.raises(ApprovalError, match=f"no reply {row.id} in this workspace"):
        approve(store, ws, row.id, "alice", "admin", AT)


@SQLITE
def test_rumeur_sends_lines_name_the_post_by_its_item_in_both_languages(
    store: Store, network: Network
) -> None:
    from rumeur.commands.sending import event_line

    late = schedule(store, "mastodon", text="Trop tard")
    lines: list[str] = []

    def record(what: str, row: Any, line: str) -> None:
        lines.append(event_line(what, row, line, set()) or "")

    with using("fr"), sender(store, network, now=at(20), on_event=record) as s:
        s.once()
    assert lines == [
        f"publication {late.id} non envoyée depuis mastodon:laposte : en retard : 20 min après "
        "son heure, plus que les 15 min permises"
    ]
    fine = schedule(
        store, "bluesky", text="À l'heure", extra={"facets": []}, at=AT + timedelta(hours=1)
    )
    with using("en"), sender(store, network, now=at(61), on_event=record) as s:
        s.once()
    assert lines[1].startswith(
        f"post {fine.id} published from bluesky:laposte.bsky.social: https://bsky.app/"
    )


@SQLITE
def test_mastodon_past_the_keys_lifetime_reads_the_accounts_statuses(
    store: Store, network: Network
) -> None:
    from dataclasses import replace

    from rumeur.sources.mastodon.post import MastodonPoster

    post = schedule(store, "mastodon", text="Bonne année à tous")
    network.now = at(1)
    with sender(store, network, now=at(1)) as s:
        assert s.once().sent == 1
        row = outbox_in(store, "sent")[0]
        poster = s.repliers(row)
        assert isinstance(poster, MastodonPoster)
        later = AT + timedelta(hours=2)  # Mastodon has forgotten the key: no resend
        found = poster.find(row, now=later)
        missing = poster.find(replace(row, text="Un autre texte"), now=later)
    assert found is not None and found.native_id == item(store, post.id).native_id  # type: ignore[union-attr]
    assert missing is None
    assert len(network.requests_to(STATUSES)) == 1
    assert network.requests_to("GET /api/v1/accounts/verify_credentials")
