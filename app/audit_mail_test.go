package app

import (
	"net/http"
	"net/url"
	"testing"
)

// TestAuditMail_SMTPSaveShownWithoutPassword saves the admin email page
// with a password and reads the audit log back through the API and the
// admin page: the change is there, attributed to the admin, and the
// password is nowhere.
func TestAuditMail_SMTPSaveShownWithoutPassword(t *testing.T) {
	e, smtp := newMailEnv(t)
	admin := e.loggedIn("admin", "")
	admin.get("/admin/email").wantStatus(t, http.StatusOK)
	admin.form("/admin/email", url.Values{"host": {smtp.Host()}, "port": {smtp.PortString()}, "tls": {"none"},
		"username": {"crm"}, "password": {"Pa55-word-xyz"}, "from": {"tide@example.com"}}).wantRedirect(t, "/admin/email")

	api := e.api("admin")
	api.get("/api/v1/audit?entity=mail_settings").wantStatus(t, http.StatusOK).
		wantContains(t, `"field":"smtp_password"`, `"field":"smtp_from"`, "tide@example.com").wantNotContains(t, "Pa55-word-xyz")
	admin.get("/admin/audit?entity=mail_settings").wantStatus(t, http.StatusOK).
		wantContains(t, "Email settings", "smtp_from").wantNotContains(t, "Pa55-word-xyz")
}
