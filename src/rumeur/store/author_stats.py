"""Each author's statistics per workspace, UTC day and brand (`author_days`), kept as posts
arrive, and the reads the influencer rankings make of them (rumeur/influence/).

The writer hands `apply_author_days` the same before/after states it counts the rollups from
(store/writer.py), so a post written twice, relabelled or moved to another brand moves its
author's days exactly as it moves the rollups: one grouped upsert per batch, no read of earlier
posts. Two things the states do not carry are taken from the batch: which posts matched a saved
query of the workspace (a post that matched once stays matched, as `post_queries` only grows),
and the follower count each new post's author had, recorded on the post's day (an updated post
is an old post seen again: its day keeps the count it had).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, case, delete, func, or_, select

from rumeur.model import Post
from rumeur.store.bulk import one_of, upsert_values
from rumeur.store.rollups import ALL
from rumeur.store.schema import author_days, authors, post_brands, post_queries, posts

if TYPE_CHECKING:
    from rumeur.store.writer import _State

KEY = ("workspace", "brand", "day", "author_id")
SUMS = ("posts", "engagement", "views", "positive", "negative", "matched")
CHUNK = 500  # ids per IN (...) list
REBUILD_CHUNK = 2000  # posts per read when counting a store again
# A post's reach counts at most this much in the sums: a file may say 2**63 - 1 views (the
# store keeps that on the post), and two such posts by one author on one day would overflow the
# 64-bit sum. A trillion is beyond any real post; it leaves room for millions of posts a day.
REACH_CAP = 10**12


def _day(state: _State) -> datetime:
    return state.hour.replace(hour=0)


def day_deltas(
    before: Mapping[int, _State],
    after: Mapping[int, _State],
    matched: set[tuple[int, str]],
) -> dict[tuple[Any, ...], list[Any]]:
    """(workspace, brand, day, author_id) -> [posts, engagement, views, positive, negative,
    matched, followers] deltas (followers None: added by `_add_followers`). `matched` holds the
    (post id, workspace) pairs that matched a saved query."""
    deltas: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, None])
    for sign, states in ((-1, before), (1, after)):
        for pid, state in states.items():
            day = _day(state)
            positive = sign if state.sentiment == "positive" else 0
            negative = sign if state.sentiment == "negative" else 0
            count = sign * state.engagement
            reach = sign * min(state.views, REACH_CAP)
            for ws, brand in (*state.memberships, *((ws, ALL) for ws in state.workspaces())):
                acc = deltas[(ws, brand, day, state.author_id)]
                acc[0] += sign
                acc[1] += count
                acc[2] += reach
                acc[3] += positive
                acc[4] += negative
                acc[5] += sign if (pid, ws) in matched else 0
    return deltas


def apply_author_days(
    conn: Connection,
    workspace: str,
    before: Mapping[int, _State],
    after: Mapping[int, _State],
    batch: Sequence[Post],
    ids: Sequence[int],
) -> None:
    """The writer's hook: add what this batch changed to `author_days`. `ids` are the batch's
    post ids, in its order. Called before the batch's queries are stored: what `post_queries`
    holds is what the posts had matched before."""
    # A post otherwise unchanged that matches a query now: only its `matched` moves.
    newly = {pid: post for pid, post in zip(ids, batch, strict=True)
             if post.queries and pid not in after}  # fmt: skip
    if not before and not after and not newly:
        return
    matched = _stored_matches(conn, [*before, *newly])
    fresh_followers: dict[int, int] = {}
    for pid, post in zip(ids, batch, strict=True):
        if pid not in before and pid in after and post.author.followers is not None:
            fresh_followers[pid] = post.author.followers
    deltas = day_deltas(before, after, matched | _matched_now(batch, ids, workspace))
    _add_followers(deltas, after, fresh_followers)
    _add_new_matches(conn, deltas, workspace, newly, matched)
    write_deltas(conn, deltas)


def _matched_now(batch: Sequence[Post], ids: Sequence[int], workspace: str) -> set[Any]:
    return {(pid, workspace) for pid, post in zip(ids, batch, strict=True) if post.queries}


def _add_followers(
    deltas: dict[tuple[Any, ...], list[Any]],
    after: Mapping[int, _State],
    followers: Mapping[int, int],
) -> None:
    for pid, count in followers.items():
        state = after[pid]
        for ws in state.workspaces():
            deltas[(ws, ALL, _day(state), state.author_id)][6] = count


def _add_new_matches(
    conn: Connection,
    deltas: dict[tuple[Any, ...], list[Any]],
    workspace: str,
    newly: Mapping[int, Post],
    matched: set[tuple[int, str]],
) -> None:
    """+1 `matched` on the days of the unchanged posts that match a query for the first time
    (their brands and day are the stored ones, which the batch's copy repeats)."""
    first = [pid for pid in newly if (pid, workspace) not in matched]
    for start in range(0, len(first), CHUNK):
        chunk = first[start : start + CHUNK]
        query = select(posts.c.id, posts.c.author_id, posts.c.created_at).where(
            one_of(conn, posts.c.id, chunk)
        )
        for pid, author, created in conn.execute(query):
            day = created.replace(hour=0, minute=0, second=0, microsecond=0)
            for brand in {*(newly[pid].brands or [""]), ALL}:
                deltas[(workspace, brand, day, author)][5] += 1


def move_author_days(
    conn: Connection, before: Mapping[int, _State], after: Mapping[int, _State]
) -> None:
    """A relabel's or a correction's hook: the same posts with other labels, so only their
    positive and negative counts move (their matches are the same on both sides)."""
    write_deltas(conn, day_deltas(before, after, set()))


def matched_posts(conn: Connection, workspace: str) -> set[int]:
    """The posts that match at least one saved query of the workspace."""
    query = select(post_queries.c.post_id).where(post_queries.c.workspace == workspace).distinct()
    return set(conn.execute(query).scalars())


def shift_matched(conn: Connection, workspace: str, was: set[int]) -> None:
    """After the saved queries were run again over the archive (store/matched.py): move the
    `matched` counts of the posts that match a query now and did not (`was`: those that did
    before), or the other way round."""
    now = matched_posts(conn, workspace)
    moved = [(pid, 1) for pid in sorted(now - was)] + [(pid, -1) for pid in sorted(was - now)]
    deltas: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, None])
    for start in range(0, len(moved), CHUNK):
        chunk = dict(moved[start : start + CHUNK])
        query = (
            select(posts.c.id, posts.c.author_id, posts.c.created_at, post_brands.c.brand)
            .join(post_brands, post_brands.c.post_id == posts.c.id)
            .where(one_of(conn, posts.c.id, list(chunk)), post_brands.c.workspace == workspace)
        )
        alls: set[int] = set()
        for pid, author, created, brand in conn.execute(query):
            day = created.replace(hour=0, minute=0, second=0, microsecond=0)
            deltas[(workspace, brand, day, author)][5] += chunk[pid]
            if pid not in alls:
                alls.add(pid)
                deltas[(workspace, ALL, day, author)][5] += chunk[pid]
    write_deltas(conn, deltas)


