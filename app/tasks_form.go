package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// taskFields are the inputs of the task form, for formErrors.
var taskFields = []string{"title", "kind", "due_at", "remind_at", "customer_id", "opportunity_id", "assignee_id", "notes"}

// remindPresets are the reminder choices of the task form: how long
// before the due time, "due" at it, "custom" a time of one's own.
var remindPresets = []string{"none", "due", "15m", "1h", "1d", "custom"}

var presetOffsets = map[string]time.Duration{"due": 0, "15m": 15 * time.Minute, "1h": time.Hour, "1d": 24 * time.Hour}

// taskForm is what the task form shows: a task's values or what the user
// typed before a refusal. Times are datetime-local values in the company
// time zone.
type taskForm struct {
	ID, CustomerID, OpportunityID, AssigneeID int64
	Version                                   int
	Title, Kind, Due, Remind, RemindAt, Notes string
	CustomerName                              string
	Back                                      string
}

// formOfTask fills the form from a saved task, naming the preset that
// matches its reminder.
func (s *Server) formOfTask(c *fiber.Ctx, t *store.Task) taskForm {
	h := s.helpers(c)
	f := taskForm{ID: t.ID, Version: t.Version, Title: t.Title, Kind: t.Kind, Due: h.Input(t.DueAt), Remind: "none",
		Notes: t.Notes, AssigneeID: t.Assignee.ID}
	if t.Customer != nil {
		f.CustomerID, f.CustomerName = t.Customer.ID, t.Customer.Name
	}
	if t.Opportunity != nil {
		f.OpportunityID = t.Opportunity.ID
	}
	if t.RemindAt != nil {
		f.Remind, f.RemindAt = "custom", h.Input(*t.RemindAt)
		for name, d := range presetOffsets {
			if t.DueAt.Sub(*t.RemindAt) == d {
				f.Remind = name
			}
		}
	}
	return f
}

// readTaskForm parses the posted form into the store's input and the form
// to show again on a refusal.
func (s *Server) readTaskForm(c *fiber.Ctx) (store.TaskInput, taskForm, map[string]store.Msg) {
	fe := map[string]store.Msg{}
	f := taskForm{Title: c.FormValue("title"), Kind: strings.TrimSpace(c.FormValue("kind")), Due: c.FormValue("due_at"),
		Remind: c.FormValue("remind"), RemindAt: c.FormValue("remind_at"), Notes: c.FormValue("notes"),
		CustomerName: c.FormValue("customer_name"), Back: c.FormValue("back")}
	f.CustomerID, f.OpportunityID, f.AssigneeID = int64OrZero(formInt64(c, "customer_id")), int64OrZero(formInt64(c, "opportunity_id")),
		int64OrZero(formInt64(c, "assignee_id"))
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	in := store.TaskInput{Title: &f.Title, Kind: &f.Kind, Notes: &f.Notes, DueAt: s.formLocalTime(c, "due_at", fe),
		CustomerID: &f.CustomerID, OpportunityID: &f.OpportunityID}
	if f.AssigneeID != 0 {
		in.AssigneeID = &f.AssigneeID
	}
	if in.DueAt == nil && fe["due_at"].Key == "" {
		fe["due_at"] = store.M("err.required")
	}
	switch d, preset := presetOffsets[f.Remind]; {
	case preset && in.DueAt != nil:
		at := in.DueAt.Add(-d)
		in.RemindAt = &at
	case f.Remind == "custom":
		if in.RemindAt = s.formLocalTime(c, "remind_at", fe); in.RemindAt == nil && fe["remind_at"].Key == "" {
			fe["remind_at"] = store.M("err.required")
		}
	default:
		in.ClearRemind = true
	}
	return in, f, fe
}

// taskNew shows an empty task form; ?customer_id= links a customer,
// ?date= (from the calendar) picks the day.
func (s *Server) taskNew(c *fiber.Ctx) error {
	h := s.helpers(c)
	due := h.now.In(s.cfg.Location).Truncate(time.Hour).Add(time.Hour)
	if d, err := time.ParseInLocation("2006-01-02", c.Query("date"), s.cfg.Location); err == nil {
		due = d.Add(10 * time.Hour)
	}
	f := taskForm{Kind: "visit", Due: h.Input(due), Remind: "15m", Back: c.Query("back")}
	if id := formQueryInt(c, "customer_id"); id > 0 {
		if cust, err := s.store.Customer(c.UserContext(), currentUser(c), id); err == nil {
			f.CustomerID, f.CustomerName = cust.ID, cust.Name
		}
	}
	return s.renderTaskForm(c, fiber.StatusOK, f, nil, "")
}

func formQueryInt(c *fiber.Ctx, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(c.Query(name)), 10, 64)
	return n
}

