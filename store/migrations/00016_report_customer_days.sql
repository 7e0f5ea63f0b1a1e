-- +goose Up
-- New customers per owner and local day (the dashboard's "new customers"
-- card and the trends' line): customers not deleted, owned by someone,
-- counted on the local day of created_at and under their owner now. Kept
-- exact by triggers in the same transaction as every insert, delete and
-- change of owner, creation time or deletion, whatever code path writes
-- it; days and the offset as in report_followup_days (migration 00014).
-- A year of a team's new customers is then ~20,000 rows here instead of
-- a walk over a year of the company's customers. Recycling a customer
-- costs one decrement of a row of this small table (no index on
-- customers moves; see 00014 on why there is no owner-first index).
CREATE TABLE report_customer_days (
    user_id INTEGER NOT NULL,
    day     INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
) STRICT, WITHOUT ROWID;
-- No second index by day: every claim and recycle changes a row's n, and
-- an index holding n would be rewritten too. The company-wide sums read
-- the whole table (~200,000 rows for 1,000,000 customers).
INSERT INTO report_customer_days (user_id, day, n)
    SELECT owner_id, (created_at + (SELECT value FROM report_settings WHERE key = 'day_offset')) / 86400, count(*)
    FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL GROUP BY 1, 2;
-- +goose StatementBegin
CREATE TRIGGER customers_report_insert AFTER INSERT ON customers
WHEN NEW.owner_id IS NOT NULL AND NEW.deleted_at IS NULL
BEGIN
    INSERT INTO report_customer_days (user_id, day, n)
    VALUES (NEW.owner_id, (NEW.created_at + (SELECT value FROM report_settings WHERE key = 'day_offset')) / 86400, 1)
    ON CONFLICT (user_id, day) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customers_report_delete AFTER DELETE ON customers
WHEN OLD.owner_id IS NOT NULL AND OLD.deleted_at IS NULL
BEGIN
    UPDATE report_customer_days SET n = n - 1
    WHERE user_id = OLD.owner_id AND day = (OLD.created_at + (SELECT value FROM report_settings WHERE key = 'day_offset')) / 86400;
END;
-- +goose StatementEnd
-- A change is a leave (the row stops counting where it did) and an
-- arrival (it starts counting where it does now), each its own trigger so
-- that a claim or a recycle runs one small statement, not two.
-- +goose StatementBegin
CREATE TRIGGER customers_report_leave AFTER UPDATE OF owner_id, created_at, deleted_at ON customers
WHEN OLD.owner_id IS NOT NULL AND OLD.deleted_at IS NULL
    AND (NEW.owner_id IS NOT OLD.owner_id OR NEW.created_at IS NOT OLD.created_at OR NEW.deleted_at IS NOT NULL)
BEGIN
    UPDATE report_customer_days SET n = n - 1
    WHERE user_id = OLD.owner_id AND day = (OLD.created_at + (SELECT value FROM report_settings WHERE key = 'day_offset')) / 86400;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customers_report_arrive AFTER UPDATE OF owner_id, created_at, deleted_at ON customers
WHEN NEW.owner_id IS NOT NULL AND NEW.deleted_at IS NULL
    AND (NEW.owner_id IS NOT OLD.owner_id OR NEW.created_at IS NOT OLD.created_at OR OLD.deleted_at IS NOT NULL)
BEGIN
    INSERT INTO report_customer_days (user_id, day, n)
    VALUES (NEW.owner_id, (NEW.created_at + (SELECT value FROM report_settings WHERE key = 'day_offset')) / 86400, 1)
    ON CONFLICT (user_id, day) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER customers_report_arrive;
DROP TRIGGER customers_report_leave;
DROP TRIGGER customers_report_delete;
DROP TRIGGER customers_report_insert;
DROP TABLE report_customer_days;
