-- +goose Up
-- Sales pipeline (销售漏斗): configurable stages, opportunities (商机) and
-- the stage history every report of cycle length is computed from.

CREATE TABLE stages (
    id          INTEGER PRIMARY KEY,
    name_zh     TEXT NOT NULL CHECK (length(trim(name_zh)) BETWEEN 1 AND 50),
    name_en     TEXT NOT NULL CHECK (length(trim(name_en)) BETWEEN 1 AND 50),
    position    INTEGER NOT NULL,
    probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    kind        TEXT NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    created_at  INTEGER NOT NULL
) STRICT;
INSERT INTO stages (name_zh, name_en, position, probability, kind, created_at) VALUES
    ('发现商机', 'Discovery', 1, 10, 'open', unixepoch()),
    ('售前交流', 'Pre-sales', 2, 25, 'open', unixepoch()),
    ('商务谈判', 'Negotiation', 3, 50, 'open', unixepoch()),
    ('合同签订', 'Contract signed', 4, 80, 'open', unixepoch()),
    ('产品交付', 'Delivery', 5, 90, 'open', unixepoch()),
    ('售后服务', 'After-sales', 6, 95, 'open', unixepoch()),
    ('赢单', 'Won', 7, 100, 'won', unixepoch()),
    ('输单', 'Lost', 8, 0, 'lost', unixepoch());

CREATE TABLE lost_reasons (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 50),
    position INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO lost_reasons (name, position) VALUES
    ('价格太高', 1), ('选择了竞争对手', 2), ('需求取消', 3), ('预算不足', 4), ('联系不上', 5), ('其他', 6);

CREATE TABLE opportunities (
    id               INTEGER PRIMARY KEY,
    customer_id      INTEGER NOT NULL REFERENCES customers(id),
    name             TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    amount           INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),
    stage_id         INTEGER NOT NULL REFERENCES stages(id),
    probability      INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    expected_close   TEXT NOT NULL DEFAULT '',
    owner_id         INTEGER NOT NULL REFERENCES users(id),
    source           TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    lost_reason      TEXT NOT NULL DEFAULT '',
    stage_entered_at INTEGER NOT NULL,
    created_by       INTEGER REFERENCES users(id),
    created_at       INTEGER NOT NULL,
    closed_at        INTEGER,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    deleted_at       INTEGER,
    CHECK ((status = 'open') = (closed_at IS NULL))
) STRICT;
CREATE INDEX opportunities_owner ON opportunities(owner_id, status, stage_id) WHERE deleted_at IS NULL;
CREATE INDEX opportunities_stage ON opportunities(stage_id, expected_close) WHERE deleted_at IS NULL;
CREATE INDEX opportunities_customer ON opportunities(customer_id) WHERE deleted_at IS NULL;
CREATE INDEX opportunities_closed ON opportunities(status, closed_at) WHERE deleted_at IS NULL;

CREATE TABLE opportunity_contacts (
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    contact_id     INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (opportunity_id, contact_id)
) STRICT, WITHOUT ROWID;

-- Every stage change, written in the same transaction as the change; the
-- first row of an opportunity has no from_stage_id (it was created there).
CREATE TABLE stage_changes (
    id             INTEGER PRIMARY KEY,
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    from_stage_id  INTEGER REFERENCES stages(id),
    to_stage_id    INTEGER NOT NULL REFERENCES stages(id),
    by_id          INTEGER REFERENCES users(id),
    at             INTEGER NOT NULL
) STRICT;
CREATE INDEX stage_changes_opportunity ON stage_changes(opportunity_id, at, id);
CREATE INDEX stage_changes_at ON stage_changes(at);

-- +goose Down
DROP TABLE stage_changes;
DROP TABLE opportunity_contacts;
DROP TABLE opportunities;
DROP TABLE lost_reasons;
DROP TABLE stages;