// taskCreate saves a new task; a refusal shows the form again with the
// input kept and the reasons beside the fields.
func (s *Server) taskCreate(c *fiber.Ctx) error {
	in, f, fe := s.readTaskForm(c)
	var err error
	var t *store.Task
	if len(fe) > 0 {
		err = &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: fe}
	} else {
		t, err = s.store.CreateTask(c.UserContext(), currentUser(c), in)
	}
	if err != nil {
		return s.refuseTaskForm(c, f, err)
	}
	s.setFlash(c, "tasks.flash.created")
	return backTo(c, f.Back, "/tasks/"+strconv.FormatInt(t.ID, 10))
}

func (s *Server) refuseTaskForm(c *fiber.Ctx, f taskForm, err error) error {
	if !userFacing(err) {
		return err
	}
	errs, alert := formErrors(c, err, taskFields)
	status := fiber.StatusBadRequest
	if e, ok := store.AsError(err); ok && e.Code == store.CodeConflict {
		status = fiber.StatusConflict
	}
	return s.renderTaskForm(c, status, f, errs, alert)
}

func (s *Server) renderTaskForm(c *fiber.Ctx, status int, f taskForm, errs map[string]string, alert string) error {
	ctx, u := c.UserContext(), currentUser(c)
	title := "tasks.new"
	if f.ID != 0 {
		title = "tasks.edit"
	}
	data := s.page(c, title)
	data["Form"] = f
	if errs != nil {
		data["Errors"] = errs
	}
	data["Error"] = alert
	data["Kinds"] = store.TaskKinds
	data["Presets"] = remindPresets
	data["T"] = s.taskHelpers(c)
	assignees, err := s.store.Assignees(ctx, u)
	if err != nil {
		return err
	}
	if len(assignees) > 1 {
		data["Assignees"] = assignees
	}
	if f.CustomerID != 0 {
		opps, err := s.store.ListOpportunities(ctx, u, store.OppQuery{CustomerID: f.CustomerID, PerPage: 100})
		if err == nil {
			data["Opportunities"] = opps.Items
		}
	}
	return c.Status(status).Render("tasks/form", data)
}

// taskOf loads the :id task the current user may see.
func (s *Server) taskOf(c *fiber.Ctx) (*store.Task, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	return s.store.Task(c.UserContext(), currentUser(c), id)
}

func (s *Server) taskEdit(c *fiber.Ctx) error {
	t, err := s.taskOf(c)
	if err != nil {
		return err
	}
	return s.renderTaskForm(c, fiber.StatusOK, s.formOfTask(c, t), nil, "")
}

func (s *Server) taskUpdate(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	in, f, fe := s.readTaskForm(c)
	f.ID, in.Version = id, &f.Version
	if len(fe) > 0 {
		err = &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: fe}
	} else {
		_, err = s.store.UpdateTask(c.UserContext(), currentUser(c), id, in)
	}
	if err != nil {
		return s.refuseTaskForm(c, f, err)
	}
	s.setFlash(c, "tasks.flash.saved")
	return c.Redirect("/tasks/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// taskDone completes (done=1) or reopens (done=0) a task from any list,
// then goes back to where the button was (?next= or the form's next).
func (s *Server) taskDone(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	done := c.FormValue("done") != "0"
	if _, err := s.store.SetTaskDone(c.UserContext(), currentUser(c), id, done); err != nil {
		return err
	}
	if done {
		s.setFlash(c, "tasks.flash.done")
	} else {
		s.setFlash(c, "tasks.flash.reopened")
	}
	return backTo(c, c.FormValue("next"), "/tasks/"+strconv.FormatInt(id, 10))
}

func (s *Server) taskDelete(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteTask(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	s.setFlash(c, "tasks.flash.deleted")
	return c.Redirect("/tasks", fiber.StatusSeeOther)
}

// taskShow is the task page: details, done/undone, edit, delete.
func (s *Server) taskShow(c *fiber.Ctx) error {
	t, err := s.taskOf(c)
	if err != nil {
		return err
	}
	data := s.page(c, t.Title)
	data["Task"] = t
	data["T"] = s.taskHelpers(c)
	return c.Render("tasks/show", data)
}

// formNextTask reads the follow-up form's "next task" fields: nil when no
// title was given (the section is optional).
func (s *Server) formNextTask(c *fiber.Ctx, fe map[string]store.Msg) *store.TaskInput {
	title := strings.TrimSpace(c.FormValue("next_title"))
	if title == "" {
		return nil
	}
	kind := strings.TrimSpace(c.FormValue("next_kind"))
	return &store.TaskInput{Title: &title, Kind: &kind, DueAt: s.formLocalTime(c, "next_due_at", fe)}
}
