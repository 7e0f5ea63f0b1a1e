package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/mail"
)

// Emails to a tag segment (按标签推送): a campaign picks customers through
// the customer list's own query (so sales reach only their customers,
// managers their team's, admins everyone), and sends one email per
// customer to its primary contact, through the outbox, at the configured
// rate, each with a signed unsubscribe link.

// CampaignInput is the campaign form.
type CampaignInput struct {
	Name     string          `json:"name"`
	Language string          `json:"language"`
	Subject  string          `json:"subject"`
	Body     string          `json:"body"`
	Tags     []string        `json:"tags"`
	Filters  CampaignFilters `json:"filters"`
}

// CampaignFilters are the customer list filters a campaign may add to its
// tags; Owner is "", "me" or a user id, as on the customer list.
type CampaignFilters struct {
	Status string `json:"status,omitempty"`
	Level  string `json:"level,omitempty"`
	Source string `json:"source,omitempty"`
	Region string `json:"region,omitempty"`
	Owner  string `json:"owner,omitempty"`
}

// Campaign is a sent campaign with its send log counts.
type Campaign struct {
	ID        int64          `json:"id"`
	Name      string         `json:"name"`
	Language  string         `json:"language"`
	Subject   string         `json:"subject"`
	Body      string         `json:"body"`
	Filters   CampaignInput  `json:"-"`
	NoEmail   int            `json:"no_email"`
	Counts    map[string]int `json:"counts"`
	CreatedBy Ref            `json:"created_by"`
	CreatedAt time.Time      `json:"created_at"`
}

