package app

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// page returns the data every template gets: the user, the translator,
// the CSRF token, the flash message and the page title (a catalogue key).
func (s *Server) page(c *fiber.Ctx, titleKey string) fiber.Map {
	l := loc(c)
	title := titleKey
	if i18n.Has(l.Lang, titleKey) {
		title = l.T(titleKey)
	}
	company := s.companyInfo().Name
	return fiber.Map{
		"L":         l,
		"Lang":      l.Lang,
		"User":      currentUser(c),
		"CSRF":      s.csrfToken(c),
		"Flash":     s.takeFlash(c),
		"Title":     title,
		"Company":   company,
		"Path":      c.Path(),
		"Errors":    map[string]string{},
		"Languages": i18n.Languages,
		"Unread":    s.unreadCount(c),
	}
}

func (s *Server) templateFuncs() template.FuncMap {
	zone := s.cfg.Location
	return template.FuncMap{
		"asset": s.assets.URL,
		// money shows integer fen as ¥12,800.00.
		"money": store.FormatMoney,
		// datetime shows a UTC time in the company time zone.
		"datetime": func(t any) string {
			if tm := asTime(t); !tm.IsZero() {
				return tm.In(zone).Format("2006-01-02 15:04")
			}
			return ""
		},
		"date": func(t any) string {
			if tm := asTime(t); !tm.IsZero() {
				return tm.In(zone).Format("2006-01-02")
			}
			return ""
		},
		"active": func(current, prefix string) bool {
			if prefix == "/" {
				return current == "/"
			}
			return current == prefix || strings.HasPrefix(current, prefix+"/")
		},
		// Stored job results and audit details, in the viewer's language.
		"detail":     detailText,
		"reason":     failureReason,
		"auditField": auditField,
		"indent": func(depth int) template.HTML {
			return template.HTML(strings.Repeat("&emsp;", depth))
		},
		"deref": func(b *bool) bool { return b != nil && *b },
		"int64": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				k, _ := kv[i].(string)
				m[k] = kv[i+1]
			}
			return m
		},
	}
}

func asTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case *time.Time:
		if t != nil {
			return *t
		}
	case int64:
		if t > 0 {
			return time.Unix(t, 0)
		}
	}
	return time.Time{}
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// paramID parses the :id route parameter; a malformed id is a 404, the
// same as a missing record.
func paramID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// parseJSON decodes the request body strictly: malformed JSON or unknown
// fields are a 400 invalid.
func parseJSON(c *fiber.Ctx, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &store.Error{Code: store.CodeInvalid, Msg: store.M("err.malformed_json")}
	}
	return nil
}

// formPtr returns a pointer to a trimmed form value, for partial updates.
func formPtr(c *fiber.Ctx, name string) *string {
	v := strings.TrimSpace(c.FormValue(name))
	return &v
}

// formInt64 parses an optional integer form field ("" → nil).
func formInt64(c *fiber.Ctx, name string) *int64 {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

// backTo redirects to a local path only, so ?next= cannot send a user to
// another site after login.
func backTo(c *fiber.Ctx, next, fallback string) error {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		next = fallback
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}
