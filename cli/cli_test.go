package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

func TestMain(m *testing.M) {
	// Set once, before any goroutine hashes a password.
	store.BcryptCost = 4
	os.Exit(m.Run())
}

// runMain calls Main and returns its exit code and outputs.
func runMain(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMain_ExitCodes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{"no command", nil, 2, "", "Usage:"},
		{"unknown command", []string{"bogus"}, 2, "", "Usage:"},
		{"unknown serve flag", []string{"serve", "--nope"}, 2, "", "nope"},
		{"stray serve argument", []string{"serve", "extra"}, 2, "", "unexpected argument"},
		{"version", []string{"version"}, 0, "tide " + Version, ""},
		{"help", []string{"help"}, 0, "Usage:", ""},
		{"user without verb", []string{"user"}, 2, "", "want add or passwd"},
		{"user bad verb", []string{"user", "delete"}, 2, "", "want add or passwd"},
		{"user add without role", []string{"user", "add", "--data", dir, "--username", "x1", "--password", "password1"}, 2, "", "--role"},
		{"user add without password", []string{"user", "add", "--data", dir, "--username", "x1", "--role", "sales"}, 2, "", "--password"},
		{"user add unknown flag", []string{"user", "add", "--bogus"}, 2, "", "bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runMain(tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.wantStdout) {
				t.Fatalf("stdout %q does not contain %q", out, tt.wantStdout)
			}
			if !strings.Contains(errOut, tt.wantStderr) {
				t.Fatalf("stderr %q does not contain %q", errOut, tt.wantStderr)
			}
		})
	}
}

