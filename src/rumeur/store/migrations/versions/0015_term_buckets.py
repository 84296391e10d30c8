"""The term index keyed by the post's bucket first (issue #14: the write rate at a million posts).

`post_terms` was keyed (kind, term, post_id): each new post's row went beside every earlier post
of the same term, so a batch of a thousand posts dirtied a thousand pages spread over the whole
index, and each commit and checkpoint wrote them back: the write rate fell as the store grew.
Keyed (bucket, kind, term, post_id), with bucket = post_id >> BUCKET_BITS, a batch writes into
the newest bucket's pages only; `term_buckets` lists the buckets, which a reader looks a term up
in one by one. On SQLite the table has no rowid (the key is the table).

The rows are copied as they are, their bucket computed from their post: nothing is recounted.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_FK = "fk_post_terms_post_id_posts"


def upgrade() -> None:
    from rumeur.store.terms import BUCKET_BITS

    _rebuild(("bucket", "kind", "term", "post_id"), sqlite_with_rowid=False)
    copy = (
        "INSERT INTO post_terms (bucket, kind, term, post_id) "
        "SELECT post_id / :size, kind, term, post_id FROM post_terms_old"
    )
    op.get_bind().execute(sa.text(copy), {"size": 1 << BUCKET_BITS})
    op.drop_table("post_terms_old")
    op.create_index("ix_post_terms_post_id", "post_terms", ["post_id"])
    op.create_table(
        "term_buckets", sa.Column("bucket", sa.Integer, primary_key=True, autoincrement=False)
    )
    op.execute("INSERT INTO term_buckets (bucket) SELECT DISTINCT bucket FROM post_terms")


def downgrade() -> None:
    op.drop_table("term_buckets")
    _rebuild(("kind", "term", "post_id"))
    op.execute(
        "INSERT INTO post_terms (kind, term, post_id) "
        "SELECT kind, term, post_id FROM post_terms_old"
    )
    op.drop_table("post_terms_old")
    op.create_index("ix_post_terms_post_id", "post_terms", ["post_id"])


def _rebuild(key: tuple[str, ...], **options: bool) -> None:
    """Rename the table out of the way (its index and, on PostgreSQL, its key's index, whose
    names the new table takes) and create the new one with `key`, empty."""
    op.drop_index("ix_post_terms_post_id", table_name="post_terms")
    op.rename_table("post_terms", "post_terms_old")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX pk_post_terms RENAME TO pk_post_terms_old")
    columns = [
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("term", sa.Text, nullable=False),
        sa.Column(
            "post_id", Id, sa.ForeignKey("posts.id", ondelete="CASCADE", name=_FK), nullable=False
        ),
    ]
    if "bucket" in key:
        columns.insert(0, sa.Column("bucket", sa.Integer, nullable=False))
    op.create_table(
        "post_terms", *columns, sa.PrimaryKeyConstraint(*key, name="pk_post_terms"), **options
    )
