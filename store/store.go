// Package store is Tide's SQLite persistence and the home of its domain
// rules: every user action is one method here that runs one transaction and
// checks its rules inside it, so the web UI, the JSON API, importers and the
// scheduler all obey the same rules.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file inside the data directory.
const FileName = "tide.db"

// Store holds two handles on one SQLite file: a single-connection writer,
// so writers queue in Go instead of failing with SQLITE_BUSY, and a pool of
// readers that WAL lets run beside it.
type Store struct {
	w    *sql.DB
	r    *sql.DB
	ckpt *walCheckpointer
	path string
	// Now is the clock; tests move it to exercise day- and time-based rules.
	Now func() time.Time
	// Location is the company time zone: calendar-day rules ("10 claims a
	// day", "due today") count days here. Set from config at start-up.
	Location *time.Location
	// Self lists this server's own addresses, so a webhook cannot point
	// back at it (set by the server; nil in the shell and most tests).
	Self SelfAddresses
	// Mail is the email configuration from config (outbox.go); the admin
	// email page's settings override its SMTP part.
	Mail MailConfig
}

// pragmas are applied to every connection; busy_timeout comes first so the
// others can wait for a lock instead of failing.
const pragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_txlock=immediate"

// Page caches: 32 MiB for the one writer (a recycle or import batch
// rewrites pages all over the customers' indexes), 4 MiB for each reader.
// The readers are many, a report's GROUP BY sorts within its connection's
// cache budget, and each cached page costs about twice its size in the
// allocator: at 32 MiB each, the 1M-customer reports took the process to
// 400 MB resident (the target is 200 MB); at 4 MiB, 177 MB, with the same
// report, list and search times (docs/benchmarks.md). The operating system
// caches the file for all of them.
const (
	writerCache = "&_pragma=cache_size(-32000)"
	readerCache = "&_pragma=cache_size(-4000)"
)

// Open opens (creating when missing) the database in dir and migrates it.
func Open(ctx context.Context, dir string) (*Store, error) {
	path := filepath.Join(dir, FileName)
	return OpenFile(ctx, path)
}

// OpenFile opens the database at path and migrates it to the newest schema.
func OpenFile(ctx context.Context, path string) (*Store, error) {
	if err := refuseNewer(ctx, path); err != nil {
		return nil, err
	}
	// The writer never checkpoints itself; walCheckpointer does, beside it.
	// When the WAL starts over after a checkpoint, the writer cuts a file
	// that a long burst of writes grew back to 64 MiB.
	w, err := sql.Open("sqlite", "file:"+path+pragmas+writerCache+"&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)")
	if err != nil {
		return nil, fmt.Errorf("store: open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", "file:"+path+pragmas+readerCache+"&mode=ro")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	n := max(4, runtime.NumCPU()*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.UTC
	}
	s := &Store{w: w, r: r, path: path, Now: time.Now, Location: loc}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if s.ckpt, err = startCheckpointer(path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// refuseNewer checks, through a read-only connection that changes nothing,
// that an existing database at path was not written by a newer Tide: its
// schema would be unknown to this binary's rules, so it is not touched.
func refuseNewer(ctx context.Context, path string) error {
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil
	}
	defer db.Close()
	var v int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id),0) FROM goose_db_version WHERE is_applied`).Scan(&v); err != nil {
		return nil // no goose table yet: a new or foreign file; migrate decides
	}
	if known := KnownSchemaVersion(); v > known {
		return fmt.Errorf("store: %s has schema version %d, newer than this tide binary knows (%d); "+
			"run the newer tide that wrote it, or restore a backup made by this version — the file was not changed", path, v, known)
	}
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, s.w, mustSub(migrations, "migrations"))
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// SchemaVersion reports the newest migration applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id),0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	return v, err
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Close stops the checkpointer and closes the handles.
func (s *Store) Close() error {
	var err error
	if s.ckpt != nil {
		err = s.ckpt.Close()
	}
	return errors.Join(err, s.r.Close(), s.w.Close())
}

// Ping proves the database answers; /healthz uses it.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// tx runs fn in one write transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return storageError(fmt.Errorf("store: begin: %w", err))
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return storageError(err)
	}
	return storageError(tx.Commit())
}

// Optimize runs PRAGMA optimize and truncates the WAL; the daily maintenance
// job calls it so query plans stay good and the -wal file does not grow.
func (s *Store) Optimize(ctx context.Context) (Msg, error) {
	if _, err := s.w.ExecContext(ctx, "PRAGMA optimize"); err != nil {
		return Msg{}, fmt.Errorf("store: optimize: %w", err)
	}
	var busy, logFrames, ckpt int
	if err := s.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &ckpt); err != nil {
		return Msg{}, fmt.Errorf("store: checkpoint: %w", err)
	}
	return M("jobrun.optimize", "Busy", busy, "Log", logFrames, "Done", ckpt), nil
}

// now is the store clock in UTC.
func (s *Store) now() time.Time { return s.Now().UTC() }
