package store

import (
	"context"
	"fmt"
)

// New customers (created in a period, owned now by the scope's people) are
// counted from report_customer_days (owners × local days, kept by triggers
// in the same transaction as the customers; see migration 00016) whenever
// the period's bounds are that table's day boundaries, and from the raw
// rows otherwise: the same exact figure either way, without walking a
// year of the whole company's customers for one team.

// newCustomersByUser counts the customers created in [start, end) that
// each of the scope's people owns now.
func (s *Store) newCustomersByUser(ctx context.Context, sc *scope, start, end int64) (map[int64]int, error) {
	off, err := s.dayOffset(ctx)
	if err != nil {
		return nil, err
	}
	q := `SELECT c.owner_id, count(*), 0 FROM customers c WHERE c.deleted_at IS NULL AND c.owner_id IS NOT NULL
		AND c.created_at >= ? AND c.created_at < ? AND ` + sc.in("c.owner_id") + ` GROUP BY 1`
	args := []any{start, end}
	d0, ok0 := dayOf(start, off)
	d1, ok1 := dayOf(end, off)
	if ok0 && ok1 {
		q = `SELECT d.user_id, sum(d.n), 0 FROM report_customer_days d WHERE d.day >= ? AND d.day < ? AND ` + sc.in("d.user_id") + ` GROUP BY 1`
		args = []any{d0, d1}
	}
	out := map[int64]int{}
	err = s.eachCount(ctx, q, args, func(id int64, n int, _ int64) {
		if n != 0 {
			out[id] = n
		}
	})
	if err != nil {
		return nil, fmt.Errorf("store: new customers: %w", err)
	}
	return out, nil
}

// newCustomerTrend counts the scope's new customers per bucket.
func (s *Store) newCustomerTrend(ctx context.Context, sc *scope, bs []Bucket) ([]int, error) {
	days, ok, err := s.bucketDays(ctx, bs)
	if err != nil {
		return nil, err
	}
	if ok {
		return s.sumDayBuckets(ctx, "report_customer_days", sc, days)
	}
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
