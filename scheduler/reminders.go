package scheduler

import (
	"context"
	"time"

	"github.com/tidecrm/tide/store"
)

// ReminderJobName is the reminder job's name in job_runs and on the
// admin jobs page; a run started by hand is recorded under it too.
const ReminderJobName = "task_reminders"

// ReminderJob writes due task reminders and follow-up-due notices every
// interval (config reminders.interval). It also runs at start-up, so
// reminders that fell due while the server was down go out then, marked
// late.
func (s *Scheduler) ReminderJob(every time.Duration) Job {
	return Job{Name: ReminderJobName, Every: every, RunAtStart: true, Run: func(ctx context.Context) (store.Msg, error) {
		res, err := s.store.SendDueReminders(ctx, every)
		return res.Msg(), err
	}}
}
