"""Bluesky payloads recorded from bsky.social and Jetstream, mapped to `Post`."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from rumeur.errors import RowError
from rumeur.model import Media
from rumeur.sources.bluesky import types as bsky

REPO = Path(__file__).resolve().parents[3]
FIXTURES = (
    Path(os.environ.get("RUMEUR_FIXTURES") or REPO.parent / "shared" / "fixtures") / "bluesky"
)

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="recorded fixtures not present")


def body(name: str) -> dict[str, Any]:
    """The JSON body of an R vcr cassette's first interaction (response.body.string)."""
    cassette = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))
    return json.loads(cassette["http_interactions"][0]["response"]["body"]["string"])


def by_uri(posts: list[dict[str, Any]], rkey: str) -> dict[str, Any]:
    return next(p for p in posts if p["uri"].endswith(rkey))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_search_post_with_link_facet_and_hashtag_in_text() -> None:
    view = by_uri(body("searchPosts.cassette.yml")["posts"], "3lpk2u6qo222m")
    post = bsky.post_from_view(view)
    assert post.platform == "bluesky"
    assert (
        post.native_id == "at://did:plc:kkergqgbhb56ptpwj2wenkje/app.bsky.feed.post/3lpk2u6qo222m"
    )
    assert post.url == "https://bsky.app/profile/socpaperbot.bsky.social/post/3lpk2u6qo222m"
    assert post.author.handle == "socpaperbot.bsky.social"
    assert post.author.native_id == "did:plc:kkergqgbhb56ptpwj2wenkje"
    assert post.author.display_name == "Sociology papers (journals + SocArXiv)"
    assert post.author.followers is None  # a profileViewBasic has no counts
    assert post.text.startswith("Ends Versus Means: Public Opinion on Congressional Redistricting")
    assert post.links == ["https://osf.io/v87fn"]
    assert post.hashtags == ["sociology"]  # no tag facet: read from the text
    assert post.language is None  # no langs in the record
    assert post.created_at == utc(2025, 5, 19, 17, 10, 9, 813000)


def test_indexed_at_is_trusted_over_the_client_created_at() -> None:
    view = by_uri(body("searchPosts.cassette.yml")["posts"], "3lpitwqgtn22a")
    post = bsky.post_from_view(view)
    assert post.created_at == utc(2025, 5, 19, 5, 39, 26, 711000)
    assert post.raw["record"]["createdAt"] == "2025-05-19T05:33:39.432Z"  # kept for audit


def test_tag_facet_link_facet_and_image() -> None:
    view = by_uri(body("searchPosts.cassette.yml")["posts"], "3lpica7sxmk2u")
    post = bsky.post_from_view(view)
    assert post.hashtags == ["txlege"]
    assert post.links == [
        "https://drive.google.com/file/d/1wZ7W8GA3EuJuAhpZWL8We4AyfVe8fjki/view?usp=sharing"
    ]
    assert post.media == [
        Media(
            "image",
            "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:7nagdvjqrzaquzk7mueohne5/"
            "bafkreidjv5wa7yusm5zwpompgf4kfl6vww26ngdbxlir5mgw5qsurqr2de@jpeg",
        )
    ]
    assert post.language == "en"


def test_external_embed_is_a_link_and_media() -> None:
    view = by_uri(body("searchPosts.cassette.yml")["posts"], "3lpk2r5h5ec2j")
    post = bsky.post_from_view(view)
    url = (
        "https://open.substack.com/pub/christackett/p/the-pawn-or-the-collaborator"
        "?r=92vnq&utm_medium=ios"
    )
    assert post.links == [url]
    assert post.media == [Media("link", url, "The Pawn or the Collaborator?")]
    assert (post.metrics.likes, post.metrics.reposts, post.metrics.replies) == (4, 3, 0)


def test_record_embed_is_a_quote() -> None:
    view = by_uri(body("searchPosts.cassette.yml")["posts"], "3lpjl6vjfes2b")
    post = bsky.post_from_view(view)
    assert post.quote_of == "at://did:plc:pjiafkey2cokiupsxpswqlk7/app.bsky.feed.post/3lpjgwfr3gs27"


def test_reply_points_at_the_parent() -> None:
    view = by_uri(body("searchPosts.cassette.yml")["posts"], "3lpjzka2pzc2l")
    post = bsky.post_from_view(view)
    assert post.reply_to == "at://did:plc:7nagdvjqrzaquzk7mueohne5/app.bsky.feed.post/3lpjzgltpa22l"


