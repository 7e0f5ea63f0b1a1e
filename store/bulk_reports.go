package store

import (
	"context"
	"database/sql"
	"fmt"
)

// SeedReportHistory gives seeded opportunities a history for the reports'
// benchmark: of the opportunities that are open and have a single history
// row, 30% are won and 20% lost at a time between their creation and now
// (lost ones with a reason), and every one of them gets an intermediate
// stage change before the close. Set-based statements, seconds for
// 300,000 opportunities. It returns how many were closed.
func (s *Store) SeedReportHistory(ctx context.Context) (int64, error) {
	var closed int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		stmts := []string{
			`CREATE TEMP TABLE seed_close AS SELECT o.id, o.created_at,
				o.created_at + abs(random()) % max(1, ? - o.created_at) AS closed_at,
				CASE WHEN o.id % 10 < 3 THEN 'won' ELSE 'lost' END AS status
			FROM opportunities o WHERE o.status = 'open' AND o.id % 10 < 5
				AND (SELECT count(*) FROM stage_changes sc WHERE sc.opportunity_id = o.id) = 1`,
			`INSERT INTO stage_changes (opportunity_id, from_stage_id, to_stage_id, by_id, at)
			SELECT c.id, o.stage_id, (SELECT id FROM stages WHERE kind = 'open' ORDER BY position LIMIT 1 OFFSET 2), o.owner_id,
				c.created_at + (c.closed_at - c.created_at) / 3
			FROM seed_close c JOIN opportunities o ON o.id = c.id`,
			`INSERT INTO stage_changes (opportunity_id, from_stage_id, to_stage_id, by_id, at)
			SELECT c.id, (SELECT id FROM stages WHERE kind = 'open' ORDER BY position LIMIT 1 OFFSET 2),
				(SELECT id FROM stages WHERE kind = c.status ORDER BY position LIMIT 1), o.owner_id, c.closed_at
			FROM seed_close c JOIN opportunities o ON o.id = c.id`,
			`UPDATE opportunities SET status = c.status, closed_at = c.closed_at, stage_entered_at = c.closed_at,
				stage_id = (SELECT id FROM stages WHERE kind = c.status ORDER BY position LIMIT 1),
				probability = CASE c.status WHEN 'won' THEN 100 ELSE 0 END,
				lost_reason = CASE c.status WHEN 'lost' THEN (SELECT lr.name FROM lost_reasons lr WHERE lr.id = 1 + c.id % 6) ELSE '' END
			FROM seed_close c WHERE opportunities.id = c.id`,
		}
		for i, q := range stmts {
			var args []any
			if i == 0 {
				args = []any{now}
			}
			res, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("store: seed report history (%d): %w", i, err)
			}
			if i == 3 {
				closed, _ = res.RowsAffected()
			}
		}
		_, err := tx.ExecContext(ctx, `DROP TABLE seed_close`)
		return err
	})
	if err != nil || closed == 0 {
		return closed, err
	}
	_, err = s.w.ExecContext(ctx, `ANALYZE`)
	return closed, err
}

// OpportunityCount counts the opportunities (deleted or not): the benchmark
// tops them up to its target.
func (s *Store) OpportunityCount(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM opportunities`).Scan(&n)
	return n, err
}
