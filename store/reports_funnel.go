package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// The sales funnel as a funnel (阶段转化漏斗): how far the opportunities
// created in the period got, not where they sit now. Each opportunity's
// furthest open stage is the latest, in the pipeline's current stage
// order, of its current stage (when open) and every stage its history
// moved it to; a won one has reached every open stage, a lost one counts
// at the furthest stage it reached before it was lost, one that moved
// backward at the furthest it reached. A layer counts the opportunities
// whose furthest stage is that stage or a later one (or that are won), so
// the layers never grow from one stage to the next.

// ReachedStage is one open stage of the sales funnel: the opportunities
// open in it now (FunnelStage) and those that reached it, with the share
// of the previous layer that got this far.
type ReachedStage struct {
	FunnelStage
	ReachedCount  int      `json:"reached_count"`
	ReachedAmount int64    `json:"reached_amount"`
	Conversion    *float64 `json:"conversion"` // of the previous layer; nil for the first stage or an empty previous layer
}

// ReachedLayer is the funnel's last layer: created in the period and won.
type ReachedLayer struct {
	Count      int      `json:"count"`
	Amount     int64    `json:"amount"`
	Conversion *float64 `json:"conversion"` // of the last open stage's layer
}

// SalesFunnel is the funnel report: Funnel's figures plus, per stage, the
// opportunities that reached it, ending with the won layer.
type SalesFunnel struct {
	Stages     []ReachedStage `json:"stages"`
	Won        CountAmount    `json:"won"`
	Lost       CountAmount    `json:"lost"`
	WinRate    *float64       `json:"win_rate"`
	ReachedWon ReachedLayer   `json:"reached_won"`
}

// SalesFunnel is the funnel report: Funnel (open now by stage, won and lost
// by closing date) and the reached layers (by creation date), read side
// by side.
func (s *Store) SalesFunnel(ctx context.Context, u *User, f ReportFilter, lang string) (*SalesFunnel, error) {
	now, reached, stages, err := s.funnelParts(ctx, u, f, lang)
	if err != nil {
		return nil, err
	}
	out := &SalesFunnel{Stages: []ReachedStage{}, Won: now.Won, Lost: now.Lost, WinRate: now.WinRate}
	open := openStages(stages)
	cum := cumulate(reached, len(open))
	byID := map[int64]FunnelStage{}
	for _, st := range now.Stages {
		byID[st.StageID] = st
	}
	for i, st := range open {
		rs := ReachedStage{FunnelStage: byID[st.ID], ReachedCount: cum[i+1].Count, ReachedAmount: cum[i+1].Amount}
		rs.StageID, rs.Name = st.ID, st.Name
		if i > 0 {
			rs.Conversion = rate(rs.ReachedCount, cum[i].Count)
		}
		out.Stages = append(out.Stages, rs)
	}
	won := cum[len(open)+1]
	out.ReachedWon = ReachedLayer{Count: won.Count, Amount: won.Amount}
	if len(open) > 0 {
		out.ReachedWon.Conversion = rate(won.Count, cum[len(open)].Count)
	}
	return out, nil
}

