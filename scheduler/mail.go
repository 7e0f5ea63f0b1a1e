package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MailJobs are the email jobs: the outbox sender, every interval and at
// start-up (what fell due while the server was down goes out at once,
// marked late); and the morning pass — birthday reminders and daily
// digests — every 15 minutes, which acts for each user once their own
// local morning hour has come.
func (s *Scheduler) MailJobs(every time.Duration) []Job {
	return []Job{
		{Name: "mail_send", Every: every, RunAtStart: true, Run: func(ctx context.Context) (string, error) {
			res, err := s.store.SendDueMail(ctx)
			if err == nil && res.Failed+res.Interrupted > 0 {
				// Recorded as a failed run, so the jobs page shows it.
				err = errors.New(res.String())
			}
			return res.String(), err
		}},
		{Name: "mail_morning", Every: 15 * time.Minute, RunAtStart: true, Run: func(ctx context.Context) (string, error) {
			b, err := s.store.RemindBirthdays(ctx)
			if err != nil {
				return "", err
			}
			n, err := s.store.SendDigests(ctx)
			return fmt.Sprintf("%d birthday reminders, %d greetings queued, %d digests queued", b.Reminded, b.Greeted, n), err
		}},
	}
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
