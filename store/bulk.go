package store

// Bulk loading (批量导入) for demo data and benchmarks: `tide seed` fills a
// data directory with a million customers in minutes, where the per-row
// path (CreateCustomer: one transaction, a dozen statements and their
// checks per customer) would take hours. The bulk path writes exactly what
// the per-row path writes — the customer, its contacts, follow-ups, tags,
// duplicate keys, search documents, pool history and the "created" event —
// with multi-row INSERTs in one large transaction per batch, and computes
// the duplicate keys and search documents with the same functions (keysFor,
// searchDocs). It trusts its caller for field formats and ids (the CHECK
// constraints still apply; foreign keys are not checked row by row, see
// IntegrityCheck) but never for duplicates: a customer whose name, phone
// or e-mail, or a contact's phone or e-mail, collides with an existing one
// or with an earlier one of the batch is skipped and counted, nothing of it
// written. docs/benchmarks.md has the figures.

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// BulkCustomer is one customer for BulkSeedCustomers, with everything that
// hangs off it. Zero ids and times stand for NULL.
type BulkCustomer struct {
	Name, Phone, Email, Website, Industry, Level, Source, Region, Address, Status, Notes string

	OwnerID, PoolID, HomePoolID, PreviousOwnerID, CreatedBy int64
	RecycleCount                                            int
	OwnedSince, PoolEnteredAt, CreatedAt, UpdatedAt         int64 // unix seconds; UpdatedAt 0 = the latest of the others

	TagIDs    []int64
	Contacts  []BulkContact
	Followups []BulkFollowup // in the order they were logged
	// Moves is the pool history; nil writes the one row CreateCustomer
	// would ("create", or "enter" for a customer placed in a pool).
	Moves []BulkMove

	prepared bool
	keys     []dedupKey
	doc, bg  string
}

// BulkContact is a contact of a BulkCustomer; its created time is the
// customer's.
type BulkContact struct {
	Name, Position, Gender, Birthday, Phone, Email, WeChat, Hobbies, Notes string
	IsPrimary                                                              bool
}

// BulkFollowup is a follow-up of a BulkCustomer. Contact is an index into
// the customer's Contacts, or -1.
type BulkFollowup struct {
	Contact       int
	Kind, Content string
	At, NextAt    int64 // NextAt 0 = none
	By            int64
}

// BulkMove is one row of a BulkCustomer's pool history.
type BulkMove struct {
	PoolID                      int64
	Action                      string
	FromUserID, ToUserID, Actor int64
	Reason                      string
	At                          int64
}

// BulkResult counts what a bulk call wrote.
type BulkResult struct {
	Customers, Contacts, Followups int
	// Duplicates counts the customers skipped because a key collided.
	Duplicates int
}

// Prepare computes c's duplicate keys and search documents with the same
// functions as the per-row path. BulkSeedCustomers calls it for customers
// not yet prepared; a loader may call it beforehand on another goroutine
// so that the work overlaps the inserts. c must not change afterwards.
func (c *BulkCustomer) Prepare() {
	kc := make([][2]string, len(c.Contacts))
	sc := make([][3]string, len(c.Contacts))
	for i, ct := range c.Contacts {
		kc[i] = [2]string{ct.Phone, ct.Email}
		sc[i] = [3]string{ct.Name, ct.Phone, ct.Email}
	}
	c.keys = keysFor(c.Name, c.Phone, c.Email, kc)
	c.doc, c.bg = searchDocs(c.Name, c.Phone, c.Email, sc)
	c.prepared = true
}

// followupTimes applies AddFollowup's rule to the follow-ups in the order
// they were logged: the latest time wins for last_followup_at; a new
// next-time replaces the old one, and a follow-up at or after a pending
// next-time without a new one clears it.
func (c *BulkCustomer) followupTimes() (last, next int64) {
	for _, f := range c.Followups {
		last = max(last, f.At)
		switch {
		case f.NextAt != 0:
			next = f.NextAt
		case next != 0 && next <= f.At:
			next = 0
		}
	}
	return last, next
}

// bulkTable buffers the rows of one table and writes them with multi-row
// INSERTs (rowsPer rows per statement), which costs a fraction of one
// statement per row: the per-statement overhead of database/sql and the
// driver dominates small inserts.
type bulkTable struct {
	tx      *sql.Tx
	head    string // INSERT … VALUES
	row     string // (?, ?, …)
	rowsPer int
	full    *sql.Stmt
	args    []any
	n       int
}

