package app

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// viewHelpers are the small formatting methods the customer templates
// call as {{$.H.Ago .LastFollowupAt}}: relative days, overdue checks and
// labels, in the user's language and the company time zone.
type viewHelpers struct {
	l    *i18n.Localizer
	zone *time.Location
	now  time.Time
}

// helpers returns the view helpers for this request.
func (s *Server) helpers(c *fiber.Ctx) viewHelpers {
	return viewHelpers{l: loc(c), zone: s.cfg.Location, now: s.store.Now()}
}

// days is the number of calendar days (company time zone) from now to t:
// negative in the past.
func (h viewHelpers) days(t time.Time) int {
	day := func(x time.Time) time.Time {
		y, m, d := x.In(h.zone).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return int(day(t).Sub(day(h.now)).Hours() / 24)
}

// Ago says when t is relative to today: 今天, 昨天, 3 天前, 2 天后 …; far
// away it shows the date. nil is "".
func (h viewHelpers) Ago(t *time.Time) string {
	if t == nil {
		return ""
	}
	switch n := h.days(*t); {
	case n == 0:
		return h.l.T("cust.rel.today")
	case n == -1:
		return h.l.T("cust.rel.yesterday")
	case n == 1:
		return h.l.T("cust.rel.tomorrow")
	case n < 0 && n >= -365:
		return h.l.T("cust.rel.days_ago", "N", -n)
	case n > 0 && n <= 365:
		return h.l.T("cust.rel.in_days", "N", n)
	}
	return t.In(h.zone).Format("2006-01-02")
}

// Overdue reports whether a next follow-up time has passed.
func (h viewHelpers) Overdue(t *time.Time) bool { return t != nil && t.Before(h.now) }

// Status is the label of a customer status.
func (h viewHelpers) Status(status string) string { return h.label("cust.status.", status) }

// label translates the catalogue key prefix+value (labels of enum values).
func (h viewHelpers) label(prefix, value string) string { return h.l.T(prefix + value) }

// StatusClass is the badge modifier of a status: colours mean status.
func (h viewHelpers) StatusClass(status string) string {
	switch status {
	case store.StatusProspect:
		return "badge-info"
	case store.StatusCustomer:
		return "badge-success"
	case store.StatusLost:
		return "badge-danger"
	}
	return ""
}

// Field is the label of a customer field, as the timeline names it.
func (h viewHelpers) Field(field string) string {
	if key := "cust.f." + field; i18n.Has(h.l.Lang, key) {
		return h.l.T(key)
	}
	return field
}

// Value shows a field's stored value: statuses translated, empty marked.
func (h viewHelpers) Value(field, v string) string {
	switch {
	case v == "":
		return h.l.T("cust.empty_value")
	case field == "status":
		return h.Status(v)
	}
	return v
}

// Kind is the label of a follow-up kind (电话, 拜访 …).
func (h viewHelpers) Kind(kind string) string { return h.label("fu.kind.", kind) }

// Gender is the label of a contact's gender.
func (h viewHelpers) Gender(g string) string {
	if g == "" {
		return ""
	}
	return h.label("contact.gender_", g)
}

// Input formats a time for <input type="datetime-local"> in the company
// time zone.
func (h viewHelpers) Input(t time.Time) string { return t.In(h.zone).Format("2006-01-02T15:04") }

// tagColors maps tag names to their colours, for the coloured chips.
func (s *Server) tagColors(ctx context.Context) (map[string]string, []*store.Tag, error) {
	tags, err := s.store.Tags(ctx)
	if err != nil {
		return nil, nil, err
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Name] = t.Color
	}
	return m, tags, nil
}

// industries are the suggestions of the industry field (a datalist: any
// other value may be typed), from the catalogue so they match the language.
func industries(l *i18n.Localizer) []string {
	return strings.Split(l.T("cust.industries"), "|")
}
