package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Customer statuses.
const (
	StatusLead     = "lead"
	StatusProspect = "prospect"
	StatusCustomer = "customer"
	StatusLost     = "lost"
)

// Statuses in funnel order, for forms and filters.
var Statuses = []string{StatusLead, StatusProspect, StatusCustomer, StatusLost}

// Levels a customer may have (A is the most valuable).
var Levels = []string{"A", "B", "C", "D"}

// Ref names a related record in API answers: {"id","name"}.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Customer is a company (or person) Tide's users sell to (客户).
type Customer struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Phone          string     `json:"phone"`
	Email          string     `json:"email"`
	Website        string     `json:"website"`
	Industry       string     `json:"industry"`
	Level          string     `json:"level"`
	Source         string     `json:"source"`
	Region         string     `json:"region"`
	Address        string     `json:"address"`
	Status         string     `json:"status"`
	Notes          string     `json:"notes"`
	Tags           []string   `json:"tags"`
	Owner          *Ref       `json:"owner"`
	Pool           *Ref       `json:"pool"`
	HomePoolID     *int64     `json:"home_pool_id"`
	Locked         bool       `json:"locked"`
	OwnedSince     *time.Time `json:"owned_since"`
	PoolEnteredAt  *time.Time `json:"pool_entered_at"`
	PreviousOwner  *Ref       `json:"previous_owner"`
	RecycleCount   int        `json:"recycle_count"`
	LastFollowupAt *time.Time `json:"last_followup_at"`
	NextFollowupAt *time.Time `json:"next_followup_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Version        int        `json:"version"`
	// Masked is true when phone and email are hidden because the customer
	// sits in a pool that hides contact details (公海隐藏联系方式).
	Masked bool `json:"masked"`
}

// CustomerInput is what a form, the API or an importer may set. Nil fields
// are left alone on update; on create they take their defaults.
type CustomerInput struct {
	Name     *string   `json:"name"`
	Phone    *string   `json:"phone"`
	Email    *string   `json:"email"`
	Website  *string   `json:"website"`
	Industry *string   `json:"industry"`
	Level    *string   `json:"level"`
	Source   *string   `json:"source"`
	Region   *string   `json:"region"`
	Address  *string   `json:"address"`
	Status   *string   `json:"status"`
	Notes    *string   `json:"notes"`
	Tags     *[]string `json:"tags"`
	// OwnerID lets a manager/admin create a customer for someone else.
	OwnerID *int64 `json:"owner_id"`
	// PoolID puts a new customer straight into a pool (no owner).
	PoolID *int64 `json:"pool_id"`
	// Version must match the stored version on update (optimistic locking).
	Version *int `json:"version"`
}

// customerFields lists editable text fields in display order; it drives
// validation, change tracking and the timeline.
var customerFields = []string{"name", "phone", "email", "website", "industry", "level", "source", "region", "address", "status", "notes"}

func (in *CustomerInput) field(name string) *string {
	switch name {
	case "name":
		return in.Name
	case "phone":
		return in.Phone
	case "email":
		return in.Email
	case "website":
		return in.Website
	case "industry":
		return in.Industry
	case "level":
		return in.Level
	case "source":
		return in.Source
	case "region":
		return in.Region
	case "address":
		return in.Address
	case "status":
		return in.Status
	case "notes":
		return in.Notes
	}
	return nil
}

func (c *Customer) field(name string) string {
	switch name {
	case "name":
		return c.Name
	case "phone":
		return c.Phone
	case "email":
		return c.Email
	case "website":
		return c.Website
	case "industry":
		return c.Industry
	case "level":
		return c.Level
	case "source":
		return c.Source
	case "region":
		return c.Region
	case "address":
		return c.Address
	case "status":
		return c.Status
	case "notes":
		return c.Notes
	}
	return ""
}

var fieldMaxLen = map[string]int{"name": 200, "phone": 40, "email": 254, "website": 200, "industry": 50,
	"region": 50, "address": 300, "notes": 5000, "source": 50}

// trimInput trims every text field in place.
func (in *CustomerInput) trim() {
	for _, f := range customerFields {
		if p := in.field(f); p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
	if in.Tags != nil {
		var tags []string
		seen := map[string]bool{}
		for _, t := range *in.Tags {
			t = strings.TrimSpace(t)
			if t != "" && !seen[t] {
				seen[t] = true
				tags = append(tags, t)
			}
		}
		*in.Tags = tags
	}
}

// validate checks field formats; creating means absent fields are empty.
func (in *CustomerInput) validate(creating bool) fieldErrors {
	fe := fieldErrors{}
	if creating || in.Name != nil {
		if deref(in.Name) == "" {
			fe.add("name", "err.required")
		}
	}
	for _, f := range customerFields {
		if p := in.field(f); p != nil && utf8.RuneCountInString(*p) > fieldMaxLen[f] && fieldMaxLen[f] > 0 {
			fe.add(f, "err.too_long", "Max", fieldMaxLen[f])
		}
	}
	if p := deref(in.Phone); p != "" && !ValidPhone(p) {
		fe.add("phone", "err.phone")
	}
	if e := deref(in.Email); e != "" && !ValidEmail(e) {
		fe.add("email", "err.email")
	}
	if l := deref(in.Level); l != "" && !oneOf(l, Levels) {
		fe.add("level", "err.level")
	}
	if in.Status != nil && !oneOf(*in.Status, Statuses) {
		fe.add("status", "err.status")
	}
	return fe
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

const customerCols = `c.id, c.name, c.phone, c.email, c.website, c.industry, c.level, c.source, c.region, c.address,
	c.status, c.notes, c.owner_id, COALESCE(ou.name, ''), c.pool_id, COALESCE(p.name, ''), COALESCE(p.hide_contact_info, 0),
	c.home_pool_id, c.locked, c.owned_since, c.pool_entered_at, c.previous_owner_id, COALESCE(pu.name, ''), c.recycle_count,
	c.last_followup_at, c.next_followup_at, c.created_at, c.updated_at, c.version,
	COALESCE((SELECT group_concat(t.name, char(31)) FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.customer_id = c.id), '')`

const customerJoins = ` FROM customers c
	LEFT JOIN users ou ON ou.id = c.owner_id
	LEFT JOIN pools p ON p.id = c.pool_id
	LEFT JOIN users pu ON pu.id = c.previous_owner_id`

func scanCustomer(row interface{ Scan(...any) error }) (*Customer, error) {
	var c Customer
	var owner, pool, home, prev, ownedSince, entered, last, next sql.NullInt64
	var ownerName, poolName, prevName, tags string
	var hide bool
	var created, updated int64
	err := row.Scan(&c.ID, &c.Name, &c.Phone, &c.Email, &c.Website, &c.Industry, &c.Level, &c.Source, &c.Region, &c.Address,
		&c.Status, &c.Notes, &owner, &ownerName, &pool, &poolName, &hide,
		&home, &c.Locked, &ownedSince, &entered, &prev, &prevName, &c.RecycleCount,
		&last, &next, &created, &updated, &c.Version, &tags)
	if err != nil {
		return nil, err
	}
	if owner.Valid {
		c.Owner = &Ref{ID: owner.Int64, Name: ownerName}
	}
	if pool.Valid {
		c.Pool = &Ref{ID: pool.Int64, Name: poolName}
		c.Masked = hide
	}
	if prev.Valid {
		c.PreviousOwner = &Ref{ID: prev.Int64, Name: prevName}
	}
	if home.Valid {
		c.HomePoolID = &home.Int64
	}
	c.OwnedSince, c.PoolEnteredAt = nullTime(ownedSince), nullTime(entered)
	c.LastFollowupAt, c.NextFollowupAt = nullTime(last), nullTime(next)
	c.CreatedAt, c.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	c.Tags = []string{}
	if tags != "" {
		c.Tags = strings.Split(tags, "\x1f")
	}
	if c.Masked {
		c.Phone = MaskPhone(c.Phone)
		if c.Email != "" {
			c.Email = MaskEmail(c.Email)
		}
	}
	return &c, nil
}

// Customer loads one customer the user may see; anything else, including
// a soft-deleted customer, is ErrNotFound.
func (s *Store) Customer(ctx context.Context, u *User, id int64) (*Customer, error) {
	v, err := s.VisibilityFor(ctx, u)
	if err != nil {
		return nil, err
	}
	return s.customerVisible(ctx, s.r, v, id)
}

func (s *Store) customerVisible(ctx context.Context, q querier, v *Visibility, id int64) (*Customer, error) {
	c, err := scanCustomer(q.QueryRowContext(ctx, `SELECT `+customerCols+customerJoins+`
		WHERE c.id = ? AND c.deleted_at IS NULL AND `+v.anyClause(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: customer %d: %w", id, err)
	}
	return c, nil
}

// customerByID loads a live customer without a visibility check, for use
// inside transactions after the caller has checked.
func customerByID(ctx context.Context, q querier, id int64) (*Customer, error) {
	c, err := scanCustomer(q.QueryRowContext(ctx, `SELECT `+customerCols+customerJoins+`
		WHERE c.id = ? AND c.deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: customer %d: %w", id, err)
	}
	return c, nil
}

