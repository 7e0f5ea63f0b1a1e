package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// Assign hands pool customers to users (分配): to one person, or spread
// evenly over several ("平均分配": counts differ by at most one, users with
// the lowest current load get the extra ones). Managers and admins only;
// assignees must be active, admitted by the pool's scope and, for a
// manager, in their team. Claim limits do not apply, but every customer
// gets an "assign" history row naming who assigned it. All or nothing: if
// any customer has left the pool meanwhile, nothing is assigned.
func (s *Store) Assign(ctx context.Context, actor *User, poolID int64, customerIDs, userIDs []int64) (map[int64]int, error) {
	if !actor.IsManager() {
		return nil, ErrForbidden
	}
	fe := fieldErrors{}
	if len(customerIDs) == 0 {
		fe.add("customer_ids", "err.required")
	}
	if len(userIDs) == 0 {
		fe.add("user_ids", "err.required")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	counts := map[int64]int{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		visible, err := s.visiblePoolIDs(ctx, tx, actor)
		if err != nil {
			return err
		}
		if !containsID(visible, poolID) {
			return ErrNotFound
		}
		plan, err := s.assignmentPlan(ctx, tx, actor, poolID, customerIDs, userIDs)
		if err != nil {
			return err
		}
		now := s.now().Unix()
		for i, cid := range customerIDs {
			uid := plan[i]
			if err := s.takeFromPool(ctx, tx, cid, poolID, uid, actor.ID, "assign", now); err != nil {
				return err
			}
			if err := notify(ctx, tx, Notification{UserID: uid, Kind: "assigned", TitleKey: "notify.assigned",
				Args: map[string]any{"Customer": customerName(ctx, tx, cid), "By": actor.Name}, Link: customerLink(cid)}, now); err != nil {
				return err
			}
			counts[uid]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// assignmentPlan checks the assignees and returns, for each customer in
// order, the user it goes to.
func (s *Store) assignmentPlan(ctx context.Context, tx *sql.Tx, actor *User, poolID int64, customerIDs, userIDs []int64) ([]int64, error) {
	type load struct {
		id    int64
		owned int
	}
	var loads []load
	seen := map[int64]bool{}
	for _, uid := range userIDs {
		if seen[uid] {
			continue
		}
		seen[uid] = true
		if err := checkAssignee(ctx, tx, actor, uid); err != nil {
			return nil, renameField(err, "owner_id", "user_ids")
		}
		u, err := userTx(ctx, tx, uid)
		if err != nil {
			return nil, err
		}
		pools, err := s.visiblePoolIDs(ctx, tx, u)
		if err != nil {
			return nil, err
		}
		if !containsID(pools, poolID) {
			return nil, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"user_ids": M("err.assignee_outside_pool", "Name", u.Name)}}
		}
		n, err := ownedCount(ctx, tx, uid)
		if err != nil {
			return nil, err
		}
		loads = append(loads, load{uid, n})
	}
	sort.SliceStable(loads, func(i, j int) bool { return loads[i].owned < loads[j].owned })
	base, extra := len(customerIDs)/len(loads), len(customerIDs)%len(loads)
	plan := make([]int64, 0, len(customerIDs))
	for i, l := range loads {
		n := base
		if i < extra {
			n++
		}
		for k := 0; k < n; k++ {
			plan = append(plan, l.id)
		}
	}
	return plan, nil
}

func renameField(err error, from, to string) error {
	e, ok := AsError(err)
	if !ok || e.Fields == nil {
		return err
	}
	if m, ok := e.Fields[from]; ok {
		delete(e.Fields, from)
		e.Fields[to] = m
	}
	return e
}

func userTx(ctx context.Context, q querier, id int64) (*User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u LEFT JOIN departments d ON d.id = u.department_id WHERE u.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, err)
	}
	return u, nil
}

func customerName(ctx context.Context, q querier, id int64) string {
	var n string
	_ = q.QueryRowContext(ctx, `SELECT name FROM customers WHERE id = ?`, id).Scan(&n)
	return n
}

func customerLink(id int64) string { return fmt.Sprintf("/customers/%d", id) }