// maxBulkParams keeps a statement well under SQLite's variable limit.
const maxBulkParams = 8000

func newBulkTable(tx *sql.Tx, head string, cols int) *bulkTable {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return &bulkTable{tx: tx, head: head, row: row, rowsPer: max(1, maxBulkParams/cols)}
}

func (t *bulkTable) sql(n int) string {
	var b strings.Builder
	b.Grow(len(t.head) + n*(len(t.row)+2))
	b.WriteString(t.head)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.row)
	}
	return b.String()
}

func (t *bulkTable) add(ctx context.Context, vals ...any) error {
	t.args = append(t.args, vals...)
	if t.n++; t.n == t.rowsPer {
		return t.flush(ctx)
	}
	return nil
}

func (t *bulkTable) flush(ctx context.Context) error {
	if t.n == 0 {
		return nil
	}
	var err error
	if t.n == t.rowsPer {
		if t.full == nil {
			if t.full, err = t.tx.PrepareContext(ctx, t.sql(t.rowsPer)); err != nil {
				return fmt.Errorf("store: bulk prepare: %w", err)
			}
		}
		_, err = t.full.ExecContext(ctx, t.args...)
	} else {
		_, err = t.tx.ExecContext(ctx, t.sql(t.n), t.args...)
	}
	if err != nil {
		return fmt.Errorf("store: bulk insert (%.40s…): %w", t.head, err)
	}
	clear(t.args)
	t.args, t.n = t.args[:0], 0
	return nil
}

func (t *bulkTable) close() {
	if t.full != nil {
		t.full.Close()
	}
}

// bulkTables are the tables a batch of customers writes to.
type bulkTables struct {
	keys, customers, contacts, followups, tags, search, bigrams, moves, events *bulkTable
}

func newBulkTables(tx *sql.Tx) *bulkTables {
	return &bulkTables{
		keys: newBulkTable(tx, `INSERT INTO dedup_keys (kind, key, customer_id, field) VALUES `, 4),
		customers: newBulkTable(tx, `INSERT INTO customers (id, name, phone, email, website, industry, level, source, region, address,
			status, notes, owner_id, pool_id, home_pool_id, owned_since, pool_entered_at, previous_owner_id, recycle_count,
			last_followup_at, next_followup_at, created_by, created_at, updated_at) VALUES `, 24),
		contacts: newBulkTable(tx, `INSERT INTO contacts (id, customer_id, name, position, gender, birthday, phone, email, wechat,
			hobbies, notes, is_primary, created_at, updated_at) VALUES `, 14),
		followups: newBulkTable(tx, `INSERT INTO followups (customer_id, contact_id, kind, content, at, next_at, created_by, created_at) VALUES `, 8),
		tags:      newBulkTable(tx, `INSERT OR IGNORE INTO customer_tags (customer_id, tag_id) VALUES `, 2),
		search:    newBulkTable(tx, `INSERT INTO customer_search (rowid, doc) VALUES `, 2),
		bigrams:   newBulkTable(tx, `INSERT INTO customer_bigrams (rowid, doc) VALUES `, 2),
		moves: newBulkTable(tx, `INSERT INTO pool_moves (customer_id, pool_id, action, from_user_id, to_user_id, actor_id, reason, at)
			VALUES `, 8),
		events: newBulkTable(tx, `INSERT INTO customer_events (customer_id, kind, actor_id, changes, note, at) VALUES `, 6),
	}
}

func (b *bulkTables) all() []*bulkTable {
	return []*bulkTable{b.keys, b.customers, b.contacts, b.followups, b.tags, b.search, b.bigrams, b.moves, b.events}
}

// nullID maps 0 to NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullUnix maps 0 to NULL.
func nullUnix(t int64) any {
	if t == 0 {
		return nil
	}
	return t
}

