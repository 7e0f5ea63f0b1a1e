-- +goose Up
-- Customers (客户), contacts (联系人), follow-ups (跟进记录), tags, source
-- channels, pools (公海池) and the duplicate keys (防撞单) that make a
-- collision impossible rather than merely unlikely.

CREATE TABLE sources (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 50),
    position INTEGER NOT NULL DEFAULT 0,
    active   INTEGER NOT NULL DEFAULT 1
) STRICT;
INSERT INTO sources (name, position) VALUES ('官网', 1), ('展会', 2), ('转介绍', 3), ('广告', 4), ('电话营销', 5);

CREATE TABLE tags (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 30),
    color      TEXT NOT NULL DEFAULT '#1668dc',
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE pools (
    id                       INTEGER PRIMARY KEY,
    name                     TEXT NOT NULL UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 100),
    description              TEXT NOT NULL DEFAULT '',
    scope                    TEXT NOT NULL DEFAULT 'company' CHECK (scope IN ('company', 'departments')),
    is_default               INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    claim_daily_limit        INTEGER NOT NULL DEFAULT 0 CHECK (claim_daily_limit >= 0),
    max_owned                INTEGER NOT NULL DEFAULT 0 CHECK (max_owned >= 0),
    reclaim_cooldown_days    INTEGER NOT NULL DEFAULT 0 CHECK (reclaim_cooldown_days >= 0),
    recycle_no_followup_days INTEGER NOT NULL DEFAULT 0 CHECK (recycle_no_followup_days >= 0),
    recycle_no_deal_days     INTEGER NOT NULL DEFAULT 0 CHECK (recycle_no_deal_days >= 0),
    recycle_warn_days        INTEGER NOT NULL DEFAULT 0 CHECK (recycle_warn_days >= 0),
    max_locked               INTEGER NOT NULL DEFAULT 0 CHECK (max_locked >= 0),
    hide_contact_info        INTEGER NOT NULL DEFAULT 0 CHECK (hide_contact_info IN (0, 1)),
    level_overrides          TEXT NOT NULL DEFAULT '{}',
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL
) STRICT;
-- At most one default pool.
CREATE UNIQUE INDEX pools_one_default ON pools(is_default) WHERE is_default = 1;
-- Every installation starts with one company-wide default pool, so a lead
-- always has somewhere to go.
INSERT INTO pools (name, description, is_default, created_at, updated_at)
VALUES ('公司公海', '全公司共享的客户公海', 1, unixepoch(), unixepoch());

CREATE TABLE pool_departments (
    pool_id       INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, department_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE pool_admins (
    pool_id INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, user_id)
) STRICT, WITHOUT ROWID;

-- A source channel routes new leads to one pool.
CREATE TABLE pool_sources (
    source  TEXT PRIMARY KEY,
    pool_id INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    file_name   TEXT NOT NULL,
    pool_id     INTEGER REFERENCES pools(id) ON DELETE SET NULL,
    status      TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'reverted')),
    total_rows  INTEGER NOT NULL DEFAULT 0,
    done_rows   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    duplicates  INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    report      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    finished_at INTEGER,
    reverted_at INTEGER
) STRICT;

