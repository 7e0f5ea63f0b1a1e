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

// PoolRules are a pool's claim and recycle rules (公海规则). Zero means
// "no limit" or "never", as in API.md.
type PoolRules struct {
	ClaimDailyLimit       int                      `json:"claim_daily_limit"`
	MaxOwned              int                      `json:"max_owned"`
	ReclaimCooldownDays   int                      `json:"reclaim_cooldown_days"`
	RecycleNoFollowupDays int                      `json:"recycle_no_followup_days"`
	RecycleNoDealDays     int                      `json:"recycle_no_deal_days"`
	RecycleWarnDays       int                      `json:"recycle_warn_days"`
	MaxLocked             int                      `json:"max_locked"`
	HideContactInfo       bool                     `json:"hide_contact_info"`
	LevelOverrides        map[string]LevelOverride `json:"level_overrides"`
}

// LevelOverride gives customers of one level other recycle days.
type LevelOverride struct {
	RecycleNoFollowupDays *int `json:"recycle_no_followup_days,omitempty"`
	RecycleNoDealDays     *int `json:"recycle_no_deal_days,omitempty"`
}

// DefaultPoolRules are the rules a new pool starts with: what a small
// sales team usually agrees on.
var DefaultPoolRules = PoolRules{ClaimDailyLimit: 10, MaxOwned: 200, ReclaimCooldownDays: 7,
	RecycleNoFollowupDays: 30, RecycleNoDealDays: 90, RecycleWarnDays: 3, MaxLocked: 5, LevelOverrides: map[string]LevelOverride{}}

// Pool is a public pool (公海池).
type Pool struct {
	ID            int64    `json:"id"`
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Scope         string   `json:"scope"`
	DepartmentIDs []int64  `json:"department_ids"`
	AdminIDs      []int64  `json:"admin_ids"`
	Sources       []string `json:"sources"`
	IsDefault     bool     `json:"is_default"`
	PoolRules
	InPool    int       `json:"in_pool"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PoolInput creates or edits a pool; nil fields keep their value.
type PoolInput struct {
	Name                  *string                   `json:"name"`
	Description           *string                   `json:"description"`
	Scope                 *string                   `json:"scope"`
	DepartmentIDs         *[]int64                  `json:"department_ids"`
	AdminIDs              *[]int64                  `json:"admin_ids"`
	Sources               *[]string                 `json:"sources"`
	IsDefault             *bool                     `json:"is_default"`
	ClaimDailyLimit       *int                      `json:"claim_daily_limit"`
	MaxOwned              *int                      `json:"max_owned"`
	ReclaimCooldownDays   *int                      `json:"reclaim_cooldown_days"`
	RecycleNoFollowupDays *int                      `json:"recycle_no_followup_days"`
	RecycleNoDealDays     *int                      `json:"recycle_no_deal_days"`
	RecycleWarnDays       *int                      `json:"recycle_warn_days"`
	MaxLocked             *int                      `json:"max_locked"`
	HideContactInfo       *bool                     `json:"hide_contact_info"`
	LevelOverrides        *map[string]LevelOverride `json:"level_overrides"`
}

// ruleFields pairs each numeric rule with its column, for validation and SQL.
func (in *PoolInput) ruleFields() []struct {
	col string
	v   *int
} {
	return []struct {
		col string
		v   *int
	}{
		{"claim_daily_limit", in.ClaimDailyLimit}, {"max_owned", in.MaxOwned}, {"reclaim_cooldown_days", in.ReclaimCooldownDays},
		{"recycle_no_followup_days", in.RecycleNoFollowupDays}, {"recycle_no_deal_days", in.RecycleNoDealDays},
		{"recycle_warn_days", in.RecycleWarnDays}, {"max_locked", in.MaxLocked},
	}
}

func (in *PoolInput) validate(creating bool) fieldErrors {
	fe := fieldErrors{}
	if creating || in.Name != nil {
		n := strings.TrimSpace(deref(in.Name))
		if n == "" {
			fe.add("name", "err.required")
		} else if utf8.RuneCountInString(n) > 100 {
			fe.add("name", "err.too_long", "Max", 100)
		}
	}
	if in.Scope != nil && *in.Scope != "company" && *in.Scope != "departments" {
		fe.add("scope", "err.pool_scope")
	}
	if in.Scope != nil && *in.Scope == "departments" && (in.DepartmentIDs == nil || len(*in.DepartmentIDs) == 0) {
		fe.add("department_ids", "err.pool_departments")
	}
	for _, r := range in.ruleFields() {
		if r.v != nil && (*r.v < 0 || *r.v > 100000) {
			fe.add(r.col, "err.rule_range")
		}
	}
	if in.LevelOverrides != nil {
		for lvl, o := range *in.LevelOverrides {
			if !oneOf(lvl, Levels) {
				fe.add("level_overrides", "err.level")
			}
			for _, v := range []*int{o.RecycleNoFollowupDays, o.RecycleNoDealDays} {
				if v != nil && (*v < 0 || *v > 100000) {
					fe.add("level_overrides", "err.rule_range")
				}
			}
		}
	}
	return fe
}

const poolCols = `p.id, p.name, p.description, p.scope, p.is_default, p.claim_daily_limit, p.max_owned, p.reclaim_cooldown_days,
	p.recycle_no_followup_days, p.recycle_no_deal_days, p.recycle_warn_days, p.max_locked, p.hide_contact_info,
	p.level_overrides, p.created_at, p.updated_at`

func scanPool(row interface{ Scan(...any) error }) (*Pool, error) {
	var p Pool
	var overrides string
	var created, updated int64
	err := row.Scan(&p.ID, &p.Name, &p.Description, &p.Scope, &p.IsDefault, &p.ClaimDailyLimit, &p.MaxOwned, &p.ReclaimCooldownDays,
		&p.RecycleNoFollowupDays, &p.RecycleNoDealDays, &p.RecycleWarnDays, &p.MaxLocked, &p.HideContactInfo,
		&overrides, &created, &updated)
	if err != nil {
		return nil, err
	}
	p.LevelOverrides = map[string]LevelOverride{}
	_ = json.Unmarshal([]byte(overrides), &p.LevelOverrides)
	p.CreatedAt, p.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return &p, nil
}

// poolRules loads a pool's settings and rules only — no lists, no count —
// for the hot paths (claim, lock, recycle) that need nothing else.
func poolRules(ctx context.Context, q querier, id int64) (*Pool, error) {
	p, err := scanPool(q.QueryRowContext(ctx, `SELECT `+poolCols+` FROM pools p WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: pool %d: %w", id, err)
	}
	return p, nil
}

