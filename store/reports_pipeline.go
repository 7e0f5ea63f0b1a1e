package store

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// FunnelStage is one open stage of the funnel report.
type FunnelStage struct {
	StageID int64  `json:"stage_id"`
	Name    string `json:"name"`
	Count   int    `json:"count"`
	Amount  int64  `json:"amount"`
}

// CountAmount is a number of opportunities and their total amount (fen).
type CountAmount struct {
	Count  int   `json:"count"`
	Amount int64 `json:"amount"`
}

// Funnel is the sales funnel (销售漏斗) with the win rate.
type Funnel struct {
	Stages  []FunnelStage `json:"stages"`
	Won     CountAmount   `json:"won"`
	Lost    CountAmount   `json:"lost"`
	WinRate *float64      `json:"win_rate"`
}

// Funnel counts, per open stage, the opportunities created in the period
// that are open in that stage now; won and lost count by closed_at in the
// period; win rate = won / (won + lost).
func (s *Store) Funnel(ctx context.Context, u *User, f ReportFilter, lang string) (*Funnel, error) {
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	stages, err := s.reportStages(ctx, lang)
	if err != nil {
		return nil, err
	}
	open := map[int64]CountAmount{}
	rows, err := s.r.QueryContext(ctx, `SELECT o.stage_id, count(*), COALESCE(sum(o.amount), 0) FROM opportunities o`+
		sc.indexed("opportunities_report_created_all", "opportunities_report_created")+`
		WHERE o.deleted_at IS NULL AND o.status = 'open' AND o.created_at >= ? AND o.created_at < ? AND `+sc.in("o.owner_id")+`
		GROUP BY o.stage_id`, sc.start, sc.end)
	if err != nil {
		return nil, fmt.Errorf("store: funnel: %w", err)
	}
	for rows.Next() {
		var id int64
		var ca CountAmount
		if err := rows.Scan(&id, &ca.Count, &ca.Amount); err != nil {
			rows.Close()
			return nil, err
		}
		open[id] = ca
	}
	rows.Close()
	out := &Funnel{Stages: []FunnelStage{}}
	for _, st := range stages {
		if st.Kind == StageOpen {
			ca := open[st.ID]
			out.Stages = append(out.Stages, FunnelStage{StageID: st.ID, Name: st.Name, Count: ca.Count, Amount: ca.Amount})
		}
	}
	closed, err := s.closedTotals(ctx, sc)
	if err != nil {
		return nil, err
	}
	out.Won, out.Lost = closed[OppWon], closed[OppLost]
	out.WinRate = rate(out.Won.Count, out.Won.Count+out.Lost.Count)
	return out, nil
}

