package e2e

// Test data and servers for the customer and pool flows: an in-process
// Tide whose clock the test moves (for the recycle rules), and small JSON
// API helpers that set up what a flow needs when setting it up is not the
// point of the flow (departments, users, customers sitting in pools).

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tidecrm/tide/app"
	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/store"
)

// salesPassword is the password of every user the fixtures create.
const salesPassword = "sales-pass-2026"

// clockServer is a Tide served in-process (store, app, a real listener on
// 127.0.0.1, no scheduler) whose clock the test moves with advance, so
// that day-based rules — recycling, cool-downs — can be reached in
// seconds. The recycle job runs when the test asks for it (the admin's
// "立即执行回收" button or POST /api/v1/admin/jobs/recycle).
type clockServer struct {
	*testServer
	// Store is the server's store, for checks the API does not offer.
	Store *store.Store

	offset atomic.Int64 // nanoseconds added to the wall clock
}

// now is the server's current time.
func (s *clockServer) now() time.Time {
	return time.Now().Add(time.Duration(s.offset.Load()))
}

// advance moves the server's clock forward by d. Keep d under the session
// lifetime (30 days): POST /api/v1/auth/login dates its token's expiry by
// the wall clock, not the store's (app/auth.go apiLogin uses time.Now), so
// after a longer jump no one could sign in through the API, and tokens from
// before the jump would be expired. Browser sessions follow the store's
// clock; sign in again after a jump longer than the idle timeout (7 days).
func (s *clockServer) advance(d time.Duration) {
	s.offset.Add(int64(d))
}

// startClockServer opens a fresh store in a temporary directory, creates
// the first admin, and serves app.New on a free port until the test ends.
func startClockServer(t *testing.T) *clockServer {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Load("", map[string]string{"server.addr": "127.0.0.1:0", "data.dir": dir, "log.level": "warn"})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	cs := &clockServer{Store: st}
	st.Location = cfg.Location
	st.Now = cs.now

	username, password, role := adminUser, adminPassword, store.RoleAdmin
	if _, err := st.CreateUser(ctx, store.UserInput{Username: &username, Password: &password, Role: &role, Language: &cfg.App.Language}); err != nil {
		st.Close()
		t.Fatalf("create admin: %v", err)
	}

	var finished atomic.Bool
	logger := slog.New(slog.NewTextHandler(testLogWriter{t, &finished}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := app.New(cfg, st, nil, logger)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		t.Fatalf("listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := srv.Shutdown(10 * time.Second); err != nil {
			t.Errorf("server shutdown: %v", err)
		}
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("server stopped with: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not stop within 10s")
		}
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
		finished.Store(true)
	})
	cs.testServer = &testServer{URL: "http://" + ln.Addr().String(), DataDir: dir}
	return cs
}

// createDepartment adds a department (under parent when not 0) and
// returns its id.
func (s *testServer) createDepartment(t *testing.T, name string, parent int64) int64 {
	t.Helper()
	body := map[string]any{"name": name}
	if parent != 0 {
		body["parent_id"] = parent
	}
	var d struct {
		ID int64 `json:"id"`
	}
	s.api(t, s.asAdmin(t), http.MethodPost, "/api/v1/departments", body, http.StatusCreated, &d)
	return d.ID
}

// createStaff adds an active user with salesPassword in department dept
// (none when 0) and returns its id.
func (s *testServer) createStaff(t *testing.T, username, name, role string, dept int64) int64 {
	t.Helper()
	in := map[string]any{"username": username, "name": name, "password": salesPassword, "role": role, "language": "zh-CN"}
	if dept != 0 {
		in["department_id"] = dept
	}
	return s.createUser(t, in)
}

// createPool adds a pool as the admin; body holds the API fields (name,
// scope, department_ids, rules…). It returns the pool's id.
func (s *testServer) createPool(t *testing.T, body map[string]any) int64 {
	t.Helper()
	var p struct {
		ID int64 `json:"id"`
	}
	s.api(t, s.asAdmin(t), http.MethodPost, "/api/v1/pools", body, http.StatusCreated, &p)
	return p.ID
}

// apiCustomer is the part of the API's customer this package reads.
type apiCustomer struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Owner *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"owner"`
	Pool *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"pool"`
	RecycleCount int `json:"recycle_count"`
}

// createCustomer saves a customer with the token's user (body: API fields;
// "pool_id" puts it straight into a pool) and returns its id.
func (s *testServer) createCustomer(t *testing.T, token string, body map[string]any) int64 {
	t.Helper()
	var c apiCustomer
	s.api(t, token, http.MethodPost, "/api/v1/customers", body, http.StatusCreated, &c)
	return c.ID
}

// fillPool puts one customer per name into pool (as the admin) and returns
// their ids in the same order. Phones are distinct mobile numbers.
func (s *testServer) fillPool(t *testing.T, pool int64, names ...string) []int64 {
	t.Helper()
	ids := make([]int64, len(names))
	for i, n := range names {
		ids[i] = s.createCustomer(t, s.asAdmin(t), map[string]any{"name": n, "pool_id": pool,
			"phone": fmt.Sprintf("139%08d", int(pool)*1000+i+1)})
	}
	return ids
}

// customer reads one customer as the admin.
func (s *testServer) customer(t *testing.T, id int64) apiCustomer {
	t.Helper()
	var c apiCustomer
	s.api(t, s.asAdmin(t), http.MethodGet, fmt.Sprintf("/api/v1/customers/%d", id), nil, http.StatusOK, &c)
	return c
}

// customers lists, as the admin, the customers that the query (e.g.
// owner=12, q=字节) finds.
func (s *testServer) customers(t *testing.T, query url.Values) []apiCustomer {
	t.Helper()
	var page struct {
		Items []apiCustomer `json:"items"`
	}
	query.Set("per_page", "200")
	s.api(t, s.asAdmin(t), http.MethodGet, "/api/v1/customers?"+query.Encode(), nil, http.StatusOK, &page)
	return page.Items
}

// shot saves a screenshot of the page scrolled to the top, so the sticky
// top bar is not drawn over the middle of a long page.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	screenshot(t, ctx, name)
}
