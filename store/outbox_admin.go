package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OutboxItem is one outbox row as the admin email page lists it.
type OutboxItem struct {
	ID          int64      `json:"id"`
	Address     string     `json:"address"`
	Subject     string     `json:"subject"`
	Kind        string     `json:"kind"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error"`
	Interrupted bool       `json:"interrupted"`
	Late        bool       `json:"late"`
	DueAt       time.Time  `json:"due_at"`
	SentAt      *time.Time `json:"sent_at"`
}

// OutboxStatus is the outbox at a glance: counts by status and the most
// recent failures.
type OutboxStatus struct {
	Counts   map[string]int `json:"counts"`
	Failures []*OutboxItem  `json:"failures"`
}

// OutboxStatus summarises the outbox for the admin (admin only).
func (s *Store) OutboxStatus(ctx context.Context, actor *User) (*OutboxStatus, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	st := &OutboxStatus{Counts: map[string]int{OutboxQueued: 0, OutboxSending: 0, OutboxSent: 0, OutboxFailed: 0, OutboxUnsubscribed: 0}}
	rows, err := s.r.QueryContext(ctx, `SELECT status, count(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: outbox counts: %w", err)
	}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return nil, err
		}
		st.Counts[k] = n
	}
	rows.Close()
	st.Failures, err = s.outboxItems(ctx, `WHERE status = 'failed' ORDER BY id DESC LIMIT 20`)
	return st, err
}

func (s *Store) outboxItems(ctx context.Context, tail string, args ...any) ([]*OutboxItem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, address, subject, kind, status, attempts, last_error, late, due_at, sent_at FROM outbox `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("store: outbox items: %w", err)
	}
	defer rows.Close()
	out := []*OutboxItem{}
	for rows.Next() {
		var it OutboxItem
		var due int64
		var sent sql.NullInt64
		if err := rows.Scan(&it.ID, &it.Address, &it.Subject, &it.Kind, &it.Status, &it.Attempts, &it.LastError, &it.Late, &due, &sent); err != nil {
			return nil, err
		}
		it.DueAt, it.SentAt, it.Interrupted = time.Unix(due, 0).UTC(), nullTime(sent), it.LastError == interrupted
		out = append(out, &it)
	}
	return out, rows.Err()
}

// RetryOutbox puts a failed email back in the queue for a fresh set of
// attempts (admin only) — also one marked interrupted, once the admin
// judged that it did not leave.
func (s *Store) RetryOutbox(ctx context.Context, actor *User, id int64) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var address string
		err := tx.QueryRowContext(ctx, `UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ?, lease_until = NULL
			WHERE id = ? AND status = 'failed' RETURNING address`, s.now().Unix(), id).Scan(&address)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: retry outbox %d: %w", id, err)
		}
		return audit(ctx, tx, s.now().Unix(), AuditEntry{Action: AuditRetry, Entity: "outbox", EntityID: id, Detail: address, ActorID: actor.ID})
	})
}

// OutboxFor lists the outbox rows addressed to address, newest first (for
// tests and support).
func (s *Store) OutboxFor(ctx context.Context, address string) ([]*OutboxItem, error) {
	return s.outboxItems(ctx, `WHERE lower(address) = ? ORDER BY id DESC`, NormalizeEmail(address))
}
