"""The relationship file of the influence work (issue #19, docs/influence.md): `people`, a record
per influencer, ambassador, employee or loyal customer of a workspace with the minimal contact
fields and consent; `person_events`, their notes, status and owner changes and contacts; and
`people_erasures`, the GDPR erasures done, without the person's data.

New tables only: nothing to recount.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.limits import HANDLE_LENGTH, PLATFORM_LENGTH
from rumeur.store.schema import Id, UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(PLATFORM_LENGTH)),
        sa.Column("handle", sa.String(HANDLE_LENGTH)),
        sa.Column("name", sa.String(200)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(64)),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(32)),
        sa.Column("consent", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("consent_at", UTCDateTime),
        sa.Column("consent_how", sa.String(200)),
        sa.Column("last_contact_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("workspace", "platform", "handle", name="uq_people_workspace"),
    )
    op.create_index("ix_people_workspace_status", "people", ["workspace", "status"])
    op.create_table(
        "person_events",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "person_id",
            Id,
            sa.ForeignKey(
                "people.id", ondelete="CASCADE", name="fk_person_events_person_id_people"
            ),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("by", sa.String(64)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64)),
        sa.Column("text", sa.Text),
    )
    op.create_index("ix_person_events_person_id", "person_events", ["person_id", "at"])
    op.create_table(
        "people_erasures",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("person_id", Id, nullable=False),
        sa.Column("by", sa.String(64)),
        sa.Column("at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("people_erasures")
    op.drop_index("ix_person_events_person_id", table_name="person_events")
    op.drop_table("person_events")
    op.drop_index("ix_people_workspace_status", table_name="people")
    op.drop_table("people")
