package app

import (
	"context"
	"net/http"
	"testing"

	"github.com/tidecrm/tide/scheduler"
)

func TestRunJobByHand_RecordedUnderTheSchedulersName(t *testing.T) {
	e := newSetUpEnv(t, nil)
	admin := e.apiAs(t, "admin")
	for path, want := range map[string]struct{ job, detail string }{
		"/api/v1/admin/jobs/recycle":   {recycleJobName, "0 recycled, 0 warned (run by hand)"},
		"/api/v1/admin/jobs/reminders": {scheduler.ReminderJobName, "0 reminders (0 late), 0 follow-ups due (run by hand)"},
	} {
		admin.do(http.MethodPost, path, nil).wantStatus(t, http.StatusOK)
		run, err := e.st.LastJobRun(context.Background(), want.job)
		if err != nil || run == nil || run.OK == nil || !*run.OK || run.FinishedAt == nil || run.Detail != want.detail {
			t.Fatalf("%s: run %+v, %v", path, run, err)
		}
	}
}
