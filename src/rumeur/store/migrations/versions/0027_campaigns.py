"""Campaigns (issue #19, docs/influence.md "Campaigns"): a name, a period, a query and a set of
people (authors by platform and handle), per workspace. The report is computed from the posts;
nothing of it is stored.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.limits import HANDLE_LENGTH, PLATFORM_LENGTH
from rumeur.store.schema import Id, UTCDateTime

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("workspace", "name", name="uq_campaigns_workspace"),
    )
    op.create_table(
        "campaign_people",
        sa.Column(
            "campaign_id",
            Id,
            sa.ForeignKey(
                "campaigns.id",
                ondelete="CASCADE",
                name="fk_campaign_people_campaign_id_campaigns",
            ),
            nullable=False,
        ),
        sa.Column("platform", sa.String(PLATFORM_LENGTH), nullable=False),
        sa.Column("handle", sa.String(HANDLE_LENGTH), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "platform", "handle", name="pk_campaign_people"),
    )


def downgrade() -> None:
    op.drop_table("campaign_people")
    op.drop_table("campaigns")