// closedTotals counts and sums won and lost opportunities closed in the period.
func (s *Store) closedTotals(ctx context.Context, sc *scope) (map[string]CountAmount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT o.status, count(*), COALESCE(sum(o.amount), 0) FROM opportunities o `+sc.closedIndex()+`
		WHERE o.deleted_at IS NULL AND o.status IN ('won', 'lost') AND o.closed_at >= ? AND o.closed_at < ? AND `+sc.in("o.owner_id")+`
		GROUP BY o.status`, sc.start, sc.end)
	if err != nil {
		return nil, fmt.Errorf("store: closed totals: %w", err)
	}
	defer rows.Close()
	out := map[string]CountAmount{}
	for rows.Next() {
		var st string
		var ca CountAmount
		if err := rows.Scan(&st, &ca.Count, &ca.Amount); err != nil {
			return nil, err
		}
		out[st] = ca
	}
	return out, rows.Err()
}

// WinRateRow is one group of the win-rate report.
type WinRateRow struct {
	Key       string   `json:"key"`
	Label     string   `json:"label"`
	Won       int      `json:"won"`
	Lost      int      `json:"lost"`
	WonAmount int64    `json:"won_amount"`
	WinRate   *float64 `json:"win_rate"`
}

// WinRate groups the opportunities closed in the period by owner, the
// opportunity's source or the customer's industry: won, lost, won amount
// and won / (won + lost). Empty source or industry is its own group (key "").
func (s *Store) WinRate(ctx context.Context, u *User, f ReportFilter) ([]WinRateRow, error) {
	if f.GroupBy == "" {
		f.GroupBy = "owner"
	}
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	key, join := "CAST(o.owner_id AS TEXT)", ""
	label := "COALESCE((SELECT name FROM users WHERE id = o.owner_id), '')"
	switch f.GroupBy {
	case "source":
		key, label = "o.source", "o.source"
	case "industry":
		key, label, join = "c.industry", "c.industry", customerLookup
	}
	query := `SELECT ` + key + `, max(` + label + `), sum(o.status = 'won'), sum(o.status = 'lost'),
			COALESCE(sum(CASE WHEN o.status = 'won' THEN o.amount END), 0)
		FROM opportunities o ` + sc.closedIndex() + join + ` WHERE o.deleted_at IS NULL AND o.status IN ('won', 'lost')
			AND o.closed_at >= ? AND o.closed_at < ? AND ` + sc.in("o.owner_id") + `
		GROUP BY 1`
	// A year of the company's closed deals (each looked up in the
	// customers for its industry) is read in slices of the period side by
	// side, and the groups added up.
	parts, err := eachSlice(periodSlices(sc.start, sc.end, readSlices), func(lo, hi int64) ([]WinRateRow, error) {
		return s.winRateRows(ctx, query, lo, hi)
	})
	if err != nil {
		return nil, err
	}
	out := []WinRateRow{}
	at := map[string]int{}
	for _, rs := range parts {
		for _, r := range rs {
			i, ok := at[r.Key]
			if !ok {
				i = len(out)
				at[r.Key] = i
				out = append(out, WinRateRow{Key: r.Key})
			}
			t := &out[i]
			t.Won, t.Lost, t.WonAmount = t.Won+r.Won, t.Lost+r.Lost, t.WonAmount+r.WonAmount
			t.Label = max(t.Label, r.Label)
		}
	}
	for i := range out {
		out[i].WinRate = rate(out[i].Won, out[i].Won+out[i].Lost)
	}
	// As ORDER BY won amount DESC, won DESC, key did.
	sortBy(out, func(a, b WinRateRow) bool {
		if a.WonAmount != b.WonAmount {
			return a.WonAmount > b.WonAmount
		}
		if a.Won != b.Won {
			return a.Won > b.Won
		}
		return a.Key < b.Key
	})
	return out, nil
}

// winRateRows runs the win rate's query over closing times in [lo, hi).
func (s *Store) winRateRows(ctx context.Context, query string, lo, hi int64) ([]WinRateRow, error) {
	rows, err := s.r.QueryContext(ctx, query, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("store: win rate: %w", err)
	}
	defer rows.Close()
	var out []WinRateRow
	for rows.Next() {
		var r WinRateRow
		if err := rows.Scan(&r.Key, &r.Label, &r.Won, &r.Lost, &r.WonAmount); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// StageTime is the time spent in one stage, in days.
type StageTime struct {
	StageID    int64    `json:"stage_id"`
	Name       string   `json:"name"`
	Count      int      `json:"count"`
	MeanDays   *float64 `json:"mean_days"`
	MedianDays *float64 `json:"median_days"`
}

// OwnerCycle is one person's sales cycle.
type OwnerCycle struct {
	Owner      Ref      `json:"owner"`
	WonCount   int      `json:"won_count"`
	MeanDays   *float64 `json:"mean_days"`
	MedianDays *float64 `json:"median_days"`
}

// StuckOpp is an open opportunity that has sat in its stage too long.
type StuckOpp struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Customer  Ref       `json:"customer"`
	Owner     Ref       `json:"owner"`
	StageID   int64     `json:"stage_id"`
	StageName string    `json:"stage_name"`
	Amount    int64     `json:"amount"`
	Since     time.Time `json:"since"`
	Days      float64   `json:"days"`
}

// CyclePoint is one won deal: amount against cycle days (the scatter chart).
type CyclePoint struct {
	ID     int64   `json:"id"`
	Days   float64 `json:"days"`
	Amount int64   `json:"amount"`
}

// SalesCycle is the sales-cycle report (销售周期).
type SalesCycle struct {
	WonCount   int          `json:"won_count"`
	MeanDays   *float64     `json:"mean_days"`
	MedianDays *float64     `json:"median_days"`
	Stages     []StageTime  `json:"stages"`
	Owners     []OwnerCycle `json:"owners"`
	StuckDays  int          `json:"stuck_days"`
	Stuck      []StuckOpp   `json:"stuck"`
	Points     []CyclePoint `json:"points"`
}

// DefaultStuckDays is the sales-cycle report's default "stuck" threshold.
const DefaultStuckDays = 30

// stuckLimit bounds the stuck list.
const stuckLimit = 100

// SalesCycle measures the won opportunities closed in the period: cycle =
// closed_at − created_at in days; time in each stage from the stage
// history (each stay lasts until the next change; going back to a stage
// adds to its time; the days in the won stage are not counted). Stage
// figures are over the won deals that spent time in the stage. Stuck: open
// opportunities (whatever their creation date) in their current stage for
// more than StuckDays days, longest first.
func (s *Store) SalesCycle(ctx context.Context, u *User, f ReportFilter, lang string) (*SalesCycle, error) {
	if f.StuckDays == 0 {
		f.StuckDays = DefaultStuckDays
	}
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	stages, err := s.reportStages(ctx, lang)
	if err != nil {
		return nil, err
	}
	out := &SalesCycle{Stages: []StageTime{}, Owners: []OwnerCycle{}, Stuck: []StuckOpp{}, Points: []CyclePoint{}, StuckDays: f.StuckDays}
	// The won deals, the stage history and the stuck list are read side by
	// side (each walks its own index).
	var inStage map[int64][]float64
	err = Parallel(func() error {
		perOwner, err := s.cycleDeals(ctx, sc, out)
		if err != nil {
			return err
		}
		return s.cycleOwners(ctx, perOwner, out)
	}, func() (err error) {
		inStage, err = s.stageDays(ctx, sc)
		return err
	}, func() (err error) {
		out.Stuck, err = s.stuckOpps(ctx, sc, f.StuckDays, lang)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, st := range stages {
		if st.Kind != StageOpen {
			continue
		}
		mean, med := meanMedian(inStage[st.ID])
		out.Stages = append(out.Stages, StageTime{StageID: st.ID, Name: st.Name, Count: len(inStage[st.ID]), MeanDays: mean, MedianDays: med})
	}
	return out, nil
}

// cycleDeals reads the won deals' cycle days, fills the overall figures
// and the scatter points, and returns the days per owner.
func (s *Store) cycleDeals(ctx context.Context, sc *scope, out *SalesCycle) (map[int64][]float64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT o.id, o.owner_id, o.closed_at - o.created_at, o.amount FROM opportunities o `+sc.closedIndex()+`
		WHERE o.deleted_at IS NULL AND o.status = 'won' AND o.closed_at >= ? AND o.closed_at < ? AND `+sc.in("o.owner_id")+`
		ORDER BY o.id`, sc.start, sc.end)
	if err != nil {
		return nil, fmt.Errorf("store: sales cycle: %w", err)
	}
	defer rows.Close()
	var all []float64
	perOwner := map[int64][]float64{}
	for rows.Next() {
		var p CyclePoint
		var owner, secs int64
		if err := rows.Scan(&p.ID, &owner, &secs, &p.Amount); err != nil {
			return nil, err
		}
		p.Days = float64(secs) / 86400
		all = append(all, p.Days)
		perOwner[owner] = append(perOwner[owner], p.Days)
		if len(out.Points) < 2000 {
			out.Points = append(out.Points, p)
		}
	}
	out.WonCount = len(all)
	out.MeanDays, out.MedianDays = meanMedian(all)
	return perOwner, rows.Err()
}

