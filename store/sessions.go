package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Session is a browser sign-in (会话).
type Session struct {
	ID        string
	UserID    int64
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionLimits bounds a session's life: Absolute from creation, Idle since
// the last request.
type SessionLimits struct {
	Absolute time.Duration
	Idle     time.Duration
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for userID and returns it with the cookie
// value ("id.secret"). Only the secret's hash is kept.
func (s *Store) CreateSession(ctx context.Context, userID int64, ip, userAgent string, lim SessionLimits) (*Session, string, error) {
	id, secret := randomToken(16), randomToken(32)
	now := s.now()
	sess := &Session{ID: id, UserID: userID, CSRFToken: randomToken(32), CreatedAt: now, ExpiresAt: now.Add(lim.Absolute)}
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions
			(id, secret_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, hashSecret(secret), userID, sess.CSRFToken, ip, userAgent, now.Unix(), now.Unix(), sess.ExpiresAt.Unix())
		if err != nil {
			return err
		}
		return audit(ctx, tx, now.Unix(), AuditEntry{Action: AuditLogin, Entity: "session", EntityID: userID, ActorID: userID})
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: create session: %w", err)
	}
	return sess, id + "." + secret, nil
}

// SessionByCookie resolves a cookie value to a live session and its active
// user. Expired (absolute or idle) sessions are deleted and reported as
// unauthenticated. last_seen_at is refreshed at most once a minute so page
// loads do not all queue on the writer.
func (s *Store) SessionByCookie(ctx context.Context, cookie string, lim SessionLimits) (*Session, *User, error) {
	unauth := &Error{Code: CodeUnauthenticated, Msg: M("err.session_expired")}
	id, secret, ok := strings.Cut(cookie, ".")
	if !ok || id == "" || secret == "" {
		return nil, nil, unauth
	}
	var sess Session
	var hash string
	var created, lastSeen, expires int64
	err := s.r.QueryRowContext(ctx, `SELECT s.id, s.user_id, s.csrf_token, s.secret_hash, s.created_at, s.last_seen_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND u.active = 1`, id).
		Scan(&sess.ID, &sess.UserID, &sess.CSRFToken, &hash, &created, &lastSeen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, unauth
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: session: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(hashSecret(secret))) != 1 {
		return nil, nil, unauth
	}
	now := s.now()
	if now.Unix() >= expires || now.Sub(time.Unix(lastSeen, 0)) > lim.Idle {
		_ = s.DeleteSession(ctx, id)
		return nil, nil, unauth
	}
	if now.Unix()-lastSeen > 60 {
		_ = s.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, now.Unix(), id)
			return err
		})
	}
	sess.CreatedAt, sess.ExpiresAt = time.Unix(created, 0), time.Unix(expires, 0)
	u, err := s.User(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	return &sess, u, nil
}

// DeleteSession signs a session out.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return err
	})
}

// Logout signs a session out at the user's request, recording it.
func (s *Store) Logout(ctx context.Context, sess *Session) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, sess.ID); err != nil {
			return err
		}
		return audit(ctx, tx, s.now().Unix(), AuditEntry{Action: AuditLogout, Entity: "session", EntityID: sess.UserID, ActorID: sess.UserID})
	})
}

// DeleteExpiredSessions removes sessions past their absolute expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, s.now().Unix())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
