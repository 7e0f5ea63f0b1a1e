package store

import (
	"context"
	"database/sql"
	"fmt"
)

// importedCustomer is one row that passed every rule, ready to write.
type importedCustomer struct {
	in                CustomerInput
	contact           *ContactInput
	tagIDs            []int64
	owner, pool, home *int64
	actorID, importID int64
	now               int64
	keys              []dedupKey
	doc, bigrams      string
}

// importStmts are the statements that write an imported customer,
// prepared once per batch. They write the rows createCustomerTx writes —
// the customer, its duplicate keys, tags, search documents, one
// pool-history row and the "created" timeline event —
// plus the primary contact, dated like the customer so that a revert can
// tell it from one added later. TestImport_WritesWhatCreateCustomerWrites
// compares the two paths row by row.
type importStmts struct {
	customer, contact, key, unkey, holder, tag, search, bigrams, move, event *sql.Stmt
}

func prepareImport(ctx context.Context, tx *sql.Tx) (*importStmts, error) {
	st := &importStmts{}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&st.customer, `INSERT INTO customers (id, name, phone, email, website, industry, level, source, region, address,
			status, notes, owner_id, pool_id, home_pool_id, owned_since, pool_entered_at, import_id, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&st.contact, `INSERT INTO contacts (customer_id, name, phone, email, is_primary, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)`},
		{&st.key, `INSERT INTO dedup_keys (kind, key, customer_id, field) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO NOTHING`},
		{&st.unkey, `DELETE FROM dedup_keys WHERE customer_id = ?`},
		{&st.holder, `SELECT customer_id FROM dedup_keys WHERE kind = ? AND key = ?`},
		{&st.tag, `INSERT OR IGNORE INTO customer_tags (customer_id, tag_id) VALUES (?, ?)`},
		{&st.search, `INSERT INTO customer_search (rowid, doc) VALUES (?, ?)`},
		{&st.bigrams, `INSERT INTO customer_bigrams (rowid, doc) VALUES (?, ?)`},
		{&st.move, `INSERT INTO pool_moves (customer_id, pool_id, action, from_user_id, to_user_id, actor_id, reason, at)
			VALUES (?, ?, ?, NULL, ?, ?, '', ?)`},
		{&st.event, `INSERT INTO customer_events (customer_id, kind, actor_id, changes, note, at) VALUES (?, 'created', ?, '[]', '', ?)`},
	} {
		s, err := tx.PrepareContext(ctx, p.sql)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("store: import prepare: %w", err)
		}
		*p.dst = s
	}
	return st, nil
}

func (st *importStmts) close() {
	for _, s := range []*sql.Stmt{st.customer, st.contact, st.key, st.unkey, st.holder, st.tag, st.search, st.bigrams, st.move, st.event} {
		if s != nil {
			s.Close()
		}
	}
}

// claimKeys takes the duplicate keys of customer id, which is about to
// be written, as syncDedupKeys would: the unique index on the keys
// decides. When one is held by another customer it gives back those it
// took and returns the refusal naming that customer (duplicateError).
// The batch defers foreign-key checks to its commit, so the keys can go
// in before the customer row: a refused row then costs a few key rows,
// not a customer written and deleted again.
func (st *importStmts) claimKeys(ctx context.Context, q querier, id int64, keys []dedupKey) (*Error, error) {
	for _, k := range keys {
		r, err := st.key.ExecContext(ctx, k.kind, k.key, id, k.field)
		if err != nil {
			return nil, fmt.Errorf("store: import dedup key: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 1 {
			continue
		}
		if _, err := st.unkey.ExecContext(ctx, id); err != nil {
			return nil, fmt.Errorf("store: import dedup key: %w", err)
		}
		var other int64
		if err := st.holder.QueryRowContext(ctx, k.kind, k.key).Scan(&other); err != nil {
			return nil, fmt.Errorf("store: import duplicate: %w", err)
		}
		derr := duplicateError(ctx, q, other, k.field)
		if e, ok := AsError(derr); ok {
			return e, nil
		}
		return nil, derr
	}
	return nil, nil
}

// insert writes customer id, whose keys claimKeys has taken.
func (st *importStmts) insert(ctx context.Context, id int64, c *importedCustomer) error {
	in := c.in
	status := StatusLead
	if in.Status != nil {
		status = *in.Status
	}
	var ownedSince, enteredAt any
	if c.owner != nil {
		ownedSince = c.now
	} else {
		enteredAt = c.now
	}
	if _, err := st.customer.ExecContext(ctx, id, deref(in.Name), deref(in.Phone), NormalizeEmail(deref(in.Email)), deref(in.Website),
		deref(in.Industry), deref(in.Level), deref(in.Source), deref(in.Region), deref(in.Address), status, deref(in.Notes),
		c.owner, c.pool, c.home, ownedSince, enteredAt, c.importID, c.actorID, c.now, c.now); err != nil {
		return fmt.Errorf("insert customer: %w", err)
	}
	if ct := c.contact; ct != nil {
		if _, err := st.contact.ExecContext(ctx, id, deref(ct.Name), deref(ct.Phone), deref(ct.Email), c.now, c.now); err != nil {
			return fmt.Errorf("insert contact: %w", err)
		}
	}
	for _, t := range c.tagIDs {
		if _, err := st.tag.ExecContext(ctx, id, t); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
	}
	if _, err := st.search.ExecContext(ctx, id, c.doc); err != nil {
		return fmt.Errorf("search doc: %w", err)
	}
	if c.bigrams != "" {
		if _, err := st.bigrams.ExecContext(ctx, id, c.bigrams); err != nil {
			return fmt.Errorf("bigram doc: %w", err)
		}
	}
	// A customer imported into a pool entered it ("import", which the pool
	// statistics count as an arrival); one imported for its owner was
	// created, like one typed in, with its home pool noted ("create").
	action := "create"
	if c.pool != nil {
		action = "import"
	}
	if _, err := st.move.ExecContext(ctx, id, coalesceID(c.pool, c.home), action, c.owner, c.actorID, c.now); err != nil {
		return fmt.Errorf("pool move: %w", err)
	}
	if _, err := st.event.ExecContext(ctx, id, c.actorID, c.now); err != nil {
		return fmt.Errorf("event: %w", err)
	}
	return nil
}
