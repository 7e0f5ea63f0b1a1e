package app

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tidecrm/tide/mail"
	"github.com/tidecrm/tide/mailtest"
	"github.com/tidecrm/tide/store"
)

// newMailEnv is a set-up server whose store sends through a real
// in-process SMTP server.
func newMailEnv(t *testing.T) (*testEnv, *mailtest.Server) {
	t.Helper()
	e := newSetUpEnv(t, nil)
	srv := mailtest.Start(t)
	e.st.Mail = store.MailConfig{BaseURL: "https://crm.example.com", Interval: e.cfg.Reminders.Interval,
		SMTP: mail.Settings{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone, From: "crm@example.com"}}
	return e, srv
}

func TestAdminEmail_SaveTestAndRefusals(t *testing.T) {
	e, smtp := newMailEnv(t)
	e.user("li", store.RoleSales, "zh-CN", nil)
	admin := e.loggedIn("admin", "")
	admin.get("/admin/email").wantStatus(t, http.StatusOK).wantContains(t, "Email settings", `id="host"`, smtp.Host())

	// Refused: input kept, message beside each field.
	r := admin.form("/admin/email", url.Values{"host": {"smtp.example.com"}, "port": {"99999"}, "tls": {"starttls"}, "from": {"not-an-address"}})
	r.wantStatus(t, http.StatusBadRequest).wantContains(t, `value="smtp.example.com"`, `value="99999"`, "The port is a number from 1 to 65535")

	// Saved with a password; the page never shows it back.
	admin.form("/admin/email", url.Values{"host": {smtp.Host()}, "port": {smtp.PortString()}, "tls": {"none"},
		"username": {""}, "password": {"hunter22"}, "from": {"tide@example.com"}}).wantRedirect(t, "/admin/email")
	admin.get("/admin/email").wantNotContains(t, "hunter22")

	admin.form("/admin/email/test", url.Values{"to": {"boss@example.com"}}).wantStatus(t, http.StatusOK).wantContains(t, "A test email went to boss@example.com")
	if m := smtp.To("boss@example.com"); len(m) != 1 || !strings.Contains(m[0].Text(), smtp.Host()) {
		t.Fatalf("test email not received: %d", len(m))
	}

	// A server that does not answer: the SMTP error beside the field.
	closed := mailtest.ClosedPort(t)
	admin.form("/admin/email", url.Values{"host": {"127.0.0.1"}, "port": {pathf("%d", closed)}, "tls": {"none"}, "from": {"tide@example.com"}}).wantRedirect(t, "/admin/email")
	admin.form("/admin/email/test", url.Values{"to": {"boss@example.com"}}).wantStatus(t, http.StatusBadRequest).
		wantContains(t, "Sending failed:", "connection refused", `value="boss@example.com"`)

	// Greeting templates: an unknown placeholder is named beside its field.
	r = admin.form("/admin/email/greetings", url.Values{"subject_zh-CN": {"生日快乐"}, "body_zh-CN": {"{{.ContactName}}，{{.Discount}}"},
		"subject_en": {"Happy birthday"}, "body_en": {"Dear {{.ContactName}}"}})
	r.wantStatus(t, http.StatusBadRequest).wantContains(t, "Unknown placeholder {{.Discount}}", "{{.ContactName}}，{{.Discount}}")

	// Sales may not open the page.
	e.loggedIn("li", "").get("/admin/email").wantStatus(t, http.StatusForbidden)
}

func TestProfileEmailPrefs_SavedAndRefusedBesideField(t *testing.T) {
	e, _ := newMailEnv(t)
	e.user("li", store.RoleSales, "zh-CN", nil)
	c := e.loggedIn("li", "")
	c.get("/profile").wantStatus(t, http.StatusOK).wantContains(t, "邮件提醒", `value="task_reminder" checked`, `value="recycled" >`)
	r := c.form("/profile/email", url.Values{"email_kinds": {"birthday", "assigned"}, "digest": {"1"}, "time_zone": {"Mars/Base"}})
	r.wantStatus(t, http.StatusBadRequest).wantContains(t, "不是有效的时区名称", `value="Mars/Base"`, `value="birthday" checked`)
	c.form("/profile/email", url.Values{"email_kinds": {"birthday", "assigned"}, "digest": {"1"}, "time_zone": {"Asia/Tokyo"}}).wantRedirect(t, "/profile")
	c.get("/profile").wantContains(t, `value="birthday" checked`, `value="task_reminder" >`, `name="digest" value="1" checked`, `value="Asia/Tokyo"`)

	api := e.api("li")
	got := api.get("/api/v1/me/notification-settings").wantStatus(t, http.StatusOK).json(t)
	if got["time_zone"] != "Asia/Tokyo" || got["daily_digest"] != true {
		t.Fatalf("API: %v", got)
	}
	api.do(http.MethodPut, "/api/v1/me/notification-settings", map[string]any{"email_kinds": []string{"nope"}}).wantAPIError(t, http.StatusBadRequest, "invalid")
	api.do(http.MethodPut, "/api/v1/me/notification-settings", map[string]any{"email_kinds": []string{}, "daily_digest": false, "time_zone": ""}).wantStatus(t, http.StatusOK)
}