// CampaignRecipient is one line of a campaign's send log.
type CampaignRecipient struct {
	Address   string     `json:"address"`
	Contact   string     `json:"contact"`
	Customer  Ref        `json:"customer"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	SentAt    *time.Time `json:"sent_at"`
}

// CampaignPreview is what the campaign would send, rendered for its first
// recipient.
type CampaignPreview struct {
	Recipients   int    `json:"recipients"`
	NoEmail      int    `json:"no_email"`
	Unsubscribed int    `json:"unsubscribed"`
	To           string `json:"to"`
	Subject      string `json:"subject"`
	Text         string `json:"text"`
	HTML         string `json:"html"`
}

// campaignTarget is a customer's primary contact that a campaign mails.
type campaignTarget struct {
	greetingTarget
	unsubscribed bool
}

func (in *CampaignInput) validate() error {
	fe := fieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		fe.add("name", "err.required")
	} else if utf8.RuneCountInString(in.Name) > 100 {
		fe.add("name", "err.too_long", "Max", 100)
	}
	if !i18n.Supported(in.Language) {
		fe.add("language", "err.language")
	}
	checkTemplate(fe, "subject", in.Subject)
	checkTemplate(fe, "body", in.Body)
	if len(in.Tags) == 0 {
		fe.add("tags", "mail.err.tags_required")
	}
	return fe.err()
}

// campaignTargets finds the primary contacts of the customers u may see
// that carry any of the tags and match the filters, once per address.
func (s *Store) campaignTargets(ctx context.Context, u *User, in CampaignInput) ([]campaignTarget, int, error) {
	fl := in.Filters
	q := CustomerQuery{Status: fl.Status, Level: fl.Level, Source: fl.Source, Region: fl.Region, Owner: fl.Owner}
	seen := map[int64]bool{}
	var ids []int64
	for _, tag := range in.Tags {
		q.Tag = tag
		err := s.EachCustomer(ctx, u, q, func(c *Customer) error {
			if !seen[c.ID] {
				seen[c.ID] = true
				ids = append(ids, c.ID)
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	var out []campaignTarget
	addrs := map[string]bool{}
	noEmail := 0
	for _, id := range ids {
		var t campaignTarget
		var owner sql.NullInt64
		err := s.r.QueryRowContext(ctx, `SELECT ct.id, c.id, c.owner_id, ct.name, c.name, COALESCE(u.name, ''), ct.email,
				EXISTS (SELECT 1 FROM unsubscribes x WHERE x.address = ct.email)
			FROM customers c JOIN contacts ct ON ct.customer_id = c.id AND ct.is_primary = 1 LEFT JOIN users u ON u.id = c.owner_id
			WHERE c.id = ? ORDER BY ct.id LIMIT 1`, id).Scan(&t.contactID, &t.customerID, &owner, &t.contact, &t.customer, &t.owner, &t.email, &t.unsubscribed)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && t.email == "") {
			noEmail++
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("store: campaign contact of %d: %w", id, err)
		}
		if addrs[t.email] {
			continue
		}
		addrs[t.email] = true
		t.ownerID = owner.Int64
		out = append(out, t)
	}
	return out, noEmail, nil
}

// renderCampaign fills the campaign's templates for one recipient.
func renderCampaign(in CampaignInput, company string, t *greetingTarget) (subject, text, html string) {
	d := TemplateData{ContactName: t.contact, CustomerName: t.customer, CompanyName: company, OwnerName: t.owner}
	text, html = mail.Render(contactBody(i18n.For(in.Language), fillTemplate(in.Body, d)))
	return fillTemplate(in.Subject, d), text, html
}

// PreviewCampaign validates the campaign and renders it for its first
// recipient, with the counts it would have, without sending anything.
func (s *Store) PreviewCampaign(ctx context.Context, u *User, in CampaignInput) (*CampaignPreview, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	targets, noEmail, err := s.campaignTargets(ctx, u, in)
	if err != nil {
		return nil, err
	}
	p := &CampaignPreview{NoEmail: noEmail}
	company, _ := s.Setting(ctx, SettingCompanyName, "")
	for i := range targets {
		if targets[i].unsubscribed {
			p.Unsubscribed++
			continue
		}
		p.Recipients++
		if p.To == "" {
			p.To = targets[i].email
			p.Subject, p.Text, p.HTML = renderCampaign(in, company, &targets[i].greetingTarget)
		}
	}
	base := strings.TrimRight(s.Mail.BaseURL, "/")
	fill := strings.NewReplacer(markBase, base, markUnsubscribe, base+"/unsubscribe?…")
	p.Text, p.HTML = fill.Replace(p.Text), fill.Replace(p.HTML)
	return p, nil
}

// SendCampaign records the campaign and queues one email per recipient,
// spaced at smtp.rate_per_minute. Contacts who unsubscribed get a row with
// status unsubscribed (so the log shows them) and no email.
func (s *Store) SendCampaign(ctx context.Context, u *User, in CampaignInput) (*Campaign, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	targets, noEmail, err := s.campaignTargets(ctx, u, in)
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, &Error{Code: CodeInvalid, Msg: M("mail.err.no_recipients"), Fields: map[string]Msg{"tags": M("mail.err.no_recipients")}}
	}
	company, _ := s.Setting(ctx, SettingCompanyName, "")
	filters, _ := json.Marshal(in)
	var id int64
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		res, err := tx.ExecContext(ctx, `INSERT INTO campaigns (name, language, subject, body, filters, no_email, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, in.Language, in.Subject, in.Body, string(filters), noEmail, u.ID, now)
		if err != nil {
			return fmt.Errorf("store: create campaign: %w", err)
		}
		id, _ = res.LastInsertId()
		queued := 0
		for i := range targets {
			t := &targets[i]
			o := outboxRow{ContactID: t.contactID, CampaignID: id, CreatedBy: u.ID, Address: t.email, Language: in.Language, Kind: "campaign",
				DedupKey: fmt.Sprintf("campaign:%d:%d", id, t.contactID), Link: customerLink(t.customerID), DueAt: now + s.campaignOffset(queued)}
			o.Subject, o.Text, o.HTML = renderCampaign(in, company, &t.greetingTarget)
			if t.unsubscribed {
				o.Status, o.DueAt = OutboxUnsubscribed, now
			} else {
				queued++
			}
			if _, err := enqueue(ctx, tx, o, now); err != nil {
				return err
			}
		}
		return audit(ctx, tx, now, AuditEntry{Action: AuditSend, Entity: "campaign", EntityID: id, Detail: in.Name, ActorID: u.ID})
	})
	if err != nil {
		return nil, err
	}
	return s.Campaign(ctx, u, id)
}