def _stored_matches(conn: Connection, ids: Sequence[int]) -> set[tuple[int, str]]:
    """(post id, workspace) of the stored posts among `ids` that matched a saved query."""
    found: set[tuple[int, str]] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = (
            select(post_queries.c.post_id, post_queries.c.workspace)
            .where(one_of(conn, post_queries.c.post_id, chunk))
            .distinct()
        )
        found.update((r.post_id, r.workspace) for r in conn.execute(query))
    return found


def write_deltas(conn: Connection, deltas: Mapping[tuple[Any, ...], list[Any]]) -> None:
    rows = [(*key, *acc) for key, acc in deltas.items() if any(acc[:6]) or acc[6] is not None]
    upsert_values(
        conn,
        author_days,
        [*KEY, *SUMS, "followers"],
        rows,
        KEY,
        lambda new: {
            **{name: author_days.c[name] + new[name] for name in SUMS},
            # The newest count seen wins; a batch that saw none keeps the stored one.
            "followers": func.coalesce(new.followers, author_days.c.followers),
        },
    )


def rebuild_author_days(conn: Connection) -> int:
    """Empty `author_days` and count every stored post again, with the writer's own counting
    (`rumeur influencers refresh`, migration 0023). Returns how many posts were read. Each
    author's days carry their follower count of now (`authors.followers`): the history of
    counts before is not in the posts, and a flat history counts as no growth."""
    from rumeur.store.writer import _state  # the writer imports this module

    conn.execute(delete(author_days))
    columns = [posts.c[c] for c in _COLUMNS]
    last, read = -1, 0
    while True:
        query = select(*columns).where(posts.c.id > last).order_by(posts.c.id).limit(REBUILD_CHUNK)
        rows = {r["id"]: dict(r) for r in conn.execute(query).mappings()}
        if not rows:
            return read
        ids = list(rows)
        members: dict[int, set[tuple[str, str]]] = {pid: set() for pid in ids}
        query = select(post_brands).where(post_brands.c.post_id.between(ids[0], ids[-1]))
        for m in conn.execute(query):
            if m.post_id in members:
                members[m.post_id].add((m.workspace, m.brand))
        # No facets: the author's days do not read them, and they cost most of a state.
        states = {
            pid: _state(row, members[pid], frozenset()) for pid, row in rows.items() if members[pid]
        }
        deltas = day_deltas({}, states, _stored_matches(conn, ids))
        counts = _followers(conn, {row["author_id"] for row in rows.values()})
        _add_followers(
            deltas,
            states,
            {pid: counts[s.author_id] for pid, s in states.items() if s.author_id in counts},
        )
        write_deltas(conn, deltas)
        last, read = ids[-1], read + len(ids)


