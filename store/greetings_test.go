package store

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestGreetingTemplates_UnknownPlaceholderRefusedByName(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	g, err := f.s.GreetingSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g.Body["en"] = "Dear {{.ContactName}}, from {{.Boss}}"
	g.Subject["zh-CN"] = "{{.ContactName"
	err = f.s.SaveGreetingSettings(ctx, f.admin, *g)
	e, _ := AsError(err)
	if e == nil || e.Fields["body_en"].Key != "mail.err.placeholder" || e.Fields["body_en"].Args["Name"] != "{{.Boss}}" {
		t.Fatalf("unknown placeholder: %v", err)
	}
	if e.Fields["subject_zh-CN"].Key != "mail.err.template_syntax" {
		t.Fatalf("broken template: %v", e.Fields)
	}
	for _, bad := range []string{`{{printf "%s" .ContactName}}`, `{{range .X}}{{end}}`, `{{.ContactName.Foo}}`} {
		g.Body["en"], g.Subject["zh-CN"] = bad, "ok"
		if err := f.s.SaveGreetingSettings(ctx, f.admin, *g); !IsCode(err, CodeInvalid) {
			t.Errorf("%s accepted", bad)
		}
	}
	g.Body["en"] = "Hi {{.ContactName}} of {{.CustomerName}}, {{.OwnerName}} at {{.CompanyName}}"
	if err := f.s.SaveGreetingSettings(ctx, f.admin, *g); err != nil {
		t.Fatalf("good template refused: %v", err)
	}
	if err := f.s.SaveGreetingSettings(ctx, f.salesA, *g); !IsCode(err, CodeForbidden) {
		t.Fatalf("sales saved templates: %v", err)
	}
}

// unsubscribeLink finds the signed link in a message body.
func unsubscribeLink(t *testing.T, text string) UnsubscribeRequest {
	t.Helper()
	m := regexp.MustCompile(`https://crm\.example\.com/unsubscribe\?\S+`).FindString(text)
	if m == "" {
		t.Fatalf("no unsubscribe link in:\n%s", text)
	}
	u, _ := url.Parse(m)
	id, _ := strconv.ParseInt(u.Query().Get("c"), 10, 64)
	return UnsubscribeRequest{ContactID: id, Address: u.Query().Get("a"), Token: u.Query().Get("t")}
}

