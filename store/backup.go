package store

import (
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Backups are whole-database copies made with VACUUM INTO from a separate
// read-only connection: SQLite writes a consistent snapshot (one read
// transaction) into a fresh file, so people keep working while it runs and
// there is never a live file with a -wal beside it. Nothing here needs the
// data-dir lock, so `tide backup` works while `tide serve` runs.

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// BackupFile writes a verified backup of the database at dbPath to dest:
// VACUUM INTO a temporary file beside dest, PRAGMA integrity_check on it,
// optionally gzip it, then rename into place, so dest is either the whole
// good backup or untouched.
func BackupFile(ctx context.Context, dbPath, dest string, compress bool) error {
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("backup: no database at %s: %w", dbPath, err)
	}
	tmp := dest + ".tmp-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	defer os.Remove(tmp)
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("backup: open: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("backup: vacuum into: %w", err)
	}
	if err := checkIntegrity(ctx, tmp); err != nil {
		return err
	}
	if compress {
		gz := tmp + ".gz"
		defer os.Remove(gz)
		if err := copyFile(tmp, gz, true); err != nil {
			return err
		}
		tmp = gz
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// Backup writes a verified backup of this store's database to dest.
func (s *Store) Backup(ctx context.Context, dest string, compress bool) error {
	return BackupFile(ctx, s.path, dest, compress)
}

// checkIntegrity opens path read-only and runs PRAGMA integrity_check.
func checkIntegrity(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}

// copyFile copies src to dest, gzip-compressing when gz is set.
func copyFile(src, dest string, gz bool) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dest)
	if err != nil {
		return err
	}
	if !gz {
		_, err = io.Copy(out, in)
		return errors.Join(err, out.Close())
	}
	zw := gzip.NewWriter(out)
	_, err = io.Copy(zw, in)
	return errors.Join(err, zw.Close(), out.Close())
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// BackupInfo is one stored backup file.
type BackupInfo struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// backupNameRe matches the names the scheduled and manual backups get.
var backupNameRe = regexp.MustCompile(`^tide-\d{8}-\d{6}\.db(\.gz)?$`)

// BackupName is the file name of a backup taken at t.
func BackupName(t time.Time, compress bool) string {
	n := "tide-" + t.UTC().Format("20060102-150405") + ".db"
	if compress {
		n += ".gz"
	}
	return n
}

// ValidBackupName reports whether name is a backup file name (never a path).
func ValidBackupName(name string) bool { return backupNameRe.MatchString(name) }

// ListBackups lists the backups in dir, newest first.
func ListBackups(dir string) ([]BackupInfo, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []BackupInfo
	for _, e := range entries {
		if !ValidBackupName(e.Name()) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, BackupInfo{Name: e.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name > out[j].Name })
	return out, nil
}

// PruneBackups deletes all but the newest keep backups in dir.
func PruneBackups(dir string, keep int) (int, error) {
	list, err := ListBackups(dir)
	if err != nil || keep <= 0 || len(list) <= keep {
		return 0, err
	}
	n := 0
	for _, b := range list[keep:] {
		if err := os.Remove(filepath.Join(dir, b.Name)); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// BackupError is a refused restore file, with a catalogue key for the
// browser and plain English for the shell.
type BackupError struct {
	Key  string
	Args map[string]any
	Text string
}

func (e *BackupError) Error() string { return e.Text }

func refuse(key, text string, kv ...any) *BackupError {
	return &BackupError{Key: key, Args: M(key, kv...).Args, Text: text}
}

// ValidateBackup checks that path (plain or gzip) is a healthy Tide
// database this binary can use, and returns the path of a plain copy to
// restore from (the caller removes it) and its schema version.
func ValidateBackup(ctx context.Context, path string) (plain string, version int64, err error) {
	plain, err = plainCopy(path)
	if err != nil {
		return "", 0, err
	}
	defer func() {
		if err != nil {
			os.Remove(plain)
			plain = ""
		}
	}()
	if err := checkIntegrity(ctx, plain); err != nil {
		return "", 0, refuse("backup.err_integrity", "the file fails the integrity check ("+err.Error()+")")
	}
	version, err = tideVersion(ctx, plain)
	if err != nil {
		return "", 0, err
	}
	if known := KnownSchemaVersion(); version > known {
		return "", 0, refuse("backup.err_newer", fmt.Sprintf("the file comes from a newer Tide (schema %d; this binary knows up to %d)", version, known),
			"Version", version, "Known", known)
	}
	return plain, version, nil
}

// plainCopy copies path (gunzipping it when compressed) to a temp file in
// the same directory and checks the SQLite header.
func plainCopy(path string) (string, error) {
	in, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	head := make([]byte, 2)
	n, _ := io.ReadFull(in, head)
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	var r io.Reader = in
	if n == 2 && head[0] == gzipMagic[0] && head[1] == gzipMagic[1] {
		zr, err := gzip.NewReader(in)
		if err != nil {
			return "", refuse("backup.err_not_sqlite", "the file is not a SQLite database")
		}
		r = zr
	}
	out, err := os.CreateTemp(filepath.Dir(path), ".restore-*.db")
	if err != nil {
		out, err = os.CreateTemp("", ".restore-*.db")
		if err != nil {
			return "", err
		}
	}
	_, cerr := io.Copy(out, r)
	if err := errors.Join(cerr, out.Close()); err != nil {
		os.Remove(out.Name())
		return "", refuse("backup.err_not_sqlite", "the file is not a SQLite database (or is damaged): "+err.Error())
	}
	if !hasSQLiteHeader(out.Name()) {
		os.Remove(out.Name())
		return "", refuse("backup.err_not_sqlite", "the file is not a SQLite database")
	}
	return out.Name(), nil
}

func hasSQLiteHeader(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(sqliteMagic))
	_, err = io.ReadFull(f, b)
	return err == nil && string(b) == sqliteMagic
}

// tideTables must all exist in a Tide database of any version.
var tideTables = []string{"goose_db_version", "users", "departments", "sessions", "settings"}

// tideVersion returns the goose schema version of the database at path,
// refusing one that is not a Tide database.
func tideVersion(ctx context.Context, path string) (int64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	for _, t := range tideTables {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, t).Scan(&n); err != nil {
			return 0, refuse("backup.err_not_sqlite", "the file is not a readable SQLite database: "+err.Error())
		}
		if n == 0 {
			return 0, refuse("backup.err_not_tide", "the file is a SQLite database but not a Tide database (no "+t+" table)")
		}
	}
	var v int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id),0) FROM goose_db_version WHERE is_applied`).Scan(&v); err != nil {
		return 0, refuse("backup.err_not_tide", "the file has no readable schema version: "+err.Error())
	}
	return v, nil
}

// KnownSchemaVersion is the newest migration compiled into this binary.
func KnownSchemaVersion() int64 {
	entries, _ := fs.ReadDir(migrations, "migrations")
	var v int64
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		if n, err := strconv.ParseInt(num, 10, 64); err == nil && n > v {
			v = n
		}
	}
	return v
}

// RestoreResult says what a restore did.
type RestoreResult struct {
	FromVersion int64
	Version     int64
	// Aside is where the replaced database was kept ("" when there was none).
	Aside string
}

// RestoreFile replaces the database in dataDir with the backup at src. The
// caller must make sure no server uses dataDir (the CLI holds the lock; the
// server calls it with its store closed). The backup is validated and
// migrated to the newest schema on a copy first; only then is the current
// database (checkpointed, so it is whole) renamed to
// tide.db.before-restore-<time> and the copy moved into place. A refused
// file changes nothing.
func RestoreFile(ctx context.Context, dataDir, src string) (*RestoreResult, error) {
	plain, from, err := ValidateBackup(ctx, src)
	if err != nil {
		return nil, err
	}
	defer os.Remove(plain)
	staged := filepath.Join(dataDir, FileName+".restore-tmp")
	removeDB(staged)
	if err := moveFile(plain, staged); err != nil {
		return nil, err
	}
	defer removeDB(staged)
	migrated, err := OpenFile(ctx, staged)
	if err != nil {
		return nil, fmt.Errorf("restore: bring the backup up to date: %w", err)
	}
	version, _ := migrated.SchemaVersion(ctx)
	if err := errors.Join(migrated.checkpoint(ctx), migrated.Close()); err != nil {
		return nil, err
	}
	res := &RestoreResult{FromVersion: from, Version: version}
	live := filepath.Join(dataDir, FileName)
	if _, err := os.Stat(live); err == nil {
		if err := checkpointFile(ctx, live); err != nil {
			return nil, fmt.Errorf("restore: settle the current database: %w", err)
		}
		res.Aside = live + ".before-restore-" + time.Now().UTC().Format("20060102-150405")
		if err := os.Rename(live, res.Aside); err != nil {
			return nil, err
		}
		removeSidecars(live)
	}
	if err := os.Rename(staged, live); err != nil {
		return nil, err
	}
	return res, nil
}

// checkpoint folds the WAL into the main file so the file alone is whole.
func (s *Store) checkpoint(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// checkpointFile checkpoints the database at path through a short-lived
// connection (recovering a WAL left by a crash) and closes it.
func checkpointFile(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return errors.Join(err, db.Close())
}

func removeSidecars(path string) {
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
}

func removeDB(path string) {
	os.Remove(path)
	removeSidecars(path)
}

// moveFile renames, falling back to copy+remove across file systems.
func moveFile(src, dest string) error {
	if err := os.Rename(src, dest); err == nil {
		return nil
	}
	if err := copyFile(src, dest, false); err != nil {
		return err
	}
	return os.Remove(src)
}

// FirstJobRun is when the first recorded job ran (nil: none yet): roughly
// since when a server has been running this database, so a fresh install
// is not reported as having missed its backup.
func (s *Store) FirstJobRun(ctx context.Context) (*time.Time, error) {
	var at sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT min(started_at) FROM job_runs`).Scan(&at); err != nil {
		return nil, fmt.Errorf("store: first job run: %w", err)
	}
	return nullTime(at), nil
}
