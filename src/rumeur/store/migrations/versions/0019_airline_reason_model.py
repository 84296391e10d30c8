"""Workspace settings stored before complaint reasons were each workspace's own (issue #17):
the airline reasons were then every workspace's, and a department could name them without
saying more. Now a workspace takes them with `[workspaces.nlp] reason_model = "airline"`, and
such a stored version no longer loads. For each workspace whose newest stored version names the
airline reasons in its departments and defines neither reasons of its own nor a reason model,
a new version is stored that adds `reason_model = "airline"` and nothing else, by "rumeur",
with a summary that says so: the demo keeps its reasons, and the history says what changed.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from rumeur.i18n import using
from rumeur.store.schema import UTCDateTime
from rumeur.store.workspace_settings import UPGRADE_AUTHOR, upgrade_summary

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# The reasons an older rumeur gave every workspace: frozen here, whatever the shipped model's
# reasons become.
AIRLINE = frozenset(
    {
        "Bad Flight",
        "Can't Tell",
        "Cancelled Flight",
        "Customer Service Issue",
        "Damaged Luggage",
        "Flight Attendant Complaints",
        "Flight Booking Problems",
        "Late Flight",
        "Lost Luggage",
        "longlines",
    }
)
versions = sa.table(
    "workspace_settings",
    sa.column("workspace", sa.String),
    sa.column("version", sa.Integer),
    sa.column("document", sa.Text),
    sa.column("author", sa.Text),
    sa.column("changed_at", UTCDateTime),
    sa.column("summary", sa.Text),
)


def upgrade() -> None:
    conn = op.get_bind()
    newest = (
        sa.select(versions.c.workspace, sa.func.max(versions.c.version).label("version"))
        .group_by(versions.c.workspace)
        .subquery()
    )
    rows = conn.execute(
        sa.select(versions.c.workspace, versions.c.version, versions.c.document).join(
            newest,
            (versions.c.workspace == newest.c.workspace) & (versions.c.version == newest.c.version),
        )
    ).all()
    with using("en"):
        summary = upgrade_summary()
    now = datetime.now(UTC)
    added = [
        {"workspace": row.workspace, "version": row.version + 1, "document": document,
         "author": UPGRADE_AUTHOR, "changed_at": now, "summary": summary}
        for row in rows
        if (document := upgraded(row.document)) is not None
    ]  # fmt: skip
    if added:
        conn.execute(sa.insert(versions), added)


def upgraded(document: str) -> str | None:
    """The stored document with `reason_model = "airline"`, when it is one of an older rumeur
    whose departments name the airline reasons; None when it needs nothing (or is no document
    at all: it stays as it is, refused with one line as before)."""
    try:
        found: Any = json.loads(document)
    except ValueError:
        return None
    if not isinstance(found, dict) or found.get("reasons"):
        return None
    nlp = found.get("nlp") or {}
    if not isinstance(nlp, dict) or nlp.get("reason_model") is not None:
        return None
    departments = [d for d in found.get("departments") or [] if isinstance(d, dict)]
    named = {r for d in departments for r in d.get("reasons") or [] if isinstance(r, str)}
    if not named & AIRLINE:
        return None
    found["nlp"] = {**nlp, "reason_model": "airline"}
    return json.dumps(found, ensure_ascii=False, separators=(",", ":"))


def downgrade() -> None:
    # The versions this upgrade stored, which an older rumeur would refuse (it knows no
    # reason_model); the versions people stored since are theirs to keep.
    with using("en"):
        summary = upgrade_summary()
    op.execute(
        sa.delete(versions).where(
            versions.c.author == UPGRADE_AUTHOR, versions.c.summary == summary
        )
    )
