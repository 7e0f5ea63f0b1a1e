package scheduler

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tidecrm/tide/store"
)

func newTest(t *testing.T) (*Scheduler, *store.Store) {
	t.Helper()
	st := store.OpenTest(t)
	s, err := New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

func TestRunNow_RecordsOutcome(t *testing.T) {
	s, st := newTest(t)
	ctx := context.Background()
	done := store.M("jobrun.recycle", "Recycled", 3, "Warned", 0)
	ok := Job{Name: "good", Every: time.Hour, Run: func(context.Context) (store.Msg, error) { return done, nil }}
	bad := Job{Name: "bad", Every: time.Hour, Run: func(context.Context) (store.Msg, error) { return store.Msg{}, errors.New("disk full") }}
	if _, err := s.RunNow(ctx, ok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunNow(ctx, bad); err == nil {
		t.Fatal("failing job reported no error")
	}
	for _, c := range []struct {
		job, detail string
		ok          bool
	}{{"good", done.Encode(), true}, {"bad", store.M("jobrun.failed", "Err", "disk full").Encode(), false}} {
		r, err := st.LastJobRun(ctx, c.job)
		if err != nil || r == nil || r.OK == nil || *r.OK != c.ok || r.Detail != c.detail || r.FinishedAt == nil {
			t.Fatalf("%s: run %+v, %v", c.job, r, err)
		}
	}
}

func TestStandard_RunsAtStartAndStopsCleanly(t *testing.T) {
	s, st := newTest(t)
	if err := s.Standard(time.Hour); err != nil {
		t.Fatal(err)
	}
	s.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, _ := st.LastJobRun(context.Background(), "pool_recycle")
		if r != nil && r.FinishedAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("pool_recycle did not run at start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	names := map[string]bool{}
	for _, j := range s.Jobs() {
		names[j.Name] = true
		if j.NextRun.IsZero() {
			t.Errorf("%s has no next run", j.Name)
		}
	}
	if !names["db_maintenance"] || !names["session_cleanup"] || !names["pool_recycle"] {
		t.Fatalf("jobs = %v", names)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestDBMaintenance_Runs(t *testing.T) {
	_, st := newTest(t)
	detail, err := st.Optimize(context.Background())
	if err != nil || detail.Key != "jobrun.optimize" {
		t.Fatalf("optimize: %+v %v", detail, err)
	}
}
