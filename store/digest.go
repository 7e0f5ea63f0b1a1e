package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/mail"
)

// Daily digest (每日摘要): one email each morning per user who asked for
// it, with their day: today's tasks, overdue tasks, follow-ups due, and
// customers about to drop back to the pool.

// DigestItem is one line of a digest section.
type DigestItem struct {
	Title string
	At    time.Time
	Link  string
}

// Digest is one user's day.
type Digest struct {
	Today, Overdue, Followups, Recycling []DigestItem
}

// Empty reports whether there is nothing to tell.
func (d *Digest) Empty() bool {
	return len(d.Today)+len(d.Overdue)+len(d.Followups)+len(d.Recycling) == 0
}

// DigestFor gathers user id's day as seen at local (their time zone).
func (s *Store) DigestFor(ctx context.Context, userID int64, local time.Time) (*Digest, error) {
	start := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, local.Location())
	end := start.AddDate(0, 0, 1)
	d := &Digest{}
	var err error
	const taskQ = `SELECT title, due_at, COALESCE('/customers/' || customer_id, '') FROM tasks
		WHERE assignee_id = ? AND done_at IS NULL AND due_at >= ? AND due_at < ? ORDER BY due_at, id LIMIT 50`
	if d.Today, err = digestItems(ctx, s, taskQ, userID, start.Unix(), end.Unix()); err != nil {
		return nil, err
	}
	if d.Overdue, err = digestItems(ctx, s, taskQ, userID, 0, start.Unix()); err != nil {
		return nil, err
	}
	if d.Followups, err = digestItems(ctx, s, `SELECT name, next_followup_at, '/customers/' || id FROM customers
		WHERE owner_id = ? AND deleted_at IS NULL AND next_followup_at IS NOT NULL AND next_followup_at >= ? AND next_followup_at < ?
		ORDER BY next_followup_at, id LIMIT 50`, userID, 0, end.Unix()); err != nil {
		return nil, err
	}
	d.Recycling, err = s.recyclingSoon(ctx, userID)
	return d, err
}

func digestItems(ctx context.Context, s *Store, q string, args ...any) ([]DigestItem, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: digest: %w", err)
	}
	defer rows.Close()
	var out []DigestItem
	for rows.Next() {
		var it DigestItem
		var at int64
		if err := rows.Scan(&it.Title, &at, &it.Link); err != nil {
			return nil, err
		}
		it.At = time.Unix(at, 0)
		out = append(out, it)
	}
	return out, rows.Err()
}

// recyclingSoon lists the user's customers that a pool rule will send back
// within that pool's warning window — the same rule and window as the
// recycle warnings (candidates + NextRecycle in pool_recycle.go).
func (s *Store) recyclingSoon(ctx context.Context, userID int64) ([]DigestItem, error) {
	pools, err := queryInt64s(ctx, s.r, `SELECT id FROM pools WHERE recycle_warn_days > 0 ORDER BY id`)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []DigestItem
	for _, pid := range pools {
		p, err := poolRules(ctx, s.r, pid)
		if err != nil {
			return nil, err
		}
		horizon := now.AddDate(0, 0, p.RecycleWarnDays)
		for _, levels := range p.levelGroups() {
			cands, err := s.candidates(ctx, s.r, p, levels, horizon, 50, " AND c.owner_id = ?", userID)
			if err != nil {
				return nil, err
			}
			for _, c := range cands {
				if due, ok := p.NextRecycle(c.facts); ok && !due.At.Before(now) && !due.At.After(horizon) {
					out = append(out, DigestItem{Title: c.name, At: due.At, Link: customerLink(c.id)})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// digestWindow is how many hours after reminders.digest_hour a digest may
// still go out, so a server that was down at that hour catches up in the
// morning rather than mailing "your day" in the evening.
const digestWindow = 4

// SendDigests queues today's digest for every user who opted in, has an
// address, and whose local time is within digestWindow hours after
// reminders.digest_hour. Once per user and local day (dedup key); a day
// with nothing to tell sends nothing.
func (s *Store) SendDigests(ctx context.Context) (int, error) {
	users, err := s.morningUsers(ctx, s.Mail.DigestHour, s.Mail.DigestHour+digestWindow)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, u := range users {
		r, err := mailRecipient(ctx, s.r, u.id)
		if err != nil {
			return queued, err
		}
		if r == nil || !r.Digest || r.Email == "" {
			continue
		}
		ok, err := s.queueDigest(ctx, u, r)
		if err != nil {
			return queued, err
		}
		if ok {
			queued++
		}
	}
	return queued, nil
}

func (s *Store) queueDigest(ctx context.Context, u morningUser, r *recipient) (bool, error) {
	key := fmt.Sprintf("digest:%d:%s", u.id, u.local.Format("2006-01-02"))
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE dedup_key = ?`, key).Scan(&n); err != nil || n > 0 {
		return false, err
	}
	d, err := s.DigestFor(ctx, u.id, u.local)
	if err != nil || d.Empty() {
		return false, err
	}
	l := i18n.For(r.Language)
	subject := l.T("mail.digest_subject", "Date", u.local.Format("2006-01-02"))
	o := outboxRow{UserID: u.id, Address: r.Email, Language: l.Lang, Subject: subject, Kind: "digest", DedupKey: key, Link: "/today"}
	o.Text, o.HTML = mail.Render(mailBody(l, subject, digestParagraphs(l, d, u.local.Location()), "/today"))
	var queued bool
	err = s.tx(ctx, func(tx *sql.Tx) error {
		queued, err = enqueue(ctx, tx, o, s.now().Unix())
		return err
	})
	return queued, err
}

// digestParagraphs writes one paragraph per non-empty section.
func digestParagraphs(l *i18n.Localizer, d *Digest, zone *time.Location) []string {
	var out []string
	for _, sec := range []struct {
		key    string
		items  []DigestItem
		layout string
	}{{"mail.digest_today", d.Today, "15:04"}, {"mail.digest_overdue", d.Overdue, "2006-01-02 15:04"},
		{"mail.digest_followups", d.Followups, "2006-01-02"}, {"mail.digest_recycling", d.Recycling, "2006-01-02"}} {
		if len(sec.items) == 0 {
			continue
		}
		lines := []string{l.T(sec.key, "Count", len(sec.items))}
		for _, it := range sec.items {
			lines = append(lines, "· "+it.At.In(zone).Format(sec.layout)+"  "+it.Title)
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	return out
}
