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

// Birthday greetings (生日祝福): the admin's templates in both languages,
// the tags whose customers' contacts are greeted automatically, and the
// one-click greeting from a contact.

// settingGreetingAutoTags holds the tag names (comma-separated) whose
// customers' contacts get the greeting without anyone clicking.
const settingGreetingAutoTags = "greeting_auto_tags"

func greetingKey(part, lang string) string { return "greeting_" + part + "." + lang }

// defaultGreetings are used until the admin saves their own.
var defaultGreetings = map[string][2]string{
	"zh-CN": {"{{.ContactName}}，生日快乐！", "亲爱的{{.ContactName}}：\n\n值此生日之际，{{.CompanyName}}全体同仁祝您生日快乐，身体健康，万事如意！\n\n{{.OwnerName}}"},
	"en":    {"Happy birthday, {{.ContactName}}!", "Dear {{.ContactName}},\n\nEveryone at {{.CompanyName}} wishes you a very happy birthday and a wonderful year ahead.\n\nBest regards,\n{{.OwnerName}}"},
}

// GreetingSettings are the birthday greeting templates, by language, and
// the tags that turn on automatic sending.
type GreetingSettings struct {
	Subject  map[string]string `json:"subject"`
	Body     map[string]string `json:"body"`
	AutoTags []string          `json:"auto_tags"`
}

// GreetingSettings returns the templates in force.
func (s *Store) GreetingSettings(ctx context.Context) (*GreetingSettings, error) {
	g := &GreetingSettings{Subject: map[string]string{}, Body: map[string]string{}}
	for _, lang := range i18n.Languages {
		var err error
		if g.Subject[lang], err = s.Setting(ctx, greetingKey("subject", lang), defaultGreetings[lang][0]); err != nil {
			return nil, err
		}
		if g.Body[lang], err = s.Setting(ctx, greetingKey("body", lang), defaultGreetings[lang][1]); err != nil {
			return nil, err
		}
	}
	tags, err := s.Setting(ctx, settingGreetingAutoTags, "")
	g.AutoTags = splitList(tags)
	return g, err
}

