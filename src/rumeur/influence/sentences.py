"""What an influence score says to people, once: each part of its explanation as a sentence,
the reason an author has no score, and why an author is listed as rising. Read by the command
line, the pages and the API's `text` fields, in the reader's language."""

from __future__ import annotations

from typing import Any

from rumeur.i18n import _, number, percent
from rumeur.influence.scores import Part
from rumeur.model import platform_name

TIER_NAMES = ("nano", "micro", "mid", "macro", "mega")


def tier_name(tier: str | None) -> str:
    names = {
        "nano": _("nano"),
        "micro": _("micro"),
        "mid": _("mid-tier"),
        "macro": _("macro"),
        "mega": _("mega"),
    }
    return names.get(tier or "", _("followers unknown"))


def part_name(name: str) -> str:
    return {
        "engagement": _("Engagement"),
        "relevance": _("Relevance"),
        "sentiment": _("Sentiment"),
        "locality": _("Locality"),
        "growth": _("Growth"),
    }.get(name, name)


def _place(place: dict[str, Any]) -> str:
    return ", ".join(str(place[k]) for k in ("city", "region", "country") if place.get(k))


def sentence(part: Part) -> str:
    """The part as one sentence with its figures."""
    f = part.figures
    key = part.sentence
    if key == "engagement_rate":
        return _(
            "Engagement rate {rate} ({per_post} interactions per post, {followers} followers): "
            "above {percentile} of {tier} accounts on {platform}."
        ).format(
            rate=percent(f["rate"]),
            per_post=number(f["per_post"], 1),
            followers=number(f["followers"]),
            percentile=percent(f["percentile"]),
            tier=tier_name(f["tier"]),
            platform=platform_name(f["platform"]),
        )
    if key == "engagement_followers_unknown":
        return _(
            "Followers unknown: {per_post} interactions per post, above {percentile} of the "
            "authors on {platform} whose followers are unknown."
        ).format(
            per_post=number(f["per_post"], 1),
            percentile=percent(f["percentile"]),
            platform=platform_name(f["platform"]),
        )
    if key == "relevance_queries":
        return _("{matched} of {posts} posts match the workspace's queries.").format(**f)
    if key == "relevance_brand":
        return _("{matched} of {posts} posts name {brand}.").format(**f)
    if key == "sentiment_brand":
        return _(
            "Of {posts} posts about {brand}, {positive} positive and {negative} negative."
        ).format(**f)
    if key == "sentiment_no_brand_post":
        return _("No post names {brand}: counted as neutral.").format(**f)
    if key == "locality":
        shown = _place(f["place"])
        if not shown:
            return _("Place unknown: not in {asked}.").format(asked=_place(f["asked"]))
        if part.value >= 1:
            return _("In {asked}.").format(asked=_place(f["asked"]))
        if part.value > 0:
            return _("Near {asked}: {place}.").format(asked=_place(f["asked"]), place=shown)
        return _("Not in {asked}: {place}.").format(asked=_place(f["asked"]), place=shown)
    if key == "growth":
        return _("Followers {first} to {last} over the window ({growth}).").format(
            first=number(f["first"]),
            last=number(f["last"]),
            growth=("+" if f["growth"] >= 0 else "") + percent(f["growth"]),
        )
    return key


def not_enough_posts(posts: int, days: int, needed: int) -> str:
    return _("Not enough posts: {posts} in the last {days} days, {needed} needed.").format(
        posts=posts, days=days, needed=needed
    )


def followers_unknown() -> str:
    return _(
        "Followers unknown: ranked by interactions per post, relevance and sentiment, without "
        "an engagement rate or a tier."
    )


def listed_for(reason: dict[str, Any]) -> str:
    """Why `rising()` lists an author."""
    key = reason["sentence"]
    if key == "rising_new_voice":
        return _("New voice: {posts} posts in the recent half of the window, none before.").format(
            posts=reason["posts"]
        )
    if key == "rising_engagement":
        return _("Interactions per post up from {before} to {now}.").format(
            before=number(reason["before"], 1), now=number(reason["now"], 1)
        )
    if key == "rising_relevance":
        return _("Share of posts matching the queries up from {before} to {now}.").format(
            before=percent(reason["before"]), now=percent(reason["now"])
        )
    return key
