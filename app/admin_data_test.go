package app

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tidecrm/tide/store"
)

func TestAPIBackup_StreamsAVerifiedDatabase(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("sam", store.RoleSales, "en", nil)
	admin := e.api("admin")
	admin.do(http.MethodPost, "/api/v1/customers", map[string]any{"name": "备份测试有限公司"}).wantStatus(t, http.StatusCreated)
	r := admin.get("/api/v1/admin/backup").wantStatus(t, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Fatalf("content type %q", ct)
	}
	if !strings.HasPrefix(r.body, "SQLite format 3\x00") || !strings.Contains(r.Header.Get("Content-Disposition"), "tide-") {
		t.Fatalf("not a database download: %q %.20q", r.Header.Get("Content-Disposition"), r.body)
	}
	path := filepath.Join(t.TempDir(), "dl.db")
	if err := os.WriteFile(path, []byte(r.body), 0o600); err != nil {
		t.Fatal(err)
	}
	plain, v, err := store.ValidateBackup(context.Background(), path)
	if err != nil || v != store.KnownSchemaVersion() {
		t.Fatalf("downloaded backup: version %d, %v", v, err)
	}
	os.Remove(plain)
	entries, _ := os.ReadDir(e.cfg.Data.Dir)
	for _, en := range entries {
		if strings.HasPrefix(en.Name(), ".download-") {
			t.Fatalf("download left %s behind", en.Name())
		}
	}
	e.api("sam").get("/api/v1/admin/backup").wantAPIError(t, http.StatusForbidden, "forbidden")
	rows := admin.get("/api/v1/audit?action=backup_download").wantStatus(t, http.StatusOK).json(t)
	if rows["total"].(float64) != 1 {
		t.Fatalf("backup download audited %v times", rows["total"])
	}
}

func TestAPIAudit_RecordsChangesWithFiltersAndPaging(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("sam", store.RoleSales, "zh-CN", nil)
	sam := e.api("sam")
	c := sam.do(http.MethodPost, "/api/v1/customers", map[string]any{"name": "审计科技有限公司", "phone": "13811112222"}).
		wantStatus(t, http.StatusCreated).json(t)
	sam.do(http.MethodPatch, pathf("/api/v1/customers/%d", int64(c["id"].(float64))),
		map[string]any{"version": c["version"], "industry": "制造业"}).wantStatus(t, http.StatusOK)
	admin := e.api("admin")
	list := admin.get("/api/v1/audit?entity=customer&action=update").wantStatus(t, http.StatusOK).json(t)
	items := list["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("update rows: %s", list)
	}
	row := items[0].(map[string]any)
	if row["field"] != "industry" || row["new"] != "制造业" || row["old"] != "" || row["user_name"] != "Name sam" || row["ip"] == "" {
		t.Fatalf("row %v", row)
	}
	today := time.Now().In(e.cfg.Location).Format("2006-01-02")
	all := admin.get("/api/v1/audit?from="+today+"&to="+today+"&per_page=2").wantStatus(t, http.StatusOK).json(t)
	if len(all["items"].([]any)) != 2 || all["next_before"] == nil {
		t.Fatalf("first page: %v", all)
	}
	next := admin.get(pathf("/api/v1/audit?per_page=2&before=%d", int64(all["next_before"].(float64)))).wantStatus(t, http.StatusOK).json(t)
	if next["items"].([]any)[0].(map[string]any)["id"].(float64) >= all["next_before"].(float64) {
		t.Fatal("second page is not older than the first")
	}
	admin.get("/api/v1/audit?from=yesterday").wantAPIError(t, http.StatusBadRequest, "invalid")
	sam.get("/api/v1/audit").wantAPIError(t, http.StatusForbidden, "forbidden")
	// No route edits or deletes audit entries.
	admin.skipSpec = true
	admin.do(http.MethodDelete, "/api/v1/audit/1", nil).wantAPIError(t, http.StatusNotFound, "not_found")
	admin.do(http.MethodPatch, "/api/v1/audit/1", map[string]any{}).wantAPIError(t, http.StatusNotFound, "not_found")
}

