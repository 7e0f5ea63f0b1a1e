-- +goose Up
-- New customers per owner and local month (the dashboard's "new customers"
-- card and trend, the leaderboard): customers not deleted, owned by
-- someone, counted in the month of created_at (local, with the fixed UTC
-- offset of report_settings.day_offset, as report_followup_days) under
-- their owner now. Triggers keep it exact in the same transaction as every
-- insert, delete and change of owner, creation time or deletion, whatever
-- code path writes it. The reports read it for the whole months inside a
-- period and count the customers for the days left at either end.
--
-- Months, not days: a per-day table (tried in 00016 on a branch) has
-- ~200,000 rows, so a 100,000-customer recycle pass dirtied hundreds of
-- its pages per batch and took 20-40% longer. Owners × months is a few
-- thousand rows that stay in the cache; a year of a team's figure is a
-- few hundred rows instead of a walk over half a million customers.
-- A month is YYYYMM, so ranges compare as integers.
CREATE TABLE report_customer_months (
    user_id INTEGER NOT NULL,
    month   INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (user_id, month)
) STRICT, WITHOUT ROWID;
INSERT INTO report_customer_months (user_id, month, n)
    SELECT owner_id, CAST(strftime('%Y%m', created_at + (SELECT value FROM report_settings WHERE key = 'day_offset'), 'unixepoch') AS INTEGER), count(*)
    FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL GROUP BY 1, 2;
-- +goose StatementBegin
CREATE TRIGGER customers_report_month_insert AFTER INSERT ON customers
WHEN NEW.owner_id IS NOT NULL AND NEW.deleted_at IS NULL
BEGIN
    INSERT INTO report_customer_months (user_id, month, n)
    VALUES (NEW.owner_id, CAST(strftime('%Y%m', NEW.created_at + (SELECT value FROM report_settings WHERE key = 'day_offset'), 'unixepoch') AS INTEGER), 1)
    ON CONFLICT (user_id, month) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customers_report_month_delete AFTER DELETE ON customers
WHEN OLD.owner_id IS NOT NULL AND OLD.deleted_at IS NULL
BEGIN
    UPDATE report_customer_months SET n = n - 1
    WHERE user_id = OLD.owner_id
        AND month = CAST(strftime('%Y%m', OLD.created_at + (SELECT value FROM report_settings WHERE key = 'day_offset'), 'unixepoch') AS INTEGER);
END;
-- +goose StatementEnd
-- A change is a leave (the row stops counting where it did) and an
-- arrival (it starts counting where it does now), each its own trigger, so
-- a claim or a recycle runs one small statement, not two.
-- +goose StatementBegin
CREATE TRIGGER customers_report_month_leave AFTER UPDATE OF owner_id, created_at, deleted_at ON customers
WHEN OLD.owner_id IS NOT NULL AND OLD.deleted_at IS NULL
    AND (NEW.owner_id IS NOT OLD.owner_id OR NEW.created_at IS NOT OLD.created_at OR NEW.deleted_at IS NOT NULL)
BEGIN
    UPDATE report_customer_months SET n = n - 1
    WHERE user_id = OLD.owner_id
        AND month = CAST(strftime('%Y%m', OLD.created_at + (SELECT value FROM report_settings WHERE key = 'day_offset'), 'unixepoch') AS INTEGER);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customers_report_month_arrive AFTER UPDATE OF owner_id, created_at, deleted_at ON customers
WHEN NEW.owner_id IS NOT NULL AND NEW.deleted_at IS NULL
    AND (NEW.owner_id IS NOT OLD.owner_id OR NEW.created_at IS NOT OLD.created_at OR OLD.deleted_at IS NOT NULL)
BEGIN
    INSERT INTO report_customer_months (user_id, month, n)
    VALUES (NEW.owner_id, CAST(strftime('%Y%m', NEW.created_at + (SELECT value FROM report_settings WHERE key = 'day_offset'), 'unixepoch') AS INTEGER), 1)
    ON CONFLICT (user_id, month) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER customers_report_month_arrive;
DROP TRIGGER customers_report_month_leave;
DROP TRIGGER customers_report_month_delete;
DROP TRIGGER customers_report_month_insert;
DROP TABLE report_customer_months;