// CreateCustomer adds a customer (新建客户). It is owned by the creator,
// by OwnerID (manager/admin only), or sits in PoolID. Every rule — valid
// fields, known source and tags, no duplicate — is checked inside one
// transaction; a duplicate comes back as a CodeDuplicate error naming the
// record it collides with.
func (s *Store) CreateCustomer(ctx context.Context, actor *User, in CustomerInput) (*Customer, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.createCustomerTx(ctx, tx, actor, in, createOpts{})
		return err
	})
	if err != nil {
		return nil, err
	}
	return customerByID(ctx, s.r, id)
}

// createOpts are the extras importers and lead intake pass.
type createOpts struct {
	importID int64
	action   string // pool history action; "create" by default
	// anyPool lets lead intake route into a pool the actor cannot see
	// (an integration's token user need not be in every pool's scope).
	anyPool bool
}

func (s *Store) createCustomerTx(ctx context.Context, tx *sql.Tx, actor *User, in CustomerInput, opts createOpts) (int64, error) {
	in.trim()
	fe := in.validate(true)
	if err := checkSourceAndTags(ctx, tx, in, fe); err != nil {
		return 0, err
	}
	if err := fe.err(); err != nil {
		return 0, err
	}
	ownerID, poolID, err := s.placement(ctx, tx, actor, in, opts.anyPool)
	if err != nil {
		return 0, err
	}
	homePool := poolID
	if homePool == nil {
		homePool, err = defaultPoolID(ctx, tx)
		if err != nil {
			return 0, err
		}
	}
	now := s.now().Unix()
	status := StatusLead
	if in.Status != nil {
		status = *in.Status
	}
	var ownedSince, enteredAt any
	if ownerID != nil {
		ownedSince = now
	} else {
		enteredAt = now
	}
	var importID any
	if opts.importID > 0 {
		importID = opts.importID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO customers (name, phone, email, website, industry, level, source, region, address,
		status, notes, owner_id, pool_id, home_pool_id, owned_since, pool_entered_at, import_id, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		deref(in.Name), deref(in.Phone), NormalizeEmail(deref(in.Email)), deref(in.Website), deref(in.Industry), deref(in.Level),
		deref(in.Source), deref(in.Region), deref(in.Address), status, deref(in.Notes),
		ownerID, poolID, homePool, ownedSince, enteredAt, importID, actor.ID, now, now)
	if err != nil {
		return 0, fmt.Errorf("store: insert customer: %w", err)
	}
	id, _ := res.LastInsertId()
	if err := syncDedupKeys(ctx, tx, id); err != nil {
		return 0, err
	}
	if in.Tags != nil {
		if err := setTags(ctx, tx, id, *in.Tags); err != nil {
			return 0, err
		}
	}
	if err := syncSearch(ctx, tx, id); err != nil {
		return 0, err
	}
	action := opts.action
	if action == "" {
		action = "create"
		if poolID != nil {
			action = "enter"
		}
	}
	if err := recordMove(ctx, tx, poolMove{customerID: id, poolID: coalesceID(poolID, homePool), action: action,
		toUserID: ownerID, actorID: actor.ID, at: now}); err != nil {
		return 0, err
	}
	return id, addEvent(ctx, tx, id, "created", actor.ID, nil, "", now)
}

func coalesceID(a, b *int64) *int64 {
	if a != nil {
		return a
	}
	return b
}

// placement decides who owns a new customer or which pool holds it.
func (s *Store) placement(ctx context.Context, tx *sql.Tx, actor *User, in CustomerInput, anyPool bool) (owner, pool *int64, err error) {
	switch {
	case in.PoolID != nil && anyPool:
		return nil, in.PoolID, nil
	case in.PoolID != nil:
		ids, err := s.visiblePoolIDs(ctx, tx, actor)
		if err != nil {
			return nil, nil, err
		}
		if !containsID(ids, *in.PoolID) {
			return nil, nil, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"pool_id": M("err.pool_unknown")}}
		}
		return nil, in.PoolID, nil
	case in.OwnerID != nil && *in.OwnerID != actor.ID:
		if !actor.IsManager() {
			return nil, nil, ErrForbidden
		}
		if err := checkAssignee(ctx, tx, actor, *in.OwnerID); err != nil {
			return nil, nil, err
		}
		return in.OwnerID, nil, nil
	}
	return &actor.ID, nil, nil
}

