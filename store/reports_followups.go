package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Follow-ups are the largest table (millions a year), so the reports count
// them from report_followup_days (people × local days, kept by triggers in
// the same transaction as the follow-ups; see migration 00014) whenever the
// period's bounds are day boundaries of that table, and from the raw rows
// otherwise. Either way the figure is exact.

// dayOffset is the UTC offset (seconds) whose local days the table counts.
func (s *Store) dayOffset(ctx context.Context) (int64, error) {
	var off int64
	err := s.r.QueryRowContext(ctx, `SELECT value FROM report_settings WHERE key = 'day_offset'`).Scan(&off)
	return off, err
}

// dayOf returns the table's day that starts at instant t, or false when t
// is not the start of one of its days.
func dayOf(t, off int64) (int64, bool) {
	if (t+off)%86400 != 0 {
		return 0, false
	}
	return (t + off) / 86400, true
}

// followupsByUser counts the follow-ups each of the scope's people logged
// in [start, end).
func (s *Store) followupsByUser(ctx context.Context, sc *scope, start, end int64) (map[int64]int, error) {
	q := `SELECT f.created_by, count(*), 0 FROM followups f WHERE f.created_by IS NOT NULL AND f.at >= ? AND f.at < ? AND ` + sc.in("f.created_by") + ` GROUP BY 1`
	args := []any{start, end}
	off, err := s.dayOffset(ctx)
	if err != nil {
		return nil, err
	}
	d0, ok0 := dayOf(start, off)
	d1, ok1 := dayOf(end, off)
	if ok0 && ok1 {
		q = `SELECT d.user_id, sum(d.n), 0 FROM report_followup_days d WHERE d.day >= ? AND d.day < ? AND ` + sc.in("d.user_id") + ` GROUP BY 1`
		args = []any{d0, d1}
	}
	out := map[int64]int{}
	err = s.eachCount(ctx, q, args, func(id int64, n int, _ int64) {
		if n != 0 {
			out[id] = n
		}
	})
	return out, err
}

// followupTrend counts the scope's follow-ups per bucket.
func (s *Store) followupTrend(ctx context.Context, sc *scope, bs []Bucket) ([]int, error) {
	days, ok, err := s.bucketDays(ctx, bs)
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.rawFollowupTrend(ctx, sc, bs)
	}
	return s.sumBuckets(ctx, "report_followup_days", "day", sc, days)
}

// bucketDays returns the buckets as ranges of the day tables' days, or
// false when a bound is not the start of one of those days.
func (s *Store) bucketDays(ctx context.Context, bs []Bucket) ([][2]int64, bool, error) {
	off, err := s.dayOffset(ctx)
	if err != nil {
		return nil, false, err
	}
	days := make([][2]int64, len(bs))
	for i, b := range instants(bs) {
		d0, ok0 := dayOf(b[0], off)
		d1, ok1 := dayOf(b[1], off)
		if !ok0 || !ok1 {
			return nil, false, nil
		}
		days[i] = [2]int64{d0, d1}
	}
	return days, true, nil
}