// funnelParts reads the funnel's figures (open now by stage, won and lost
// by closing date) and its reached layers (counts per furthest rank). With
// every open stage in opportunities.reached_stages, one walk of the
// period's deals gives both the layers and the open-now figures; else the
// two are read apart, the layers from the stage history.
func (s *Store) funnelParts(ctx context.Context, u *User, f ReportFilter, lang string) (*Funnel, map[int]CountAmount, []*Stage, error) {
	sc, err := s.reportScope(ctx, u, &f)
	if err != nil {
		return nil, nil, nil, err
	}
	stages, err := s.reportStages(ctx, lang)
	if err != nil {
		return nil, nil, nil, err
	}
	open := openStages(stages)
	var now *Funnel
	var reached map[int]CountAmount
	if !reachedMaskUsable(open) {
		err := Parallel(func() (err error) {
			now, err = s.Funnel(ctx, u, f, lang)
			return err
		}, func() (err error) {
			reached, err = s.reachedFromHistory(ctx, sc, open)
			return err
		})
		return now, reached, stages, err
	}
	var openNow map[int64]CountAmount
	var closed map[string]CountAmount
	err = Parallel(func() (err error) {
		reached, openNow, err = s.maskPass(ctx, sc, open)
		return err
	}, func() (err error) {
		closed, err = s.closedTotals(ctx, sc)
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	now = &Funnel{Stages: []FunnelStage{}, Won: closed[OppWon], Lost: closed[OppLost]}
	for _, st := range open {
		ca := openNow[st.ID]
		now.Stages = append(now.Stages, FunnelStage{StageID: st.ID, Name: st.Name, Count: ca.Count, Amount: ca.Amount})
	}
	now.WinRate = rate(now.Won.Count, now.Won.Count+now.Lost.Count)
	return now, reached, stages, nil
}

// maskPass walks the period's deals once (in slices side by side) and
// counts and sums them by furthest rank (from reached_stages) and, for
// the open ones, by the stage they are in now.
func (s *Store) maskPass(ctx context.Context, sc *scope, open []*Stage) (map[int]CountAmount, map[int64]CountAmount, error) {
	query := `SELECT r, st, count(*), COALESCE(sum(amount), 0) FROM (
			SELECT o.amount, ` + rankFromMask(open) + ` AS r, CASE WHEN o.status = 'open' THEN o.stage_id ELSE 0 END AS st
			FROM opportunities o` + sc.indexed("opportunities_report_created_all", "opportunities_report_created") + `
			WHERE o.deleted_at IS NULL AND o.created_at >= ? AND o.created_at < ? AND ` + sc.in("o.owner_id") + ` LIMIT -1)
		GROUP BY r, st`
	type part struct {
		r, stage int64
		ca       CountAmount
	}
	parts, err := eachSlice(periodSlices(sc.start, sc.end, readSlices), func(lo, hi int64) ([]part, error) {
		rows, err := s.r.QueryContext(ctx, query, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("store: funnel: %w", err)
		}
		defer rows.Close()
		var out []part
		for rows.Next() {
			var p part
			if err := rows.Scan(&p.r, &p.stage, &p.ca.Count, &p.ca.Amount); err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		return out, rows.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	byRank, openNow := map[int]CountAmount{}, map[int64]CountAmount{}
	add := func(m CountAmount, ca CountAmount) CountAmount {
		return CountAmount{Count: m.Count + ca.Count, Amount: m.Amount + ca.Amount}
	}
	for _, ps := range parts {
		for _, p := range ps {
			byRank[int(p.r)] = add(byRank[int(p.r)], p.ca)
			if p.stage != 0 {
				openNow[p.stage] = add(openNow[p.stage], p.ca)
			}
		}
	}
	return byRank, openNow, nil
}

// cumulate turns the counts per furthest rank (1..n open stages, n+1 won)
// into layers: layer r is every opportunity whose furthest rank is r or
// higher. Index 0 is unused.
func cumulate(byRank map[int]CountAmount, n int) []CountAmount {
	cum := make([]CountAmount, n+2)
	for r := n + 1; r >= 1; r-- {
		if r <= n {
			cum[r] = cum[r+1]
		}
		cum[r].Count += byRank[r].Count
		cum[r].Amount += byRank[r].Amount
	}
	return cum
}

// openStages keeps the open stages, in order: rank i+1 is open[i].
func openStages(stages []*Stage) []*Stage {
	var out []*Stage
	for _, st := range stages {
		if st.Kind == StageOpen {
			out = append(out, st)
		}
	}
	return out
}

// rankExpr is the rank of the stage in col: 1 for the first open stage,
// up to the number of open stages; NULL for won and lost stages.
func rankExpr(col string, open []*Stage) string {
	if len(open) == 0 {
		return "NULL"
	}
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i, st := range open {
		b.WriteString(" WHEN " + strconv.FormatInt(st.ID, 10) + " THEN " + strconv.Itoa(i+1))
	}
	b.WriteString(" END")
	return b.String()
}

// reachedFromHistory counts and sums the opportunities created in the
// period by their furthest rank (0: no open stage at all; len(open)+1:
// won), the furthest rank being the max over the stage history and the
// current stage, in one grouped pass per slice read side by side, no
// query per deal. It is for pipelines with a stage that has no bit in
// reached_stages (see maskPass for the others).
func (s *Store) reachedFromHistory(ctx context.Context, sc *scope, open []*Stage) (map[int]CountAmount, error) {
	// A won deal has reached every stage: its history is not read.
	furthest := func(history string) string {
		return `CASE WHEN o.status = 'won' THEN ` + strconv.Itoa(len(open)+1) + ` ELSE max(COALESCE(` + rankExpr("o.stage_id", open) + `, 0),
			COALESCE(` + history + `, 0)) END`
	}
	if sc.all {
		out, ok, err := s.reachedByID(ctx, sc, open, furthest)
		if err != nil || ok {
			return out, err
		}
	}
	// Per deal of the period (through the people's or the company's
	// creation index), its history's best rank from the history's
	// covering index.
	query := `SELECT r, count(*), COALESCE(sum(amount), 0) FROM (
			SELECT o.amount, ` + furthest(`(SELECT max(`+rankExpr("h.to_stage_id", open)+`) FROM stage_changes h INDEXED BY stage_changes_report
					WHERE h.opportunity_id = o.id)`) + ` AS r
			FROM opportunities o` + sc.indexed("opportunities_report_created_all", "opportunities_report_created") + `
			WHERE o.deleted_at IS NULL AND o.created_at >= ? AND o.created_at < ? AND ` + sc.in("o.owner_id") + ` LIMIT -1)
		GROUP BY r`
	return s.sumRanks(ctx, query, periodSlices(sc.start, sc.end, readSlices), nil)
}

// reachedByID is reachedFromHistory for the whole company: a year of every
// deal looked up one by one in the history index costs twice a walk of
// the history in order of opportunity, grouped per deal, each deal then
// read by its id. It walks the ids of the period's deals only (from the
// first to the last; deals are created in id order, so that is little
// more than the period), in slices side by side. A deal without any
// history would be missed by the walk: then it reports !ok and the caller
// counts deal by deal.
func (s *Store) reachedByID(ctx context.Context, sc *scope, open []*Stage, furthest func(string) string) (map[int]CountAmount, bool, error) {
	var n int
	var lo, hi int64
	err := s.r.QueryRowContext(ctx, `SELECT count(*), COALESCE(min(o.id), 0), COALESCE(max(o.id), 0)
		FROM opportunities o INDEXED BY opportunities_report_created_all
		WHERE o.deleted_at IS NULL AND o.created_at >= ? AND o.created_at < ?`, sc.start, sc.end).Scan(&n, &lo, &hi)
	if err != nil || n == 0 {
		return map[int]CountAmount{}, err == nil, err
	}
	query := `SELECT r, count(*), COALESCE(sum(amount), 0) FROM (
			SELECT o.amount AS amount, ` + furthest("h.best") + ` AS r
			FROM (SELECT opportunity_id AS id, max(` + rankExpr("to_stage_id", open) + `) AS best FROM stage_changes INDEXED BY stage_changes_report
				WHERE opportunity_id >= ? AND opportunity_id < ? GROUP BY opportunity_id) h
			CROSS JOIN opportunities o ON o.id = h.id
			WHERE o.deleted_at IS NULL AND o.created_at >= ? AND o.created_at < ? LIMIT -1)
		GROUP BY r`
	out, err := s.sumRanks(ctx, query, periodSlices(lo, hi+1, readSlices), []any{sc.start, sc.end})
	if err != nil {
		return nil, false, err
	}
	seen := 0
	for _, ca := range out {
		seen += ca.Count
	}
	return out, seen == n, nil
}

// sumRanks runs a furthest-rank query over each [lo, hi) slice (plus
// args) side by side and adds the layers up.
func (s *Store) sumRanks(ctx context.Context, query string, slices [][2]int64, args []any) (map[int]CountAmount, error) {
	parts, err := eachSlice(slices, func(lo, hi int64) ([]map[int]CountAmount, error) {
		m, err := s.rankCounts(ctx, query, append([]any{lo, hi}, args...))
		return []map[int]CountAmount{m}, err
	})
	if err != nil {
		return nil, err
	}
	out := map[int]CountAmount{}
	for _, ps := range parts {
		for _, m := range ps {
			for r, ca := range m {
				t := out[r]
				t.Count, t.Amount = t.Count+ca.Count, t.Amount+ca.Amount
				out[r] = t
			}
		}
	}
	return out, nil
}

// rankCounts runs a furthest-rank query over the slice [args[0], args[1]).
func (s *Store) rankCounts(ctx context.Context, query string, args []any) (map[int]CountAmount, error) {
	out := map[int]CountAmount{}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: funnel reached: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r int
		var ca CountAmount
		if err := rows.Scan(&r, &ca.Count, &ca.Amount); err != nil {
			return nil, err
		}
		out[r] = ca
	}
	return out, rows.Err()
}

// reachedMaskUsable says whether every open stage has a bit in
// opportunities.reached_stages (migration 00021: stage ids 1 to 62); if
// not, the furthest stage is read from the stage history instead.
func reachedMaskUsable(open []*Stage) bool {
	for _, st := range open {
		if st.ID < 1 || st.ID > 62 {
			return false
		}
	}
	return true
}

// stageBits is the bit set of the given stages in reached_stages.
func stageBits(stages []*Stage) int64 {
	var bits int64
	for _, st := range stages {
		bits |= 1 << st.ID
	}
	return bits
}

// rankFromMask is an opportunity's furthest rank from its reached_stages:
// won is len(open)+1, else the highest open stage it has been in (0: none).
func rankFromMask(open []*Stage) string {
	var b strings.Builder
	b.WriteString("CASE WHEN o.status = 'won' THEN " + strconv.Itoa(len(open)+1))
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString(" WHEN o.reached_stages & " + strconv.FormatInt(stageBits(open[i:i+1]), 10) + " != 0 THEN " + strconv.Itoa(i+1))
	}
	b.WriteString(" ELSE 0 END")
	return b.String()
}

// reachedCond is the opportunity list's reached_stage filter: the
// opportunities whose furthest stage is stageID or a later open stage, or
// that are won — exactly those the funnel's layer for stageID counts.
func (s *Store) reachedCond(ctx context.Context, stageID int64) (string, error) {
	stages, err := s.reportStages(ctx, "zh-CN")
	if err != nil {
		return "", err
	}
	open := openStages(stages)
	for i, st := range open {
		if st.ID != stageID {
			continue
		}
		if reachedMaskUsable(open) {
			return `(o.status = 'won' OR o.reached_stages & ` + strconv.FormatInt(stageBits(open[i:]), 10) + ` != 0)`, nil
		}
		ids := make([]int64, 0, len(open)-i)
		for _, later := range open[i:] {
			ids = append(ids, later.ID)
		}
		in := idList(ids)
		return `(o.status = 'won' OR o.stage_id IN (` + in + `) OR EXISTS (SELECT 1 FROM stage_changes h
			WHERE h.opportunity_id = o.id AND h.to_stage_id IN (` + in + `)))`, nil
	}
	return "", &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"reached_stage": M("err.reached_stage")}}
}
