-- revision: 0027
-- Written by `python -m rumeur.store.snapshot`.

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE authors (
	id INTEGER NOT NULL, 
	platform VARCHAR(32) NOT NULL, 
	handle VARCHAR(255) NOT NULL, 
	native_id VARCHAR(128), 
	display_name TEXT, 
	followers INTEGER, 
	following INTEGER, 
	location TEXT, 
	verified BOOLEAN NOT NULL, 
	first_seen_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_authors PRIMARY KEY (id), 
	CONSTRAINT uq_authors_platform UNIQUE (platform, handle)
);
CREATE TABLE posts (
	id INTEGER NOT NULL, 
	platform VARCHAR(32) NOT NULL, 
	native_id VARCHAR(128) NOT NULL, 
	url TEXT, 
	title TEXT, 
	text TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	author_id INTEGER NOT NULL, 
	language VARCHAR(16), 
	sentiment VARCHAR(16), 
	emotion VARCHAR(16), 
	reason VARCHAR(64), 
	likes INTEGER NOT NULL, 
	reposts INTEGER NOT NULL, 
	replies INTEGER NOT NULL, 
	quotes INTEGER NOT NULL, 
	views BIGINT, 
	reply_to VARCHAR(128), 
	quote_of VARCHAR(128), 
	mentions JSON NOT NULL, 
	hashtags JSON NOT NULL, 
	links JSON NOT NULL, 
	media JSON NOT NULL, 
	location TEXT, 
	raw JSON NOT NULL, 
	first_seen_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, search_title TEXT DEFAULT '' NOT NULL, search_text TEXT DEFAULT '' NOT NULL, search_place TEXT DEFAULT '' NOT NULL, search_overflow BOOLEAN DEFAULT 0 NOT NULL, 
	CONSTRAINT pk_posts PRIMARY KEY (id), 
	CONSTRAINT uq_posts_platform UNIQUE (platform, native_id), 
	CONSTRAINT fk_posts_author_id_authors FOREIGN KEY(author_id) REFERENCES authors (id)
);
CREATE INDEX ix_posts_created_at ON posts (created_at);
CREATE INDEX ix_posts_author_id ON posts (author_id);
CREATE TABLE post_brands (
	post_id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	brand VARCHAR(255) NOT NULL, 
	CONSTRAINT pk_post_brands PRIMARY KEY (post_id, workspace, brand), 
	CONSTRAINT fk_post_brands_post_id_posts FOREIGN KEY(post_id) REFERENCES posts (id) ON DELETE CASCADE
);
CREATE INDEX ix_post_brands_workspace_brand ON post_brands (workspace, brand);
CREATE TABLE enrichments (
	post_id INTEGER NOT NULL, 
	task VARCHAR(32) NOT NULL, 
	model VARCHAR(128) NOT NULL, 
	version VARCHAR(64) NOT NULL, 
	label VARCHAR(64) NOT NULL, 
	score FLOAT, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_enrichments PRIMARY KEY (post_id, task, model, version), 
	CONSTRAINT fk_enrichments_post_id_posts FOREIGN KEY(post_id) REFERENCES posts (id) ON DELETE CASCADE
);
CREATE TABLE author_rollups (
	workspace VARCHAR(64) NOT NULL, 
	author_id INTEGER NOT NULL, 
	posts INTEGER NOT NULL, 
	engagement BIGINT NOT NULL, 
	last_post_at DATETIME NOT NULL, 
	CONSTRAINT pk_author_rollups PRIMARY KEY (workspace, author_id), 
	CONSTRAINT fk_author_rollups_author_id_authors FOREIGN KEY(author_id) REFERENCES authors (id)
);
CREATE INDEX ix_author_rollups_workspace_posts ON author_rollups (workspace, posts);
CREATE TABLE source_cursors (
	source VARCHAR(512) NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	cursor JSON NOT NULL, 
	items BIGINT NOT NULL, 
	updated_at DATETIME NOT NULL, 
	last_error TEXT, 
	last_error_at DATETIME, 
	CONSTRAINT pk_source_cursors PRIMARY KEY (source)
);
CREATE TABLE rejected (
	id INTEGER NOT NULL, 
	source VARCHAR(512) NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	line INTEGER NOT NULL, 
	field VARCHAR(128) NOT NULL, 
	reason TEXT NOT NULL, 
	raw TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_rejected PRIMARY KEY (id), 
	CONSTRAINT uq_rejected_workspace UNIQUE (workspace, source, line)
);
CREATE INDEX ix_posts_search_overflow ON posts (id) WHERE search_overflow;
CREATE TABLE post_queries (
	post_id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	"query" VARCHAR(255) NOT NULL, 
	CONSTRAINT pk_post_queries PRIMARY KEY (post_id, workspace, "query"), 
	CONSTRAINT fk_post_queries_post_id_posts FOREIGN KEY(post_id) REFERENCES posts (id) ON DELETE CASCADE
);
CREATE INDEX ix_post_queries_workspace_query ON post_queries (workspace, "query");
CREATE VIRTUAL TABLE posts_fts USING fts5(search_title, search_text, search_place, content='posts', content_rowid='id', tokenize='ascii', prefix='2 3');
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN INSERT INTO posts_fts(rowid, search_title, search_text, search_place) VALUES (new.id, new.search_title, new.search_text, new.search_place); END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN INSERT INTO posts_fts(posts_fts, rowid, search_title, search_text, search_place) VALUES ('delete', old.id, old.search_title, old.search_text, old.search_place); END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF search_title, search_text, search_place ON posts BEGIN INSERT INTO posts_fts(posts_fts, rowid, search_title, search_text, search_place) VALUES ('delete', old.id, old.search_title, old.search_text, old.search_place); INSERT INTO posts_fts(rowid, search_title, search_text, search_place) VALUES (new.id, new.search_title, new.search_text, new.search_place); END;
CREATE TABLE rate_limits (
	"key" VARCHAR(255) NOT NULL, 
	quota_limit INTEGER, 
	remaining FLOAT, 
	reset_at DATETIME, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_rate_limits PRIMARY KEY ("key")
);
CREATE TABLE users (
	id INTEGER NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	name_key VARCHAR(64) NOT NULL, 
	role VARCHAR(32) NOT NULL, 
	department VARCHAR(64), 
	password_hash VARCHAR(255) NOT NULL, 
	api_token_hash VARCHAR(255), 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	disabled BOOLEAN DEFAULT 0 NOT NULL, language VARCHAR(8), 
	CONSTRAINT pk_users PRIMARY KEY (id), 
	CONSTRAINT uq_users_name_key UNIQUE (name_key)
);
CREATE TABLE rollups_hourly (
	workspace VARCHAR(64) NOT NULL, 
	hour DATETIME NOT NULL, 
	brand VARCHAR(255) NOT NULL, 
	platform VARCHAR(32) NOT NULL, 
	sentiment VARCHAR(16) NOT NULL, 
	language VARCHAR(16) NOT NULL, 
	emotion VARCHAR(16) NOT NULL, 
	reason VARCHAR(64) NOT NULL, 
	posts INTEGER NOT NULL, 
	engagement BIGINT NOT NULL, 
	CONSTRAINT pk_rollups_hourly PRIMARY KEY (workspace, hour, brand, platform, sentiment, language, emotion, reason)
)
 WITHOUT ROWID