// SaveGreetingSettings stores the admin's templates. A template with a
// placeholder Tide does not know is refused beside its field
// (subject_zh-CN, body_en …), naming the placeholder.
func (s *Store) SaveGreetingSettings(ctx context.Context, actor *User, in GreetingSettings) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	fe := fieldErrors{}
	for _, lang := range i18n.Languages {
		checkTemplate(fe, "subject_"+lang, in.Subject[lang])
		checkTemplate(fe, "body_"+lang, in.Body[lang])
	}
	for _, t := range in.AutoTags {
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM tags WHERE name = ?`, t).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			fe.add("auto_tags", "mail.err.tag", "Tag", t)
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		before, err := settingsSnapshot(ctx, tx, greetingKeys()...)
		if err != nil {
			return err
		}
		for _, lang := range i18n.Languages {
			if err := putSetting(ctx, tx, greetingKey("subject", lang), in.Subject[lang]); err != nil {
				return err
			}
			if err := putSetting(ctx, tx, greetingKey("body", lang), in.Body[lang]); err != nil {
				return err
			}
		}
		if err := putSetting(ctx, tx, settingGreetingAutoTags, strings.Join(in.AutoTags, ",")); err != nil {
			return err
		}
		after, err := settingsSnapshot(ctx, tx, greetingKeys()...)
		if err != nil {
			return err
		}
		return auditChanges(ctx, tx, s.now().Unix(), AuditEntry{Action: AuditUpdate, Entity: "greeting_settings", ActorID: actor.ID}, before, after)
	})
}

// greetingKeys are the settings SaveGreetingSettings writes.
func greetingKeys() []string {
	keys := []string{settingGreetingAutoTags}
	for _, lang := range i18n.Languages {
		keys = append(keys, greetingKey("subject", lang), greetingKey("body", lang))
	}
	return keys
}

// greetingTarget is a contact to greet and who they are to us.
type greetingTarget struct {
	contactID, customerID, ownerID int64
	contact, customer, owner       string
	email                          string
}

// QueueGreeting queues the birthday greeting to a contact now (the
// one-click "send greeting" button). Refused when the contact has no
// email, unsubscribed, or was already greeted this year.
func (s *Store) QueueGreeting(ctx context.Context, actor *User, contactID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := s.contactForEdit(ctx, tx, actor, contactID)
		if err != nil {
			return err
		}
		if c.Email == "" {
			return &Error{Code: CodeInvalid, Msg: M("mail.err.contact_no_email", "Name", c.Name)}
		}
		if gone, err := isUnsubscribed(ctx, tx, c.Email); err != nil || gone {
			if err != nil {
				return err
			}
			return &Error{Code: CodeConflict, Msg: M("mail.err.contact_unsubscribed", "Name", c.Name)}
		}
		t, err := greetingTargetOf(ctx, tx, contactID)
		if err != nil {
			return err
		}
		year := s.now().In(s.Location).Year()
		queued, err := s.enqueueGreeting(ctx, tx, t, year, actor.ID)
		if err != nil {
			return err
		}
		if !queued {
			return &Error{Code: CodeConflict, Msg: M("mail.err.greeting_already", "Name", c.Name)}
		}
		return nil
	})
}

func greetingTargetOf(ctx context.Context, q querier, contactID int64) (*greetingTarget, error) {
	var t greetingTarget
	var owner sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT ct.id, c.id, c.owner_id, ct.name, c.name, COALESCE(u.name, ''), ct.email
		FROM contacts ct JOIN customers c ON c.id = ct.customer_id LEFT JOIN users u ON u.id = c.owner_id
		WHERE ct.id = ?`, contactID).Scan(&t.contactID, &t.customerID, &owner, &t.contact, &t.customer, &t.owner, &t.email)
	if err != nil {
		return nil, fmt.Errorf("store: greeting target %d: %w", contactID, err)
	}
	t.ownerID = owner.Int64
	return &t, nil
}

// enqueueGreeting renders the greeting in the company language and queues
// it, at most once per contact and year.
func (s *Store) enqueueGreeting(ctx context.Context, tx *sql.Tx, t *greetingTarget, year int, by int64) (bool, error) {
	g, err := s.GreetingSettings(ctx)
	if err != nil {
		return false, err
	}
	lang := companyLanguage(ctx, tx)
	company, _ := s.Setting(ctx, SettingCompanyName, "")
	d := TemplateData{ContactName: t.contact, CustomerName: t.customer, CompanyName: company, OwnerName: t.owner}
	subject, body := fillTemplate(g.Subject[lang], d), fillTemplate(g.Body[lang], d)
	o := outboxRow{ContactID: t.contactID, CreatedBy: by, Address: t.email, Language: lang, Subject: subject, Kind: "greeting",
		DedupKey: fmt.Sprintf("greeting:%d:%d", t.contactID, year), Link: customerLink(t.customerID)}
	o.Text, o.HTML = mail.Render(contactBody(i18n.For(lang), body))
	return enqueue(ctx, tx, o, s.now().Unix())
}

// contactBody frames mail to a customer's contact: the text as written,
// and the unsubscribe link every such email carries.
func contactBody(l *i18n.Localizer, body string) mail.Body {
	return mail.Body{Lang: l.Lang, Paragraphs: strings.Split(strings.TrimSpace(body), "\n\n"),
		Footer: []string{l.T("mail.unsubscribe_footer") + " " + markUnsubscribe}}
}

// BirthdayResult summarises one birthday pass.
type BirthdayResult struct {
	Reminded, Greeted int
}