// BulkSeedCustomers inserts batch in one write transaction (10,000
// customers per call worked best for a million) and reports what it wrote. Before
// writing, it looks all the batch's duplicate keys up at once: a customer
// colliding with an existing one, or with an earlier one of the batch, is
// skipped. The batch's foreign keys are not checked row by row — the ids
// it writes are its own or the caller's — which is what makes it fast;
// `PRAGMA foreign_key_check` finds nothing afterwards when the caller's
// user, pool and tag ids exist.
func (s *Store) BulkSeedCustomers(ctx context.Context, batch []BulkCustomer) (BulkResult, error) {
	var res BulkResult
	for i := range batch {
		if !batch[i].prepared {
			batch[i].Prepare()
		}
	}
	err := s.bulkTx(ctx, func(tx *sql.Tx) error {
		taken, err := takenKeys(ctx, tx, batch)
		if err != nil {
			return err
		}
		t := newBulkTables(tx)
		defer func() {
			for _, bt := range t.all() {
				bt.close()
			}
		}()
		var id, contactID int64
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COALESCE(max(id), 0) FROM customers), (SELECT COALESCE(max(id), 0) FROM contacts)`).
			Scan(&id, &contactID); err != nil {
			return fmt.Errorf("store: bulk ids: %w", err)
		}
		type idKey struct {
			dedupKey
			id int64
		}
		var keys []idKey
	customers:
		for i := range batch {
			c := &batch[i]
			for _, k := range c.keys {
				if taken[k.kind+"\x00"+k.key] {
					res.Duplicates++
					continue customers
				}
			}
			id++
			for _, k := range c.keys {
				taken[k.kind+"\x00"+k.key] = true
				keys = append(keys, idKey{k, id})
			}
			if err := bulkCustomer(ctx, t, id, contactID, c); err != nil {
				return err
			}
			contactID += int64(len(c.Contacts))
			res.Customers++
			res.Contacts += len(c.Contacts)
			res.Followups += len(c.Followups)
		}
		// Keys in index order: neighbouring inserts touch neighbouring
		// pages, which makes the (random) keys almost twice as fast to
		// write.
		slices.SortFunc(keys, func(a, b idKey) int {
			return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.key, b.key))
		})
		for _, k := range keys {
			if err := t.keys.add(ctx, k.kind, k.key, k.id, k.field); err != nil {
				return err
			}
		}
		for _, bt := range t.all() {
			if err := bt.flush(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return BulkResult{}, err
	}
	return res, nil
}

// takenKeys returns which of the batch's duplicate keys are already held,
// as kind+"\x00"+key, looked up per kind in lists of up to 500.
func takenKeys(ctx context.Context, tx *sql.Tx, batch []BulkCustomer) (map[string]bool, error) {
	byKind := map[string][]any{}
	for i := range batch {
		for _, k := range batch[i].keys {
			byKind[k.kind] = append(byKind[k.kind], k.key)
		}
	}
	taken := map[string]bool{}
	for kind, keys := range byKind {
		for len(keys) > 0 {
			chunk := keys[:min(len(keys), 500)]
			keys = keys[len(chunk):]
			rows, err := tx.QueryContext(ctx, `SELECT key FROM dedup_keys WHERE kind = ? AND key IN (`+
				strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")+`)`, append([]any{kind}, chunk...)...)
			if err != nil {
				return nil, fmt.Errorf("store: bulk dedup lookup: %w", err)
			}
			for rows.Next() {
				var key string
				if err := rows.Scan(&key); err != nil {
					rows.Close()
					return nil, err
				}
				taken[kind+"\x00"+key] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
	}
	return taken, nil
}

// bulkTx runs fn in one write transaction on the writer connection with
// foreign-key enforcement off and a large page cache, restoring both after.
func (s *Store) bulkTx(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: bulk conn: %w", err)
	}
	defer conn.Close()
	// Both pragmas are per connection and only take effect outside a
	// transaction; restore them whatever happens so the writer's next
	// user gets the usual settings.
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return fmt.Errorf("store: bulk pragma: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		return fmt.Errorf("store: bulk pragma: %w", err)
	}
	defer func() {
		_, e1 := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
		_, e2 := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -32000`)
		if e := errors.Join(e1, e2); e != nil && err == nil {
			err = fmt.Errorf("store: bulk pragma: %w", e)
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: bulk begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: bulk commit: %w", err)
	}
	return nil
}

