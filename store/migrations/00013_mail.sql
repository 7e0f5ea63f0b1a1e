-- +goose Up
-- Email (邮件): the outbox every outgoing message goes through, each
-- user's email preferences and time zone, unsubscribes and tag campaigns
-- (按标签推送).

-- '' = the company time zone; otherwise an IANA name (Asia/Tokyo).
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- Which notification kinds also come by email, and the daily digest. No
-- row = the defaults (see store.DefaultEmailKinds).
CREATE TABLE mail_prefs (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    kinds   TEXT NOT NULL DEFAULT '',
    digest  INTEGER NOT NULL DEFAULT 0 CHECK (digest IN (0, 1))
) STRICT;

-- A tag campaign: what was sent to whom is in the outbox rows carrying
-- its id; no_email counts the customers skipped for want of an address.
CREATE TABLE campaigns (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
    language   TEXT NOT NULL CHECK (language IN ('zh-CN', 'en')),
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    filters    TEXT NOT NULL DEFAULT '{}',
    no_email   INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX campaigns_creator ON campaigns(created_by, id DESC);

-- One row per outgoing email. dedup_key makes "this reminder by email"
-- happen at most once, however often or concurrently it is enqueued.
-- The sender job claims rows by setting status 'sending' and lease_until
-- in one transaction (see store/outbox.go for what a crash means).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    contact_id      INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    address         TEXT NOT NULL,
    language        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL DEFAULT '',
    -- The record the email points to (/customers/7). Bodies carry links
    -- as %%TIDE_BASE%%/customers/7, made absolute with server.base_url
    -- when sent.
    link            TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    dedup_key       TEXT NOT NULL UNIQUE,
    campaign_id     INTEGER REFERENCES campaigns(id) ON DELETE CASCADE,
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    due_at          INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled', 'unsubscribed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         INTEGER,
    late            INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    created_at      INTEGER NOT NULL
) STRICT;
-- The sender: queued rows that are due, by time.
CREATE INDEX outbox_pending ON outbox(status, next_attempt_at);
CREATE INDEX outbox_status ON outbox(status, id DESC);
CREATE INDEX outbox_campaign ON outbox(campaign_id, id) WHERE campaign_id IS NOT NULL;

-- Addresses that asked for no more campaign or greeting mail (退订).
CREATE TABLE unsubscribes (
    address    TEXT PRIMARY KEY,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    at         INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE unsubscribes;
DROP TABLE outbox;
DROP TABLE campaigns;
DROP TABLE mail_prefs;
ALTER TABLE users DROP COLUMN time_zone;
