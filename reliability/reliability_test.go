package reliability

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestKillUnderWriteLoad SIGKILLs the server in the middle of concurrent
// creates, follow-ups and claims, restarts it, and checks the database is
// whole and holds every write that got a success answer.
func TestKillUnderWriteLoad(t *testing.T) {
	data, srv, _, a, stopLoad := underLoad(t, 200, 8, 300)
	srv.kill() // mid-load: requests are in flight
	stopLoad()
	t.Logf("%d writes acknowledged before SIGKILL", a.n.Load())

	srv = start(t, data) // recovery from the WAL happens here
	srv.stop()
	db := openDB(t, filepath.Join(data, "tide.db"))
	integrityOK(t, db)
	checkContains(t, db, a.snapshot())
}

// TestBackupUnderLoadThenRestoreRoundTrip takes `tide backup` while the
// server is under write load: the file is whole and holds every write
// acknowledged before it started. Then the data is changed, `tide
// restore` (refused while the server runs) brings the backup back, and
// the data equals the backup's.
func TestBackupUnderLoadThenRestoreRoundTrip(t *testing.T) {
	data, srv, c, a, stopLoad := underLoad(t, 100, 6, 150)
	before := a.snapshot()
	backup := filepath.Join(t.TempDir(), "live.db.gz")
	code, out := tide(t, "backup", "--data", data, backup)
	n := a.n.Load()
	waitFor(t, a, n+50) // the load went on during and after the backup
	stopLoad()
	if code != 0 {
		t.Fatalf("tide backup: exit %d\n%s", code, out)
	}
	t.Logf("backup while %d → %d writes acknowledged", len(before.customers), n)

	code, out = tide(t, "restore", "--data", data, backup)
	if code == 0 || !strings.Contains(out, "another tide serve") {
		t.Fatalf("restore while serving: exit %d\n%s", code, out)
	}

	// Change the data after the backup, then stop.
	c.call("POST", "/api/v1/customers", map[string]any{"name": "备份之后新增有限公司"}, nil)
	srv.stop()

	plain := filepath.Join(t.TempDir(), "plain.db")
	if code, out := tide(t, "backup", "--data", data, plain); code != 0 { // a backup with the server stopped works too
		t.Fatalf("offline backup: %d %s", code, out)
	}
	// The gzip backup: restore into a scratch dir to read it.
	scratch := t.TempDir()
	if code, out := tide(t, "restore", "--data", scratch, backup); code != 0 {
		t.Fatalf("restore into scratch: %d %s", code, out)
	}
	bdb := openDB(t, filepath.Join(scratch, "tide.db"))
	integrityOK(t, bdb)
	checkContains(t, bdb, before)
	want := fingerprint(t, bdb)

	code, out = tide(t, "restore", "--data", data, backup)
	if code != 0 || !strings.Contains(out, "before-restore") {
		t.Fatalf("tide restore: exit %d\n%s", code, out)
	}
	srv = start(t, data)
	srv.stop()
	got := fingerprint(t, openDB(t, filepath.Join(data, "tide.db")))
	if got != want {
		t.Fatal("restored data differs from the backup")
	}
	if strings.Contains(got, "备份之后新增") {
		t.Fatal("a change made after the backup survived the restore")
	}
}
