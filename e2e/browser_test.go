// Package e2e drives a real headless Chromium against a real Tide server
// (cli.Run: store, scheduler, HTTP) started in-process on a free port with
// its own data directory. Each test is one user flow; the helpers here
// (startServer, newBrowser, login, screenshot…) are shared by every flow.
//
// Set TIDE_SCREENSHOTS=/some/dir to keep PNGs of the pages the tests visit.
// Without Chromium the tests skip, except under CI=true where they fail.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tidecrm/tide/cli"
	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/store"
)

const (
	// adminUser and adminPassword are the first admin that startServer
	// creates through the admin.username/admin.password settings.
	adminUser     = "admin"
	adminPassword = "tide-admin-2026"

	// testTimeout bounds one browser flow; CI runners have two slow cores.
	testTimeout = 60 * time.Second
)

func TestMain(m *testing.M) {
	store.BcryptCost = 4 // bcrypt.MinCost: the tests hash many passwords
	os.Exit(m.Run())
}

// testServer is a running Tide.
type testServer struct {
	// URL is the base address, e.g. http://127.0.0.1:41234 (no trailing slash).
	URL string
	// DataDir holds tide.db.
	DataDir string

	adminToken string
}

// startServer starts Tide with the first admin already created, so the
// first-run setup is done and tests can sign in at once.
func startServer(t *testing.T) *testServer {
	t.Helper()
	return runServer(t, map[string]string{"admin.username": adminUser, "admin.password": adminPassword})
}

// startEmptyServer starts Tide on an empty database: every page leads to
// the first-run setup.
func startEmptyServer(t *testing.T) *testServer {
	t.Helper()
	return runServer(t, nil)
}

func runServer(t *testing.T, overrides map[string]string) *testServer {
	t.Helper()
	dir := t.TempDir()
	settings := map[string]string{"server.addr": "127.0.0.1:0", "data.dir": dir, "log.level": "warn"}
	for k, v := range overrides {
		settings[k] = v
	}
	cfg, err := config.Load("", settings)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	var finished atomic.Bool
	logger := slog.New(slog.NewTextHandler(testLogWriter{t, &finished}, &slog.HandlerOptions{Level: slog.LevelWarn}))

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- cli.Run(ctx, cfg, logger, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("server did not start within 30s")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server stopped with: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("server did not stop within 30s")
		}
		finished.Store(true)
	})
	return &testServer{URL: "http://" + addr, DataDir: dir}
}

// testLogWriter sends the server's log lines to the test log, where they
// show up when the test fails or under -v.
type testLogWriter struct {
	t        *testing.T
	finished *atomic.Bool
}

func (w testLogWriter) Write(p []byte) (int, error) {
	if !w.finished.Load() {
		w.t.Logf("server: %s", strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// token signs in through the JSON API and returns a bearer token.
func (s *testServer) token(t *testing.T, username, password string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	s.api(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": username, "password": password}, http.StatusOK, &out)
	return out.Token
}

// api sends a JSON request (with a bearer token when token is not empty),
// fails the test unless the answer has status want, and decodes the answer
// into out when out is not nil.
func (s *testServer) api(t *testing.T, token, method, path string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// asAdmin returns a bearer token of the first admin (startServer only).
func (s *testServer) asAdmin(t *testing.T) string {
	t.Helper()
	if s.adminToken == "" {
		s.adminToken = s.token(t, adminUser, adminPassword)
	}
	return s.adminToken
}

// createUser adds a user through the admin API and returns its id. in holds
// the API fields (username, name, password, role, language, department_id…).
func (s *testServer) createUser(t *testing.T, in map[string]any) int64 {
	t.Helper()
	var u struct {
		ID int64 `json:"id"`
	}
	s.api(t, s.asAdmin(t), http.MethodPost, "/api/v1/users", in, http.StatusCreated, &u)
	return u.ID
}

// chromiumPath finds the browser. Without one the test is skipped, except
// under CI, where a missing browser must fail the build.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (install it with: apt-get install -y chromium fonts-noto-cjk)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts a fresh headless Chromium (its own profile, so no
// cookies) with a window of width×height and Chinese as its preferred
// language, and returns a context bounded by testTimeout. The browser is
// closed when the test ends; a failing test leaves a screenshot of the
// page it failed on.
func newBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	// chromedp's defaults (quiet, no extensions, small /dev/shm safe) plus
	// the flags CI needs; a few repeat the defaults to be explicit.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
	)
	var finished atomic.Bool
	logf := func(format string, args ...any) {
		if !finished.Load() {
			t.Logf("chromedp: "+format, args...)
		}
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf))
	// The first Do starts the browser and binds its life to ctx, so it
	// must not carry the per-test timeout (chromedp docs, "lifetime").
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, testTimeout)
	t.Cleanup(func() {
		if t.Failed() {
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			screenshot(t, sctx, "FAILED-"+strings.ReplaceAll(t.Name(), "/", "-"))
			cancel()
		}
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
		finished.Store(true)
	})
	return tctx
}

// do runs browser steps and fails the test at the first error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser (at %s): %v", currentURL(ctx), err)
	}
}

