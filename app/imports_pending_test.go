package app

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidecrm/tide/store"
)

// restart stops the server and starts a new one over the same data
// directory, as a deploy does; browsers keep their cookies.
func (e *testEnv) restart() {
	e.t.Helper()
	path := e.st.Path()
	if err := e.st.Close(); err != nil {
		e.t.Fatal(err)
	}
	st, err := store.OpenFile(context.Background(), path)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { st.Close() })
	e.st = st
	e.srv = New(e.cfg, st, nil, slog.New(slog.NewTextHandler(e.log, nil)))
}

// uploadForPreview uploads a customer file through the form and returns
// the preview's path.
func uploadForPreview(t *testing.T, b *testClient, file string) string {
	t.Helper()
	r := b.upload("/customers/import", "名单.csv", []byte(file), nil)
	preview := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(preview, "/customers/import/preview/") {
		t.Fatalf("upload: %d %s\n%s", r.StatusCode, preview, r.body)
	}
	return preview
}

func TestImportUI_UploadSurvivesRestart_OwnerOnly(t *testing.T) {
	e := newSetUpEnv(t, nil)
	sa := e.user("sa", store.RoleSales, "zh-CN", nil)
	e.user("sc", store.RoleSales, "zh-CN", nil)
	b := e.loggedIn("sa", "zh-CN")
	preview := uploadForPreview(t, b, "客户名称,手机\r\n杭州云帆科技有限公司,13900000001\r\n宁波港联有限公司,13900000002\r\n")

	e.restart()
	b.get(preview).wantStatus(t, http.StatusOK).wantContains(t, "名单.csv", "共 2 行", "杭州云帆科技有限公司")
	other := e.loggedIn("sc", "zh-CN")
	other.get(preview).wantStatus(t, http.StatusNotFound)
	other.form(preview, url.Values{"map_0": {"name"}, "map_1": {"phone"}}).wantStatus(t, http.StatusNotFound)
	b.get("/customers/import/preview/"+strings.Repeat("x", 32)).wantStatus(t, http.StatusNotFound)

	r := b.form(preview, url.Values{"map_0": {"name"}, "map_1": {"phone"}})
	id, err := strconv.ParseInt(strings.TrimPrefix(r.Header.Get("Location"), "/customers/import/"), 10, 64)
	if r.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("go-ahead: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	if info := e.waitImport(sa, id); info.Status != store.ImportDone || info.Created != 2 {
		t.Fatalf("import %+v", info)
	}
	// The same upload cannot be imported twice (back button, second click).
	b.form(preview, url.Values{"map_0": {"name"}, "map_1": {"phone"}}).wantRedirect(t, "/customers/import")
	b.get("/customers/import").wantContains(t, "上传的文件已过期，请重新上传。")
}

func TestImportUI_ExpiredUpload_SaysSo_AndIsCleanedUp(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("sa", store.RoleSales, "zh-CN", nil)
	b := e.loggedIn("sa", "zh-CN")
	start := time.Now()
	e.st.Now = func() time.Time { return start }
	first := uploadForPreview(t, b, "客户名称\r\n甲公司\r\n")
	// A second upload replaces the first.
	second := uploadForPreview(t, b, "客户名称\r\n乙公司\r\n")
	b.get(first).wantRedirect(t, "/customers/import")
	b.get("/customers/import").wantContains(t, "上传的文件已过期，请重新上传。")
	b.get(second).wantStatus(t, http.StatusOK).wantContains(t, "乙公司")

	e.st.Now = func() time.Time { return start.Add(store.PendingImportTTL) }
	b.form(second, url.Values{"map_0": {"name"}}).wantRedirect(t, "/customers/import")
	b.get("/customers/import").wantContains(t, "上传的文件已过期，请重新上传。")
	if e.countCustomers() != 0 {
		t.Fatal("an expired upload was imported")
	}

	// The hourly cleanup drops what is left a day later; the link is then
	// unknown.
	e.st.Now = func() time.Time { return start.Add(25 * time.Hour) }
	if _, err := e.st.CleanPendingImports(context.Background()); err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(filepath.Join(filepath.Dir(e.st.Path()), "uploads"))
	if err != nil || len(left) != 0 {
		t.Fatalf("uploads left after cleanup: %v %v", left, err)
	}
	b.get(second).wantStatus(t, http.StatusNotFound)
}