// bulkCustomer queues the rows of customer id (whose keys are queued) and
// of everything that hangs off it; its contacts get the ids after
// lastContact.
func bulkCustomer(ctx context.Context, t *bulkTables, id, lastContact int64, c *BulkCustomer) error {
	last, next := c.followupTimes()
	updated := c.UpdatedAt
	if updated == 0 {
		updated = max(c.CreatedAt, c.OwnedSince, c.PoolEnteredAt, last)
	}
	status := c.Status
	if status == "" {
		status = StatusLead
	}
	if err := t.customers.add(ctx, id, c.Name, c.Phone, NormalizeEmail(c.Email), c.Website, c.Industry, c.Level, c.Source,
		c.Region, c.Address, status, c.Notes, nullID(c.OwnerID), nullID(c.PoolID), nullID(c.HomePoolID), nullUnix(c.OwnedSince),
		nullUnix(c.PoolEnteredAt), nullID(c.PreviousOwnerID), c.RecycleCount, nullUnix(last), nullUnix(next), nullID(c.CreatedBy),
		c.CreatedAt, updated); err != nil {
		return err
	}
	for j, ct := range c.Contacts {
		if err := t.contacts.add(ctx, lastContact+int64(j)+1, id, ct.Name, ct.Position, ct.Gender, ct.Birthday, ct.Phone,
			NormalizeEmail(ct.Email), ct.WeChat, ct.Hobbies, ct.Notes, ct.IsPrimary, c.CreatedAt, c.CreatedAt); err != nil {
			return err
		}
	}
	for _, f := range c.Followups {
		var contact any
		if f.Contact >= 0 && f.Contact < len(c.Contacts) {
			contact = lastContact + int64(f.Contact) + 1
		}
		if err := t.followups.add(ctx, id, contact, f.Kind, f.Content, f.At, nullUnix(f.NextAt), nullID(f.By), f.At); err != nil {
			return err
		}
	}
	for _, tag := range c.TagIDs {
		if err := t.tags.add(ctx, id, tag); err != nil {
			return err
		}
	}
	if err := t.search.add(ctx, id, c.doc); err != nil {
		return err
	}
	if c.bg != "" {
		if err := t.bigrams.add(ctx, id, c.bg); err != nil {
			return err
		}
	}
	moves := c.Moves
	if moves == nil {
		m := BulkMove{PoolID: c.HomePoolID, Action: "create", ToUserID: c.OwnerID, Actor: c.CreatedBy, At: c.CreatedAt}
		if c.PoolID != 0 {
			m.PoolID, m.Action = c.PoolID, "enter"
		}
		moves = []BulkMove{m}
	}
	for _, m := range moves {
		if err := t.moves.add(ctx, id, nullID(m.PoolID), m.Action, nullID(m.FromUserID), nullID(m.ToUserID),
			nullID(m.Actor), m.Reason, m.At); err != nil {
			return err
		}
	}
	return t.events.add(ctx, id, "created", nullID(c.CreatedBy), "[]", "", c.CreatedAt)
}

