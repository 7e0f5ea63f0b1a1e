package app

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

const (
	sessionCookie = "tide_session"
	langCookie    = "tide_lang"
	csrfCookie    = "tide_csrf"
	flashCookie   = "tide_flash"
	csrfHeader    = "X-CSRF-Token"
)

// Request-scoped values kept in fiber locals.
const (
	localUser    = "user"
	localSession = "session"
	localToken   = "token"
	localLang    = "lang"
)

func currentUser(c *fiber.Ctx) *store.User {
	u, _ := c.Locals(localUser).(*store.User)
	return u
}

func currentSession(c *fiber.Ctx) *store.Session {
	s, _ := c.Locals(localSession).(*store.Session)
	return s
}

func loc(c *fiber.Ctx) *i18n.Localizer {
	l, _ := c.Locals(localLang).(string)
	return i18n.For(l)
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

func (s *Server) sessionLimits() store.SessionLimits {
	return store.SessionLimits{Absolute: s.cfg.Session.Lifetime, Idle: s.cfg.Session.IdleTimeout}
}

func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.log.Error("panic in handler", slog.String("method", c.Method()), slog.String("path", c.Path()),
		slog.String("panic", fmt.Sprint(e)))
}

// logRequests writes one structured line per request. It logs the path
// without the query string, and never bodies, so passwords and tokens stay
// out of the log.
func (s *Server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.fiber.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	attrs := []any{
		slog.String("method", c.Method()),
		slog.String("path", c.Path()),
		slog.Int("status", c.Response().StatusCode()),
		slog.Duration("duration", time.Since(start)),
		slog.String("ip", c.IP()),
	}
	if u := currentUser(c); u != nil {
		attrs = append(attrs, slog.Int64("user_id", u.ID))
	}
	level := slog.LevelInfo
	if strings.HasPrefix(c.Path(), "/static/") || c.Path() == "/healthz" {
		level = slog.LevelDebug
	}
	s.log.Log(c.UserContext(), level, "request", attrs...)
	return nil
}

// authenticate resolves the session cookie or, for the API, a bearer token
// into the current user. It never refuses: the guards below decide.
func (s *Server) authenticate(c *fiber.Ctx) error {
	// The store records who acts and from where in its audit rows.
	c.SetUserContext(store.WithActor(c.UserContext(), 0, c.IP()))
	if h := c.Get(fiber.HeaderAuthorization); isAPI(c) && h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return &store.Error{Code: store.CodeUnauthenticated, Msg: store.M("err.token_invalid")}
		}
		tok, u, err := s.store.TokenUser(c.UserContext(), strings.TrimSpace(secret))
		if err != nil {
			return err
		}
		c.Locals(localUser, u)
		c.Locals(localToken, tok)
		c.SetUserContext(store.WithActor(c.UserContext(), u.ID, c.IP()))
		return c.Next()
	}
	if v := c.Cookies(sessionCookie); v != "" {
		sess, u, err := s.store.SessionByCookie(c.UserContext(), v, s.sessionLimits())
		if err == nil {
			c.Locals(localUser, u)
			c.Locals(localSession, sess)
			c.SetUserContext(store.WithActor(c.UserContext(), u.ID, c.IP()))
		} else if store.IsCode(err, store.CodeUnauthenticated) {
			s.clearCookie(c, sessionCookie)
			c.Locals("session_expired", true)
		} else {
			return err
		}
	}
	return c.Next()
}

// chooseLanguage records the user's language for the request.
func (s *Server) chooseLanguage(c *fiber.Ctx) error {
	c.Locals(localLang, s.pickLanguage(c))
	return c.Next()
}

// pickLanguage picks the user's language: their profile choice, then the
// language cookie, then Accept-Language, then the company default.
func (s *Server) pickLanguage(c *fiber.Ctx) string {
	if u := currentUser(c); u != nil && i18n.Supported(u.Language) {
		return u.Language
	}
	if i18n.Supported(c.Cookies(langCookie)) {
		return c.Cookies(langCookie)
	}
	if lang := i18n.Match(c.Get(fiber.HeaderAcceptLanguage)); lang != "" {
		return lang
	}
	return s.companyInfo().Language
}

