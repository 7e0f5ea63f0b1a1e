package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Visibility is the one rule that decides which customers a user may see
// (DESIGN.md "Visibility"). Every query that lists or loads customers goes
// through it, so a record a user may not see behaves exactly like one that
// does not exist.
//
//   - admin: everything;
//   - manager: customers owned by anyone in their department or below;
//   - sales: customers they own;
//   - everyone: customers sitting in a pool whose scope admits them.
type Visibility struct {
	All      bool    // admin
	OwnerIDs []int64 // owners whose customers are visible
	PoolIDs  []int64 // pools whose customers are visible
}

// VisibilityFor computes the rule for u. It costs two small queries
// (the department subtree's users, the admitted pools).
func (s *Store) VisibilityFor(ctx context.Context, u *User) (*Visibility, error) {
	if u.IsAdmin() {
		return &Visibility{All: true}, nil
	}
	v := &Visibility{OwnerIDs: []int64{u.ID}}
	if u.Role == RoleManager && u.DepartmentID != nil {
		ids, err := s.int64s(ctx, `WITH RECURSIVE sub(id) AS (
				SELECT ? UNION ALL SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id)
			SELECT u.id FROM users u WHERE u.department_id IN (SELECT id FROM sub) AND u.id != ?`, *u.DepartmentID, u.ID)
		if err != nil {
			return nil, fmt.Errorf("store: visibility team of %d: %w", u.ID, err)
		}
		v.OwnerIDs = append(v.OwnerIDs, ids...)
	}
	pools, err := s.visiblePoolIDs(ctx, s.r, u)
	if err != nil {
		return nil, err
	}
	v.PoolIDs = pools
	return v, nil
}

// visiblePoolIDs lists the pools whose scope admits u: company-wide pools,
// pools listing u's department or any department above it, and pools u
// administers.
func (s *Store) visiblePoolIDs(ctx context.Context, q querier, u *User) ([]int64, error) {
	var dep int64
	if u.DepartmentID != nil {
		dep = *u.DepartmentID
	}
	ids, err := queryInt64s(ctx, q, `WITH RECURSIVE up(id) AS (
			SELECT ? UNION ALL SELECT d.parent_id FROM departments d JOIN up ON d.id = up.id WHERE d.parent_id IS NOT NULL)
		SELECT p.id FROM pools p WHERE ? OR p.scope = 'company'
			OR p.id IN (SELECT pool_id FROM pool_departments WHERE department_id IN (SELECT id FROM up))
			OR p.id IN (SELECT pool_id FROM pool_admins WHERE user_id = ?)
		ORDER BY p.id`, dep, u.IsAdmin(), u.ID)
	if err != nil {
		return nil, fmt.Errorf("store: visible pools of %d: %w", u.ID, err)
	}
	return ids, nil
}

// CanSeeOwner reports whether customers owned by ownerID are visible.
func (v *Visibility) CanSeeOwner(ownerID int64) bool {
	return v.All || containsID(v.OwnerIDs, ownerID)
}

// CanSeePool reports whether customers in poolID are visible.
func (v *Visibility) CanSeePool(poolID int64) bool {
	return v.All || containsID(v.PoolIDs, poolID)
}

// InDepartment narrows v's owners to the people in department depID and
// the departments below it (a list's department filter): only those v
// already shows, so a filter never widens what the user may see, and a
// department outside v's reach leaves no owner. The visible pools stay;
// a list filtered by department also requires an owner (ownedClause).
func (s *Store) InDepartment(ctx context.Context, v *Visibility, depID int64) (*Visibility, error) {
	members, err := s.departmentMembers(ctx, depID)
	if err != nil {
		return nil, err
	}
	pools := v.PoolIDs
	if v.All { // every pool, now named
		if pools, err = s.int64s(ctx, `SELECT id FROM pools ORDER BY id`); err != nil {
			return nil, err
		}
	}
	return &Visibility{OwnerIDs: visibleOf(v, members), PoolIDs: pools}, nil
}

// departmentMembers lists the users of department depID and of every
// department below it.
func (s *Store) departmentMembers(ctx context.Context, depID int64) ([]int64, error) {
	ids, err := s.int64s(ctx, `WITH RECURSIVE sub(id) AS (
			SELECT ? UNION ALL SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id)
		SELECT u.id FROM users u WHERE u.department_id IN (SELECT id FROM sub) ORDER BY u.id`, depID)
	if err != nil {
		return nil, fmt.Errorf("store: members of department %d: %w", depID, err)
	}
	return ids, nil
}

// ownedClause restricts alias c to visible owned customers.
func (v *Visibility) ownedClause() string {
	if v.All {
		return "c.owner_id IS NOT NULL"
	}
	return "c.owner_id IN (" + idList(v.OwnerIDs) + ")"
}

// poolClause restricts alias c to customers in visible pools.
func (v *Visibility) poolClause() string {
	if v.All {
		return "c.pool_id IS NOT NULL"
	}
	if len(v.PoolIDs) == 0 {
		return "0"
	}
	return "c.pool_id IN (" + idList(v.PoolIDs) + ")"
}

// anyClause restricts alias c to every customer the user may see.
func (v *Visibility) anyClause() string {
	if v.All {
		return "1"
	}
	return "(" + v.ownedClause() + " OR " + v.poolClause() + ")"
}

// idList renders ids as a literal SQL list. The ids are integers from our
// own queries, so inlining is safe, and it lets SQLite plan with the index
// on each value instead of a subquery.
func idList(ids []int64) string {
	if len(ids) == 0 {
		return "NULL"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
