package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestJobsAndAudit_DetailsInChinese runs the recycle job by hand and adds a
// task, then reads the jobs page and the audit log as the Chinese admin:
// the job results (scheduled and by hand) and the audit detail are Chinese
// sentences, no catalogue key or English summary shows — at desktop and
// phone widths.
func TestJobsAndAudit_DetailsInChinese(t *testing.T) {
	srv := startServer(t)
	token := srv.asAdmin(t)
	var run struct {
		Detail string `json:"detail"`
	}
	srv.api(t, token, http.MethodPost, "/api/v1/admin/jobs/recycle", nil, http.StatusOK, &run)
	if run.Detail != "回收 0 个客户，提醒 0 个" {
		t.Fatalf("run by hand answered %q", run.Detail)
	}
	srv.api(t, token, http.MethodPost, "/api/v1/tasks", map[string]any{"title": "回访杭州潮汐", "kind": "callback",
		"due_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}, http.StatusCreated, nil)

	for _, width := range []int{1280, 375} {
		ctx := newBrowser(t, width, 900)
		login(t, ctx, srv.URL, adminUser, adminPassword)
		suffix := map[int]string{1280: "desktop", 375: "375"}[width]

		navigate(t, ctx, srv.URL+"/admin/jobs")
		wantText(t, ctx, "main", "回收 0 个客户，提醒 0 个（手动运行）")
		page := text(t, ctx, "main")
		for _, bad := range []string{"jobrun.", "recycled", "sessions removed", `{"key"`} {
			if strings.Contains(page, bad) {
				t.Errorf("jobs page shows %q:\n%s", bad, page)
			}
		}
		shot(t, ctx, "jobs-results-"+suffix)

		navigate(t, ctx, srv.URL+"/admin/audit?entity=task")
		wantText(t, ctx, ".audit-table", "回访杭州潮汐（负责人 #")
		if page := text(t, ctx, ".audit-table"); strings.Contains(page, "assignee") || strings.Contains(page, "audit.detail") {
			t.Errorf("audit detail not translated:\n%s", page)
		}
		shot(t, ctx, "jobs-audit-"+suffix)
	}
}