// requireSetup sends every page to /setup until the first admin exists,
// and hides /setup afterwards.
func (s *Server) requireSetup(c *fiber.Ctx) error {
	if !s.setupDone.Load() {
		n, err := s.store.CountUsers(c.UserContext())
		if err != nil {
			return err
		}
		if n > 0 {
			s.setupDone.Store(true)
			s.loadCompany(c.UserContext())
		}
	}
	done := s.setupDone.Load()
	switch {
	case !done && c.Path() != "/setup" && c.Path() != "/lang" && !isAPI(c):
		return c.Redirect("/setup")
	case done && c.Path() == "/setup":
		return fiber.ErrNotFound
	}
	return c.Next()
}

// checkBodySize applies the general body limit to everything but uploads,
// which may use the larger upload limit that fiber enforces itself.
func (s *Server) checkBodySize(c *fiber.Ctx) error {
	if len(c.Body()) > int(s.cfg.Server.BodyLimit) && !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return &store.Error{Code: store.CodeTooLarge, Msg: store.M("err.too_large", "Limit", humanBytes(s.cfg.Server.BodyLimit))}
	}
	return c.Next()
}

// csrfToken is the token forms must echo: the session's, or before sign-in
// a random value in a cookie (double-submit) that protects login and setup.
func (s *Server) csrfToken(c *fiber.Ctx) string {
	if sess := currentSession(c); sess != nil {
		return sess.CSRFToken
	}
	if v := c.Cookies(csrfCookie); len(v) >= 20 {
		return v
	}
	if v, ok := c.Locals(csrfCookie).(string); ok {
		return v
	}
	v := randomString(24)
	c.Locals(csrfCookie, v)
	c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: v, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: s.cfg.SecureCookies()})
	return v
}

// checkCSRF refuses unsafe requests that do not carry the CSRF token. API
// calls authenticated by a bearer token are exempt: no browser sends those
// on its own.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if c.Locals(localToken) != nil || c.Path() == "/api/v1/auth/login" {
		return c.Next()
	}
	if isAPI(c) && currentSession(c) == nil {
		return c.Next() // requireAPIUser answers 401
	}
	got := c.Get(csrfHeader)
	if got == "" && !isAPI(c) {
		got = c.FormValue("_csrf")
	}
	want := s.csrfToken(c)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return &store.Error{Code: store.CodeForbidden, Msg: store.M("err.csrf")}
	}
	return c.Next()
}

// requireLogin sends anonymous visitors to the login page, remembering
// where they were going.
func (s *Server) requireLogin(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Next()
	}
	if c.Locals("session_expired") != nil {
		s.setFlash(c, "flash.session_expired")
	}
	next := c.OriginalURL()
	if c.Method() != fiber.MethodGet || next == "/" {
		return c.Redirect("/login")
	}
	return c.Redirect("/login?next=" + url.QueryEscape(next))
}

// requireAPIUser answers 401 to API calls without valid credentials, and
// 403 to writes made with a read-only token.
func (s *Server) requireAPIUser(c *fiber.Ctx) error {
	if currentUser(c) == nil {
		return &store.Error{Code: store.CodeUnauthenticated, Msg: store.M("err.unauthenticated")}
	}
	if tok, ok := c.Locals(localToken).(*store.APIToken); ok && tok.Scope == store.ScopeRead && c.Method() != fiber.MethodGet {
		return &store.Error{Code: store.CodeForbidden, Msg: store.M("err.token_read_only")}
	}
	return c.Next()
}

// requireRole lets through users whose role is one of roles (admins always).
func (s *Server) requireRole(roles ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := currentUser(c)
		if u == nil {
			return &store.Error{Code: store.CodeUnauthenticated, Msg: store.M("err.unauthenticated")}
		}
		if u.IsAdmin() {
			return c.Next()
		}
		for _, r := range roles {
			if u.Role == r {
				return c.Next()
			}
		}
		return store.ErrForbidden
	}
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(1, 0), HTTPOnly: true, SameSite: "Lax", Secure: s.cfg.SecureCookies()})
}

// setFlash leaves a one-time message (a catalogue key) for the next page.
func (s *Server) setFlash(c *fiber.Ctx, key string) {
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: url.QueryEscape(key), Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: s.cfg.SecureCookies()})
}

// takeFlash reads and clears the flash message.
func (s *Server) takeFlash(c *fiber.Ctx) string {
	v := c.Cookies(flashCookie)
	if v == "" {
		return ""
	}
	s.clearCookie(c, flashCookie)
	key, _ := url.QueryUnescape(v)
	if !i18n.Has("en", key) {
		return ""
	}
	return key
}
