"""Sender throughput: how many replies per second the sender (inbox/sender.py, the path of
`rumeur send --once`) drains from the outbox to a local instance of each network, against the
network alone in the same run: the same number of bare httpx POSTs of the same requests to the
same server.

The local instance is the tests' fake network (tests/inbox/network.py): a Mastodon that makes
one status per `Idempotency-Key`, a Bluesky PDS that makes one record per record key, Reddit's
comment endpoint; it answers the recorded payloads, closes each connection after its answer,
and keeps every post it made, so the script checks that each reply was made exactly once.

For each network: N conversations opened and N replies queued in a fresh SQLite store, then one
timed `Sender.once()` (claim, prepare the network's guard and commit it, send, record the
network's id: each reply two or three committed writes around one request). The baseline
sends the same N requests (the same form or record, the key headers) with one httpx client,
nothing stored.

Run it with `make bench`. It reports, it does not judge: the exit status is 0 whatever the
figures (1 only when a reply was not made exactly once)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The fake network (tests/inbox/network.py), and tests/replay that reads its recorded payloads.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent / "tests" / "inbox"))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent / "tests"))
from network import (
    COMMENT,
    CREATE_RECORD,
    DID,
    SECRETS,
    STATUSES,
    Network,
    open_conversation,
    settings_toml,
)

from import_throughput import machine, print_machine
from rumeur.config import parse_settings
from rumeur.inbox.sender import Repliers, Sender
from rumeur.sources.context import SourceContext
from rumeur.store import Store
from rumeur.store.inbox import outbox_in, queue_reply

REPLIES = 500
PLATFORMS = ("mastodon", "bluesky", "reddit")
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
TEXT = "Bonjour, nous regardons votre dossier et revenons vers vous. ({n})"


@dataclass
class Run:
    platform: str
    replies: int
    sender_s: float
    bare_s: float
    requests: int  # what the sender's run asked the network, all routes

    @property
    def sender_rate(self) -> float:
        return self.replies / self.sender_s

    @property
    def bare_rate(self) -> float:
        return self.replies / self.bare_s


class NotOnce(Exception):
    pass


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def sender_run(platform: str, count: int, folder: Path) -> tuple[float, int]:
    """`Sender.once()` over `count` queued replies: its seconds and the requests it made."""
    with Network() as network:
        settings = parse_settings(settings_toml(network.base_url), "sender_rate")
        store = Store.open(str(folder / f"{platform}.db"))
        try:
            for n in range(count):
                talk = open_conversation(store, platform, n, NOW)
                queue_reply(store, talk, text=TEXT.format(n=n), now=NOW)
            workspaces = settings.workspaces
            with Sender(
                store,
                Repliers(workspaces, SourceContext()),
                workspaces=[ws.slug for ws in workspaces],
            ) as sender:
                report = None

                def drain() -> None:
                    nonlocal report
                    report = sender.once()

                seconds = timed(drain)
            sent = outbox_in(store, "sent")
        finally:
            store.close()
        made = network.posts()
        if report is None or report.sent != count or len(sent) != count or len(made) != count:
            raise NotOnce(
                f"{platform}: {count} replies queued, {len(sent)} recorded as sent, "
                f"{len(made)} made by the network ({report})"
            )
        ids = {str(p.get("uri") or p.get("name")) for p in made}
        if ids != {str(r.native_id) for r in sent}:
            raise NotOnce(f"{platform}: the posts made are not the replies recorded")
        return seconds, len(network.requests)


def bare_run(platform: str, count: int) -> float:
    """The same requests, bare: one httpx client, nothing stored."""
    with Network() as network, httpx.Client(base_url=network.base_url, timeout=30) as client:
        requests = [bare_request(platform, n) for n in range(count)]

        def post_all() -> None:
            for method, path, kwargs in requests:
                client.request(method, path, **kwargs).raise_for_status()

        seconds = timed(post_all)
        if len(network.posts()) != count:
            raise NotOnce(f"{platform}: {count} bare requests made {len(network.posts())} posts")
        return seconds


def bare_request(platform: str, n: int) -> tuple[str, str, dict[str, object]]:
    text = TEXT.format(n=n)
    auth = {"Authorization": "Bearer bench"}
    if platform == "mastodon":
        form = {"status": text, "in_reply_to_id": str(117020500000 + n), "visibility": "public"}
        headers = auth | {"Idempotency-Key": str(uuid.uuid4())}
        return "POST", STATUSES.split(" ", 1)[1], {"data": form, "headers": headers}
    if platform == "bluesky":
        record = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": NOW.isoformat(),
            "reply": {
                "root": {"uri": f"at://did:plc:client{n}/app.bsky.feed.post/3kclient{n}"},
                "parent": {"uri": f"at://did:plc:client{n}/app.bsky.feed.post/3kclient{n}"},
            },
        }
        body = {"repo": DID, "collection": "app.bsky.feed.post", "rkey": f"3lbench{n:07d}",
                "record": record}  # fmt: skip
        content = json.dumps(body).encode()
        headers = auth | {"Content-Type": "application/json"}
        return "POST", CREATE_RECORD.split(" ", 1)[1], {"content": content, "headers": headers}
    form = {"thing_id": f"t1_parent{n}", "text": text, "api_type": "json"}
    return "POST", COMMENT.split(" ", 1)[1], {"data": form, "headers": auth}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=REPLIES, help="replies per network")
    parser.add_argument(
        "--platforms",
        default=",".join(PLATFORMS),
        help="networks, by commas: " + ", ".join(PLATFORMS),
    )
    args = parser.parse_args(argv)
    platforms = [p.strip() for p in args.platforms.split(",") if p.strip()]
    unknown = [p for p in platforms if p not in PLATFORMS]
    if unknown or args.replies < 1:
        parser.error(f"--platforms: one of {', '.join(PLATFORMS)}; --replies: at least 1")
    os.environ.update(SECRETS)  # the fake workspace's credentials (test values)
    runs = []
    try:
        with tempfile.TemporaryDirectory(prefix="rumeur-bench-send-") as tmp:
            for platform in platforms:
                bare_run(platform, min(20, args.replies))  # warm up: imports, first sockets
                seconds, requests = sender_run(platform, args.replies, Path(tmp))
                runs.append(Run(platform, args.replies, seconds, bare_run(platform, args.replies),
                                requests))  # fmt: skip
    except NotOnce as exc:
        print(f"sender_rate: a reply was not made exactly once: {exc}", file=sys.stderr)
        return 1
    print(
        f"sender: {args.replies:,} queued replies per network drained by one Sender.once() "
        "(rumeur send --once) from a fresh SQLite store\nto a local fake of the network "
        "(tests/inbox/network.py, one connection per request); baseline: the same requests "
        "as bare httpx POSTs\nto the same server, nothing stored. Every reply made exactly "
        "once: checked."
    )
    print(
        f"\n{'network':<10} {'replies/s':>10} {'bare POSTs/s':>13} {'sender/bare':>12} "
        f"{'ms/reply':>9} {'requests':>9}"
    )
    for r in runs:
        print(
            f"{r.platform:<10} {r.sender_rate:>10,.0f} "
            f"{r.bare_rate:>13,.0f} {r.sender_rate / r.bare_rate:>11.2f}x "
            f"{1000 / r.sender_rate:>9.1f} {r.requests:>9,}"
        )
    print("(requests: what the sender asked the network in its run, sign-in and token included)")
    print_machine(machine())
    return 0


if __name__ == "__main__":
    from rumeur import logs

    logs.configure()  # warnings only (RUMEUR_LOG_LEVEL): not a line per reply sent
    sys.exit(main())
