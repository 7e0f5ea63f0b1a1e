package store

import (
	"context"
	"fmt"
	"sort"
)

// PoolTurnover is the pool turnover report (流转率).
type PoolTurnover struct {
	Entered            int           `json:"entered"`
	Claimed            int           `json:"claimed"`
	Released           int           `json:"released"`
	Recycled           int           `json:"recycled"`
	Assigned           int           `json:"assigned"`
	InPool             int           `json:"in_pool"`
	ClaimRate          *float64      `json:"claim_rate"`
	MedianHoursToClaim *float64      `json:"median_hours_to_claim"`
	ReleaseReasons     []ReasonCount `json:"release_reasons"`
	RecycleRules       []ReasonCount `json:"recycle_rules"`
	RecycledOften      []RefCount    `json:"recycled_more_than_twice"`
}

// RefCount is a record with a count.
type RefCount struct {
	Customer Ref `json:"customer"`
	Count    int `json:"count"`
}

// PoolTurnover counts the moves of one visible pool (or of every visible
// pool) in the period from the pool history: entered = arrivals (new
// leads, imports, releases, recycles), claimed, released (by reason),
// recycled (by rule), assigned; in_pool = customers in the pool(s) now;
// claim rate = claimed / entered; median hours from a customer's latest
// arrival in the pool to its claim or assignment, over the claims and
// assignments of the period. With a department or person filter only the
// moves of those people count (claims and assignments to them, releases
// and recycles from them); arrivals without a person then do not.
func (s *Store) PoolTurnover(ctx context.Context, u *User, f ReportFilter) (*PoolTurnover, error) {
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	pools := sc.poolIn("m.pool_id")
	cpools := sc.poolIn("c.pool_id")
	if sc.vis.All {
		cpools = "c.pool_id IS NOT NULL" // in a pool, not every customer
	}
	if f.PoolID > 0 {
		pools, cpools = "m.pool_id = "+itoa(f.PoolID), "c.pool_id = "+itoa(f.PoolID)
	}
	person := "1"
	if sc.personal {
		person = "((m.action IN ('claim', 'assign') AND " + sc.in("m.to_user_id") + ") OR (m.action IN ('release', 'recycle') AND " + sc.in("m.from_user_id") + "))"
	}
	where := "m.action IN ('enter', 'import', 'claim', 'release', 'recycle', 'assign') AND " + pools + " AND m.at >= ? AND m.at < ? AND " + person
	out := &PoolTurnover{ReleaseReasons: []ReasonCount{}, RecycleRules: []ReasonCount{}, RecycledOften: []RefCount{}}
	// Totals per action walk the index in its order; only releases and
	// recycles are split by reason (sorting every move costs more). The
	// five parts read different indexes and run side by side.
	by := map[string]int{}
	err = Parallel(func() error {
		return s.eachGroup(ctx, `SELECT m.action, '', count(*) FROM pool_moves m WHERE `+where+` GROUP BY 1`, sc, func(action, _ string, n int) {
			by[action] = n
		})
	}, func() error {
		return s.eachGroup(ctx, `SELECT m.action, m.reason, count(*) FROM pool_moves m WHERE m.action IN ('release', 'recycle') AND `+where+` GROUP BY 1, 2`, sc,
			func(action, reason string, n int) {
				if action == "release" {
					out.ReleaseReasons = append(out.ReleaseReasons, ReasonCount{reason, n})
				} else {
					out.RecycleRules = append(out.RecycleRules, ReasonCount{reason, n})
				}
			})
	}, func() error {
		// The pools' own index: 150,000 pooled entries, not a million.
		return s.r.QueryRowContext(ctx, `SELECT count(*) FROM customers c INDEXED BY customers_pool WHERE c.deleted_at IS NULL AND `+cpools).Scan(&out.InPool)
	}, func() (err error) {
		out.RecycledOften, err = s.recycledOften(ctx, where, sc)
		return err
	}, func() (err error) {
		out.MedianHoursToClaim, err = s.medianClaimWait(ctx, where, sc.start, sc.end)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Claimed, out.Released, out.Recycled, out.Assigned = by["claim"], by["release"], by["recycle"], by["assign"]
	out.Entered = by["enter"] + by["import"] + out.Released + out.Recycled
	out.ClaimRate = rate(out.Claimed, out.Entered)
	sortReasons(out.ReleaseReasons)
	sortReasons(out.RecycleRules)
	return out, nil
}

// eachGroup runs a pool-move query of (action, reason, count) rows over
// the scope's period.
func (s *Store) eachGroup(ctx context.Context, query string, sc *scope, fn func(action, reason string, n int)) error {
	rows, err := s.r.QueryContext(ctx, query, sc.start, sc.end)
	if err != nil {
		return fmt.Errorf("store: pool turnover: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var action, reason string
		var n int
		if err := rows.Scan(&action, &reason, &n); err != nil {
			return err
		}
		fn(action, reason, n)
	}
	return rows.Err()
}

func sortReasons(rs []ReasonCount) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Count != rs[j].Count {
			return rs[i].Count > rs[j].Count
		}
		return rs[i].Reason < rs[j].Reason
	})
}

