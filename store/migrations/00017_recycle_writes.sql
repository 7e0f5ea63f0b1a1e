-- +goose Up
-- pool_moves_report_arrival (customer_id, pool_id, at, action) serves every
-- lookup of one customer's pool history (the claim cooldown, hours to
-- claim, cascading deletes), so the older (customer_id, at) index only
-- made each pool move write one more b-tree entry: a recycle pass writes
-- 100,000 of them.
DROP INDEX pool_moves_customer;

-- +goose Down
CREATE INDEX pool_moves_customer ON pool_moves(customer_id, at);