func TestAPIWebhooks_CRUDAndRefusals(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("sam", store.RoleSales, "zh-CN", nil)
	e.st.Self = func() []string { return []string{"127.0.0.1:8080"} }
	admin := e.api("admin")
	admin.headers["Accept-Language"] = "zh-CN"
	for _, bad := range []string{"ftp://example.com/in", "http://127.0.0.1:8080/api/v1/leads", "not a url"} {
		inner := admin.do(http.MethodPost, "/api/v1/webhooks", map[string]any{"url": bad, "events": []string{"customer.created"}}).
			wantAPIError(t, http.StatusBadRequest, "invalid")
		if msg, _ := inner["fields"].(map[string]any)["url"].(string); msg == "" {
			t.Fatalf("%s: no url message: %v", bad, inner)
		}
	}
	created := admin.do(http.MethodPost, "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.com/tide", "events": []string{"customer.created", "opportunity.won"}}).
		wantStatus(t, http.StatusCreated).json(t)
	id := int64(created["id"].(float64))
	if s, _ := created["secret"].(string); !strings.HasPrefix(s, "whsec_") {
		t.Fatalf("create answer %v", created)
	}
	got := admin.get(pathf("/api/v1/webhooks/%d", id)).wantStatus(t, http.StatusOK).json(t)
	if _, leaked := got["secret"]; leaked {
		t.Fatal("GET shows the secret")
	}
	admin.do(http.MethodPatch, pathf("/api/v1/webhooks/%d", id), map[string]any{"enabled": false}).wantStatus(t, http.StatusOK)
	admin.do(http.MethodPost, pathf("/api/v1/webhooks/%d/test", id), nil).wantStatus(t, http.StatusAccepted)
	admin.get(pathf("/api/v1/webhooks/%d/deliveries", id)).wantStatus(t, http.StatusOK)
	admin.get("/api/v1/webhooks").wantStatus(t, http.StatusOK)
	e.api("sam").get("/api/v1/webhooks").wantAPIError(t, http.StatusForbidden, "forbidden")
	admin.do(http.MethodDelete, pathf("/api/v1/webhooks/%d", id), nil).wantStatus(t, http.StatusNoContent)
	admin.get(pathf("/api/v1/webhooks/%d", id)).wantAPIError(t, http.StatusNotFound, "not_found")
}

func TestToken_LastUsedAtMostOncePerMinute(t *testing.T) {
	e := newSetUpEnv(t, nil)
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	e.st.Now = func() time.Time { return now }
	tok := e.apiToken("admin", testPassword)
	api := e.bearer(tok)
	lastUsed := func() time.Time {
		ts, err := e.st.Tokens(context.Background(), 1)
		if err != nil || len(ts) == 0 || ts[0].LastUsedAt == nil {
			t.Fatalf("tokens %v %v", ts, err)
		}
		return *ts[0].LastUsedAt
	}
	api.get("/api/v1/me").wantStatus(t, http.StatusOK)
	first := lastUsed()
	now = now.Add(30 * time.Second)
	api.get("/api/v1/me").wantStatus(t, http.StatusOK)
	if !lastUsed().Equal(first) {
		t.Fatal("last_used_at written twice within a minute")
	}
	now = now.Add(61 * time.Second)
	api.get("/api/v1/me").wantStatus(t, http.StatusOK)
	if !lastUsed().Equal(now.UTC().Truncate(time.Second)) {
		t.Fatalf("last_used_at %v, want %v", lastUsed(), now)
	}
}

// TestStorageFull_WritesRefusedReadsServedRecovers fills the database up
// to a cap (as a full disk would) while the server runs: writes answer 503
// with a message in the user's language, reads keep working, and writes
// work again once space returns.
func TestStorageFull_WritesRefusedReadsServedRecovers(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("sam", store.RoleSales, "zh-CN", nil)
	sam := e.api("sam")
	sam.do(http.MethodPost, "/api/v1/customers", map[string]any{"name": "满盘之前公司"}).wantStatus(t, http.StatusCreated)
	b := e.loggedIn("sam", "") // signed in before the disk fills
	ctx := context.Background()
	if err := e.st.SetMaxSize(ctx, 1); err != nil { // capped at its current size
		t.Fatal(err)
	}
	var inner map[string]any
	for i := 0; i < 50 && inner == nil; i++ { // the first writes may still fit in free pages
		r := sam.do(http.MethodPost, "/api/v1/customers", map[string]any{"name": pathf("满盘测试公司%02d", i), "notes": strings.Repeat("备注", 2000)})
		if r.StatusCode == http.StatusServiceUnavailable {
			inner = r.wantAPIError(t, http.StatusServiceUnavailable, "unavailable")
		}
	}
	if inner == nil || !strings.Contains(inner["message"].(string), "磁盘已满") {
		t.Fatalf("no 503 with a Chinese message while full: %v", inner)
	}
	sam.get("/api/v1/customers").wantStatus(t, http.StatusOK)
	b.get("/customers").wantStatus(t, http.StatusOK).wantContains(t, "满盘之前公司")
	var page *testResponse
	for i := 0; i < 50 && page == nil; i++ {
		r := b.form("/customers/new", url.Values{"name": {pathf("满盘网页公司%02d", i)}, "notes": {strings.Repeat("备注", 2000)}})
		if r.StatusCode == http.StatusServiceUnavailable {
			page = r
		}
	}
	if page == nil {
		t.Fatal("the web form never reported the full disk")
	}
	page.wantContains(t, "磁盘已满", "暂时无法保存")
	if err := e.st.SetMaxSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	sam.do(http.MethodPost, "/api/v1/customers", map[string]any{"name": "空间恢复之后公司"}).wantStatus(t, http.StatusCreated)
}
