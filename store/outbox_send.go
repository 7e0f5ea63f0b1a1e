package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tidecrm/tide/mail"
)

// leaseFor is how long a claim holds a row. It is far longer than one SMTP
// conversation (mail.Timeout), so a lease runs out only when the process
// that claimed the row stopped before it could record the outcome.
const leaseFor = 5 * time.Minute

// interrupted is the last_error of a row whose sender died mid-send.
const interrupted = "interrupted"

// SendResult summarises one pass of the sender.
type SendResult struct {
	Sent, Retrying, Failed, Unsubscribed, Interrupted, Waiting int
	NotConfigured                                              bool
	LastError                                                  string
}

// SendDueMail sends what is due in the outbox (发送队列), one row at a time:
// claim (status sending, a lease, attempts+1) in one transaction, talk to
// the SMTP server outside any transaction, record the outcome in another.
// Two passes at once — overlapping ticks, or two processes — never claim
// the same row, because a claim is a conditional update on the single
// writer.
//
// Delivery is at most once. If the process dies after the server accepted
// a message but before the row was marked sent, the row stays "sending";
// when its lease runs out the next pass marks it failed ("interrupted",
// shown among the recent failures with a retry button) instead of sending
// it again, because Tide cannot know whether it left. A normal shutdown
// never leaves such rows: a send in progress finishes (bounded by
// mail.Timeout) and is recorded before the pass stops, and rows not yet
// claimed are simply sent by the next pass, after a restart marked late.
//
// A row sent more than two intervals after it fell due is marked late. A
// temporary failure is retried with exponential back-off (1, 2, 4, 8 min)
// up to MaxAttempts; a permanent one (5xx at RCPT: the address bounced)
// fails at once with the server's reply. Contacts who unsubscribed are
// skipped here too, not only when queued.
func (s *Store) SendDueMail(ctx context.Context) (SendResult, error) {
	var res SendResult
	n, err := s.reapInterrupted(ctx)
	res.Interrupted = n
	if err != nil {
		return res, err
	}
	st, err := s.SMTPSettings(ctx)
	if err != nil {
		return res, err
	}
	if !st.Configured() {
		res.NotConfigured = true
		err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE status = 'queued'`).Scan(&res.Waiting)
		return res, err
	}
	for budget := s.sendBudget(); budget > 0 && ctx.Err() == nil; {
		item, err := s.claimNext(ctx)
		if err != nil || item == nil {
			return res, err
		}
		if item.skipped {
			res.Unsubscribed++
			continue
		}
		budget--
		// The conversation is not cut short by shutdown: once the server
		// may have the message, the outcome must be recorded.
		sendErr := mail.Send(context.WithoutCancel(ctx), st, item.message(s.Mail.BaseURL))
		if err := s.recordSend(context.WithoutCancel(ctx), item, sendErr, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// sendBudget is how many emails one pass may send: the rate times the
// interval, so a campaign trickles out at smtp.rate_per_minute.
func (s *Store) sendBudget() int {
	if s.Mail.RatePerMinute <= 0 {
		return 1000
	}
	every := max(s.Mail.Interval, time.Minute)
	return max(1, int(float64(s.Mail.RatePerMinute)*every.Minutes()))
}

// claimed is an outbox row the current pass holds.
type claimed struct {
	id, createdAt, contactID int64
	address, subject         string
	text, html, kind         string
	attempts                 int
	unsubURL                 string
	skipped                  bool
}

// claimNext takes the next due row: reminders before campaign mail, then
// oldest first.
func (s *Store) claimNext(ctx context.Context) (*claimed, error) {
	var c *claimed
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		var it claimed
		var contact sql.NullInt64
		var due int64
		err := tx.QueryRowContext(ctx, `SELECT id, created_at, contact_id, address, subject, body_text, body_html, kind, attempts, due_at
			FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?
			ORDER BY campaign_id IS NOT NULL, next_attempt_at, id LIMIT 1`, now).Scan(
			&it.id, &it.createdAt, &contact, &it.address, &it.subject, &it.text, &it.html, &it.kind, &it.attempts, &due)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: claim outbox: %w", err)
		}
		it.contactID = contact.Int64
		c = &it
		if unsubscribable(it.kind) {
			gone, err := isUnsubscribed(ctx, tx, it.address)
			if err != nil {
				return err
			}
			if gone {
				it.skipped = true
				_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'unsubscribed' WHERE id = ?`, it.id)
				return err
			}
			if it.unsubURL, err = s.unsubscribeURL(ctx, tx, it.contactID, it.address); err != nil {
				return err
			}
		}
		late := now-due > int64(s.lateAfter()/time.Second)
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'sending', lease_until = ?, attempts = attempts + 1, late = late OR ?
			WHERE id = ? AND status = 'queued'`, now+int64(leaseFor/time.Second), late, it.id)
		it.attempts++
		return err
	})
	return c, err
}

func (s *Store) lateAfter() time.Duration { return max(2*s.Mail.Interval, 2*time.Minute) }

// message is the claimed row as an email, links made absolute.
func (c *claimed) message(baseURL string) mail.Message {
	fill := strings.NewReplacer(markBase, strings.TrimRight(baseURL, "/"), markUnsubscribe, c.unsubURL)
	m := mail.Message{To: c.address, Subject: c.subject, Text: fill.Replace(c.text), HTML: fill.Replace(c.html),
		MessageID: fmt.Sprintf("tide-%d-%d@%s", c.id, c.createdAt, hostOf(baseURL))}
	if c.unsubURL != "" {
		m.Headers = map[string]string{"List-Unsubscribe": "<" + c.unsubURL + ">"}
	}
	return m
}

func hostOf(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "tide.local"
}

// recordSend stores the outcome of one attempt.
func (s *Store) recordSend(ctx context.Context, c *claimed, sendErr error, res *SendResult) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		if sendErr == nil {
			res.Sent++
			_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, lease_until = NULL, last_error = '' WHERE id = ?`, now, c.id)
			return err
		}
		msg := sendErr.Error()
		res.LastError = msg
		if mail.IsPermanent(sendErr) || c.attempts >= MaxAttempts {
			res.Failed++
			_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = ? WHERE id = ?`, msg, c.id)
			return err
		}
		res.Retrying++
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'queued', lease_until = NULL, last_error = ?, next_attempt_at = ? WHERE id = ?`,
			msg, now+int64(backoff(c.attempts)/time.Second), c.id)
		return err
	})
}

// backoff is the wait before attempt n+1: 1, 2, 4, 8 … minutes, at most an hour.
func backoff(attempts int) time.Duration {
	d := time.Minute << min(max(attempts-1, 0), 6)
	return min(d, time.Hour)
}

// reapInterrupted fails the rows whose sender stopped mid-send (lease run
// out): see SendDueMail for why they are not sent again automatically.
func (s *Store) reapInterrupted(ctx context.Context) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = ?
			WHERE status = 'sending' AND lease_until <= ?`, interrupted, s.now().Unix())
		if err != nil {
			return fmt.Errorf("store: reap outbox: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