_COLUMNS = (
    "id", "platform", "created_at", "author_id", "language", "sentiment", "emotion", "reason",
    "likes", "reposts", "replies", "quotes", "views",
)  # fmt: skip


def _followers(conn: Connection, author_ids: Iterable[int]) -> dict[int, int]:
    """The known follower counts of these authors."""
    ids = sorted(author_ids)
    found: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        query = select(authors.c.id, authors.c.followers).where(
            one_of(conn, authors.c.id, ids[start : start + CHUNK]),
            authors.c.followers.is_not(None),
        )
        found.update((row.id, row.followers) for row in conn.execute(query))
    return found


# --- reads --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sums:
    """An author's counts over a window (or half of one)."""

    posts: int = 0
    engagement: int = 0
    views: int = 0
    positive: int = 0
    negative: int = 0
    matched: int = 0


@dataclass(frozen=True, slots=True)
class AuthorRow:
    id: int
    platform: str
    handle: str
    display_name: str | None
    followers: int | None
    location: str | None


def newest_day(conn: Connection, workspace: str) -> datetime | None:
    """The newest day the workspace has posts on: the end of its windows by default."""
    query = select(func.max(author_days.c.day)).where(
        author_days.c.workspace == workspace, author_days.c.brand == ALL
    )
    return conn.execute(query).scalar()


def window_sums(
    conn: Connection,
    workspace: str,
    brand: str,
    since: datetime,
    until: datetime,
    author_ids: Sequence[int] | None = None,
    least: int = 1,
) -> dict[int, Sums]:
    """Each author's sums over the days in [since, until) of `brand` (ALL: the workspace), for
    the authors with `least` posts or more there (the others never leave the database)."""
    where = [
        author_days.c.workspace == workspace,
        author_days.c.brand == brand,
        author_days.c.day >= since,
        author_days.c.day < until,
    ]
    found: dict[int, Sums] = {}
    for chunk in _maybe_chunks(author_ids):
        query = select(
            author_days.c.author_id, *(func.sum(author_days.c[name]) for name in SUMS)
        ).where(*where)
        if chunk is not None:
            query = query.where(one_of(conn, author_days.c.author_id, chunk))
        query = query.group_by(author_days.c.author_id)
        query = query.having(func.sum(author_days.c.posts) >= max(least, 1))
        for author, *sums in conn.execute(query).all():
            if sums[0]:
                found[author] = Sums(*(int(x or 0) for x in sums))
    return found


def _maybe_chunks(ids: Sequence[int] | None) -> Iterable[Sequence[int] | None]:
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def follower_ends(
    conn: Connection,
    workspace: str,
    since: datetime,
    until: datetime,
    author_ids: Sequence[int] | None = None,
) -> dict[int, tuple[int, int]]:
    """The first and last follower counts seen in [since, until) of the authors whose count
    changed there: a grouped read finds them, and only their days are read."""
    window = (
        author_days.c.workspace == workspace,
        author_days.c.brand == ALL,
        author_days.c.day >= since,
        author_days.c.day < until,
        author_days.c.followers.is_not(None),
    )
    changed: list[int] = []
    for chunk in _maybe_chunks(author_ids):
        query = select(author_days.c.author_id).where(*window)
        if chunk is not None:
            query = query.where(one_of(conn, author_days.c.author_id, chunk))
        query = query.group_by(author_days.c.author_id).having(
            func.min(author_days.c.followers) != func.max(author_days.c.followers)
        )
        changed += conn.execute(query).scalars().all()
    ends: dict[int, tuple[int, int]] = {}
    for start in range(0, len(changed), CHUNK):
        query = (
            select(author_days.c.author_id, author_days.c.followers)
            .where(*window, one_of(conn, author_days.c.author_id, changed[start : start + CHUNK]))
            .order_by(author_days.c.author_id, author_days.c.day)
        )
        for author, count in conn.execute(query):
            first = ends.get(author, (count, count))[0]
            ends[author] = (first, count)
    return ends


def author_rows(conn: Connection, ids: Sequence[int]) -> dict[int, AuthorRow]:
    found: dict[int, AuthorRow] = {}
    columns = (
        authors.c.id, authors.c.platform, authors.c.handle, authors.c.display_name,
        authors.c.followers, authors.c.location,
    )  # fmt: skip
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in conn.execute(select(*columns).where(one_of(conn, authors.c.id, chunk))):
            found[row.id] = AuthorRow(*row)
    return found


