"""Labels corrected by the team (issue #17): `label_corrections`, the newest correction of each
(workspace, post, field), or of a text alone, and `label_correction_log`, every correction made.

Nothing is recounted: a post's labels and the rollups change when a correction is recorded
(store/corrections.py).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.limits import REASON_LENGTH
from rumeur.store.schema import Id, UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _columns(table: str) -> list[sa.Column]:
    """The columns both tables share."""
    return [
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column(
            "post_id",
            Id,
            sa.ForeignKey("posts.id", ondelete="CASCADE", name=f"fk_{table}_post_id_posts"),
        ),
        sa.Column("text_sha", sa.String(64)),
    ]


def _tail() -> list[sa.Column]:
    """The columns both tables end with (a Column belongs to one table: made anew each time)."""
    return [
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("value", sa.String(REASON_LENGTH), nullable=False),
        sa.Column("model_value", sa.String(REASON_LENGTH)),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "label_corrections",
        *_columns("label_corrections"),
        sa.Column("text", sa.Text),
        *_tail(),
    )
    table = "label_corrections"
    key = ["workspace", "post_id", "field"]
    op.create_index("ix_label_corrections_post", table, key, unique=True)
    key = ["workspace", "text_sha", "field"]
    op.create_index("ix_label_corrections_text", table, key, unique=True)
    op.create_index("ix_label_corrections_post_id", table, ["post_id"])
    op.create_table(
        "label_correction_log",
        *_columns("label_correction_log"),
        *_tail(),
    )
    op.create_index(
        "ix_label_correction_log_workspace", "label_correction_log", ["workspace", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("label_correction_log")
    op.drop_table("label_corrections")