;
CREATE TABLE facet_rollups (
	workspace VARCHAR(64) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	day DATETIME NOT NULL, 
	reason VARCHAR(64) NOT NULL, 
	value VARCHAR(255) NOT NULL, 
	posts INTEGER NOT NULL, 
	engagement BIGINT NOT NULL, 
	CONSTRAINT pk_facet_rollups PRIMARY KEY (workspace, kind, day, reason, value)
)
 WITHOUT ROWID

;
CREATE UNIQUE INDEX ix_users_api_token_hash ON users (api_token_hash);
CREATE TABLE web_sessions (
	id_hash VARCHAR(64) NOT NULL, 
	user_id INTEGER NOT NULL, 
	csrf VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_seen_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	CONSTRAINT pk_web_sessions PRIMARY KEY (id_hash), 
	CONSTRAINT fk_web_sessions_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_web_sessions_user_id ON web_sessions (user_id);
CREATE TABLE signin_failures (
	"key" VARCHAR(255) NOT NULL, 
	failures INTEGER NOT NULL, 
	first_at DATETIME NOT NULL, 
	locked_until DATETIME, 
	CONSTRAINT pk_signin_failures PRIMARY KEY ("key")
);
CREATE TABLE alerts (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	subject VARCHAR(255) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	started_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	observed FLOAT NOT NULL, 
	expected FLOAT NOT NULL, 
	score FLOAT NOT NULL, 
	explanation JSON NOT NULL, 
	revision INTEGER NOT NULL, 
	acked_by VARCHAR(64), 
	acked_at DATETIME, 
	muted_until DATETIME, 
	CONSTRAINT pk_alerts PRIMARY KEY (id)
);
CREATE INDEX ix_alerts_workspace_kind_subject ON alerts (workspace, kind, subject, status);
CREATE INDEX ix_alerts_workspace_started_at ON alerts (workspace, started_at);
CREATE TABLE alert_events (
	id INTEGER NOT NULL, 
	alert_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	what VARCHAR(16) NOT NULL, 
	"by" VARCHAR(64), 
	detail JSON NOT NULL, 
	CONSTRAINT pk_alert_events PRIMARY KEY (id), 
	CONSTRAINT fk_alert_events_alert_id_alerts FOREIGN KEY(alert_id) REFERENCES alerts (id) ON DELETE CASCADE
);
CREATE INDEX ix_alert_events_alert_id ON alert_events (alert_id);
CREATE TABLE alert_deliveries (
	id INTEGER NOT NULL, 
	alert_id INTEGER NOT NULL, 
	revision INTEGER NOT NULL, 
	target VARCHAR(64) NOT NULL, 
	reason VARCHAR(16) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error VARCHAR(500), 
	observed FLOAT NOT NULL, 
	message JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	next_at DATETIME, 
	delivered_at DATETIME, 
	CONSTRAINT pk_alert_deliveries PRIMARY KEY (id), 
	CONSTRAINT uq_alert_deliveries_alert_id UNIQUE (alert_id, revision, target), 
	CONSTRAINT fk_alert_deliveries_alert_id_alerts FOREIGN KEY(alert_id) REFERENCES alerts (id) ON DELETE CASCADE
);
CREATE INDEX ix_alert_deliveries_status_next_at ON alert_deliveries (status, next_at);
CREATE TABLE conversations (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	platform VARCHAR(32) NOT NULL, 
	account VARCHAR(255) NOT NULL, 
	customer VARCHAR(255) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	thread VARCHAR(128), 
	root_id VARCHAR(128) NOT NULL, 
	department VARCHAR(64), 
	priority VARCHAR(16) NOT NULL, 
	tags JSON NOT NULL, 
	assignee VARCHAR(64), 
	status VARCHAR(16) NOT NULL, 
	route JSON NOT NULL, 
	messages INTEGER NOT NULL, 
	opened_at DATETIME NOT NULL, 
	last_at DATETIME NOT NULL, 
	last_in_at DATETIME, 
	last_out_at DATETIME, 
	first_response_at DATETIME, 
	due_at DATETIME, 
	resolved_at DATETIME, 
	locked_by VARCHAR(64), 
	locked_until DATETIME, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_conversations PRIMARY KEY (id)
);
CREATE INDEX ix_conversations_workspace_status ON conversations (workspace, status, last_at);
CREATE INDEX ix_conversations_workspace_customer ON conversations (workspace, platform, customer);
CREATE INDEX ix_conversations_workspace_thread ON conversations (workspace, platform, thread);
CREATE TABLE messages (
	id INTEGER NOT NULL, 
	conversation_id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	platform VARCHAR(32) NOT NULL, 
	native_id VARCHAR(128) NOT NULL, 
	local_id VARCHAR(128), 
	direction VARCHAR(8) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	author VARCHAR(255) NOT NULL, 
	text TEXT NOT NULL, 
	reply_to VARCHAR(128), 
	visibility VARCHAR(16), 
	url TEXT, 
	at DATETIME NOT NULL, 
	sentiment VARCHAR(16), 
	language VARCHAR(16), 
	outbox_id INTEGER, 
	extra JSON NOT NULL, 
	first_seen_at DATETIME NOT NULL, 
	CONSTRAINT pk_messages PRIMARY KEY (id), 
	CONSTRAINT uq_messages_workspace UNIQUE (workspace, platform, native_id), 
	CONSTRAINT fk_messages_conversation_id_conversations FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
);
CREATE INDEX ix_messages_conversation_id ON messages (conversation_id, at);
CREATE INDEX ix_messages_workspace_local_id ON messages (workspace, platform, local_id);
CREATE TABLE routing_rules (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	position INTEGER NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	"query" TEXT NOT NULL, 
	department VARCHAR(64), 
	priority VARCHAR(16), 
	tags JSON NOT NULL, 
	assignee VARCHAR(64), 
	stop BOOLEAN NOT NULL, 
	updated_by VARCHAR(64), 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_routing_rules PRIMARY KEY (id), 
	CONSTRAINT uq_routing_rules_workspace UNIQUE (workspace, name)
);
CREATE INDEX ix_routing_rules_workspace ON routing_rules (workspace, position);
CREATE TABLE workspace_settings (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	version INTEGER NOT NULL, 
	document TEXT NOT NULL, 
	author TEXT NOT NULL, 
	changed_at DATETIME NOT NULL, 
	summary TEXT NOT NULL, 
	CONSTRAINT pk_workspace_settings PRIMARY KEY (id), 
	CONSTRAINT uq_workspace_settings_workspace UNIQUE (workspace, version)
);
CREATE TABLE stream_views (
	id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	params TEXT NOT NULL, 
	saved_at DATETIME NOT NULL, 
	CONSTRAINT pk_stream_views PRIMARY KEY (id), 
	CONSTRAINT uq_stream_views_user_id UNIQUE (user_id, workspace, name), 
	CONSTRAINT fk_stream_views_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_post_brands_workspace_lower_brand ON post_brands (workspace, lower(brand), post_id);
CREATE TABLE label_corrections (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	post_id INTEGER, 
	text_sha VARCHAR(64), 
	text TEXT, 
	field VARCHAR(16) NOT NULL, 
	value VARCHAR(64) NOT NULL, 
	model_value VARCHAR(64), 
	author VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_label_corrections PRIMARY KEY (id), 
	CONSTRAINT fk_label_corrections_post_id_posts FOREIGN KEY(post_id) REFERENCES posts (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_label_corrections_post ON label_corrections (workspace, post_id, field);
CREATE UNIQUE INDEX ix_label_corrections_text ON label_corrections (workspace, text_sha, field);
CREATE INDEX ix_label_corrections_post_id ON label_corrections (post_id);
CREATE TABLE label_correction_log (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	post_id INTEGER, 
	text_sha VARCHAR(64), 
	field VARCHAR(16) NOT NULL, 
	value VARCHAR(64) NOT NULL, 
	model_value VARCHAR(64), 
	author VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_label_correction_log PRIMARY KEY (id), 
	CONSTRAINT fk_label_correction_log_post_id_posts FOREIGN KEY(post_id) REFERENCES posts (id) ON DELETE CASCADE
);
CREATE INDEX ix_label_correction_log_workspace ON label_correction_log (workspace, created_at);
CREATE TABLE facet_days (
	workspace VARCHAR(64) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	day DATETIME NOT NULL, 
	value VARCHAR(255) NOT NULL, 
	posts INTEGER NOT NULL, 
	engagement BIGINT NOT NULL, 
	CONSTRAINT pk_facet_days PRIMARY KEY (workspace, kind, day, value)
)
 WITHOUT ROWID

;
CREATE INDEX ix_facet_days_posts ON facet_days (workspace, kind, day, posts);
CREATE TABLE post_terms (
	bucket INTEGER NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	term TEXT NOT NULL, 
	post_id INTEGER NOT NULL, 
	CONSTRAINT pk_post_terms PRIMARY KEY (bucket, kind, term, post_id), 
	CONSTRAINT fk_post_terms_post_id_posts FOREIGN KEY(post_id) REFERENCES posts (id) ON DELETE CASCADE
)
 WITHOUT ROWID

;
CREATE INDEX ix_post_terms_post_id ON post_terms (post_id);
CREATE TABLE term_buckets (
	bucket INTEGER NOT NULL, 
	CONSTRAINT pk_term_buckets PRIMARY KEY (bucket)
);
CREATE TABLE model_adapters (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	task VARCHAR(32) NOT NULL, 
	version INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	examples INTEGER NOT NULL, 
	base_model VARCHAR(128) NOT NULL, 
	base_version VARCHAR(64) NOT NULL, 
	weights BLOB NOT NULL, 
	metrics JSON NOT NULL, 
	CONSTRAINT pk_model_adapters PRIMARY KEY (id), 
	CONSTRAINT uq_model_adapters_workspace UNIQUE (workspace, task, version)
);
CREATE TABLE publish_messages (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	author VARCHAR(64), 
	text TEXT NOT NULL, 
	variants JSON NOT NULL, 
	content_type VARCHAR(64), 
	template VARCHAR(64), 
	created_at DATETIME NOT NULL, locked BOOLEAN DEFAULT 0 NOT NULL, 
	CONSTRAINT pk_publish_messages PRIMARY KEY (id)
);
CREATE INDEX ix_publish_messages_workspace ON publish_messages (workspace, created_at);
CREATE TABLE publish_items (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	message_id INTEGER NOT NULL, 
	account VARCHAR(64) NOT NULL, 
	platform VARCHAR(32) NOT NULL, 
	handle VARCHAR(255) NOT NULL, 
	text TEXT NOT NULL, 
	title VARCHAR(300), 
	media JSON NOT NULL, 
	visibility VARCHAR(16), 
	spoiler VARCHAR(500), 
	extra JSON NOT NULL, 
	at DATETIME NOT NULL, 
	timezone VARCHAR(64) NOT NULL, 
	status VARCHAR(24) NOT NULL, 
	native_id VARCHAR(128), 
	native_url TEXT, 
	idempotency_key VARCHAR(64) NOT NULL, 
	error VARCHAR(500), 
	author VARCHAR(64), 
	approved_by VARCHAR(64), 
	approved_at DATETIME, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, step INTEGER, round INTEGER DEFAULT '1' NOT NULL, 
	CONSTRAINT pk_publish_items PRIMARY KEY (id), 
	CONSTRAINT uq_publish_items_idempotency_key UNIQUE (idempotency_key), 
	CONSTRAINT fk_publish_items_message_id_publish_messages FOREIGN KEY(message_id) REFERENCES publish_messages (id) ON DELETE CASCADE
);
CREATE INDEX ix_publish_items_workspace_at ON publish_items (workspace, at);
CREATE INDEX ix_publish_items_status_at ON publish_items (status, at);
CREATE INDEX ix_publish_items_message_id ON publish_items (message_id);
CREATE TABLE "outbox" (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	conversation_id INTEGER, 
	platform VARCHAR(32) NOT NULL, 
	account VARCHAR(255) NOT NULL, 
	author VARCHAR(64), 
	text TEXT NOT NULL, 
	reply_to VARCHAR(128), 
	visibility VARCHAR(16) NOT NULL, 
	idempotency_key VARCHAR(64) NOT NULL, 
	request JSON NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	claimed_by VARCHAR(128), 
	claimed_at DATETIME, 
	attempts INTEGER NOT NULL, 
	next_at DATETIME, 
	native_id VARCHAR(128), 
	url TEXT, 
	error VARCHAR(500), 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	item_id INTEGER, 
	CONSTRAINT pk_outbox PRIMARY KEY (id), 
	CONSTRAINT uq_outbox_idempotency_key UNIQUE (idempotency_key), 
	CONSTRAINT fk_outbox_conversation_id_conversations FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE CASCADE, 
	CONSTRAINT fk_outbox_item_id_publish_items FOREIGN KEY(item_id) REFERENCES publish_items (id) ON DELETE CASCADE
);
CREATE INDEX ix_outbox_conversation_id ON outbox (conversation_id);
CREATE INDEX ix_outbox_state_next_at ON outbox (state, next_at);
CREATE INDEX ix_outbox_item_id ON outbox (item_id);
CREATE TABLE publish_approvals (
	id INTEGER NOT NULL, 
	item_id INTEGER NOT NULL, 
	round INTEGER NOT NULL, 
	step INTEGER NOT NULL, 
	approver VARCHAR(64) NOT NULL, 
	decision VARCHAR(16) NOT NULL, 
	reason VARCHAR(500), 
	text_hash VARCHAR(64) NOT NULL, 
	at DATETIME NOT NULL, 
	CONSTRAINT pk_publish_approvals PRIMARY KEY (id), 
	CONSTRAINT uq_publish_approvals_once UNIQUE (item_id, round, step, approver), 
	CONSTRAINT fk_publish_approvals_item_id_publish_items FOREIGN KEY(item_id) REFERENCES publish_items (id) ON DELETE CASCADE
);
CREATE INDEX ix_authors_followers ON authors (followers);
CREATE TABLE people (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	platform VARCHAR(32), 
	handle VARCHAR(255), 
	name VARCHAR(200), 
	kind VARCHAR(16) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	owner VARCHAR(64), 
	email VARCHAR(254), 
	phone VARCHAR(32), 
	consent BOOLEAN DEFAULT 0 NOT NULL, 
	consent_at DATETIME, 
	consent_how VARCHAR(200), 
	last_contact_at DATETIME, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_people PRIMARY KEY (id), 
	CONSTRAINT uq_people_workspace UNIQUE (workspace, platform, handle)
);
CREATE INDEX ix_people_workspace_status ON people (workspace, status);
CREATE TABLE person_events (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	"by" VARCHAR(64), 
	kind VARCHAR(16) NOT NULL, 
	value VARCHAR(64), 
	text TEXT, 
	CONSTRAINT pk_person_events PRIMARY KEY (id), 
	CONSTRAINT fk_person_events_person_id_people FOREIGN KEY(person_id) REFERENCES people (id) ON DELETE CASCADE
);
CREATE INDEX ix_person_events_person_id ON person_events (person_id, at);
CREATE TABLE people_erasures (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	person_id INTEGER NOT NULL, 
	"by" VARCHAR(64), 
	at DATETIME NOT NULL, 
	CONSTRAINT pk_people_erasures PRIMARY KEY (id)
);
CREATE TABLE author_days (
	workspace VARCHAR(64) NOT NULL, 
	brand VARCHAR(255) NOT NULL, 
	day DATETIME NOT NULL, 
	author_id INTEGER NOT NULL, 
	posts INTEGER NOT NULL, 
	engagement BIGINT NOT NULL, 
	views BIGINT NOT NULL, 
	positive INTEGER NOT NULL, 
	negative INTEGER NOT NULL, 
	matched INTEGER NOT NULL, 
	followers INTEGER, 
	CONSTRAINT pk_author_days PRIMARY KEY (workspace, brand, day, author_id)
)
 WITHOUT ROWID

;
CREATE INDEX ix_author_days_author ON author_days (author_id, workspace, day);
CREATE TABLE publish_templates (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	body JSON NOT NULL, 
	author VARCHAR(64), 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_publish_templates PRIMARY KEY (id), 
	CONSTRAINT uq_publish_templates_name UNIQUE (workspace, name)
);
CREATE TABLE store_transfers (
	table_name VARCHAR(64) NOT NULL, 
	source TEXT NOT NULL, 
	last_key JSON, 
	copied BIGINT NOT NULL, 
	done BOOLEAN DEFAULT 0 NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_store_transfers PRIMARY KEY (table_name)
);
CREATE TABLE calendar_feeds (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	team VARCHAR(64) NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	created_by VARCHAR(64), 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_calendar_feeds PRIMARY KEY (id), 
	CONSTRAINT uq_calendar_feeds_team UNIQUE (workspace, team), 
	CONSTRAINT uq_calendar_feeds_token_hash UNIQUE (token_hash)
);
CREATE TABLE campaigns (
	id INTEGER NOT NULL, 
	workspace VARCHAR(64) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	starts_at DATETIME NOT NULL, 
	ends_at DATETIME NOT NULL, 
	"query" TEXT NOT NULL, 
	created_by VARCHAR(64), 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_campaigns PRIMARY KEY (id), 
	CONSTRAINT uq_campaigns_workspace UNIQUE (workspace, name)
);
CREATE TABLE campaign_people (
	campaign_id INTEGER NOT NULL, 
	platform VARCHAR(32) NOT NULL, 
	handle VARCHAR(255) NOT NULL, 
	CONSTRAINT pk_campaign_people PRIMARY KEY (campaign_id, platform, handle), 
	CONSTRAINT fk_campaign_people_campaign_id_campaigns FOREIGN KEY(campaign_id) REFERENCES campaigns (id) ON DELETE CASCADE
);
INSERT INTO "alembic_version" ("version_num") VALUES ('0027');
