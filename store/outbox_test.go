package store

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidecrm/tide/mail"
)

func assignedTo(u *User, customerID int64, key string) Notification {
	return Notification{UserID: u.ID, Kind: "assigned", TitleKey: "notify.assigned",
		Args: map[string]any{"Customer": "星河科技", "By": "王经理"}, Link: customerLink(customerID), DedupKey: key}
}

func TestNotifyEmail_InRecipientLanguage_TextAndHTML_LinkBack(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	if _, err := f.s.UpdateUser(ctx, f.salesB.ID, UserInput{Language: ptr("en")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.UpdateUser(ctx, f.salesA.ID, UserInput{Language: ptr("zh-CN")}); err != nil {
		t.Fatal(err)
	}
	f.notifyUser(t, assignedTo(f.salesA, 7, ""))
	f.notifyUser(t, assignedTo(f.salesB, 7, ""))
	if res := f.send(t); res.Sent != 2 {
		t.Fatalf("sent %d, want 2 (%+v)", res.Sent, res)
	}
	zh := f.smtp.To(f.salesA.Email)
	en := f.smtp.To(f.salesB.Email)
	if len(zh) != 1 || len(en) != 1 {
		t.Fatalf("messages: zh %d, en %d; want one each", len(zh), len(en))
	}
	if got := zh[0].Subject(); got != "王经理 把客户「星河科技」分配给了你" {
		t.Errorf("zh subject %q", got)
	}
	if got := en[0].Subject(); got != "王经理 assigned the customer “星河科技” to you" {
		t.Errorf("en subject %q", got)
	}
	link := testBaseURL + "/customers/7"
	for _, m := range append(zh, en...) {
		if !strings.Contains(m.Text(), link) || !strings.Contains(m.HTML(), `href="`+link+`"`) {
			t.Errorf("message lacks the link back %s:\ntext: %s\nhtml: %s", link, m.Text(), m.HTML())
		}
		if strings.Contains(m.Text(), "%%TIDE") || strings.Contains(m.HTML(), "%%TIDE") {
			t.Errorf("marker left in the message: %s", m.Text())
		}
		if !strings.HasPrefix(m.Header("Message-Id"), "<tide-") {
			t.Errorf("Message-ID %q is not the outbox row's", m.Header("Message-Id"))
		}
	}
	if !strings.Contains(en[0].Text(), "Open in Tide") || !strings.Contains(zh[0].Text(), "在潮汐中查看") {
		t.Errorf("link labels not in the recipient's language:\n%s\n%s", en[0].Text(), zh[0].Text())
	}
}

func TestNotifyEmail_PreferencesDecide(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	// Defaults: assigned yes, recycled no.
	f.notifyUser(t, Notification{UserID: f.salesA.ID, Kind: "recycled", TitleKey: "notify.recycled", Args: map[string]any{"Customer": "A", "Pool": "P"}})
	f.notifyUser(t, assignedTo(f.salesA, 1, ""))
	// salesB turns assignments off and recycles on.
	if _, err := f.s.SaveMailPrefs(ctx, f.salesB, MailPrefs{Kinds: []string{"recycled"}}); err != nil {
		t.Fatal(err)
	}
	f.notifyUser(t, assignedTo(f.salesB, 1, ""))
	f.notifyUser(t, Notification{UserID: f.salesB.ID, Kind: "recycled", TitleKey: "notify.recycled", Args: map[string]any{"Customer": "B", "Pool": "P"}})
	// salesN has no address: nothing queued, nothing fails.
	if _, err := f.s.UpdateUser(ctx, f.salesN.ID, UserInput{Email: ptr("")}); err != nil {
		t.Fatal(err)
	}
	f.notifyUser(t, assignedTo(f.salesN, 1, ""))
	f.send(t)
	if a := f.smtp.To(f.salesA.Email); len(a) != 1 || !strings.Contains(a[0].Subject(), "分配") {
		t.Errorf("salesA got %d messages, want the assignment only", len(a))
	}
	if b := f.smtp.To(f.salesB.Email); len(b) != 1 || !strings.Contains(b[0].Subject(), "退回公海") {
		t.Errorf("salesB got %d messages, want the recycle only", len(b))
	}
	if n := len(f.smtp.Messages()); n != 2 {
		t.Errorf("%d messages in all, want 2", n)
	}
	if _, err := f.s.SaveMailPrefs(ctx, f.salesB, MailPrefs{Kinds: []string{"nonsense"}, TimeZone: "Mars/Olympus"}); !IsCode(err, CodeInvalid) {
		t.Fatalf("bad prefs accepted: %v", err)
	} else if e, _ := AsError(err); e.Fields["time_zone"].Key == "" || e.Fields["email_kinds"].Key == "" {
		t.Errorf("refusal not on the fields: %v", e)
	}
}

func TestNotifyEmail_OnePerReminder_EvenWhenNotifiedAndSentTwice(t *testing.T) {
	f := newMailFixture(t)
	for i := 0; i < 3; i++ {
		f.notifyUser(t, assignedTo(f.salesA, 1, "assign:1:salesA"))
	}
	f.send(t)
	f.send(t)
	f.advance(time.Hour)
	f.send(t)
	if n := len(f.smtp.To(f.salesA.Email)); n != 1 {
		t.Fatalf("%d emails for one reminder, want 1", n)
	}
}

func TestSend_TemporaryRefusal_RetriedWithBackoff(t *testing.T) {
	f := newMailFixture(t)
	f.smtp.FailNext(2)
	f.notifyUser(t, assignedTo(f.salesA, 1, ""))
	if res := f.send(t); res.Retrying != 1 || !strings.Contains(res.LastError, "451") {
		t.Fatalf("first pass: %+v", res)
	}
	row := f.outbox(t, f.salesA.Email)
	if row.Status != OutboxQueued || row.Attempts != 1 || !strings.Contains(row.LastError, "try again later") {
		t.Fatalf("after a 451: %+v", row)
	}
	if res := f.send(t); res.Sent+res.Retrying != 0 {
		t.Fatalf("retried before the back-off: %+v", res)
	}
	f.advance(time.Minute)
	if res := f.send(t); res.Retrying != 1 {
		t.Fatalf("second attempt: %+v", res)
	}
	f.advance(time.Minute)
	if res := f.send(t); res.Sent != 0 {
		t.Fatalf("third attempt came before 2 minutes: %+v", res)
	}
	f.advance(time.Minute)
	if res := f.send(t); res.Sent != 1 {
		t.Fatalf("third attempt: %+v", res)
	}
	if row := f.outbox(t, f.salesA.Email); row.Status != OutboxSent || row.Attempts != 3 {
		t.Fatalf("after success: %+v", row)
	}
	if n := len(f.smtp.To(f.salesA.Email)); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

func TestSend_GivesUpAfterMaxAttempts(t *testing.T) {
	f := newMailFixture(t)
	f.smtp.FailNext(100)
	f.notifyUser(t, assignedTo(f.salesA, 1, ""))
	for i := 0; i < MaxAttempts+3; i++ {
		f.send(t)
		f.advance(time.Hour)
	}
	row := f.outbox(t, f.salesA.Email)
	if row.Status != OutboxFailed || row.Attempts != MaxAttempts {
		t.Fatalf("after %d refusals: %+v", MaxAttempts, row)
	}
}

func TestSend_BounceAtRcpt_FailsAtOnceWithServerReply(t *testing.T) {
	f := newMailFixture(t)
	f.smtp.Reject(f.salesA.Email)
	f.notifyUser(t, assignedTo(f.salesA, 1, ""))
	f.notifyUser(t, assignedTo(f.salesB, 1, ""))
	res := f.send(t)
	if res.Failed != 1 || res.Sent != 1 {
		t.Fatalf("pass: %+v", res)
	}
	row := f.outbox(t, f.salesA.Email)
	if row.Status != OutboxFailed || row.Attempts != 1 || !strings.Contains(row.LastError, "550") || !strings.Contains(row.LastError, "does not exist") {
		t.Fatalf("bounced row: %+v", row)
	}
	f.advance(24 * time.Hour)
	f.send(t)
	if row := f.outbox(t, f.salesA.Email); row.Attempts != 1 {
		t.Fatalf("a bounce was retried: %+v", row)
	}
	st, err := f.s.OutboxStatus(context.Background(), f.admin)
	if err != nil || st.Counts[OutboxFailed] != 1 || len(st.Failures) != 1 || !strings.Contains(st.Failures[0].LastError, "550") {
		t.Fatalf("admin status: %+v %v", st, err)
	}
	if err := f.s.RetryOutbox(context.Background(), f.admin, row.ID); err != nil {
		t.Fatal(err)
	}
	if row := f.outbox(t, f.salesA.Email); row.Status != OutboxQueued || row.Attempts != 0 {
		t.Fatalf("after retry: %+v", row)
	}
	if err := f.s.RetryOutbox(context.Background(), f.salesA, row.ID); !IsCode(err, CodeForbidden) {
		t.Fatalf("sales may retry: %v", err)
	}
}

func TestSend_OverlappingPasses_NeverSendOneRowTwice(t *testing.T) {
	f := newMailFixture(t)
	const n = 30
	for i := 0; i < n; i++ {
		f.notifyUser(t, assignedTo(f.salesA, int64(i+1), ""))
	}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.s.SendDueMail(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	msgs := f.smtp.To(f.salesA.Email)
	ids := map[string]bool{}
	for _, m := range msgs {
		ids[m.Header("Message-Id")] = true
	}
	if len(msgs) != n || len(ids) != n {
		t.Fatalf("%d messages, %d distinct; want %d of each", len(msgs), len(ids), n)
	}
}

func TestSend_RestartAndCrash_NoDuplicate(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		f.notifyUser(t, assignedTo(f.salesA, int64(i+1), ""))
	}
	f.notifyUser(t, assignedTo(f.salesB, 9, ""))
	// A crash: a pass claims salesB's row and the server accepts the
	// message, then the process dies before the row is marked sent.
	var crashed *claimed
	for {
		c, err := f.s.claimNext(ctx)
		if err != nil || c == nil {
			t.Fatalf("claim: %v %v", c, err)
		}
		if c.address == f.salesB.Email {
			crashed = c
			break
		}
		if err := f.s.recordSend(ctx, c, mail.Send(ctx, mustSMTP(t, f.s), c.message(testBaseURL)), &SendResult{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := mail.Send(ctx, mustSMTP(t, f.s), crashed.message(testBaseURL)); err != nil {
		t.Fatal(err)
	}
	path := f.s.Path()
	mailCfg := f.s.Mail
	f.s.Close()

	// Restart on the same database file.
	s2, err := OpenFile(ctx, filepath.Clean(path))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s2.Now, s2.Mail = f.now, mailCfg
	if _, err := s2.SendDueMail(ctx); err != nil {
		t.Fatal(err)
	}
	f.advance(leaseFor + time.Second)
	res, err := s2.SendDueMail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Interrupted != 1 {
		t.Fatalf("the interrupted row was not reported: %+v", res)
	}
	f.advance(time.Hour)
	if _, err := s2.SendDueMail(ctx); err != nil {
		t.Fatal(err)
	}
	if a, b := len(f.smtp.To(f.salesA.Email)), len(f.smtp.To(f.salesB.Email)); a != 3 || b != 1 {
		t.Fatalf("after restart: salesA %d (want 3), salesB %d (want 1)", a, b)
	}
	items, _ := s2.OutboxFor(ctx, f.salesB.Email)
	if len(items) != 1 || items[0].Status != OutboxFailed || !items[0].Interrupted {
		t.Fatalf("crashed row: %+v", items[0])
	}
}

func mustSMTP(t *testing.T, s *Store) mail.Settings {
	t.Helper()
	st, err := s.SMTPSettings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSend_AfterDowntime_SentAtStartMarkedLate(t *testing.T) {
	f := newMailFixture(t)
	f.notifyUser(t, assignedTo(f.salesA, 1, ""))
	f.notifyUser(t, assignedTo(f.salesB, 1, ""))
	f.send(t) // salesB's... both on time
	f.notifyUser(t, assignedTo(f.salesA, 2, ""))
	f.advance(3 * time.Hour) // the server was down
	f.send(t)
	items, _ := f.s.OutboxFor(context.Background(), f.salesA.Email)
	if len(items) != 2 || items[0].Status != OutboxSent || !items[0].Late || items[1].Late {
		t.Fatalf("late flags: %+v %+v", items[0], items[1])
	}
}

func TestSend_SMTPNotConfigured_WaitsWithoutError(t *testing.T) {
	f := newMailFixture(t)
	f.s.Mail.SMTP.Host = ""
	f.notifyUser(t, assignedTo(f.salesA, 1, ""))
	res := f.send(t)
	if !res.NotConfigured || res.Waiting != 1 {
		t.Fatalf("%+v", res)
	}
}

func TestSMTPSettings_AdminPageOverridesConfig_PasswordKept(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	in := SMTPInput{Host: "smtp.example.com", Port: "465", TLS: "tls", Username: "crm", Password: ptr("s3cret"), From: "crm@example.com"}
	if err := f.s.SaveSMTPSettings(ctx, f.admin, in); err != nil {
		t.Fatal(err)
	}
	in.Password = ptr("")
	in.Port = "2465"
	if err := f.s.SaveSMTPSettings(ctx, f.admin, in); err != nil {
		t.Fatal(err)
	}
	st := mustSMTP(t, f.s)
	if st.Host != "smtp.example.com" || st.Port != 2465 || st.TLS != "tls" || st.Password != "s3cret" {
		t.Fatalf("settings: %+v", st)
	}
	err := f.s.SaveSMTPSettings(ctx, f.admin, SMTPInput{Host: "", Port: "x", TLS: "ssl", From: "nope"})
	e, _ := AsError(err)
	if e == nil || len(e.Fields) != 4 {
		t.Fatalf("bad settings: %v", err)
	}
	if err := f.s.SaveSMTPSettings(ctx, f.salesA, in); !IsCode(err, CodeForbidden) {
		t.Fatalf("sales saved SMTP settings: %v", err)
	}
}

func TestSendTestEmail_ClosedPort_ShowsTheError(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	if err := f.s.SendTestEmail(ctx, f.admin, "boss@example.com"); err != nil {
		t.Fatal(err)
	}
	if m := f.smtp.To("boss@example.com"); len(m) != 1 || m[0].Subject() != "潮汐 CRM 测试邮件" {
		t.Fatalf("test email: %d", len(m))
	}
	f.s.Mail.SMTP.Port = closedPort(t)
	err := f.s.SendTestEmail(ctx, f.admin, "boss@example.com")
	e, _ := AsError(err)
	if e == nil || !strings.Contains(e.Fields["to"].Args["Error"].(string), "connection refused") {
		t.Fatalf("closed port: %v", err)
	}
}

func TestSendTestEmail_WrongPassword_ShowsServerReply(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	f.smtp.RequireAuth("crm", "right-password")
	in := SMTPInput{Host: f.smtp.Host(), Port: f.smtp.PortString(), TLS: "none", Username: "crm", Password: ptr("wrong-password"), From: "crm@example.com"}
	if err := f.s.SaveSMTPSettings(ctx, f.admin, in); err != nil {
		t.Fatal(err)
	}
	err := f.s.SendTestEmail(ctx, f.admin, "boss@example.com")
	e, _ := AsError(err)
	if e == nil || !strings.Contains(e.Fields["to"].Args["Error"].(string), "535") {
		t.Fatalf("wrong password: %v", err)
	}
	in.Password = ptr("right-password")
	if err := f.s.SaveSMTPSettings(ctx, f.admin, in); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SendTestEmail(ctx, f.admin, "boss@example.com"); err != nil {
		t.Fatalf("right password: %v", err)
	}
}

// A task reminder written at start-up after downtime is late, and so is
// its email: lateness counts from the reminder time, not from when the
// reminder job got round to it.
func TestSend_TaskReminderAfterDowntime_EmailMarkedLate(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	due := f.now().Add(2 * time.Hour)
	remind := due.Add(-time.Hour)
	mustTask(t, f.fixture, f.salesA, newTask("回访星河科技", due, &remind))
	f.advance(5 * time.Hour) // down from before the reminder time until now
	if res, err := f.s.SendDueReminders(ctx, time.Minute); err != nil || res.Late != 1 {
		t.Fatalf("reminders: %+v %v", res, err)
	}
	f.send(t)
	if it := f.outbox(t, f.salesA.Email); it.Status != OutboxSent || !it.Late {
		t.Fatalf("reminder email: %+v", it)
	}
}
