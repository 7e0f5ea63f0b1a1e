package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// localMailForm carries a refused email-settings form back to the profile.
const localMailForm = "mail_prefs_form"

// mailPrefsView is the profile's email section: the kinds on offer, which
// are ticked, the digest, the time zone, and messages beside fields.
type mailPrefsView struct {
	Kinds    []string
	Checked  map[string]bool
	Digest   bool
	TimeZone string
	Zones    []string
	Errors   map[string]string
	HasEmail bool
}

// commonZones are offered in the time zone field's suggestions; any IANA
// name is accepted.
var commonZones = []string{"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
	"Asia/Dubai", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Australia/Sydney", "UTC"}

// mailPrefsFor builds the profile's email section, from a refused form
// when there is one.
func (s *Server) mailPrefsFor(c *fiber.Ctx) (*mailPrefsView, error) {
	u := currentUser(c)
	v, ok := c.Locals(localMailForm).(*mailPrefsView)
	if !ok {
		p, err := s.store.MailPrefs(c.UserContext(), u)
		if err != nil {
			return nil, err
		}
		v = &mailPrefsView{Checked: map[string]bool{}, Digest: p.Digest, TimeZone: p.TimeZone}
		for _, k := range p.Kinds {
			v.Checked[k] = true
		}
	}
	v.Kinds, v.Zones, v.HasEmail = store.EmailKinds, commonZones, u.Email != ""
	return v, nil
}

// profileEmailSave stores which notifications also come by email, the
// digest and the time zone; a refusal re-renders the profile with the
// input kept and the message beside the field.
func (s *Server) profileEmailSave(c *fiber.Ctx) error {
	in := store.MailPrefs{Digest: c.FormValue("digest") == "1", TimeZone: c.FormValue("time_zone")}
	for _, k := range c.Request().PostArgs().PeekMulti("email_kinds") {
		in.Kinds = append(in.Kinds, string(k))
	}
	if _, err := s.store.SaveMailPrefs(c.UserContext(), currentUser(c), in); err != nil {
		if !userFacing(err) {
			return err
		}
		v := &mailPrefsView{Checked: map[string]bool{}, Digest: in.Digest, TimeZone: in.TimeZone, Errors: fieldMessages(c, err)}
		for _, k := range in.Kinds {
			v.Checked[k] = true
		}
		c.Locals(localMailForm, v)
		return s.profilePage(c, fiber.StatusBadRequest, nil, nil, "")
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/profile#email", fiber.StatusSeeOther)
}

// apiMailPrefs answers the caller's email settings.
func (s *Server) apiMailPrefs(c *fiber.Ctx) error {
	p, err := s.store.MailPrefs(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// apiSaveMailPrefs replaces the caller's email settings:
// {"email_kinds":[…],"daily_digest":bool,"time_zone":"Asia/Shanghai"|""}.
func (s *Server) apiSaveMailPrefs(c *fiber.Ctx) error {
	var in store.MailPrefs
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	if in.Kinds == nil {
		in.Kinds = []string{}
	}
	p, err := s.store.SaveMailPrefs(c.UserContext(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(p)
}
