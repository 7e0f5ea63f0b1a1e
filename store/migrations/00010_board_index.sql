-- +goose Up
-- The kanban board sums and picks cards per owner, status and stage; with
-- close date, amount and probability in the index it reads no table rows
-- for the totals and only the cards it shows.
DROP INDEX opportunities_owner;
CREATE INDEX opportunities_board ON opportunities(owner_id, status, stage_id, expected_close, amount, probability)
    WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX opportunities_board;
CREATE INDEX opportunities_owner ON opportunities(owner_id, status, stage_id) WHERE deleted_at IS NULL;