// RemindBirthdays tells each owner, from their morning hour in their own
// time zone, whose contacts have a birthday today (a birthday
// notification linking to the customer), and queues the greeting for
// customers carrying an automatic-greeting tag. Run it often (the job runs
// every 15 minutes): dedup keys make each reminder and greeting happen
// once per contact and year, and a pass after downtime catches up the
// same day. 29 February birthdays are remembered on 28 February in other
// years.
func (s *Store) RemindBirthdays(ctx context.Context) (BirthdayResult, error) {
	var res BirthdayResult
	users, err := s.morningUsers(ctx, s.Mail.BirthdayHour, 24)
	if err != nil {
		return res, err
	}
	g, err := s.GreetingSettings(ctx)
	if err != nil {
		return res, err
	}
	for _, u := range users {
		r, a, err := s.birthdaysOf(ctx, u, g.AutoTags)
		res.Reminded, res.Greeted = res.Reminded+r, res.Greeted+a
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// morningUser is an active user whose local clock has passed an hour.
type morningUser struct {
	id    int64
	local time.Time
}

// morningUsers lists active users whose local time today is at or past
// hour and before until.
func (s *Store) morningUsers(ctx context.Context, hour, until int) ([]morningUser, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, time_zone FROM users WHERE active = 1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: morning users: %w", err)
	}
	defer rows.Close()
	var out []morningUser
	for rows.Next() {
		var id int64
		var tz string
		if err := rows.Scan(&id, &tz); err != nil {
			return nil, err
		}
		local := s.now().In(s.zoneOf(tz))
		if local.Hour() >= hour && local.Hour() < until {
			out = append(out, morningUser{id: id, local: local})
		}
	}
	return out, rows.Err()
}

// birthdaysOf reminds one owner of today's birthdays.
func (s *Store) birthdaysOf(ctx context.Context, u morningUser, autoTags []string) (reminded, greeted int, err error) {
	days := []string{u.local.Format("01-02")}
	if days[0] == "02-28" && !isLeap(u.local.Year()) {
		days = append(days, "02-29")
	}
	tagMarks := "''"
	var args []any
	if len(autoTags) > 0 {
		tagMarks = strings.TrimSuffix(strings.Repeat("?,", len(autoTags)), ",")
		for _, t := range autoTags {
			args = append(args, t)
		}
	}
	args = append(args, u.id, days[0], days[len(days)-1])
	rows, err := s.r.QueryContext(ctx, `SELECT ct.id, c.id, ct.name, c.name, ct.email,
			EXISTS (SELECT 1 FROM customer_tags x JOIN tags t ON t.id = x.tag_id WHERE x.customer_id = c.id AND t.name IN (`+tagMarks+`))
		FROM customers c JOIN contacts ct ON ct.customer_id = c.id
		WHERE c.owner_id = ? AND c.deleted_at IS NULL AND ct.birthday != '' AND substr(ct.birthday, 6) IN (?, ?)
		ORDER BY ct.id`, args...)
	if err != nil {
		return 0, 0, fmt.Errorf("store: birthdays of %d: %w", u.id, err)
	}
	type hit struct {
		t    greetingTarget
		auto bool
	}
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.t.contactID, &h.t.customerID, &h.t.contact, &h.t.customer, &h.t.email, &h.auto); err != nil {
			rows.Close()
			return 0, 0, err
		}
		hits = append(hits, h)
	}
	rows.Close()
	if len(hits) == 0 {
		return 0, 0, rows.Err()
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		owner := userName(ctx, tx, u.id)
		for _, h := range hits {
			h.t.ownerID, h.t.owner = u.id, owner
			if err := notify(ctx, tx, Notification{UserID: u.id, Kind: "birthday", TitleKey: "notify.birthday",
				Args: map[string]any{"Contact": h.t.contact, "Customer": h.t.customer}, Link: customerLink(h.t.customerID),
				DedupKey: fmt.Sprintf("birthday:%d:%d", h.t.contactID, u.local.Year())}, now); err != nil {
				return err
			}
			reminded++
			if !h.auto || h.t.email == "" {
				continue
			}
			if gone, err := isUnsubscribed(ctx, tx, h.t.email); err != nil || gone {
				if err != nil {
					return err
				}
				continue
			}
			if ok, err := s.enqueueGreeting(ctx, tx, &h.t, u.local.Year(), 0); err != nil {
				return err
			} else if ok {
				greeted++
			}
		}
		return nil
	})
	return reminded, greeted, err
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