func (s *Store) cycleOwners(ctx context.Context, perOwner map[int64][]float64, out *SalesCycle) error {
	ids := make([]int64, 0, len(perOwner))
	for id := range perOwner {
		ids = append(ids, id)
	}
	names, err := s.userNames(ctx, ids)
	if err != nil {
		return err
	}
	for id, days := range perOwner {
		mean, med := meanMedian(days)
		out.Owners = append(out.Owners, OwnerCycle{Owner: Ref{ID: id, Name: names[id]}, WonCount: len(days), MeanDays: mean, MedianDays: med})
	}
	sortBy(out.Owners, func(a, b OwnerCycle) bool {
		if a.WonCount != b.WonCount {
			return a.WonCount > b.WonCount
		}
		return a.Owner.ID < b.Owner.ID
	})
	return nil
}

// stageDays walks the stage history of the won deals of the period and
// returns, per stage, the days each deal spent there (deals that never
// were in a stage are left out of its figures).
func (s *Store) stageDays(ctx context.Context, sc *scope) (map[int64][]float64, error) {
	// No ORDER BY: sorting every change of a year's deals costs more than
	// putting each deal's few changes in order here.
	rows, err := s.r.QueryContext(ctx, `SELECT sc.opportunity_id, sc.id, sc.to_stage_id, sc.at FROM opportunities o `+sc.closedIndex()+`
		JOIN stage_changes sc ON sc.opportunity_id = o.id
		WHERE o.deleted_at IS NULL AND o.status = 'won' AND o.closed_at >= ? AND o.closed_at < ? AND `+sc.in("o.owner_id"), sc.start, sc.end)
	if err != nil {
		return nil, fmt.Errorf("store: stage days: %w", err)
	}
	defer rows.Close()
	type change struct{ id, stage, at int64 }
	byOpp := map[int64][]change{}
	for rows.Next() {
		var opp int64
		var c change
		if err := rows.Scan(&opp, &c.id, &c.stage, &c.at); err != nil {
			return nil, err
		}
		byOpp[opp] = append(byOpp[opp], c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[int64][]float64{}
	stay := map[int64]int64{}
	for _, cs := range byOpp {
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].at != cs[j].at {
				return cs[i].at < cs[j].at
			}
			return cs[i].id < cs[j].id
		})
		clear(stay)
		for i := 0; i+1 < len(cs); i++ {
			stay[cs[i].stage] += cs[i+1].at - cs[i].at
		}
		for st, secs := range stay {
			out[st] = append(out[st], float64(secs)/86400)
		}
	}
	return out, nil
}