func TestUnsubscribePage_ForgedRefusedValidWorksWithoutLogin(t *testing.T) {
	e, smtp := newMailEnv(t)
	ctx := context.Background()
	li := e.user("li", store.RoleSales, "zh-CN", nil)
	cust, err := e.st.CreateCustomer(ctx, li, store.CustomerInput{Name: ptrTo("星河科技")})
	if err != nil {
		t.Fatal(err)
	}
	today := "1990-" + e.st.Now().In(e.cfg.Location).Format("01-02")
	ct, err := e.st.CreateContact(ctx, li, cust.ID, store.ContactInput{Name: ptrTo("李雷"), Email: ptrTo("lilei@xinghe.cn"), Birthday: &today})
	if err != nil {
		t.Fatal(err)
	}
	// The greeting button on the customer page.
	sales := e.loggedIn("li", "")
	sales.get(pathf("/customers/%d", cust.ID)).wantContains(t, pathf("/contacts/%d/greeting", ct.ID), "今天生日")
	sales.form(pathf("/contacts/%d/greeting", ct.ID), url.Values{}).wantRedirect(t, pathf("/customers/%d", cust.ID))
	sales.form(pathf("/contacts/%d/greeting", ct.ID), url.Values{}).wantStatus(t, http.StatusConflict).wantContains(t, "今年已给「李雷」发送过生日祝福")
	if _, err := e.st.SendDueMail(ctx); err != nil {
		t.Fatal(err)
	}
	m := smtp.To("lilei@xinghe.cn")
	if len(m) != 1 {
		t.Fatalf("greeting not sent: %d", len(m))
	}
	link := regexp.MustCompile(`https://crm\.example\.com(/unsubscribe\?\S+)`).FindStringSubmatch(m[0].Text())
	if link == nil {
		t.Fatalf("no unsubscribe link: %s", m[0].Text())
	}
	visitor := e.browser("zh-CN")
	forged := strings.Replace(link[1], "a=lilei", "a=hanmeimei", 1)
	visitor.get(forged).wantStatus(t, http.StatusNotFound).wantContains(t, "退订链接无效")
	visitor.get(link[1]).wantStatus(t, http.StatusOK).wantContains(t, "确认退订", "lilei@xinghe.cn")
	u, _ := url.Parse(link[1])
	q := u.Query()
	visitor.form("/unsubscribe", url.Values{"c": {q.Get("c")}, "a": {q.Get("a")}, "t": {q.Get("t")}}).wantStatus(t, http.StatusOK).wantContains(t, "已退订")
	visitor.form("/unsubscribe", url.Values{"c": {q.Get("c")}, "a": {q.Get("a")}, "t": {"00" + q.Get("t")[2:]}}).wantStatus(t, http.StatusNotFound)
}

func TestCampaignPages_PreviewSendLog(t *testing.T) {
	e, smtp := newMailEnv(t)
	ctx := context.Background()
	li := e.user("li", store.RoleSales, "zh-CN", nil)
	admin, _ := e.st.UserByUsername(ctx, "admin")
	if _, err := e.st.SaveTag(ctx, admin, 0, "VIP", ""); err != nil {
		t.Fatal(err)
	}
	cust, err := e.st.CreateCustomer(ctx, li, store.CustomerInput{Name: ptrTo("星河科技"), Tags: &[]string{"VIP"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CreateContact(ctx, li, cust.ID, store.ContactInput{Name: ptrTo("李雷"), Email: ptrTo("lilei@xinghe.cn"), IsPrimary: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	c := e.loggedIn("li", "")
	c.get("/campaigns").wantStatus(t, http.StatusOK).wantContains(t, "还没有群发记录")
	c.get("/campaigns/new").wantStatus(t, http.StatusOK)
	form := url.Values{"name": {"年终回馈"}, "language": {"zh-CN"}, "tags": {"VIP"}, "subject": {"{{.ContactName}}您好"}, "body": {"{{.Oops}}"}, "action": {"preview"}}
	c.form("/campaigns/new", form).wantStatus(t, http.StatusBadRequest).wantContains(t, "不认识的占位符 {{.Oops}}", "年终回馈")
	form.Set("body", "{{.CustomerName}}专享优惠")
	c.form("/campaigns/new", form).wantStatus(t, http.StatusOK).wantContains(t, "lilei@xinghe.cn", "李雷您好", "星河科技专享优惠")
	form.Set("action", "send")
	r := c.form("/campaigns/new", form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d %s", r.StatusCode, r.body)
	}
	if _, err := e.st.SendDueMail(ctx); err != nil {
		t.Fatal(err)
	}
	if len(smtp.To("lilei@xinghe.cn")) != 1 {
		t.Fatal("campaign email not sent")
	}
	c.get(r.Header.Get("Location")).wantStatus(t, http.StatusOK).wantContains(t, "年终回馈", "lilei@xinghe.cn", "已发送")
	list := e.api("li").get("/api/v1/campaigns").wantStatus(t, http.StatusOK).json(t)
	if list["total"].(float64) != 1 {
		t.Fatalf("API list: %v", list)
	}
}

func TestAdminEmail_FailuresListedWithServerReply_Retry(t *testing.T) {
	e, smtp := newMailEnv(t)
	ctx := context.Background()
	admin, _ := e.st.UserByUsername(ctx, "admin")
	cust, err := e.st.CreateCustomer(ctx, admin, store.CustomerInput{Name: ptrTo("星河科技")})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := e.st.CreateContact(ctx, admin, cust.ID, store.ContactInput{Name: ptrTo("李雷"), Email: ptrTo("gone@xinghe.cn")})
	if err != nil {
		t.Fatal(err)
	}
	smtp.Reject("gone@xinghe.cn")
	if err := e.st.QueueGreeting(ctx, admin, ct.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SendDueMail(ctx); err != nil {
		t.Fatal(err)
	}
	c := e.loggedIn("admin", "")
	r := c.get("/admin/email").wantStatus(t, http.StatusOK).wantContains(t, "gone@xinghe.cn", "550", "does not exist")
	m := regexp.MustCompile(`action="(/admin/email/outbox/\d+/retry)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no retry button")
	}
	c.form(m[1], url.Values{}).wantRedirect(t, "/admin/email")
	c.get("/admin/email").wantContains(t, "No failed emails.")
}
