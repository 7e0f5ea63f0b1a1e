-- +goose Up
-- Reports (商业智能) read by period and by owner. These covering indexes let
-- each report walk one index range per owner (or one range of the period
-- for the whole company) without touching the table rows.

-- Funnel, forecast, opportunities created: open figures by creation date.
CREATE INDEX opportunities_report_created ON opportunities(owner_id, created_at, status, stage_id, amount, probability, expected_close)
    WHERE deleted_at IS NULL;
-- Won/lost by close date: win rate, sales cycle, leaderboard, trends.
CREATE INDEX opportunities_report_closed ON opportunities(status, closed_at, owner_id, amount, created_at, source)
    WHERE deleted_at IS NULL AND closed_at IS NOT NULL;
CREATE INDEX opportunities_report_owner_closed ON opportunities(owner_id, status, closed_at, amount, created_at, source)
    WHERE deleted_at IS NULL AND closed_at IS NOT NULL;
-- New customers, sources, composition: by owner and creation date, and
-- by creation date for the whole company.
CREATE INDEX customers_report_owner ON customers(owner_id, created_at, source, industry, level, status)
    WHERE deleted_at IS NULL;
CREATE INDEX customers_report_created ON customers(created_at, owner_id, pool_id, source, industry, level, status)
    WHERE deleted_at IS NULL;
-- Pool turnover by pool and time with the action and people.
CREATE INDEX pool_moves_report ON pool_moves(pool_id, at, action, reason, from_user_id, to_user_id);

-- +goose Down
DROP INDEX pool_moves_report;
DROP INDEX customers_report_created;
DROP INDEX customers_report_owner;
DROP INDEX opportunities_report_owner_closed;
DROP INDEX opportunities_report_closed;
DROP INDEX opportunities_report_created;