def test_get_quotes_mentions_from_facets_and_record_with_media() -> None:
    payload = body("getQuotes.cassette.yml")
    quoted = payload["uri"]
    posts = [bsky.post_from_view(v) for v in payload["posts"]]
    assert {p.quote_of for p in posts} == {quoted}
    first = posts[0]
    assert first.author.handle == "randvegan.bsky.social"
    assert first.mentions == ["bskyr.bsky.social", "chriskenny.bsky.social"]
    assert first.hashtags == ["rstats"]
    assert (first.metrics.likes, first.metrics.reposts, first.metrics.replies) == (3, 1, 1)
    second = posts[1]  # app.bsky.embed.recordWithMedia: quote plus an external card
    assert second.metrics.quotes == 2
    assert second.language == "en"
    assert Media(
        "link", "https://christophertkenny.com/bskyr/", "Interact with Bluesky Social"
    ) in (second.media)


def test_author_feed_repost_is_the_original_post_with_the_reposter_in_raw() -> None:
    item = next(i for i in body("getAuthorFeed.cassette.yml")["feed"] if bsky.is_repost(i))
    post = bsky.post_from_feed_item(item)
    assert (
        post.native_id == "at://did:plc:n65dhyosfrm6t7jhzum76exq/app.bsky.feed.post/3lnneysi3ps2c"
    )
    assert post.author.handle == "mickael.canouil.fr"
    assert post.created_at == utc(2025, 4, 25, 13, 59, 21, 352000)
    assert post.raw["reason"]["by"]["handle"] == "chriskenny.bsky.social"


def test_author_feed_reply_context_and_record_with_media() -> None:
    feed = body("getAuthorFeed.cassette.yml")["feed"]
    reply = next(i for i in feed if i["post"]["uri"].endswith("3lof7sovfok2h"))
    parent = "at://did:plc:z4cp3uwgxiioi7uaxn2boq47/app.bsky.feed.post/3lobj4swhjo2x"
    assert bsky.post_from_feed_item(reply).reply_to == parent
    assert [p.native_id for p in bsky.context_posts(reply)] == [parent]  # root == parent
    quote = next(i for i in feed if i["post"]["uri"].endswith("3loagm2phgk2t"))
    post = bsky.post_from_feed_item(quote)
    assert post.quote_of == "at://did:plc:qnzaaisqa3lafzmtjxt5nt52/app.bsky.feed.post/3loacnvvpgn22"
    assert [m.kind for m in post.media] == ["image"]
    assert all(bsky.post_from_feed_item(i).platform == "bluesky" for i in feed)


def test_thread_without_facets_falls_back_to_the_text() -> None:
    thread = body("getPostThread.cassette.yml")["thread"]
    [post] = list(bsky.posts_from_thread(thread))
    assert post.author.handle == "soubhikbarari.bsky.social"
    assert post.mentions == ["rstatsai", "georgetown"]
    assert post.hashtags == ["rstats", "rgov"]
    assert post.links == ["http://localview.net", "https://rstats.ai/gov.html"]
    assert post.metrics.likes == 4


def test_large_thread_yields_parents_post_and_replies_once() -> None:
    thread = json.loads((FIXTURES / "getPostThread.large.json").read_text())["thread"]
    posts = list(bsky.posts_from_thread(thread))
    assert len(posts) == len({p.native_id for p in posts}) == 58
    root = thread["post"]["uri"]
    assert root in [p.native_id for p in posts]
    assert sum(p.reply_to == root for p in posts) >= len(thread["replies"])


def test_notifications_mention_reply_and_quote_become_posts() -> None:
    notes = body("listNotifications.cassette.yml")["notifications"]
    posts = [p for p in map(bsky.post_from_notification, notes) if p is not None]
    assert len(posts) == 18  # 11 mentions + 7 quotes; likes, follows, reposts give None
    mention = posts[0]
    assert mention.author.handle == "josephjefe.bsky.social"
    assert mention.mentions == ["bskyr.bsky.social"]  # the facet's byte slice, not its DID
    assert mention.reply_to == (
        "at://did:plc:lprqqpoyjspuma25n5gofocf/app.bsky.feed.post/3lmib4yep2k2g"
    )
    assert mention.links == ["https://christophertkenny.com/bskyr/index.html"]
    assert mention.media[0].url.endswith(
        "/did:plc:lprqqpoyjspuma25n5gofocf/"
        "bafkreifjraozxbfljjv43pqi5q5wjzea4rgujvnxugy2cjdcj3fuqe4qky@jpeg"
    )
    quote = next(p for p in posts if p.native_id.endswith("3lktjjvxvdk2g"))
    assert (
        quote.quote_of == "at://did:plc:5c2r73erhng4bszmxlfdtscf/app.bsky.feed.post/3lktj6pstuy2n"
    )


def test_mention_offsets_are_utf8_bytes() -> None:
    text = "Merci @médialab.fr ! @bskyr.bsky.social"
    start = len(b"Merci @m\xc3\xa9dialab.fr ! ")
    facet = {
        "index": {"byteStart": start, "byteEnd": start + len("@bskyr.bsky.social")},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:x"}],
    }
    view = by_uri(body("searchPosts.cassette.yml")["posts"], "3lpk2u6qo222m")
    view = {**view, "record": {**view["record"], "text": text, "facets": [facet]}}
    view["record"]["langs"] = ["fr-FR"]
    post = bsky.post_from_view(view)
    assert post.mentions == ["bskyr.bsky.social"]
    assert post.language == "fr"