// checkAssignee refuses a new owner who is unknown, deactivated, or (for a
// manager) outside their department subtree.
func checkAssignee(ctx context.Context, tx *sql.Tx, actor *User, userID int64) error {
	var active bool
	var dep sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT active, department_id FROM users WHERE id = ?`, userID).Scan(&active, &dep)
	bad := func(key string) error {
		return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"owner_id": M(key)}}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return bad("err.user_unknown")
	}
	if err != nil {
		return err
	}
	if !active {
		return bad("err.user_inactive")
	}
	if actor.IsAdmin() || userID == actor.ID {
		return nil
	}
	if actor.DepartmentID == nil || !dep.Valid {
		return bad("err.user_outside_team")
	}
	var n int
	err = tx.QueryRowContext(ctx, `WITH RECURSIVE sub(id) AS (
			SELECT ? UNION ALL SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id)
		SELECT count(*) FROM sub WHERE id = ?`, *actor.DepartmentID, dep.Int64).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 {
		return bad("err.user_outside_team")
	}
	return nil
}

func defaultPoolID(ctx context.Context, q querier) (*int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM pools WHERE is_default = 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// checkSourceAndTags refuses a source or tag that the admin has not
// created: sales pick from the lists, they do not grow them.
func checkSourceAndTags(ctx context.Context, q querier, in CustomerInput, fe fieldErrors) error {
	if src := deref(in.Source); src != "" {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE name = ?`, src).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			fe.add("source", "err.source_unknown", "Name", src)
		}
	}
	if in.Tags != nil {
		for _, t := range *in.Tags {
			var n int
			if err := q.QueryRowContext(ctx, `SELECT count(*) FROM tags WHERE name = ?`, t).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				fe.add("tags", "err.tag_unknown", "Name", t)
			}
		}
	}
	return nil
}

