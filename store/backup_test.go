package store

import (
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pressly/goose/v3"
)

// backupTestStore is a store with an admin and n customers.
func backupTestStore(t *testing.T, n int) (*Store, *User) {
	t.Helper()
	s := OpenTest(t)
	admin := mustUser(t, s, "boss", RoleAdmin, nil)
	for i := 0; i < n; i++ {
		mustCustomer(t, s, admin, CustomerInput{Name: ptr("客户" + strconv.Itoa(i))})
	}
	return s, admin
}

func mustUser(t *testing.T, s *Store, username, role string, dept *int64) *User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), UserInput{Username: &username, Password: ptr("password1"), Role: &role, DepartmentID: dept})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustCustomer(t *testing.T, s *Store, actor *User, in CustomerInput) *Customer {
	t.Helper()
	c, err := s.CreateCustomer(context.Background(), actor, in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func countRows(t *testing.T, path, table string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s in %s: %v", table, path, err)
	}
	return n
}

func TestBackupWhileWriting(t *testing.T) {
	s, admin := backupTestStore(t, 20)
	ctx := context.Background()
	var wg sync.WaitGroup
	var stop atomic.Bool
	var written atomic.Int64
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				if _, err := s.CreateCustomer(ctx, admin, CustomerInput{Name: ptr("并发" + strconv.Itoa(w) + "-" + strconv.Itoa(i))}); err == nil {
					written.Add(1)
				}
			}
		}(w)
	}
	before := 20 + int(written.Load())
	dest := filepath.Join(t.TempDir(), "b.db")
	err := s.Backup(ctx, dest, false)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkIntegrity(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, dest, "customers"); got < before {
		t.Fatalf("backup has %d customers, %d were written before it started", got, before)
	}
	if _, err := os.Stat(dest + "-wal"); err == nil {
		t.Error("backup left a -wal file beside it")
	}
}

func TestRestoreRoundTripAndGzip(t *testing.T) {
	s, admin := backupTestStore(t, 3)
	ctx := context.Background()
	dir := t.TempDir()
	plain, gz := filepath.Join(dir, "b.db"), filepath.Join(dir, "b.db.gz")
	for _, f := range []struct {
		path string
		gz   bool
	}{{plain, false}, {gz, true}} {
		if err := s.Backup(ctx, f.path, f.gz); err != nil {
			t.Fatal(err)
		}
	}
	if hasSQLiteHeader(gz) {
		t.Fatal("compressed backup is not gzip")
	}
	mustCustomer(t, s, admin, CustomerInput{Name: ptr("备份之后")})

	for _, src := range []string{plain, gz} {
		data := t.TempDir()
		// The data dir holds a different database that the restore replaces.
		other, err := Open(ctx, data)
		if err != nil {
			t.Fatal(err)
		}
		other.Close()
		res, err := RestoreFile(ctx, data, src)
		if err != nil {
			t.Fatalf("restore %s: %v", src, err)
		}
		if res.Aside == "" || countRows(t, res.Aside, "customers") != 0 {
			t.Fatalf("replaced database not kept aside: %+v", res)
		}
		if got := countRows(t, filepath.Join(data, FileName), "customers"); got != 3 {
			t.Fatalf("restored %d customers, want the backup's 3", got)
		}
	}
}

