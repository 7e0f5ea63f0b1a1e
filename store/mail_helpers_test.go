package store

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/tidecrm/tide/mail"
	"github.com/tidecrm/tide/mailtest"
)

// mailFixture is the org fixture plus a real SMTP server the store sends
// through and a clock the test moves.
type mailFixture struct {
	*fixture
	smtp  *mailtest.Server
	mu    sync.Mutex
	clock time.Time
	// contact and failed are set by newMailAuditFixture.
	contact *Contact
	failed  int64
}

const testBaseURL = "https://crm.example.com"

func newMailFixture(t *testing.T) *mailFixture {
	t.Helper()
	f := &mailFixture{fixture: newFixture(t), smtp: mailtest.Start(t), clock: time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)}
	f.s.Now = f.now
	f.s.Mail = MailConfig{BaseURL: testBaseURL, Interval: time.Minute, RatePerMinute: 0, BirthdayHour: 8, DigestHour: 8,
		SMTP: mail.Settings{Host: f.smtp.Host(), Port: f.smtp.Port(), TLS: mail.TLSNone, From: "crm@example.com"}}
	ctx := context.Background()
	for _, u := range []*User{f.admin, f.mgr, f.salesA, f.salesB, f.salesN} {
		email := u.Username + "@example.com"
		if _, err := f.s.UpdateUser(ctx, u.ID, UserInput{Email: &email}); err != nil {
			t.Fatal(err)
		}
		u.Email = email
	}
	return f
}

func (f *mailFixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

func (f *mailFixture) advance(d time.Duration) {
	f.mu.Lock()
	f.clock = f.clock.Add(d)
	f.mu.Unlock()
}

// notifyUser writes a notification the way every producer does: notify()
// inside a transaction.
func (f *mailFixture) notifyUser(t *testing.T, n Notification) {
	t.Helper()
	err := f.s.tx(context.Background(), func(tx *sql.Tx) error { return notify(context.Background(), tx, n, f.s.now().Unix()) })
	if err != nil {
		t.Fatal(err)
	}
}

// send runs one pass of the sender and fails the test on an error.
func (f *mailFixture) send(t *testing.T) SendResult {
	t.Helper()
	res, err := f.s.SendDueMail(context.Background())
	if err != nil {
		t.Fatalf("SendDueMail: %v", err)
	}
	return res
}

// outboxRow reads the one outbox row for address.
func (f *mailFixture) outbox(t *testing.T, address string) *OutboxItem {
	t.Helper()
	items, err := f.s.OutboxFor(context.Background(), address)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 {
		t.Fatalf("outbox rows for %s: %d, want 1", address, len(items))
	}
	return items[0]
}

// taggedCustomer creates a customer owned by u carrying tag, with a
// primary contact (name, email, birthday may be empty).
func (f *mailFixture) taggedCustomer(t *testing.T, u *User, name, tag, contact, email, birthday string) (*Customer, *Contact) {
	t.Helper()
	ctx := context.Background()
	if tag != "" {
		if _, err := f.s.SaveTag(ctx, f.admin, 0, tag, ""); err != nil && !IsCode(err, CodeInvalid) && !IsCode(err, CodeDuplicate) && !IsCode(err, CodeConflict) {
			t.Fatal(err)
		}
	}
	in := CustomerInput{Name: ptr(name)}
	if tag != "" {
		in.Tags = &[]string{tag}
	}
	c, err := f.s.CreateCustomer(ctx, u, in)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	ct, err := f.s.CreateContact(ctx, u, c.ID, ContactInput{Name: ptr(contact), Email: ptr(email), Birthday: ptr(birthday), IsPrimary: ptr(true)})
	if err != nil {
		t.Fatalf("contact %s: %v", contact, err)
	}
	return c, ct
}

func closedPort(t *testing.T) int { return mailtest.ClosedPort(t) }

// exec runs SQL on the writer, for facts no public method sets directly.
func (f *mailFixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.s.w.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatal(err)
	}
}