// poolByID loads a pool with its lists, without a visibility check.
func poolByID(ctx context.Context, q querier, id int64) (*Pool, error) {
	p, err := scanPool(q.QueryRowContext(ctx, `SELECT `+poolCols+` FROM pools p WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: pool %d: %w", id, err)
	}
	if p.DepartmentIDs, err = queryInt64s(ctx, q, `SELECT department_id FROM pool_departments WHERE pool_id = ? ORDER BY 1`, id); err != nil {
		return nil, err
	}
	if p.AdminIDs, err = queryInt64s(ctx, q, `SELECT user_id FROM pool_admins WHERE pool_id = ? ORDER BY 1`, id); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT source FROM pool_sources WHERE pool_id = ? ORDER BY source`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	p.Sources = []string{}
	for rows.Next() {
		var src string
		if err := rows.Scan(&src); err != nil {
			return nil, err
		}
		p.Sources = append(p.Sources, src)
	}
	if p.DepartmentIDs == nil {
		p.DepartmentIDs = []int64{}
	}
	if p.AdminIDs == nil {
		p.AdminIDs = []int64{}
	}
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE pool_id = ? AND deleted_at IS NULL`, id).Scan(&p.InPool)
	return p, err
}

// PoolRulesByID loads the rules of every pool, keyed by id, without the
// lists and counts: cheap enough for every customer-list page (countdowns).
func (s *Store) PoolRulesByID(ctx context.Context) (map[int64]*Pool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+poolCols+` FROM pools p`)
	if err != nil {
		return nil, fmt.Errorf("store: pool rules: %w", err)
	}
	defer rows.Close()
	out := map[int64]*Pool{}
	for rows.Next() {
		p, err := scanPool(rows)
		if err != nil {
			return nil, err
		}
		out[p.ID] = p
	}
	return out, rows.Err()
}

// Pool loads a pool the user may see; others are ErrNotFound.
func (s *Store) Pool(ctx context.Context, u *User, id int64) (*Pool, error) {
	ids, err := s.visiblePoolIDs(ctx, s.r, u)
	if err != nil {
		return nil, err
	}
	if !containsID(ids, id) {
		return nil, ErrNotFound
	}
	return poolByID(ctx, s.r, id)
}

// Pools lists the pools the user may see.
func (s *Store) Pools(ctx context.Context, u *User) ([]*Pool, error) {
	ids, err := s.visiblePoolIDs(ctx, s.r, u)
	if err != nil {
		return nil, err
	}
	out := []*Pool{}
	for _, id := range ids {
		p, err := poolByID(ctx, s.r, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// CreatePool adds a pool (admins only), starting from DefaultPoolRules.
func (s *Store) CreatePool(ctx context.Context, actor *User, in PoolInput) (*Pool, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	if err := in.validate(true).err(); err != nil {
		return nil, err
	}
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		res, err := tx.ExecContext(ctx, `INSERT INTO pools (name, created_at, updated_at) VALUES (?, ?, ?)`, strings.TrimSpace(*in.Name), now, now)
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"name": M("err.name_taken")}}
			}
			return fmt.Errorf("store: insert pool: %w", err)
		}
		id, _ = res.LastInsertId()
		d := DefaultPoolRules
		def := PoolInput{ClaimDailyLimit: &d.ClaimDailyLimit, MaxOwned: &d.MaxOwned, ReclaimCooldownDays: &d.ReclaimCooldownDays,
			RecycleNoFollowupDays: &d.RecycleNoFollowupDays, RecycleNoDealDays: &d.RecycleNoDealDays,
			RecycleWarnDays: &d.RecycleWarnDays, MaxLocked: &d.MaxLocked}
		if err := applyPoolInput(ctx, tx, id, def, now); err != nil {
			return err
		}
		if err := applyPoolInput(ctx, tx, id, in, now); err != nil {
			return err
		}
		return auditCreate(ctx, tx, now, "pool", id, strings.TrimSpace(*in.Name))
	})
	if err != nil {
		return nil, err
	}
	return poolByID(ctx, s.r, id)
}

// UpdatePool edits a pool's settings and rules (admins only).
func (s *Store) UpdatePool(ctx context.Context, actor *User, id int64, in PoolInput) (*Pool, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	if err := in.validate(false).err(); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := poolByID(ctx, tx, id); err != nil {
			return err
		}
		if in.Name != nil {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pools WHERE name = ? AND id != ?`, strings.TrimSpace(*in.Name), id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"name": M("err.name_taken")}}
			}
		}
		before, err := poolSnapshot(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := applyPoolInput(ctx, tx, id, in, s.now().Unix()); err != nil {
			return err
		}
		after, err := poolSnapshot(ctx, tx, id)
		if err != nil {
			return err
		}
		return auditDiff(ctx, tx, s.now().Unix(), "pool", id, before, after)
	})
	if err != nil {
		return nil, err
	}
	return poolByID(ctx, s.r, id)
}

