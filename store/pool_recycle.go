package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// recycleBatch bounds one recycle transaction, so page loads and claims
// wait at most one short batch for the writer.
const recycleBatch = 400

// RecycleResult summarises one recycle pass.
type RecycleResult struct {
	Recycled int `json:"recycled"`
	Warned   int `json:"warned"`
}

// RecycleDue returns owned customers to their home pool wherever a rule
// of that pool fires (自动回收), and warns owners recycle_warn_days before.
// It is idempotent (a second pass right after finds nothing), catches up
// after downtime by construction (it compares with now, not with the last
// run), and the scheduler and the admin's "run now" both call it.
func (s *Store) RecycleDue(ctx context.Context) (RecycleResult, error) {
	var res RecycleResult
	pools, err := queryInt64s(ctx, s.r, `SELECT id FROM pools ORDER BY id`)
	if err != nil {
		return res, fmt.Errorf("store: recycle: %w", err)
	}
	for _, pid := range pools {
		p, err := poolRules(ctx, s.r, pid)
		if err != nil {
			return res, err
		}
		n, err := s.recyclePool(ctx, p)
		res.Recycled += n
		if err != nil {
			return res, err
		}
		w, err := s.warnPool(ctx, p)
		res.Warned += w
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// candidate is an owned customer a recycle rule may apply to.
type candidate struct {
	id, owner int64
	name      string
	facts     RecycleFacts
	rule      string // the rule that recycled it
}

// candidates finds owned, unlocked customers of pool p with one of the
// given levels for which a rule fires by instant asOf, up to limit, in id
// order.
func (s *Store) candidates(ctx context.Context, q querier, p *Pool, levels []string, asOf time.Time, limit int, extra string, extraArgs ...any) ([]candidate, error) {
	var out []candidate
	noFollowup, noDeal := p.days(levels[0])
	if noFollowup == 0 && noDeal == 0 {
		return nil, nil
	}
	conds := []string{}
	args := []any{p.ID}
	if noFollowup > 0 {
		conds = append(conds, "max(COALESCE(c.last_followup_at, 0), COALESCE(c.owned_since, c.created_at)) <= ?")
		args = append(args, asOf.AddDate(0, 0, -noFollowup).Unix())
	}
	if noDeal > 0 {
		conds = append(conds, "(c.status != 'customer' AND COALESCE(c.owned_since, c.created_at) <= ?)")
		args = append(args, asOf.AddDate(0, 0, -noDeal).Unix())
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(levels)), ",")
	for _, l := range levels {
		args = append(args, l)
	}
	args = append(args, extraArgs...)
	args = append(args, limit-len(out))
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.owner_id, c.name, c.level, c.status, COALESCE(c.owned_since, c.created_at), c.last_followup_at
			FROM customers c WHERE c.home_pool_id = ? AND c.owner_id IS NOT NULL AND c.locked = 0 AND c.deleted_at IS NULL
			AND (`+strings.Join(conds, " OR ")+`) AND c.level IN (`+marks+`)`+extra+` ORDER BY c.id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: recycle candidates of pool %d: %w", p.ID, err)
	}
	for rows.Next() {
		var c candidate
		var owned int64
		var last sql.NullInt64
		if err := rows.Scan(&c.id, &c.owner, &c.name, &c.facts.Level, &c.facts.Status, &owned, &last); err != nil {
			rows.Close()
			return nil, err
		}
		c.facts.OwnedSince, c.facts.LastFollowupAt = time.Unix(owned, 0), nullTime(last)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// recyclePool recycles pool p's due customers in batches, one level group
// at a time, walking the customers in id order so no row is looked at
// twice. Owners get one notification per pass: the customer's name when
// they lost one, a count when they lost several.
func (s *Store) recyclePool(ctx context.Context, p *Pool) (int, error) {
	total := 0
	lost := map[int64][]candidate{}
	for _, levels := range p.levelGroups() {
		var after int64
		for {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			done, last, err := s.recycleBatch(ctx, p, levels, after)
			total += len(done)
			for _, c := range done {
				lost[c.owner] = append(lost[c.owner], c)
			}
			if err != nil {
				return total, err
			}
			if last == 0 {
				break
			}
			after = last
		}
	}
	if total > 0 {
		err := s.Audit(ctx, AuditEntry{Action: "recycle", Entity: "pool", EntityID: p.ID, Detail: M("audit.detail.recycled", "Count", total).Encode()})
		if err != nil {
			return total, err
		}
	}
	return total, s.notifyRecycled(ctx, p, lost)
}

// recycleBatch recycles up to recycleBatch due customers with id > after
// in one transaction. It returns the customers recycled and the last id
// looked at (0: none left).
//
// The rule (NextRecycle) is applied in Go; the writes are two set-based
// statements per batch, not two per customer: at 100,000 customers the
// per-statement cost (binding, stepping, the driver's locks) was a third
// of the pass. Nothing can change between reading the candidates and the
// update, since both run in this transaction on the one writer; the
// update still names each customer's owner and unlocked state, and only
// the rows it returns get a history row.
func (s *Store) recycleBatch(ctx context.Context, p *Pool, levels []string, after int64) (done []candidate, last int64, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		cands, err := s.candidates(ctx, tx, p, levels, now, recycleBatch, " AND c.id > ?", after)
		if err != nil || len(cands) == 0 {
			return err
		}
		last = cands[len(cands)-1].id
		due := dueNow(p, cands, now)
		if len(due) == 0 {
			return nil
		}
		done, err = recycleRows(ctx, tx, p, due, now.Unix())
		if err != nil {
			return err
		}
		return recordRecycled(ctx, tx, p, done, now.Unix())
	})
	if err != nil {
		return nil, 0, err
	}
	return done, last, nil
}

