package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
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
	n, err := s.CountUsers(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, &Error{Code: CodeConflict, Msg: M("err.setup_done")}
	}
	role := RoleAdmin
	in.Admin.Role = &role
	in.Admin.Language = &in.Language
	u, err := s.CreateUser(ctx, in.Admin)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for k, v := range map[string]string{SettingCompanyName: in.CompanyName, SettingLanguage: in.Language, SettingTimeZone: in.TimeZone} {
			if err := putSetting(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
	return u, err
}
