package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// MoveInput moves an opportunity to another stage.
type MoveInput struct {
	StageID    int64      `json:"stage_id"`
	LostReason *string    `json:"lost_reason"`
	ClosedAt   *time.Time `json:"closed_at"`
	Amount     *int64     `json:"amount"`
	// Version, when given, must match: the board sends it, so of two
	// people moving one card at once the second is refused with 409.
	// Without it the last move wins; both moves are in the history either
	// way, because each records the stage it actually left.
	Version *int `json:"version"`
}

// MoveStage moves an opportunity to a stage (推进阶段), writing the stage
// history row in the same transaction. Won needs an amount (given now or
// already set) and sets the customer's status to customer; lost needs a
// reason. Moving back to an open stage reopens the opportunity.
func (s *Store) MoveStage(ctx context.Context, actor *User, id int64, in MoveInput) (*Opportunity, error) {
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.oppVisible(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if in.Version != nil && *in.Version != cur.Version {
			return &Error{Code: CodeConflict, Msg: M("err.opp_moved", "Stage", cur.stageZH+" / "+cur.stageEN), Extra: map[string]any{"current": cur}}
		}
		st, err := stageByID(ctx, tx, in.StageID)
		if err != nil {
			return err
		}
		if st.ID == cur.Stage.ID {
			return nil
		}
		if in.Amount != nil && *in.Amount < 0 {
			return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"amount": M("err.amount")}}
		}
		amount := cur.Amount
		if in.Amount != nil {
			amount = *in.Amount
		}
		now := s.now()
		closedAt, status, err := closeFields(st, OpportunityInput{Amount: &amount, LostReason: in.LostReason, ClosedAt: in.ClosedAt}, cur.CreatedAt, now)
		if err != nil {
			return err
		}
		reason := ""
		if st.Kind == StageLost {
			reason = strings.TrimSpace(deref(in.LostReason))
		}
		_, err = tx.ExecContext(ctx, `UPDATE opportunities SET stage_id = ?, probability = ?, status = ?, amount = ?, closed_at = ?,
				lost_reason = ?, stage_entered_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			st.ID, st.Probability, status, amount, closedAt, reason, now.Unix(), now.Unix(), id)
		if err != nil {
			return fmt.Errorf("store: move opportunity %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stage_changes (opportunity_id, from_stage_id, to_stage_id, by_id, at) VALUES (?, ?, ?, ?, ?)`,
			id, cur.Stage.ID, st.ID, actor.ID, now.Unix()); err != nil {
			return err
		}
		change := Change{Field: cur.Name, Old: cur.stageZH + "|" + cur.stageEN, New: st.NameZH + "|" + st.NameEN}
		if err := addEvent(ctx, tx, cur.Customer.ID, "opportunity_stage", actor.ID, []Change{change}, reason, now.Unix()); err != nil {
			return err
		}
		if err := emitStageChange(ctx, tx, cur, st, status, now); err != nil {
			return err
		}
		if err := audit(ctx, tx, now.Unix(), AuditEntry{Action: "stage", Entity: "opportunity", EntityID: id, ActorID: actor.ID, Detail: reason,
			Changes: []Change{{Field: "stage", Old: cur.stageZH + " / " + cur.stageEN, New: st.NameZH + " / " + st.NameEN}}}); err != nil {
			return err
		}
		if status == OppWon {
			return markCustomerWon(ctx, tx, cur.Customer.ID, actor.ID, now.Unix())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.oppVisible(ctx, s.r, v, id)
}

// StageChange is one row of an opportunity's stage history.
type StageChange struct {
	ID   int64     `json:"id"`
	From *StageRef `json:"from"`
	To   StageRef  `json:"to"`
	By   *Ref      `json:"by"`
	At   time.Time `json:"at"`
}