// BulkCustomerCount counts the customers ever created, deleted ones
// included: a loader that derives names from indices starts after them.
func (s *Store) BulkCustomerCount(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM customers`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count customers: %w", err)
	}
	return n, nil
}

// BulkOwnerCounts counts the live customers of each owner (one scan of an
// index; benchmarks use it to pick the busiest salesperson).
func (s *Store) BulkOwnerCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT owner_id, count(*) FROM customers
		WHERE owner_id IS NOT NULL AND deleted_at IS NULL GROUP BY owner_id`)
	if err != nil {
		return nil, fmt.Errorf("store: owner counts: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// BulkUser is one user for BulkSeedUsers.
type BulkUser struct {
	Username, Name, Email, Phone, Role string
	DepartmentID                       int64 // 0 = none
}

// BulkSeedUsers adds users that all get password, hashed once (bcrypt at
// BcryptCost takes tens of milliseconds; hundreds of demo users would take
// a minute each hashed on their own). A username that already exists is
// left alone. It returns how many users it created.
func (s *Store) BulkSeedUsers(ctx context.Context, users []BulkUser, password string) (int, error) {
	for _, u := range users {
		in := UserInput{Username: &u.Username, Name: &u.Name, Email: &u.Email, Role: &u.Role, Password: &password}
		if err := validateUser(in, true).err(); err != nil {
			return 0, fmt.Errorf("store: bulk user %q: %w", u.Username, err)
		}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	if err != nil {
		return 0, fmt.Errorf("store: hash password: %w", err)
	}
	created := 0
	now := s.now().Unix()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, u := range users {
			name := strings.TrimSpace(u.Name)
			if name == "" {
				name = u.Username
			}
			r, err := tx.ExecContext(ctx, `INSERT INTO users (username, name, email, phone, role, department_id, password_hash, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING`,
				strings.TrimSpace(u.Username), name, strings.TrimSpace(u.Email), strings.TrimSpace(u.Phone), u.Role,
				nullID(u.DepartmentID), string(hash), now, now)
			if err != nil {
				return fmt.Errorf("store: bulk user %q: %w", u.Username, err)
			}
			if n, _ := r.RowsAffected(); n == 1 {
				created++
			}
		}
		return nil
	})
	return created, err
}

// BulkPool is one pool for BulkSeedPools (the pool rules as in API.md).
type BulkPool struct {
	Name, Description     string
	Scope                 string // "company" (default) or "departments"
	IsDefault             bool
	DepartmentIDs         []int64
	AdminIDs              []int64
	Sources               []string // lead channels routed here
	ClaimDailyLimit       int
	MaxOwned              int
	ReclaimCooldownDays   int
	RecycleNoFollowupDays int
	RecycleNoDealDays     int
	RecycleWarnDays       int
	MaxLocked             int
	HideContactInfo       bool
}

// BulkSeedPools creates the pools whose names do not exist yet (an
// existing pool of the same name is left as it is, as is a source already
// routed elsewhere) and returns the ids of all of them by name. A pool with
// IsDefault stands for the default pool: when there is one, whatever its
// name, its id is returned under p.Name and nothing is created.
func (s *Store) BulkSeedPools(ctx context.Context, pools []BulkPool) (map[string]int64, error) {
	ids := map[string]int64{}
	now := s.now().Unix()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, p := range pools {
			var id int64
			q, arg := `SELECT id FROM pools WHERE name = ?`, any(p.Name)
			if p.IsDefault {
				q, arg = `SELECT id FROM pools WHERE is_default = ?`, 1
			}
			err := tx.QueryRowContext(ctx, q, arg).Scan(&id)
			if err == nil {
				ids[p.Name] = id
				continue
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			scope := p.Scope
			if scope == "" {
				scope = "company"
			}
			var def any
			if p.IsDefault {
				def = 1
			} else {
				def = 0
			}
			r, err := tx.ExecContext(ctx, `INSERT INTO pools (name, description, scope, is_default, claim_daily_limit, max_owned,
				reclaim_cooldown_days, recycle_no_followup_days, recycle_no_deal_days, recycle_warn_days, max_locked, hide_contact_info,
				created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				p.Name, p.Description, scope, def, p.ClaimDailyLimit, p.MaxOwned, p.ReclaimCooldownDays, p.RecycleNoFollowupDays,
				p.RecycleNoDealDays, p.RecycleWarnDays, p.MaxLocked, p.HideContactInfo, now, now)
			if err != nil {
				return fmt.Errorf("store: bulk pool %q: %w", p.Name, err)
			}
			id, _ = r.LastInsertId()
			ids[p.Name] = id
			for _, d := range p.DepartmentIDs {
				if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO pool_departments (pool_id, department_id) VALUES (?, ?)`, id, d); err != nil {
					return fmt.Errorf("store: bulk pool %q: %w", p.Name, err)
				}
			}
			for _, u := range p.AdminIDs {
				if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO pool_admins (pool_id, user_id) VALUES (?, ?)`, id, u); err != nil {
					return fmt.Errorf("store: bulk pool %q: %w", p.Name, err)
				}
			}
			for _, src := range p.Sources {
				if _, err := tx.ExecContext(ctx, `INSERT INTO pool_sources (source, pool_id) VALUES (?, ?) ON CONFLICT (source) DO NOTHING`, src, id); err != nil {
					return fmt.Errorf("store: bulk pool %q: %w", p.Name, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// BulkFinish makes a freshly bulk-loaded database ready to serve: it
// merges the search indexes' segments (one b-tree per index instead of
// hundreds of small ones, which keeps searches fast), refreshes the query
// planner's statistics and truncates the write-ahead log.
func (s *Store) BulkFinish(ctx context.Context) error {
	for _, q := range []string{
		`INSERT INTO customer_search (customer_search) VALUES ('optimize')`,
		`INSERT INTO customer_bigrams (customer_bigrams) VALUES ('optimize')`,
		`PRAGMA analysis_limit = 1000`,
		`ANALYZE`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: bulk finish (%s): %w", q, err)
		}
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity and foreign-key checks and
// returns what they found ("ok" when all is well).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var out []string
	rows, err := s.r.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return "", err
		}
		if line != "ok" {
			out = append(out, line)
		}
	}
	rows.Close()
	rows, err = s.r.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var table, parent string
		var rowid, fkid sql.NullInt64
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return "", err
		}
		if n++; n <= 10 {
			out = append(out, fmt.Sprintf("foreign key: %s row %d refers to a missing %s", table, rowid.Int64, parent))
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if n > 10 {
		out = append(out, fmt.Sprintf("… %d foreign-key errors in all", n))
	}
	if len(out) == 0 {
		return "ok", nil
	}
	return strings.Join(out, "\n"), nil
}
