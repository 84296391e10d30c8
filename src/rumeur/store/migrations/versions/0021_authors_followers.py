"""An index on authors(followers), for the dashboard's opinion leaders (issue #16): the most
followers of any author bounds every leader's score, so that the period's authors are read by
that bound, best first, and only the first few are looked up (store/dashboard.py,
`top_authors`), instead of joining every author of the period with the whole `authors` table.

An index only: the database keeps it as authors are written, and a rebuild has nothing to
recount.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_authors_followers", "authors", ["followers"])


def downgrade() -> None:
    op.drop_index("ix_authors_followers", table_name="authors")