CREATE TABLE customers (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    phone            TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    website          TEXT NOT NULL DEFAULT '',
    industry         TEXT NOT NULL DEFAULT '',
    level            TEXT NOT NULL DEFAULT '' CHECK (level IN ('', 'A', 'B', 'C', 'D')),
    source           TEXT NOT NULL DEFAULT '',
    region           TEXT NOT NULL DEFAULT '',
    address          TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'lead' CHECK (status IN ('lead', 'prospect', 'customer', 'lost')),
    notes            TEXT NOT NULL DEFAULT '',
    owner_id         INTEGER REFERENCES users(id),
    pool_id          INTEGER REFERENCES pools(id),
    home_pool_id     INTEGER REFERENCES pools(id),
    locked           INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    -- When the current owner got it (create, claim, assign, transfer):
    -- the recycle rules count from here.
    owned_since      INTEGER,
    pool_entered_at  INTEGER,
    previous_owner_id INTEGER REFERENCES users(id),
    recycle_count    INTEGER NOT NULL DEFAULT 0,
    last_followup_at INTEGER,
    next_followup_at INTEGER,
    import_id        INTEGER REFERENCES imports(id) ON DELETE SET NULL,
    created_by       INTEGER REFERENCES users(id),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    deleted_at       INTEGER,
    -- Owned by a user or sitting in a pool: never both, never neither.
    CHECK ((owner_id IS NULL) <> (pool_id IS NULL))
) STRICT;
CREATE INDEX customers_owner ON customers(owner_id, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_pool ON customers(pool_id, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_status ON customers(status, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_level ON customers(level, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_source ON customers(source, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_region ON customers(region, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_name ON customers(name) WHERE deleted_at IS NULL;
CREATE INDEX customers_created ON customers(created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_last_followup ON customers(last_followup_at, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_next_followup ON customers(next_followup_at) WHERE deleted_at IS NULL AND next_followup_at IS NOT NULL;
CREATE INDEX customers_import ON customers(import_id) WHERE import_id IS NOT NULL;

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    tag_id      INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (customer_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX customer_tags_tag ON customer_tags(tag_id, customer_id);

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    position    TEXT NOT NULL DEFAULT '',
    gender      TEXT NOT NULL DEFAULT '' CHECK (gender IN ('', 'male', 'female')),
    birthday    TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    wechat      TEXT NOT NULL DEFAULT '',
    hobbies     TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    is_primary  INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX contacts_customer ON contacts(customer_id);
CREATE INDEX contacts_birthday ON contacts(substr(birthday, 6)) WHERE birthday != '';

CREATE TABLE followups (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    contact_id  INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('call', 'visit', 'meeting', 'email', 'wechat', 'other')),
    content     TEXT NOT NULL,
    at          INTEGER NOT NULL,
    next_at     INTEGER,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX followups_customer ON followups(customer_id, at DESC);
CREATE INDEX followups_user_at ON followups(created_by, at);

-- Everything that happened to a customer besides follow-ups: creation,
-- field edits (changes is a JSON list of {field, old, new}), transfers,
-- contact changes and pool moves, for the timeline (时间线).
CREATE TABLE customer_events (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    changes     TEXT NOT NULL DEFAULT '[]',
    note        TEXT NOT NULL DEFAULT '',
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX customer_events_customer ON customer_events(customer_id, at DESC);

-- Pool history: every move of a customer, one row, written in the same
-- transaction as the move.
CREATE TABLE pool_moves (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    pool_id      INTEGER REFERENCES pools(id) ON DELETE SET NULL,
    action       TEXT NOT NULL CHECK (action IN ('create', 'enter', 'claim', 'release', 'recycle', 'assign', 'import', 'transfer')),
    from_user_id INTEGER REFERENCES users(id),
    to_user_id   INTEGER REFERENCES users(id),
    actor_id     INTEGER REFERENCES users(id),
    reason       TEXT NOT NULL DEFAULT '',
    at           INTEGER NOT NULL
) STRICT;
CREATE INDEX pool_moves_customer ON pool_moves(customer_id, at);
CREATE INDEX pool_moves_pool ON pool_moves(pool_id, at);
CREATE INDEX pool_moves_claims ON pool_moves(to_user_id, action, at);

-- Duplicate keys (防撞单): one row per normalised name, phone and email of
-- every live customer and its contacts. The unique index is what makes two
-- simultaneous saves of the same company impossible: the second insert
-- fails inside its transaction, whatever the application checked before.
CREATE TABLE dedup_keys (
    kind        TEXT NOT NULL CHECK (kind IN ('name', 'phone', 'email')),
    key         TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    field       TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX dedup_keys_customer ON dedup_keys(customer_id);

-- Full-text search over name, phones, emails and contact names/phones.
-- The trigram index finds any substring of 3+ characters (Chinese too);
-- the bigram index finds 2-character Chinese words such as 字节.
CREATE VIRTUAL TABLE customer_search USING fts5(doc, content='', contentless_delete=1, tokenize='trigram');
CREATE VIRTUAL TABLE customer_bigrams USING fts5(doc, content='', contentless_delete=1, tokenize='unicode61');

-- +goose Down
DROP TABLE customer_bigrams;
DROP TABLE customer_search;
DROP TABLE dedup_keys;
DROP TABLE pool_moves;
DROP TABLE customer_events;
DROP TABLE followups;
DROP TABLE contacts;
DROP TABLE customer_tags;
DROP TABLE customers;
DROP TABLE imports;
DROP TABLE pool_sources;
DROP TABLE pool_admins;
DROP TABLE pool_departments;
DROP TABLE pools;
DROP TABLE tags;
DROP TABLE sources;
