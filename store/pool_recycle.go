package store

import (
	"context"
	"database/sql"
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
// in one transaction, with statements prepared once for the batch. It
// returns the customers recycled and the last id looked at (0: none left).
func (s *Store) recycleBatch(ctx context.Context, p *Pool, levels []string, after int64) (done []candidate, last int64, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		cands, err := s.candidates(ctx, tx, p, levels, now, recycleBatch, " AND c.id > ?", after)
		if err != nil || len(cands) == 0 {
			return err
		}
		last = cands[len(cands)-1].id
		update, err := tx.PrepareContext(ctx, `UPDATE customers SET owner_id = NULL, pool_id = ?, home_pool_id = ?, previous_owner_id = owner_id,
				pool_entered_at = ?, owned_since = NULL, locked = 0, recycle_count = recycle_count + 1, updated_at = ?, version = version + 1
			WHERE id = ? AND owner_id = ? AND locked = 0`)
		if err != nil {
			return err
		}
		defer update.Close()
		move, err := tx.PrepareContext(ctx, `INSERT INTO pool_moves (customer_id, pool_id, action, from_user_id, reason, at) VALUES (?, ?, 'recycle', ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer move.Close()
		effects, err := newMoveRecorder(ctx, tx, "recycle")
		if err != nil {
			return err
		}
		defer effects.Close()
		for _, c := range cands {
			due, ok := p.NextRecycle(c.facts)
			if !ok || due.At.After(now) {
				continue
			}
			res, err := update.ExecContext(ctx, p.ID, p.ID, now.Unix(), now.Unix(), c.id, c.owner)
			if err != nil {
				return fmt.Errorf("store: recycle %d: %w", c.id, err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				continue // claimed, released, locked or transferred meanwhile
			}
			if _, err := move.ExecContext(ctx, c.id, p.ID, c.owner, due.Rule, now.Unix()); err != nil {
				return fmt.Errorf("store: recycle move %d: %w", c.id, err)
			}
			if err := effects.record(ctx, poolMove{customerID: c.id, poolID: &p.ID, action: "recycle", reason: due.Rule, at: now.Unix()}); err != nil {
				return err
			}
			c.rule = due.Rule
			done = append(done, c)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return done, last, nil
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
