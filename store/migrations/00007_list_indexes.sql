-- +goose Up
-- The customer list sorted by last follow-up (最近跟进) orders by
-- COALESCE(last_followup_at, 0) DESC, id DESC. Without an index on that
-- expression SQLite sorts every visible customer for each page: 1.5 s for
-- an admin on 1,000,000 customers (docs/benchmarks.md); with it the page
-- is read in order and stops after 50 rows.
CREATE INDEX customers_last_followup_sort ON customers(COALESCE(last_followup_at, 0), id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX customers_last_followup_sort;
