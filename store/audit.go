package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// The audit log (操作日志) records who did what, when and from where. Each
// store mutation writes its row with audit() inside its own transaction,
// so a change and its audit row commit or roll back together. The acting
// user and client address travel in the context (WithActor, set by the
// HTTP middleware); without one the action is the system's (scheduled
// jobs, the shell).

type actorKey struct{}

// Actor is who acts in a context: a user and the client address.
type Actor struct {
	UserID int64
	IP     string
}

// WithActor returns ctx carrying the acting user (0: none yet) and address.
func WithActor(ctx context.Context, userID int64, ip string) context.Context {
	return context.WithValue(ctx, actorKey{}, Actor{UserID: userID, IP: ip})
}

// ActorFrom returns the actor carried by ctx (zero: the system).
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// Audit actions beyond create/update/delete.
const (
	AuditCreate      = "create"
	AuditUpdate      = "update"
	AuditDelete      = "delete"
	AuditLogin       = "login"
	AuditLoginFailed = "login_failed"
	AuditLogout      = "logout"
	AuditExport      = "export"
	AuditImport      = "import"
	AuditBackup      = "backup_download"
	AuditRestore     = "restore"
	AuditRevoke      = "revoke"
	AuditSend        = "send"
	AuditUnsubscribe = "unsubscribe"
	AuditRetry       = "retry"
)

// AuditEntry is what a mutation records.
type AuditEntry struct {
	Action   string
	Entity   string
	EntityID int64
	// Changes are the changed fields of an update, one row each.
	Changes []Change
	// Detail is a value users typed (a name, a title, a release reason) as
	// it is, or a sentence of Tide's own as an encoded Msg (M(…).Encode()),
	// which the admin pages show in the reader's language.
	Detail string
	// ActorID is used when the context carries no actor (store callers
	// outside HTTP that still know who acts).
	ActorID int64
}

// audit writes e inside tx; one call per mutation.
func audit(ctx context.Context, tx *sql.Tx, now int64, e AuditEntry) error {
	for _, args := range auditInsertArgs(ctx, now, e) {
		if _, err := tx.ExecContext(ctx, auditInsert, args...); err != nil {
			return fmt.Errorf("store: audit %s %s: %w", e.Action, e.Entity, err)
		}
	}
	return nil
}

// auditInsert writes one audit row; auditInsertArgs gives its arguments.
const auditInsert = `INSERT INTO audit_log (at, user_id, user_name, ip, action, entity, entity_id, field, old_value, new_value, detail)
	VALUES (?, ?, COALESCE((SELECT name FROM users WHERE id = ?), ''), ?, ?, ?, ?, ?, ?, ?, ?)`

// auditInsertArgs are the auditInsert arguments of e: one row per changed
// field, or one row when nothing field-level changed. The actor comes
// from ctx (the request), else from e.ActorID.
func auditInsertArgs(ctx context.Context, now int64, e AuditEntry) [][]any {
	a := ActorFrom(ctx)
	if a.UserID == 0 {
		a.UserID = e.ActorID
	}
	var uid, eid any
	if a.UserID > 0 {
		uid = a.UserID
	}
	if e.EntityID > 0 {
		eid = e.EntityID
	}
	changes := e.Changes
	if len(changes) == 0 {
		changes = []Change{{}}
	}
	out := make([][]any, 0, len(changes))
	for _, ch := range changes {
		out = append(out, []any{now, uid, uid, a.IP, e.Action, e.Entity, eid, ch.Field, ch.Old, ch.New, e.Detail})
	}
	return out
}

// Audit records an action that changes nothing else in the database (a
// download, an export, a failed login) in its own transaction.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return audit(ctx, tx, s.now().Unix(), e) })
}

// AuditRow is one audit log row as shown and exported.
type AuditRow struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	UserID   *int64    `json:"user_id"`
	UserName string    `json:"user_name"`
	IP       string    `json:"ip"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID *int64    `json:"entity_id"`
	Field    string    `json:"field"`
	Old      string    `json:"old"`
	New      string    `json:"new"`
	Detail   string    `json:"detail"`
}

// AuditQuery filters the audit log. Before is the keyset cursor: rows with
// a smaller id than it (the list is newest first).
type AuditQuery struct {
	UserID   int64
	Entity   string
	Action   string
	From, To *time.Time
	Before   int64
	Limit    int
}

// auditWhere builds the filter of q (without the cursor).
func auditWhere(q AuditQuery) ([]string, []any) {
	where, args := []string{"1=1"}, []any{}
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if q.UserID > 0 {
		add("user_id = ?", q.UserID)
	}
	if q.Entity != "" {
		add("entity = ?", q.Entity)
	}
	if q.Action != "" {
		add("action = ?", q.Action)
	}
	if q.From != nil {
		add("at >= ?", q.From.Unix())
	}
	if q.To != nil {
		add("at < ?", q.To.Unix())
	}
	return where, args
}

// CountAudit counts the rows matching q's filters (admins only).
func (s *Store) CountAudit(ctx context.Context, actor *User, q AuditQuery) (int, error) {
	if !actor.IsAdmin() {
		return 0, ErrForbidden
	}
	where, args := auditWhere(q)
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE `+strings.Join(where, " AND "), args...).Scan(&n)
	return n, err
}