// campaignOffset is when (seconds from now) the n-th email of a campaign
// is released, so a campaign leaves at smtp.rate_per_minute.
func (s *Store) campaignOffset(n int) int64 {
	if s.Mail.RatePerMinute <= 0 {
		return 0
	}
	return int64(n * 60 / s.Mail.RatePerMinute)
}

// campaignVisible is the condition on campaigns cp that u may see: their
// own, their team's for managers, every one for admins.
func (s *Store) campaignVisible(ctx context.Context, u *User) (string, error) {
	v, err := s.VisibilityFor(ctx, u)
	if err != nil {
		return "", err
	}
	if v.All {
		return "1=1", nil
	}
	return "cp.created_by IN (" + idList(v.OwnerIDs) + ")", nil
}

// Campaigns lists the campaigns u may see, newest first.
func (s *Store) Campaigns(ctx context.Context, u *User) ([]*Campaign, error) {
	cond, err := s.campaignVisible(ctx, u)
	if err != nil {
		return nil, err
	}
	ids, err := queryInt64s(ctx, s.r, `SELECT cp.id FROM campaigns cp WHERE `+cond+` ORDER BY cp.id DESC LIMIT 100`)
	if err != nil {
		return nil, fmt.Errorf("store: campaigns: %w", err)
	}
	out := []*Campaign{}
	for _, id := range ids {
		c, err := s.Campaign(ctx, u, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Campaign loads one visible campaign with its counts by status.
func (s *Store) Campaign(ctx context.Context, u *User, id int64) (*Campaign, error) {
	cond, err := s.campaignVisible(ctx, u)
	if err != nil {
		return nil, err
	}
	var c Campaign
	var filters string
	var created int64
	err = s.r.QueryRowContext(ctx, `SELECT cp.id, cp.name, cp.language, cp.subject, cp.body, cp.filters, cp.no_email, cp.created_by, u.name, cp.created_at
		FROM campaigns cp JOIN users u ON u.id = cp.created_by WHERE cp.id = ? AND `+cond, id).Scan(
		&c.ID, &c.Name, &c.Language, &c.Subject, &c.Body, &filters, &c.NoEmail, &c.CreatedBy.ID, &c.CreatedBy.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: campaign %d: %w", id, err)
	}
	_ = json.Unmarshal([]byte(filters), &c.Filters)
	c.CreatedAt = time.Unix(created, 0).UTC()
	c.Counts = map[string]int{OutboxQueued: 0, OutboxSent: 0, OutboxFailed: 0, OutboxUnsubscribed: 0}
	rows, err := s.r.QueryContext(ctx, `SELECT status, count(*) FROM outbox WHERE campaign_id = ? GROUP BY status`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		if st == OutboxSending {
			st = OutboxQueued
		}
		c.Counts[st] += n
	}
	return &c, rows.Err()
}

// CampaignLog lists a visible campaign's recipients and what happened.
func (s *Store) CampaignLog(ctx context.Context, u *User, id int64) ([]CampaignRecipient, error) {
	if _, err := s.Campaign(ctx, u, id); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT o.address, COALESCE(ct.name, ''), COALESCE(c.id, 0), COALESCE(c.name, ''), o.status, o.attempts, o.last_error, o.sent_at
		FROM outbox o LEFT JOIN contacts ct ON ct.id = o.contact_id LEFT JOIN customers c ON c.id = ct.customer_id
		WHERE o.campaign_id = ? ORDER BY o.id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: campaign log %d: %w", id, err)
	}
	defer rows.Close()
	out := []CampaignRecipient{}
	for rows.Next() {
		var r CampaignRecipient
		var sent sql.NullInt64
		if err := rows.Scan(&r.Address, &r.Contact, &r.Customer.ID, &r.Customer.Name, &r.Status, &r.Attempts, &r.LastError, &sent); err != nil {
			return nil, err
		}
		r.SentAt = nullTime(sent)
		out = append(out, r)
	}
	return out, rows.Err()
}