// dueNow keeps the candidates a rule of p recycles by now, with the rule.
func dueNow(p *Pool, cands []candidate, now time.Time) []candidate {
	var out []candidate
	for _, c := range cands {
		if due, ok := p.NextRecycle(c.facts); ok && !due.At.After(now) {
			c.rule = due.Rule
			out = append(out, c)
		}
	}
	return out
}

// recycleRows returns the given customers to pool p in one UPDATE and
// reports those it changed.
func recycleRows(ctx context.Context, tx *sql.Tx, p *Pool, due []candidate, now int64) ([]candidate, error) {
	pairs := make([][2]int64, len(due))
	byID := make(map[int64]candidate, len(due))
	for i, c := range due {
		pairs[i] = [2]int64{c.id, c.owner}
		byID[c.id] = c
	}
	list, err := json.Marshal(pairs)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `UPDATE customers SET owner_id = NULL, pool_id = ?, previous_owner_id = owner_id,
			pool_entered_at = ?, owned_since = NULL, recycle_count = recycle_count + 1, updated_at = ?, version = version + 1
		FROM (SELECT value ->> 0 AS id, value ->> 1 AS owner FROM json_each(?)) AS d
		WHERE customers.id = d.id AND customers.owner_id = d.owner AND customers.locked = 0 AND customers.home_pool_id = ?
		RETURNING customers.id`, p.ID, now, now, string(list), p.ID)
	if err != nil {
		return nil, fmt.Errorf("store: recycle: %w", err)
	}
	defer rows.Close()
	var done []candidate
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		done = append(done, byID[id])
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recycle: %w", err)
	}
	sort.Slice(done, func(i, j int) bool { return done[i].id < done[j].id })
	return done, nil
}

