"""The tables, declared once with SQLAlchemy Core. Migrations (Alembic) create and evolve them.

The words the archive search reads are plain columns here (`search_title`, `search_text`,
`search_place`: the tokenizer's folded words, see `store/terms.py`); the full-text indexes over
them live outside this metadata because they are dialect-specific: an FTS5 table kept by triggers
on SQLite, generated `tsvector` columns (`tsv_*`) with GIN indexes on PostgreSQL
(see `migrations/versions/0002_query_index.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from rumeur.limits import (
    BRAND_LENGTH,
    FIELD_LENGTH,
    HANDLE_LENGTH,
    ID_LENGTH,
    LABEL_LENGTH,
    MODEL_LENGTH,
    PLATFORM_LENGTH,
    REASON_LENGTH,
    SOURCE_LENGTH,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite's INTEGER PRIMARY KEY is its rowid (the FTS index points at it); PostgreSQL gets BIGINT.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python; `timestamptz` on PostgreSQL, naive UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


authors = Table(
    "authors",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(PLATFORM_LENGTH), nullable=False),
    Column("handle", String(HANDLE_LENGTH), nullable=False),
    Column("native_id", String(ID_LENGTH)),
    Column("display_name", Text),
    Column("followers", Integer),
    Column("following", Integer),
    Column("location", Text),
    Column("verified", Boolean, nullable=False, default=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "handle"),
    # The most followers of any author bounds the opinion leaders' scores (store/dashboard.py).
    Index("ix_authors_followers", "followers"),
)

posts = Table(
    "posts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(PLATFORM_LENGTH), nullable=False),
    Column("native_id", String(ID_LENGTH), nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("author_id", ForeignKey("authors.id"), nullable=False),
    Column("language", String(LABEL_LENGTH)),
    Column("sentiment", String(LABEL_LENGTH)),
    Column("emotion", String(LABEL_LENGTH)),
    Column("reason", String(REASON_LENGTH)),
    Column("likes", Integer, nullable=False, default=0),
    Column("reposts", Integer, nullable=False, default=0),
    Column("replies", Integer, nullable=False, default=0),
    Column("quotes", Integer, nullable=False, default=0),
    Column("views", BigInteger),
    Column("reply_to", String(ID_LENGTH)),
    Column("quote_of", String(ID_LENGTH)),
    Column("mentions", JSON, nullable=False),
    Column("hashtags", JSON, nullable=False),
    Column("links", JSON, nullable=False),
    Column("media", JSON, nullable=False),
    Column("location", Text),
    Column("raw", JSON, nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("search_title", Text, nullable=False, server_default=""),
    Column("search_text", Text, nullable=False, server_default=""),
    Column("search_place", Text, nullable=False, server_default=""),
    # The indexes cannot hold all of this post (see store/terms.py): searches verify it.
    Column("search_overflow", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("platform", "native_id"),
    Index("ix_posts_created_at", "created_at"),
    Index("ix_posts_author_id", "author_id"),
    Index(
        "ix_posts_search_overflow",
        "id",
        sqlite_where=text("search_overflow"),
        postgresql_where=text("search_overflow"),
    ),
)

# What a query compares whole: hashtags (#), mentions (@), sites, URLs and the folded author.
# The key leads with the post's bucket (`post_id >> store.terms.BUCKET_BITS`), so that a batch's
# rows land in the newest bucket's few pages instead of beside every earlier post of each term
# (those scattered pages made the write rate fall as the store grew); a reader looks a term up
# once per bucket (`term_buckets`). No rowid on SQLite: the key is the table.
post_terms = Table(
    "post_terms",
    metadata,
    Column("bucket", Integer, primary_key=True),
    Column("kind", String(8), primary_key=True),
    Column("term", Text, primary_key=True),
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_post_terms_post_id", "post_id"),
    sqlite_with_rowid=False,
)

# Every bucket `post_terms` holds rows of, kept by the writer: the values a term's lookup takes.
term_buckets = Table(
    "term_buckets", metadata, Column("bucket", Integer, primary_key=True, autoincrement=False)
)

# The workspace queries (`[[workspaces.queries]]`) each post matched, by name.
post_queries = Table(
    "post_queries",
    metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("workspace", String(64), primary_key=True),
    Column("query", String(255), primary_key=True),
    Index("ix_post_queries_workspace_query", "workspace", "query"),
)

# Which workspace a post belongs to, and which of its brands it speaks of ('' for none).
post_brands = Table(
    "post_brands",
    metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("workspace", String(64), primary_key=True),
    Column("brand", String(BRAND_LENGTH), primary_key=True),
    Index("ix_post_brands_workspace_brand", "workspace", "brand"),
    # `brand:` (store/compiler.py) reads ix_post_brands_workspace_lower_brand, (workspace,
    # lower(brand), post_id): created by migration 0011 outside the metadata, as the full-text
    # index is, since SQLite's reflection cannot read an index on an expression.
)

# Every model (or source) result, with the model's name and version, so that it can be explained
# and recomputed. `posts` carries the current label of each task for filters and rollups.
enrichments = Table(
    "enrichments",
    metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("task", String(32), primary_key=True),
    Column("model", String(MODEL_LENGTH), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("label", String(REASON_LENGTH), nullable=False),
    Column("score", Float),
    Column("created_at", UTCDateTime, nullable=False),
)

# Counts kept at write time so that dashboards never scan `posts`.
rollups_hourly = Table(
    "rollups_hourly",
    metadata,
    Column("workspace", String(64)),
    Column("hour", UTCDateTime),
    Column("brand", String(BRAND_LENGTH)),
    Column("platform", String(PLATFORM_LENGTH)),
    Column("sentiment", String(LABEL_LENGTH)),
    Column("language", String(LABEL_LENGTH)),
    Column("emotion", String(LABEL_LENGTH)),  # 'unknown' when missing
    Column("reason", String(REASON_LENGTH)),  # '' for no complaint reason
    Column("posts", Integer, nullable=False),
    Column("engagement", BigInteger, nullable=False),
    # On PostgreSQL the key also holds the counts: a period is read from the index alone.
    PrimaryKeyConstraint(
        "workspace",
        "hour",
        "brand",
        "platform",
        "sentiment",
        "language",
        "emotion",
        "reason",
        postgresql_include=["posts", "engagement"],
    ),
    sqlite_with_rowid=False,  # clustered on the key: a period is one contiguous range
)

# The top hashtags, words, links... of a period: one row per workspace, kind, UTC day, reason
# and value (store/facets.py), counting each post once per value. The key starts with
# (workspace, kind, day) so that one kind's values over a period are one range of the key.
facet_rollups = Table(
    "facet_rollups",
    metadata,
    Column("workspace", String(64)),
    Column("kind", String(8)),
    Column("day", UTCDateTime),  # midnight UTC
    Column("reason", String(64)),  # '' for no complaint reason
    Column("value", String(255)),
    Column("posts", Integer, nullable=False),
    Column("engagement", BigInteger, nullable=False),
    # On PostgreSQL the key also holds the counts: a period is read from the index alone.
    PrimaryKeyConstraint(
        "workspace",
        "kind",
        "day",
        "reason",
        "value",
        postgresql_include=["posts", "engagement"],
    ),
    sqlite_with_rowid=False,
)

# `facet_rollups` summed over the reasons, kept by the writer from the same deltas in the same
# transaction: the dashboard without a department's filter reads one row per value and day
# (a word is counted under a dozen reasons in `facet_rollups`). `ix_facet_days_posts` finds a
# day's values by count: the top lists read only the values that can reach them
# (store/dashboard.py, `top_facets`).
facet_days = Table(
    "facet_days",
    metadata,
    Column("workspace", String(64)),
    Column("kind", String(8)),
    Column("day", UTCDateTime),  # midnight UTC
    Column("value", String(255)),
    Column("posts", Integer, nullable=False),
    Column("engagement", BigInteger, nullable=False),
    PrimaryKeyConstraint(
        "workspace", "kind", "day", "value", postgresql_include=["posts", "engagement"]
    ),
    Index("ix_facet_days_posts", "workspace", "kind", "day", "posts", postgresql_include=["value"]),
    sqlite_with_rowid=False,
)

author_rollups = Table(
    "author_rollups",
    metadata,
    Column("workspace", String(64), primary_key=True),
    Column("author_id", ForeignKey("authors.id"), primary_key=True),
    Column("posts", Integer, nullable=False),
    Column("engagement", BigInteger, nullable=False),
    Column("last_post_at", UTCDateTime, nullable=False),
    Index("ix_author_rollups_workspace_posts", "workspace", "posts"),
)

# Each author's statistics per workspace, UTC day and brand (ALL for the whole workspace, '' for
# the posts that name no brand), kept by the writer in the same transaction as the posts
# (store/author_stats.py, influence/): the influencer pages sum a window of days without reading
# a post. `positive` and `negative` count the posts so labelled, `matched` those that matched a
# saved query of the workspace, `views` the reach the network reported. `followers` is the count
# the author's posts of that day carried (on the ALL row; None when unknown): the follower
# counts over time. The key leads with (workspace, brand, day): a window is one range.
author_days = Table(
    "author_days",
    metadata,
    Column("workspace", String(64)),
    Column("brand", String(BRAND_LENGTH)),
    Column("day", UTCDateTime),  # midnight UTC
    Column("author_id", Id),
    Column("posts", Integer, nullable=False),
    Column("engagement", BigInteger, nullable=False),
    Column("views", BigInteger, nullable=False),
    Column("positive", Integer, nullable=False),
    Column("negative", Integer, nullable=False),
    Column("matched", Integer, nullable=False),
    Column("followers", Integer),
    PrimaryKeyConstraint(
        "workspace",
        "brand",
        "day",
        "author_id",
        postgresql_include=["posts", "engagement"],
    ),
    # One author's days (`rumeur influencers show`, the follower history).
    Index("ix_author_days_author", "author_id", "workspace", "day"),
    sqlite_with_rowid=False,
)

# Where each source stopped. Written in the same transaction as the posts it covers.
source_cursors = Table(
    "source_cursors",
    metadata,
    Column("source", String(SOURCE_LENGTH), primary_key=True),
    Column("workspace", String(64), nullable=False),
    Column("cursor", JSON, nullable=False),
    Column("items", BigInteger, nullable=False, default=0),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Column("last_error_at", UTCDateTime),
)

rejected = Table(
    "rejected",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(SOURCE_LENGTH), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("line", Integer, nullable=False),
    Column("field", String(FIELD_LENGTH), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("workspace", "source", "line"),
)

# The last quota each network reported, per key (network, server, account), so that every
# process collecting from it waits for the same reset.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("quota_limit", Integer),
    Column("remaining", Float),
    Column("reset_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The web app's accounts. `name_key` is the lower-cased name, so that names are unique whatever
# their case; `department` is set for the department role only. The hashes are argon2id PHC
# strings; `api_token_hash` is for the REST API's per-user tokens.
users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("name_key", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("department", String(64)),
    Column("password_hash", String(255), nullable=False),
    Column("api_token_hash", String(255)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("language", String(8)),  # the interface language the user chose; None: the default
    UniqueConstraint("name_key"),
    # Several users without a token are allowed: both dialects let NULLs repeat in a unique index.
    Index("ix_users_api_token_hash", "api_token_hash", unique=True),
)

# Signed-in browsers. Only the sha256 of the cookie's token is stored, so a copy of the database
# signs no one in.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_web_sessions_user_id", "user_id"),
)

# Failed sign-ins per key ('name:alice', 'ip:127.0.0.1'), for the lock-out after too many.
signin_failures = Table(
    "signin_failures",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("first_at", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime),
)

# Alerts (docs/alerts.md): one row per fire, updated while it grows (`revision` counts the
# updates), so that a storm is one alert and not a flood. The index finds the live alert of a
# (workspace, kind, subject) at each detector run.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject", String(255), nullable=False),  # a brand, '*' (the whole volume) or a query
    Column("status", String(16), nullable=False),  # open, acked, muted, closed
    Column("started_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),  # the detectors' clock at the last fire
    Column("observed", Float, nullable=False),
    Column("expected", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("acked_by", String(64)),
    Column("acked_at", UTCDateTime),
    Column("muted_until", UTCDateTime),
    Index("ix_alerts_workspace_kind_subject", "workspace", "kind", "subject", "status"),
    Index("ix_alerts_workspace_started_at", "workspace", "started_at"),
)

# What happened to each alert, oldest first: opened, updated, acked, muted, closed. The crisis
# room shows it as the alert's log.
alert_events = Table(
    "alert_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("alert_id", ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("what", String(16), nullable=False),
    Column("by", String(64)),
    Column("detail", JSON, nullable=False),
    Index("ix_alert_events_alert_id", "alert_id"),
)

# Notifications of alerts (docs/alerts.md, alerts/deliveries.py): one row per alert revision and
# target, written before anything is sent, so a crash loses nothing. A sender claims a pending
# row by moving its `next_at` forward (a conditional UPDATE); a row still pending after its
# `next_at` is due again. `message` is the revision as it was when enqueued, so a resend is the
# same message; `last_error` is one line that never holds a secret.
alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("alert_id", ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("target", String(64), nullable=False),
    Column("reason", String(16), nullable=False),  # new, grew, escalated
    Column("status", String(16), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False),
    Column("last_error", String(500)),
    Column("observed", Float, nullable=False),
    Column("message", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_at", UTCDateTime),
    Column("delivered_at", UTCDateTime),
    UniqueConstraint("alert_id", "revision", "target"),
    Index("ix_alert_deliveries_status_next_at", "status", "next_at"),
)

# The shared inbox (docs/inbox.md, store/inbox.py). A conversation is what one customer says to
# one owned account (`account`, its handle) of the workspace, threaded by reply chains, the
# network's own conversation id (`thread`, a direct message's) and the customer's follow-ups.
# `route` keeps why it went where it went (inbox/routing.py); `due_at` is the next response's
# target, `locked_by` and `locked_until` the colleague writing a reply.
conversations = Table(
    "conversations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("platform", String(PLATFORM_LENGTH), nullable=False),
    Column("account", String(HANDLE_LENGTH), nullable=False),
    Column("customer", String(HANDLE_LENGTH), nullable=False),
    Column("kind", String(16), nullable=False),  # public or private (direct messages)
    Column("thread", String(ID_LENGTH)),
    Column("root_id", String(ID_LENGTH), nullable=False),  # native id of its first message
    Column("department", String(64)),
    Column("priority", String(16), nullable=False),  # low, normal, high, urgent
    Column("tags", JSON, nullable=False),
    Column("assignee", String(64)),
    Column("status", String(16), nullable=False),  # new, assigned, waiting, resolved, reopened
    Column("route", JSON, nullable=False),
    Column("messages", Integer, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    Column("last_in_at", UTCDateTime),
    Column("last_out_at", UTCDateTime),
    Column("first_response_at", UTCDateTime),
    Column("due_at", UTCDateTime),
    Column("resolved_at", UTCDateTime),
    Column("locked_by", String(64)),
    Column("locked_until", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_conversations_workspace_status", "workspace", "status", "last_at"),
    Index("ix_conversations_workspace_customer", "workspace", "platform", "customer"),
    Index("ix_conversations_workspace_thread", "workspace", "platform", "thread"),
)

# A conversation's messages, in (`in`, from customers) and out (the brand's, sent from rumeur or
# not). One row per (workspace, platform, native_id), so that reading a message twice adds it
# once. `local_id` is the id the owned account's server gives it when that differs from
# `native_id` (a Mastodon status's id on the account's instance, where `native_id` is its URI):
# what a reply targets. `reply_to` is the parent's id as the network gives it. `extra` holds
# what the network needs to answer it (a Bluesky post's cid and its thread's root).
messages = Table(
    "messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("platform", String(PLATFORM_LENGTH), nullable=False),
    Column("native_id", String(ID_LENGTH), nullable=False),
    Column("local_id", String(ID_LENGTH)),
    Column("direction", String(8), nullable=False),  # in, out
    Column("kind", String(16), nullable=False),  # mention, reply, quote, direct
    Column("author", String(HANDLE_LENGTH), nullable=False),
    Column("text", Text, nullable=False),
    Column("reply_to", String(ID_LENGTH)),
    Column("visibility", String(16)),
    Column("url", Text),
    Column("at", UTCDateTime, nullable=False),
    Column("sentiment", String(LABEL_LENGTH)),
    Column("language", String(LABEL_LENGTH)),
    Column("outbox_id", Id),  # the outbox row that sent it, for a reply sent from rumeur
    Column("extra", JSON, nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("workspace", "platform", "native_id"),
    Index("ix_messages_conversation_id", "conversation_id", "at"),
    Index("ix_messages_workspace_local_id", "workspace", "platform", "local_id"),
)

# Replies to send (docs/inbox.md, "The outbox"): written in the same transaction as the
# conversation's change, before anything leaves. A sender claims a queued row by a conditional
# UPDATE (queued -> claimed), sends it with `idempotency_key` (the same on every try), then records
# the network's id (sent), the refusal (failed, or queued again with `next_at`), or that the
# outcome cannot be known (unknown: reconciled by reading the network, never sent blindly again).
# `request` holds what the network's guard needs, chosen before the first try (a Bluesky record
# key, the reply's parent and root). A scheduled post (docs/publish.md, "Sending") is a row of no
# conversation that names its publishing item (`item_id`, migration 0018), queued when it is due.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE")),
    Column("item_id", ForeignKey("publish_items.id", ondelete="CASCADE")),
    Column("platform", String(PLATFORM_LENGTH), nullable=False),
    Column("account", String(HANDLE_LENGTH), nullable=False),
    Column("author", String(64)),  # the rumeur user who wrote it
    Column("text", Text, nullable=False),
    Column("reply_to", String(ID_LENGTH)),
    Column("visibility", String(16), nullable=False),  # public, unlisted, private, direct
    Column("idempotency_key", String(64), nullable=False),
    Column("request", JSON, nullable=False),
    Column("state", String(16), nullable=False),  # queued, claimed, sent, failed, unknown
    Column("claimed_by", String(128)),
    Column("claimed_at", UTCDateTime),
    Column("attempts", Integer, nullable=False),
    Column("next_at", UTCDateTime),
    Column("native_id", String(ID_LENGTH)),
    Column("url", Text),
    Column("error", String(500)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("idempotency_key"),
    Index("ix_outbox_state_next_at", "state", "next_at"),
    Index("ix_outbox_conversation_id", "conversation_id"),
    Index("ix_outbox_item_id", "item_id"),
)

# The routing rules written in the web app (docs/inbox.md, "Rules in the web app";
# store/routing_rules.py): a workspace's rules after the settings file's `[[workspaces.routing]]`,
# in `position` order. The same fields as a rule of the file.
routing_rules = Table(
    "routing_rules",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", String(64), nullable=False),
    Column("query", Text, nullable=False),
    Column("department", String(64)),
    Column("priority", String(16)),
    Column("tags", JSON, nullable=False),
    Column("assignee", String(64)),
    Column("stop", Boolean, nullable=False),
    Column("updated_by", String(64)),  # the admin who wrote it last
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("workspace", "name"),
    Index("ix_routing_rules_workspace", "workspace", "position"),
)

# The workspace settings edited in the app (store/workspace_settings.py): one row per version of
# a workspace, its whole `config.Workspace` as JSON; the newest version replaces the settings
# file's workspace. `summary` is the human-readable difference from the version before.
workspace_settings = Table(
    "workspace_settings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("document", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("summary", Text, nullable=False),
    UniqueConstraint("workspace", "version"),
)

# The mention stream's saved views (store/stream_views.py): a user's filters in a workspace, as
# the stream's query string, by name; the name '' is the last filters searched with.
stream_views = Table(
    "stream_views",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("params", Text, nullable=False),
    Column("saved_at", UTCDateTime, nullable=False),
    UniqueConstraint("user_id", "workspace", "name"),
)

# Labels corrected by the team (store/corrections.py): one row per (workspace, post, field), the
# newest correction; a correction of a text alone (`rumeur labels import` with a `text`) has no
# post and is keyed by the text's sha256. `model_value` is what the model said when it was made
# (refreshed by `rumeur reenrich`). Two unique indexes, each letting the other kind's NULLs repeat.
label_corrections = Table(
    "label_corrections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("post_id", Id, ForeignKey("posts.id", ondelete="CASCADE")),
    Column("text_sha", String(64)),
    Column("text", Text),
    Column("field", String(16), nullable=False),
    Column("value", String(REASON_LENGTH), nullable=False),
    Column("model_value", String(REASON_LENGTH)),
    Column("author", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_label_corrections_post", "workspace", "post_id", "field", unique=True),
    Index("ix_label_corrections_text", "workspace", "text_sha", "field", unique=True),
    Index("ix_label_corrections_post_id", "post_id"),
)

# Every correction ever made, the replaced ones included: who changed what, when.
label_correction_log = Table(
    "label_correction_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("post_id", Id, ForeignKey("posts.id", ondelete="CASCADE")),
    Column("text_sha", String(64)),
    Column("field", String(16), nullable=False),
    Column("value", String(REASON_LENGTH), nullable=False),
    Column("model_value", String(REASON_LENGTH)),
    Column("author", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_label_correction_log_workspace", "workspace", "created_at"),
)

# A workspace's own models, learnt from its corrections by `rumeur models adapt`
# (store/adapters.py): one row per version of a workspace's model of a task, the newest used.
# `weights` are the model's bytes (an npz of plain arrays, or JSON: never a pickle), `metrics` its
# figures by cross-validation on the corrections.
model_adapters = Table(
    "model_adapters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("task", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("examples", Integer, nullable=False),
    Column("base_model", String(MODEL_LENGTH), nullable=False),
    Column("base_version", String(64), nullable=False),
    Column("weights", LargeBinary, nullable=False),
    Column("metrics", JSON, nullable=False),
    UniqueConstraint("workspace", "task", "version"),
)

# Publishing (store/publishing.py, docs/publish.md): a master message as the composer wrote it,
# and one item per owned account it goes to, its variant expanded (variables filled in) and
# checked against the network's rules before it was stored. `at` is UTC; `timezone` keeps how
# the time was written (an offset such as "+01:00", or the workspace's zone for a time written
# without one). `idempotency_key` is fixed at creation and reused on every try of the sending.
publish_messages = Table(
    "publish_messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("author", String(64)),  # the rumeur user (None: the command line)
    Column("text", Text, nullable=False),
    Column("variants", JSON, nullable=False),  # as written: per network and per account
    Column("content_type", String(64)),  # tagged at composition, for the results per type
    Column("template", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    # The centre's lock: a local edit may change only the variables' values (docs/publish.md).
    Column("locked", Boolean, nullable=False, server_default=false()),
    Index("ix_publish_messages_workspace", "workspace", "created_at"),
)

publish_items = Table(
    "publish_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("message_id", ForeignKey("publish_messages.id", ondelete="CASCADE"), nullable=False),
    Column("account", String(64), nullable=False),  # the owned account's name
    Column("platform", String(PLATFORM_LENGTH), nullable=False),
    Column("handle", String(HANDLE_LENGTH), nullable=False),
    Column("text", Text, nullable=False),
    Column("title", String(300)),  # Reddit
    Column("media", JSON, nullable=False),  # [{"path", "alt"}], at most 4
    Column("visibility", String(16)),  # Mastodon: public, unlisted, private, direct
    Column("spoiler", String(500)),  # Mastodon's content warning
    Column("extra", JSON, nullable=False),  # the network's own: Bluesky facets, a subreddit
    Column("at", UTCDateTime, nullable=False),
    Column("timezone", String(64), nullable=False),
    # draft, pending_approval, scheduled, sending, published, failed, late, unknown
    Column("status", String(24), nullable=False),
    Column("native_id", String(ID_LENGTH)),
    Column("native_url", Text),
    Column("idempotency_key", String(64), nullable=False),
    Column("error", String(500)),
    Column("author", String(64)),
    Column("approved_by", String(64)),
    Column("approved_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # Its workflow's step while pending (1 first), and its round: a change of text or a
    # rejection starts a new one, where the approvals of the old one no longer count.
    Column("step", Integer),
    Column("round", Integer, nullable=False, server_default="1"),
    UniqueConstraint("idempotency_key"),
    Index("ix_publish_items_workspace_at", "workspace", "at"),
    Index("ix_publish_items_status_at", "status", "at"),
    Index("ix_publish_items_message_id", "message_id"),
)

# Every approval and rejection of an item (store/approvals.py), kept forever: who, when, at
# which step of which round, and the hash of the text and media it was given on.
publish_approvals = Table(
    "publish_approvals",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", ForeignKey("publish_items.id", ondelete="CASCADE"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("step", Integer, nullable=False),
    Column("approver", String(64), nullable=False),
    Column("decision", String(16), nullable=False),  # approved, rejected
    Column("reason", String(500)),
    Column("text_hash", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    UniqueConstraint("item_id", "round", "step", "approver", name="uq_publish_approvals_once"),
)

# The relationship file (store/relationships.py, docs/influence.md): a record per person the
# team works with (an author of the listening, by platform and handle, or someone without an
# account yet), kept per workspace. The contact fields are the GDPR minimum: an email, a phone,
# the consent (given, when, how). `rumeur people erase` deletes the row and its events.
people = Table(
    "people",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("platform", String(PLATFORM_LENGTH)),
    Column("handle", String(HANDLE_LENGTH)),
    Column("name", String(200)),  # for someone without an account
    Column("kind", String(16), nullable=False),  # influencer, ambassador, employee, customer
    Column("status", String(16), nullable=False),  # spotted, contacted, partner, ambassador, paused
    Column("owner", String(64)),  # the rumeur user who looks after them
    Column("email", String(254)),
    Column("phone", String(32)),
    Column("consent", Boolean, nullable=False, server_default=false()),
    Column("consent_at", UTCDateTime),
    Column("consent_how", String(200)),
    Column("last_contact_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("workspace", "platform", "handle"),
    Index("ix_people_workspace_status", "workspace", "status"),
)

# A person's history as the team wrote it: their creation, notes, status and owner changes and
# contacts, timestamped and signed. Deleted with the person.
person_events = Table(
    "person_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("by", String(64)),  # the rumeur user (None: the command line)
    Column("kind", String(16), nullable=False),  # created, note, status, owner, contact
    Column("value", String(64)),  # the new status or owner
    Column("text", Text),  # a note's words
    Index("ix_person_events_person_id", "person_id", "at"),
)

# Erasures done for a GDPR request: that one was done, by whom and when, without anything
# about the person (not even the handle).
people_erasures = Table(
    "people_erasures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("person_id", Id, nullable=False),
    Column("by", String(64)),
    Column("at", UTCDateTime, nullable=False),
)

# The progress of `rumeur migrate-store` (store/transfer.py), kept in the store copied into: per
# table, the source's last key copied (JSON, the primary key's values) and the rows copied, both
# written in the same transaction as the batch, so that a copy killed half-way resumes at the key.
store_transfers = Table(
    "store_transfers",
    metadata,
    Column("table_name", String(64), primary_key=True),
    Column("source", Text, nullable=False),
    Column("last_key", JSON),
    Column("copied", BigInteger, nullable=False),
    Column("done", Boolean, nullable=False, server_default=false()),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Saved publishing templates (store/publish_templates.py, docs/publish.md, "Templates"): a
# workspace's message kept by name, with its dialogue format (`kind`: message, poll, battle,
# question) and its body (text, answers, how long a poll stays open, content type).
publish_templates = Table(
    "publish_templates",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("name", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("body", JSON, nullable=False),
    Column("author", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("workspace", "name", name="uq_publish_templates_name"),
)

# The publishing calendar's iCalendar feeds (store/calendar.py): one per team (a department's
# slug, '' for the whole workspace), its token's SHA-256 only.
calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("team", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("created_by", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("workspace", "team", name="uq_calendar_feeds_team"),
    UniqueConstraint("token_hash", name="uq_calendar_feeds_token_hash"),
)

# Campaigns (store/campaigns.py, docs/influence.md): a period, a query in the query language and
# the people taking part (authors by platform and handle), per workspace. Their report is read
# from the posts each time (influence/campaigns.py); nothing of it is kept.
campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),  # excluded
    Column("query", Text, nullable=False),
    Column("created_by", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("workspace", "name", name="uq_campaigns_workspace"),
)

campaign_people = Table(
    "campaign_people",
    metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("platform", String(PLATFORM_LENGTH), nullable=False),
    Column("handle", String(HANDLE_LENGTH), nullable=False),
    PrimaryKeyConstraint("campaign_id", "platform", "handle"),
)
