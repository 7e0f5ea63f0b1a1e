package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// TokenPrefix starts every API token, so leaked tokens are easy to grep for.
const TokenPrefix = "tide_"

// Token scopes.
const (
	ScopeRead      = "read"
	ScopeReadWrite = "read-write"
)

// APIToken is a bearer token for the JSON API (API 令牌). The secret is
// shown once, at creation; only its hash is stored.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scope      string     `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Active reports whether the token can still be used at instant now.
func (t *APIToken) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// CreateToken issues a new token for userID and returns it with its secret.
func (s *Store) CreateToken(ctx context.Context, userID int64, name, scope string, expires *time.Time) (*APIToken, string, error) {
	name = strings.TrimSpace(name)
	fe := fieldErrors{}
	if name == "" {
		fe.add("name", "err.required")
	} else if utf8.RuneCountInString(name) > 100 {
		fe.add("name", "err.length", "Min", 1, "Max", 100)
	}
	if scope == "" {
		scope = ScopeReadWrite
	}
	if scope != ScopeRead && scope != ScopeReadWrite {
		fe.add("scope", "err.scope")
	}
	if expires != nil && !expires.After(s.now()) {
		fe.add("expires_at", "err.expiry_past")
	}
	if err := fe.err(); err != nil {
		return nil, "", err
	}
	secret := TokenPrefix + randomToken(30)
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var exp any
		if expires != nil {
			exp = expires.Unix()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, scope, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, userID, name, hashSecret(secret), secret[:len(TokenPrefix)+6], scope, s.now().Unix(), exp)
		if err != nil {
			return fmt.Errorf("store: insert token: %w", err)
		}
		id, err = res.LastInsertId()
		if err != nil {
			return err
		}
		return audit(ctx, tx, s.now().Unix(), AuditEntry{Action: AuditCreate, Entity: "token", EntityID: id, Detail: M("audit.detail.token", "Name", name, "Scope", scopeMsg(scope)).Encode(), ActorID: userID})
	})
	if err != nil {
		return nil, "", err
	}
	t, err := s.token(ctx, `t.id = ?`, id)
	return t, secret, err
}

const tokenCols = `t.id, t.user_id, t.name, t.prefix, t.scope, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }) (*APIToken, error) {
	var t APIToken
	var created int64
	var exp, used, rev sql.NullInt64
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.Scope, &created, &exp, &used, &rev); err != nil {
		return nil, err
	}
	t.CreatedAt = time.Unix(created, 0).UTC()
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = nullTime(exp), nullTime(used), nullTime(rev)
	return &t, nil
}

func nullTime(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.Unix(n.Int64, 0).UTC()
	return &t
}

func (s *Store) token(ctx context.Context, where string, arg any) (*APIToken, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens t WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return t, err
}

// Tokens lists a user's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]*APIToken, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+tokenCols+` FROM api_tokens t WHERE t.user_id = ? ORDER BY t.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	var out []*APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TokenUser resolves a bearer secret to its token and active user. Revoked,
// expired and unknown tokens are all simply unauthenticated.
func (s *Store) TokenUser(ctx context.Context, secret string) (*APIToken, *User, error) {
	unauth := &Error{Code: CodeUnauthenticated, Msg: M("err.token_invalid")}
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, nil, unauth
	}
	t, err := s.token(ctx, `t.token_hash = ?`, hashSecret(secret))
	if errors.Is(err, ErrNotFound) {
		return nil, nil, unauth
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if !t.Active(now) {
		return nil, nil, unauth
	}
	u, err := s.User(ctx, t.UserID)
	if err != nil || !u.Active {
		return nil, nil, unauth
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		_ = s.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now.Unix(), t.ID)
			return err
		})
	}
	return t, u, nil
}

// RevokeToken revokes one of userID's tokens (admins may revoke any).
func (s *Store) RevokeToken(ctx context.Context, actor *User, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL AND (user_id = ? OR ?)`,
			s.now().Unix(), id, actor.ID, actor.IsAdmin())
		if err != nil {
			return fmt.Errorf("store: revoke token %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, s.now().Unix(), AuditEntry{Action: AuditRevoke, Entity: "token", EntityID: id, ActorID: actor.ID})
	})
}

// scopeMsg names a token scope in the audit log's detail.
func scopeMsg(scope string) Msg {
	if scope == ScopeRead {
		return M("tokens.scope_read")
	}
	return M("tokens.scope_rw")
}
