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
-- New customers, sources, composition: by owner and creation date, and
-- by creation date for the whole company.
CREATE INDEX customers_report_owner ON customers(owner_id, created_at, deleted_at, source, industry, level, status);
CREATE INDEX customers_report_created ON customers(created_at, deleted_at, owner_id, pool_id, source, industry, level, status);
-- The dashboard's "about to drop": a team's unlocked customers with what
-- the recycle rules look at.
CREATE INDEX customers_report_recycle ON customers(owner_id, locked, deleted_at, owned_since, last_followup_at, created_at, status, level, home_pool_id);
-- Pool turnover by pool and time with the action and people.
CREATE INDEX pool_moves_report ON pool_moves(action, pool_id, at, reason, from_user_id, to_user_id, customer_id);

-- +goose Down
DROP INDEX pool_moves_report;
DROP INDEX customers_report_recycle;
DROP INDEX customers_report_created;
DROP INDEX customers_report_owner;
DROP INDEX opportunities_report_owner_closed;
DROP INDEX opportunities_report_closed;
DROP INDEX opportunities_report_created_all;
DROP INDEX opportunities_report_created;
