package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// followupFields are the inputs of the follow-up form, for formErrors.
var followupFields = []string{"kind", "content", "at", "next_at", "contact_id", "task_id", "next_title", "next_kind", "next_due_at"}

// followupForm is what the follow-up form shows: defaults (now, a call)
// or what the user typed before a refusal. Times are datetime-local
// values in the company time zone.
type followupForm struct {
	Kind, Content, At, NextAt string
	ContactID                 int64
	// The task the follow-up answers and the next task to set.
	TaskID                       int64
	NextTitle, NextKind, NextDue string
}

// followupCreate logs a follow-up from the customer page; a refusal shows
// the page again with the input kept and the reasons beside the fields.
func (s *Server) followupCreate(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	fe := map[string]store.Msg{}
	in := store.FollowupInput{
		Kind:      strings.TrimSpace(c.FormValue("kind")),
		Content:   c.FormValue("content"),
		At:        s.formLocalTime(c, "at", fe),
		NextAt:    s.formLocalTime(c, "next_at", fe),
		ContactID: formInt64(c, "contact_id"),
		TaskID:    formInt64(c, "task_id"),
	}
	in.NextTask = s.formNextTask(c, fe)
	// The form's time has minutes only; "this minute" means now, so the
	// follow-up sorts after what happened earlier in the same minute.
	if now := s.store.Now(); in.At != nil && !in.At.After(now) && now.Sub(*in.At) < time.Minute {
		in.At = nil
	}
	form := followupForm{Kind: in.Kind, Content: in.Content, At: c.FormValue("at"), NextAt: c.FormValue("next_at"),
		ContactID: int64OrZero(in.ContactID), TaskID: int64OrZero(in.TaskID), NextTitle: c.FormValue("next_title"),
		NextKind: c.FormValue("next_kind"), NextDue: c.FormValue("next_due_at")}
	err = nil
	if len(fe) > 0 {
		err = &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: fe}
	} else {
		_, err = s.store.AddFollowup(c.UserContext(), currentUser(c), id, in)
	}
	if err != nil {
		if !userFacing(err) {
			return err
		}
		errs, alert := formErrors(c, err, followupFields)
		return s.renderCustomer(c, fiber.StatusBadRequest, id, detailState{Followup: &form, FollowupErrors: errs, Alert: alert})
	}
	s.setFlash(c, "flash.followup_added")
	return c.Redirect("/customers/"+strconv.FormatInt(id, 10)+"#timeline", fiber.StatusSeeOther)
}

// API

// apiFollowups lists a visible customer's follow-ups, newest first.
func (s *Server) apiFollowups(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	list, err := s.store.Followups(c.UserContext(), currentUser(c), id, 0)
	if err != nil {
		return err
	}
	return c.JSON(listEnvelope(list, len(list)))
}

// apiCreateFollowup logs a follow-up; at and next_at are RFC 3339.
func (s *Server) apiCreateFollowup(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var body struct {
		Kind      string  `json:"kind"`
		Content   string  `json:"content"`
		At        *string `json:"at"`
		NextAt    *string `json:"next_at"`
		ContactID *int64  `json:"contact_id"`
		TaskID    *int64  `json:"task_id"`
		NextTask  *struct {
			Title    string  `json:"title"`
			Kind     string  `json:"kind"`
			DueAt    *string `json:"due_at"`
			RemindAt *string `json:"remind_at"`
		} `json:"next_task"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	fe := map[string]store.Msg{}
	in := store.FollowupInput{Kind: body.Kind, Content: body.Content, ContactID: body.ContactID, TaskID: body.TaskID,
		At: rfc3339(body.At, "at", fe), NextAt: rfc3339(body.NextAt, "next_at", fe)}
	if n := body.NextTask; n != nil {
		in.NextTask = &store.TaskInput{Title: &n.Title, Kind: &n.Kind,
			DueAt: apiTime(n.DueAt, "next_due_at", fe), RemindAt: apiTime(n.RemindAt, "next_remind_at", fe)}
	}
	if len(fe) > 0 {
		return &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: fe}
	}
	f, err := s.store.AddFollowup(c.UserContext(), currentUser(c), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f)
}

// rfc3339 parses an optional RFC 3339 time of the API; a bad one is a
// field error.
func rfc3339(v *string, field string, fe map[string]store.Msg) *time.Time {
	if v == nil || strings.TrimSpace(*v) == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(*v))
	if err != nil {
		fe[field] = store.M("err.cust_rfc3339")
		return nil
	}
	return &t
}
