package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// The email work joins the audit log: SMTP settings, greeting templates,
// campaigns, unsubscribes, notification preferences and the outbox retry
// each write their row inside the transaction of the change.

// mailAuditCase is one audited email action: do performs it (and may be
// refused), changed reports whether its change is in the database.
type mailAuditCase struct {
	entity, action string
	do             func(t *testing.T, f *mailFixture) error
	changed        func(t *testing.T, f *mailFixture) bool
}

func smtpIn(password string) SMTPInput {
	return SMTPInput{Host: "smtp.xinghe.cn", Port: "587", TLS: "starttls", Username: "crm", Password: &password, From: "crm@xinghe.cn"}
}

// unsubscribeRequest is the signed link the contact's emails carry.
func unsubscribeRequest(t *testing.T, f *mailFixture, ct *Contact) UnsubscribeRequest {
	t.Helper()
	var link string
	err := f.s.tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		link, err = f.s.unsubscribeURL(context.Background(), tx, ct.ID, ct.Email)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return unsubscribeLink(t, link)
}

// failedEmail queues a greeting to a new contact and marks it failed, as
// the sender does after its last attempt.
func failedEmail(t *testing.T, f *mailFixture) int64 {
	t.Helper()
	_, ct := f.taggedCustomer(t, f.salesA, "失败客户", "", "周七", "z7@fail.cn", "")
	if err := f.s.QueueGreeting(context.Background(), f.salesA, ct.ID); err != nil {
		t.Fatal(err)
	}
	item := f.outbox(t, "z7@fail.cn")
	f.exec(t, `UPDATE outbox SET status = 'failed' WHERE id = ?`, item.ID)
	return item.ID
}

func mailAuditCases() []mailAuditCase {
	ctx := context.Background()
	return []mailAuditCase{
		{"mail_settings", AuditUpdate,
			func(t *testing.T, f *mailFixture) error { return f.s.SaveSMTPSettings(ctx, f.admin, smtpIn("pw-0")) },
			func(t *testing.T, f *mailFixture) bool { return mustSMTP(t, f.s).Host == "smtp.xinghe.cn" }},
		{"greeting_settings", AuditUpdate,
			func(t *testing.T, f *mailFixture) error {
				g := GreetingSettings{Subject: map[string]string{"zh-CN": "生日快乐", "en": "Happy birthday"},
					Body: map[string]string{"zh-CN": "{{.ContactName}}您好", "en": "Dear {{.ContactName}}"}, AutoTags: []string{"VIP"}}
				return f.s.SaveGreetingSettings(ctx, f.admin, g)
			},
			func(t *testing.T, f *mailFixture) bool {
				g, err := f.s.GreetingSettings(ctx)
				return err == nil && g.Subject["zh-CN"] == "生日快乐"
			}},
		{"campaign", AuditSend,
			func(t *testing.T, f *mailFixture) error {
				_, err := f.s.SendCampaign(ctx, f.salesA, campaignIn("VIP"))
				return err
			},
			func(t *testing.T, f *mailFixture) bool {
				list, err := f.s.Campaigns(ctx, f.admin)
				return err == nil && len(list) == 1
			}},
		{"contact", AuditUnsubscribe,
			func(t *testing.T, f *mailFixture) error {
				return f.s.Unsubscribe(ctx, unsubscribeRequest(t, f, f.contact))
			},
			func(t *testing.T, f *mailFixture) bool {
				done, err := isUnsubscribed(ctx, f.s.r, f.contact.Email)
				return err == nil && done
			}},
		{"mail_prefs", AuditUpdate,
			func(t *testing.T, f *mailFixture) error {
				_, err := f.s.SaveMailPrefs(ctx, f.salesB, MailPrefs{Kinds: []string{"birthday"}, Digest: true, TimeZone: "Asia/Tokyo"})
				return err
			},
			func(t *testing.T, f *mailFixture) bool {
				p, err := f.s.MailPrefs(ctx, f.salesB)
				return err == nil && p.TimeZone == "Asia/Tokyo"
			}},
		{"outbox", AuditRetry,
			func(t *testing.T, f *mailFixture) error { return f.s.RetryOutbox(ctx, f.admin, f.failed) },
			func(t *testing.T, f *mailFixture) bool { return f.outbox(t, "z7@fail.cn").Status == OutboxQueued }},
	}
}

// newMailAuditFixture adds what the cases act on: a VIP customer with a
// contact, and a failed email.
func newMailAuditFixture(t *testing.T) *mailFixture {
	t.Helper()
	f := newMailFixture(t)
	_, f.contact = f.taggedCustomer(t, f.salesA, "星河科技", "VIP", "李雷", "lilei@xinghe.cn", "")
	f.failed = failedEmail(t, f)
	return f
}