// sumBuckets sums a (user_id, unit, n) table's counts of the scope's
// people per range of units (days or months).
func (s *Store) sumBuckets(ctx context.Context, table, unit string, sc *scope, ranges [][2]int64) ([]int, error) {
	out := make([]int, len(ranges))
	rows, err := s.r.QueryContext(ctx, `WITH b(i, lo, hi) AS (VALUES `+bucketValues(ranges)+`)
		SELECT b.i, sum(d.n) FROM b JOIN `+table+` d ON d.`+unit+` >= b.lo AND d.`+unit+` < b.hi
		WHERE `+sc.in("d.user_id")+` GROUP BY b.i`)
	if err != nil {
		return nil, fmt.Errorf("store: %s per bucket: %w", table, err)
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

// rawFollowupTrend counts the raw follow-ups per bucket (periods that do
// not start and end on the table's days).
func (s *Store) rawFollowupTrend(ctx context.Context, sc *scope, bs []Bucket) ([]int, error) {
	out := make([]int, len(bs))
	for i, b := range bs {
		err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM followups f WHERE f.at >= ? AND f.at < ? AND `+sc.in("f.created_by"),
			b.start.Unix(), b.end.Unix()).Scan(&out[i])
		if err != nil {
			return nil, fmt.Errorf("store: follow-up trend: %w", err)
		}
	}
	return out, nil
}

// RebuildReportTables recomputes report_followup_days from the follow-ups,
// report_customer_months from the customers (and each claim's arrival in
// its pool, each opportunity's reached stages) for the local days of loc
// (its UTC offset now), in one transaction: the one command (`tide
// reports-rebuild`) that makes the tables right again after a change of
// the company time zone or a repair by hand.
func (s *Store) RebuildReportTables(ctx context.Context, loc *time.Location) (int64, error) {
	_, off := s.now().In(loc).Zone()
	var rows int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql   string
			args  []any
			count bool // its rows are the tables' rows
		}{
			{`UPDATE report_settings SET value = ? WHERE key = 'day_offset'`, []any{off}, false},
			{`DELETE FROM report_followup_days`, nil, false},
			{`INSERT INTO report_followup_days (user_id, day, n)
				SELECT created_by, (at + ?) / 86400, count(*) FROM followups WHERE created_by IS NOT NULL GROUP BY 1, 2`, []any{off}, true},
			{`DELETE FROM report_customer_months`, nil, false},
			{`INSERT INTO report_customer_months (user_id, month, n)
				SELECT owner_id, CAST(strftime('%Y%m', created_at + ?, 'unixepoch') AS INTEGER), count(*)
				FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL GROUP BY 1, 2`, []any{off}, true},
			{arrivalsRebuild, nil, false},
			{`UPDATE opportunities AS o SET reached_stages = ` + reachedStagesOf, nil, false},
		} {
			res, err := tx.ExecContext(ctx, q.sql, q.args...)
			if err != nil {
				return fmt.Errorf("store: rebuild report tables: %w", err)
			}
			if n, _ := res.RowsAffected(); q.count {
				rows += n
			}
		}
		return nil
	})
	return rows, err
}

// CheckReportTables compares report_followup_days with the follow-ups,
// report_customer_months with the customers, each claim's recorded
// arrival with the pool history and each opportunity's reached stages
// with its stage history, and returns how many (person, day or month)
// counts, claims and opportunities differ: 0 when consistent.
func (s *Store) CheckReportTables(ctx context.Context) (int, error) {
	total := 0
	for _, raw := range []struct{ table, unit, rows string }{
		{"report_followup_days", "day", `SELECT created_by, (at + (SELECT value FROM report_settings WHERE key = 'day_offset')) / 86400, count(*)
			FROM followups WHERE created_by IS NOT NULL GROUP BY 1, 2`},
		{"report_customer_months", "month", `SELECT owner_id, CAST(strftime('%Y%m', created_at + (SELECT value FROM report_settings WHERE key = 'day_offset'), 'unixepoch') AS INTEGER), count(*)
			FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL GROUP BY 1, 2`},
	} {
		var n int
		err := s.r.QueryRowContext(ctx, `WITH raw(user_id, day, n) AS (`+raw.rows+`),
			agg(user_id, day, n) AS (SELECT user_id, `+raw.unit+`, n FROM `+raw.table+` WHERE n != 0)
			SELECT (SELECT count(*) FROM (SELECT user_id, day, n FROM raw EXCEPT SELECT user_id, day, n FROM agg))
				+ (SELECT count(*) FROM (SELECT user_id, day, n FROM agg EXCEPT SELECT user_id, day, n FROM raw))`).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("store: check %s: %w", raw.table, err)
		}
		total += n
	}
	for _, q := range []string{
		`SELECT count(*) FROM pool_moves m WHERE m.action IN ('claim', 'assign') AND m.arrived_at IS NOT (` + arrivalOf + `)`,
		`SELECT count(*) FROM opportunities o WHERE o.reached_stages != ` + reachedStagesOf,
	} {
		var stale int
		if err := s.r.QueryRowContext(ctx, q).Scan(&stale); err != nil {
			return 0, fmt.Errorf("store: check report columns: %w", err)
		}
		total += stale
	}
	return total, nil
}

// reachedStagesOf is opportunity o's reached_stages from its stage now and
// its history, as the triggers of migration 00021 keep it.
const reachedStagesOf = `((CASE WHEN o.stage_id BETWEEN 1 AND 62 THEN 1 << o.stage_id ELSE 0 END)
	| COALESCE((SELECT sum(b) FROM (SELECT DISTINCT 1 << h.to_stage_id AS b FROM stage_changes h
		WHERE h.opportunity_id = o.id AND h.to_stage_id BETWEEN 1 AND 62)), 0))`

// arrivalOf is the latest arrival in its pool before claim or assignment
// m, as the pool_moves_arrival trigger (migration 00020) records it.
const arrivalOf = `SELECT max(e.at) FROM pool_moves e WHERE e.customer_id = m.customer_id AND e.pool_id = m.pool_id
	AND e.action IN ('enter', 'import', 'release', 'recycle') AND e.at <= m.at AND e.id < m.id`

// arrivalsRebuild sets every claim's and assignment's arrival again.
const arrivalsRebuild = `UPDATE pool_moves AS m SET arrived_at = (` + arrivalOf + `) WHERE m.action IN ('claim', 'assign')`
