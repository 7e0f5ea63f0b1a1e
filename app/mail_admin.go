package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// emailPageState is what a refused form on the admin email page carries
// back: the input as typed and the messages beside its fields.
type emailPageState struct {
	SMTP         fiber.Map
	SMTPErrors   map[string]string
	TestTo       string
	TestErrors   map[string]string
	TestSent     bool
	Greet        *store.GreetingSettings
	GreetErrors  map[string]string
	statusOnFail int
}

// adminEmail is the admin email page (邮件设置): SMTP server, test email,
// outbox status with recent failures, birthday greeting templates.
func (s *Server) adminEmail(c *fiber.Ctx) error {
	return s.renderEmailAdmin(c, emailPageState{})
}

func (s *Server) renderEmailAdmin(c *fiber.Ctx, st emailPageState) error {
	ctx := c.UserContext()
	cur, err := s.store.SMTPSettings(ctx)
	if err != nil {
		return err
	}
	if st.SMTP == nil {
		st.SMTP = fiber.Map{"Host": cur.Host, "Port": portText(cur.Port), "TLS": cur.TLS, "Username": cur.Username, "From": cur.From}
	}
	if st.Greet == nil {
		if st.Greet, err = s.store.GreetingSettings(ctx); err != nil {
			return err
		}
	}
	outbox, err := s.store.OutboxStatus(ctx, currentUser(c))
	if err != nil {
		return err
	}
	tags, err := s.store.Tags(ctx)
	if err != nil {
		return err
	}
	auto := map[string]bool{}
	for _, t := range st.Greet.AutoTags {
		auto[t] = true
	}
	data := s.page(c, "mailui.admin_title")
	data["SMTP"], data["SMTPErrors"] = st.SMTP, st.SMTPErrors
	data["HasPassword"] = cur.Password != ""
	data["TestTo"], data["TestErrors"], data["TestSent"] = st.TestTo, st.TestErrors, st.TestSent
	data["Greet"], data["GreetErrors"], data["AutoTags"] = st.Greet, st.GreetErrors, auto
	data["Tags"], data["Outbox"], data["Langs"] = tags, outbox, i18n.Languages
	data["Placeholders"] = placeholderHint()
	status := fiber.StatusOK
	if st.statusOnFail != 0 {
		status = st.statusOnFail
	}
	return c.Status(status).Render("mail/admin", data)
}

func placeholderHint() []string {
	out := make([]string, len(store.Placeholders))
	for i, p := range store.Placeholders {
		out[i] = "{{." + p + "}}"
	}
	return out
}

func portText(p int) string {
	if p == 0 {
		return ""
	}
	return strconv.Itoa(p)
}

// adminEmailSave stores the SMTP settings; a blank password keeps the
// stored one.
func (s *Server) adminEmailSave(c *fiber.Ctx) error {
	in := store.SMTPInput{Host: c.FormValue("host"), Port: c.FormValue("port"), TLS: c.FormValue("tls"),
		Username: c.FormValue("username"), From: c.FormValue("from")}
	if pw := c.FormValue("password"); pw != "" {
		in.Password = &pw
	}
	if err := s.store.SaveSMTPSettings(c.UserContext(), currentUser(c), in); err != nil {
		if !userFacing(err) {
			return err
		}
		form := fiber.Map{"Host": in.Host, "Port": in.Port, "TLS": in.TLS, "Username": in.Username, "From": in.From}
		return s.renderEmailAdmin(c, emailPageState{SMTP: form, SMTPErrors: fieldMessages(c, err), statusOnFail: fiber.StatusBadRequest})
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/admin/email", fiber.StatusSeeOther)
}

// adminEmailTest sends a test email now and shows the SMTP server's own
// error beside the address when it fails.
func (s *Server) adminEmailTest(c *fiber.Ctx) error {
	to := c.FormValue("to")
	if err := s.store.SendTestEmail(c.UserContext(), currentUser(c), to); err != nil {
		if !userFacing(err) {
			return err
		}
		return s.renderEmailAdmin(c, emailPageState{TestTo: to, TestErrors: fieldMessages(c, err), statusOnFail: fiber.StatusBadRequest})
	}
	return s.renderEmailAdmin(c, emailPageState{TestTo: to, TestSent: true})
}

// adminGreetingsSave stores the birthday greeting templates and the tags
// that send them automatically.
func (s *Server) adminGreetingsSave(c *fiber.Ctx) error {
	in := store.GreetingSettings{Subject: map[string]string{}, Body: map[string]string{}}
	for _, lang := range i18n.Languages {
		in.Subject[lang] = c.FormValue("subject_" + lang)
		in.Body[lang] = c.FormValue("body_" + lang)
	}
	for _, v := range c.Request().PostArgs().PeekMulti("auto_tags") {
		in.AutoTags = append(in.AutoTags, string(v))
	}
	if err := s.store.SaveGreetingSettings(c.UserContext(), currentUser(c), in); err != nil {
		if !userFacing(err) {
			return err
		}
		return s.renderEmailAdmin(c, emailPageState{Greet: &in, GreetErrors: fieldMessages(c, err), statusOnFail: fiber.StatusBadRequest})
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/admin/email#greetings", fiber.StatusSeeOther)
}

// adminOutboxRetry queues a failed email again.
func (s *Server) adminOutboxRetry(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.RetryOutbox(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	s.setFlash(c, "mailui.flash.retry")
	return c.Redirect("/admin/email#outbox", fiber.StatusSeeOther)
}
