package app

import (
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

func (s *Server) loginForm(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/")
	}
	data := s.page(c, "login.title")
	data["Next"] = c.Query("next")
	data["Username"] = ""
	return c.Render("auth/login", data, "layouts/plain")
}

// signIn checks credentials under the throttle; it is shared by the login
// form and the API so both obey the same slow-down.
func (s *Server) signIn(c *fiber.Ctx, username, password string) (*store.User, error) {
	if wait := s.throttle.wait(c.IP(), username); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(secs))
		return nil, &store.Error{Code: store.CodeThrottled, Msg: store.M("err.throttled", "Seconds", secs)}
	}
	u, err := s.store.Authenticate(c.UserContext(), username, password)
	if err != nil {
		if store.IsCode(err, store.CodeUnauthenticated) {
			s.throttle.fail(c.IP(), username)
			s.log.Warn("failed sign-in", slog.String("ip", c.IP()))
		}
		return nil, err
	}
	s.throttle.succeed(username)
	return u, nil
}

func (s *Server) loginSave(c *fiber.Ctx) error {
	username := strings.TrimSpace(c.FormValue("username"))
	u, err := s.signIn(c, username, c.FormValue("password"))
	if err != nil {
		e, status := asAppError(err)
		if status >= 500 {
			return err
		}
		data := s.page(c, "login.title")
		data["Next"] = c.FormValue("next")
		data["Username"] = username
		data["Error"] = loc(c).T(e.Msg.Key, e.Msg.Args)
		return c.Status(status).Render("auth/login", data, "layouts/plain")
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return backTo(c, c.FormValue("next"), "/")
}

// startSession rotates the session: any session the browser had is ended
// and a fresh id is issued, so a fixed or stolen pre-login id is useless.
func (s *Server) startSession(c *fiber.Ctx, u *store.User) error {
	if old := currentSession(c); old != nil {
		_ = s.store.DeleteSession(c.UserContext(), old.ID)
	}
	sess, cookie, err := s.store.CreateSession(c.UserContext(), u.ID, c.IP(), c.Get(fiber.HeaderUserAgent), s.sessionLimits())
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: cookie, Path: "/", Expires: sess.ExpiresAt,
		HTTPOnly: true, SameSite: "Lax", Secure: s.cfg.SecureCookies()})
	s.clearCookie(c, csrfCookie)
	c.Locals(localSession, sess)
	c.Locals(localUser, u)
	return nil
}

func (s *Server) logout(c *fiber.Ctx) error {
	if sess := currentSession(c); sess != nil {
		if err := s.store.Logout(c.UserContext(), sess); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	s.setFlash(c, "flash.logged_out")
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// switchLanguage changes the UI language: saved on the profile when
// signed in, in a cookie otherwise.
func (s *Server) switchLanguage(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if !i18n.Supported(lang) {
		return &store.Error{Code: store.CodeInvalid, Msg: store.M("err.language")}
	}
	if u := currentUser(c); u != nil {
		if _, err := s.store.UpdateUser(c.UserContext(), u.ID, store.UserInput{Language: &lang}); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax", Secure: s.cfg.SecureCookies()})
	return backTo(c, c.FormValue("next"), "/")
}

func (s *Server) setupForm(c *fiber.Ctx) error {
	data := s.page(c, "setup.title")
	data["Form"] = fiber.Map{"Language": loc(c).Lang, "TimeZone": s.cfg.App.TimeZone}
	return c.Render("auth/setup", data, "layouts/plain")
}

func (s *Server) setupSave(c *fiber.Ctx) error {
	in := store.SetupInput{
		CompanyName: strings.TrimSpace(c.FormValue("company_name")),
		Language:    c.FormValue("language"),
		TimeZone:    strings.TrimSpace(c.FormValue("timezone")),
		Admin: store.UserInput{
			Username: formPtr(c, "username"),
			Name:     formPtr(c, "name"),
			Email:    formPtr(c, "email"),
			Password: ptrTo(c.FormValue("password")),
		},
	}
	fe := map[string]string{}
	if c.FormValue("password") != c.FormValue("password2") {
		fe["password2"] = loc(c).T("err.password_mismatch")
	}
	var u *store.User
	var err error
	if len(fe) == 0 {
		u, err = s.store.Setup(c.UserContext(), in)
	}
	if err != nil && !userFacing(err) {
		return err
	}
	if err != nil || len(fe) > 0 {
		for k, v := range fieldMessages(c, err) {
			fe[k] = v
		}
		data := s.page(c, "setup.title")
		data["Form"] = fiber.Map{"CompanyName": in.CompanyName, "Language": in.Language, "TimeZone": in.TimeZone,
			"Username": *in.Admin.Username, "Name": *in.Admin.Name, "Email": *in.Admin.Email}
		data["Errors"] = fe
		if e, ok := store.AsError(err); ok {
			data["Error"] = loc(c).T(e.Msg.Key, e.Msg.Args) // also covers a field the form does not show
		}
		return c.Status(fiber.StatusBadRequest).Render("auth/setup", data, "layouts/plain")
	}
	s.setupDone.Store(true)
	s.loadCompany(c.UserContext())
	if err := s.startSession(c, u); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: in.Language, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax"})
	s.setFlash(c, "flash.setup_done")
	return c.Redirect("/", fiber.StatusSeeOther)
}

func ptrTo[T any](v T) *T { return &v }

// apiLogin exchanges a username and password for a bearer token that lasts
// as long as a browser session would.
func (s *Server) apiLogin(c *fiber.Ctx) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	u, err := s.signIn(c, in.Username, in.Password)
	if err != nil {
		return err
	}
	now := s.store.Now()
	exp := now.Add(s.cfg.Session.Lifetime)
	name := "login " + now.In(s.cfg.Location).Format("2006-01-02 15:04")
	_, secret, err := s.store.CreateToken(c.UserContext(), u.ID, name, store.ScopeReadWrite, &exp)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"token": secret, "user": u, "expires_at": exp.UTC().Format(time.RFC3339)})
}

func (s *Server) apiMe(c *fiber.Ctx) error {
	return c.JSON(currentUser(c))
}