func setTags(ctx context.Context, tx *sql.Tx, customerID int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM customer_tags WHERE customer_id = ?`, customerID); err != nil {
		return err
	}
	for _, t := range tags {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO customer_tags (customer_id, tag_id)
			SELECT ?, id FROM tags WHERE name = ?`, customerID, t); err != nil {
			return fmt.Errorf("store: tag customer %d: %w", customerID, err)
		}
	}
	return nil
}

// Change is one edited field, for the timeline and for 409 answers.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// UpdateCustomer saves an edit (编辑客户). The caller's Version must match
// the stored one: a stale save is refused with CodeConflict, carrying the
// changes made since, so nobody silently overwrites a colleague's edit.
func (s *Store) UpdateCustomer(ctx context.Context, actor *User, id int64, in CustomerInput) (*Customer, error) {
	in.trim()
	fe := in.validate(false)
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.customerVisible(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if cur.Owner == nil && !actor.IsManager() {
			return ErrForbidden // pool customers are edited after claiming
		}
		if err := checkSourceAndTags(ctx, tx, in, fe); err != nil {
			return err
		}
		if err := fe.err(); err != nil {
			return err
		}
		if in.Version == nil {
			return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"version": M("err.version_required")}}
		}
		if *in.Version != cur.Version {
			return staleError(ctx, tx, id, *in.Version, cur)
		}
		if in.Email != nil {
			*in.Email = NormalizeEmail(*in.Email)
		}
		now := s.now().Unix()
		if err := s.saveFieldsTx(ctx, tx, actor, cur, in, now); err != nil {
			return err
		}
		// An owner change (manager/admin) is a transfer, in the same
		// transaction as the field edits.
		return s.changeOwnerTx(ctx, tx, actor, cur, in.OwnerID, now)
	})
	if err != nil {
		return nil, err
	}
	return s.customerVisible(ctx, s.r, v, id)
}

