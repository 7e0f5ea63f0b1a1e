-- +goose Up
-- A release keeps its chosen reason (which the turnover report groups by)
-- apart from the free-text note the user adds.
ALTER TABLE pool_moves ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE pool_moves DROP COLUMN note;
