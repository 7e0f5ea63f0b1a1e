package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/tidecrm/tide/store"
)

// A reminder that fell due while the server was down is written when the
// scheduler starts, marked late, and recorded as a run of the job.
func TestReminderJob_CatchesUpAtStart(t *testing.T) {
	s, st := newTest(t)
	ctx := context.Background()
	now := time.Now()
	st.Now = func() time.Time { return now.Add(-3 * time.Hour) }
	name, pw, role := "li.na", "password1", store.RoleSales
	u, err := st.CreateUser(ctx, store.UserInput{Username: &name, Name: &name, Password: &pw, Role: &role})
	if err != nil {
		t.Fatal(err)
	}
	title, kind := "回访报价", "callback"
	due, remind := now.Add(-time.Hour), now.Add(-2*time.Hour)
	if _, err := st.CreateTask(ctx, u, store.TaskInput{Title: &title, Kind: &kind, DueAt: &due, RemindAt: &remind}); err != nil {
		t.Fatal(err)
	}
	st.Now = time.Now
	if err := s.Add(s.ReminderJob(10 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, _ := st.LastJobRun(ctx, ReminderJobName)
		if r != nil && r.FinishedAt != nil {
			if r.OK == nil || !*r.OK || r.Detail != (store.ReminderResult{Reminded: 1, Late: 1}).Msg().Encode() {
				t.Fatalf("start-up run: %+v", r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("reminder job did not run at start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	ns, err := st.Notifications(ctx, u, true, 10)
	if err != nil || len(ns) != 1 || ns[0].Kind != "task_reminder" {
		t.Fatalf("notifications after start: %+v %v", ns, err)
	}
}
