-- +goose Up
-- Public pools (公海池): release reasons, notifications (recycle warnings
-- and later reminders) and the index the recycle job scans.

CREATE TABLE release_reasons (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 50),
    position INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO release_reasons (name, position) VALUES
    ('客户无需求', 1), ('联系不上', 2), ('预算不足', 3), ('已选择竞争对手', 4), ('信息有误', 5), ('其他', 6);

-- An in-app notification (通知). title_key/args are translated when shown,
-- in the reader's language. dedup_key makes "warn once per customer per
-- rule" a constraint instead of a hope.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    title_key  TEXT NOT NULL,
    args       TEXT NOT NULL DEFAULT '{}',
    link       TEXT NOT NULL DEFAULT '',
    dedup_key  TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    read_at    INTEGER
) STRICT;
CREATE INDEX notifications_user ON notifications(user_id, id DESC);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;

-- The recycle job looks at owned, unlocked customers per home pool.
CREATE INDEX customers_recycle ON customers(home_pool_id, level)
    WHERE owner_id IS NOT NULL AND locked = 0 AND deleted_at IS NULL;
CREATE INDEX customers_locked ON customers(owner_id) WHERE locked = 1 AND deleted_at IS NULL;

-- +goose Down
DROP INDEX customers_locked;
DROP INDEX customers_recycle;
DROP TABLE notifications;
DROP TABLE release_reasons;
