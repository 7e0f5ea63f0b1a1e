-- +goose Up
-- Each claim and assignment from a pool carries the time the customer last
-- arrived in that pool (entered, imported, released or recycled into it,
-- before this move), so "hours to claim" (the pool page, the pool turnover
-- report) reads one column instead of looking up the history once per
-- claim: a year of the company's 110,000 claims was half of the turnover
-- report's second. A trigger sets it for every writer (claims, assignment,
-- imports, the bulk seed); NULL when the customer never arrived there.
ALTER TABLE pool_moves ADD COLUMN arrived_at INTEGER;
UPDATE pool_moves SET arrived_at = (
    SELECT max(e.at) FROM pool_moves e
    WHERE e.customer_id = pool_moves.customer_id AND e.pool_id = pool_moves.pool_id
        AND e.action IN ('enter', 'import', 'release', 'recycle') AND e.at <= pool_moves.at AND e.id < pool_moves.id)
WHERE action IN ('claim', 'assign');
-- +goose StatementBegin
CREATE TRIGGER pool_moves_arrival AFTER INSERT ON pool_moves WHEN NEW.action IN ('claim', 'assign')
BEGIN
    UPDATE pool_moves SET arrived_at = (
        SELECT max(e.at) FROM pool_moves e
        WHERE e.customer_id = NEW.customer_id AND e.pool_id = NEW.pool_id
            AND e.action IN ('enter', 'import', 'release', 'recycle') AND e.at <= NEW.at AND e.id < NEW.id)
    WHERE id = NEW.id;
END;
-- +goose StatementEnd
DROP INDEX pool_moves_report;
CREATE INDEX pool_moves_report ON pool_moves(action, pool_id, at, reason, from_user_id, to_user_id, customer_id, arrived_at);

-- +goose Down
DROP INDEX pool_moves_report;
CREATE INDEX pool_moves_report ON pool_moves(action, pool_id, at, reason, from_user_id, to_user_id, customer_id);
DROP TRIGGER pool_moves_arrival;
ALTER TABLE pool_moves DROP COLUMN arrived_at;
