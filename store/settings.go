package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Setting keys kept in the settings table.
const (
	SettingCompanyName = "company_name"
	SettingLanguage    = "language"
	SettingTimeZone    = "timezone"
)

// Setting returns a stored setting, or def when unset.
func (s *Store) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return v, nil
}

func putSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// SetupInput is the first-run form: the company and its first admin.
type SetupInput struct {
	CompanyName string
	Language    string
	TimeZone    string
	Admin       UserInput
}

// Setup stores the company settings and creates the first admin, in one
// transaction, and only while no user exists: a second setup is refused.
func (s *Store) Setup(ctx context.Context, in SetupInput) (*User, error) {
	role := RoleAdmin
	in.Admin.Role = &role
	in.Admin.Language = &in.Language
	fe := validateUser(in.Admin, true)
	if in.CompanyName == "" {
		fe.add("company_name", "err.required")
	}
	if in.Language != "zh-CN" && in.Language != "en" {
		fe.add("language", "err.language")
	}
	if _, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "" {
		fe.add("timezone", "err.timezone")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(*in.Admin.Password), BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("store: hash password: %w", err)
	}
	var id int64
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &Error{Code: CodeConflict, Msg: M("err.setup_done")}
		}
		now := s.now().Unix()
		username := strings.TrimSpace(*in.Admin.Username)
		name := strings.TrimSpace(deref(in.Admin.Name))
		if name == "" {
			name = username
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (username, name, email, role, language, password_hash, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, username, name, strings.TrimSpace(deref(in.Admin.Email)), role, in.Language, string(hash), now, now)
		if err != nil {
			return fmt.Errorf("store: insert admin: %w", err)
		}
		id, _ = res.LastInsertId()
		for k, v := range map[string]string{SettingCompanyName: in.CompanyName, SettingLanguage: in.Language, SettingTimeZone: in.TimeZone} {
			if err := putSetting(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return audit(ctx, tx, now, AuditEntry{Action: AuditCreate, Entity: "user", EntityID: id, Detail: M("audit.detail.setup_admin", "Name", username).Encode(), ActorID: id})
	})
	if err != nil {
		return nil, err
	}
	return s.User(ctx, id)
}
