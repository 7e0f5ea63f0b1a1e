package app

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidecrm/tide/store"
)

func TestAdminDataPages_RenderInChineseAndAreAdminOnly(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("boss", store.RoleAdmin, "zh-CN", nil)
	e.user("sam", store.RoleSales, "zh-CN", nil)
	b := e.loggedIn("boss", "")
	b.get("/admin/backups").wantStatus(t, http.StatusOK).wantContains(t, "备份与恢复", "下载备份", "每天 02:00，保留最近 14 份", "还没有自动备份")
	b.get("/admin/audit").wantStatus(t, http.StatusOK).wantContains(t, "操作日志", "登录", "导出 Excel")
	b.get("/admin/webhooks").wantStatus(t, http.StatusOK).wantContains(t, "Webhook 推送", "客户被领取")
	b.get("/admin").wantContains(t, `href="/admin/backups"`, "备份与恢复")
	s := e.loggedIn("sam", "")
	for _, p := range []string{"/admin/backups", "/admin/audit", "/admin/webhooks", "/admin/backups/download"} {
		if r := s.get(p); r.StatusCode != http.StatusForbidden {
			t.Fatalf("sales got %s: %d", p, r.StatusCode)
		}
	}
	if strings.Contains(s.get("/").body, "数据与集成") {
		t.Fatal("sales sees the admin nav item")
	}
}

func TestAdminBackups_StoredListDownloadDelete(t *testing.T) {
	e := newSetUpEnv(t, nil)
	b := e.loggedIn("admin", "")
	dir := e.cfg.BackupDir()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	name := "tide-20260301-020000.db"
	if err := e.st.Backup(context.Background(), filepath.Join(dir, name), false); err != nil {
		t.Fatal(err)
	}
	b.get("/admin/backups").wantStatus(t, http.StatusOK).wantContains(t, name, "KB")
	r := b.get("/admin/backups/file/"+name).wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(r.body, "SQLite format 3") {
		t.Fatal("stored backup download is not the file")
	}
	b.get("/admin/backups/file/..%2Ftide.db").wantStatus(t, http.StatusNotFound)
	b.form("/admin/backups/file/"+name+"/delete", url.Values{}).wantRedirect(t, "/admin/backups")
	if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
		t.Fatal("backup not deleted")
	}
}

func TestAdminRestore_RefusesBadFilesAndHandsOverGoodOne(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("boss", store.RoleAdmin, "zh-CN", nil)
	b := e.loggedIn("boss", "")
	b.get("/admin/backups").wantContains(t, "请停止服务后在服务器上执行 tide restore")
	requests := e.srv.RestoreRequests() // what cli.Run listens on
	b.get("/admin/backups")
	good := filepath.Join(t.TempDir(), "good.db")
	if err := e.st.Backup(context.Background(), good, true); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	for name, data := range map[string][]byte{
		"photo.png": []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"half.db":   []byte("SQLite format 3\x00" + strings.Repeat("\x00", 100)),
	} {
		r := b.upload("/admin/backups/restore", name, data, nil)
		r.wantStatus(t, http.StatusBadRequest).wantContains(t, "数据库没有改动")
	}
	select {
	case req := <-requests:
		t.Fatalf("a refused file was handed over: %+v", req)
	default:
	}
	b.upload("/admin/backups/restore", "tide-backup.db.gz", raw, nil).wantStatus(t, http.StatusOK).wantContains(t, "正在恢复数据", "tide-backup.db.gz")
	select {
	case req := <-requests:
		defer os.Remove(req.Path)
		if req.Name != "tide-backup.db.gz" || req.UserID == 0 {
			t.Fatalf("request %+v", req)
		}
		if _, v, err := store.ValidateBackup(context.Background(), req.Path); err != nil || v == 0 {
			t.Fatalf("handed-over file: %v", err)
		}
	default:
		t.Fatal("the good file was not handed over")
	}
}

func TestAdminWebhooks_CreateShowsSecretOnceAndRefusesLoops(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("boss", store.RoleAdmin, "zh-CN", nil)
	e.st.Self = func() []string { return []string{"127.0.0.1:8080"} }
	b := e.loggedIn("boss", "")
	b.get("/admin/webhooks")
	r := b.form("/admin/webhooks", url.Values{"url": {"http://localhost:8080/hook"}, "event_customer.created": {"1"}})
	r.wantStatus(t, http.StatusBadRequest).wantContains(t, "不能推送到潮汐自己的地址", `value="http://localhost:8080/hook"`)
	r = b.form("/admin/webhooks", url.Values{"url": {"https://hooks.example.com/x"}})
	r.wantStatus(t, http.StatusBadRequest).wantContains(t, "请至少选择一个事件")
	r = b.form("/admin/webhooks", url.Values{"url": {"https://hooks.example.com/x"}, "event_customer.claimed": {"1"}})
	r.wantStatus(t, http.StatusCreated).wantContains(t, "签名密钥只显示这一次", "whsec_")
	page := b.get("/admin/webhooks").wantStatus(t, http.StatusOK).wantContains(t, "https://hooks.example.com/x", "已启用")
	if strings.Contains(page.body, "whsec_") {
		t.Fatal("the secret is shown again")
	}
	b.form("/admin/webhooks/1/test", url.Values{}).wantRedirect(t, "/admin/webhooks")
	b.form("/admin/webhooks/1/enabled", url.Values{"enabled": {"0"}}).wantRedirect(t, "/admin/webhooks")
	b.get("/admin/webhooks").wantContains(t, "已停用")
	b.get("/admin/webhooks/1").wantStatus(t, http.StatusOK).wantContains(t, "推送记录")
}

func TestAdminAudit_FiltersAndExports(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("boss", store.RoleAdmin, "zh-CN", nil)
	b := e.loggedIn("boss", "")
	e.api("admin").do(http.MethodPost, "/api/v1/departments", map[string]any{"name": "华南大区"}).wantStatus(t, http.StatusCreated)
	b.get("/admin/audit?entity=department").wantStatus(t, http.StatusOK).wantContains(t, "华南大区", "新建")
	b.get("/admin/audit?from=2026-13-45").wantStatus(t, http.StatusBadRequest).wantContains(t, "请输入日期")
	csv := b.get("/admin/audit/export?format=csv&entity=department").wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(csv.body, "\uFEFF时间,操作人") || !strings.Contains(csv.body, "华南大区") {
		t.Fatalf("csv export: %.300s", csv.body)
	}
	x := b.get("/admin/audit/export?format=xlsx").wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(x.body, "PK") {
		t.Fatal("xlsx export is not a zip")
	}
	exports := e.api("admin").get("/api/v1/audit?entity=audit&action=export").json(t)
	if exports["total"].(float64) != 2 {
		t.Fatalf("exports audited %v times", exports["total"])
	}
}
