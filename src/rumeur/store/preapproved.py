"""Items approved before they were written (docs/alerts.md, "Publishing a holding statement"):
a crisis room's holding statement was approved when it went into the settings, so its items skip
their workflow. `preapprove` still writes one approval per item in `publish_approvals`, naming
the statement as the approver, so that who approved what, and when, stays traceable there as for
any other item.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update

from rumeur.store.approvals import text_hash
from rumeur.store.schema import publish_approvals, publish_items
from rumeur.store.store import Store

APPROVER_LENGTH = 64  # publish_approvals.approver


def preapprove(store: Store, item_ids: Sequence[int], approver: str, now: datetime) -> int:
    """The items, just stored, approved by `approver` (a statement): one approval recorded each
    and, where a workflow held one back (`pending_approval`), scheduled. An item already
    approved is left as it is; how many were approved."""
    i, name = publish_items.c, approver[:APPROVER_LENGTH]
    done = 0
    with store.transaction() as conn:
        for item_id in item_ids:
            row = conn.execute(
                select(publish_items)
                .where(i.id == item_id, i.approved_by.is_(None))
                .with_for_update()
            ).first()
            if row is None:
                continue
            conn.execute(
                insert(publish_approvals).values(
                    item_id=item_id, round=row.round, step=row.step or 1, approver=name,
                    decision="approved", reason=None, text_hash=text_hash(row._mapping), at=now,
                )
            )  # fmt: skip
            values = {"approved_by": name, "approved_at": now, "updated_at": now}
            conn.execute(update(publish_items).where(i.id == item_id).values(values))
            # Only from the workflow's first state: a sender may have queued it already.
            conn.execute(
                update(publish_items)
                .where(i.id == item_id, i.status == "pending_approval")
                .values(status="scheduled", step=None)
            )
            done += 1
    return done