// saveFieldsTx writes the edited fields and tags of cur, guarded by its
// version, and records the changes on the timeline.
func (s *Store) saveFieldsTx(ctx context.Context, tx *sql.Tx, actor *User, cur *Customer, in CustomerInput, now int64) error {
	id := cur.ID
	changes := diffCustomer(cur, in)
	tagsChanged := in.Tags != nil && !sameStrings(cur.Tags, *in.Tags)
	if len(changes) == 0 && !tagsChanged {
		return nil
	}
	sets, args := []string{}, []any{}
	for _, ch := range changes {
		sets = append(sets, ch.Field+" = ?")
		args = append(args, ch.New)
	}
	sets = append(sets, "updated_at = ?", "version = version + 1")
	args = append(args, now, id, cur.Version)
	res, err := tx.ExecContext(ctx, `UPDATE customers SET `+strings.Join(sets, ", ")+` WHERE id = ? AND version = ?`, args...)
	if err != nil {
		return fmt.Errorf("store: update customer %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return staleError(ctx, tx, id, *in.Version, cur)
	}
	if tagsChanged {
		if err := setTags(ctx, tx, id, *in.Tags); err != nil {
			return err
		}
		changes = append(changes, Change{Field: "tags", Old: strings.Join(cur.Tags, ", "), New: strings.Join(*in.Tags, ", ")})
	}
	if err := syncDedupKeys(ctx, tx, id); err != nil {
		return err
	}
	if err := syncSearch(ctx, tx, id); err != nil {
		return err
	}
	return addEvent(ctx, tx, id, "updated", actor.ID, changes, "", now)
}

func diffCustomer(cur *Customer, in CustomerInput) []Change {
	var out []Change
	for _, f := range customerFields {
		if p := in.field(f); p != nil && *p != cur.field(f) {
			out = append(out, Change{Field: f, Old: cur.field(f), New: *p})
		}
	}
	return out
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	set := map[string]bool{}
	for _, x := range a {
		set[x] = true
	}
	for _, x := range b {
		if !set[x] {
			return false
		}
	}
	return true
}

// staleError builds the 409 answer for an edit based on an old version:
// what changed since (from the timeline) and the customer as it is now.
func staleError(ctx context.Context, q querier, id int64, since int, cur *Customer) error {
	rows, err := q.QueryContext(ctx, `SELECT e.changes, COALESCE(u.name, '') FROM customer_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.customer_id = ? AND e.kind IN ('updated', 'transferred') ORDER BY e.id DESC LIMIT ?`, id, max(cur.Version-since, 1))
	if err != nil {
		return err
	}
	defer rows.Close()
	changes := []Change{}
	var by string // the latest editor: the first row
	for rows.Next() {
		var raw, name string
		if err := rows.Scan(&raw, &name); err != nil {
			return err
		}
		if by == "" {
			by = name
		}
		var cs []Change
		_ = json.Unmarshal([]byte(raw), &cs)
		changes = append(changes, cs...)
	}
	return &Error{Code: CodeConflict, Msg: M("err.stale", "Name", by),
		Extra: map[string]any{"changes": changes, "current": cur}}
}

// DeleteCustomer soft-deletes a customer (admin or owner). Its duplicate
// keys are released so the company can be entered again; the row stays
// for the audit trail.
func (s *Store) DeleteCustomer(ctx context.Context, actor *User, id int64) error {
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.customerVisible(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if !actor.IsAdmin() && (cur.Owner == nil || cur.Owner.ID != actor.ID) {
			return ErrForbidden
		}
		now := s.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE customers SET deleted_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`, now, now, id); err != nil {
			return fmt.Errorf("store: delete customer %d: %w", id, err)
		}
		for _, q := range []string{`DELETE FROM dedup_keys WHERE customer_id = ?`, `DELETE FROM customer_search WHERE rowid = ?`,
			`DELETE FROM customer_bigrams WHERE rowid = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("store: delete customer %d: %w", id, err)
			}
		}
		return addEvent(ctx, tx, id, "deleted", actor.ID, nil, "", now)
	})
}