func TestGreeting_OneClick_UnsubscribeSignedAndFinal(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	_, ct := f.taggedCustomer(t, f.salesA, "星河科技", "", "李雷", "lilei@xinghe.cn", "1990-11-27")
	_, noMail := f.taggedCustomer(t, f.salesA, "远洋物流", "", "韩梅梅", "", "")
	if err := f.s.QueueGreeting(ctx, f.salesA, ct.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.QueueGreeting(ctx, f.salesA, ct.ID); !IsCode(err, CodeConflict) {
		t.Fatalf("second greeting the same year: %v", err)
	}
	if err := f.s.QueueGreeting(ctx, f.salesA, noMail.ID); !IsCode(err, CodeInvalid) {
		t.Fatalf("greeting without email: %v", err)
	}
	if err := f.s.QueueGreeting(ctx, f.salesN, ct.ID); !IsCode(err, CodeNotFound) {
		t.Fatalf("someone else's contact: %v", err)
	}
	f.send(t)
	msgs := f.smtp.To("lilei@xinghe.cn")
	if len(msgs) != 1 || msgs[0].Subject() != "李雷，生日快乐！" || !strings.Contains(msgs[0].Text(), "salesA") {
		t.Fatalf("greeting: %d %q", len(msgs), msgs[0].Text())
	}
	if msgs[0].Header("List-Unsubscribe") == "" {
		t.Error("no List-Unsubscribe header")
	}
	req := unsubscribeLink(t, msgs[0].Text())

	forged := req
	forged.Address = "someone.else@xinghe.cn"
	if _, err := f.s.CheckUnsubscribe(ctx, forged); !IsCode(err, CodeNotFound) {
		t.Fatalf("forged address accepted: %v", err)
	}
	forged = req
	forged.Token = strings.Repeat("0", len(req.Token))
	if err := f.s.Unsubscribe(ctx, forged); !IsCode(err, CodeNotFound) {
		t.Fatalf("forged token accepted: %v", err)
	}
	if done, err := f.s.CheckUnsubscribe(ctx, req); err != nil || done {
		t.Fatalf("valid link: %v %v", done, err)
	}
	if err := f.s.Unsubscribe(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Unsubscribe(ctx, req); err != nil {
		t.Fatalf("second visit: %v", err)
	}
	f.advance(366 * 24 * time.Hour) // next year: a greeting would be due again
	if err := f.s.QueueGreeting(ctx, f.salesA, ct.ID); !IsCode(err, CodeConflict) {
		t.Fatalf("greeting an unsubscribed contact: %v", err)
	}
	f.send(t)
	if n := len(f.smtp.To("lilei@xinghe.cn")); n != 1 {
		t.Fatalf("%d messages after unsubscribing, want still 1", n)
	}
}

func TestBirthdays_MorningInOwnersZone_ReminderAndAutoGreeting(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	// 2026-11-27 01:00 UTC = 09:00 Shanghai; New York is still on the 26th, 20:00.
	c1, _ := f.taggedCustomer(t, f.salesA, "星河科技", "VIP", "李雷", "lilei@xinghe.cn", "1990-11-27")
	f.taggedCustomer(t, f.salesA, "远洋物流", "", "韩梅梅", "meimei@yuanyang.cn", "1991-11-27")
	f.taggedCustomer(t, f.salesA, "北辰", "", "张三", "z3@beichen.cn", "1991-11-28")
	f.taggedCustomer(t, f.salesB, "南山", "VIP", "Tom", "tom@nanshan.cn", "1985-11-27")
	if _, err := f.s.SaveMailPrefs(ctx, f.salesB, MailPrefs{Kinds: []string{"birthday"}, TimeZone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	g, _ := f.s.GreetingSettings(ctx)
	g.AutoTags = []string{"VIP"}
	if err := f.s.SaveGreetingSettings(ctx, f.admin, *g); err != nil {
		t.Fatal(err)
	}
	res, err := f.s.RemindBirthdays(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reminded != 2 || res.Greeted != 1 {
		t.Fatalf("Shanghai morning: %+v", res)
	}
	ns, _ := f.s.Notifications(ctx, f.salesA, false, 10)
	if len(ns) != 2 || ns[0].Kind != "birthday" || ns[0].Link == "" {
		t.Fatalf("salesA notifications: %+v", ns)
	}
	if ns, _ := f.s.Notifications(ctx, f.salesB, false, 10); len(ns) != 0 {
		t.Fatalf("salesB reminded before their morning: %+v", ns)
	}
	// Again in the same morning: nothing new.
	if _, err := f.s.RemindBirthdays(ctx); err != nil {
		t.Fatal(err)
	}
	if ns, _ := f.s.Notifications(ctx, f.salesA, false, 10); len(ns) != 2 {
		t.Fatalf("reminded twice: %d", len(ns))
	}
	// New York's morning of the 27th.
	f.advance(12 * time.Hour)
	if _, err := f.s.RemindBirthdays(ctx); err != nil {
		t.Fatal(err)
	}
	ns, _ = f.s.Notifications(ctx, f.salesB, false, 10)
	if len(ns) != 1 || ns[0].Link != customerLink(c1.ID+3) {
		t.Fatalf("salesB: %+v", ns)
	}
	f.send(t)
	if n := len(f.smtp.To("lilei@xinghe.cn")); n != 1 {
		t.Errorf("VIP contact greeted %d times, want 1", n)
	}
	if n := len(f.smtp.To("tom@nanshan.cn")); n != 1 {
		t.Errorf("VIP contact in New York greeted %d times, want 1", n)
	}
	if n := len(f.smtp.To("meimei@yuanyang.cn")); n != 0 {
		t.Errorf("contact without the tag greeted")
	}
	if m := f.smtp.To(f.salesB.Email); len(m) != 1 || !strings.Contains(m[0].Subject(), "Tom") {
		t.Errorf("salesB's birthday email: %d", len(m))
	}
	if m := f.smtp.To(f.salesA.Email); len(m) != 0 {
		t.Errorf("salesA did not ask for birthday emails but got %d", len(m))
	}
}
