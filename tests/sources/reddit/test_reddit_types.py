"""Reddit listings recorded by PRAW and asyncpraw (Betamax cassettes), mapped to `Post`."""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from rumeur.errors import RowError
from rumeur.model import Media
from rumeur.sources.reddit import types as reddit

REPO = Path(__file__).resolve().parents[3]
FIXTURES = Path(os.environ.get("RUMEUR_FIXTURES") or REPO.parent / "shared" / "fixtures") / "reddit"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="recorded fixtures not present")


def body(name: str, index: int) -> Any:
    """The JSON body of a Betamax cassette's `index`-th interaction."""
    cassette = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return json.loads(cassette["interactions"][index]["response"]["body"]["string"])


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_comment_tree_submission_then_comments_in_thread_order() -> None:
    items = list(reddit.walk_comments(body("post-comments.2020.cassette.json", 1)))
    assert [i.native_id for i in items if not isinstance(i, reddit.MoreStub)] == [
        "t3_2gmzqe",
        "t1_cklfmye",
        "t1_cklhv0f",
    ]
    submission, question, answer = items
    assert submission.platform == "reddit"
    assert submission.title == "[PRAW] HTTPS enabled PRAW testing needed"
    assert submission.text.startswith(
        "[PRAW] HTTPS enabled PRAW testing needed\n\nPRAW client developers,"
    )
    assert submission.url == (
        "https://www.reddit.com/r/redditdev/comments/2gmzqe/praw_https_enabled_praw_testing_needed/"
    )
    assert submission.author.handle == "bboe"
    assert submission.author.native_id == "t2_3pz6e"
    assert submission.created_at == utc(2014, 9, 17, 6, 34, 31)
    assert (submission.metrics.likes, submission.metrics.replies) == (12, 2)
    assert submission.links == ["https://github.com/praw-dev/praw/issues"]  # a self post
    assert submission.language is None and submission.location is None
    assert question.reply_to == "t3_2gmzqe"
    assert question.author.handle == "paneer_burrito"
    assert question.created_at == utc(2014, 9, 18, 1, 51, 52)
    assert answer.reply_to == "t1_cklfmye"
    assert answer.url.endswith("/cklhv0f/")
    assert "replies" not in question.raw["data"]  # the subtree is not copied into raw


def test_more_stubs_and_deleted_comments() -> None:
    # The recordings hold no cut tree: a `more` stub and a deleted comment are added to the
    # real one, in the shape Reddit sends them.
    response = copy.deepcopy(body("post-comments.2020.cassette.json", 1))
    top = response[1]["data"]["children"][0]
    top["data"]["body"] = "[deleted]"
    top["data"]["author"] = "[deleted]"
    more = {
        "kind": "more",
        "data": {
            "count": 3,
            "name": "t1_ckm0000",
            "id": "ckm0000",
            "parent_id": "t3_2gmzqe",
            "depth": 0,
            "children": ["ckm0000", "ckm0001", "ckm0002"],
        },
    }
    response[1]["data"]["children"].append(more)
    items = list(reddit.walk_comments(response))
    posts = [i.native_id for i in items if not isinstance(i, reddit.MoreStub)]
    assert posts == ["t3_2gmzqe", "t1_cklhv0f"]  # the deleted comment's reply is kept
    stubs = [i for i in items if isinstance(i, reddit.MoreStub)]
    assert stubs == [reddit.MoreStub("t3_2gmzqe", ["ckm0000", "ckm0001", "ckm0002"], 3)]
    with pytest.raises(RowError) as error:
        reddit.post_from_thing(top)
    assert error.value.field == "body"


def test_link_submission_and_its_markdown() -> None:
    response = body("oauth-token_submit_post-comments.2025.cassette.json", 2)
    [submission] = list(reddit.walk_comments(response))
    assert submission.native_id == "t3_1kh35wk"
    assert submission.title == "Test Title"
    assert submission.text == (
        "Test Title\n\nTesting **PRAW** link submission *with markdown selftext*."
    )
    assert submission.links == ["https://praw.readthedocs.org/en/stable/"]
    assert submission.created_at == utc(2025, 5, 7, 17, 27, 12)


