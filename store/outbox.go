package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/mail"
)

// MailConfig is the email configuration that comes from config: the SMTP
// defaults (the admin email page overrides them), the base URL links in
// emails point to, and the pace of sending.
type MailConfig struct {
	BaseURL string
	SMTP    mail.Settings
	// Interval is how often the sender runs; a row sent more than two
	// intervals after it fell due is marked late.
	Interval time.Duration
	// RatePerMinute bounds how many emails leave per minute (0: no bound).
	RatePerMinute int
	// BirthdayHour and DigestHour are the local hours (each user's own
	// time zone) from which birthday reminders and the daily digest go out.
	BirthdayHour, DigestHour int
}

// Outbox statuses.
const (
	OutboxQueued       = "queued"
	OutboxSending      = "sending"
	OutboxSent         = "sent"
	OutboxFailed       = "failed"
	OutboxCancelled    = "cancelled"
	OutboxUnsubscribed = "unsubscribed"
)

// Markers in stored bodies that the sender replaces: server.base_url and
// the recipient's signed unsubscribe URL. Links are stored relative so a
// change of base URL reaches mail already queued.
const (
	markBase        = "%%TIDE_BASE%%"
	markUnsubscribe = "%%TIDE_UNSUBSCRIBE%%"
)

// MaxAttempts is how many times the sender tries one email before giving
// up on it (status failed).
const MaxAttempts = 5

// outboxRow is an email to enqueue.
type outboxRow struct {
	UserID, ContactID, CampaignID, CreatedBy int64
	Address, Language, Subject, Text, HTML   string
	Kind, DedupKey, Link                     string
	DueAt                                    int64
	Status                                   string // '' = queued
	LastError                                string
}

// enqueue writes one outbox row inside the caller's transaction; a row
// with the same dedup key already there makes it a no-op (false).
func enqueue(ctx context.Context, tx *sql.Tx, o outboxRow, now int64) (bool, error) {
	if o.DueAt == 0 {
		o.DueAt = now
	}
	if o.Status == "" {
		o.Status = OutboxQueued
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (user_id, contact_id, address, language, subject, body_text, body_html, link, kind,
			dedup_key, campaign_id, created_by, due_at, status, next_attempt_at, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`,
		nullID(o.UserID), nullID(o.ContactID), o.Address, o.Language, o.Subject, o.Text, o.HTML, o.Link, o.Kind,
		o.DedupKey, nullID(o.CampaignID), nullID(o.CreatedBy), o.DueAt, o.Status, o.DueAt, o.LastError, now)
	if err != nil {
		return false, fmt.Errorf("store: enqueue %s: %w", o.DedupKey, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// recipient is what the outbox needs to know about a user it mails.
type recipient struct {
	Email, Language, Name string
	Kinds                 map[string]bool
	Digest                bool
}

// mailRecipient loads user id's address, language (their own, else the
// company's) and email preferences.
func mailRecipient(ctx context.Context, q querier, id int64) (*recipient, error) {
	var r recipient
	var kinds sql.NullString
	var digest sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT u.email, u.language, u.name, p.kinds, p.digest FROM users u
		LEFT JOIN mail_prefs p ON p.user_id = u.id WHERE u.id = ? AND u.active = 1`, id).Scan(&r.Email, &r.Language, &r.Name, &kinds, &digest)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: mail recipient %d: %w", id, err)
	}
	if r.Language == "" {
		r.Language = companyLanguage(ctx, q)
	}
	r.Kinds = map[string]bool{}
	list := DefaultEmailKinds
	if kinds.Valid {
		list = splitList(kinds.String)
	}
	for _, k := range list {
		r.Kinds[k] = true
	}
	r.Digest = digest.Int64 == 1
	return &r, nil
}

func companyLanguage(ctx context.Context, q querier) string {
	var lang string
	if err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, SettingLanguage).Scan(&lang); err != nil || !i18n.Supported(lang) {
		return i18n.Languages[0]
	}
	return lang
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// emailNotification queues the email copy of notification n (id) when its
// recipient wants this kind by email and has an address; same transaction
// as the notification, so both exist or neither.
func emailNotification(ctx context.Context, tx *sql.Tx, n Notification, id, now int64) error {
	r, err := mailRecipient(ctx, tx, n.UserID)
	if err != nil || r == nil || r.Email == "" || !r.Kinds[n.Kind] {
		return err
	}
	l := i18n.For(r.Language)
	title := l.T(n.TitleKey, n.Args)
	o := outboxRow{UserID: n.UserID, Address: r.Email, Language: l.Lang, Subject: title, Kind: n.Kind, Link: n.Link, DueAt: n.DueAt}
	body := mailBody(l, title, nil, n.Link)
	o.Text, o.HTML = mail.Render(body)
	o.DedupKey = fmt.Sprintf("notification:%d", id)
	if n.DedupKey != "" {
		o.DedupKey = "notification:" + n.DedupKey
	}
	_, err = enqueue(ctx, tx, o, now)
	return err
}

// mailBody is the frame of every email to a user: greeting, content, a
// link back to the record and a footer saying why they got it.
func mailBody(l *i18n.Localizer, heading string, paragraphs []string, link string) mail.Body {
	b := mail.Body{Lang: l.Lang, Heading: heading, Paragraphs: paragraphs,
		Footer: []string{l.T("mail.footer_prefs"), l.T("mail.footer_profile") + " " + markBase + "/profile#email"}}
	if link != "" {
		b.LinkURL, b.LinkLabel = markBase+link, l.T("mail.open_link")
	}
	return b
}
