package app

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// taskHelpers are the formatting methods the task templates call as
// {{$.T.Kind .Kind}}: labels, due-time wording and the overdue check, in
// the user's language and the company time zone.
type taskHelpers struct {
	l    *i18n.Localizer
	zone *time.Location
	now  time.Time
}

func (s *Server) taskHelpers(c *fiber.Ctx) taskHelpers {
	return taskHelpers{l: loc(c), zone: s.cfg.Location, now: s.store.Now()}
}

// Kind is the kind's label (拜访, 回访 …).
func (h taskHelpers) Kind(kind string) string { return h.label("tasks.kind.", kind) }

func (h taskHelpers) label(prefix, value string) string { return h.l.T(prefix + value) }

// Preset is a reminder preset's label.
func (h taskHelpers) Preset(p string) string { return h.label("tasks.remind.", p) }

// Overdue reports whether an open task is past its due time.
func (h taskHelpers) Overdue(t *store.Task) bool { return !t.Done && t.DueAt.Before(h.now) }

// Clock is the time of day of t ("14:30").
func (h taskHelpers) Clock(t time.Time) string { return t.In(h.zone).Format("15:04") }

// Day is the calendar date of t with its weekday ("03-02 周一").
func (h taskHelpers) Day(t time.Time) string {
	lt := t.In(h.zone)
	return lt.Format("01-02") + " " + h.label("tasks.weekday.", lt.Weekday().String()[:3])
}

// dayStart is local midnight of the day holding t.
func dayStart(t time.Time, zone *time.Location) time.Time {
	y, m, d := t.In(zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, zone)
}

// myDay is "My day" (我的日程): overdue, today, the next seven days, and
// the customers whose next follow-up time has come.
func (s *Server) myDay(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	h := s.taskHelpers(c)
	today := dayStart(h.now, s.cfg.Location)
	tomorrow, week := today.AddDate(0, 0, 1), today.AddDate(0, 0, 8)
	list := func(after, before *time.Time) ([]*store.Task, error) {
		p, err := s.store.ListTasks(ctx, u, store.TaskQuery{Assignee: "me", Status: "open", DueAfter: after, DueBefore: before, PerPage: 200})
		if err != nil {
			return nil, err
		}
		return p.Items, nil
	}
	data := s.page(c, "tasks.today.title")
	var err error
	if data["Overdue"], err = list(nil, &today); err != nil {
		return err
	}
	if data["Today"], err = list(&today, &tomorrow); err != nil {
		return err
	}
	if data["Week"], err = list(&tomorrow, &week); err != nil {
		return err
	}
	if data["Followups"], err = s.store.FollowupsDue(ctx, u, tomorrow, 50); err != nil {
		return err
	}
	data["T"] = h
	data["H"] = s.helpers(c)
	data["Date"] = h.Day(h.now)
	return c.Render("tasks/today", data)
}

// taskList is the task list (日程列表) with status and assignee filters.
func (s *Server) taskList(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	q := store.TaskQuery{Status: c.Query("status", "open"), Assignee: c.Query("assignee", "me"), Page: c.QueryInt("page", 1), PerPage: 50,
		CustomerID: formQueryInt(c, "customer_id")}
	if q.Status == "all" {
		q.Status = ""
	}
	if q.Assignee == "all" {
		q.Assignee = ""
	}
	page, err := s.store.ListTasks(ctx, u, q)
	if err != nil {
		return err
	}
	data := s.page(c, "tasks.list.title")
	data["Page"] = page
	data["Status"] = c.Query("status", "open")
	data["Statuses"] = []string{"open", "done", "all"}
	data["Assignee"] = c.Query("assignee", "me")
	if u.IsManager() {
		if data["Assignees"], err = s.store.Assignees(ctx, u); err != nil {
			return err
		}
	}
	data["HasPrev"] = page.Page > 1
	data["HasNext"] = page.Page*page.PerPage < page.Total
	data["PrevPage"], data["NextPage"] = page.Page-1, page.Page+1
	data["T"] = s.taskHelpers(c)
	return c.Render("tasks/list", data)
}

// customerTasks adds the customer page's Tasks section: the customer's
// open tasks, which the follow-up form may also complete.
func (s *Server) customerTasks(c *fiber.Ctx, data fiber.Map, customerID int64) error {
	p, err := s.store.ListTasks(c.UserContext(), currentUser(c), store.TaskQuery{CustomerID: customerID, Status: "open", PerPage: 50})
	if err != nil {
		return err
	}
	data["Tasks"] = p.Items
	data["T"] = s.taskHelpers(c)
	data["TaskKinds"] = store.TaskKinds
	return nil
}

// notificationRead marks one notification read without opening it.
func (s *Server) notificationRead(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.MarkRead(c.UserContext(), currentUser(c), []int64{id}, false); err != nil {
		return err
	}
	return c.Redirect("/notifications", fiber.StatusSeeOther)
}