def test_subreddit_new_listing() -> None:
    posts = list(reddit.walk_listing(body("subreddit-new.2020.cassette.json", 1)))
    assert len(posts) == 100
    first = posts[0]
    assert first.native_id == "t3_hozvuc"
    assert first.text == first.title == "What is best thing America has done for the world?"
    assert first.author.handle == "p1aguedoc"
    assert first.created_at == utc(2020, 7, 10, 23, 44, 45)
    assert (first.metrics.likes, first.metrics.replies) == (3, 3)
    assert first.links == []  # a self post's url is the post itself


def test_search_listing_with_a_japanese_title() -> None:
    posts = list(reddit.walk_listing(body("search-r-all.2016.cassette.json", 1)))
    assert len(posts) == 6
    japanese = next(p for p in posts if p.native_id == "t3_4at068")
    assert japanese.title == "たびたび話題になるサイドバーの閲覧中ユーザ数について（また）調べた"
    assert japanese.author.handle == "nmtake"
    assert japanese.metrics.likes == 15


def test_comment_stream_and_inbox() -> None:
    comments = list(
        reddit.walk_listing(body("subreddit-comments-stream.before-cursor.2021.cassette.json", 1))
    )
    assert comments[0].native_id == "t1_hjlzwfl"
    assert comments[0].created_at == utc(2021, 11, 6, 23, 25, 37)
    assert comments[0].reply_to is not None and comments[0].reply_to.startswith(("t1_", "t3_"))
    mentions = list(reddit.walk_listing(body("inbox-mentions.2025.cassette.json", 1)))
    mention = mentions[0]
    assert mention.native_id == "t1_ekftbox"
    assert mention.url == (  # from `context`, without its ?context=3
        "https://www.reddit.com/r/RemovedByBotter/comments/bb24k7/"
        "just_a_normal_girl_going_for_her_10th_class_exam/ekftbox/"
    )
    assert mention.reply_to == "t3_bb24k7"
    assert mention.links[0] == "https://redd.it/bb1sep"


def test_user_overview_scores() -> None:
    posts = list(reddit.walk_listing(body("user-overview.2026.cassette.json", 1)))
    first = posts[0]
    assert (first.native_id, first.author.handle, first.metrics.likes) == (
        "t1_cszv2lg",
        "spez",
        5497,
    )
    assert first.reply_to == "t1_cszufkb"


def test_mentions_media_and_crossposts() -> None:
    [listing, _] = body("oauth-token_submit_post-comments.2025.cassette.json", 2)
    thing = copy.deepcopy(listing["data"]["children"][0])
    thing["data"].update(
        selftext="Merci u/Spez et /u/kn0thing !",
        is_self=True,
        is_video=True,
        secure_media={"reddit_video": {"fallback_url": "https://v.redd.it/x/DASH_720.mp4"}},
        crosspost_parent="t3_abc123",
    )
    post = reddit.post_from_thing(thing)
    assert post.mentions == ["spez", "kn0thing"]
    assert post.media == [Media("video", "https://v.redd.it/x/DASH_720.mp4")]
    assert post.quote_of == "t3_abc123"
    assert post.links == []


def test_malformed_things_name_the_field() -> None:
    [listing, _] = body("oauth-token_submit_post-comments.2025.cassette.json", 2)
    thing = listing["data"]["children"][0]
    for field, change in [
        ("created_utc", {"created_utc": None}),
        ("title", {"title": ""}),
        ("author", {"author": None}),
        ("num_comments", {"num_comments": -2}),
    ]:
        with pytest.raises(RowError) as error:
            reddit.post_from_thing({"kind": "t3", "data": {**thing["data"], **change}})
        assert error.value.field == field
    with pytest.raises(RowError) as error:
        reddit.post_from_thing({"kind": "t5", "data": {}})
    assert error.value.field == "kind"