func TestUserAddAndPasswd_FromTheShell(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runMain("user", "add", "--data", dir, "--username", "a1", "--password", "password1", "--role", "admin", "--name", "管理员")
	if code != 0 {
		t.Fatalf("user add: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "a1") {
		t.Fatalf("user add said %q", out)
	}
	// A taken username is a failure (exit 1) with a plain reason.
	code, _, errOut = runMain("user", "add", "--data", dir, "--username", "a1", "--password", "password1", "--role", "sales")
	if code != 1 || !strings.Contains(errOut, "username: is already taken") {
		t.Fatalf("duplicate user add: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runMain("user", "add", "--data", dir, "--username", "a2", "--password", "short", "--role", "sales")
	if code != 1 || !strings.Contains(errOut, "password: must be at least") {
		t.Fatalf("short password: exit %d, stderr %q", code, errOut)
	}

	code, out, errOut = runMain("user", "passwd", "--data", dir, "--username", "a1", "--password", "new-password-2")
	if code != 0 {
		t.Fatalf("user passwd: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = runMain("user", "passwd", "--data", dir, "--username", "ghost", "--password", "new-password-2")
	if code != 1 || !strings.Contains(errOut, "no such user") {
		t.Fatalf("passwd of unknown user: exit %d, stderr %q", code, errOut)
	}

	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.Authenticate(context.Background(), "a1", "new-password-2")
	if err != nil {
		t.Fatalf("new password does not authenticate: %v", err)
	}
	if u.Role != store.RoleAdmin || u.Name != "管理员" {
		t.Fatalf("user = %+v", u)
	}
	if _, err := st.Authenticate(context.Background(), "a1", "password1"); err == nil {
		t.Fatal("old password still works")
	}
	if n, _ := st.CountUsers(context.Background()); n != 1 {
		t.Fatalf("users = %d, want 1", n)
	}
}

// Every store message the shell may print has a plain English line.
func TestDescribe_KnowsEveryFieldMessage(t *testing.T) {
	for key, line := range plainMessages {
		if !i18n.Has("en", key) {
			t.Errorf("plainMessages has %q, which is not a catalogue key", key)
		}
		if line == "" {
			t.Errorf("plainMessages[%q] is empty", key)
		}
	}
}

// logBuffer is a log destination shared by the server goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is one Run in a goroutine.
type testServer struct {
	addr   string
	cancel context.CancelFunc
	done   chan error
	log    *logBuffer
}

func testServeConfig(t *testing.T, dir string, extra map[string]string) *config.Config {
	t.Helper()
	o := map[string]string{"data.dir": dir, "server.addr": "127.0.0.1:0", "app.timezone": "Asia/Shanghai"}
	for k, v := range extra {
		o[k] = v
	}
	cfg, err := config.Load("", o)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startServer runs Tide on dir and waits until it serves.
func startServer(t *testing.T, cfg *config.Config) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &logBuffer{}
	s := &testServer{cancel: cancel, done: make(chan error, 1), log: logs}
	ready := make(chan string, 1)
	go func() { s.done <- Run(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil)), ready) }()
	select {
	case s.addr = <-ready:
	case err := <-s.done:
		cancel()
		t.Fatalf("Run returned before ready: %v\n%s", err, logs.String())
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatalf("server not ready after 10s\n%s", logs.String())
	}
	t.Cleanup(func() {
		s.cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after cancel")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return s
}

// stop cancels the server and returns what Run returned.
func (s *testServer) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30s of cancel")
		return nil
	}
}

func TestRun_SecondServerOnSameDataDir_Refused(t *testing.T) {
	dir := t.TempDir()
	first := startServer(t, testServeConfig(t, dir, nil))
	res, err := http.Get("http://" + first.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("healthz %d", res.StatusCode)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = Run(ctx, testServeConfig(t, dir, nil), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err == nil || !strings.Contains(err.Error(), "already") {
		t.Fatalf("second Run on the same data dir: %v, want an error saying it is already in use", err)
	}
	// The first one is unharmed.
	res, err = http.Get("http://" + first.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	// Once the first stops, the lock is released.
	if err := first.stop(t); err != nil {
		t.Fatalf("Run returned %v", err)
	}
	again := startServer(t, testServeConfig(t, dir, nil))
	if err := again.stop(t); err != nil {
		t.Fatal(err)
	}
}

func TestRun_GracefulShutdown_FinishesInFlightRequest(t *testing.T) {
	s := startServer(t, testServeConfig(t, t.TempDir(), nil))
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Half a request: the server has accepted the connection and is
	// reading it when the shutdown begins.
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: tide\r\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	stopped := make(chan error, 1)
	s.cancel()
	go func() {
		err := <-s.done
		s.done <- err // for the cleanup
		stopped <- err
	}()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("Run returned (%v) while a request was in flight", err)
	default:
	}
	// New connections are no longer accepted.
	if c2, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
		c2.Close()
		t.Error("server still accepts new connections during shutdown")
	}
	if _, err := io.WriteString(conn, "\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request got no response: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
		// A 503 here means the handler's context was cancelled by the
		// shutdown (fasthttp closes RequestCtx.Done() when Shutdown starts).
		t.Errorf("in-flight request during shutdown: %d %s", res.StatusCode, body)
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Run returned %v, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after the in-flight request finished")
	}
	if !strings.Contains(s.log.String(), "tide stopped") {
		t.Fatalf("no orderly stop in the log:\n%s", s.log.String())
	}
}

func TestRun_BootstrapAdminFromConfig(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, testServeConfig(t, dir, map[string]string{"admin.username": "root", "admin.password": "bootstrap-pw"}))
	body, _ := json.Marshal(map[string]string{"username": "root", "password": "bootstrap-pw"})
	res, err := http.Post("http://"+s.addr+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got struct {
		Token string `json:"token"`
		User  struct {
			Role string `json:"role"`
		} `json:"user"`
	}
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("login as bootstrapped admin: %d %v", res.StatusCode, err)
	}
	if got.Token == "" || got.User.Role != store.RoleAdmin {
		t.Fatalf("login = %+v", got)
	}
	// With a user present, the browser is no longer sent to /setup.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r2, err := client.Get("http://" + s.addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if loc := r2.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("GET / redirects to %q, want /login", loc)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}

	// A restart with different bootstrap settings creates nobody: the
	// database already has users.
	s2 := startServer(t, testServeConfig(t, dir, map[string]string{"admin.username": "other", "admin.password": "other-pw-123"}))
	if err := s2.stop(t); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, _ := st.CountUsers(context.Background()); n != 1 {
		t.Fatalf("users = %d after restart, want 1", n)
	}
}

func TestRun_BadBootstrapAdmin_FailsNamingTheKey(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := testServeConfig(t, t.TempDir(), map[string]string{"admin.username": "root", "admin.password": "short"})
	err := Run(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err == nil || !strings.Contains(err.Error(), "admin.password") {
		t.Fatalf("Run = %v, want an error naming admin.password", err)
	}
}

func TestRun_UnwritableDataDir_Fails(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), testServeConfig(t, filepath.Join(file, "data"), nil), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Key != "data.dir" {
		t.Fatalf("Run = %v, want a data.dir config error", err)
	}
}

func TestRun_AddressInUse_FailsNamingTheKey(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := testServeConfig(t, t.TempDir(), map[string]string{"server.addr": ln.Addr().String()})
	err = Run(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Key != "server.addr" {
		t.Fatalf("Run = %v, want a server.addr config error", err)
	}
}

func TestHealth_ExitCodeFollowsServer(t *testing.T) {
	s := startServer(t, testServeConfig(t, t.TempDir(), nil))
	url := "http://" + s.addr + "/healthz"
	if code, out, errOut := runMain("health", "--url", url); code != 0 {
		t.Fatalf("health of a running server: exit %d\n%s%s", code, out, errOut)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runMain("health", "--url", url); code != 1 || !strings.Contains(errOut, "health") {
		t.Fatalf("health of a stopped server: exit %d, stderr %q", code, errOut)
	}
}
