-- +goose Up
-- Every stage an opportunity has ever been in, as a bit set: bit n set
-- when it was in stage n (its stage now, or any stage of its history).
-- The sales funnel's "reached" layers (furthest stage in the pipeline's
-- current order, store/reports_funnel.go) are then a walk of the
-- period's deals in a covering index instead of a history lookup per
-- deal: the home dashboard shows that funnel, and a year of a 59-person
-- team's deals took it over its 300 ms. A bit set, not a furthest stage,
-- so reordering the stages changes nothing stored. Triggers keep it for
-- every writer (creation, stage moves, imports, history written
-- directly). Stage ids above 62 have no bit: the reports then read the
-- history instead (store.reachedMaskUsable).
ALTER TABLE opportunities ADD COLUMN reached_stages INTEGER NOT NULL DEFAULT 0;
UPDATE opportunities SET reached_stages = (CASE WHEN stage_id BETWEEN 1 AND 62 THEN 1 << stage_id ELSE 0 END)
    | COALESCE((SELECT sum(b) FROM (SELECT DISTINCT 1 << h.to_stage_id AS b FROM stage_changes h
        WHERE h.opportunity_id = opportunities.id AND h.to_stage_id BETWEEN 1 AND 62)), 0);
-- +goose StatementBegin
CREATE TRIGGER opportunities_reached_insert AFTER INSERT ON opportunities WHEN NEW.stage_id BETWEEN 1 AND 62
BEGIN
    UPDATE opportunities SET reached_stages = reached_stages | (1 << NEW.stage_id) WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER opportunities_reached_move AFTER UPDATE OF stage_id ON opportunities
WHEN NEW.stage_id BETWEEN 1 AND 62 AND (OLD.reached_stages & (1 << NEW.stage_id)) = 0
BEGIN
    UPDATE opportunities SET reached_stages = reached_stages | (1 << NEW.stage_id) WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER stage_changes_reached AFTER INSERT ON stage_changes WHEN NEW.to_stage_id BETWEEN 1 AND 62
BEGIN
    UPDATE opportunities SET reached_stages = reached_stages | (1 << NEW.to_stage_id)
    WHERE id = NEW.opportunity_id AND (reached_stages & (1 << NEW.to_stage_id)) = 0;
END;
-- +goose StatementEnd
DROP INDEX opportunities_report_created;
DROP INDEX opportunities_report_created_all;
CREATE INDEX opportunities_report_created ON opportunities(owner_id, created_at, deleted_at, status, stage_id, amount, probability, expected_close, reached_stages);
CREATE INDEX opportunities_report_created_all ON opportunities(created_at, deleted_at, status, stage_id, amount, probability, expected_close, owner_id, reached_stages);

-- +goose Down
DROP INDEX opportunities_report_created;
DROP INDEX opportunities_report_created_all;
CREATE INDEX opportunities_report_created ON opportunities(owner_id, created_at, deleted_at, status, stage_id, amount, probability, expected_close);
CREATE INDEX opportunities_report_created_all ON opportunities(created_at, deleted_at, status, stage_id, amount, probability, expected_close, owner_id);
DROP TRIGGER stage_changes_reached;
DROP TRIGGER opportunities_reached_move;
DROP TRIGGER opportunities_reached_insert;
ALTER TABLE opportunities DROP COLUMN reached_stages;