func (s *Store) stuckOpps(ctx context.Context, sc *scope, days int, lang string) ([]StuckOpp, error) {
	now := s.now()
	rows, err := s.r.QueryContext(ctx, `SELECT o.id, o.name, o.customer_id, c.name, o.owner_id, COALESCE(u.name, ''), o.stage_id,
			st.name_zh, st.name_en, o.amount, o.stage_entered_at
		FROM opportunities o JOIN customers c ON c.id = o.customer_id JOIN stages st ON st.id = o.stage_id
		LEFT JOIN users u ON u.id = o.owner_id
		WHERE o.deleted_at IS NULL AND o.status = 'open' AND o.stage_entered_at <= ? AND `+sc.in("o.owner_id")+`
		ORDER BY o.stage_entered_at, o.id LIMIT ?`, now.AddDate(0, 0, -days).Unix(), stuckLimit)
	if err != nil {
		return nil, fmt.Errorf("store: stuck opportunities: %w", err)
	}
	defer rows.Close()
	out := []StuckOpp{}
	for rows.Next() {
		var o StuckOpp
		var zh, en string
		var since int64
		if err := rows.Scan(&o.ID, &o.Name, &o.Customer.ID, &o.Customer.Name, &o.Owner.ID, &o.Owner.Name, &o.StageID, &zh, &en, &o.Amount, &since); err != nil {
			return nil, err
		}
		o.StageName = zh
		if lang == "en" {
			o.StageName = en
		}
		o.Since = time.Unix(since, 0).UTC()
		o.Days = now.Sub(o.Since).Hours() / 24
		out = append(out, o)
	}
	return out, rows.Err()
}

// ForecastMonth is the open pipeline expected to close in one month.
type ForecastMonth struct {
	Month    string `json:"month"` // YYYY-MM, "" when no expected close date
	Count    int    `json:"count"`
	Amount   int64  `json:"amount"`
	Weighted int64  `json:"weighted"`
}

// ForecastReport is the open pipeline by expected close month.
type ForecastReport struct {
	OpenCount  int             `json:"open_count"`
	OpenAmount int64           `json:"open_amount"`
	Weighted   int64           `json:"weighted_amount"`
	Months     []ForecastMonth `json:"months"`
}

// ForecastByMonth sums the opportunities created in the period that are
// open now by the month of their expected close date: amount, and amount ×
// the opportunity's probability (weighted, rounded down per opportunity as
// on the board).
func (s *Store) ForecastByMonth(ctx context.Context, u *User, f ReportFilter) (*ForecastReport, error) {
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT substr(o.expected_close, 1, 7), count(*), COALESCE(sum(o.amount), 0),
			COALESCE(sum(o.amount * o.probability / 100), 0)
		FROM opportunities o`+sc.indexed("opportunities_report_created_all", "opportunities_report_created")+`WHERE o.deleted_at IS NULL AND o.status = 'open' AND o.created_at >= ? AND o.created_at < ? AND `+sc.in("o.owner_id")+`
		GROUP BY 1 ORDER BY 1 = '', 1`, sc.start, sc.end)
	if err != nil {
		return nil, fmt.Errorf("store: forecast by month: %w", err)
	}
	defer rows.Close()
	out := &ForecastReport{Months: []ForecastMonth{}}
	for rows.Next() {
		var m ForecastMonth
		if err := rows.Scan(&m.Month, &m.Count, &m.Amount, &m.Weighted); err != nil {
			return nil, err
		}
		out.OpenCount, out.OpenAmount, out.Weighted = out.OpenCount+m.Count, out.OpenAmount+m.Amount, out.Weighted+m.Weighted
		out.Months = append(out.Months, m)
	}
	return out, rows.Err()
}

// LostReasonCounts counts the opportunities lost in the period by reason.
func (s *Store) LostReasonCounts(ctx context.Context, u *User, f ReportFilter) ([]ReasonCount, error) {
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, err
	}
	return s.reasonCounts(ctx, `SELECT o.lost_reason, count(*) FROM opportunities o `+sc.closedIndex()+`
		WHERE o.deleted_at IS NULL AND o.status = 'lost' AND o.closed_at >= ? AND o.closed_at < ? AND `+sc.in("o.owner_id")+`
		GROUP BY 1 ORDER BY 2 DESC, 1`, sc.start, sc.end)
}

func (s *Store) reasonCounts(ctx context.Context, query string, args ...any) ([]ReasonCount, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reason counts: %w", err)
	}
	defer rows.Close()
	out := []ReasonCount{}
	for rows.Next() {
		var r ReasonCount
		if err := rows.Scan(&r.Reason, &r.Count); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
