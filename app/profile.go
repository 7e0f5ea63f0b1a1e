package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
)

// profilePage renders the profile with the user's tokens. newToken is the
// secret of a token just created: shown once, never again.
func (s *Server) profilePage(c *fiber.Ctx, status int, form fiber.Map, errs map[string]string, newToken string) error {
	u := currentUser(c)
	toks, err := s.store.Tokens(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	data := s.page(c, "profile.title")
	if form == nil {
		form = fiber.Map{"Name": u.Name, "Email": u.Email, "Phone": u.Phone, "Language": u.Language}
	}
	data["Form"] = form
	if errs != nil {
		data["Errors"] = errs
	}
	data["Tokens"] = toks
	data["NewToken"] = newToken
	data["Now"] = s.store.Now()
	if data["MailPrefs"], err = s.mailPrefsFor(c); err != nil {
		return err
	}
	return c.Status(status).Render("profile/index", data)
}

func (s *Server) profile(c *fiber.Ctx) error {
	return s.profilePage(c, fiber.StatusOK, nil, nil, "")
}

func (s *Server) profileSave(c *fiber.Ctx) error {
	in := store.UserInput{Name: formPtr(c, "name"), Email: formPtr(c, "email"), Phone: formPtr(c, "phone"), Language: formPtr(c, "language")}
	if _, err := s.store.UpdateUser(c.UserContext(), currentUser(c).ID, in); err != nil {
		if !userFacing(err) {
			return err
		}
		form := fiber.Map{"Name": *in.Name, "Email": *in.Email, "Phone": *in.Phone, "Language": *in.Language}
		return s.profilePage(c, fiber.StatusBadRequest, form, fieldMessages(c, err), "")
	}
	if *in.Language != "" {
		c.Cookie(&fiber.Cookie{Name: langCookie, Value: *in.Language, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax"})
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/profile", fiber.StatusSeeOther)
}

// profilePassword changes the user's own password after checking the
// current one; other sign-ins end, this browser gets a fresh session.
func (s *Server) profilePassword(c *fiber.Ctx) error {
	u := currentUser(c)
	errs := map[string]string{}
	if _, err := s.store.Authenticate(c.UserContext(), u.Username, c.FormValue("current_password")); err != nil {
		errs["current_password"] = loc(c).T("err.current_password")
	}
	pw := c.FormValue("new_password")
	if pw != c.FormValue("new_password2") {
		errs["new_password2"] = loc(c).T("err.password_mismatch")
	}
	if len(errs) == 0 {
		_, err := s.store.UpdateUser(c.UserContext(), u.ID, store.UserInput{Password: &pw})
		if err != nil && !userFacing(err) {
			return err
		}
		for k, v := range fieldMessages(c, err) {
			errs["new_"+k] = v
		}
	}
	if len(errs) > 0 {
		return s.profilePage(c, fiber.StatusBadRequest, nil, errs, "")
	}
	c.Locals(localSession, nil)
	if err := s.startSession(c, u); err != nil {
		return err
	}
	s.setFlash(c, "flash.password_changed")
	return c.Redirect("/profile", fiber.StatusSeeOther)
}

func (s *Server) profileCreateToken(c *fiber.Ctx) error {
	var exp *time.Time
	if days, err := strconv.Atoi(strings.TrimSpace(c.FormValue("expires_days"))); err == nil && days > 0 {
		t := s.store.Now().AddDate(0, 0, days)
		exp = &t
	}
	_, secret, err := s.store.CreateToken(c.UserContext(), currentUser(c).ID, c.FormValue("name"), c.FormValue("scope"), exp)
	if err != nil {
		if !userFacing(err) {
			return err
		}
		errs := map[string]string{}
		for k, v := range fieldMessages(c, err) {
			errs["token_"+k] = v
		}
		return s.profilePage(c, fiber.StatusBadRequest, nil, errs, "")
	}
	return s.profilePage(c, fiber.StatusOK, nil, nil, secret)
}

func (s *Server) profileRevokeToken(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.RevokeToken(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	s.setFlash(c, "flash.token_revoked")
	return c.Redirect("/profile", fiber.StatusSeeOther)
}

func (s *Server) apiTokens(c *fiber.Ctx) error {
	toks, err := s.store.Tokens(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(listEnvelope(toks, len(toks)))
}

func (s *Server) apiCreateToken(c *fiber.Ctx) error {
	var in struct {
		Name      string     `json:"name"`
		Scope     string     `json:"scope"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	t, secret, err := s.store.CreateToken(c.UserContext(), currentUser(c).ID, in.Name, in.Scope, in.ExpiresAt)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": secret, "id": t.ID, "name": t.Name, "scope": t.Scope,
		"prefix": t.Prefix, "created_at": t.CreatedAt, "expires_at": t.ExpiresAt})
}

func (s *Server) apiRevokeToken(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.RevokeToken(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// jobRow is one line of the admin jobs page.
type jobRow struct {
	scheduler.Info
	Schedule string // "每天 03:30", "every 1 hour", in the user's language
	Last     *store.JobRun
}

// schedule describes when a job runs, in the user's language.
func schedule(c *fiber.Ctx, j scheduler.Info) string {
	l := loc(c)
	switch {
	case j.DailyAt != "":
		return l.T("jobs.every_daily", "At", j.DailyAt)
	case j.Every >= time.Hour && j.Every%time.Hour == 0:
		return l.T("jobs.every_hours", "N", int(j.Every/time.Hour))
	case j.Every >= time.Minute && j.Every%time.Minute == 0:
		return l.T("jobs.every_minutes", "N", int(j.Every/time.Minute))
	}
	return l.T("jobs.every_seconds", "N", int(j.Every/time.Second))
}

func (s *Server) adminJobs(c *fiber.Ctx) error {
	var rows []jobRow
	if s.jobs != nil {
		for _, j := range s.jobs.Jobs() {
			last, err := s.store.LastJobRun(c.UserContext(), j.Name)
			if err != nil {
				return err
			}
			rows = append(rows, jobRow{Info: j, Schedule: schedule(c, j), Last: last})
		}
	}
	data := s.page(c, "jobs.title")
	data["Jobs"] = rows
	return c.Render("admin/jobs", data)
}
