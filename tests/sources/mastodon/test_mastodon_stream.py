"""The streaming API with --follow: `update` events stored, heartbeats and `delete` events
skipped, and after a drop the timeline polled from the cursor before the stream reopens."""

from __future__ import annotations

import json
from typing import Any

from fake_mastodon import ratelimit, serve_timeline, statuses

from replay.server import Event, ReplayServer
from rumeur.settings.sources import MastodonSettings
from rumeur.sources.context import SourceContext
from rumeur.sources.mastodon.client import parse_events
from rumeur.sources.mastodon.source import MastodonSource

TAG_PATH = "/api/v1/timelines/tag/rumeur"
STREAM_PATH = "/api/v1/streaming/hashtag"


def test_events_are_read_line_by_line_and_heartbeats_skipped() -> None:
    lines = [":)", "event: update", 'data: {"id":', 'data: "1"}', "", ":thump", "",
             "event: delete", "data: 42", ""]  # fmt: skip
    assert list(parse_events(iter(lines))) == [("update", '{"id":\n"1"}'), ("delete", "42")]


def test_a_stream_is_stored_and_a_drop_is_made_up_by_polling(tmp_path: Any) -> None:
    made = statuses(6)
    sleeps: list[float] = []
    with ReplayServer() as server:
        serve_timeline(server, TAG_PATH, made[:3])
        # What was posted while the stream was down: the poll after the drop finds it.
        link = f'<{server.url(TAG_PATH)}?min_id={made[5]["id"]}>; rel="prev"'
        missed = {**ratelimit(), "Link": link}
        server.serve("GET", TAG_PATH, json=[made[5]], headers=missed,
                     query={"min_id": made[4]["id"]})  # fmt: skip
        server.serve("GET", TAG_PATH, json=[], query={"min_id": made[5]["id"]})
        events = [
            Event(json.dumps(made[3]), event="update"),
            Event(made[0]["id"], event="delete"),
            Event(json.dumps(made[4]), event="update"),
        ]
        server.serve_events(
            STREAM_PATH,
            events,
            heartbeat=0.02,
            interval=0.02,
            drop_after=3,
            query={"tag": "rumeur"},
        )
        settings = MastodonSettings(
            type="mastodon", name="live", instance=server.base_url, tags=["rumeur"], stream=True
        )
        source = MastodonSource(settings, SourceContext(follow=True, sleep=sleeps.append))
        seen: list[str] = []
        cursors: list[dict[str, Any]] = []
        batches = source.batches(None, 100)
        for batch in batches:
            seen += [source.normalise(item).raw["id"] for item in batch.items]
            cursors.append(batch.cursor)
            if made[5]["id"] in seen or len(cursors) > 20:
                break
        batches.close()
        log = server.requests

    # Polled (a page is newest first), streamed (not the delete), polled after the drop.
    assert seen == [made[n]["id"] for n in (2, 1, 0, 3, 4, 5)]
    newest = [c["feeds"]["tag:rumeur"]["newest"] for c in cursors]
    assert made[4]["id"] in newest  # streamed statuses move the cursor on
    streamed = [i for i, r in enumerate(log) if r.path == STREAM_PATH]
    assert streamed and log[streamed[0]].param("tag") == "rumeur"
    after_drop = [r.param("min_id") for r in log[streamed[0] :] if r.path == TAG_PATH]
    assert made[4]["id"] in after_drop
    assert sleeps  # a pause before opening the stream again