def find_author(conn: Connection, workspace: str, ref: str) -> int | None:
    """The id of the author `ref` names: "platform:handle", a handle, or an id; among the
    authors of the workspace's posts. A bare handle on two platforms takes the one with more
    posts in the workspace."""
    ref = ref.strip().removeprefix("@")
    if not ref:
        return None
    choices = [authors.c.handle == ref]
    platform, sep, handle = ref.partition(":")
    if sep and handle:
        choices.append(and_(authors.c.platform == platform, authors.c.handle == handle))
    if ref.isdigit():
        choices.append(authors.c.id == int(ref))
    query = (
        select(author_days.c.author_id, func.sum(author_days.c.posts).label("n"))
        .join(authors, authors.c.id == author_days.c.author_id)
        .where(author_days.c.workspace == workspace, author_days.c.brand == ALL, or_(*choices))
        .group_by(author_days.c.author_id)
        .order_by(func.sum(author_days.c.posts).desc(), author_days.c.author_id)
        .limit(1)
    )
    row = conn.execute(query).first()
    return None if row is None else int(row[0])


@dataclass(frozen=True, slots=True)
class PostBrief:
    id: int
    created_at: datetime
    engagement: int
    language: str | None
    sentiment: str | None
    brands: tuple[str, ...]
    queries: tuple[str, ...]


def author_posts(
    conn: Connection,
    workspace: str,
    author_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[PostBrief]:
    """The author's posts of the workspace (in [since, until) when given), newest first, read
    through the posts' author index: one author's few posts, never a scan."""
    interactions = posts.c.likes + posts.c.reposts + posts.c.replies + posts.c.quotes
    query = (
        select(
            posts.c.id,
            posts.c.created_at,
            interactions,
            posts.c.language,
            posts.c.sentiment,
            post_brands.c.brand,
        )
        .join(post_brands, post_brands.c.post_id == posts.c.id)
        .where(posts.c.author_id == author_id, post_brands.c.workspace == workspace)
    )
    if since is not None:
        query = query.where(posts.c.created_at >= since)
    if until is not None:
        query = query.where(posts.c.created_at < until)
    rows: dict[int, list[Any]] = {}
    for pid, created, engagement, language, sentiment, brand in conn.execute(query):
        entry = rows.setdefault(pid, [created, int(engagement or 0), language, sentiment, []])
        if brand:
            entry[4].append(brand)
    queries: dict[int, list[str]] = defaultdict(list)
    ids = list(rows)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = select(post_queries.c.post_id, post_queries.c.query).where(
            post_queries.c.workspace == workspace, one_of(conn, post_queries.c.post_id, chunk)
        )
        for pid, name in conn.execute(query):
            queries[pid].append(name)
    briefs = [
        PostBrief(pid, e[0], e[1], e[2], e[3], tuple(sorted(e[4])), tuple(sorted(queries[pid])))
        for pid, e in rows.items()
    ]
    briefs.sort(key=lambda b: (b.created_at, b.id), reverse=True)
    return briefs


def day_totals(conn: Connection, workspace: str, brand: str = ALL) -> dict[datetime, Sums]:
    """The workspace's sums per day over every author (a check of the table against the
    rollups, and the benchmark's comparison)."""
    query = (
        select(author_days.c.day, *(func.sum(author_days.c[name]) for name in SUMS))
        .where(author_days.c.workspace == workspace, author_days.c.brand == brand)
        .group_by(author_days.c.day)
    )
    return {day: Sums(*(int(x or 0) for x in sums)) for day, *sums in conn.execute(query)}


def split_sums(
    conn: Connection,
    workspace: str,
    brand: str,
    since: datetime,
    middle: datetime,
    until: datetime,
    least: int = 1,
) -> dict[int, tuple[Sums, Sums]]:
    """Each author's sums over [since, middle) and [middle, until), in one grouped read, for
    the authors with `least` posts or more over both."""
    early = author_days.c.day < middle

    def part(name: str, first: bool) -> Any:
        column = author_days.c[name]
        return func.sum(case((early, column), else_=0) if first else case((early, 0), else_=column))

    query = (
        select(
            author_days.c.author_id,
            *(part(name, True) for name in SUMS),
            *(part(name, False) for name in SUMS),
        )
        .where(
            author_days.c.workspace == workspace,
            author_days.c.brand == brand,
            author_days.c.day >= since,
            author_days.c.day < until,
        )
        .group_by(author_days.c.author_id)
        .having(func.sum(author_days.c.posts) >= max(least, 1))
    )
    n = len(SUMS)
    found = {}
    for author, *sums in conn.execute(query).all():
        values = [int(x or 0) for x in sums]
        found[author] = (Sums(*values[:n]), Sums(*values[n:]))
    return found
