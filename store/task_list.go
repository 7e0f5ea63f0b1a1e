package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// TaskQuery filters the task list (API.md "Tasks"): all zero values mean
// every visible task.
type TaskQuery struct {
	Assignee   string // "", "me" or a user id
	Status     string // "", "open", "done"
	DueBefore  *time.Time
	DueAfter   *time.Time
	CustomerID int64
	Page       int
	PerPage    int
}

// TaskPage is one page of tasks.
type TaskPage struct {
	Items   []*Task `json:"items"`
	Total   int     `json:"total"`
	Page    int     `json:"page"`
	PerPage int     `json:"per_page"`
}

func taskWhere(v *Visibility, u *User, q TaskQuery) (string, []any, error) {
	conds := []string{taskVisibility(v, u)}
	var args []any
	switch q.Assignee {
	case "":
	case "me":
		conds, args = append(conds, "t.assignee_id = ?"), append(args, u.ID)
	default:
		var id int64
		if _, err := fmt.Sscan(q.Assignee, &id); err != nil {
			return "", nil, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"assignee": M("err.user_unknown")}}
		}
		conds, args = append(conds, "t.assignee_id = ?"), append(args, id)
	}
	switch q.Status {
	case "":
	case "open":
		conds = append(conds, "t.done_at IS NULL")
	case "done":
		conds = append(conds, "t.done_at IS NOT NULL")
	default:
		return "", nil, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"status": M("task.err.status")}}
	}
	if q.DueBefore != nil {
		conds, args = append(conds, "t.due_at < ?"), append(args, q.DueBefore.Unix())
	}
	if q.DueAfter != nil {
		conds, args = append(conds, "t.due_at >= ?"), append(args, q.DueAfter.Unix())
	}
	if q.CustomerID > 0 {
		conds, args = append(conds, "t.customer_id = ?"), append(args, q.CustomerID)
	}
	return strings.Join(conds, " AND "), args, nil
}

// ListTasks returns one page of the tasks u may see, by due time.
func (s *Store) ListTasks(ctx context.Context, u *User, q TaskQuery) (*TaskPage, error) {
	v, err := s.VisibilityFor(ctx, u)
	if err != nil {
		return nil, err
	}
	where, args, err := taskWhere(v, u, q)
	if err != nil {
		return nil, err
	}
	if q.PerPage <= 0 || q.PerPage > 500 {
		q.PerPage = 50
	}
	if q.Page <= 0 {
		q.Page = 1
	}
	page := &TaskPage{Items: []*Task{}, Page: q.Page, PerPage: q.PerPage}
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM tasks t WHERE `+where, args...).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("store: count tasks: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+taskCols+taskJoins+` WHERE `+where+` ORDER BY t.due_at, t.id LIMIT ? OFFSET ?`,
		append(args, q.PerPage, (q.Page-1)*q.PerPage)...)
	if err != nil {
		return nil, fmt.Errorf("store: list tasks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, t)
	}
	return page, rows.Err()
}

// DueCustomer is a customer whose next follow-up time has come.
type DueCustomer struct {
	ID     int64     `json:"id"`
	Name   string    `json:"name"`
	NextAt time.Time `json:"next_followup_at"`
}

// FollowupsDue lists the customers u owns whose next follow-up time is
// before the given time, most overdue first (My day's "to follow up").
func (s *Store) FollowupsDue(ctx context.Context, u *User, before time.Time, limit int) ([]DueCustomer, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, next_followup_at FROM customers
		WHERE owner_id = ? AND deleted_at IS NULL AND next_followup_at IS NOT NULL AND next_followup_at < ?
		ORDER BY next_followup_at, id LIMIT ?`, u.ID, before.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: follow-ups due for %d: %w", u.ID, err)
	}
	defer rows.Close()
	out := []DueCustomer{}
	for rows.Next() {
		var d DueCustomer
		var at int64
		if err := rows.Scan(&d.ID, &d.Name, &at); err != nil {
			return nil, err
		}
		d.NextAt = time.Unix(at, 0).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}
