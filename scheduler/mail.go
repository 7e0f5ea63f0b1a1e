package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/tidecrm/tide/store"
)

// MailJobs are the email jobs: the outbox sender, every interval and at
// start-up (what fell due while the server was down goes out at once,
// marked late); and the morning pass — birthday reminders and daily
// digests — every 15 minutes, which acts for each user once their own
// local morning hour has come.
func (s *Scheduler) MailJobs(every time.Duration) []Job {
	return []Job{
		{Name: "mail_send", Every: every, RunAtStart: true, Run: func(ctx context.Context) (store.Msg, error) {
			res, err := s.store.SendDueMail(ctx)
			return mailSendResult(res, err)
		}},
		{Name: "mail_morning", Every: 15 * time.Minute, RunAtStart: true, Run: func(ctx context.Context) (store.Msg, error) {
			b, err := s.store.RemindBirthdays(ctx)
			if err != nil {
				return store.Msg{}, err
			}
			n, err := s.store.SendDigests(ctx)
			return store.M("jobrun.mail_morning", "Birthdays", b.Reminded, "Greetings", b.Greeted, "Digests", n), err
		}},
	}
}

// mailSendResult is a sender pass as a job result. A pass in which mail
// failed or was interrupted is recorded as a failed run (so the jobs page
// shows it) whose reason is the last SMTP error as the server wrote it.
func mailSendResult(res store.SendResult, err error) (store.Msg, error) {
	summary := res.Msg()
	if err == nil && res.Failed+res.Interrupted > 0 {
		reason := res.LastError
		if reason == "" {
			reason = "interrupted"
		}
		return summary, errors.New(reason)
	}
	if res.LastError != "" {
		summary = store.M("jobrun.last_error", "Summary", summary, "Err", res.LastError)
	}
	return summary, err
}

// AddMail registers the email jobs.
func (s *Scheduler) AddMail(every time.Duration) error {
	for _, j := range s.MailJobs(every) {
		if err := s.Add(j); err != nil {
			return err
		}
	}
	return nil
}
