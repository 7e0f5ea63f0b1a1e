-- +goose Up
-- The recycle job walks each pool's owned customers in id order, batch
-- after batch; (home_pool_id, id) lets each batch start where the last
-- one stopped instead of sorting the whole pool again.
DROP INDEX customers_recycle;
CREATE INDEX customers_recycle ON customers(home_pool_id, id)
    WHERE owner_id IS NOT NULL AND locked = 0 AND deleted_at IS NULL;

-- +goose Down
DROP INDEX customers_recycle;
CREATE INDEX customers_recycle ON customers(home_pool_id, level)
    WHERE owner_id IS NOT NULL AND locked = 0 AND deleted_at IS NULL;
