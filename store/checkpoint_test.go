package store

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// The writer leaves checkpoints to the background checkpointer: its own
// connection never checkpoints, yet a committed row reaches the database
// file itself (read here with immutable=1, which ignores the WAL).
func TestCheckpointerFoldsTheWALIntoTheFile(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	var auto, limit int
	if err := s.w.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("writer wal_autocheckpoint = %d, %v; want 0", auto, err)
	}
	if err := s.w.QueryRowContext(ctx, `PRAGMA journal_size_limit`).Scan(&limit); err != nil || limit != 64<<20 {
		t.Fatalf("writer journal_size_limit = %d, %v; want 64 MiB", limit, err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO report_settings (key, value) VALUES ('checkpoint_probe', 42)`); err != nil {
		t.Fatal(err)
	}
	file, err := sql.Open("sqlite", "file:"+s.Path()+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	file.SetMaxOpenConns(1)
	deadline := time.Now().Add(20 * checkpointEvery)
	for {
		// A fresh connection each time: an immutable one caches pages.
		file.SetMaxIdleConns(0)
		var v int
		err := file.QueryRowContext(ctx, `SELECT value FROM report_settings WHERE key = 'checkpoint_probe'`).Scan(&v)
		if err == nil && v == 42 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("row not in the database file after %s: %v", 20*checkpointEvery, err)
		}
		time.Sleep(checkpointEvery / 4)
	}
}