// readSlices is how many slices of the period the longest reads (each
// closed deal's customer for the win rate, the customers' composition) are
// cut into and read side by side.
const readSlices = 4

// medianClaimWait is the median, in hours, of the time from each claim's or
// assignment's latest arrival in its pool (pool_moves.arrived_at, set by a
// trigger; migration 00020) to it, over the moves matching where; nil when
// there are none. The pool page and the pool turnover report both use it.
func (s *Store) medianClaimWait(ctx context.Context, where string, args ...any) (*float64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT m.at - m.arrived_at FROM pool_moves m
		WHERE m.action IN ('claim', 'assign') AND m.arrived_at IS NOT NULL AND `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: hours to claim: %w", err)
	}
	defer rows.Close()
	var hours []float64
	for rows.Next() {
		var secs int64
		if err := rows.Scan(&secs); err != nil {
			return nil, err
		}
		hours = append(hours, float64(secs)/3600)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	_, med := meanMedian(hours)
	return med, nil
}

// recycledOften lists the customers recycled more than twice in the period.
func (s *Store) recycledOften(ctx context.Context, where string, sc *scope) ([]RefCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT r.customer_id, COALESCE(c.name, ''), r.n FROM (
			SELECT m.customer_id, count(*) AS n FROM pool_moves m WHERE m.action = 'recycle' AND `+where+`
			GROUP BY m.customer_id HAVING count(*) > 2 ORDER BY 2 DESC, 1 LIMIT 100) r
		LEFT JOIN customers c ON c.id = r.customer_id ORDER BY r.n DESC, r.customer_id`, sc.start, sc.end)
	if err != nil {
		return nil, fmt.Errorf("store: recycled often: %w", err)
	}
	defer rows.Close()
	out := []RefCount{}
	for rows.Next() {
		var r RefCount
		if err := rows.Scan(&r.Customer.ID, &r.Customer.Name, &r.Count); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SourceRow is one source channel of the sources report (引流效果).
type SourceRow struct {
	Source         string   `json:"source"`
	Leads          int      `json:"leads"`
	Claimed        int      `json:"claimed"`
	Customers      int      `json:"customers"`
	WonAmount      int64    `json:"won_amount"`
	ConversionRate *float64 `json:"conversion_rate"`
}

// owned restricts alias c to customers the scope's people own now.
func (sc *scope) owned() string {
	if sc.all {
		return "c.owner_id IS NOT NULL"
	}
	return sc.in("c.owner_id")
}

// customerScope restricts alias c to the customers the sources report
// follows: owned by the scope's people, plus (without a person filter)
// those sitting in a visible pool.
func (sc *scope) customerScope() string {
	if sc.all {
		return "1"
	}
	if sc.personal {
		return sc.in("c.owner_id")
	}
	return "(" + sc.in("c.owner_id") + " OR " + sc.poolIn("c.pool_id") + ")"
}

// SourcesReport follows the customers created in the period per source channel
// (the customer's source; "" when none): leads = customers created,
// claimed = of these, the ones owned by someone now, customers = of these,
// the ones whose status is 成交客户 now, won amount = the scope's people's
// opportunities won in the period for these customers, conversion =
// customers / leads.
func (s *Store) SourcesReport(ctx context.Context, u *User, f ReportFilter) ([]SourceRow, error) {
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	// Owned and pooled leads are counted apart, each along its own index.
	parts := []string{" INDEXED BY customers_report_created " + "WHERE " + sc.owned()}
	if !sc.personal {
		parts[0] = " INDEXED BY customers_report_created " + "WHERE " + sc.customerScope()
		if !sc.all {
			parts[0] = " INDEXED BY customers_report_created WHERE " + sc.in("c.owner_id")
			parts = append(parts, " INDEXED BY customers_report_created WHERE "+sc.poolIn("c.pool_id"))
		}
	}
	// The parts and the won amount walk different indexes, side by side.
	counts := make([][]SourceRow, len(parts))
	steps := []func() error{}
	for i, part := range parts {
		steps = append(steps, func() (err error) {
			counts[i], err = s.sourceCounts(ctx, part, sc)
			return err
		})
	}
	var won map[string]int64
	steps = append(steps, func() (err error) {
		won, err = s.sourcesWon(ctx, sc)
		return err
	})
	if err := Parallel(steps...); err != nil {
		return nil, err
	}
	bySource := map[string]*SourceRow{}
	for _, rs := range counts {
		for _, c := range rs {
			r := bySource[c.Source]
			if r == nil {
				r = &SourceRow{Source: c.Source}
				bySource[c.Source] = r
			}
			r.Leads, r.Claimed, r.Customers = r.Leads+c.Leads, r.Claimed+c.Claimed, r.Customers+c.Customers
		}
	}
	out := []SourceRow{}
	for _, r := range bySource {
		r.ConversionRate = rate(r.Customers, r.Leads)
		r.WonAmount = won[r.Source]
		out = append(out, *r)
	}
	sortBy(out, func(a, b SourceRow) bool {
		if a.Leads != b.Leads {
			return a.Leads > b.Leads
		}
		return a.Source < b.Source
	})
	return out, nil
}

// sourceCounts counts one part's customers created in the period per source.
func (s *Store) sourceCounts(ctx context.Context, part string, sc *scope) ([]SourceRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.source, count(*), count(c.owner_id), sum(c.status = 'customer') FROM customers c`+part+`
		AND c.deleted_at IS NULL AND c.created_at >= ? AND c.created_at < ? GROUP BY 1`, sc.start, sc.end)
	if err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	defer rows.Close()
	var out []SourceRow
	for rows.Next() {
		var r SourceRow
		if err := rows.Scan(&r.Source, &r.Leads, &r.Claimed, &r.Customers); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// sourcesWon sums the period's won deals to customers created in the
// period per source (far fewer rows than the customers of a year).
func (s *Store) sourcesWon(ctx context.Context, sc *scope) (map[string]int64, error) {
	won := map[string]int64{}
	rows, err := s.r.QueryContext(ctx, `SELECT c.source, sum(o.amount) FROM opportunities o `+sc.closedIndex()+customerLookup+`
		WHERE o.status = 'won' AND o.deleted_at IS NULL AND o.closed_at >= ? AND o.closed_at < ?
			AND `+sc.in("o.owner_id")+` AND c.deleted_at IS NULL AND c.created_at >= ? AND c.created_at < ?
		GROUP BY 1`, sc.start, sc.end, sc.start, sc.end)
	if err != nil {
		return nil, fmt.Errorf("store: sources won: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var src string
		var amount int64
		if err := rows.Scan(&src, &amount); err != nil {
			return nil, err
		}
		won[src] = amount
	}
	return won, rows.Err()
}

// LeaderRow is one person of the leaderboard.
type LeaderRow struct {
	Owner        Ref   `json:"owner"`
	WonAmount    int64 `json:"won_amount"`
	WonCount     int   `json:"won_count"`
	NewCustomers int   `json:"new_customers"`
	Followups    int   `json:"followups"`
}

// Leaderboard ranks the scope's people (every active non-admin user in it,
// plus anyone else with figures) by won amount: won opportunities by closed_at,
// customers created in the period that they own now, follow-ups they logged
// (by the follow-up's time).
func (s *Store) Leaderboard(ctx context.Context, u *User, f ReportFilter) ([]LeaderRow, error) {
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	rows := map[int64]*LeaderRow{}
	get := func(id int64) *LeaderRow {
		if r, ok := rows[id]; ok {
			return r
		}
		r := &LeaderRow{Owner: Ref{ID: id}}
		rows[id] = r
		return r
	}
	people, err := s.int64s(ctx, `SELECT u.id FROM users u WHERE u.active = 1 AND u.role != 'admin' AND `+sc.in("u.id"))
	if err != nil {
		return nil, err
	}
	for _, id := range people {
		get(id)
	}
	type part struct {
		query string
		apply func(r *LeaderRow, n int, amount int64)
	}
	for _, p := range []part{
		{`SELECT o.owner_id, count(*), COALESCE(sum(o.amount), 0) FROM opportunities o ` + sc.closedIndex() + ` WHERE o.deleted_at IS NULL AND o.status = 'won'
			AND o.closed_at >= ? AND o.closed_at < ? AND ` + sc.in("o.owner_id") + ` GROUP BY 1`,
			func(r *LeaderRow, n int, a int64) { r.WonCount, r.WonAmount = n, a }},
	} {
		if err := s.eachCount(ctx, p.query, []any{sc.start, sc.end}, func(id int64, n int, a int64) { p.apply(get(id), n, a) }); err != nil {
			return nil, err
		}
	}
	news, err := s.newCustomersByUser(ctx, sc, sc.start, sc.end)
	if err != nil {
		return nil, err
	}
	for id, n := range news {
		get(id).NewCustomers = n
	}
	fus, err := s.followupsByUser(ctx, sc, sc.start, sc.end)
	if err != nil {
		return nil, err
	}
	for id, n := range fus {
		get(id).Followups = n
	}
	ids := make([]int64, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	names, err := s.userNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]LeaderRow, 0, len(rows))
	for id, r := range rows {
		r.Owner.Name = names[id]
		out = append(out, *r)
	}
	sortBy(out, func(a, b LeaderRow) bool {
		if a.WonAmount != b.WonAmount {
			return a.WonAmount > b.WonAmount
		}
		if a.Followups != b.Followups {
			return a.Followups > b.Followups
		}
		return a.Owner.ID < b.Owner.ID
	})
	return out, nil
}

// eachCount runs a query of (id, count, amount) rows.
func (s *Store) eachCount(ctx context.Context, query string, args []any, fn func(id int64, n int, amount int64)) error {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: report counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, amount int64
		var n int
		if err := rows.Scan(&id, &n, &amount); err != nil {
			return err
		}
		fn(id, n, amount)
	}
	return rows.Err()
}

// LabelCount is a category with a count.
type LabelCount struct {
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Composition is what the customers created in the period are made of.
type Composition struct {
	Industries []LabelCount `json:"industries"`
	Levels     []LabelCount `json:"levels"`
}

// CustomerComposition counts the customers created in the period that the
// scope's people own now, by industry and by level ("" = not filled in).
func (s *Store) CustomerComposition(ctx context.Context, u *User, f ReportFilter) (*Composition, error) {
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	// One walk of the period's customers, by industry and level together
	// (each breakdown is then a sum over the other), in slices of the
	// period side by side: sorting a year of the company's customers into
	// their groups, not the walk, is most of the work.
	type group struct {
		industry, level string
		n               int
	}
	parts, err := eachSlice(periodSlices(sc.start, sc.end, readSlices), func(lo, hi int64) ([]group, error) {
		rows, err := s.r.QueryContext(ctx, `SELECT c.industry, c.level, count(*) FROM customers c INDEXED BY customers_report_created
			WHERE c.deleted_at IS NULL AND c.created_at >= ? AND c.created_at < ? AND `+sc.owned()+` GROUP BY 1, 2`, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("store: composition: %w", err)
		}
		defer rows.Close()
		var out []group
		for rows.Next() {
			var g group
			if err := rows.Scan(&g.industry, &g.level, &g.n); err != nil {
				return nil, err
			}
			out = append(out, g)
		}
		return out, rows.Err()
	})
	if err != nil {
		return nil, err
	}
	industries, levels := map[string]int{}, map[string]int{}
	for _, gs := range parts {
		for _, g := range gs {
			industries[g.industry] += g.n
			levels[g.level] += g.n
		}
	}
	return &Composition{Industries: byCount(industries), Levels: byCount(levels)}, nil
}

// byCount lists counts largest first, then by label.
func byCount(m map[string]int) []LabelCount {
	out := make([]LabelCount, 0, len(m))
	for l, n := range m {
		out = append(out, LabelCount{Label: l, Count: n})
	}
	sortBy(out, func(a, b LabelCount) bool {
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Label < b.Label
	})
	return out
}

// TrendPoint is one bucket of the trends.
type TrendPoint struct {
	Bucket
	NewCustomers int   `json:"new_customers"`
	Followups    int   `json:"followups"`
	WonAmount    int64 `json:"won_amount"`
}

// Trends counts per local day, week or month of the period (days up to 31
// days, weeks from Monday up to 26 weeks, else months): customers created
// that the scope's people own now, follow-ups logged by them, amount won
// (by closed_at).
func (s *Store) Trends(ctx context.Context, u *User, f ReportFilter) ([]TrendPoint, error) {
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	bs := buckets(sc.from, sc.to)
	out := make([]TrendPoint, len(bs))
	for i, b := range bs {
		out[i].Bucket = b
	}
	vals := "WITH b(i, lo, hi) AS (VALUES " + bucketValues(instants(bs)) + ") "
	for _, q := range []struct {
		sql   string
		apply func(p *TrendPoint, n int64)
	}{
		{vals + `SELECT b.i, COALESCE(sum(o.amount), 0) FROM b JOIN opportunities o ON o.closed_at >= b.lo AND o.closed_at < b.hi
			WHERE o.deleted_at IS NULL AND o.status = 'won' AND ` + sc.in("o.owner_id") + ` GROUP BY b.i`, func(p *TrendPoint, n int64) { p.WonAmount = n }},
	} {
		rows, err := s.r.QueryContext(ctx, q.sql)
		if err != nil {
			return nil, fmt.Errorf("store: trends: %w", err)
		}
		for rows.Next() {
			var i, n int64
			if err := rows.Scan(&i, &n); err != nil {
				rows.Close()
				return nil, err
			}
			q.apply(&out[i], n)
		}
		rows.Close()
	}
	ncs, err := s.newCustomerTrend(ctx, sc, bs)
	if err != nil {
		return nil, err
	}
	for i, n := range ncs {
		out[i].NewCustomers = n
	}
	fus, err := s.followupTrend(ctx, sc, bs)
	if err != nil {
		return nil, err
	}
	for i, n := range fus {
		out[i].Followups = n
	}
	return out, nil
}
