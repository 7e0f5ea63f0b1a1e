-- +goose Up
-- Reports (商业智能) read by period and by owner. These covering indexes let
-- each report walk one index range per owner (or one range of the period
-- for the whole company) without reading table rows. deleted_at is a
-- column rather than a partial-index condition: a query's
-- "deleted_at IS NULL" then needs nothing outside the index.

-- Funnel, forecast, opportunities created: open figures by creation date.
CREATE INDEX opportunities_report_created ON opportunities(owner_id, created_at, deleted_at, status, stage_id, amount, probability, expected_close);
-- The same for the whole company (admins without a person filter).
CREATE INDEX opportunities_report_created_all ON opportunities(created_at, deleted_at, status, stage_id, amount, probability, expected_close, owner_id);
-- Won/lost by close date: win rate, sales cycle, leaderboard, trends.
CREATE INDEX opportunities_report_closed ON opportunities(status, closed_at, deleted_at, owner_id, amount, created_at, source);
CREATE INDEX opportunities_report_owner_closed ON opportunities(owner_id, status, closed_at, deleted_at, amount, created_at, source);
-- Open deals longest in their stage (sales cycle's "stuck" list).
CREATE INDEX opportunities_report_stuck ON opportunities(status, stage_entered_at, deleted_at, owner_id);
-- New customers, sources, composition: by creation date, with the owner
-- and pool in the index. There is deliberately no owner-first or
-- pool-first copy (nor one for the dashboard's "about to drop"): every
-- claim, release, transfer and recycle moves a customer's entry in such
-- an index, and they made a 100,000-customer recycle pass take 25 s of
-- CPU instead of 10 s (measured one index at a time, docs/benchmarks.md).
-- Reports walk the period instead.
CREATE INDEX customers_report_created ON customers(created_at, deleted_at, owner_id, pool_id, source, industry, level, status);
-- Deals to their customer's industry or source (win rate by industry,
-- sources' won amount): a narrow copy of the few columns read, so a
-- year's deals look up far fewer pages than in the wide table.
CREATE INDEX customers_report_lookup ON customers(id, deleted_at, created_at, industry, source);
-- Pool turnover by pool and time with the action and people.
CREATE INDEX pool_moves_report ON pool_moves(action, pool_id, at, reason, from_user_id, to_user_id, customer_id);
-- A customer's latest arrival in a pool before a claim (hours to claim).
CREATE INDEX pool_moves_report_arrival ON pool_moves(customer_id, pool_id, at, action);
-- Stage history with the stage, for the time in each stage.
CREATE INDEX stage_changes_report ON stage_changes(opportunity_id, at, to_stage_id);

-- Follow-ups per person and local day, kept by triggers in the same
-- transaction as every insert, delete (also by cascade) and change of a
-- follow-up, whatever code path writes it: five million follow-ups a year
-- are 100,000 rows here. A day is (at + day_offset) / 86400: local days of
-- a zone with that fixed UTC offset (28800 = Asia/Shanghai, the default).
-- The reports use this table only when their period starts and ends on
-- such day boundaries, and count the raw rows otherwise, so the figures
-- are exact either way; `tide reports-rebuild` recomputes it (for another
-- zone, with that zone's offset).
CREATE TABLE report_settings (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT INTO report_settings (key, value) VALUES ('day_offset', 28800);
CREATE TABLE report_followup_days (
    user_id INTEGER NOT NULL,
    day     INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
) STRICT, WITHOUT ROWID;
CREATE INDEX report_followup_days_day ON report_followup_days(day, user_id, n);
INSERT INTO report_followup_days (user_id, day, n)
    SELECT created_by, (at + 28800) / 86400, count(*) FROM followups WHERE created_by IS NOT NULL GROUP BY 1, 2;
-- +goose StatementBegin
CREATE TRIGGER followups_report_insert AFTER INSERT ON followups WHEN NEW.created_by IS NOT NULL
BEGIN
    INSERT INTO report_followup_days (user_id, day, n)
    VALUES (NEW.created_by, (NEW.at + (SELECT value FROM report_settings WHERE key = 'day_offset')) / 86400, 1)
    ON CONFLICT (user_id, day) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER followups_report_delete AFTER DELETE ON followups WHEN OLD.created_by IS NOT NULL
BEGIN
    UPDATE report_followup_days SET n = n - 1
    WHERE user_id = OLD.created_by AND day = (OLD.at + (SELECT value FROM report_settings WHERE key = 'day_offset')) / 86400;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER followups_report_update AFTER UPDATE OF at, created_by ON followups
BEGIN
    UPDATE report_followup_days SET n = n - 1
    WHERE OLD.created_by IS NOT NULL AND user_id = OLD.created_by
        AND day = (OLD.at + (SELECT value FROM report_settings WHERE key = 'day_offset')) / 86400;
    INSERT INTO report_followup_days (user_id, day, n)
    SELECT NEW.created_by, (NEW.at + (SELECT value FROM report_settings WHERE key = 'day_offset')) / 86400, 1
    WHERE NEW.created_by IS NOT NULL
    ON CONFLICT (user_id, day) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER followups_report_update;
DROP TRIGGER followups_report_delete;
DROP TRIGGER followups_report_insert;
DROP TABLE report_followup_days;
DROP TABLE report_settings;
DROP INDEX stage_changes_report;
DROP INDEX pool_moves_report_arrival;
DROP INDEX pool_moves_report;
DROP INDEX customers_report_lookup;
DROP INDEX customers_report_created;
DROP INDEX opportunities_report_stuck;
DROP INDEX opportunities_report_owner_closed;
DROP INDEX opportunities_report_closed;
DROP INDEX opportunities_report_created_all;
DROP INDEX opportunities_report_created;
