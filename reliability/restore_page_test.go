package reliability

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// browser is a cookie-keeping HTTP client that signs in through the form.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func signIn(t *testing.T, base string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	b.get("/login")
	res, err := b.c.PostForm(base+"/login", url.Values{"username": {adminUser}, "password": {adminPass}, "_csrf": {b.csrf}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	b.get("/admin/backups")
	return b
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfRe.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return res.StatusCode, string(body)
}

func (b *browser) upload(path, name string, data []byte) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", b.csrf)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = w.Close()
	res, err := b.c.Post(b.base+path, w.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// TestRestoreFromPageRestartsInProcess restores a downloaded backup
// through the admin page: the same process drains, swaps the database and
// serves again on the same address, with the backup's data.
func TestRestoreFromPageRestartsInProcess(t *testing.T) {
	data := t.TempDir()
	srv := start(t, data)
	c := login(t, srv)
	c.call(http.MethodPost, "/api/v1/customers", map[string]any{"name": "恢复前已有有限公司"}, nil)
	req, _ := http.NewRequest(http.MethodGet, srv.base+"/api/v1/admin/backup", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("download backup: %v %v", res, err)
	}
	backup, _ := io.ReadAll(res.Body)
	res.Body.Close()
	c.call(http.MethodPost, "/api/v1/customers", map[string]any{"name": "备份后新增有限公司"}, nil)

	b := signIn(t, srv.base)
	if code, body := b.upload("/admin/backups/restore", "photo.png", []byte("\x89PNG\r\n\x1a\n rest")); code != 400 || !strings.Contains(body, "数据库没有改动") {
		t.Fatalf("image upload: %d", code)
	}
	code, body := b.upload("/admin/backups/restore", "tide-download.db", backup)
	if code != 200 || !strings.Contains(body, "正在恢复数据") {
		t.Fatalf("restore upload: %d\n%.500s", code, body)
	}
	// The server goes away briefly and comes back on the same address.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var list struct{ Items []struct{ Name string } }
		if c.call(http.MethodGet, "/api/v1/customers?per_page=200", nil, &list) == 200 {
			names := ""
			for _, it := range list.Items {
				names += it.Name + ";"
			}
			if !strings.Contains(names, "备份后新增") {
				if !strings.Contains(names, "恢复前已有") {
					t.Fatalf("restored data lacks the backup's customer: %s", names)
				}
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the restore did not take effect:\n%s", srv.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	select {
	case <-srv.done:
		t.Fatal("the process exited instead of restarting in place")
	default:
	}
	entries, _ := os.ReadDir(data)
	aside := false
	for _, e := range entries {
		aside = aside || strings.HasPrefix(e.Name(), "tide.db.before-restore-")
	}
	if !aside {
		t.Fatal("the replaced database was not kept aside")
	}
	// The admin signs in again (sessions are the restored database's) and sees the outcome.
	b = signIn(t, srv.base)
	if _, page := b.get("/admin/backups"); !strings.Contains(page, "已从 tide-download.db 恢复数据") {
		t.Fatalf("backups page does not report the restore:\n%.2000s", page)
	}
	srv.stop()
}
