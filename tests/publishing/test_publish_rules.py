"""The composer's pure parts: each network's rules, Bluesky's facets (a property test: the
UTF-8 bytes at each facet are the link, tag or mention), the variables and their defaults."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rumeur.publishing.facets import facets
from rumeur.publishing.lookups import instance_limit
from rumeur.publishing.rules import Draft, Media, check, graphemes, mastodon_length
from rumeur.publishing.variables import fill, names

DIDS = {"alice.bsky.social": "did:plc:alice", "laposte.fr": "did:plc:laposte"}

# Words of every width in UTF-8: ASCII, accents (2 bytes), CJK (3), emoji (4), a ZWJ family,
# a flag, a combining accent.
WORDS = st.sampled_from(
    [
        "bonjour",
        "Noël",
        "été",
        "à",
        "郵便",
        "🎄",
        "👩‍👩‍👧",
        "🇫🇷",
        "e\u0301",
        "«",
        "»",
        "!",
        "(",
        ")",
    ]
)
LINKS = st.sampled_from(["https://laposte.fr", "https://exemple.fr/été?q=1", "http://a.io/x"])
TAGS = st.sampled_from(["#Noël", "#colis", "#été2026", "#郵便"])
MENTIONS = st.sampled_from(["@alice.bsky.social", "@laposte.fr", "@inconnu.bsky.social"])
PIECES = st.lists(st.one_of(WORDS, LINKS, TAGS, MENTIONS), min_size=1, max_size=25)


@settings(max_examples=200, deadline=None)
@given(PIECES, st.lists(st.sampled_from([" ", "\n", "  "]), min_size=25, max_size=25))
def test_each_facet_slices_its_own_text_out_of_the_utf8_bytes(
    pieces: list[str], spaces: list[str]
) -> None:
    text = "".join(p + s for p, s in zip(pieces, spaces, strict=False))
    data = text.encode("utf-8")
    last = 0
    for facet in facets(text, DIDS.get):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        assert last <= start < end <= len(data)  # in order, never overlapping
        last = end
        shown = data[start:end].decode("utf-8")  # never cuts a character
        [feature] = facet["features"]
        kind = feature["$type"].rsplit("#", 1)[1]
        if kind == "link":
            assert shown == feature["uri"]
        elif kind == "tag":
            assert shown == "#" + feature["tag"]
        else:
            assert kind == "mention"
            assert DIDS[shown[1:]] == feature["did"]
    # Every link, tag and known mention written between spaces has its facet.
    expected = [p for p in pieces if p[0] in "#h" or p[1:] in DIDS]
    assert len(facets(text, DIDS.get)) == len(expected)


def test_an_unknown_handle_and_a_trailing_stop_are_left_out() -> None:
    text = "Voir https://laposte.fr/noel. Merci @inconnu.bsky.social (#Noël!)"
    found = facets(text, DIDS.get)
    data = text.encode("utf-8")
    shown = [data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in found]
    assert shown == ["https://laposte.fr/noel"]  # '#' after '(' is not a tag on Bluesky


def test_graphemes_count_what_a_reader_sees() -> None:
    assert graphemes("👩‍👩‍👧") == 1  # a ZWJ family
    assert graphemes("🇫🇷🇧🇪") == 2  # two flags
    assert graphemes("e\u0301te\u0301") == 3  # é t é, with combining accents
    assert graphemes("👍🏽") == 1  # a skin tone
    assert check(Draft("bluesky", "🇫🇷" * 300)) == []  # 2,400 bytes
    assert check(Draft("bluesky", "🇫🇷" * 301)) == ["301 characters: Bluesky takes at most 300"]


def test_bluesky_bytes_media_and_alt_texts() -> None:
    assert check(Draft("bluesky", "👩‍👩‍👧" * 200)) == ["3600 bytes: Bluesky takes at most 3000"]
    five = tuple(Media(f"{i}.png", "alt") for i in range(5))
    assert check(Draft("bluesky", "x", media=five)) == ["5 media: Bluesky takes at most 4"]
    assert check(Draft("bluesky", "x", media=(Media("a.png"),))) == [
        "a.png has no alt text: every image needs one"
    ]
    assert (
        "Bluesky takes images only" in check(Draft("bluesky", "x", media=(Media("a.mp4", "v"),)))[0]
    )


def test_mastodon_counts_links_as_23_the_warning_and_the_instance_limit() -> None:
    link = "https://www.laposte.fr/" + "a" * 200
    assert mastodon_length(f"Voir {link}.") == len("Voir ") + 23 + 1
    assert mastodon_length("@marie@piaille.fr") == len("@marie")
    assert check(Draft("mastodon", "x" * 490, spoiler="y" * 10)) == []
    assert check(Draft("mastodon", "x" * 490, spoiler="y" * 11)) == [
        "501 characters: Mastodon takes at most 500"
    ]
    assert check(Draft("mastodon", "x" * 900), mastodon_limit=1000) == []
    assert check(Draft("mastodon", "x", spoiler="y" * 501), mastodon_limit=10_000) == [
        "the content warning is 501 characters long: rumeur keeps at most 500"
    ]
    assert check(Draft("mastodon", "x", visibility="friends")) == [
        "visibility 'friends': Mastodon takes public, unlisted, private or direct"
    ]
    assert instance_limit({"configuration": {"statuses": {"max_characters": 1000}}}) == 1000
    assert instance_limit({"configuration": {}}) is None
    assert instance_limit({"configuration": {"statuses": {"max_characters": True}}}) is None


def test_reddit_title_body_and_media() -> None:
    assert check(Draft("reddit", "corps")) == ["Reddit needs a title (give the variant a title)"]
    assert check(Draft("reddit", "x" * 40_001, title="t" * 301)) == [
        "the title is 301 characters long: Reddit takes at most 300",
        "40001 characters: Reddit takes at most 40000",
    ]
    assert check(Draft("reddit", "", title="Un titre")) == []
    assert check(Draft("threads", "x")) == ["rumeur cannot publish on threads"]


def test_variables_defaults_braces_and_what_is_missing() -> None:
    values = {"ville": "Lyon", "horaires": "{boutique}"}
    done = fill("{ville} {horaires} {boutique} {jour|lundi} {{ville}} {1} { }", values)
    assert done.text == "Lyon {boutique} {boutique} lundi {ville} {1} { }"  # values stay text
    assert done.missing == ("boutique",)
    assert fill("{horaires|9 h – 18 h}", {}).text == "9 h – 18 h"
    assert names("{ville} {a|b} {ville}") == ["ville", "a"]
