package app

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// calDay is one cell of the calendar grid.
type calDay struct {
	Date    time.Time
	Key     string // 2006-01-02, for links and tests
	Num     int
	Today   bool
	Outside bool // in the month view, a day of the month before or after
	Tasks   []*store.Task
}

// calendarRange is the first day shown and the number of days for a
// week (Monday to Sunday) or a month (whole weeks covering it) view.
func calendarRange(view string, day time.Time) (time.Time, int) {
	monday := func(t time.Time) time.Time { return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7)) }
	if view == "week" {
		return monday(day), 7
	}
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, day.Location())
	start := monday(first)
	end := first.AddDate(0, 1, 0)
	days := int(end.Sub(start).Hours()/24 + 0.5)
	return start, (days + 6) / 7 * 7
}

// calendar is the week or month calendar (日历) of the user's tasks, one
// server-rendered grid; on a phone the CSS shows it as an agenda list.
func (s *Server) calendar(c *fiber.Ctx) error {
	zone := s.cfg.Location
	h := s.taskHelpers(c)
	view := c.Query("view", "month")
	if view != "week" {
		view = "month"
	}
	day := dayStart(h.now, zone)
	if d, err := time.ParseInLocation("2006-01-02", c.Query("date"), zone); err == nil {
		day = d
	}
	start, n := calendarRange(view, day)
	end := start.AddDate(0, 0, n)
	page, err := s.store.ListTasks(c.UserContext(), currentUser(c), store.TaskQuery{Assignee: "me", DueAfter: &start, DueBefore: &end, PerPage: 500})
	if err != nil {
		return err
	}
	todayKey := h.now.In(zone).Format("2006-01-02")
	days := make([]*calDay, n)
	byKey := map[string]*calDay{}
	for i := range days {
		d := start.AddDate(0, 0, i)
		key := d.Format("2006-01-02")
		days[i] = &calDay{Date: d, Key: key, Num: d.Day(), Today: key == todayKey, Outside: view == "month" && d.Month() != day.Month()}
		byKey[key] = days[i]
	}
	for _, t := range page.Items {
		if d := byKey[t.DueAt.In(zone).Format("2006-01-02")]; d != nil {
			d.Tasks = append(d.Tasks, t)
		}
	}
	prev, next := day.AddDate(0, -1, 0), day.AddDate(0, 1, 0)
	if view == "week" {
		prev, next = day.AddDate(0, 0, -7), day.AddDate(0, 0, 7)
	}
	data := s.page(c, "tasks.cal.title")
	data["View"] = view
	data["Days"] = days
	data["Heading"] = calendarHeading(c, view, day, start)
	data["Prev"], data["Next"], data["Anchor"] = prev.Format("2006-01-02"), next.Format("2006-01-02"), day.Format("2006-01-02")
	data["Weekdays"] = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	data["T"] = h
	return c.Render("tasks/calendar", data)
}

func calendarHeading(c *fiber.Ctx, view string, day, start time.Time) string {
	l := loc(c)
	if view == "week" {
		end := start.AddDate(0, 0, 6)
		return l.T("tasks.cal.week_of", "From", start.Format("2006-01-02"), "To", end.Format("01-02"))
	}
	return l.T("tasks.cal.month_of", "Year", day.Year(), "Month", int(day.Month()))
}
