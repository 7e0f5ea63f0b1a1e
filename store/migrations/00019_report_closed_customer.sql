-- +goose Up
-- The closed-deal indexes gain customer_id, so reports that group a
-- period's won and lost deals by their customer's industry or source
-- (win rate by industry, sources' won amount) read the deal from the
-- index and the customer from customers_report_lookup, instead of first
-- loading each deal's table row for its customer: a year of the whole
-- company's 150,000 closed deals took about 1 s, half of it those loads.
DROP INDEX opportunities_report_closed;
DROP INDEX opportunities_report_owner_closed;
CREATE INDEX opportunities_report_closed ON opportunities(status, closed_at, deleted_at, owner_id, amount, created_at, source, customer_id);
CREATE INDEX opportunities_report_owner_closed ON opportunities(owner_id, status, closed_at, deleted_at, amount, created_at, source, customer_id);

-- +goose Down
DROP INDEX opportunities_report_closed;
DROP INDEX opportunities_report_owner_closed;
CREATE INDEX opportunities_report_closed ON opportunities(status, closed_at, deleted_at, owner_id, amount, created_at, source);
CREATE INDEX opportunities_report_owner_closed ON opportunities(owner_id, status, closed_at, deleted_at, amount, created_at, source);
