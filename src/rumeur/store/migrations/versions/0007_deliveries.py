"""Notifications of alerts: one delivery row per alert revision and target (issue #8).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id, UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_deliveries",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "alert_id",
            Id,
            sa.ForeignKey(
                "alerts.id", ondelete="CASCADE", name="fk_alert_deliveries_alert_id_alerts"
            ),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(500)),
        sa.Column("observed", sa.Float, nullable=False),
        sa.Column("message", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("next_at", UTCDateTime),
        sa.Column("delivered_at", UTCDateTime),
        sa.UniqueConstraint("alert_id", "revision", "target", name="uq_alert_deliveries_alert_id"),
    )
    op.create_index("ix_alert_deliveries_status_next_at", "alert_deliveries", ["status", "next_at"])


def downgrade() -> None:
    op.drop_table("alert_deliveries")
