package store

import (
	"context"
	"fmt"
	"time"
)

// New customers (created in a period, owned now by the scope's people) are
// counted from report_customer_months (owners × local months, kept by
// triggers in the same transaction as the customers; migration 00018) for
// the whole months inside the period, and from the customers for what is
// left at either end (or for all of it when the table's months do not
// line up with the period: another time zone, daylight saving). A year
// from any day is then a month or two of customers plus a few hundred
// table rows, instead of a walk over half a million customers; the figure
// is exact either way.

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

// monthSplit cuts [start, end) into the table's whole months [m0, m1)
// (YYYYMM), covering the instants [mid0, mid1), and the rest on either
// side. ok is false when no whole month fits.
type monthSplit struct {
	months     [2]int64
	mid0, mid1 int64
	ok         bool
}

func splitMonths(start, end, off int64) monthSplit {
	first := time.Unix(start+off, 0).UTC()
	m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	if m.Unix() < start+off {
		m = m.AddDate(0, 1, 0)
	}
	last := time.Unix(end+off, 0).UTC()
	n := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !m.Before(n) {
		return monthSplit{}
	}
	return monthSplit{
		months: [2]int64{int64(m.Year()*100 + int(m.Month())), int64(n.Year()*100 + int(n.Month()))},
		mid0:   m.Unix() - off, mid1: n.Unix() - off, ok: true,
	}
}

// newCustomersByUser counts the customers created in [start, end) that
// each of the scope's people owns now.
func (s *Store) newCustomersByUser(ctx context.Context, sc *scope, start, end int64) (map[int64]int, error) {
	off, err := s.dayOffset(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]int{}
	add := func(id int64, n int, _ int64) { out[id] += n }
	raw := `SELECT c.owner_id, count(*), 0 FROM customers c WHERE c.deleted_at IS NULL AND c.owner_id IS NOT NULL
		AND c.created_at >= ? AND c.created_at < ? AND ` + sc.in("c.owner_id") + ` GROUP BY 1`
	sp := splitMonths(start, end, off)
	rawRanges := [][2]int64{{start, end}}
	if sp.ok {
		rawRanges = [][2]int64{{start, sp.mid0}, {sp.mid1, end}}
		err := s.eachCount(ctx, `SELECT m.user_id, sum(m.n), 0 FROM report_customer_months m
			WHERE m.month >= ? AND m.month < ? AND `+sc.in("m.user_id")+` GROUP BY 1`, []any{sp.months[0], sp.months[1]}, add)
		if err != nil {
			return nil, fmt.Errorf("store: new customers: %w", err)
		}
	}
	for _, r := range rawRanges {
		if r[0] >= r[1] {
			continue
		}
		if err := s.eachCount(ctx, raw, []any{r[0], r[1]}, add); err != nil {
			return nil, fmt.Errorf("store: new customers: %w", err)
		}
	}
	for id, n := range out {
		if n == 0 {
			delete(out, id)
		}
	}
	return out, nil
}

// newCustomerTrend counts the scope's new customers per bucket: whole
// months from the table, other buckets (days, weeks, a period's partial
// first and last month) from the customers.
func (s *Store) newCustomerTrend(ctx context.Context, sc *scope, bs []Bucket) ([]int, error) {
	off, err := s.dayOffset(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(bs))
	var months, raw [][2]int64
	var monthAt, rawAt []int
	for i, b := range instants(bs) {
		m0, ok0 := monthOf(b[0], off)
		m1, ok1 := monthOf(b[1], off)
		if ok0 && ok1 {
			months, monthAt = append(months, [2]int64{m0, m1}), append(monthAt, i)
		} else {
			raw, rawAt = append(raw, b), append(rawAt, i)
		}
	}
	if len(months) > 0 {
		ns, err := s.sumBuckets(ctx, "report_customer_months", "month", sc, months)
		if err != nil {
			return nil, err
		}
		for j, n := range ns {
			out[monthAt[j]] = n
		}
	}
	if len(raw) == 0 {
		return out, nil
	}
	rows, err := s.r.QueryContext(ctx, `WITH b(i, lo, hi) AS (VALUES `+bucketValues(raw)+`)
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
		out[rawAt[i]] = int(n)
	}
	return out, rows.Err()
}
