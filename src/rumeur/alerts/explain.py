"""Why an alert fired: its figures, and the posts, terms and authors behind it.

Read from the posts of the fire's window only (a few hundred at most in a storm's hour), when a
detector has fired: quiet runs never come here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection

from rumeur.alerts.detectors import NEGATIVE, WATCH, Fire
from rumeur.metrics import engagement
from rumeur.store.detection import window_posts
from rumeur.store.facets import words

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
    # The negative surge's count of the window's posts would be lost under the posts kept.
    figures = {("window_posts" if k == "posts" else k): v for k, v in fire.why.items()}
    return {
        "kind": fire.kind,
        "subject": fire.subject,
        "observed": fire.observed,
        "expected": fire.expected,
        "score": round(fire.score, 2),
        "since": fire.since.isoformat(),
        "until": fire.until.isoformat(),
        **figures,
        "posts": [
            {
                "id": r.id,
                "native_id": r.native_id,
                "text": r.text[:280],
                "engagement": e,
                "author": r.handle,
            }
            for e, r in engaging[:top]
        ],
        "terms": [t for t, _ in terms.most_common(top)],
        "authors": [h for h, _ in people.most_common(top)],
    }


def _window_posts(conn: Connection, workspace: str, fire: Fire) -> list[Any]:
    # A viral post, the newcomers' posts: the fire's own posts only; a watch word, the posts
    # its query matched; the others, the posts naming the fire's brand (or any brand).
    return window_posts(
        conn, workspace, fire.since, fire.until, SCANNED,
        post_ids=fire.post_ids,
        query=fire.subject if fire.kind == WATCH else None,
        brand=fire.subject,
        negative=fire.kind == NEGATIVE,
    )  # fmt: skip
