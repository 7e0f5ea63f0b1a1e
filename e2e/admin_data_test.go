package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tidecrm/tide/store"
)

// TestAdminData_WebhookAuditBackupPages registers a webhook through the
// form (the secret shows once), finds the change in the audit log, sees a
// stored backup and has an image refused as a restore file — in Chinese,
// at desktop and phone widths.
func TestAdminData_WebhookAuditBackupPages(t *testing.T) {
	srv := startServer(t)
	token := srv.asAdmin(t)
	srv.api(t, token, http.MethodPost, "/api/v1/customers", map[string]any{"name": "杭州潮汐贸易有限公司", "phone": "13912345678"}, http.StatusCreated, nil)
	var c struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	srv.api(t, token, http.MethodPost, "/api/v1/customers", map[string]any{"name": "苏州审计演示有限公司"}, http.StatusCreated, &c)
	srv.api(t, token, http.MethodPatch, "/api/v1/customers/"+strconv.FormatInt(c.ID, 10), map[string]any{"version": c.Version, "industry": "制造业", "level": "A"}, http.StatusOK, nil)
	backups := filepath.Join(srv.DataDir, "backups")
	if err := os.MkdirAll(backups, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := store.BackupFile(context.Background(), filepath.Join(srv.DataDir, store.FileName), filepath.Join(backups, "tide-20260301-020000.db.gz"), true); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(t.TempDir(), "照片.png")
	if err := os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR not a database"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, width := range []int{1280, 375} {
		ctx := newBrowser(t, width, 900)
		login(t, ctx, srv.URL, adminUser, adminPassword)
		suffix := map[int]string{1280: "desktop", 375: "375"}[width]

		navigate(t, ctx, srv.URL+"/admin/webhooks")
		if width == 1280 {
			do(t, ctx,
				fill("#webhook_url", "https://hooks.example.com/tide"),
				chromedp.Click(chromedp.CSS(`input[name="event_customer.claimed"]`)),
				chromedp.Click(chromedp.CSS(`input[name="event_opportunity.won"]`)),
				clickAndWait(`form[action="/admin/webhooks"] button[type=submit]`),
			)
			if !strings.Contains(text(t, ctx, ".alert-success"), "whsec_") {
				t.Fatal("the new webhook's secret is not shown")
			}
		}
		wantText(t, ctx, ".webhook-list", "https://hooks.example.com/tide")
		screenshot(t, ctx, "admin-webhooks-"+suffix)

		navigate(t, ctx, srv.URL+"/admin/audit?entity=customer")
		wantText(t, ctx, ".audit-table", "制造业")
		screenshot(t, ctx, "admin-audit-"+suffix)

		navigate(t, ctx, srv.URL+"/admin/backups")
		wantText(t, ctx, "main", "tide-20260301-020000.db.gz")
		if width == 1280 {
			do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(`#restore_file`), []string{png}))
			do(t, ctx, clickConfirmAndWait(`form[action="/admin/backups/restore"] button[type=submit]`))
			wantText(t, ctx, ".alert-danger", "这不是潮汐的备份文件")
		}
		screenshot(t, ctx, "admin-backups-"+suffix)
	}
}
