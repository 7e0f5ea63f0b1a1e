package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EmailKinds are the notification kinds a user may also get by email, in
// the order the profile page lists them.
var EmailKinds = []string{"task_reminder", "followup_due", "assigned", "transferred_in", "transferred_out",
	"recycle_warning", "recycled", "birthday"}

// DefaultEmailKinds come by email until the user chooses otherwise.
var DefaultEmailKinds = []string{"task_reminder", "assigned", "recycle_warning"}

// MailPrefs are one user's email choices (邮件提醒设置).
type MailPrefs struct {
	Kinds    []string `json:"email_kinds"`
	Digest   bool     `json:"daily_digest"`
	TimeZone string   `json:"time_zone"` // "" = the company's
}

// MailPrefs returns u's email preferences (the defaults when never saved).
func (s *Store) MailPrefs(ctx context.Context, u *User) (*MailPrefs, error) {
	r, err := mailRecipient(ctx, s.r, u.ID)
	if err != nil {
		return nil, err
	}
	p := &MailPrefs{Kinds: []string{}}
	if r != nil {
		for _, k := range EmailKinds {
			if r.Kinds[k] {
				p.Kinds = append(p.Kinds, k)
			}
		}
		p.Digest = r.Digest
	}
	if err := s.r.QueryRowContext(ctx, `SELECT time_zone FROM users WHERE id = ?`, u.ID).Scan(&p.TimeZone); err != nil {
		return nil, fmt.Errorf("store: time zone of %d: %w", u.ID, err)
	}
	return p, nil
}

// SaveMailPrefs stores u's choices; an unknown kind or time zone is
// refused on its field.
func (s *Store) SaveMailPrefs(ctx context.Context, u *User, in MailPrefs) (*MailPrefs, error) {
	fe := fieldErrors{}
	for _, k := range in.Kinds {
		if !slices.Contains(EmailKinds, k) {
			fe.add("email_kinds", "mail.err.kind", "Kind", k)
		}
	}
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	if in.TimeZone != "" {
		if _, err := time.LoadLocation(in.TimeZone); err != nil || strings.EqualFold(in.TimeZone, "local") {
			fe.add("time_zone", "mail.err.time_zone")
		}
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	old, err := s.MailPrefs(ctx, u)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mail_prefs (user_id, kinds, digest) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET kinds = excluded.kinds, digest = excluded.digest`,
			u.ID, strings.Join(in.Kinds, ","), in.Digest); err != nil {
			return fmt.Errorf("store: save mail prefs of %d: %w", u.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET time_zone = ?, updated_at = ? WHERE id = ?`, in.TimeZone, s.now().Unix(), u.ID); err != nil {
			return err
		}
		return auditChanges(ctx, tx, s.now().Unix(), AuditEntry{Action: AuditUpdate, Entity: "mail_prefs", EntityID: u.ID, ActorID: u.ID}, old.fields(), in.fields())
	})
	if err != nil {
		return nil, err
	}
	return s.MailPrefs(ctx, u)
}

// fields are the preferences as audit fields, the kinds in EmailKinds
// order so that a reordered form is no change.
func (p *MailPrefs) fields() map[string]string {
	var kinds []string
	for _, k := range EmailKinds {
		if slices.Contains(p.Kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return map[string]string{"email_kinds": strings.Join(kinds, ","), "daily_digest": strconv.FormatBool(p.Digest), "time_zone": p.TimeZone}
}

// zoneOf is a user's time zone: their own when set and valid, else the
// company's.
func (s *Store) zoneOf(name string) *time.Location {
	if name != "" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return s.Location
}
