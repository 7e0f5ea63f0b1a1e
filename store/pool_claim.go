package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Rule names reported with a CodeRule refusal (API.md "Errors").
const (
	RuleDailyClaimLimit = "daily_claim_limit"
	RuleMaxOwned        = "max_owned"
	RuleReclaimCooldown = "reclaim_cooldown"
	RuleMaxLocked       = "max_locked"
	RuleNotInPool       = "not_in_pool"
	RulePoolNotVisible  = "pool_not_visible"
)

func ruleError(rule, key string, kv ...any) error {
	return &Error{Code: CodeRule, Rule: rule, Msg: M(key, kv...)}
}

// startOfDay is midnight of t's calendar day in loc.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// Claim takes a customer out of its pool for the actor (领取). The rules are
// checked inside the same transaction, in this order: the pool is visible,
// the customer is still in it, the reclaim cool-down, the daily claim limit
// (calendar day in the company time zone), the owned-customers limit. Of
// many people claiming one customer at once exactly one wins: the update is
// conditional on the customer still being unowned.
func (s *Store) Claim(ctx context.Context, actor *User, customerID int64) (*Customer, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error { return s.claimTx(ctx, tx, actor, customerID) })
	if err != nil {
		return nil, err
	}
	return customerByID(ctx, s.r, customerID)
}

func (s *Store) claimTx(ctx context.Context, tx *sql.Tx, actor *User, customerID int64) error {
	var owner, pool, home sql.NullInt64
	var ownerName string
	err := tx.QueryRowContext(ctx, `SELECT c.owner_id, COALESCE(u.name, ''), c.pool_id, c.home_pool_id FROM customers c
		LEFT JOIN users u ON u.id = c.owner_id WHERE c.id = ? AND c.deleted_at IS NULL`, customerID).Scan(&owner, &ownerName, &pool, &home)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: claim %d: %w", customerID, err)
	}
	visible, err := s.visiblePoolIDs(ctx, tx, actor)
	if err != nil {
		return err
	}
	if owner.Valid {
		if owner.Int64 == actor.ID {
			return ruleError(RuleNotInPool, "err.already_yours")
		}
		// Only someone who could see the customer (in its pool, which is
		// now its home pool, or through its owner) hears who got it; to an
		// outsider it does not exist, so ids cannot be probed.
		if !containsID(visible, home.Int64) && !s.canSeeOwnedTx(ctx, tx, actor, owner.Int64) {
			return ErrNotFound
		}
		// Someone got it first: say who, as the claim button was on the
		// actor's screen a moment ago ("已被 X 领取").
		return &Error{Code: CodeConflict, Msg: M("err.claimed_by", "Name", ownerName)}
	}
	if !containsID(visible, pool.Int64) {
		return ErrNotFound
	}
	p, err := poolRules(ctx, tx, pool.Int64)
	if err != nil {
		return err
	}
	now := s.now()
	if err := s.checkCooldown(ctx, tx, actor, customerID, p, now); err != nil {
		return err
	}
	if p.ClaimDailyLimit > 0 {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pool_moves WHERE to_user_id = ? AND action = 'claim' AND pool_id = ? AND at >= ?`,
			actor.ID, p.ID, startOfDay(now, s.Location).Unix()).Scan(&n)
		if err != nil {
			return err
		}
		if n >= p.ClaimDailyLimit {
			return ruleError(RuleDailyClaimLimit, "err.rule_daily_limit", "Count", n, "Limit", p.ClaimDailyLimit)
		}
	}
	if p.MaxOwned > 0 {
		n, err := ownedCount(ctx, tx, actor.ID)
		if err != nil {
			return err
		}
		if n >= p.MaxOwned {
			return ruleError(RuleMaxOwned, "err.rule_max_owned", "Count", n, "Limit", p.MaxOwned)
		}
	}
	return s.takeFromPool(ctx, tx, customerID, p.ID, actor.ID, actor.ID, "claim", now.Unix())
}

func ownedCount(ctx context.Context, q querier, userID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE owner_id = ? AND deleted_at IS NULL`, userID).Scan(&n)
	return n, err
}

