package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tidecrm/tide/mail"
	"github.com/tidecrm/tide/mailtest"
	"github.com/tidecrm/tide/store"
)

// greetingQueued sets up a store that sends through srv and queues one
// birthday greeting to addr at clock time at.
func greetingQueued(t *testing.T, st *store.Store, srv *mailtest.Server, addr string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	st.Now = func() time.Time { return at }
	st.Mail = store.MailConfig{BaseURL: "https://crm.example.com", Interval: time.Minute,
		SMTP: mail.Settings{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone, From: "crm@example.com"}}
	admin, err := st.CreateUser(ctx, store.UserInput{Username: ptr("admin"), Password: ptr("password1"), Role: ptr(store.RoleAdmin)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateCustomer(ctx, admin, store.CustomerInput{Name: ptr("星河科技")})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := st.CreateContact(ctx, admin, c.ID, store.ContactInput{Name: ptr("李雷"), Email: ptr(addr)})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.QueueGreeting(ctx, admin, ct.ID); err != nil {
		t.Fatal(err)
	}
}

func TestMailSend_AtStart_SendsWhatFellDueWhileDown_MarkedLate(t *testing.T) {
	s, st := newTest(t)
	srv := mailtest.Start(t)
	down := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
	greetingQueued(t, st, srv, "lilei@xinghe.cn", down)
	st.Now = func() time.Time { return down.Add(3 * time.Hour) } // back up three hours later
	if err := s.AddMail(time.Hour); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, _ := st.LastJobRun(context.Background(), "mail_send")
		if r != nil && r.FinishedAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("mail_send did not run at start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	items, _ := st.OutboxFor(context.Background(), "lilei@xinghe.cn")
	if len(items) != 1 || items[0].Status != store.OutboxSent || !items[0].Late {
		t.Fatalf("after start: %+v", items)
	}
	if len(srv.To("lilei@xinghe.cn")) != 1 {
		t.Fatal("not delivered")
	}
}

func TestMailSend_Bounce_RecordedAsFailedRunWithServerReply(t *testing.T) {
	s, st := newTest(t)
	srv := mailtest.Start(t)
	srv.Reject("nobody@xinghe.cn")
	greetingQueued(t, st, srv, "nobody@xinghe.cn", time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC))
	var send Job
	for _, j := range s.MailJobs(time.Minute) {
		if j.Name == "mail_send" {
			send = j
		}
	}
	if _, err := s.RunNow(context.Background(), send); err == nil {
		t.Fatal("a bounce did not fail the run")
	}
	r, _ := st.LastJobRun(context.Background(), "mail_send")
	if r == nil || r.OK == nil || *r.OK || !strings.Contains(r.Detail, `"jobrun.failed_after"`) ||
		!strings.Contains(r.Detail, `"Failed":1`) || !strings.Contains(r.Detail, "550") {
		t.Fatalf("run: %+v", r)
	}
	// The next pass has nothing to retry: the run is fine again.
	if _, err := s.RunNow(context.Background(), send); err != nil {
		t.Fatalf("second pass: %v", err)
	}
}
