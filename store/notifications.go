package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Notification is one in-app notice (通知) for one user. The title is a
// catalogue key with arguments, translated when shown.
type Notification struct {
	ID       int64          `json:"id"`
	UserID   int64          `json:"-"`
	Kind     string         `json:"kind"`
	TitleKey string         `json:"-"`
	Args     map[string]any `json:"-"`
	Link     string         `json:"link"`
	DedupKey string         `json:"-"`
	// DueAt is when what it tells of fell due (unix seconds), when that is
	// earlier than its writing: the email copy's lateness counts from it.
	DueAt     int64      `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// notify stores a notification inside the caller's transaction. With a
// DedupKey it is written at most once, ever. When the recipient wants
// this kind by email too, the email is queued in the same transaction.
func notify(ctx context.Context, tx *sql.Tx, n Notification, now int64) error {
	args, _ := json.Marshal(n.Args)
	var dedup any
	if n.DedupKey != "" {
		dedup = n.DedupKey
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO notifications (user_id, kind, title_key, args, link, dedup_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`, n.UserID, n.Kind, n.TitleKey, string(args), n.Link, dedup, now)
	if err != nil {
		return fmt.Errorf("store: notify %d: %w", n.UserID, err)
	}
	if added, _ := res.RowsAffected(); added == 1 {
		id, _ := res.LastInsertId()
		return emailNotification(ctx, tx, n, id, now) // outbox.go: the email copy, when wanted
	}
	return nil
}

// Notifications lists a user's notifications, newest first.
func (s *Store) Notifications(ctx context.Context, u *User, unreadOnly bool, limit int) ([]*Notification, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := `SELECT id, kind, title_key, args, link, created_at, read_at FROM notifications WHERE user_id = ?`
	if unreadOnly {
		q += ` AND read_at IS NULL`
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, u.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: notifications of %d: %w", u.ID, err)
	}
	defer rows.Close()
	out := []*Notification{}
	for rows.Next() {
		var n Notification
		var args string
		var created int64
		var read sql.NullInt64
		if err := rows.Scan(&n.ID, &n.Kind, &n.TitleKey, &args, &n.Link, &created, &read); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(args), &n.Args)
		n.UserID, n.CreatedAt, n.ReadAt = u.ID, time.Unix(created, 0).UTC(), nullTime(read)
		out = append(out, &n)
	}
	return out, rows.Err()
}

// UnreadCount is the number on the bell in the header.
func (s *Store) UnreadCount(ctx context.Context, u *User) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, u.ID).Scan(&n)
	return n, err
}

// MarkRead marks the given notifications (or all, when ids is empty and
// all is true) of u as read.
func (s *Store) MarkRead(ctx context.Context, u *User, ids []int64, all bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		if all {
			_, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, now, u.ID)
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`, now, id, u.ID); err != nil {
				return err
			}
		}
		return nil
	})
}
