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

// newCustomers counts the customers created in [start, end) that the
// scope's people own now.
func (s *Store) newCustomers(ctx context.Context, sc *scope, start, end int64) (int, error) {
	off, err := s.dayOffset(ctx)
	if err != nil {
		return 0, err
	}
	q := `SELECT count(*) FROM customers c WHERE c.deleted_at IS NULL AND c.created_at >= ? AND c.created_at < ? AND ` + sc.owned()
	args := []any{start, end}
	d0, ok0 := dayOf(start, off)
	d1, ok1 := dayOf(end, off)
	if ok0 && ok1 {
		q = `SELECT COALESCE(sum(d.n), 0) FROM report_customer_days d WHERE d.day >= ? AND d.day < ? AND ` + sc.in("d.user_id")
		args = []any{d0, d1}
	}
	var n int
	if err := s.r.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: new customers: %w", err)
	}
	return n, nil
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
