package app

import (
	"context"
	"net/http"
	"testing"

	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
)

func TestRunJobByHand_RecordedUnderTheSchedulersName(t *testing.T) {
	e := newSetUpEnv(t, nil)
	admin := e.api("admin")
	for path, want := range map[string]struct {
		job     string
		summary store.Msg
		detail  string
	}{
		"/api/v1/admin/jobs/recycle":   {recycleJobName, store.RecycleResult{}.Msg(), "0 customers recycled, 0 owners warned"},
		"/api/v1/admin/jobs/reminders": {scheduler.ReminderJobName, store.ReminderResult{}.Msg(), "0 reminders (0 late), 0 follow-ups due"},
	} {
		body := admin.do(http.MethodPost, path, nil).wantStatus(t, http.StatusOK).json(t)
		sum, _ := body["summary"].(map[string]any)
		if body["detail"] != want.detail || sum["key"] != want.summary.Key {
			t.Errorf("%s answered %v", path, body)
		}
		run, err := e.st.LastJobRun(context.Background(), want.job)
		if err != nil || run == nil || run.OK == nil || !*run.OK || run.FinishedAt == nil || run.Detail != scheduler.ByHand(want.summary).Encode() {
			t.Fatalf("%s: run %+v, %v", path, run, err)
		}
	}
}
