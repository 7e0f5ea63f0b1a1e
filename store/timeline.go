package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// TimelineItem is one entry of a customer's timeline (时间线): a follow-up,
// a change, or a pool move.
type TimelineItem struct {
	Kind     string     `json:"kind"` // followup, created, updated, transferred, contact_*, deleted, or a pool action
	At       time.Time  `json:"at"`
	Actor    *Ref       `json:"actor"`
	Changes  []Change   `json:"changes,omitempty"`
	Note     string     `json:"note,omitempty"`
	Followup *Followup  `json:"followup,omitempty"`
	Move     *MoveEntry `json:"move,omitempty"`
	id       int64
	rank     int // orders items of the same second: creation first, follow-ups last
}

// MoveEntry is a pool move as the timeline shows it.
type MoveEntry struct {
	Action   string `json:"action"`
	Pool     *Ref   `json:"pool"`
	FromUser *Ref   `json:"from_user"`
	ToUser   *Ref   `json:"to_user"`
	Reason   string `json:"reason"`
	Note     string `json:"note"`
}

// Timeline returns everything that happened to a visible customer, newest
// first: follow-ups, edits (field, old, new), transfers and pool moves.
func (s *Store) Timeline(ctx context.Context, u *User, customerID int64, limit int) ([]*TimelineItem, error) {
	if _, err := s.Customer(ctx, u, customerID); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 200
	}
	var items []*TimelineItem
	fus, err := s.followups(ctx, `f.customer_id = ?`, limit, customerID)
	if err != nil {
		return nil, err
	}
	for _, f := range fus {
		items = append(items, &TimelineItem{Kind: "followup", At: f.At, Actor: f.By, Followup: f, id: f.ID, rank: 3})
	}
	evs, err := s.events(ctx, customerID, limit)
	if err != nil {
		return nil, err
	}
	items = append(items, evs...)
	moves, err := s.moves(ctx, customerID, limit)
	if err != nil {
		return nil, err
	}
	items = append(items, moves...)
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if !a.At.Equal(b.At) {
			return a.At.After(b.At)
		}
		if a.rank != b.rank {
			return a.rank > b.rank
		}
		return a.id > b.id
	})
	if len(items) > limit {
		items = items[:limit]
	}
	return items, nil
}

func (s *Store) events(ctx context.Context, customerID int64, limit int) ([]*TimelineItem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT e.id, e.kind, e.actor_id, COALESCE(u.name, ''), e.changes, e.note, e.at
		FROM customer_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.customer_id = ? ORDER BY e.at DESC, e.id DESC LIMIT ?`, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events of %d: %w", customerID, err)
	}
	defer rows.Close()
	var out []*TimelineItem
	for rows.Next() {
		var it TimelineItem
		var actor sql.NullInt64
		var actorName, changes string
		var at int64
		if err := rows.Scan(&it.id, &it.Kind, &actor, &actorName, &changes, &it.Note, &at); err != nil {
			return nil, err
		}
		if actor.Valid {
			it.Actor = &Ref{ID: actor.Int64, Name: actorName}
		}
		_ = json.Unmarshal([]byte(changes), &it.Changes)
		it.At, it.rank = time.Unix(at, 0).UTC(), 2
		if it.Kind == "created" {
			it.rank = 0
		}
		out = append(out, &it)
	}
	return out, rows.Err()
}

func (s *Store) moves(ctx context.Context, customerID int64, limit int) ([]*TimelineItem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT m.id, m.action, m.pool_id, COALESCE(p.name, ''), m.from_user_id, COALESCE(fu.name, ''),
			m.to_user_id, COALESCE(tu.name, ''), m.actor_id, COALESCE(a.name, ''), m.reason, m.note, m.at
		FROM pool_moves m LEFT JOIN pools p ON p.id = m.pool_id LEFT JOIN users fu ON fu.id = m.from_user_id
		LEFT JOIN users tu ON tu.id = m.to_user_id LEFT JOIN users a ON a.id = m.actor_id
		WHERE m.customer_id = ? AND m.action NOT IN ('create', 'transfer') ORDER BY m.at DESC, m.id DESC LIMIT ?`, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: moves of %d: %w", customerID, err)
	}
	defer rows.Close()
	var out []*TimelineItem
	for rows.Next() {
		var it TimelineItem
		var mv MoveEntry
		var pool, from, to, actor sql.NullInt64
		var poolName, fromName, toName, actorName string
		var at int64
		if err := rows.Scan(&it.id, &mv.Action, &pool, &poolName, &from, &fromName, &to, &toName, &actor, &actorName, &mv.Reason, &mv.Note, &at); err != nil {
			return nil, err
		}
		mv.Pool, mv.FromUser, mv.ToUser = refOf(pool, poolName), refOf(from, fromName), refOf(to, toName)
		it.Kind, it.Actor, it.Move, it.At, it.rank = "pool_"+mv.Action, refOf(actor, actorName), &mv, time.Unix(at, 0).UTC(), 1
		out = append(out, &it)
	}
	return out, rows.Err()
}

func refOf(id sql.NullInt64, name string) *Ref {
	if !id.Valid {
		return nil
	}
	return &Ref{ID: id.Int64, Name: name}
}