// AuditLog lists audit rows newest first; admins only.
func (s *Store) AuditLog(ctx context.Context, actor *User, q AuditQuery) ([]*AuditRow, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	where, args := auditWhere(q)
	if q.Before > 0 {
		where, args = append(where, "id < ?"), append(args, q.Before)
	}
	if q.Limit <= 0 || q.Limit > 10000 {
		q.Limit = 50
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, user_id, user_name, ip, action, entity, entity_id, field, old_value, new_value, detail
		FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	out := []*AuditRow{}
	for rows.Next() {
		var r AuditRow
		var at int64
		var uid, eid sql.NullInt64
		if err := rows.Scan(&r.ID, &at, &uid, &r.UserName, &r.IP, &r.Action, &r.Entity, &eid, &r.Field, &r.Old, &r.New, &r.Detail); err != nil {
			return nil, err
		}
		r.At = time.Unix(at, 0).UTC()
		if uid.Valid {
			r.UserID = &uid.Int64
		}
		if eid.Valid {
			r.EntityID = &eid.Int64
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// AuditEntities and AuditActions are the filter choices the admin page offers.
var (
	AuditEntities = []string{"user", "department", "customer", "contact", "followup", "opportunity", "stage", "pool",
		"task", "tag", "source", "session", "token", "webhook", "database",
		"mail_settings", "greeting_settings", "campaign", "mail_prefs", "outbox"}
	AuditActions = []string{AuditCreate, AuditUpdate, AuditDelete, AuditLogin, AuditLoginFailed, AuditLogout, AuditExport,
		AuditImport, AuditBackup, AuditRestore, "claim", "release", "assign", "recycle", "transfer", "lock", "unlock",
		"stage", AuditRevoke, "role", AuditSend, AuditUnsubscribe, AuditRetry}
)

// eventAudit maps a customer timeline kind to its audit action, so these
// timeline events are also audit rows. Contacts and opportunities write
// their own rows (with their own ids) where they change.
var eventAudit = map[string][2]string{
	"created":     {"customer", AuditCreate},
	"updated":     {"customer", AuditUpdate},
	"deleted":     {"customer", AuditDelete},
	"transferred": {"customer", "transfer"},
	"locked":      {"customer", "lock"},
	"unlocked":    {"customer", "unlock"},
}

// snapshot reads one row of table as column → text, so an update can be
// diffed for the audit log without each mutation listing its fields.
func snapshot(ctx context.Context, tx *sql.Tx, table string, id int64) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+table+` WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if !rows.Next() {
		return out, rows.Err()
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, c := range cols {
		out[c] = vals[i].String
	}
	return out, rows.Err()
}

// unaudited columns change on every write or hold secrets.
var unaudited = map[string]bool{"updated_at": true, "version": true, "password_hash": true, "token_hash": true, "secret": true}

// auditUpdate diffs the row against before (a snapshot taken earlier in
// the same transaction) and records the changed fields, if any.
func auditUpdate(ctx context.Context, tx *sql.Tx, now int64, entity, table string, id int64, before map[string]string) error {
	after, err := snapshot(ctx, tx, table, id)
	if err != nil {
		return err
	}
	return auditDiff(ctx, tx, now, entity, id, before, after)
}

// auditDiff records the fields that differ between two snapshots.
func auditDiff(ctx context.Context, tx *sql.Tx, now int64, entity string, id int64, before, after map[string]string) error {
	return auditChanges(ctx, tx, now, AuditEntry{Action: AuditUpdate, Entity: entity, EntityID: id}, before, after)
}

// auditChanges records e with one change row per field that differs
// between before and after, and nothing when none does. A secret field
// that changed is recorded by name only: its values never reach the log.
func auditChanges(ctx context.Context, tx *sql.Tx, now int64, e AuditEntry, before, after map[string]string, secrets ...string) error {
	for _, c := range sortedKeys(after) {
		switch {
		case unaudited[c] || before[c] == after[c]:
		case slices.Contains(secrets, c):
			e.Changes = append(e.Changes, Change{Field: c})
		default:
			e.Changes = append(e.Changes, Change{Field: c, Old: before[c], New: after[c]})
		}
	}
	if len(e.Changes) == 0 {
		return nil
	}
	return audit(ctx, tx, now, e)
}

// settingsSnapshot reads the settings keys inside tx as key → value ("" for
// a key never saved), so a settings page's save can be diffed like a row.
func settingsSnapshot(ctx context.Context, tx *sql.Tx, keys ...string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		var v string
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, k).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: setting %s: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// auditDelete records a deletion with the row's name-like column as detail.
func auditDelete(ctx context.Context, tx *sql.Tx, now int64, entity string, id int64, name string) error {
	return audit(ctx, tx, now, AuditEntry{Action: AuditDelete, Entity: entity, EntityID: id, Detail: name})
}

// auditCreate records a creation.
func auditCreate(ctx context.Context, tx *sql.Tx, now int64, entity string, id int64, name string) error {
	return audit(ctx, tx, now, AuditEntry{Action: AuditCreate, Entity: entity, EntityID: id, Detail: name})
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
