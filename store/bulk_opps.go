package store

import (
	"context"
	"database/sql"
	"fmt"
)

// SeedOpportunities adds open opportunities to owned customers until the
// database holds n opportunities in all (so a benchmark run twice on one
// data dir measures the same size), spread over the open stages with
// realistic amounts and close dates, with their first stage-history row:
// demo and benchmark data for the pipeline. It writes with two set-based
// statements, so 300,000 take seconds.
func (s *Store) SeedOpportunities(ctx context.Context, n int) (int64, error) {
	var added int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM opportunities`).Scan(&have); err != nil {
			return err
		}
		if n -= have; n <= 0 {
			return nil
		}
		now := s.now().Unix()
		res, err := tx.ExecContext(ctx, `INSERT INTO opportunities (customer_id, name, amount, stage_id, probability, status,
				expected_close, owner_id, stage_entered_at, created_by, created_at, updated_at)
			SELECT c.id, '年度采购项目', (abs(random()) % 500 + 1) * 100000, st.id, st.probability, 'open',
				date(?, 'unixepoch', '+' || (abs(random()) % 180) || ' days'), c.owner_id, ? - abs(random()) % 7776000,
				c.owner_id, ? - abs(random()) % 15552000, ?
			FROM customers c JOIN stages st ON st.kind = 'open' AND st.position = 1 + c.id % 6
			WHERE c.owner_id IS NOT NULL AND c.deleted_at IS NULL ORDER BY c.id LIMIT ?`, now, now, now, now, n)
		if err != nil {
			return fmt.Errorf("store: seed opportunities: %w", err)
		}
		added, _ = res.RowsAffected()
		_, err = tx.ExecContext(ctx, `INSERT INTO stage_changes (opportunity_id, from_stage_id, to_stage_id, by_id, at)
			SELECT o.id, NULL, o.stage_id, o.owner_id, o.created_at FROM opportunities o
			WHERE NOT EXISTS (SELECT 1 FROM stage_changes sc WHERE sc.opportunity_id = o.id)`)
		return err
	})
	return added, err
}
