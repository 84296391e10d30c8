"""The labels the team corrected, as the writer and `rumeur reenrich` read them: a correction
outranks the model's answer and the source's label (store/corrections.py writes them).

Apart from corrections.py so that the writer can import it: corrections.py imports the writer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Connection, bindparam, select, update

from rumeur.model import EnrichmentResult
from rumeur.store.schema import label_corrections

FIELDS = ("sentiment", "emotion", "reason")
CHUNK = 500  # ids per IN (...) list
# A reason corrected to `none`: the post is no complaint, its reason column is emptied.
NONE = "none"


def column_value(field: str, value: str) -> str | None:
    """What a corrected `value` puts in the post's `field` column."""
    return None if field == "reason" and value == NONE else value


def corrected_labels(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, str | None]]:
    """post id -> field -> the column value its newest correction gives (any workspace: the
    post's columns are shared, the newest correction wins), for the posts among `ids` that have
    one."""
    found: dict[int, dict[str, str | None]] = {}
    c = label_corrections.c
    for chunk in _chunks(list(ids)):
        query = (
            select(c.post_id, c.field, c.value)
            .where(c.post_id.in_(chunk))
            .order_by(c.created_at, c.id)  # the newest last, so it stays
        )
        for pid, field, value in conn.execute(query):
            found.setdefault(pid, {})[field] = column_value(field, value)
    return found


def refresh_model_values(
    conn: Connection, ids: Sequence[int], results: Sequence[EnrichmentResult], corrected: set[int]
) -> None:
    """After the models ran again over `ids` (`rumeur reenrich`), the corrections of the posts in
    `corrected` record what the model says now: what an adapter learns from is where the
    current model errs."""
    rows = [
        {"_pid": pid, "_field": r.task, "model_value": r.label(i)}
        for i, pid in enumerate(ids)
        if pid in corrected
        for r in results
        if r.task in FIELDS and r.label(i)
    ]
    if rows:
        c = label_corrections.c
        query = update(label_corrections).where(
            c.post_id == bindparam("_pid"), c.field == bindparam("_field")
        )
        conn.execute(query.values(model_value=bindparam("model_value")), rows)


def _chunks(items: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