// checkCooldown refuses a former owner who released or lost the customer
// to recycling within the pool's cool-down.
func (s *Store) checkCooldown(ctx context.Context, tx *sql.Tx, actor *User, customerID int64, p *Pool, now time.Time) error {
	if p.ReclaimCooldownDays <= 0 {
		return nil
	}
	var last int64
	var action string
	err := tx.QueryRowContext(ctx, `SELECT at, action FROM pool_moves WHERE customer_id = ? AND from_user_id = ? AND action IN ('release', 'recycle')
		ORDER BY at DESC, id DESC LIMIT 1`, customerID, actor.ID).Scan(&last, &action)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	until := time.Unix(last, 0).AddDate(0, 0, p.ReclaimCooldownDays)
	if now.Before(until) {
		days := int(until.Sub(now).Hours()/24) + 1
		key := "err.rule_cooldown"
		if action == "recycle" {
			key = "err.rule_cooldown_recycled"
		}
		return ruleError(RuleReclaimCooldown, key, "Days", days, "Limit", p.ReclaimCooldownDays)
	}
	return nil
}

// takeFromPool moves a pool customer to an owner and writes its history
// row. It fails with a conflict when the customer left the pool meanwhile.
func (s *Store) takeFromPool(ctx context.Context, tx *sql.Tx, customerID, poolID, ownerID, actorID int64, action string, now int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE customers SET owner_id = ?, pool_id = NULL, home_pool_id = ?, owned_since = ?,
			pool_entered_at = NULL, locked = 0, updated_at = ?, version = version + 1
		WHERE id = ? AND pool_id = ? AND owner_id IS NULL AND deleted_at IS NULL`, ownerID, poolID, now, now, customerID, poolID)
	if err != nil {
		return fmt.Errorf("store: %s %d: %w", action, customerID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		var name string
		_ = tx.QueryRowContext(ctx, `SELECT COALESCE(u.name, '') FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.id = ?`, customerID).Scan(&name)
		return &Error{Code: CodeConflict, Msg: M("err.claimed_by", "Name", name)}
	}
	return recordMove(ctx, tx, poolMove{customerID: customerID, poolID: &poolID, action: action, toUserID: &ownerID, actorID: actorID, at: now})
}

func (s *Store) canSeeOwnedTx(ctx context.Context, tx *sql.Tx, actor *User, ownerID int64) bool {
	if actor.IsAdmin() || actor.ID == ownerID {
		return true
	}
	v, err := s.VisibilityFor(ctx, actor)
	return err == nil && v.CanSeeOwner(ownerID)
}

// ClaimResult is the outcome of one customer in a bulk claim.
type ClaimResult struct {
	CustomerID int64  `json:"customer_id"`
	OK         bool   `json:"ok"`
	Err        error  `json:"-"`
	Code       string `json:"code,omitempty"`
}

// ClaimMany claims customers one by one (each its own transaction, so one
// refusal does not undo the others) and stops at the first rule refusal,
// since the same limit would refuse the rest.
func (s *Store) ClaimMany(ctx context.Context, actor *User, ids []int64) []ClaimResult {
	out := make([]ClaimResult, 0, len(ids))
	for _, id := range ids {
		_, err := s.Claim(ctx, actor, id)
		r := ClaimResult{CustomerID: id, OK: err == nil, Err: err}
		if e, ok := AsError(err); ok {
			r.Code = e.Code
		}
		out = append(out, r)
		if IsCode(err, CodeRule) {
			break
		}
	}
	return out
}

// Release returns an owned customer to a pool (退回公海): its home pool, or
// poolID when given (must be visible). The owner, or a manager/admin who can
// see it, may release; a reason is required and recorded, with an optional
// free-text note kept apart so reports can group by reason.
func (s *Store) Release(ctx context.Context, actor *User, customerID int64, reason, note string, poolID *int64) (*Customer, error) {
	reason, note = strings.TrimSpace(reason), strings.TrimSpace(note)
	if reason == "" {
		return nil, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"reason": M("err.required")}}
	}
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		c, err := s.customerVisible(ctx, tx, v, customerID)
		if err != nil {
			return err
		}
		if c.Owner == nil {
			return ruleError(RuleNotInPool, "err.release_in_pool")
		}
		if c.Owner.ID != actor.ID && !actor.IsManager() {
			return ErrForbidden
		}
		target := c.HomePoolID
		if poolID != nil {
			if !v.CanSeePool(*poolID) {
				return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"pool_id": M("err.pool_unknown")}}
			}
			target = poolID
		}
		if target == nil {
			if target, err = defaultPoolID(ctx, tx); err != nil || target == nil {
				return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"pool_id": M("err.pool_unknown")}}
			}
		}
		return s.returnToPool(ctx, tx, c.ID, c.Owner.ID, *target, actor.ID, "release", reason, note, s.now().Unix())
	})
	if err != nil {
		return nil, err
	}
	return customerByID(ctx, s.r, customerID)
}

// returnToPool moves an owned customer into a pool and records the move.
// It is shared by release and recycle; the update is conditional on the
// owner not having changed.
func (s *Store) returnToPool(ctx context.Context, tx *sql.Tx, customerID, ownerID, poolID, actorID int64, action, reason, note string, now int64) error {
	recycled := 0
	if action == "recycle" {
		recycled = 1
	}
	res, err := tx.ExecContext(ctx, `UPDATE customers SET owner_id = NULL, pool_id = ?, home_pool_id = ?, previous_owner_id = owner_id,
			pool_entered_at = ?, owned_since = NULL, locked = 0, recycle_count = recycle_count + ?, updated_at = ?, version = version + 1
		WHERE id = ? AND owner_id = ?`, poolID, poolID, now, recycled, now, customerID, ownerID)
	if err != nil {
		return fmt.Errorf("store: %s %d: %w", action, customerID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &Error{Code: CodeConflict, Msg: M("err.changed_meanwhile")}
	}
	return recordMove(ctx, tx, poolMove{customerID: customerID, poolID: &poolID, action: action, fromUserID: &ownerID,
		actorID: actorID, reason: reason, note: note, at: now})
}

// SetLocked locks or unlocks an owned customer (锁定) so recycling never
// takes it. Only the owner may; locking is limited by the home pool's
// max_locked (0 turns locking off).
func (s *Store) SetLocked(ctx context.Context, actor *User, customerID int64, locked bool) (*Customer, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c, err := customerByID(ctx, tx, customerID)
		if err != nil {
			return err
		}
		if c.Owner == nil || c.Owner.ID != actor.ID {
			if c.Owner != nil && s.canSeeOwnedTx(ctx, tx, actor, c.Owner.ID) {
				return ErrForbidden
			}
			return ErrNotFound
		}
		if locked && !c.Locked {
			limit := 0
			if c.HomePoolID != nil {
				p, err := poolRules(ctx, tx, *c.HomePoolID)
				if err != nil {
					return err
				}
				limit = p.MaxLocked
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE owner_id = ? AND locked = 1 AND deleted_at IS NULL`, actor.ID).Scan(&n); err != nil {
				return err
			}
			if n >= limit {
				return ruleError(RuleMaxLocked, "err.rule_max_locked", "Count", n, "Limit", limit)
			}
		}
		now := s.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE customers SET locked = ?, updated_at = ?, version = version + 1 WHERE id = ?`, locked, now, customerID); err != nil {
			return err
		}
		kind := "unlocked"
		if locked {
			kind = "locked"
		}
		return addEvent(ctx, tx, customerID, kind, actor.ID, nil, "", now)
	})
	if err != nil {
		return nil, err
	}
	return customerByID(ctx, s.r, customerID)
}

// CreateLead takes in a new lead from a channel (线索): unowned, into the
// pool that routes its source, else the default pool; same duplicate rules
// as any customer.
func (s *Store) CreateLead(ctx context.Context, actor *User, in CustomerInput) (*Customer, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		pool, err := poolForSource(ctx, tx, strings.TrimSpace(deref(in.Source)))
		if err != nil {
			return err
		}
		if pool == nil {
			return &Error{Code: CodeConflict, Msg: M("err.no_default_pool")}
		}
		in.PoolID, in.OwnerID = pool, nil
		id, err = s.createCustomerTx(ctx, tx, actor, in, createOpts{action: "enter", anyPool: true})
		return err
	})
	if err != nil {
		return nil, err
	}
	return customerByID(ctx, s.r, id)
}

// LockedCount is how many customers u has locked (锁定), for "已锁定 n/max".
func (s *Store) LockedCount(ctx context.Context, u *User) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE owner_id = ? AND locked = 1 AND deleted_at IS NULL`, u.ID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: locked count of %d: %w", u.ID, err)
	}
	return n, nil
}
