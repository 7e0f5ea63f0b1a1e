package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// KPIs are the home dashboard's cards for one period.
type KPIs struct {
	NewCustomers int      `json:"new_customers"`
	Followups    int      `json:"followups"`
	OppsCreated  int      `json:"opportunities_created"`
	WonAmount    int64    `json:"won_amount"`
	WonCount     int      `json:"won_count"`
	LostCount    int      `json:"lost_count"`
	WinRate      *float64 `json:"win_rate"`
	PoolClaims   int      `json:"pool_claims"`
	From         string   `json:"from"`
	To           string   `json:"to"`
}

// KPIs computes the cards for the period: customers created that the
// scope's people own now, follow-ups
// logged by the people (by the follow-up's time), opportunities created
// (any status now), won amount and win rate (by closed_at), pool claims
// by the people.
func (s *Store) KPIs(ctx context.Context, u *User, f ReportFilter) (*KPIs, error) {
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	k := &KPIs{From: f.From, To: f.To}
	args := []any{sc.start, sc.end}
	for _, q := range []struct {
		sql string
		dst *int
	}{
		{`SELECT count(*) FROM opportunities o WHERE o.deleted_at IS NULL AND o.created_at >= ? AND o.created_at < ? AND ` + sc.in("o.owner_id"), &k.OppsCreated},
		{`SELECT count(*) FROM pool_moves m WHERE m.action = 'claim' AND m.at >= ? AND m.at < ? AND ` + sc.in("m.to_user_id"), &k.PoolClaims},
	} {
		if err := s.r.QueryRowContext(ctx, q.sql, args...).Scan(q.dst); err != nil {
			return nil, fmt.Errorf("store: kpis: %w", err)
		}
	}
	news, err := s.newCustomersByUser(ctx, sc, sc.start, sc.end)
	if err != nil {
		return nil, err
	}
	for _, n := range news {
		k.NewCustomers += n
	}
	byUser, err := s.followupsByUser(ctx, sc, sc.start, sc.end)
	if err != nil {
		return nil, err
	}
	for _, n := range byUser {
		k.Followups += n
	}
	closed, err := s.closedTotals(ctx, sc)
	if err != nil {
		return nil, err
	}
	k.WonAmount, k.WonCount, k.LostCount = closed[OppWon].Amount, closed[OppWon].Count, closed[OppLost].Count
	k.WinRate = rate(k.WonCount, k.WonCount+k.LostCount)
	return k, nil
}

// Period presets of the dashboard.
var Periods = []string{"week", "month", "quarter", "year", "custom"}

// PeriodRange returns the local days of a preset period containing now
// (this week from Monday, month, quarter, year; whole periods) and of the
// one before it. For "custom" the previous period is as many days right
// before from.
func (s *Store) PeriodRange(preset, from, to string) (cur, prev [2]string, err error) {
	now := s.now().In(s.Location)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.Location)
	d := func(t time.Time) string { return t.Format("2006-01-02") }
	var start, end, pstart time.Time
	switch preset {
	case "week":
		start = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		end, pstart = start.AddDate(0, 0, 7), start.AddDate(0, 0, -7)
	case "", "month":
		start = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, s.Location)
		end, pstart = start.AddDate(0, 1, 0), start.AddDate(0, -1, 0)
	case "quarter":
		start = time.Date(now.Year(), (now.Month()-1)/3*3+1, 1, 0, 0, 0, 0, s.Location)
		end, pstart = start.AddDate(0, 3, 0), start.AddDate(0, -3, 0)
	case "year":
		start = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, s.Location)
		end, pstart = start.AddDate(1, 0, 0), start.AddDate(-1, 0, 0)
	case "custom":
		f, ok1 := s.localDay(from)
		t, ok2 := s.localDay(to)
		if !ok1 || !ok2 || t.Before(f) {
			bad := "from"
			if ok1 {
				bad = "to"
			}
			return cur, prev, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{bad: M("err.report_date")}}
		}
		start, end = f, t.AddDate(0, 0, 1)
		days := int(end.Sub(start).Hours()/24 + 0.5)
		pstart = start.AddDate(0, 0, -days)
	default:
		return cur, prev, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"period": M("err.report_period")}}
	}
	cur = [2]string{d(start), d(end.AddDate(0, 0, -1))}
	prev = [2]string{d(pstart), d(start.AddDate(0, 0, -1))}
	return cur, prev, nil
}

// TaskToday is one of the user's open tasks due today.
type TaskToday struct {
	ID    int64     `json:"id"`
	Title string    `json:"title"`
	Kind  string    `json:"kind"`
	DueAt time.Time `json:"due_at"`
}

