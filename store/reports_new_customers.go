package store

import (
	"context"
	"fmt"
	"time"
)

// New customers (created in a period, owned now by the scope's people) are
// counted from report_customer_months (owners × local months, kept by
// triggers in the same transaction as the customers; migration 00018)
// whenever the period's bounds are that table's month boundaries — the
// dashboard's month, quarter and year and their previous periods, monthly
// trends, the leaderboard over whole months — and from the customers
// otherwise (weeks, days, custom ranges). The figure is exact either way.

// monthOf returns the table's month (YYYYMM) that starts at instant t, or
// false when t is not the start of one of its months.
func monthOf(t, off int64) (int64, bool) {
	if (t+off)%86400 != 0 {
		return 0, false
	}
	d := time.Unix(t+off, 0).UTC()
	if d.Day() != 1 {
		return 0, false
	}
	return int64(d.Year()*100 + int(d.Month())), true
}

// monthRange returns [start, end) as the table's months, when both are
// month starts.
func monthRange(start, end, off int64) ([2]int64, bool) {
	m0, ok0 := monthOf(start, off)
	m1, ok1 := monthOf(end, off)
	return [2]int64{m0, m1}, ok0 && ok1
}

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
	if m, ok := monthRange(start, end, off); ok {
		q = `SELECT m.user_id, sum(m.n), 0 FROM report_customer_months m WHERE m.month >= ? AND m.month < ? AND ` + sc.in("m.user_id") + ` GROUP BY 1`
		args = []any{m[0], m[1]}
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
	off, err := s.dayOffset(ctx)
	if err != nil {
		return nil, err
	}
	months := make([][2]int64, len(bs))
	monthly := true
	for i, b := range instants(bs) {
		months[i], monthly = monthRange(b[0], b[1], off)
		if !monthly {
			break
		}
	}
	if monthly {
		return s.sumBuckets(ctx, "report_customer_months", "month", sc, months)
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