func TestRestoreRefusesBadFiles(t *testing.T) {
	ctx := context.Background()
	s, _ := backupTestStore(t, 2)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	if err := s.Backup(ctx, good, false); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	png := write("photo.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR rest of an image"))
	truncated := write("truncated.db", raw[:len(raw)/3])
	foreign := filepath.Join(dir, "other-app.db")
	db, _ := sql.Open("sqlite", "file:"+foreign)
	if _, err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hi')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	newer := write("newer.db", raw)
	db, _ = sql.Open("sqlite", "file:"+newer)
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	gzJunk := filepath.Join(dir, "junk.gz")
	f, _ := os.Create(gzJunk)
	zw := gzip.NewWriter(f)
	zw.Write([]byte("not a database at all"))
	zw.Close()
	f.Close()

	data := t.TempDir()
	live, err := Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	live.Close()
	liveBytes, _ := os.ReadFile(filepath.Join(data, FileName))
	for name, path := range map[string]string{"image": png, "truncated": truncated, "other app": foreign,
		"newer": newer, "gzip junk": gzJunk, "missing": filepath.Join(dir, "nope.db")} {
		_, err := RestoreFile(ctx, data, path)
		if err == nil {
			t.Errorf("%s: restore accepted it", name)
			continue
		}
		var be *BackupError
		if name != "missing" && !errors.As(err, &be) {
			t.Errorf("%s: error %v is not a BackupError", name, err)
		}
		t.Logf("%s refused: %v", name, err)
		after, _ := os.ReadFile(filepath.Join(data, FileName))
		if string(after) != string(liveBytes) {
			t.Fatalf("%s: the live database changed on refusal", name)
		}
		entries, _ := os.ReadDir(data)
		for _, e := range entries {
			if strings.Contains(e.Name(), "before-restore") || strings.Contains(e.Name(), "restore-tmp") {
				t.Fatalf("%s: refusal left %s behind", name, e.Name())
			}
		}
	}
}

// TestUpgradeFromOldestSchema builds a database with only the first two
// migrations, fills it the way that version did, and opens it with this
// binary: every migration since runs and the data is intact and usable.
func TestUpgradeFromOldestSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	db, err := sql.Open("sqlite", "file:"+path+pragmas)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, mustSub(migrations, "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 2); err != nil {
		t.Fatal(err)
	}
	lowCost.Do(func() { BcryptCost = 4 })
	for _, q := range []string{
		`INSERT INTO departments (id, name, created_at) VALUES (1, '华东销售部', 1700000000)`,
		`INSERT INTO users (id, username, name, role, department_id, password_hash, created_at, updated_at)
			VALUES (1, 'old', '老用户', 'sales', 1, '$2a$04$invalidinvalidinvalidinvalidinvalidinvalidinvalidinva', 1700000000, 1700000000)`,
		`INSERT INTO customers (id, name, phone, owner_id, created_by, created_at, updated_at, last_followup_at)
			VALUES (1, '上海老客户有限公司', '13800138000', 1, 1, 1700000000, 1700000000, 1700000500)`,
		`INSERT INTO contacts (customer_id, name, phone, created_at, updated_at) VALUES (1, '王经理', '13900139000', 1700000000, 1700000000)`,
		`INSERT INTO followups (customer_id, kind, content, at, created_by, created_at) VALUES (1, 'call', '电话沟通需求', 1700000500, 1, 1700000500)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	if v, _ := s.SchemaVersion(ctx); v != KnownSchemaVersion() {
		t.Fatalf("schema %d after upgrade, want %d", v, KnownSchemaVersion())
	}
	u, err := s.User(ctx, 1)
	if err != nil || u.Name != "老用户" || u.DepartmentID == nil || *u.DepartmentID != 1 {
		t.Fatalf("user after upgrade: %+v %v", u, err)
	}
	c, err := s.Customer(ctx, u, 1)
	if err != nil || c.Name != "上海老客户有限公司" || c.Phone != "13800138000" {
		t.Fatalf("customer after upgrade: %+v %v", c, err)
	}
	fs, err := s.Followups(ctx, u, 1, 10)
	if err != nil || len(fs) != 1 || fs[0].Content != "电话沟通需求" {
		t.Fatalf("follow-ups after upgrade: %+v %v", fs, err)
	}
	// The upgraded database takes new writes under today's rules.
	if _, err := s.AddFollowup(ctx, u, 1, FollowupInput{Kind: "visit", Content: "升级后拜访"}); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesNewerSchemaUntouched(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, KnownSchemaVersion()+5); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(s.checkpoint(ctx), s.Close()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName)
	before, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	_, err = Open(ctx, dir)
	if err == nil || !strings.Contains(err.Error(), "newer than this tide binary") {
		t.Fatalf("open of a newer database: %v", err)
	}
	after, _ := os.ReadFile(path)
	st2, _ := os.Stat(path)
	if string(before) != string(after) || !st.ModTime().Equal(st2.ModTime()) {
		t.Fatal("the newer database was modified")
	}
}
