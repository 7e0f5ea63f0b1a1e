package app

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
)

// opt is a JSON member that may be absent, null or a value: PATCH needs
// all three (absent keeps, null clears).
type opt[T any] struct {
	Set, Null bool
	V         T
}

func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// ptr is the value as a pointer, nil when absent or null.
func (o opt[T]) ptr() *T {
	if !o.Set || o.Null {
		return nil
	}
	v := o.V
	return &v
}

// taskBody is the JSON of POST/PATCH /api/v1/tasks (API.md "Tasks").
type taskBody struct {
	Title         opt[string] `json:"title"`
	Kind          opt[string] `json:"kind"`
	DueAt         opt[string] `json:"due_at"`
	RemindAt      opt[string] `json:"remind_at"`
	CustomerID    opt[int64]  `json:"customer_id"`
	OpportunityID opt[int64]  `json:"opportunity_id"`
	ContactID     opt[int64]  `json:"contact_id"`
	AssigneeID    opt[int64]  `json:"assignee_id"`
	Notes         opt[string] `json:"notes"`
	Done          opt[bool]   `json:"done"`
	Version       opt[int]    `json:"version"`
}

// link maps a link member: absent keeps, null (or 0) removes.
func link(o opt[int64]) *int64 {
	if !o.Set {
		return nil
	}
	v := o.V
	if o.Null {
		v = 0
	}
	return &v
}

// input converts the body; a time that is not RFC 3339 is a field error.
func (b taskBody) input() (store.TaskInput, error) {
	fe := map[string]store.Msg{}
	in := store.TaskInput{Title: b.Title.ptr(), Kind: b.Kind.ptr(), Notes: b.Notes.ptr(), Done: b.Done.ptr(), Version: b.Version.ptr(),
		AssigneeID: b.AssigneeID.ptr(), CustomerID: link(b.CustomerID), OpportunityID: link(b.OpportunityID), ContactID: link(b.ContactID),
		DueAt: apiTime(b.DueAt.ptr(), "due_at", fe), RemindAt: apiTime(b.RemindAt.ptr(), "remind_at", fe),
		ClearRemind: b.RemindAt.Null}
	if b.DueAt.Null {
		fe["due_at"] = store.M("err.required")
	}
	if len(fe) > 0 {
		return in, &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: fe}
	}
	return in, nil
}

// apiTime parses an RFC 3339 time of the task API.
func apiTime(v *string, field string, fe map[string]store.Msg) *time.Time {
	if v == nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(*v))
	if err != nil {
		fe[field] = store.M("task.err.time")
		return nil
	}
	return &t
}

// readTaskBody parses a task body strictly into the store's input.
func readTaskBody(c *fiber.Ctx) (store.TaskInput, error) {
	var b taskBody
	if err := parseJSON(c, &b); err != nil {
		return store.TaskInput{}, err
	}
	return b.input()
}

func (s *Server) apiCreateTask(c *fiber.Ctx) error {
	in, err := readTaskBody(c)
	if err != nil {
		return err
	}
	t, err := s.store.CreateTask(c.UserContext(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(t)
}

func (s *Server) apiUpdateTask(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	in, err := readTaskBody(c)
	if err != nil {
		return err
	}
	t, err := s.store.UpdateTask(c.UserContext(), currentUser(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

// taskQuery reads the task list filters; a malformed value is a 400
// naming the parameter.
func taskQuery(c *fiber.Ctx) (store.TaskQuery, error) {
	q := store.TaskQuery{Assignee: strings.TrimSpace(c.Query("assignee")), Status: strings.TrimSpace(c.Query("status"))}
	fe := map[string]store.Msg{}
	for name, dst := range map[string]**time.Time{"due_before": &q.DueBefore, "due_after": &q.DueAfter} {
		if v := strings.TrimSpace(c.Query(name)); v != "" {
			*dst = apiTime(&v, name, fe)
		}
	}
	for name, dst := range map[string]*int64{"customer_id": &q.CustomerID, "page": nil, "per_page": nil} {
		v := strings.TrimSpace(c.Query(name))
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fe[name] = store.M("err.pools_number")
			continue
		}
		switch name {
		case "page":
			q.Page = int(n)
		case "per_page":
			q.PerPage = int(n)
		default:
			*dst = n
		}
	}
	if len(fe) > 0 {
		return q, &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: fe}
	}
	return q, nil
}

// apiTasks lists the tasks the caller may see, by due time.
func (s *Server) apiTasks(c *fiber.Ctx) error {
	q, err := taskQuery(c)
	if err != nil {
		return err
	}
	page, err := s.store.ListTasks(c.UserContext(), currentUser(c), q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// apiRunReminders runs the reminder job now (admin), recorded under the
// scheduler's job name: {"reminded","late","followups_due","detail","summary"}.
func (s *Server) apiRunReminders(c *fiber.Ctx) error {
	res, err := s.runReminders(c.UserContext())
	if err != nil {
		return err
	}
	return byHandJSON(c, res)
}

func (s *Server) runReminders(ctx context.Context) (store.ReminderResult, error) {
	send := func(ctx context.Context) (store.ReminderResult, error) {
		return s.store.SendDueReminders(ctx, s.cfg.Reminders.Interval)
	}
	return runByHand(ctx, s.store, scheduler.ReminderJobName, send)
}