func applyPoolInput(ctx context.Context, tx *sql.Tx, id int64, in PoolInput, now int64) error {
	set := func(col string, v any) error {
		_, err := tx.ExecContext(ctx, `UPDATE pools SET `+col+` = ?, updated_at = ? WHERE id = ?`, v, now, id)
		if err != nil {
			return fmt.Errorf("store: pool %d %s: %w", id, col, err)
		}
		return nil
	}
	if in.Name != nil {
		if err := set("name", strings.TrimSpace(*in.Name)); err != nil {
			return err
		}
	}
	if in.Description != nil {
		if err := set("description", strings.TrimSpace(*in.Description)); err != nil {
			return err
		}
	}
	if in.Scope != nil {
		if err := set("scope", *in.Scope); err != nil {
			return err
		}
	}
	for _, r := range in.ruleFields() {
		if r.v != nil {
			if err := set(r.col, *r.v); err != nil {
				return err
			}
		}
	}
	if in.HideContactInfo != nil {
		if err := set("hide_contact_info", *in.HideContactInfo); err != nil {
			return err
		}
	}
	if in.LevelOverrides != nil {
		b, _ := json.Marshal(*in.LevelOverrides)
		if err := set("level_overrides", string(b)); err != nil {
			return err
		}
	}
	if in.IsDefault != nil && *in.IsDefault {
		if _, err := tx.ExecContext(ctx, `UPDATE pools SET is_default = 0 WHERE id != ?`, id); err != nil {
			return err
		}
		if err := set("is_default", true); err != nil {
			return err
		}
	}
	return applyPoolLists(ctx, tx, id, in)
}

