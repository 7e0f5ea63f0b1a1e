package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// settingUnsubscribeSecret is the HMAC key that signs unsubscribe links,
// created on first use and kept in the settings table.
const settingUnsubscribeSecret = "mail_unsubscribe_secret"

// unsubscribable reports whether an outbox kind is marketing-like mail a
// contact may refuse (退订): campaigns and birthday greetings. Reminders
// to Tide's own users are governed by their preferences instead.
func unsubscribable(kind string) bool { return kind == "campaign" || kind == "greeting" }

func isUnsubscribed(ctx context.Context, q querier, address string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM unsubscribes WHERE address = ?`, NormalizeEmail(address)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: unsubscribed %s: %w", address, err)
	}
	return n > 0, nil
}

// unsubscribeSecret returns the signing key, creating it inside tx when
// missing.
func unsubscribeSecret(ctx context.Context, tx *sql.Tx) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		settingUnsubscribeSecret, hex.EncodeToString(b)); err != nil {
		return nil, fmt.Errorf("store: unsubscribe secret: %w", err)
	}
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, settingUnsubscribeSecret).Scan(&v)
	return []byte(v), err
}

func unsubscribeToken(secret []byte, contactID int64, address string) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "unsubscribe|%d|%s", contactID, NormalizeEmail(address))
	return hex.EncodeToString(m.Sum(nil))
}

// unsubscribeURL is the public, signed link that unsubscribes address.
func (s *Store) unsubscribeURL(ctx context.Context, tx *sql.Tx, contactID int64, address string) (string, error) {
	secret, err := unsubscribeSecret(ctx, tx)
	if err != nil {
		return "", err
	}
	q := url.Values{"c": {strconv.FormatInt(contactID, 10)}, "a": {NormalizeEmail(address)}, "t": {unsubscribeToken(secret, contactID, address)}}
	return strings.TrimRight(s.Mail.BaseURL, "/") + "/unsubscribe?" + q.Encode(), nil
}

// UnsubscribeRequest is what an unsubscribe link carries.
type UnsubscribeRequest struct {
	ContactID int64
	Address   string
	Token     string
}

// errBadUnsubscribe is the one answer for a forged, altered or truncated link.
var errBadUnsubscribe = &Error{Code: CodeNotFound, Msg: M("mail.err.unsubscribe_link")}

// CheckUnsubscribe verifies a link's signature without changing anything
// (the page shown before the visitor confirms). It reports whether the
// address already unsubscribed.
func (s *Store) CheckUnsubscribe(ctx context.Context, r UnsubscribeRequest) (bool, error) {
	var secret string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, settingUnsubscribeSecret).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return false, errBadUnsubscribe
	}
	if err != nil {
		return false, fmt.Errorf("store: unsubscribe secret: %w", err)
	}
	want := unsubscribeToken([]byte(secret), r.ContactID, r.Address)
	if r.Address == "" || !hmac.Equal([]byte(want), []byte(strings.ToLower(r.Token))) {
		return false, errBadUnsubscribe
	}
	return isUnsubscribed(ctx, s.r, r.Address)
}

// Unsubscribe records that the address wants no more campaign or greeting
// mail and cancels such mail still queued for it. A forged link is
// refused; a second visit is harmless.
func (s *Store) Unsubscribe(ctx context.Context, r UnsubscribeRequest) error {
	if _, err := s.CheckUnsubscribe(ctx, r); err != nil {
		return err
	}
	addr := NormalizeEmail(r.Address)
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		res, err := tx.ExecContext(ctx, `INSERT INTO unsubscribes (address, contact_id, at) VALUES (?, (SELECT id FROM contacts WHERE id = ?), ?)
			ON CONFLICT (address) DO NOTHING`, addr, r.ContactID, now)
		if err != nil {
			return fmt.Errorf("store: unsubscribe %s: %w", addr, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'unsubscribed' WHERE address = ? AND status = 'queued'
			AND kind IN ('campaign', 'greeting')`, addr); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already unsubscribed: logged the first time
		}
		// No user acts (the link needs no sign-in): the row's actor is the
		// system, and the address says which contact asked.
		return audit(ctx, tx, now, AuditEntry{Action: AuditUnsubscribe, Entity: "contact", EntityID: r.ContactID, Detail: addr})
	})
}
