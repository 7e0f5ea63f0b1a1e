package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Department is one node of the organisation tree (部门). A manager sees
// the records of their department and everything below it.
type Department struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	ParentID  *int64 `json:"parent_id"`
	Depth     int    `json:"depth"`
	Path      string `json:"path"`
	UserCount int    `json:"user_count"`
}

// DepartmentInput is what a form or API call sets on a department.
type DepartmentInput struct {
	Name     string `json:"name"`
	ParentID *int64 `json:"parent_id"`
}

// Departments lists the tree depth-first, each with its full path
// ("华东区 / 上海组") and how many users it holds.
func (s *Store) Departments(ctx context.Context) ([]*Department, error) {
	rows, err := s.r.QueryContext(ctx, `
		WITH RECURSIVE tree(id, name, parent_id, depth, path, sortkey) AS (
			SELECT id, name, parent_id, 0, name, name FROM departments WHERE parent_id IS NULL
			UNION ALL
			SELECT d.id, d.name, d.parent_id, t.depth + 1, t.path || ' / ' || d.name, t.sortkey || char(1) || d.name
			FROM departments d JOIN tree t ON d.parent_id = t.id
		)
		SELECT t.id, t.name, t.parent_id, t.depth, t.path,
			(SELECT count(*) FROM users u WHERE u.department_id = t.id)
		FROM tree t ORDER BY t.sortkey`)
	if err != nil {
		return nil, fmt.Errorf("store: departments: %w", err)
	}
	defer rows.Close()
	var out []*Department
	for rows.Next() {
		var d Department
		var parent sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Name, &parent, &d.Depth, &d.Path, &d.UserCount); err != nil {
			return nil, err
		}
		if parent.Valid {
			d.ParentID = &parent.Int64
		}
		out = append(out, &d)
	}
	return out, rows.Err()
}

// Department loads one department.
func (s *Store) Department(ctx context.Context, id int64) (*Department, error) {
	all, err := s.Departments(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range all {
		if d.ID == id {
			return d, nil
		}
	}
	return nil, ErrNotFound
}

func validateDepartment(in DepartmentInput) fieldErrors {
	fe := fieldErrors{}
	n := strings.TrimSpace(in.Name)
	if n == "" {
		fe.add("name", "err.required")
	} else if utf8.RuneCountInString(n) > 100 {
		fe.add("name", "err.length", "Min", 1, "Max", 100)
	}
	return fe
}

// CreateDepartment adds a department under an optional parent.
func (s *Store) CreateDepartment(ctx context.Context, in DepartmentInput) (*Department, error) {
	if err := validateDepartment(in).err(); err != nil {
		return nil, err
	}
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := checkParent(ctx, tx, in.ParentID, 0); err != nil {
			return err
		}
		if err := departmentNameFree(ctx, tx, in, 0); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO departments (name, parent_id, created_at) VALUES (?, ?, ?)`,
			strings.TrimSpace(in.Name), in.ParentID, s.now().Unix())
		if err != nil {
			return fmt.Errorf("store: insert department: %w", err)
		}
		id, err = res.LastInsertId()
		if err != nil {
			return err
		}
		return auditCreate(ctx, tx, s.now().Unix(), "department", id, strings.TrimSpace(in.Name))
	})
	if err != nil {
		return nil, err
	}
	return s.Department(ctx, id)
}

// UpdateDepartment renames or moves a department; moving it below itself
// or one of its descendants is refused.
func (s *Store) UpdateDepartment(ctx context.Context, id int64, in DepartmentInput) (*Department, error) {
	if err := validateDepartment(in).err(); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM departments WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if err := checkParent(ctx, tx, in.ParentID, id); err != nil {
			return err
		}
		if err := departmentNameFree(ctx, tx, in, id); err != nil {
			return err
		}
		before, err := snapshot(ctx, tx, "departments", id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE departments SET name = ?, parent_id = ? WHERE id = ?`,
			strings.TrimSpace(in.Name), in.ParentID, id); err != nil {
			return err
		}
		return auditUpdate(ctx, tx, s.now().Unix(), "department", "departments", id, before)
	})
	if err != nil {
		return nil, err
	}
	return s.Department(ctx, id)
}

func departmentNameFree(ctx context.Context, tx *sql.Tx, in DepartmentInput, except int64) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM departments
		WHERE COALESCE(parent_id, 0) = COALESCE(?, 0) AND name = ? AND id != ?`,
		in.ParentID, strings.TrimSpace(in.Name), except).Scan(&n)
	if err != nil {
		return err
	}
	if n > 0 {
		return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"name": M("err.department_name_taken")}}
	}
	return nil
}

// checkParent refuses an unknown parent and, when moving department self,
// a parent inside self's own subtree (which would make a cycle).
func checkParent(ctx context.Context, tx *sql.Tx, parent *int64, self int64) error {
	if parent == nil {
		return nil
	}
	bad := func(key string) error {
		return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"parent_id": M(key)}}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM departments WHERE id = ?`, *parent).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return bad("err.department_unknown")
	}
	if self == 0 {
		return nil
	}
	err := tx.QueryRowContext(ctx, `WITH RECURSIVE sub(id) AS (
			SELECT ? UNION ALL SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id)
		SELECT count(*) FROM sub WHERE id = ?`, self, *parent).Scan(&n)
	if err != nil {
		return err
	}
	if n > 0 {
		return bad("err.department_cycle")
	}
	return nil
}

// DeleteDepartment removes an empty department; one that still has users
// or sub-departments is refused with a message saying which.
func (s *Store) DeleteDepartment(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var exists, users, children int
		err := tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM departments WHERE id = ?),
			(SELECT count(*) FROM users WHERE department_id = ?),
			(SELECT count(*) FROM departments WHERE parent_id = ?)`, id, id, id).Scan(&exists, &users, &children)
		if err != nil {
			return err
		}
		switch {
		case exists == 0:
			return ErrNotFound
		case users > 0:
			return &Error{Code: CodeConflict, Msg: M("err.department_has_users", "Count", users)}
		case children > 0:
			return &Error{Code: CodeConflict, Msg: M("err.department_has_children", "Count", children)}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM departments WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: delete department %d: %w", id, err)
		}
		return auditDelete(ctx, tx, s.now().Unix(), "department", id, "")
	})
}

// DepartmentSubtree returns id and the ids of every department below it.
func (s *Store) DepartmentSubtree(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `WITH RECURSIVE sub(id) AS (
			SELECT ? UNION ALL SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id)
		SELECT id FROM sub`, id)
	if err != nil {
		return nil, fmt.Errorf("store: subtree %d: %w", id, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		ids = append(ids, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errors.New("store: empty subtree")
	}
	return ids, nil
}
