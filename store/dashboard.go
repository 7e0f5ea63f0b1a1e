package store

import (
	"context"
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

// KPIs computes the cards for the period: customers created (owned by the
// scope's people, plus visible pools without a person filter), follow-ups
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
		{`SELECT count(*) FROM customers c WHERE c.deleted_at IS NULL AND c.created_at >= ? AND c.created_at < ? AND ` + sc.customerScope(), &k.NewCustomers},
		{`SELECT count(*) FROM followups f WHERE f.at >= ? AND f.at < ? AND ` + sc.in("f.created_by"), &k.Followups},
		{`SELECT count(*) FROM opportunities o WHERE o.deleted_at IS NULL AND o.created_at >= ? AND o.created_at < ? AND ` + sc.in("o.owner_id"), &k.OppsCreated},
		{`SELECT count(*) FROM pool_moves m WHERE m.action = 'claim' AND m.at >= ? AND m.at < ? AND ` + sc.in("m.to_user_id"), &k.PoolClaims},
	} {
		if err := s.r.QueryRowContext(ctx, q.sql, args...).Scan(q.dst); err != nil {
			return nil, fmt.Errorf("store: kpis: %w", err)
		}
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

// CustomersAboutToDrop lists the customers of the scope's people that
// their home pool's recycle rules (the same candidates and NextRecycle as
// the recycle job) will return within DropWindowDays, soonest first.
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
	ids := make([]int64, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := []AboutToDrop{}
	for _, id := range ids {
		p := rules[id]
		for _, levels := range p.levelGroups() {
			cands, err := s.candidates(ctx, s.r, p, levels, asOf, limit, " AND "+sc.in("c.owner_id"))
			if err != nil {
				return nil, err
			}
			for _, c := range cands {
				due, ok := p.NextRecycle(c.facts)
				if !ok || due.At.After(asOf) {
					continue
				}
				out = append(out, AboutToDrop{Customer: Ref{ID: c.id, Name: c.name}, Owner: Ref{ID: c.owner}, Rule: due.Rule, DueAt: due.At.UTC()})
			}
		}
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
