package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// PoolMove is one row of a pool's history as the API shows it.
type PoolMove struct {
	ID       int64     `json:"id"`
	Customer Ref       `json:"customer"`
	Action   string    `json:"action"`
	FromUser *Ref      `json:"from_user"`
	ToUser   *Ref      `json:"to_user"`
	Actor    *Ref      `json:"actor"`
	Reason   string    `json:"reason"`
	Note     string    `json:"note"`
	At       time.Time `json:"at"`
}

// PoolHistory lists a visible pool's moves, newest first, before the
// given move id (0: from the newest) — keyset paging for long histories.
func (s *Store) PoolHistory(ctx context.Context, u *User, poolID int64, action string, before int64, limit int) ([]*PoolMove, error) {
	if _, err := s.Pool(ctx, u, poolID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxPerPage {
		limit = 50
	}
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.r.QueryContext(ctx, `SELECT m.id, m.customer_id, c.name, m.action, m.from_user_id, COALESCE(fu.name, ''),
			m.to_user_id, COALESCE(tu.name, ''), m.actor_id, COALESCE(a.name, ''), m.reason, m.note, m.at
		FROM pool_moves m JOIN customers c ON c.id = m.customer_id
		LEFT JOIN users fu ON fu.id = m.from_user_id LEFT JOIN users tu ON tu.id = m.to_user_id LEFT JOIN users a ON a.id = m.actor_id
		WHERE m.pool_id = ? AND m.id < ? AND (? = '' OR m.action = ?) ORDER BY m.id DESC LIMIT ?`, poolID, before, action, action, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pool %d history: %w", poolID, err)
	}
	defer rows.Close()
	out := []*PoolMove{}
	for rows.Next() {
		var m PoolMove
		var from, to, actor sql.NullInt64
		var fromName, toName, actorName string
		var at int64
		if err := rows.Scan(&m.ID, &m.Customer.ID, &m.Customer.Name, &m.Action, &from, &fromName, &to, &toName, &actor, &actorName, &m.Reason, &m.Note, &at); err != nil {
			return nil, err
		}
		m.FromUser, m.ToUser, m.Actor, m.At = refOf(from, fromName), refOf(to, toName), refOf(actor, actorName), time.Unix(at, 0).UTC()
		out = append(out, &m)
	}
	return out, rows.Err()
}

// PoolStats are a pool's turnover figures for a period (流转率).
type PoolStats struct {
	Entered            int           `json:"entered"`
	Claimed            int           `json:"claimed"`
	Released           int           `json:"released"`
	Recycled           int           `json:"recycled"`
	Assigned           int           `json:"assigned"`
	InPool             int           `json:"in_pool"`
	MedianHoursToClaim *float64      `json:"median_hours_to_claim"`
	ReleaseReasons     []ReasonCount `json:"release_reasons"`
	RecycleRules       []ReasonCount `json:"recycle_rules"`
	ClaimsByUser       []UserCount   `json:"claims_by_user"`
	byAction           map[string]int
}

// ReasonCount counts moves by reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// UserCount counts moves by user.
type UserCount struct {
	User  Ref `json:"user"`
	Count int `json:"count"`
}

// PoolStats computes turnover of a visible pool between from and to.
// "Entered" counts every arrival: new leads, imports, releases, recycles.
func (s *Store) PoolStats(ctx context.Context, u *User, poolID int64, from, to time.Time) (*PoolStats, error) {
	p, err := s.Pool(ctx, u, poolID)
	if err != nil {
		return nil, err
	}
	st := &PoolStats{InPool: p.InPool, ReleaseReasons: []ReasonCount{}, RecycleRules: []ReasonCount{}, ClaimsByUser: []UserCount{}, byAction: map[string]int{}}
	rows, err := s.r.QueryContext(ctx, `SELECT action, reason, count(*) FROM pool_moves WHERE pool_id = ? AND at >= ? AND at < ? GROUP BY action, reason`,
		poolID, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: pool %d stats: %w", poolID, err)
	}
	for rows.Next() {
		var action, reason string
		var n int
		if err := rows.Scan(&action, &reason, &n); err != nil {
			rows.Close()
			return nil, err
		}
		st.byAction[action] += n
		switch action {
		case "release":
			st.ReleaseReasons = append(st.ReleaseReasons, ReasonCount{reason, n})
		case "recycle":
			st.RecycleRules = append(st.RecycleRules, ReasonCount{reason, n})
		}
	}
	rows.Close()
	st.Claimed, st.Released, st.Recycled, st.Assigned = st.byAction["claim"], st.byAction["release"], st.byAction["recycle"], st.byAction["assign"]
	st.Entered = st.byAction["enter"] + st.byAction["import"] + st.Released + st.Recycled
	sort.Slice(st.ReleaseReasons, func(i, j int) bool { return st.ReleaseReasons[i].Count > st.ReleaseReasons[j].Count })
	if st.ClaimsByUser, err = s.claimsByUser(ctx, poolID, from, to); err != nil {
		return nil, err
	}
	st.MedianHoursToClaim, err = s.medianClaimWait(ctx, "m.pool_id = ? AND m.at >= ? AND m.at < ?", poolID, from.Unix(), to.Unix())
	return st, err
}

func (s *Store) claimsByUser(ctx context.Context, poolID int64, from, to time.Time) ([]UserCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT m.to_user_id, COALESCE(u.name, ''), count(*) FROM pool_moves m LEFT JOIN users u ON u.id = m.to_user_id
		WHERE m.pool_id = ? AND m.action = 'claim' AND m.at >= ? AND m.at < ? GROUP BY m.to_user_id ORDER BY 3 DESC LIMIT 50`, poolID, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []UserCount{}
	for rows.Next() {
		var c UserCount
		if err := rows.Scan(&c.User.ID, &c.User.Name, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OwnedByHomePool counts owned, unlocked customers per home pool: the
// customers each pool's recycle rules watch.
func (s *Store) OwnedByHomePool(ctx context.Context) (map[int64]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT home_pool_id, count(*) FROM customers
		WHERE owner_id IS NOT NULL AND locked = 0 AND deleted_at IS NULL AND home_pool_id IS NOT NULL GROUP BY home_pool_id`)
	if err != nil {
		return nil, fmt.Errorf("store: owned by home pool: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
