package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// TaskKinds are the kinds of scheduled work (日程类型).
var TaskKinds = []string{"visit", "callback", "meeting", "other"}

// Task is one thing someone has to do by a given time (日程/任务),
// optionally about a customer, opportunity or contact, with an optional
// reminder.
type Task struct {
	ID          int64      `json:"id"`
	Title       string     `json:"title"`
	Kind        string     `json:"kind"`
	DueAt       time.Time  `json:"due_at"`
	RemindAt    *time.Time `json:"remind_at"`
	RemindedAt  *time.Time `json:"reminded_at"`
	Customer    *Ref       `json:"customer"`
	Opportunity *Ref       `json:"opportunity"`
	Contact     *Ref       `json:"contact"`
	Assignee    Ref        `json:"assignee"`
	CreatedBy   *Ref       `json:"created_by"`
	Notes       string     `json:"notes"`
	Done        bool       `json:"done"`
	DoneAt      *time.Time `json:"done_at"`
	FollowupID  *int64     `json:"followup_id"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// TaskInput creates or changes a task. Nil leaves a field unchanged on
// update; a link id of 0 removes the link; ClearRemind removes the
// reminder. Version is the optimistic-lock version an edit is based on.
type TaskInput struct {
	Title         *string
	Kind          *string
	DueAt         *time.Time
	RemindAt      *time.Time
	ClearRemind   bool
	CustomerID    *int64
	OpportunityID *int64
	ContactID     *int64
	AssigneeID    *int64
	Notes         *string
	Done          *bool
	Version       *int
}

// onlyDone reports whether the input just completes or reopens a task,
// which needs no version: ticking a box cannot overwrite anyone's edit.
func (in TaskInput) onlyDone() bool {
	return in.Done != nil && in.Title == nil && in.Kind == nil && in.DueAt == nil && in.RemindAt == nil && !in.ClearRemind &&
		in.CustomerID == nil && in.OpportunityID == nil && in.ContactID == nil && in.AssigneeID == nil && in.Notes == nil
}

// taskVisibility restricts alias t to the tasks u may see: their own (as
// assignee or creator), their team's as for customers, all for admins.
func taskVisibility(v *Visibility, u *User) string {
	if v.All {
		return "1"
	}
	return "(t.assignee_id IN (" + idList(v.OwnerIDs) + ") OR t.created_by = " + strconv.FormatInt(u.ID, 10) + ")"
}

const taskCols = `t.id, t.title, t.kind, t.due_at, t.remind_at, t.reminded_at, t.customer_id, COALESCE(c.name, ''),
	t.opportunity_id, COALESCE(o.name, ''), t.contact_id, COALESCE(ct.name, ''), t.assignee_id, COALESCE(a.name, ''),
	t.created_by, COALESCE(cb.name, ''), t.notes, t.done_at, t.followup_id, t.version, t.created_at, t.updated_at`

const taskJoins = ` FROM tasks t LEFT JOIN customers c ON c.id = t.customer_id LEFT JOIN opportunities o ON o.id = t.opportunity_id
	LEFT JOIN contacts ct ON ct.id = t.contact_id LEFT JOIN users a ON a.id = t.assignee_id LEFT JOIN users cb ON cb.id = t.created_by`

func scanTask(row interface{ Scan(...any) error }) (*Task, error) {
	var t Task
	var due, created, updated int64
	var remind, reminded, done, cust, opp, contact, by, fu sql.NullInt64
	var custName, oppName, contactName, byName string
	err := row.Scan(&t.ID, &t.Title, &t.Kind, &due, &remind, &reminded, &cust, &custName, &opp, &oppName, &contact, &contactName,
		&t.Assignee.ID, &t.Assignee.Name, &by, &byName, &t.Notes, &done, &fu, &t.Version, &created, &updated)
	if err != nil {
		return nil, err
	}
	ref := func(id sql.NullInt64, name string) *Ref {
		if !id.Valid {
			return nil
		}
		return &Ref{ID: id.Int64, Name: name}
	}
	t.Customer, t.Opportunity, t.Contact, t.CreatedBy = ref(cust, custName), ref(opp, oppName), ref(contact, contactName), ref(by, byName)
	t.DueAt, t.CreatedAt, t.UpdatedAt = time.Unix(due, 0).UTC(), time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	t.RemindAt, t.RemindedAt, t.DoneAt = nullTime(remind), nullTime(reminded), nullTime(done)
	t.Done = done.Valid
	if fu.Valid {
		t.FollowupID = &fu.Int64
	}
	return &t, nil
}

// Task loads one task u may see; anything else is ErrNotFound.
func (s *Store) Task(ctx context.Context, u *User, id int64) (*Task, error) {
	v, err := s.VisibilityFor(ctx, u)
	if err != nil {
		return nil, err
	}
	return taskVisible(ctx, s.r, v, u, id)
}

func taskVisible(ctx context.Context, q querier, v *Visibility, u *User, id int64) (*Task, error) {
	t, err := scanTask(q.QueryRowContext(ctx, `SELECT `+taskCols+taskJoins+` WHERE t.id = ? AND `+taskVisibility(v, u), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: task %d: %w", id, err)
	}
	return t, nil
}

// validateTask checks the fields present in in; creating also requires
// title, kind and due time.
func validateTask(in *TaskInput, creating bool) fieldErrors {
	fe := fieldErrors{}
	if in.Title != nil {
		*in.Title = strings.TrimSpace(*in.Title)
	}
	if in.Notes != nil {
		*in.Notes = strings.TrimSpace(*in.Notes)
	}
	switch {
	case in.Title == nil && creating, in.Title != nil && *in.Title == "":
		fe.add("title", "err.required")
	case in.Title != nil && utf8.RuneCountInString(*in.Title) > 200:
		fe.add("title", "err.too_long", "Max", 200)
	}
	if (in.Kind == nil && creating) || (in.Kind != nil && !oneOf(*in.Kind, TaskKinds)) {
		fe.add("kind", "task.err.kind")
	}
	if in.DueAt == nil && creating {
		fe.add("due_at", "err.required")
	}
	if in.Notes != nil && utf8.RuneCountInString(*in.Notes) > 5000 {
		fe.add("notes", "err.too_long", "Max", 5000)
	}
	return fe
}

// checkTaskAssignee applies who may give work to whom: sales only to
// themselves, managers to their department subtree, admins to anyone
// active.
func checkTaskAssignee(ctx context.Context, tx *sql.Tx, actor *User, id int64) error {
	if id == actor.ID {
		return nil
	}
	if !actor.IsManager() {
		return &Error{Code: CodeForbidden, Msg: M("task.err.assign_self_only"),
			Fields: map[string]Msg{"assignee_id": M("task.err.assign_self_only")}}
	}
	err := checkAssignee(ctx, tx, actor, id)
	if e, ok := AsError(err); ok && e.Fields["owner_id"].Key != "" {
		return &Error{Code: e.Code, Msg: e.Msg, Fields: map[string]Msg{"assignee_id": e.Fields["owner_id"]}}
	}
	return err
}

// taskLinks are the records a task points at, after checking.
type taskLinks struct{ customer, opportunity, contact *int64 }

// resolveLinks checks that every linked record exists and is visible to
// the actor (an invisible one is reported as unknown, like a missing one)
// and that they belong together. A missing customer is taken from the
// opportunity or contact.
func (s *Store) resolveLinks(ctx context.Context, tx *sql.Tx, v *Visibility, l taskLinks) (taskLinks, error) {
	fe := fieldErrors{}
	var fromOpp, fromContact int64
	if l.opportunity != nil {
		o, err := s.oppVisible(ctx, tx, v, *l.opportunity)
		if err != nil {
			if !IsCode(err, CodeNotFound) {
				return l, err
			}
			fe.add("opportunity_id", "task.err.opportunity_unknown")
		} else {
			fromOpp = o.Customer.ID
		}
	}
	if l.contact != nil {
		err := tx.QueryRowContext(ctx, `SELECT customer_id FROM contacts WHERE id = ?`, *l.contact).Scan(&fromContact)
		if errors.Is(err, sql.ErrNoRows) {
			fe.add("contact_id", "task.err.contact_unknown")
		} else if err != nil {
			return l, err
		} else if _, err := s.customerVisible(ctx, tx, v, fromContact); err != nil {
			fe.add("contact_id", "task.err.contact_unknown")
		}
	}
	if l.customer == nil {
		switch {
		case fromOpp != 0:
			l.customer = &fromOpp
		case fromContact != 0:
			l.customer = &fromContact
		}
	} else if _, err := s.customerVisible(ctx, tx, v, *l.customer); err != nil {
		if !IsCode(err, CodeNotFound) {
			return l, err
		}
		fe.add("customer_id", "task.err.customer_unknown")
	}
	if l.customer != nil {
		if fromOpp != 0 && fromOpp != *l.customer {
			fe.add("opportunity_id", "task.err.other_customer")
		}
		if fromContact != 0 && fromContact != *l.customer {
			fe.add("contact_id", "task.err.other_customer")
		}
	}
	return l, fe.err()
}

// CreateTask adds a task (新建日程). The assignee defaults to the actor.
func (s *Store) CreateTask(ctx context.Context, actor *User, in TaskInput) (*Task, error) {
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.tx(ctx, func(tx *sql.Tx) error {
		id, err = s.createTaskTx(ctx, tx, v, actor, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return taskVisible(ctx, s.r, v, actor, id)
}

// createTaskTx writes a new task inside tx (also used when logging a
// follow-up sets the next task).
func (s *Store) createTaskTx(ctx context.Context, tx *sql.Tx, v *Visibility, actor *User, in TaskInput) (int64, error) {
	fe := validateTask(&in, true)
	if in.DueAt != nil && in.RemindAt != nil && in.RemindAt.After(*in.DueAt) {
		fe.add("remind_at", "task.err.remind_after_due")
	}
	if err := fe.err(); err != nil {
		return 0, err
	}
	assignee := actor.ID
	if in.AssigneeID != nil && *in.AssigneeID != 0 {
		assignee = *in.AssigneeID
	}
	if err := checkTaskAssignee(ctx, tx, actor, assignee); err != nil {
		return 0, err
	}
	links, err := s.resolveLinks(ctx, tx, v, taskLinks{nonZero(in.CustomerID), nonZero(in.OpportunityID), nonZero(in.ContactID)})
	if err != nil {
		return 0, err
	}
	now := s.now().Unix()
	var remind any
	if in.RemindAt != nil {
		remind = in.RemindAt.Unix()
	}
	var done any
	if in.Done != nil && *in.Done {
		done = now
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO tasks (title, kind, due_at, remind_at, customer_id, opportunity_id, contact_id,
			assignee_id, created_by, notes, done_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		*in.Title, *in.Kind, in.DueAt.Unix(), remind, links.customer, links.opportunity, links.contact, assignee, actor.ID,
		deref(in.Notes), done, now, now)
	if err != nil {
		return 0, fmt.Errorf("store: insert task: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	return id, audit(ctx, tx, now, AuditEntry{Action: AuditCreate, Entity: "task", EntityID: id,
		Detail: M("audit.detail.task", "Title", *in.Title, "Assignee", assignee).Encode(), ActorID: actor.ID})
}

func nonZero(p *int64) *int64 {
	if p == nil || *p == 0 {
		return nil
	}
	return p
}

// UpdateTask edits a visible task. Field edits need the version they are
// based on (a stale one is CodeConflict); {"done":true|false} alone does
// not. A new due or reminder time re-arms the reminder.
func (s *Store) UpdateTask(ctx context.Context, actor *User, id int64, in TaskInput) (*Task, error) {
	fe := validateTask(&in, false)
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := taskVisible(ctx, tx, v, actor, id)
		if err != nil {
			return err
		}
		if err := fe.err(); err != nil {
			return err
		}
		if in.Version == nil && !in.onlyDone() {
			return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"version": M("err.version_required")}}
		}
		if in.Version != nil && *in.Version != cur.Version {
			return &Error{Code: CodeConflict, Msg: M("task.err.stale"), Extra: map[string]any{"current": cur}}
		}
		sets, args, err := s.taskChanges(ctx, tx, v, actor, cur, in)
		if err != nil {
			return err
		}
		before, err := snapshot(ctx, tx, "tasks", id)
		if err != nil {
			return err
		}
		sets = append(sets, "updated_at = ?", "version = version + 1")
		args = append(args, s.now().Unix(), id, cur.Version)
		res, err := tx.ExecContext(ctx, `UPDATE tasks SET `+strings.Join(sets, ", ")+` WHERE id = ? AND version = ?`, args...)
		if err != nil {
			return fmt.Errorf("store: update task %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &Error{Code: CodeConflict, Msg: M("task.err.stale")}
		}
		return auditUpdate(ctx, tx, s.now().Unix(), "task", "tasks", id, before)
	})
	if err != nil {
		return nil, err
	}
	return taskVisible(ctx, s.r, v, actor, id)
}

// taskChanges turns an edit into SET clauses after checking the rules
// that depend on the current task: reminder not after due time, assignee,
// links.
func (s *Store) taskChanges(ctx context.Context, tx *sql.Tx, v *Visibility, actor *User, cur *Task, in TaskInput) ([]string, []any, error) {
	sets, args := []string{}, []any{}
	add := func(col string, v any) { sets, args = append(sets, col+" = ?"), append(args, v) }
	due, remind := cur.DueAt, cur.RemindAt
	if in.DueAt != nil {
		due = *in.DueAt
	}
	if in.ClearRemind {
		remind = nil
	} else if in.RemindAt != nil {
		remind = in.RemindAt
	}
	if remind != nil && remind.After(due) {
		return nil, nil, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"remind_at": M("task.err.remind_after_due")}}
	}
	if !due.Equal(cur.DueAt) || !sameTime(remind, cur.RemindAt) {
		add("due_at", due.Unix())
		add("remind_at", unixOrNil(remind))
		sets = append(sets, "reminded_at = NULL")
	}
	if in.AssigneeID != nil && *in.AssigneeID != cur.Assignee.ID {
		if err := checkTaskAssignee(ctx, tx, actor, *in.AssigneeID); err != nil {
			return nil, nil, err
		}
		add("assignee_id", *in.AssigneeID)
	}
	if in.CustomerID != nil || in.OpportunityID != nil || in.ContactID != nil {
		l := taskLinks{refID(cur.Customer), refID(cur.Opportunity), refID(cur.Contact)}
		for _, p := range []struct {
			in  *int64
			dst **int64
		}{{in.CustomerID, &l.customer}, {in.OpportunityID, &l.opportunity}, {in.ContactID, &l.contact}} {
			if p.in != nil {
				*p.dst = nonZero(p.in)
			}
		}
		l, err := s.resolveLinks(ctx, tx, v, l)
		if err != nil {
			return nil, nil, err
		}
		add("customer_id", l.customer)
		add("opportunity_id", l.opportunity)
		add("contact_id", l.contact)
	}
	if in.Title != nil {
		add("title", *in.Title)
	}
	if in.Kind != nil {
		add("kind", *in.Kind)
	}
	if in.Notes != nil {
		add("notes", *in.Notes)
	}
	if in.Done != nil && *in.Done != cur.Done {
		if *in.Done {
			add("done_at", s.now().Unix())
		} else {
			sets = append(sets, "done_at = NULL", "followup_id = NULL")
		}
	}
	return sets, args, nil
}

func refID(r *Ref) *int64 {
	if r == nil {
		return nil
	}
	id := r.ID
	return &id
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Unix() == b.Unix()
}

func unixOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Unix()
}

// SetTaskDone completes (done) or reopens a visible task.
func (s *Store) SetTaskDone(ctx context.Context, actor *User, id int64, done bool) (*Task, error) {
	return s.UpdateTask(ctx, actor, id, TaskInput{Done: &done})
}

// DeleteTask removes a visible task.
func (s *Store) DeleteTask(ctx context.Context, actor *User, id int64) error {
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		t, err := taskVisible(ctx, tx, v, actor, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tasks WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: delete task %d: %w", id, err)
		}
		return audit(ctx, tx, s.now().Unix(), AuditEntry{Action: AuditDelete, Entity: "task", EntityID: id, Detail: t.Title, ActorID: actor.ID})
	})
}

// followupTasksTx completes the task a follow-up answers and creates the
// next one, inside the follow-up's transaction: either all three are
// written or none.
func (s *Store) followupTasksTx(ctx context.Context, tx *sql.Tx, actor *User, customerID, followupID int64, in FollowupInput) error {
	if in.TaskID == nil && in.NextTask == nil {
		return nil
	}
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return err
	}
	now := s.now().Unix()
	if in.TaskID != nil && *in.TaskID != 0 {
		t, err := taskVisible(ctx, tx, v, actor, *in.TaskID)
		if err != nil || t.Customer == nil || t.Customer.ID != customerID || t.Done {
			return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"task_id": M("task.err.not_open_of_customer")}}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET done_at = ?, followup_id = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			now, followupID, now, t.ID); err != nil {
			return fmt.Errorf("store: complete task %d: %w", t.ID, err)
		}
	}
	if in.NextTask != nil {
		next := *in.NextTask
		next.CustomerID, next.OpportunityID, next.ContactID = &customerID, nil, nil
		if _, err := s.createTaskTx(ctx, tx, v, actor, next); err != nil {
			return prefixFields(err, "next_")
		}
	}
	return nil
}

// prefixFields renames the field errors of err (title → next_title), for
// a form that holds a second record's fields.
func prefixFields(err error, prefix string) error {
	e, ok := AsError(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	out := &Error{Code: e.Code, Msg: e.Msg, Rule: e.Rule, Extra: e.Extra, Fields: map[string]Msg{}}
	for f, m := range e.Fields {
		out.Fields[prefix+f] = m
	}
	return out
}