// TransferCustomer gives an owned customer to another owner (转移客户);
// managers within their team, admins anywhere.
func (s *Store) TransferCustomer(ctx context.Context, actor *User, id, toUserID int64) (*Customer, error) {
	if !actor.IsManager() {
		return nil, ErrForbidden
	}
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.customerVisible(ctx, tx, v, id)
		if err != nil {
			return err
		}
		return s.changeOwnerTx(ctx, tx, actor, cur, &toUserID, s.now().Unix())
	})
	if err != nil {
		return nil, err
	}
	return customerByID(ctx, s.r, id)
}

// changeOwnerTx gives cur to toUserID inside tx (转移客户): nil or the
// current owner is no change. Only managers and admins transfer, only
// owned customers, only to an active member of their team; the move is
// written to pool history and the timeline.
func (s *Store) changeOwnerTx(ctx context.Context, tx *sql.Tx, actor *User, cur *Customer, toUserID *int64, now int64) error {
	if toUserID == nil || (cur.Owner != nil && cur.Owner.ID == *toUserID) {
		return nil
	}
	if !actor.IsManager() {
		return ErrForbidden
	}
	if cur.Owner == nil {
		return &Error{Code: CodeConflict, Msg: M("err.transfer_in_pool")}
	}
	to := *toUserID
	if err := checkAssignee(ctx, tx, actor, to); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET owner_id = ?, previous_owner_id = ?, owned_since = ?, locked = 0,
		updated_at = ?, version = version + 1 WHERE id = ?`, to, cur.Owner.ID, now, now, cur.ID); err != nil {
		return fmt.Errorf("store: transfer customer %d: %w", cur.ID, err)
	}
	if err := recordMove(ctx, tx, poolMove{customerID: cur.ID, poolID: cur.HomePoolID, action: "transfer",
		fromUserID: &cur.Owner.ID, toUserID: &to, actorID: actor.ID, at: now}); err != nil {
		return err
	}
	if err := notifyTransfer(ctx, tx, actor, cur, to, now); err != nil {
		return err
	}
	return addEvent(ctx, tx, cur.ID, "transferred", actor.ID,
		[]Change{{Field: "owner", Old: cur.Owner.Name, New: userName(ctx, tx, to)}}, "", now)
}

// Assignees lists the active users actor may give a customer to (new
// customer's owner, transfer): everyone for an admin, the manager and
// their department subtree for a manager, only themselves for sales.
func (s *Store) Assignees(ctx context.Context, actor *User) ([]*User, error) {
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	all, err := s.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := []*User{}
	for _, u := range all {
		if u.Active && (v.All || containsID(v.OwnerIDs, u.ID)) {
			out = append(out, u)
		}
	}
	return out, nil
}

func userName(ctx context.Context, q querier, id int64) string {
	var n string
	_ = q.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, id).Scan(&n)
	return n
}

// addEvent writes one timeline row.
func addEvent(ctx context.Context, tx *sql.Tx, customerID int64, kind string, actorID int64, changes []Change, note string, at int64) error {
	raw := "[]"
	if len(changes) > 0 {
		b, _ := json.Marshal(changes)
		raw = string(b)
	}
	var actor any
	if actorID > 0 {
		actor = actorID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO customer_events (customer_id, kind, actor_id, changes, note, at) VALUES (?, ?, ?, ?, ?, ?)`,
		customerID, kind, actor, raw, note, at)
	if err != nil {
		return fmt.Errorf("store: event %s for customer %d: %w", kind, customerID, err)
	}
	return recordEvent(ctx, tx, customerID, kind, actorID, changes, note, at)
}

// poolMove is one row of pool history.
type poolMove struct {
	customerID           int64
	poolID               *int64
	action               string
	fromUserID, toUserID *int64
	actorID              int64
	reason, note         string
	at                   int64
}

func recordMove(ctx context.Context, tx *sql.Tx, m poolMove) error {
	var actor any
	if m.actorID > 0 {
		actor = m.actorID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO pool_moves (customer_id, pool_id, action, from_user_id, to_user_id, actor_id, reason, note, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.customerID, m.poolID, m.action, m.fromUserID, m.toUserID, actor, m.reason, m.note, m.at)
	if err != nil {
		return fmt.Errorf("store: pool move %s of customer %d: %w", m.action, m.customerID, err)
	}
	return recordMoveSideEffects(ctx, tx, m)
}
