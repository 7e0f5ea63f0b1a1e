package app

import (
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// formOptional returns the trimmed value of a form field, or nil when the
// form did not send it (a disabled input, such as a masked phone), so a
// partial update leaves that field alone.
func formOptional(c *fiber.Ctx, name string) *string {
	if !c.Context().PostArgs().Has(name) {
		return nil
	}
	return formPtr(c, name)
}

// formValues returns every value of a repeated form field (checkboxes).
func formValues(c *fiber.Ctx, name string) []string {
	out := []string{}
	for _, v := range c.Context().PostArgs().PeekMulti(name) {
		if s := strings.TrimSpace(string(v)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// localInputLayouts are what <input type="datetime-local"> sends.
var localInputLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}

// formLocalTime parses a datetime-local field as a time in the company
// time zone; "" is nil. A value that is not a time is a field error.
func (s *Server) formLocalTime(c *fiber.Ctx, name string, fe map[string]store.Msg) *time.Time {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		return nil
	}
	for _, layout := range localInputLayouts {
		if t, err := time.ParseInLocation(layout, v, s.cfg.Location); err == nil {
			return &t
		}
	}
	fe[name] = store.M("err.cust_datetime")
	return nil
}

// formErrors splits a refusal for a form: messages for the fields the
// form shows go beside them; anything else (a field the form lacks, or a
// refusal without fields) becomes the alert above the form.
func formErrors(c *fiber.Ctx, err error, shown []string) (fields map[string]string, alert string) {
	fields = map[string]string{}
	e, ok := store.AsError(err)
	if !ok {
		return fields, ""
	}
	l := loc(c)
	other := len(e.Fields) == 0
	for f, m := range e.Fields {
		if slices.Contains(shown, f) {
			fields[f] = l.T(m.Key, m.Args)
		} else {
			other = true
		}
	}
	if other || (e.Code != store.CodeInvalid && e.Code != store.CodeDuplicate) {
		alert = l.T(e.Msg.Key, e.Msg.Args)
		for f, m := range e.Fields {
			if !slices.Contains(shown, f) {
				alert += " " + l.T(m.Key, m.Args)
			}
		}
	}
	return fields, alert
}
