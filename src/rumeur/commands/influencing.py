"""`rumeur influencers list|show|refresh`: a workspace's influencers for people (a table, the
explanation in words) and scripts (one JSON object a line)."""

from __future__ import annotations

import json
import time
from typing import Any

from rich.table import Table

from rumeur.commands.consoles import make_console
from rumeur.commands.reporting import shown
from rumeur.config import Workspace
from rumeur.errors import InputError
from rumeur.i18n import _, number, percent
from rumeur.influence import ranking, sentences
from rumeur.influence.ranking import Influencer, UnknownPlace
from rumeur.settings.influence import TIERS
from rumeur.store import Store
from rumeur.store.author_stats import rebuild_author_days


def _checked(tier: str | None, limit: int) -> None:
    if tier is not None and tier not in TIERS:
        raise InputError(
            _("--tier {tier}: expected one of {tiers}").format(tier=tier, tiers=", ".join(TIERS))
        )
    if limit < 1:
        raise InputError(_("--limit must be 1 or more"))


def list_influencers(
    store: Store,
    ws: Workspace,
    *,
    place: str | None,
    tier: str | None,
    platform: str | None,
    language: str | None,
    brand: str | None,
    limit: int,
    as_json: bool,
) -> None:
    _checked(tier, limit)
    if brand is not None and brand not in {b.name for b in ws.brands}:
        raise InputError(_("--brand {brand}: not a brand of this workspace").format(brand=brand))
    try:
        found = ranking.ranked(
            store, ws, place=place, tier=tier, platform=platform, language=language,
            brand=brand, limit=limit,
        )  # fmt: skip
    except UnknownPlace as exc:
        raise InputError(
            _("--place {place}: not a place rumeur knows").format(place=exc.text)
        ) from None
    if as_json:
        for one in found:
            print(json.dumps(one.to_json(), ensure_ascii=False))
        return
    console = make_console()
    if not found:
        console.print(
            _("No author has {n} posts or more in the window.").format(n=ws.influence.min_posts)
        )
        return
    console.print(_table(found))
    if all(one.followers is None for one in found):
        console.print(sentences.followers_unknown())


def _table(found: list[Influencer]) -> Table:
    """The ranking; without any follower count (the airline set), no tier, rate nor
    percentile columns but interactions per post, what the ranking then reads."""
    known = any(one.followers is not None for one in found)
    columns: list[tuple[str, bool, Any]] = [
        (_("Author"), False, lambda one: shown(one.key)),
        (_("Score"), True, lambda one: number(one.score or 0, 1)),
    ]
    if known:
        columns += [
            (_("Tier"), False, lambda one: sentences.tier_name(one.tier)),
            (_("Followers"), True, lambda one: _maybe(one.followers, number)),
            (_("Engagement rate"), True, lambda one: _maybe(one.engagement_rate, percent)),
            (_("Percentile"), True, lambda one: _maybe(one.tier_percentile, percent)),
        ]
    columns += [
        (_("Posts"), True, lambda one: number(one.window_posts)),
        (_("Interactions"), True, lambda one: number(one.interactions)),
    ]
    if not known:
        columns.append((_("Per post"), True, lambda one: number(one.interactions_per_post, 1)))
    columns.append((_("Place"), False, lambda one: shown(_place(one.place))))
    table = Table(show_edge=False)
    for title, right, _cell in columns:
        table.add_column(title, justify="right" if right else "left", overflow="fold")
    for one in found:
        table.add_row(*(cell(one) for _title, _right, cell in columns))
    return table


def _maybe(value: Any, shape: Any) -> str:
    return "" if value is None else shape(value)


def _place(place: dict[str, Any] | None) -> str:
    if not place:
        return ""
    return ", ".join(str(place[k]) for k in ("city", "region", "country") if place.get(k))


def show_influencer(
    store: Store, ws: Workspace, author: str, place: str | None, as_json: bool
) -> None:
    try:
        found = ranking.influencer(store, ws, author, place=place)
    except UnknownPlace as exc:
        raise InputError(
            _("--place {place}: not a place rumeur knows").format(place=exc.text)
        ) from None
    if found is None:
        raise InputError(_("{author}: no post of this workspace is theirs").format(author=author))
    if as_json:
        print(json.dumps(found.to_json(), ensure_ascii=False))
        return
    console = make_console()
    for line in explanation_lines(found, ws.influence.min_posts):
        console.print(shown(line))


def explanation_lines(found: Influencer, min_posts: int) -> list[str]:
    """The author, their figures and their score explained, a line each."""
    name = found.key + (f" ({found.display_name})" if found.display_name else "")
    lines = [name]
    followers = _("followers unknown") if found.followers is None else number(found.followers)
    lines.append(
        _("Tier: {tier}. Followers: {followers}.").format(
            tier=sentences.tier_name(found.tier), followers=followers
        )
    )
    if found.place:
        lines.append(_("Place: {place}.").format(place=_place(found.place)))
    lines.append(
        _("Last {days} days: {posts} posts, {interactions} interactions, {views} views.").format(
            days=found.window_days,
            posts=number(found.window_posts),
            interactions=number(found.interactions),
            views=number(found.views),
        )
    )
    if found.score is None:
        lines.append(sentences.not_enough_posts(found.window_posts, found.window_days, min_posts))
        return lines
    lines.append(_("Influence score: {score} of 100.").format(score=number(found.score, 1)))
    if found.followers is None:
        lines.append(sentences.followers_unknown())
    for part in found.explanation:
        lines.append(
            _("- {name} (weight {weight}, {points} points): {sentence}").format(
                name=sentences.part_name(part.name),
                weight=number(part.weight, 2),
                points=number(part.contribution, 1),
                sentence=sentences.sentence(part),
            )
        )
        if part.posts:
            lines.append("  " + _("Posts: {ids}").format(ids=", ".join(map(str, part.posts))))
    for reason in found.listed_for:
        lines.append(sentences.listed_for(reason))
    if found.brands:
        lines.append(_("Brands: {brands}").format(brands=_counted(found.brands)))
    if found.languages:
        lines.append(_("Languages: {languages}").format(languages=_counted(found.languages)))
    if found.queries:
        lines.append(_("Queries: {queries}").format(queries=_counted(found.queries)))
    if found.first_mention is not None and found.last_mention is not None:
        lines.append(
            _("First mention {first}, last {last}.").format(
                first=found.first_mention.date().isoformat(),
                last=found.last_mention.date().isoformat(),
            )
        )
    return lines


def _counted(values: dict[str, int]) -> str:
    return ", ".join(f"{k} ({v})" for k, v in values.items())


def refresh(store: Store) -> None:
    """Count every author's statistics again from the stored posts."""
    started = time.perf_counter()
    with store.transaction() as conn:
        read = rebuild_author_days(conn)
    print(
        _("Author statistics counted again from {posts} posts in {seconds} s.").format(
            posts=number(read), seconds=number(time.perf_counter() - started, 1)
        )
    )