func TestAuditMail_EachActionLoggedWithItsChange(t *testing.T) {
	for _, c := range mailAuditCases() {
		t.Run(c.entity, func(t *testing.T) {
			f := newMailAuditFixture(t)
			if err := c.do(t, f); err != nil {
				t.Fatal(err)
			}
			if !c.changed(t, f) {
				t.Fatal("the action changed nothing")
			}
			rows := auditRows(t, f.fixture, AuditQuery{Entity: c.entity, Action: c.action})
			if len(rows) == 0 {
				t.Fatalf("no %s %s audit row", c.action, c.entity)
			}
			if rows[0].At.Unix() != f.now().Unix() {
				t.Errorf("audit row at %v, want the store clock %v", rows[0].At, f.now())
			}
		})
	}
}

func TestAuditMail_RolledBackWithTheChange(t *testing.T) {
	for _, c := range mailAuditCases() {
		t.Run(c.entity, func(t *testing.T) {
			f := newMailAuditFixture(t)
			// The audit insert fails: the change must roll back with it.
			f.exec(t, `CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log WHEN NEW.entity = '`+c.entity+`'
				BEGIN SELECT RAISE(ABORT, 'audit refused'); END`)
			if err := c.do(t, f); err == nil || !strings.Contains(err.Error(), "audit refused") {
				t.Fatalf("action with a failing audit insert: %v", err)
			}
			if c.changed(t, f) {
				t.Fatal("the change committed without its audit row")
			}
		})
	}
}

func TestAuditMail_RefusedSavesWriteNone(t *testing.T) {
	f := newMailAuditFixture(t)
	ctx := context.Background()
	before := len(auditRows(t, f.fixture, AuditQuery{}))
	refusals := map[string]error{
		"smtp by sales":      f.s.SaveSMTPSettings(ctx, f.salesA, smtpIn("pw")),
		"smtp bad port":      f.s.SaveSMTPSettings(ctx, f.admin, SMTPInput{Host: "smtp.xinghe.cn", Port: "0", TLS: "none", From: "crm@xinghe.cn"}),
		"greeting unknown":   f.s.SaveGreetingSettings(ctx, f.admin, GreetingSettings{Subject: map[string]string{"zh-CN": "{{.Discount}}"}}),
		"greeting by sales":  f.s.SaveGreetingSettings(ctx, f.salesA, GreetingSettings{}),
		"retry by sales":     f.s.RetryOutbox(ctx, f.salesA, f.failed),
		"retry not failed":   f.s.RetryOutbox(ctx, f.admin, f.failed+1000),
		"forged unsubscribe": f.s.Unsubscribe(ctx, UnsubscribeRequest{ContactID: f.contact.ID, Address: f.contact.Email, Token: "00"}),
	}
	_, refusals["campaign no recipients"] = f.s.SendCampaign(ctx, f.salesA, campaignIn("无人标签"))
	_, refusals["prefs bad zone"] = f.s.SaveMailPrefs(ctx, f.salesA, MailPrefs{TimeZone: "Mars/Base"})
	for name, err := range refusals {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if after := len(auditRows(t, f.fixture, AuditQuery{})); after != before {
		t.Fatalf("refused saves wrote %d audit rows", after-before)
	}
	// Unsubscribing twice is logged once; the actor is the system.
	req := unsubscribeRequest(t, f, f.contact)
	for range 2 {
		if err := f.s.Unsubscribe(WithActor(ctx, 0, "198.51.100.20"), req); err != nil {
			t.Fatal(err)
		}
	}
	rows := auditRows(t, f.fixture, AuditQuery{Action: AuditUnsubscribe})
	if len(rows) != 1 || rows[0].UserID != nil || rows[0].Detail != "lilei@xinghe.cn" || rows[0].IP != "198.51.100.20" {
		t.Fatalf("unsubscribe rows: %+v", rows)
	}
}

func TestAuditMail_SMTPPasswordNeverLogged(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	secrets := []string{"first-Secret-1", "second-Secret-2"}
	for _, pw := range secrets {
		if err := f.s.SaveSMTPSettings(ctx, f.admin, smtpIn(pw)); err != nil {
			t.Fatal(err)
		}
	}
	in := smtpIn("")
	in.Port = "465"
	if err := f.s.SaveSMTPSettings(ctx, f.admin, in); err != nil {
		t.Fatal(err)
	}
	rows := auditRows(t, f.fixture, AuditQuery{Entity: "mail_settings"})
	fields := map[string]int{}
	for _, r := range rows {
		fields[r.Field]++
		for _, pw := range secrets {
			if strings.Contains(r.Old+r.New+r.Detail+r.Field, pw) {
				t.Fatalf("audit row shows the SMTP password: %+v", r)
			}
		}
		if r.UserID == nil || *r.UserID != f.admin.ID {
			t.Errorf("row not by the admin: %+v", r)
		}
	}
	// Both password changes are logged by name; the port change too, and
	// the third save (password left blank) did not touch the password.
	if fields[settingSMTPPassword] != 2 || fields[settingSMTPPort] != 2 || fields[settingSMTPHost] != 1 {
		t.Fatalf("changed fields logged: %v", fields)
	}
	var n int
	for _, pw := range secrets {
		if err := f.s.r.QueryRow(`SELECT count(*) FROM audit_log WHERE instr(old_value || new_value || detail, ?) > 0`, pw).Scan(&n); err != nil || n != 0 {
			t.Fatalf("audit_log holds the password (%d rows, %v)", n, err)
		}
	}
}
