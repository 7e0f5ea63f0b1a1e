package store

import (
	"context"
	"fmt"
)

// New customers (created in a period, owned now by the scope's people) are
// counted from the customers along customers_report_created. A table per
// owner and local day kept by triggers (like report_followup_days) made
// a year's figure instant but cost every claim and recycle a write: a
// 100,000-customer recycle pass took 20-40% more CPU, so it is not used
// (docs/benchmarks.md).

// newCustomersByUser counts the customers created in [start, end) that
// each of the scope's people owns now.
func (s *Store) newCustomersByUser(ctx context.Context, sc *scope, start, end int64) (map[int64]int, error) {
	out := map[int64]int{}
	err := s.eachCount(ctx, `SELECT c.owner_id, count(*), 0 FROM customers c WHERE c.deleted_at IS NULL AND c.owner_id IS NOT NULL
		AND c.created_at >= ? AND c.created_at < ? AND `+sc.in("c.owner_id")+` GROUP BY 1`, []any{start, end}, func(id int64, n int, _ int64) {
		out[id] = n
	})
	if err != nil {
		return nil, fmt.Errorf("store: new customers: %w", err)
	}
	return out, nil
}

// newCustomerTrend counts the scope's new customers per bucket.
func (s *Store) newCustomerTrend(ctx context.Context, sc *scope, bs []Bucket) ([]int, error) {
	out := make([]int, len(bs))
	rows, err := s.r.QueryContext(ctx, `WITH b(i, lo, hi) AS (VALUES `+bucketValues(instants(bs))+`)
		SELECT b.i, count(*) FROM b JOIN customers c ON c.created_at >= b.lo AND c.created_at < b.hi
		WHERE c.deleted_at IS NULL AND `+sc.owned()+` GROUP BY b.i`)
	if err != nil {
		return nil, fmt.Errorf("store: new customer trend: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i, n int64
		if err := rows.Scan(&i, &n); err != nil {
			return nil, err
		}
		out[i] = int(n)
	}
	return out, rows.Err()
}