// applyPoolLists replaces the department scope, pool admins and routed
// sources. A source routes to one pool: taking it moves it here.
func applyPoolLists(ctx context.Context, tx *sql.Tx, id int64, in PoolInput) error {
	if in.DepartmentIDs != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM pool_departments WHERE pool_id = ?`, id); err != nil {
			return err
		}
		for _, d := range *in.DepartmentIDs {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO pool_departments (pool_id, department_id) SELECT ?, id FROM departments WHERE id = ?`, id, d); err != nil {
				return err
			}
		}
	}
	if in.AdminIDs != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM pool_admins WHERE pool_id = ?`, id); err != nil {
			return err
		}
		for _, u := range *in.AdminIDs {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO pool_admins (pool_id, user_id) SELECT ?, id FROM users WHERE id = ?`, id, u); err != nil {
				return err
			}
		}
	}
	if in.Sources != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM pool_sources WHERE pool_id = ?`, id); err != nil {
			return err
		}
		for _, src := range *in.Sources {
			src = strings.TrimSpace(src)
			if src == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO pool_sources (source, pool_id) VALUES (?, ?)
				ON CONFLICT (source) DO UPDATE SET pool_id = excluded.pool_id`, src, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeletePool removes an empty pool (admins only). Customers that had it as
// their home pool get the default pool instead; the default pool itself
// cannot be deleted.
func (s *Store) DeletePool(ctx context.Context, actor *User, id int64) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		p, err := poolByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.InPool > 0 {
			return &Error{Code: CodeConflict, Msg: M("err.pool_not_empty", "Count", p.InPool)}
		}
		if p.IsDefault {
			return &Error{Code: CodeConflict, Msg: M("err.pool_default")}
		}
		def, err := defaultPoolID(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customers SET home_pool_id = ? WHERE home_pool_id = ?`, def, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pool_moves SET pool_id = NULL WHERE pool_id = ?`, id); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `DELETE FROM pools WHERE id = ?`, id); err != nil {
			return err
		}
		return auditDelete(ctx, tx, s.now().Unix(), "pool", id, p.Name)
	})
}

// poolForSource is the pool a new lead from source goes to: the pool that
// routes that source, else the default pool.
func poolForSource(ctx context.Context, q querier, source string) (*int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT pool_id FROM pool_sources WHERE source = ?`, source).Scan(&id)
	if err == nil {
		return &id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return defaultPoolID(ctx, q)
}

// ReleaseReasons lists the admin-managed reasons for releasing a customer.
func (s *Store) ReleaseReasons(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM release_reasons ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// poolSnapshot is a pool's row plus its lists (who administers it, which
// departments see it, which sources route to it) for the audit log: the
// lists are the pool's permissions.
func poolSnapshot(ctx context.Context, tx *sql.Tx, id int64) (map[string]string, error) {
	snap, err := snapshot(ctx, tx, "pools", id)
	if err != nil {
		return nil, err
	}
	for key, q := range map[string]string{
		"admin_ids":      `SELECT COALESCE(group_concat(user_id, ','), '') FROM (SELECT user_id FROM pool_admins WHERE pool_id = ? ORDER BY user_id)`,
		"department_ids": `SELECT COALESCE(group_concat(department_id, ','), '') FROM (SELECT department_id FROM pool_departments WHERE pool_id = ? ORDER BY department_id)`,
		"sources":        `SELECT COALESCE(group_concat(source, ','), '') FROM (SELECT source FROM pool_sources WHERE pool_id = ? ORDER BY source)`,
	} {
		var v string
		if err := tx.QueryRowContext(ctx, q, id).Scan(&v); err != nil {
			return nil, err
		}
		snap[key] = v
	}
	return snap, nil
}