// StageHistory lists a visible opportunity's stage changes, oldest first,
// stage names in lang.
func (s *Store) StageHistory(ctx context.Context, u *User, id int64, lang string) ([]*StageChange, error) {
	if _, err := s.Opportunity(ctx, u, id); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT sc.id, sc.from_stage_id, COALESCE(f.name_zh, ''), COALESCE(f.name_en, ''), COALESCE(f.kind, ''),
			sc.to_stage_id, t.name_zh, t.name_en, t.kind, sc.by_id, COALESCE(u.name, ''), sc.at
		FROM stage_changes sc LEFT JOIN stages f ON f.id = sc.from_stage_id JOIN stages t ON t.id = sc.to_stage_id
		LEFT JOIN users u ON u.id = sc.by_id WHERE sc.opportunity_id = ? ORDER BY sc.at, sc.id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: stage history %d: %w", id, err)
	}
	defer rows.Close()
	pick := func(zh, en string) string {
		if lang == "en" {
			return en
		}
		return zh
	}
	out := []*StageChange{}
	for rows.Next() {
		var c StageChange
		var from, by sql.NullInt64
		var fzh, fen, fkind, tzh, ten, byName string
		var at int64
		if err := rows.Scan(&c.ID, &from, &fzh, &fen, &fkind, &c.To.ID, &tzh, &ten, &c.To.Kind, &by, &byName, &at); err != nil {
			return nil, err
		}
		if from.Valid {
			c.From = &StageRef{ID: from.Int64, Name: pick(fzh, fen), Kind: fkind}
		}
		c.To.Name, c.By, c.At = pick(tzh, ten), refOf(by, byName), time.Unix(at, 0).UTC()
		out = append(out, &c)
	}
	return out, rows.Err()
}

// TimeInStages adds up how long an opportunity spent in each stage from
// its history (oldest first): each stay lasts until the next change, the
// current one until now (or until it closed). Going back to a stage adds
// to its total.
func TimeInStages(history []*StageChange, until time.Time) map[int64]time.Duration {
	out := map[int64]time.Duration{}
	for i, c := range history {
		end := until
		if i+1 < len(history) {
			end = history[i+1].At
		}
		if c.To.Kind != StageOpen && i+1 == len(history) {
			continue // a closed deal does not keep accruing time
		}
		if end.After(c.At) {
			out[c.To.ID] += end.Sub(c.At)
		}
	}
	return out
}

// OppQuery filters the opportunity list and the board.
type OppQuery struct {
	Owner         string // "", "me" or a user id
	DepartmentID  int64
	StageID       int64
	Status        string
	CustomerID    int64
	CloseFrom     string // expected close, YYYY-MM-DD inclusive
	CloseTo       string
	AmountMin     *int64
	AmountMax     *int64
	Page, PerPage int
	// Report drill-down: local days (YYYY-MM-DD, inclusive) of creation
	// and of closing, and the opportunity's source.
	CreatedFrom, CreatedTo string
	ClosedFrom, ClosedTo   string
	Source                 string
	// Industry is the customer's industry (win rate by industry);
	// ReachedStage an open stage: the opportunities the sales funnel
	// counts as having reached it (reachedCond).
	Industry     string
	ReachedStage int64
}

func (s *Store) oppWhere(ctx context.Context, v *Visibility, u *User, q OppQuery) (string, []any, error) {
	conds := []string{"o.deleted_at IS NULL", oppVisibility(v)}
	var args []any
	switch q.Owner {
	case "":
	case "me":
		conds, args = append(conds, "o.owner_id = ?"), append(args, u.ID)
	default:
		var id int64
		if _, err := fmt.Sscan(q.Owner, &id); err != nil {
			return "", nil, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"owner": M("err.user_unknown")}}
		}
		conds, args = append(conds, "o.owner_id = ?"), append(args, id)
	}
	if q.DepartmentID > 0 {
		// The department's members as a literal list, like visibility's,
		// so SQLite seeks the board index once per owner.
		owners, err := s.departmentMembers(ctx, q.DepartmentID)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, "o.owner_id IN ("+idList(owners)+")")
	}
	for _, f := range []struct {
		cond string
		ok   bool
		v    any
	}{
		{"o.stage_id = ?", q.StageID > 0, q.StageID},
		{"o.status = ?", q.Status != "", q.Status},
		{"o.customer_id = ?", q.CustomerID > 0, q.CustomerID},
		{"o.expected_close != '' AND o.expected_close >= ?", q.CloseFrom != "", q.CloseFrom},
		{"o.expected_close != '' AND o.expected_close <= ?", q.CloseTo != "", q.CloseTo},
		{"o.amount >= ?", q.AmountMin != nil, deref(q.AmountMin)},
		{"o.amount <= ?", q.AmountMax != nil, deref(q.AmountMax)},
	} {
		if f.ok {
			conds, args = append(conds, f.cond), append(args, f.v)
		}
	}
	conds, args = s.dayRange("o.created_at", q.CreatedFrom, q.CreatedTo, conds, args)
	conds, args = s.dayRange("o.closed_at", q.ClosedFrom, q.ClosedTo, conds, args)
	if q.Source != "" {
		conds, args = append(conds, "o.source = ?"), append(args, q.Source)
	}
	if q.Industry != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM customers ic WHERE ic.id = o.customer_id AND ic.industry = ?)")
		args = append(args, q.Industry)
	}
	if q.ReachedStage > 0 {
		cond, err := s.reachedCond(ctx, q.ReachedStage)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, cond)
	}
	return strings.Join(conds, " AND "), args, nil
}

