package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
)

// listedJobs is the jobs page's list of jobs, without a running scheduler.
type listedJobs []scheduler.Info

func (l listedJobs) Jobs() []scheduler.Info { return l }

// A run's result is stored as a message and shown in each admin's own
// language; a failure keeps the raw error behind a translated label; a row
// written before (plain text) is shown as it is.
func TestJobsPage_ResultsInTheViewersLanguage(t *testing.T) {
	e := newEnvWithJobs(t, nil, listedJobs{
		{Name: "pool_recycle", Every: time.Hour}, {Name: scheduler.ReminderJobName, Every: time.Minute}, {Name: "session_cleanup", Every: time.Hour},
	})
	e.user("lin", store.RoleAdmin, "zh-CN", nil)
	e.user("amy", store.RoleAdmin, "en", nil)
	ctx := context.Background()

	zh := e.api("lin").do(http.MethodPost, "/api/v1/admin/jobs/recycle", nil).wantStatus(t, http.StatusOK).json(t)
	if zh["detail"] != "回收 0 个客户，提醒 0 个" {
		t.Errorf("run by hand answered %v", zh)
	}
	sched, err := scheduler.New(e.st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	failing := scheduler.Job{Name: scheduler.ReminderJobName, Every: time.Minute, Run: func(context.Context) (store.Msg, error) {
		return store.Msg{}, errors.New("disk I/O error")
	}}
	if _, err := sched.RunNow(ctx, failing); err == nil {
		t.Fatal("the failing job succeeded")
	}
	old, err := e.st.StartJobRun(ctx, "session_cleanup")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.FinishJobRun(ctx, old, true, "3 expired sessions removed"); err != nil {
		t.Fatal(err)
	}

	e.loggedIn("lin", "").get("/admin/jobs").wantStatus(t, http.StatusOK).
		wantContains(t, "回收 0 个客户，提醒 0 个（手动运行）", "失败：disk I/O error", "3 expired sessions removed").
		wantNotContains(t, "jobrun.", `{&#34;key`, "customers recycled")
	e.loggedIn("amy", "").get("/admin/jobs").wantStatus(t, http.StatusOK).
		wantContains(t, "0 customers recycled, 0 owners warned (run by hand)", "Failed: disk I/O error", "3 expired sessions removed").
		wantNotContains(t, "jobrun.", "回收")
}

// Details the code writes into the audit log are shown in the admin's
// language on the page, in the API and in the export; what users typed (a
// task's title) and older plain rows stay as they are. Changed fields are
// named by their label.
func TestAuditDetail_InTheViewersLanguage(t *testing.T) {
	e := newEnv(t, nil)
	lin := e.user("lin", store.RoleAdmin, "zh-CN", nil)
	e.user("amy", store.RoleAdmin, "en", nil)
	ctx := context.Background()
	title, kind := "上门拜访", "callback"
	due := time.Now().Add(time.Hour)
	task, err := e.st.CreateTask(ctx, lin, store.TaskInput{Title: &title, Kind: &kind, DueAt: &due})
	if err != nil {
		t.Fatal(err)
	}
	renamed := "电话回访"
	if _, err := e.st.UpdateTask(ctx, lin, task.ID, store.TaskInput{Title: &renamed, Version: &task.Version}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Audit(ctx, store.AuditEntry{Action: store.AuditExport, Entity: "customer", Detail: "legacy row (customer 12)"}); err != nil {
		t.Fatal(err)
	}
	want := pathf("上门拜访（负责人 #%d）", lin.ID)
	e.loggedIn("lin", "").get("/admin/audit?entity=task").wantStatus(t, http.StatusOK).
		wantContains(t, want, `title="title">标题</span>`).wantNotContains(t, "assignee", "audit.detail")
	e.loggedIn("amy", "").get("/admin/audit?entity=task").wantStatus(t, http.StatusOK).
		wantContains(t, pathf("上门拜访 (assignee #%d)", lin.ID), `title="title">Title</span>`).wantNotContains(t, "负责人", "audit.detail")
	e.loggedIn("lin", "").get("/admin/audit?entity=customer").wantStatus(t, http.StatusOK).wantContains(t, "legacy row (customer 12)")

	items, _ := e.api("lin").get("/api/v1/audit?entity=task").wantStatus(t, http.StatusOK).json(t)["items"].([]any)
	if len(items) != 2 || items[1].(map[string]any)["detail"] != want {
		t.Fatalf("API items %v", items)
	}
	e.loggedIn("lin", "").get("/admin/audit/export?format=csv&entity=task").wantStatus(t, http.StatusOK).wantContains(t, want)
}
