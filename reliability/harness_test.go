package reliability

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

const (
	adminUser = "admin"
	adminPass = "reliable-pass-1"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// tideBinary builds the tide command once per test run.
func tideBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("reliability tests build and run the binary; skipped with -short")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tide-reliability-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "tide")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/tidecrm/tide").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// server is one `tide serve` subprocess on 127.0.0.1.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	log  *bytes.Buffer
	done chan struct{}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs tide serve on dataDir and waits until /healthz answers.
func start(t *testing.T, dataDir string) *server {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(tideBinary(t), "serve", "--data", dataDir, "--addr", addr)
	cmd.Env = append(os.Environ(), "TIDE_ADMIN_USERNAME="+adminUser, "TIDE_ADMIN_PASSWORD="+adminPass,
		"TIDE_LOG_LEVEL=warn", "TIDE_BACKUP_DIR="+filepath.Join(dataDir, "backups"))
	s := &server{t: t, cmd: cmd, base: "http://" + addr, log: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.kill() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(s.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("tide serve exited at start:\n%s", s.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("tide serve did not become healthy:\n%s", s.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL (no shutdown at all) and waits for the process.
func (s *server) kill() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	<-s.done
}

// stop asks for a clean shutdown (SIGTERM) and waits.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.t.Fatalf("tide serve did not stop:\n%s", s.log)
	}
}

// client is an API client with a bearer token.
type client struct {
	base, token string
	http        *http.Client
}

func login(t *testing.T, s *server) *client {
	t.Helper()
	c := &client{base: s.base, http: &http.Client{Timeout: 10 * time.Second}}
	var out struct{ Token string }
	if code := c.call(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": adminUser, "password": adminPass}, &out); code != 200 {
		t.Fatalf("login: %d", code)
	}
	c.token = out.Token
	return c
}

// call sends one JSON request and decodes a 2xx answer into out; it
// returns the status, or 0 when there was no HTTP answer.
func (c *client) call(method, path string, body, out any) int {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0 // the answer was cut off: not an acknowledgement
	}
	if res.StatusCode < 300 && out != nil {
		if json.Unmarshal(b, out) != nil {
			return 0
		}
	}
	return res.StatusCode
}

// acked is every write the server acknowledged with a 2xx, in order.
type acked struct {
	mu        sync.Mutex
	customers map[int64]string // id → name
	followups map[int64]int64  // follow-up id → customer id
	claims    map[int64]bool   // customer id claimed by the admin
	n         atomic.Int64
}

func newAcked() *acked {
	return &acked{customers: map[int64]string{}, followups: map[int64]int64{}, claims: map[int64]bool{}}
}

// snapshot copies what was acknowledged so far.
func (a *acked) snapshot() *acked {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := newAcked()
	for k, v := range a.customers {
		c.customers[k] = v
	}
	for k, v := range a.followups {
		c.followups[k] = v
	}
	for k := range a.claims {
		c.claims[k] = true
	}
	return c
}

// seedPool makes a default pool with no claim limits and fills it with leads.
func seedPool(t *testing.T, c *client, n int) []int64 {
	t.Helper()
	var pool struct{ ID int64 }
	zero := 0
	if code := c.call(http.MethodPost, "/api/v1/pools", map[string]any{"name": "公海", "is_default": true,
		"claim_daily_limit": zero, "max_owned": zero, "reclaim_cooldown_days": zero}, &pool); code != 201 {
		t.Fatalf("create pool: %d", code)
	}
	ids := make([]int64, 0, n)
	for i := 0; i < n; i++ {
		var cust struct{ ID int64 }
		if code := c.call(http.MethodPost, "/api/v1/leads", map[string]any{"name": fmt.Sprintf("线索客户%04d有限公司", i)}, &cust); code != 201 {
			t.Fatalf("lead %d: %d", i, code)
		}
		ids = append(ids, cust.ID)
	}
	return ids
}

// load runs workers that create customers, log follow-ups on them and
// claim leads, recording every acknowledged write, until ctx ends.
func load(ctx context.Context, c *client, workers int, leads []int64, a *acked) *sync.WaitGroup {
	var wg sync.WaitGroup
	var nextLead atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				name := fmt.Sprintf("负载客户%02d-%05d有限公司", w, i)
				var cust struct{ ID int64 }
				if c.call(http.MethodPost, "/api/v1/customers", map[string]any{"name": name}, &cust) == 201 {
					a.mu.Lock()
					a.customers[cust.ID] = name
					a.mu.Unlock()
					a.n.Add(1)
					var f struct{ ID int64 }
					if c.call(http.MethodPost, fmt.Sprintf("/api/v1/customers/%d/followups", cust.ID), map[string]any{"kind": "call", "content": "电话沟通"}, &f) == 201 {
						a.mu.Lock()
						a.followups[f.ID] = cust.ID
						a.mu.Unlock()
						a.n.Add(1)
					}
				}
				if k := int(nextLead.Add(1)) - 1; k < len(leads) {
					if c.call(http.MethodPost, fmt.Sprintf("/api/v1/customers/%d/claim", leads[k]), nil, nil) == 200 {
						a.mu.Lock()
						a.claims[leads[k]] = true
						a.mu.Unlock()
						a.n.Add(1)
					}
				}
			}
		}(w)
	}
	return &wg
}