// recordRecycled writes the pool history rows of a batch in one INSERT and
// queues each customer's webhook event when someone subscribes to it.
func recordRecycled(ctx context.Context, tx *sql.Tx, p *Pool, done []candidate, now int64) error {
	if len(done) == 0 {
		return nil
	}
	moves := make([][3]any, len(done))
	for i, c := range done {
		moves[i] = [3]any{c.id, c.owner, c.rule}
	}
	list, err := json.Marshal(moves)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO pool_moves (customer_id, pool_id, action, from_user_id, reason, at)
		SELECT value ->> 0, ?, 'recycle', value ->> 1, value ->> 2, ? FROM json_each(?)`, p.ID, now, string(list)); err != nil {
		return fmt.Errorf("store: recycle history: %w", err)
	}
	effects, err := newMoveRecorder(ctx, tx, "recycle")
	if err != nil {
		return err
	}
	defer effects.Close()
	if !effects.active() {
		return nil
	}
	for _, c := range done {
		if err := effects.record(ctx, poolMove{customerID: c.id, poolID: &p.ID, action: "recycle", reason: c.rule, at: now}); err != nil {
			return err
		}
	}
	return nil
}

// notifyRecycled tells each former owner what the pass took from them.
func (s *Store) notifyRecycled(ctx context.Context, p *Pool, lost map[int64][]candidate) error {
	if len(lost) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		for owner, cs := range lost {
			n := Notification{UserID: owner, Kind: "recycled", TitleKey: "notify.recycled",
				Args: map[string]any{"Customer": cs[0].name, "Pool": p.Name, "Rule": cs[0].rule}, Link: customerLink(cs[0].id)}
			if len(cs) > 1 {
				n.TitleKey, n.Args, n.Link = "notify.recycled_many", map[string]any{"Count": len(cs), "Pool": p.Name}, fmt.Sprintf("/pools/%d", p.ID)
			}
			if err := notify(ctx, tx, n, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// warnPool notifies owners whose customers a rule will recycle within the
// pool's warning days — once per customer, rule and due date.
func (s *Store) warnPool(ctx context.Context, p *Pool) (int, error) {
	if p.RecycleWarnDays <= 0 {
		return 0, nil
	}
	warned := 0
	for _, levels := range p.levelGroups() {
		n, err := s.warnLevels(ctx, p, levels)
		warned += n
		if err != nil {
			return warned, err
		}
	}
	return warned, nil
}

// warnLevels warns about the customers of one level group, in pages.
func (s *Store) warnLevels(ctx context.Context, p *Pool, levels []string) (int, error) {
	now := s.now()
	horizon := now.AddDate(0, 0, p.RecycleWarnDays)
	warned := 0
	var after int64
	for {
		cands, err := s.candidates(ctx, s.r, p, levels, horizon, 2000, " AND c.id > ?", after)
		if err != nil || len(cands) == 0 {
			return warned, err
		}
		after = cands[len(cands)-1].id
		err = s.tx(ctx, func(tx *sql.Tx) error {
			for _, c := range cands {
				due, ok := p.NextRecycle(c.facts)
				if !ok || due.At.Before(now) || due.At.After(horizon) {
					continue
				}
				days := int(due.At.Sub(now).Hours()/24) + 1
				key := fmt.Sprintf("recycle_warn:%d:%s:%d", c.id, due.Rule, due.At.Unix())
				if err := notify(ctx, tx, Notification{UserID: c.owner, Kind: "recycle_warning", TitleKey: "notify.recycle_warning",
					Args: map[string]any{"Customer": c.name, "Days": days, "Pool": p.Name, "Rule": due.Rule},
					Link: customerLink(c.id), DedupKey: key}, now.Unix()); err != nil {
					return err
				}
				warned++
			}
			return nil
		})
		if err != nil {
			return warned, err
		}
	}
}

// PreviewItem is one customer a pool's rules would send back by a date.
type PreviewItem struct {
	Customer Ref       `json:"customer"`
	Owner    Ref       `json:"owner"`
	Rule     string    `json:"rule"`
	DueAt    time.Time `json:"due_at"`
}

// RecyclePreview lists the owned customers (that u may see) which pool
// poolID's rules would send back by asOf, soonest first.
func (s *Store) RecyclePreview(ctx context.Context, u *User, poolID int64, asOf time.Time) ([]PreviewItem, error) {
	p, err := s.Pool(ctx, u, poolID)
	if err != nil {
		return nil, err
	}
	v, err := s.VisibilityFor(ctx, u)
	if err != nil {
		return nil, err
	}
	var cands []candidate
	for _, levels := range p.levelGroups() {
		more, err := s.candidates(ctx, s.r, p, levels, asOf, 1000, " AND "+v.ownedClause())
		if err != nil {
			return nil, err
		}
		cands = append(cands, more...)
	}
	out := []PreviewItem{}
	for _, c := range cands {
		due, ok := p.NextRecycle(c.facts)
		if !ok || due.At.After(asOf) {
			continue
		}
		out = append(out, PreviewItem{Customer: Ref{ID: c.id, Name: c.name}, Owner: Ref{ID: c.owner, Name: userName(ctx, s.r, c.owner)},
			Rule: due.Rule, DueAt: due.At.UTC()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DueAt.Before(out[j].DueAt) })
	return out, nil
}

// RecycleCountdown says when an owned customer will go back to its pool,
// for the "12 天后退回公海" countdown; nil when no rule applies.
func (s *Store) RecycleCountdown(ctx context.Context, c *Customer) (*RecycleDue, error) {
	if c.Owner == nil || c.HomePoolID == nil || c.OwnedSince == nil {
		return nil, nil
	}
	p, err := poolRules(ctx, s.r, *c.HomePoolID)
	if err != nil {
		return nil, err
	}
	due, ok := p.NextRecycle(RecycleFacts{Level: c.Level, Status: c.Status, Locked: c.Locked, OwnedSince: *c.OwnedSince, LastFollowupAt: c.LastFollowupAt})
	if !ok {
		return nil, nil
	}
	return &due, nil
}
