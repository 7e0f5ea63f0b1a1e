package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// FollowupKinds are the ways a salesperson follows up (跟进方式).
var FollowupKinds = []string{"call", "visit", "meeting", "email", "wechat", "other"}

// Followup is one logged contact with a customer (跟进记录).
type Followup struct {
	ID          int64      `json:"id"`
	CustomerID  int64      `json:"customer_id"`
	ContactID   *int64     `json:"contact_id"`
	ContactName string     `json:"contact_name,omitempty"`
	Kind        string     `json:"kind"`
	Content     string     `json:"content"`
	At          time.Time  `json:"at"`
	NextAt      *time.Time `json:"next_at"`
	By          *Ref       `json:"by"`
	CreatedAt   time.Time  `json:"created_at"`
}

// FollowupInput is a new follow-up. At defaults to now; it may be in the
// past (logging yesterday's call) but never in the future.
type FollowupInput struct {
	Kind      string     `json:"kind"`
	Content   string     `json:"content"`
	At        *time.Time `json:"at"`
	NextAt    *time.Time `json:"next_at"`
	ContactID *int64     `json:"contact_id"`
	// TaskID is an open task of this customer the follow-up answers; it
	// is completed with the follow-up.
	TaskID *int64 `json:"task_id"`
	// NextTask, when set, is created for the customer with the follow-up.
	NextTask *TaskInput `json:"-"`
}

// futureSlack tolerates clock differences between browser and server.
const futureSlack = 5 * time.Minute

// AddFollowup logs a follow-up and keeps the customer's last/next
// follow-up times current, in one transaction.
func (s *Store) AddFollowup(ctx context.Context, actor *User, customerID int64, in FollowupInput) (*Followup, error) {
	in.Content = strings.TrimSpace(in.Content)
	now := s.now()
	at := now
	if in.At != nil {
		at = in.At.UTC()
	}
	fe := fieldErrors{}
	if !oneOf(in.Kind, FollowupKinds) {
		fe.add("kind", "err.followup_kind")
	}
	if in.Content == "" {
		fe.add("content", "err.required")
	} else if utf8.RuneCountInString(in.Content) > 5000 {
		fe.add("content", "err.too_long", "Max", 5000)
	}
	if at.After(now.Add(futureSlack)) {
		fe.add("at", "err.followup_future")
	}
	if in.NextAt != nil && !in.NextAt.After(at) {
		fe.add("next_at", "err.next_before_at")
	}
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.editableCustomer(ctx, tx, actor, customerID); err != nil {
			return err
		}
		if in.ContactID != nil {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM contacts WHERE id = ? AND customer_id = ?`, *in.ContactID, customerID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				fe.add("contact_id", "err.contact_unknown")
			}
		}
		if err := fe.err(); err != nil {
			return err
		}
		var next any
		if in.NextAt != nil {
			next = in.NextAt.UTC().Unix()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO followups (customer_id, contact_id, kind, content, at, next_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, customerID, in.ContactID, in.Kind, in.Content, at.Unix(), next, actor.ID, now.Unix())
		if err != nil {
			return fmt.Errorf("store: insert follow-up: %w", err)
		}
		id, _ = res.LastInsertId()
		// The latest follow-up wins for last_followup_at; a back-dated one
		// does not move it backwards. A new next-time replaces the old one.
		_, err = tx.ExecContext(ctx, `UPDATE customers SET
				last_followup_at = max(COALESCE(last_followup_at, 0), ?),
				next_followup_at = CASE WHEN ? IS NOT NULL THEN ? WHEN next_followup_at <= ? THEN NULL ELSE next_followup_at END,
				updated_at = ?
			WHERE id = ?`, at.Unix(), next, next, at.Unix(), now.Unix(), customerID)
		if err != nil {
			return fmt.Errorf("store: follow-up times of %d: %w", customerID, err)
		}
		if err := audit(ctx, tx, now.Unix(), AuditEntry{Action: AuditCreate, Entity: "followup", EntityID: id,
			Detail: M("audit.detail.followup", "Customer", customerID, "Kind", M(followupKindKey(in.Kind))).Encode(), ActorID: actor.ID}); err != nil {
			return err
		}
		return s.followupTasksTx(ctx, tx, actor, customerID, id, in)
	})
	if err != nil {
		return nil, err
	}
	list, err := s.followups(ctx, `f.id = ?`, 1, id)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}

// Followups lists a visible customer's follow-ups, newest first (at most
// limit; 0 means 200).
func (s *Store) Followups(ctx context.Context, u *User, customerID int64, limit int) ([]*Followup, error) {
	if _, err := s.Customer(ctx, u, customerID); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 200
	}
	list, err := s.followups(ctx, `f.customer_id = ?`, limit, customerID)
	if list == nil && err == nil {
		list = []*Followup{}
	}
	return list, err
}

func (s *Store) followups(ctx context.Context, where string, limit int, args ...any) ([]*Followup, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT f.id, f.customer_id, f.contact_id, COALESCE(ct.name, ''), f.kind, f.content, f.at, f.next_at,
			f.created_by, COALESCE(u.name, ''), f.created_at
		FROM followups f LEFT JOIN contacts ct ON ct.id = f.contact_id LEFT JOIN users u ON u.id = f.created_by
		WHERE `+where+` ORDER BY f.at DESC, f.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: follow-ups: %w", err)
	}
	defer rows.Close()
	var out []*Followup
	for rows.Next() {
		var f Followup
		var contact, next, by sql.NullInt64
		var byName string
		var at, created int64
		if err := rows.Scan(&f.ID, &f.CustomerID, &contact, &f.ContactName, &f.Kind, &f.Content, &at, &next, &by, &byName, &created); err != nil {
			return nil, err
		}
		if contact.Valid {
			f.ContactID = &contact.Int64
		}
		if by.Valid {
			f.By = &Ref{ID: by.Int64, Name: byName}
		}
		f.At, f.CreatedAt, f.NextAt = time.Unix(at, 0).UTC(), time.Unix(created, 0).UTC(), nullTime(next)
		out = append(out, &f)
	}
	return out, rows.Err()
}