// get runs one browser action that returns a value.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser (at %s): %v", currentURL(ctx), err)
	}
	return v
}

func currentURL(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return u
}

// clickAndWait clicks the element that sel finds and waits until the page
// it leads to has loaded (a form post and its redirect, or a link).
func clickAndWait(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))(ctx, t)
		return err
	})
}

// clickConfirmAndWait clicks the element that sel finds, accepts the
// confirm() dialog it opens (forms with data-confirm ask before deleting or
// running a job), and waits until the page it leads to has loaded.
func clickConfirmAndWait(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		dctx, cancel := context.WithCancel(ctx)
		defer cancel()
		// The click waits while the dialog is open, so another goroutine
		// answers it; the subscription starts before the click.
		dialogs := cdp.Events(dctx, t, page.JavascriptDialogOpening)
		answered := make(chan error, 1)
		go func() {
			for ev, err := range dialogs {
				if err == nil && ev.Type != page.DialogTypeConfirm {
					err = fmt.Errorf("a %s dialog opened (%q), want a confirm", ev.Type, ev.Message)
				}
				if err == nil {
					_, err = cdp.Call(dctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
				}
				answered <- err
				return
			}
		}()
		if _, err := chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))(ctx, t); err != nil {
			return err
		}
		select {
		case err := <-answered:
			return err
		case <-time.After(2 * time.Second):
			return fmt.Errorf("clicking %s opened no confirm dialog", sel)
		}
	})
}

// navigate opens url and waits for it to load.
func navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(url))
}

// fill empties the input that sel finds and types text into it.
func fill(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = ""`, sel)),
		chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible),
	)
}

// choose selects, in the <select> that sel finds, the option whose visible
// text (trimmed of the tree indentation) is label.
func choose(t *testing.T, ctx context.Context, sel, label string) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const s = document.querySelector(%q);
		const o = s && [...s.options].find(o => o.textContent.trim() === %q);
		return o ? o.value : "";
	})()`, sel, label)
	v := get(t, ctx, chromedp.Evaluate[string](js))
	if v == "" {
		t.Fatalf("%s has no option %q", sel, label)
	}
	do(t, ctx, chromedp.SetValue(chromedp.CSS(sel), v))
}

// pathOf returns the path of the page the browser shows.
func pathOf(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[string](`location.pathname`))
}

// wantPath fails the test unless the browser is at path.
func wantPath(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	if got := pathOf(t, ctx); got != path {
		shown, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
			`[...document.querySelectorAll(".field-error, .alert, h1")].map(e => e.innerText.trim()).join(" | ")`))
		t.Fatalf("browser is at %s, want %s; the page shows: %s", got, path, shown)
	}
}

// text returns the visible text of the first element that sel finds.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(get(t, ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
}

// texts returns the trimmed visible text of every element that sel finds
// (none is fine: the slice is empty).
func texts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
		`[...document.querySelectorAll(%q)].map(e => e.innerText.trim())`, sel)))
}

// value returns the current value of the form field that sel finds.
func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, chromedp.Value(chromedp.CSS(sel)))
}

// wantText fails the test unless the element that sel finds shows want.
func wantText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	if got := text(t, ctx, sel); !strings.Contains(got, want) {
		t.Fatalf("%s shows %q, want it to contain %q", sel, got, want)
	}
}

// login signs in through the login form and expects to land on the home page.
func login(t *testing.T, ctx context.Context, baseURL, username, password string) {
	t.Helper()
	navigate(t, ctx, baseURL+"/login")
	do(t, ctx,
		fill("#username", username),
		fill("#password", password),
		clickAndWait(`form[action="/login"] button[type=submit]`),
	)
	wantPath(t, ctx, "/")
}

// logout signs out through the user menu in the top bar.
func logout(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx,
		chromedp.Click(chromedp.CSS(".user-menu summary"), chromedp.NodeVisible),
		clickAndWait(`.user-menu form[action="/logout"] button`),
	)
	wantPath(t, ctx, "/login")
}

// screenshot saves the whole page as <name>.png in $TIDE_SCREENSHOTS, when
// set. It never fails the test.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("TIDE_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
