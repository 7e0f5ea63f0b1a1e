package store

import (
	"context"
	"sync"
	"testing"
)

var lowCost sync.Once

// OpenTest opens a fresh, migrated database in a temp dir for one test and
// closes it when the test ends. Other packages' tests use it too.
func OpenTest(tb testing.TB) *Store {
	tb.Helper()
	lowCost.Do(func() { BcryptCost = 4 })
	s, err := Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