// OppPage is one page of opportunities.
type OppPage struct {
	Items       []*Opportunity `json:"items"`
	Total       int            `json:"total"`
	TotalCapped bool           `json:"total_capped"` // more than Total (countCap) match
	Page        int            `json:"page"`
	PerPage     int            `json:"per_page"`
}

// ListOpportunities returns one page of the opportunities u may see,
// newest first.
func (s *Store) ListOpportunities(ctx context.Context, u *User, q OppQuery) (*OppPage, error) {
	v, err := s.VisibilityFor(ctx, u)
	if err != nil {
		return nil, err
	}
	where, args, err := s.oppWhere(ctx, v, u, q)
	if err != nil {
		return nil, err
	}
	if q.PerPage <= 0 {
		q.PerPage = DefaultPerPage
	}
	q.PerPage, q.Page = min(q.PerPage, MaxPerPage), max(q.Page, 1)
	rows, err := s.r.QueryContext(ctx, `SELECT `+oppCols+oppJoins+` WHERE `+where+` ORDER BY o.id DESC LIMIT ? OFFSET ?`,
		append(args, q.PerPage, (q.Page-1)*q.PerPage)...)
	if err != nil {
		return nil, fmt.Errorf("store: list opportunities: %w", err)
	}
	defer rows.Close()
	page := &OppPage{Items: []*Opportunity{}, Page: q.Page, PerPage: q.PerPage}
	for rows.Next() {
		o, err := scanOpp(rows)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM opportunities o WHERE `+where+` LIMIT ?)`, append(args, countCap+1)...).Scan(&page.Total)
	if page.Total > countCap {
		page.Total, page.TotalCapped = countCap, true
	}
	return page, err
}

// BoardColumn is one open stage of the kanban board (销售看板).
type BoardColumn struct {
	Stage    *Stage         `json:"stage"`
	Count    int            `json:"count"`
	Amount   int64          `json:"amount"`
	Weighted int64          `json:"weighted"`
	Cards    []*Opportunity `json:"cards"`
}

// BoardCardLimit bounds the cards drawn per column; counts and totals
// always cover every opportunity.
const BoardCardLimit = 100

// BoardView is what the board page shows: the columns and the forecast in
// its header, both from one pass over the selected opportunities.
type BoardView struct {
	Columns  []*BoardColumn
	Forecast *Forecast
}

// Board returns the open stages with their visible open opportunities,
// soonest expected close first, count and totals per column, and the
// forecast over the same selection.
func (s *Store) Board(ctx context.Context, u *User, q OppQuery, lang string) (*BoardView, error) {
	where, args, err := s.openPipelineWhere(ctx, u, q)
	if err != nil {
		return nil, err
	}
	stages, err := s.Stages(ctx, lang)
	if err != nil {
		return nil, err
	}
	totals, err := s.stageTotals(ctx, where, args)
	if err != nil {
		return nil, err
	}
	view := &BoardView{Forecast: totals.forecast()}
	for _, st := range stages {
		if st.Kind != StageOpen {
			continue
		}
		t := totals[st.ID]
		col := &BoardColumn{Stage: st, Count: t.Count, Amount: t.Amount, Weighted: t.Weighted}
		if col.Cards, err = s.boardCards(ctx, where, args, st.ID, lang); err != nil {
			return nil, err
		}
		view.Columns = append(view.Columns, col)
	}
	return view, nil
}

// openPipelineWhere selects the open opportunities q and u's visibility
// admit, whatever stage they are in.
func (s *Store) openPipelineWhere(ctx context.Context, u *User, q OppQuery) (string, []any, error) {
	v, err := s.VisibilityFor(ctx, u)
	if err != nil {
		return "", nil, err
	}
	q.Status, q.StageID = OppOpen, 0
	return s.oppWhere(ctx, v, u, q)
}

// boardCards loads one column's first cards: the ids are picked from the
// board index first, then only those rows are read.
func (s *Store) boardCards(ctx context.Context, where string, args []any, stageID int64, lang string) ([]*Opportunity, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+oppCols+oppJoins+` WHERE o.id IN (
			SELECT o.id FROM opportunities o WHERE `+where+` AND o.stage_id = ?
			ORDER BY o.expected_close = '', o.expected_close, o.id LIMIT ?)
		ORDER BY o.expected_close = '', o.expected_close, o.id`, append(args, stageID, BoardCardLimit)...)
	if err != nil {
		return nil, fmt.Errorf("store: board cards: %w", err)
	}
	defer rows.Close()
	cards := []*Opportunity{}
	for rows.Next() {
		o, err := scanOpp(rows)
		if err != nil {
			return nil, err
		}
		o.Localize(lang)
		cards = append(cards, o)
	}
	return cards, rows.Err()
}

// Forecast sums the open pipeline (销售预测): total, weighted by
// probability, and what is expected to close this month and quarter.
type Forecast struct {
	OpenCount        int   `json:"open_count"`
	OpenAmount       int64 `json:"open_amount"`
	WeightedAmount   int64 `json:"weighted_amount"`
	ThisMonthAmount  int64 `json:"this_month_amount"`
	ThisMonthWeight  int64 `json:"this_month_weighted"`
	ThisQuarterAmt   int64 `json:"this_quarter_amount"`
	ThisQuarterWeigh int64 `json:"this_quarter_weighted"`
}

// stageTotal is one stage's share of the selected open pipeline.
type stageTotal struct {
	Count                          int
	Amount, Weighted               int64
	MonthAmount, MonthWeighted     int64
	QuarterAmount, QuarterWeighted int64
}

type stageTotals map[int64]stageTotal

// forecast adds the stages up; weighted sums are per opportunity
// (amount × probability / 100, rounded down) so they match row by row.
func (t stageTotals) forecast() *Forecast {
	var f Forecast
	for _, st := range t {
		f.OpenCount += st.Count
		f.OpenAmount += st.Amount
		f.WeightedAmount += st.Weighted
		f.ThisMonthAmount += st.MonthAmount
		f.ThisMonthWeight += st.MonthWeighted
		f.ThisQuarterAmt += st.QuarterAmount
		f.ThisQuarterWeigh += st.QuarterWeighted
	}
	return &f
}

// stageTotals counts and sums the selected opportunities per stage, with
// the parts expected to close this month and quarter, in one grouped pass
// over the board index (which covers every column read here). The index
// is named: the reports' (owner_id, status, closed_at, …) index shares its
// first columns, and SQLite picked that one, reading 30,000 table rows
// (46 → 100 ms for a department's board).
func (s *Store) stageTotals(ctx context.Context, where string, args []any) (stageTotals, error) {
	now := s.now().In(s.Location)
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, s.Location)
	qStart := time.Date(now.Year(), ((now.Month()-1)/3)*3+1, 1, 0, 0, 0, 0, s.Location)
	d := func(t time.Time) string { return t.Format("2006-01-02") }
	m0, m1, q0, q1 := d(monthStart), d(monthStart.AddDate(0, 1, -1)), d(qStart), d(qStart.AddDate(0, 3, -1))
	rows, err := s.r.QueryContext(ctx, `SELECT o.stage_id, count(*), COALESCE(sum(o.amount), 0), COALESCE(sum(o.amount * o.probability / 100), 0),
			COALESCE(sum(CASE WHEN o.expected_close BETWEEN ? AND ? THEN o.amount END), 0),
			COALESCE(sum(CASE WHEN o.expected_close BETWEEN ? AND ? THEN o.amount * o.probability / 100 END), 0),
			COALESCE(sum(CASE WHEN o.expected_close BETWEEN ? AND ? THEN o.amount END), 0),
			COALESCE(sum(CASE WHEN o.expected_close BETWEEN ? AND ? THEN o.amount * o.probability / 100 END), 0)
		FROM opportunities o INDEXED BY opportunities_board WHERE `+where+` GROUP BY o.stage_id`, append([]any{m0, m1, m0, m1, q0, q1, q0, q1}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: pipeline totals: %w", err)
	}
	defer rows.Close()
	out := stageTotals{}
	for rows.Next() {
		var id int64
		var t stageTotal
		if err := rows.Scan(&id, &t.Count, &t.Amount, &t.Weighted, &t.MonthAmount, &t.MonthWeighted, &t.QuarterAmount, &t.QuarterWeighted); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}

// Forecast computes the forecast over the opportunities q selects.
func (s *Store) Forecast(ctx context.Context, u *User, q OppQuery) (*Forecast, error) {
	where, args, err := s.openPipelineWhere(ctx, u, q)
	if err != nil {
		return nil, err
	}
	totals, err := s.stageTotals(ctx, where, args)
	if err != nil {
		return nil, err
	}
	return totals.forecast(), nil
}
