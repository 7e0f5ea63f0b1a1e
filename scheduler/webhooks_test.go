package scheduler

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tidecrm/tide/store"
)

// receiver is a real HTTP server on 127.0.0.1 that records what it got and
// answers 500 to the first failFirst requests.
type receiver struct {
	mu        sync.Mutex
	bodies    [][]byte
	sigs      []string
	failFirst int
	srv       *httptest.Server
}

func newReceiver(t *testing.T, failFirst int) *receiver {
	r := &receiver{failFirst: failFirst}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.bodies = append(r.bodies, b)
		r.sigs = append(r.sigs, req.Header.Get("X-Tide-Signature"))
		if len(r.bodies) <= r.failFirst {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

func adminOf(t *testing.T, st *store.Store) *store.User {
	t.Helper()
	u, err := st.CreateUser(context.Background(), store.UserInput{Username: ptr("root"), Password: ptr("password1"), Role: ptr(store.RoleAdmin)})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }

func TestWebhookDelivery_SignedRetriedOnce(t *testing.T) {
	_, st := newTest(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	admin := adminOf(t, st)
	rcv := newReceiver(t, 1)
	hook, err := st.CreateWebhook(ctx, admin, store.WebhookInput{URL: ptr(rcv.srv.URL + "/tide"), Events: &[]string{store.EventCustomerCreated}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateCustomer(ctx, admin, store.CustomerInput{Name: ptr("苏州推送有限公司")})
	if err != nil {
		t.Fatal(err)
	}
	client := WebhookClient()

	// First attempt: the receiver answers 500.
	if _, err := DeliverWebhooks(ctx, st, client); err != nil {
		t.Fatal(err)
	}
	// Not due again until the back-off passes.
	if _, err := DeliverWebhooks(ctx, st, client); err != nil || rcv.count() != 1 {
		t.Fatalf("retried before the back-off: %d requests, %v", rcv.count(), err)
	}
	now = now.Add(31 * time.Second)
	if _, err := DeliverWebhooks(ctx, st, client); err != nil {
		t.Fatal(err)
	}
	// Delivered: later runs send nothing more.
	now = now.Add(time.Hour)
	if _, err := DeliverWebhooks(ctx, st, client); err != nil {
		t.Fatal(err)
	}
	if rcv.count() != 2 {
		t.Fatalf("receiver got %d requests, want 2 (one 500, one retry)", rcv.count())
	}
	for i, b := range rcv.bodies {
		if want := Sign(hook.Secret, b); rcv.sigs[i] != want {
			t.Fatalf("request %d signature %q, want %q", i, rcv.sigs[i], want)
		}
		var body struct {
			Event string         `json:"event"`
			At    time.Time      `json:"at"`
			Data  map[string]any `json:"data"`
		}
		if err := json.Unmarshal(b, &body); err != nil || body.Event != store.EventCustomerCreated || body.At.IsZero() ||
			body.Data["customer_id"] != float64(c.ID) {
			t.Fatalf("body %s (%v)", b, err)
		}
	}
	if string(rcv.bodies[0]) != string(rcv.bodies[1]) {
		t.Fatal("the retry sent a different body")
	}
	log, err := st.WebhookDeliveries(ctx, admin, hook.ID, 10)
	if err != nil || len(log) != 2 || log[0].StatusCode != 204 || log[1].StatusCode != 500 {
		t.Fatalf("delivery log %+v %v", log, err)
	}
}

func TestWebhookDelivery_DeadReceiverDoesNotBlockOthers(t *testing.T) {
	_, st := newTest(t)
	ctx := context.Background()
	admin := adminOf(t, st)
	dead := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	deadURL := dead.URL
	dead.Close() // connection refused from now on
	good := newReceiver(t, 0)
	for _, u := range []string{deadURL, good.srv.URL} {
		if _, err := st.CreateWebhook(ctx, admin, store.WebhookInput{URL: ptr(u), Events: &[]string{store.EventCustomerCreated}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CreateCustomer(ctx, admin, store.CustomerInput{Name: ptr("宁波测试公司")}); err != nil {
		t.Fatal(err)
	}
	detail, err := DeliverWebhooks(ctx, st, WebhookClient())
	if err != nil || good.count() != 1 || detail.Encode() != store.M("jobrun.webhooks", "Delivered", 1, "Failed", 1).Encode() {
		t.Fatalf("detail %+v, good got %d, %v", detail, good.count(), err)
	}
}

func TestBackupJob_WritesVerifiedFilesAndKeepsN(t *testing.T) {
	s, st := newTest(t)
	dir := filepath.Join(t.TempDir(), "backups")
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	job := s.BackupJob(BackupSettings{DailyAt: "02:00", Keep: 2, Compress: true, Dir: dir})
	for i := 0; i < 3; i++ {
		if _, err := s.RunNow(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		now = now.Add(24 * time.Hour)
	}
	list, err := store.ListBackups(dir)
	if err != nil || len(list) != 2 {
		t.Fatalf("backups %+v %v, want the newest 2", list, err)
	}
	if list[0].Name != "tide-20260304-020000.db.gz" {
		t.Fatalf("newest backup %s", list[0].Name)
	}
	plain, _, err := store.ValidateBackup(context.Background(), filepath.Join(dir, list[0].Name))
	if err != nil {
		t.Fatalf("scheduled backup does not restore: %v", err)
	}
	os.Remove(plain)
	// Two days without a backup on a server that has run for days: missed.
	now = now.Add(48 * time.Hour)
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	for _, b := range list {
		os.Chtimes(filepath.Join(dir, b.Name), now.Add(-72*time.Hour), now.Add(-72*time.Hour))
	}
	h, err := BackupHealth(context.Background(), st, dir)
	if err != nil || !h.Missed {
		t.Fatalf("health %+v %v, want missed", h, err)
	}
	detail, err := s.RunNow(context.Background(), s.BackupCheckJob(BackupSettings{DailyAt: "02:00", Dir: dir}))
	if err == nil {
		t.Fatal("backup check passed with a missed backup")
	}
	// The finding is a message (translated when shown), not English text.
	if reason, ok := detail.Args["Err"].(store.Msg); detail.Key != "jobrun.failed" || !ok || reason.Key != "jobrun.backup_missed" {
		t.Fatalf("missed backup recorded as %+v", detail)
	}
}

func TestWebhookJob_KeepsItsOwnRunsForADay(t *testing.T) {
	s, st := newTest(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	job := s.WebhookJob(time.Second)
	for i := 0; i < 3; i++ {
		if _, err := s.RunNow(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		now = now.Add(13 * time.Hour)
	}
	// Runs at 0 h, 13 h and 26 h: the third run pruned the first.
	first, err := st.FirstJobRun(context.Background())
	if err != nil || first == nil || !first.Equal(time.Date(2026, 3, 2, 22, 0, 0, 0, time.UTC)) {
		t.Fatalf("oldest kept run %v %v", first, err)
	}
}
