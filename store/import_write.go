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

// importStmts write an imported customer, prepared once per batch: the
// rows createCustomerTx writes — the customer, its duplicate keys, tags,
// search documents, one pool-history row and the "created" timeline
// event — plus the primary contact, dated like the customer so that a
// revert can tell it from one added later.
// TestImport_WritesWhatCreateCustomerWrites compares the two paths row by
// row.
//
// Duplicate keys go in row by row (their unique index decides each row);
// every other row is buffered and written with multi-row INSERTs at the
// end of the batch (flush), the search documents last. One statement per
// row cost its statement overhead and, on tables with triggers (customers,
// pool_moves), a statement savepoint each — and the full-text index (FTS5)
// writes out what it holds at every savepoint, so documents written row by
// row became one tiny index segment per customer: a 100,000-row import
// went from 17 s to 30 s when those triggers came.
type importStmts struct {
	key, unkey, holder                                        *sql.Stmt
	customers, contacts, tags, moves, events, search, bigrams *bulkTable
	rows                                                      []*bulkTable // in the order flush writes them
	pendingFrom                                               int64        // the first customer id buffered since the last flush; 0: none
}

func prepareImport(ctx context.Context, tx *sql.Tx) (*importStmts, error) {
	st := &importStmts{
		customers: newBulkTable(tx, `INSERT INTO customers (id, name, phone, email, website, industry, level, source, region, address,
			status, notes, owner_id, pool_id, home_pool_id, owned_since, pool_entered_at, import_id, created_by, created_at, updated_at) VALUES `, 21),
		contacts: newBulkTable(tx, `INSERT INTO contacts (customer_id, name, phone, email, is_primary, created_at, updated_at) VALUES `, 7),
		tags:     newBulkTable(tx, `INSERT OR IGNORE INTO customer_tags (customer_id, tag_id) VALUES `, 2),
		moves: newBulkTable(tx, `INSERT INTO pool_moves (customer_id, pool_id, action, from_user_id, to_user_id, actor_id, reason, at)
			VALUES `, 8),
		events:  newBulkTable(tx, `INSERT INTO customer_events (customer_id, kind, actor_id, changes, note, at) VALUES `, 6),
		search:  newBulkTable(tx, `INSERT INTO customer_search (rowid, doc) VALUES `, 2),
		bigrams: newBulkTable(tx, `INSERT INTO customer_bigrams (rowid, doc) VALUES `, 2),
	}
	st.rows = []*bulkTable{st.customers, st.contacts, st.tags, st.moves, st.events, st.search, st.bigrams}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&st.key, `INSERT INTO dedup_keys (kind, key, customer_id, field) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO NOTHING`},
		{&st.unkey, `DELETE FROM dedup_keys WHERE customer_id = ?`},
		{&st.holder, `SELECT customer_id FROM dedup_keys WHERE kind = ? AND key = ?`},
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
	for _, s := range []*sql.Stmt{st.key, st.unkey, st.holder} {
		if s != nil {
			s.Close()
		}
	}
	for _, t := range st.rows {
		t.close()
	}
}

// flush writes the batch's buffered rows, the search documents last.
func (st *importStmts) flush(ctx context.Context) error {
	for _, t := range st.rows {
		if err := t.flush(ctx); err != nil {
			return fmt.Errorf("store: import: %w", err)
		}
	}
	st.pendingFrom = 0
	return nil
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
		// A duplicate of a row earlier in the same batch: write the
		// buffered rows first, so that the refusal can name it.
		if st.pendingFrom != 0 && other >= st.pendingFrom {
			if err := st.flush(ctx); err != nil {
				return nil, err
			}
		}
		derr := duplicateError(ctx, q, other, k.field)
		if e, ok := AsError(derr); ok {
			return e, nil
		}
		return nil, derr
	}
	return nil, nil
}

// insert buffers the rows of customer id, whose keys claimKeys has taken;
// flush writes them.
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
	if st.pendingFrom == 0 {
		st.pendingFrom = id
	}
	err := st.customers.add(ctx, id, deref(in.Name), deref(in.Phone), NormalizeEmail(deref(in.Email)), deref(in.Website),
		deref(in.Industry), deref(in.Level), deref(in.Source), deref(in.Region), deref(in.Address), status, deref(in.Notes),
		c.owner, c.pool, c.home, ownedSince, enteredAt, c.importID, c.actorID, c.now, c.now)
	if ct := c.contact; ct != nil && err == nil {
		err = st.contacts.add(ctx, id, deref(ct.Name), deref(ct.Phone), deref(ct.Email), 1, c.now, c.now)
	}
	for _, t := range c.tagIDs {
		if err == nil {
			err = st.tags.add(ctx, id, t)
		}
	}
	// A customer imported into a pool entered it ("import", which the pool
	// statistics count as an arrival); one imported for its owner was
	// created, like one typed in, with its home pool noted ("create").
	action := "create"
	if c.pool != nil {
		action = "import"
	}
	if err == nil {
		err = st.moves.add(ctx, id, coalesceID(c.pool, c.home), action, nil, c.owner, c.actorID, "", c.now)
	}
	if err == nil {
		err = st.events.add(ctx, id, "created", c.actorID, "[]", "", c.now)
	}
	if err == nil {
		err = st.search.add(ctx, id, c.doc)
	}
	if err == nil && c.bigrams != "" {
		err = st.bigrams.add(ctx, id, c.bigrams)
	}
	return err
}
