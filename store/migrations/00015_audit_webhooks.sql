-- +goose Up
-- Audit log (操作日志) and webhooks. Both are written inside the same
-- transaction as the change they describe, so neither can miss or invent one.

-- One row per recorded action; field/old/new are set for one changed field
-- of an update (an update of three fields writes three rows).
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    user_id    INTEGER,              -- NULL: the system (scheduled jobs, the shell)
    user_name  TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,        -- create, update, delete, login, login_failed, claim, …
    entity     TEXT NOT NULL,        -- customer, user, pool, …
    entity_id  INTEGER,
    field      TEXT NOT NULL DEFAULT '',
    old_value  TEXT NOT NULL DEFAULT '',
    new_value  TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_at ON audit_log(at DESC, id DESC);
CREATE INDEX audit_log_user ON audit_log(user_id, at DESC);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

-- Audit rows are history: nothing may edit or delete them.
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log rows cannot be changed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log rows cannot be deleted');
END;
-- +goose StatementEnd

CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT NOT NULL,
    events     TEXT NOT NULL,         -- JSON array of event names
    secret     TEXT NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- The outbox: one row per (webhook, event) to deliver. The delivery job
-- picks due rows; a row is done when delivered or out of attempts.
CREATE TABLE webhook_outbox (
    id          INTEGER PRIMARY KEY,
    webhook_id  INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    body        TEXT NOT NULL,        -- the exact JSON that is signed and sent
    created_at  INTEGER NOT NULL,
    next_at     INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed'))
) STRICT;
CREATE INDEX webhook_outbox_due ON webhook_outbox(status, next_at);

CREATE TABLE webhook_deliveries (
    id          INTEGER PRIMARY KEY,
    webhook_id  INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    outbox_id   INTEGER NOT NULL REFERENCES webhook_outbox(id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,   -- 0: no HTTP answer
    error       TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id DESC);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_outbox;
DROP TABLE webhooks;
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_log;