def test_french_profiles() -> None:
    profiles = json.loads((FIXTURES / "getProfiles.profiles.json").read_text())
    authors = {a.handle: a for a in map(bsky.author_from_profile, profiles)}
    medialab = authors["medialab-scpo.bsky.social"]
    assert medialab.display_name == "Sciences Po médialab"
    assert (medialab.followers, medialab.following) == (596, 69)
    assert authors["evancheval.bsky.social"].display_name is None  # "" is no name


def test_jetstream_triage() -> None:
    lines = (FIXTURES / "jetstream-v1.152-events.jsonl").read_text().splitlines()
    sorted_ = bsky.triage(json.loads(line) for line in lines)
    assert len(sorted_.posts) == 17
    assert sorted_.deletes == [
        "at://did:plc:4smmjsqf6l5jkzczvw6vsrqc/app.bsky.feed.post/3mpt73z3ejc2p"
    ]
    assert sorted_.skipped == 152 - 17 - 1


def test_jetstream_kinds_identity_account_and_likes_are_skipped() -> None:
    lines = (FIXTURES / "jetstream-v1.10-kinds.jsonl").read_text().splitlines()
    actions = {json.loads(line)["kind"]: bsky.event_action(json.loads(line)) for line in lines}
    assert actions["identity"] == actions["account"] == "skip"


def test_jetstream_post() -> None:
    lines = (FIXTURES / "jetstream-v1.152-events.jsonl").read_text().splitlines()
    events = bsky.triage(json.loads(line) for line in lines).posts
    posts = [bsky.post_from_jetstream(e) for e in events]
    tags = next(p for p in posts if p.native_id.endswith("3mptbypfywk2v"))
    did = "did:plc:tn3hni2jpphsgl6amfbb7ja6"
    assert tags.native_id == f"at://{did}/app.bsky.feed.post/3mptbypfywk2v"
    assert tags.author.handle == tags.author.native_id == did
    assert tags.url == f"https://bsky.app/profile/{did}/post/3mptbypfywk2v"
    assert tags.created_at == utc(2026, 7, 4, 14, 38, 8, 172335)  # time_us, not createdAt
    assert tags.hashtags == ["howtotellaitoshutup", "indierebellion"]
    assert tags.language == "de"
    reply = next(p for p in posts if p.native_id.endswith("3mptbyp7lu223"))
    assert (
        reply.reply_to == "at://did:plc:i5y2f3gtpjxs3qg6fwgb6jb4/app.bsky.feed.post/3mpt7u2vlgs2c"
    )
    assert reply.language == "ko"
    multi = next(p for p in posts if p.native_id.endswith("3mptbyoigog2b"))
    assert multi.language == "en"  # langs ["en-US", "en"]
    image = next(p for p in posts if p.native_id.endswith("3mptbxs3hq22j"))
    assert image.media[0].url == (
        "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:6aw7u7xjbaiznddugigmdhvc/"
        "bafkreicwsq23gkygrgpijv7ocssxdyjokfv3quss3f2dg4csds3jpeqkwe@jpeg"
    )
    assert bsky.post_from_jetstream(events[0], handle="x.bsky.social").author.handle == (
        "x.bsky.social"
    )


def test_jetstream_pretty_file() -> None:
    events = json.loads((FIXTURES / "jetstream-posts.pretty.json").read_text())
    posts = [bsky.post_from_jetstream(e) for e in events]
    assert posts[0].native_id == (
        "at://did:plc:uu5mtxzumfsy5hqknfetoyft/app.bsky.feed.post/3m7aazmldai25"
    )
    assert posts[0].created_at == utc(2025, 12, 5, 10, 17, 3, 464700)


def test_malformed_items_name_the_field() -> None:
    view = by_uri(body("searchPosts.cassette.yml")["posts"], "3lpk2u6qo222m")
    with pytest.raises(RowError) as error:
        bsky.post_from_view({**view, "uri": "https://example.com/x"})
    assert error.value.field == "uri"
    with pytest.raises(RowError) as error:
        bsky.post_from_view({**view, "indexedAt": "yesterday"})
    assert error.value.field == "indexedAt"
    with pytest.raises(RowError) as error:
        bsky.post_from_view({**view, "likeCount": -1})
    assert error.value.field == "likeCount"
    with pytest.raises(RowError) as error:
        bsky.post_from_view({**view, "record": {"text": None}})
    assert error.value.field == "record.text"
    like = json.loads((FIXTURES / "jetstream-v1.10-kinds.jsonl").read_text().splitlines()[0])
    with pytest.raises(RowError) as error:
        bsky.post_from_jetstream(like)
    assert error.value.field == "commit"
