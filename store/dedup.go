package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// dedupKey is one normalised value that must be unique company-wide.
type dedupKey struct {
	kind  string // name, phone, email
	key   string
	field string // where it came from: name, phone, email, contact_phone, contact_email
}

// DuplicateOf describes the record a new value collides with, as the API's
// duplicate_of: enough to tell the user who to talk to, nothing more.
type DuplicateOf struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Field string `json:"field"`
	Owner *Ref   `json:"owner"`
	Pool  *Ref   `json:"pool"`
}

// keysFor computes the duplicate keys of a customer and its contacts.
func keysFor(name, phone, email string, contacts [][2]string) []dedupKey {
	var keys []dedupKey
	add := func(kind, key, field string) {
		if key == "" {
			return
		}
		for _, k := range keys {
			if k.kind == kind && k.key == key {
				return
			}
		}
		keys = append(keys, dedupKey{kind: kind, key: key, field: field})
	}
	add("name", NormalizeName(name), "name")
	add("phone", NormalizePhone(phone), "phone")
	add("email", NormalizeEmail(email), "email")
	for _, c := range contacts {
		add("phone", NormalizePhone(c[0]), "contact_phone")
		add("email", NormalizeEmail(c[1]), "contact_email")
	}
	return keys
}

// syncDedupKeys makes the dedup_keys rows of a customer match its current
// name, phone, email and contacts. A key already held by another customer
// is a duplicate: the transaction must be rolled back by the caller (the
// error says so by being returned).
func syncDedupKeys(ctx context.Context, tx *sql.Tx, customerID int64) error {
	var name, phone, email string
	if err := tx.QueryRowContext(ctx, `SELECT name, phone, email FROM customers WHERE id = ?`, customerID).Scan(&name, &phone, &email); err != nil {
		return fmt.Errorf("store: dedup keys of %d: %w", customerID, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT phone, email FROM contacts WHERE customer_id = ?`, customerID)
	if err != nil {
		return err
	}
	var contacts [][2]string
	for rows.Next() {
		var p, e string
		if err := rows.Scan(&p, &e); err != nil {
			rows.Close()
			return err
		}
		contacts = append(contacts, [2]string{p, e})
	}
	rows.Close()
	keys := keysFor(name, phone, email, contacts)
	if _, err := tx.ExecContext(ctx, `DELETE FROM dedup_keys WHERE customer_id = ?`, customerID); err != nil {
		return err
	}
	for _, k := range keys {
		res, err := tx.ExecContext(ctx, `INSERT INTO dedup_keys (kind, key, customer_id, field) VALUES (?, ?, ?, ?)
			ON CONFLICT (kind, key) DO NOTHING`, k.kind, k.key, customerID, k.field)
		if err != nil {
			return fmt.Errorf("store: dedup key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			continue
		}
		var other int64
		if err := tx.QueryRowContext(ctx, `SELECT customer_id FROM dedup_keys WHERE kind = ? AND key = ?`, k.kind, k.key).Scan(&other); err != nil {
			return err
		}
		if other != customerID {
			return duplicateError(ctx, tx, other, k.field)
		}
	}
	return nil
}

// duplicateError describes a collision with customer other.
func duplicateError(ctx context.Context, q querier, other int64, field string) error {
	d, err := describeDuplicate(ctx, q, other, field)
	if err != nil {
		return err
	}
	msg := M("err.duplicate_owned", "Name", d.Name, "Field", field, "Owner", "")
	if d.Owner != nil {
		msg = M("err.duplicate_owned", "Name", d.Name, "Field", field, "Owner", d.Owner.Name)
	} else if d.Pool != nil {
		msg = M("err.duplicate_pool", "Name", d.Name, "Field", field, "Pool", d.Pool.Name)
	}
	return &Error{Code: CodeDuplicate, Msg: msg, Fields: map[string]Msg{fieldFor(field): msg},
		Extra: map[string]any{"duplicate_of": d}}
}

// fieldFor maps a key's origin to the form field to mark.
func fieldFor(field string) string {
	switch field {
	case "contact_phone":
		return "phone"
	case "contact_email":
		return "email"
	}
	return field
}

func describeDuplicate(ctx context.Context, q querier, id int64, field string) (*DuplicateOf, error) {
	d := DuplicateOf{ID: id, Field: field}
	var owner, pool sql.NullInt64
	var ownerName, poolName string
	err := q.QueryRowContext(ctx, `SELECT c.name, c.owner_id, COALESCE(u.name, ''), c.pool_id, COALESCE(p.name, '')
		FROM customers c LEFT JOIN users u ON u.id = c.owner_id LEFT JOIN pools p ON p.id = c.pool_id WHERE c.id = ?`, id).
		Scan(&d.Name, &owner, &ownerName, &pool, &poolName)
	if err != nil {
		return nil, fmt.Errorf("store: describe duplicate %d: %w", id, err)
	}
	if owner.Valid {
		d.Owner = &Ref{ID: owner.Int64, Name: ownerName}
	}
	if pool.Valid {
		d.Pool = &Ref{ID: pool.Int64, Name: poolName}
	}
	return &d, nil
}

// CheckDuplicates is the live check of the entry form (查重): which
// existing customers a name, phone or email would collide with. except
// skips the customer being edited.
func (s *Store) CheckDuplicates(ctx context.Context, name, phone, email string, except int64) ([]*DuplicateOf, error) {
	out := []*DuplicateOf{}
	seen := map[int64]bool{}
	for _, k := range keysFor(name, phone, email, nil) {
		var id int64
		err := s.r.QueryRowContext(ctx, `SELECT customer_id FROM dedup_keys WHERE kind = ? AND key = ?`, k.kind, k.key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) || id == except || seen[id] {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: check duplicates: %w", err)
		}
		seen[id] = true
		d, err := describeDuplicate(ctx, s.r, id, k.field)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// syncSearch rebuilds the search documents of a customer: the trigram
// index over folded name, phones, emails and contacts, and the bigram
// index over the Chinese characters of the names.
func syncSearch(ctx context.Context, tx *sql.Tx, customerID int64) error {
	var name, phone, email string
	if err := tx.QueryRowContext(ctx, `SELECT name, phone, email FROM customers WHERE id = ?`, customerID).Scan(&name, &phone, &email); err != nil {
		return fmt.Errorf("store: search doc of %d: %w", customerID, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, phone, email FROM contacts WHERE customer_id = ?`, customerID)
	if err != nil {
		return err
	}
	var contacts [][3]string
	for rows.Next() {
		var n, p, e string
		if err := rows.Scan(&n, &p, &e); err != nil {
			rows.Close()
			return err
		}
		contacts = append(contacts, [3]string{n, p, e})
	}
	rows.Close()
	doc, bg := searchDocs(name, phone, email, contacts)
	for _, q := range []string{`DELETE FROM customer_search WHERE rowid = ?`, `DELETE FROM customer_bigrams WHERE rowid = ?`} {
		if _, err := tx.ExecContext(ctx, q, customerID); err != nil {
			return fmt.Errorf("store: search doc of %d: %w", customerID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO customer_search (rowid, doc) VALUES (?, ?)`, customerID, doc); err != nil {
		return fmt.Errorf("store: search doc of %d: %w", customerID, err)
	}
	if bg != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer_bigrams (rowid, doc) VALUES (?, ?)`, customerID, bg); err != nil {
			return fmt.Errorf("store: bigram doc of %d: %w", customerID, err)
		}
	}
	return nil
}

// searchDocs builds the two search documents of a customer from its name,
// phone and email and its contacts' {name, phone, email}: doc for the
// trigram index (folded name, normalised phones and emails, joined by
// " | ") and bigrams for the bigram index (the Chinese bigrams of the
// customer's and contacts' names; "" when there are none). syncSearch and
// the bulk loader both use it, so both write the same documents.
func searchDocs(name, phone, email string, contacts [][3]string) (doc, bigrams string) {
	parts := make([]string, 0, 3+3*len(contacts))
	parts = append(parts, SearchFold(name), NormalizePhone(phone), NormalizeEmail(email))
	names := make([]string, 0, 1+len(contacts))
	names = append(names, name)
	for _, c := range contacts {
		parts = append(parts, SearchFold(c[0]), NormalizePhone(c[1]), NormalizeEmail(c[2]))
		names = append(names, c[0])
	}
	return strings.Join(parts, " | "), cjkBigrams(strings.Join(names, " "))
}

// isCJK reports whether r is a Han character (the ones that need bigrams).
func isCJK(r rune) bool { return unicode.Is(unicode.Han, r) }

// cjkBigrams returns the space-separated distinct bigrams of every run of
// Chinese characters in s ("北京字节" → "北京 京字 字节").
func cjkBigrams(s string) string {
	var out []string
	seen := map[string]bool{}
	var run []rune
	flush := func() {
		for i := 0; i+1 < len(run); i++ {
			bg := string(run[i : i+2])
			if !seen[bg] {
				seen[bg] = true
				out = append(out, bg)
			}
		}
		run = run[:0]
	}
	for _, r := range s {
		if isCJK(r) {
			run = append(run, r)
		} else {
			flush()
		}
	}
	flush()
	return strings.Join(out, " ")
}
