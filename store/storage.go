package store

import (
	"context"
	"errors"
	"fmt"
)

// CodeUnavailable is a write refused because storage cannot take it (disk
// full, read-only data dir, I/O error). It maps to 503: reads keep
// working, and writes succeed again once the space or permission returns.
const CodeUnavailable = "unavailable"

// SQLite primary result codes that mean "the storage cannot take this
// write" rather than a bug or a rule.
const (
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteCantOpen = 14
)

// errStorage is the user's message for every storage failure.
var errStorage = &Error{Code: CodeUnavailable, Msg: M("err.storage_unavailable")}

// storageError turns a SQLite full/read-only/I/O failure into errStorage
// (wrapping the original for the log); other errors pass unchanged.
func storageError(err error) error {
	var coded interface{ Code() int }
	if err == nil || !errors.As(err, &coded) {
		return err
	}
	switch coded.Code() & 0xff {
	case sqliteReadOnly, sqliteIOErr, sqliteFull, sqliteCantOpen:
		return &storageFailure{cause: err}
	}
	return err
}

// storageFailure is errStorage carrying its cause.
type storageFailure struct{ cause error }

func (f *storageFailure) Error() string { return "storage unavailable: " + f.cause.Error() }

// As lets AsError find the user-facing *Error.
func (f *storageFailure) As(target any) bool {
	if t, ok := target.(**Error); ok {
		*t = errStorage
		return true
	}
	return false
}

func (f *storageFailure) Unwrap() error { return f.cause }

// defaultMaxPages is SQLite's own limit on database pages.
const defaultMaxPages = 4294967294

// SetMaxSize caps the database at about bytes (0 lifts the cap). Writes
// past it fail like a full disk; tests use it to prove the server degrades
// to read-only with a clear message and recovers when space returns.
func (s *Store) SetMaxSize(ctx context.Context, bytes int64) error {
	var pageSize int64
	if err := s.w.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return err
	}
	pages := int64(defaultMaxPages)
	if bytes > 0 {
		pages = max(bytes/pageSize, 1)
	}
	var got int64
	if err := s.w.QueryRowContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)).Scan(&got); err != nil {
		return err
	}
	return nil
}
