"""Newer model answers for posts already stored (`rumeur reenrich`): the enrichment rows, the
posts' current labels where no label from the source or the team's correction outranks the
model, and the rollups moved to match, with the cursor, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, exists, select, update

from rumeur.model import Author, EnrichmentResult, Label, Post
from rumeur.store.author_stats import move_author_days
from rumeur.store.corrected import corrected_labels, refresh_model_values
from rumeur.store.schema import enrichments, post_brands, posts
from rumeur.store.writer import (
    FACET_COLUMNS,
    LABEL_TASKS,
    METRICS,
    SOURCE_VERSION,
    CursorUpdate,
    _apply_rollups,
    _chunks,
    _state,
    _write_cursor,
    model_rows,
    upsert_enrichments,
)


def relabel(
    conn: Connection,
    workspace: str,
    ids: Sequence[int],
    results: Sequence[EnrichmentResult],
    cursor: CursorUpdate | None = None,
) -> int:
    """Store `results` (aligned with `ids`); returns how many posts changed label."""
    now = datetime.now(UTC)
    stored = _stored(conn, ids)
    from_source = _source_tasks(conn, ids)
    corrected = corrected_labels(conn, ids)
    before, after, changed = {}, {}, []
    for i, pid in enumerate(ids):
        old = stored[pid]
        new = dict(old)
        for r in results:
            # No answer keeps the label, but a reason model's "" says the post has no
            # complaint reason (no longer negative, or none of the workspace's): as a fresh
            # import would store it, never an older model's reason kept.
            answered = r.label(i) or r.task == "reason"
            if r.task in LABEL_TASKS and answered and (pid, r.task) not in from_source:
                new[r.task] = r.label(i) or None
        new.update(corrected.get(pid, {}))  # the team's corrections outrank every model
        if any(new[t] != old[t] for t in LABEL_TASKS):
            before[pid] = was = _state(old, old["memberships"])
            after[pid] = _state(new, old["memberships"], was.facets)  # labels move, words stay
            changed.append({"_id": pid, **{t: new[t] for t in LABEL_TASKS}, "updated_at": now})
    if changed:
        values = {t: bindparam(t) for t in (*LABEL_TASKS, "updated_at")}
        conn.execute(update(posts).where(posts.c.id == bindparam("_id")).values(values), changed)
    _apply_rollups(conn, before, after)
    move_author_days(conn, before, after)
    upsert_enrichments(conn, model_rows(ids, results, now))
    refresh_model_values(conn, ids, results, set(corrected))
    if cursor is not None:
        _write_cursor(conn, workspace, cursor, len(ids), now)
    return len(changed)


def _stored(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    columns = [posts.c.id, posts.c.platform, posts.c.created_at, posts.c.author_id]
    columns += [posts.c[c] for c in (*LABEL_TASKS, *METRICS, *FACET_COLUMNS)]
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(list(ids)):
        for row in conn.execute(select(*columns).where(posts.c.id.in_(chunk))).mappings():
            found[row["id"]] = {**row, "memberships": set()}
        query = select(post_brands).where(post_brands.c.post_id.in_(chunk))
        for m in conn.execute(query):
            found[m.post_id]["memberships"].add((m.workspace, m.brand))
    return found


def _source_tasks(conn: Connection, ids: Sequence[int]) -> set[tuple[int, str]]:
    out: set[tuple[int, str]] = set()
    for chunk in _chunks(list(ids)):
        query = select(enrichments.c.post_id, enrichments.c.task).where(
            enrichments.c.post_id.in_(chunk), enrichments.c.version == SOURCE_VERSION
        )
        out.update((pid, task) for pid, task in conn.execute(query))
    return out


def posts_after(
    conn: Connection, workspace: str, after_id: int, limit: int, kept: Sequence[str] = ()
) -> list[tuple[int, Post]]:
    """The workspace's stored posts with an id above `after_id`, in id order, with the labels
    their source gave them: what a model is run on again. A task of `kept` (one not run again)
    adds the post's stored label where the source gave none: the models that read it (the
    language, the sentiment a reason is asked on) read what the post has, not nothing."""
    mine = exists().where(post_brands.c.post_id == posts.c.id, post_brands.c.workspace == workspace)
    query = (
        select(posts.c.id, posts.c.platform, posts.c.native_id, posts.c.text, posts.c.title,
               posts.c.created_at, *(posts.c[t] for t in kept))
        .where(posts.c.id > after_id, mine)
        .order_by(posts.c.id)
        .limit(limit)
    )  # fmt: skip
    rows = conn.execute(query).all()
    labels: dict[int, list[Label]] = {r.id: [] for r in rows}
    for chunk in _chunks(list(labels)):
        query = select(enrichments.c.post_id, enrichments.c.task, enrichments.c.label).where(
            enrichments.c.post_id.in_(chunk), enrichments.c.version == SOURCE_VERSION
        )
        for pid, task, label in conn.execute(query):
            labels[pid].append(Label(task, label))
    for r in rows:
        given = {label.task for label in labels[r.id]}
        labels[r.id] += [Label(t, r._mapping[t]) for t in kept if t not in given and r._mapping[t]]
    return [
        (r.id, Post(platform=r.platform, native_id=r.native_id, text=r.text, title=r.title,
                    created_at=r.created_at, author=Author(handle=""), labels=labels[r.id]))
        for r in rows
    ]  # fmt: skip