// waitFor waits until at least n writes were acknowledged.
func waitFor(t *testing.T, a *acked, n int64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for a.n.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes acknowledged", a.n.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func integrityOK(t *testing.T, db *sql.DB) {
	t.Helper()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
}

// checkContains fails unless every acknowledged write is in db.
func checkContains(t *testing.T, db *sql.DB, a *acked) {
	t.Helper()
	for id, name := range a.customers {
		var got string
		if err := db.QueryRow(`SELECT name FROM customers WHERE id = ? AND deleted_at IS NULL`, id).Scan(&got); err != nil || got != name {
			t.Fatalf("acknowledged customer %d %q missing: %q %v", id, name, got, err)
		}
	}
	for id, cust := range a.followups {
		var got int64
		if err := db.QueryRow(`SELECT customer_id FROM followups WHERE id = ?`, id).Scan(&got); err != nil || got != cust {
			t.Fatalf("acknowledged follow-up %d missing: %v", id, err)
		}
	}
	for id := range a.claims {
		var owner sql.NullInt64
		if err := db.QueryRow(`SELECT owner_id FROM customers WHERE id = ?`, id).Scan(&owner); err != nil || !owner.Valid {
			t.Fatalf("acknowledged claim of %d missing: %v", id, err)
		}
	}
}

// fingerprint summarises the business data of db, to compare two databases.
func fingerprint(t *testing.T, db *sql.DB) string {
	t.Helper()
	var parts []string
	for _, q := range []string{
		`SELECT id || ':' || name || ':' || COALESCE(owner_id, '-') || ':' || COALESCE(pool_id, '-') || ':' || version FROM customers`,
		`SELECT id || ':' || customer_id || ':' || content FROM followups`,
		`SELECT id || ':' || username FROM users`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			parts = append(parts, s)
		}
		rows.Close()
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}

// tide runs a tide subcommand and returns its exit code and output.
func tide(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(tideBinary(t), args...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// underLoad starts a server with a pool of leads and workers writing to it,
// and returns once min writes were acknowledged; stop ends the load.
func underLoad(t *testing.T, leads, workers int, min int64) (data string, srv *server, c *client, a *acked, stop func()) {
	t.Helper()
	data = t.TempDir()
	srv = start(t, data)
	c = login(t, srv)
	ids := seedPool(t, c, leads)
	a = newAcked()
	ctx, cancel := context.WithCancel(context.Background())
	wg := load(ctx, c, workers, ids, a)
	waitFor(t, a, min)
	return data, srv, c, a, func() { cancel(); wg.Wait() }
}