// TasksDueToday lists u's open tasks due today (local day), or overdue,
// soonest first, up to limit. It reads the tasks table directly: the
// dashboard needs one small query, not the task rules.
func (s *Store) TasksDueToday(ctx context.Context, u *User, limit int) ([]TaskToday, error) {
	now := s.now().In(s.Location)
	end := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.Location).AddDate(0, 0, 1)
	rows, err := s.r.QueryContext(ctx, `SELECT id, title, kind, due_at FROM tasks
		WHERE assignee_id = ? AND due_at < ? AND done_at IS NULL ORDER BY due_at, id LIMIT ?`, u.ID, end.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: tasks today: %w", err)
	}
	defer rows.Close()
	out := []TaskToday{}
	for rows.Next() {
		var t TaskToday
		var due int64
		if err := rows.Scan(&t.ID, &t.Title, &t.Kind, &due); err != nil {
			return nil, err
		}
		t.DueAt = time.Unix(due, 0).UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// AboutToDrop is an owned customer that a recycle rule will send back soon.
type AboutToDrop struct {
	Customer Ref       `json:"customer"`
	Owner    Ref       `json:"owner"`
	Rule     string    `json:"rule"`
	DueAt    time.Time `json:"due_at"`
}

// DropWindowDays is how far ahead the dashboard looks for recycles.
const DropWindowDays = 7

// dropScanLimit bounds the customers the dashboard checks against the rules.
const dropScanLimit = 5000

// CustomersAboutToDrop lists the customers of the scope's people that
// their home pool's recycle rules will return within DropWindowDays (or
// are due already), soonest first. SQL only narrows the candidates with
// the shortest recycle days of any pool and level; whether and when each
// one drops is PoolRules.NextRecycle, the rule the recycle job applies.
func (s *Store) CustomersAboutToDrop(ctx context.Context, u *User, f ReportFilter, limit int) ([]AboutToDrop, error) {
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	asOf := s.now().AddDate(0, 0, DropWindowDays)
	rules, err := s.PoolRulesByID(ctx)
	if err != nil {
		return nil, err
	}
	minFollow, minDeal := shortestRecycleDays(rules)
	if minFollow == 0 && minDeal == 0 {
		return []AboutToDrop{}, nil
	}
	never := int64(-1 << 62) // a rule that is off matches nothing
	followBefore, dealBefore := never, never
	if minFollow > 0 {
		followBefore = asOf.AddDate(0, 0, -minFollow).Unix()
	}
	if minDeal > 0 {
		dealBefore = asOf.AddDate(0, 0, -minDeal).Unix()
	}
	rows, err := s.r.QueryContext(ctx, `SELECT c.id, c.name, c.owner_id, c.home_pool_id, c.level, c.status,
			COALESCE(c.owned_since, c.created_at), c.last_followup_at
		FROM customers c WHERE `+sc.owned()+` AND c.locked = 0 AND c.deleted_at IS NULL AND c.home_pool_id IS NOT NULL
			AND (max(COALESCE(c.last_followup_at, 0), COALESCE(c.owned_since, c.created_at)) <= ?
				OR (c.status != 'customer' AND COALESCE(c.owned_since, c.created_at) <= ?))
		LIMIT ?`, followBefore, dealBefore, dropScanLimit)
	if err != nil {
		return nil, fmt.Errorf("store: about to drop: %w", err)
	}
	defer rows.Close()
	out := []AboutToDrop{}
	for rows.Next() {
		var d AboutToDrop
		var pool, owned int64
		var last sql.NullInt64
		var facts RecycleFacts
		if err := rows.Scan(&d.Customer.ID, &d.Customer.Name, &d.Owner.ID, &pool, &facts.Level, &facts.Status, &owned, &last); err != nil {
			return nil, err
		}
		p := rules[pool]
		if p == nil {
			continue
		}
		facts.OwnedSince, facts.LastFollowupAt = time.Unix(owned, 0), nullTime(last)
		due, ok := p.NextRecycle(facts)
		if !ok || due.At.After(asOf) {
			continue
		}
		d.Rule, d.DueAt = due.Rule, due.At.UTC()
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DueAt.Before(out[j].DueAt) })
	if len(out) > limit {
		out = out[:limit]
	}
	for i := range out {
		out[i].Owner.Name = userName(ctx, s.r, out[i].Owner.ID)
	}
	return out, nil
}

// shortestRecycleDays returns the fewest days of each rule over every
// pool and level (0 when the rule is off everywhere).
func shortestRecycleDays(pools map[int64]*Pool) (follow, deal int) {
	pick := func(cur, v int) int {
		if v > 0 && (cur == 0 || v < cur) {
			return v
		}
		return cur
	}
	for _, p := range pools {
		for _, l := range append([]string{""}, Levels...) {
			f, d := p.days(l)
			follow, deal = pick(follow, f), pick(deal, d)
		}
	}
	return follow, deal
}
