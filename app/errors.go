package app

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// statusOf maps a store error code to its HTTP status (../shared/API.md).
var statusOf = map[string]int{
	store.CodeInvalid:         fiber.StatusBadRequest,
	store.CodeUnauthenticated: fiber.StatusUnauthorized,
	store.CodeForbidden:       fiber.StatusForbidden,
	store.CodeNotFound:        fiber.StatusNotFound,
	store.CodeDuplicate:       fiber.StatusConflict,
	store.CodeConflict:        fiber.StatusConflict,
	store.CodeRule:            fiber.StatusUnprocessableEntity,
	store.CodeThrottled:       fiber.StatusTooManyRequests,
	store.CodeTooLarge:        fiber.StatusRequestEntityTooLarge,
	store.CodeUnavailable:     fiber.StatusServiceUnavailable,
}

// asAppError turns any error into a *store.Error a user may see. Unknown
// errors become a generic internal error; the caller logs the original.
func asAppError(err error) (*store.Error, int) {
	if e, ok := store.AsError(err); ok {
		return e, statusOf[e.Code]
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusNotFound:
			return store.ErrNotFound, fe.Code
		case fiber.StatusMethodNotAllowed:
			return &store.Error{Code: "method_not_allowed", Msg: store.M("err.method_not_allowed")}, fe.Code
		case fiber.StatusRequestEntityTooLarge:
			return &store.Error{Code: store.CodeTooLarge, Msg: store.M("err.too_large_plain")}, fe.Code
		case fiber.StatusBadRequest, fiber.StatusUnprocessableEntity:
			return &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid")}, fiber.StatusBadRequest
		case fiber.StatusRequestTimeout:
			return &store.Error{Code: "timeout", Msg: store.M("err.timeout")}, fe.Code
		}
	}
	return &store.Error{Code: "internal", Msg: store.M("err.internal")}, fiber.StatusInternalServerError
}

// handleError is fiber's error handler: the JSON envelope for the API, an
// error page in the user's language for everything else.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	if _, ok := c.Locals(localLang).(string); !ok {
		// Refused before chooseLanguage ran (e.g. a bad bearer token).
		c.Locals(localLang, s.pickLanguage(c))
	}
	e, status := asAppError(err)
	if status == 0 {
		status = fiber.StatusInternalServerError
	}
	if status >= 500 {
		s.log.Error("request failed", slog.String("method", c.Method()), slog.String("path", c.Path()), slog.Any("err", err))
	}
	if e.Code == store.CodeUnauthenticated && !isAPI(c) {
		return c.Redirect("/login")
	}
	if isAPI(c) || c.Path() == "/healthz" {
		return c.Status(status).JSON(fiber.Map{"error": s.errorBody(c, e)})
	}
	c.Status(status)
	titleKey := fmt.Sprintf("error.%d.title", status)
	data := s.page(c, titleKey)
	data["Status"] = status
	data["Message"] = loc(c).T(e.Msg.Key, e.Msg.Args)
	data["Heading"] = loc(c).T(titleKey)
	layout := "layouts/main"
	if currentUser(c) == nil {
		layout = "layouts/plain"
	}
	if err := c.Render("errors/error", data, layout); err != nil {
		s.log.Error("render error page", slog.Any("err", err))
		return c.SendString(fmt.Sprintf("%d %s", status, data["Message"]))
	}
	return nil
}

// errorBody renders the API error envelope's inner object.
func (s *Server) errorBody(c *fiber.Ctx, e *store.Error) fiber.Map {
	l := loc(c)
	body := fiber.Map{"code": e.Code, "message": l.T(e.Msg.Key, e.Msg.Args)}
	if len(e.Fields) > 0 {
		fields := fiber.Map{}
		for f, m := range e.Fields {
			fields[f] = l.T(m.Key, m.Args)
		}
		body["fields"] = fields
	}
	if e.Rule != "" {
		body["rule"] = e.Rule
	}
	for k, v := range e.Extra {
		body[k] = v
	}
	return body
}

// fieldMessages translates the per-field messages of an invalid error for
// a form; it returns nil for any other error.
func fieldMessages(c *fiber.Ctx, err error) map[string]string {
	e, ok := store.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return nil
	}
	l := loc(c)
	out := make(map[string]string, len(e.Fields))
	for f, m := range e.Fields {
		out[f] = l.T(m.Key, m.Args)
	}
	return out
}

// userFacing reports whether err is a refusal to show on the form itself
// rather than on an error page.
func userFacing(err error) bool {
	e, ok := store.AsError(err)
	if !ok {
		return false
	}
	switch e.Code {
	case store.CodeInvalid, store.CodeDuplicate, store.CodeConflict, store.CodeRule:
		return true
	}
	return false
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
