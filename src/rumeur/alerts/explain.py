"""Why an alert fired: its figures, and the posts, terms and authors behind it.

Read from the posts of the fire's window only (a few hundred at most in a storm's hour), when a
detector has fired: quiet runs never come here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection, select

from rumeur.alerts.detectors import NEGATIVE, WATCH, Fire
from rumeur.metrics import engagement
from rumeur.store.facets import words
from rumeur.store.rollups import ALL
from rumeur.store.schema import authors, post_brands, post_queries, posts

SCANNED = 500  # the window's most engaging posts that the terms and authors are counted over


def explain(conn: Connection, workspace: str, fire: Fire, top: int) -> dict[str, Any]:
    rows = _window_posts(conn, workspace, fire)
    engaging = [(engagement(r.likes, r.reposts, r.replies, r.quotes), r) for r in rows]
    engaging.sort(key=lambda pair: (-pair[0], -pair[1].id))
    terms: Counter[str] = Counter()
    people: Counter[str] = Counter()
    for _, r in engaging:
        terms.update(set(words(r.text)))
        people[r.handle] += 1
    return {
        "kind": fire.kind,
        "subject": fire.subject,
        "observed": fire.observed,
        "expected": fire.expected,
        "score": round(fire.score, 2),
        "since": fire.since.isoformat(),
        "until": fire.until.isoformat(),
        **fire.why,
        "posts": [
            {"id": r.id, "native_id": r.native_id, "text": r.text[:280], "engagement": e}
            for e, r in engaging[:top]
        ],
        "terms": [t for t, _ in terms.most_common(top)],
        "authors": [h for h, _ in people.most_common(top)],
    }


def _window_posts(conn: Connection, workspace: str, fire: Fire) -> list[Any]:
    p = posts.c
    query = (
        select(p.id, p.native_id, p.text, p.likes, p.reposts, p.replies, p.quotes,
               p.created_at, authors.c.handle)
        .join(authors, authors.c.id == p.author_id)
        .where(p.created_at >= fire.since, p.created_at < fire.until)
        .order_by(p.created_at.desc())
        .limit(SCANNED)
    )  # fmt: skip
    if fire.post_ids:  # a viral post, the newcomers' posts: the fire's own posts only
        return list(conn.execute(query.where(p.id.in_(fire.post_ids))))
    if fire.kind == WATCH:
        q = post_queries.c
        query = query.join(post_queries, q.post_id == p.id).where(
            q.workspace == workspace, q.query == fire.subject
        )
    else:
        b = post_brands.c
        query = query.join(post_brands, b.post_id == p.id).where(b.workspace == workspace)
        # The whole volume counts a post once, whatever the brands it names.
        query = query.distinct() if fire.subject == ALL else query.where(b.brand == fire.subject)
    if fire.kind == NEGATIVE:
        query = query.where(p.sentiment == "negative")
    return list(conn.execute(query))
