package app

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
)

// Every documented operation must be exercised by at least one test
// through testClient.do, so that the validator has seen a real response
// of it: an operation no test calls could drift from the code unnoticed.
// checkAgainstSpec records each operation it validates; TestMain compares
// the record with the document once the whole package has run.

// operationSet is a set of "METHOD /path" strings safe for parallel tests.
type operationSet struct {
	mu  sync.Mutex
	ops map[string]bool
}

func (s *operationSet) add(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ops == nil {
		s.ops = map[string]bool{}
	}
	s.ops[op] = true
}

func (s *operationSet) has(op string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops[op]
}

// specCalled holds the operations validated during this test run.
var specCalled operationSet

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && wholeSuiteRan() {
		if missing, err := uncalledOperations(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: OpenAPI coverage:", err)
			code = 1
		} else if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: %d documented API operations are called by no test through testClient.do:\n", len(missing))
			for _, op := range missing {
				fmt.Fprintln(os.Stderr, "    "+op)
			}
			code = 1
		}
	}
	os.Exit(code)
}

// wholeSuiteRan reports whether every test of the package ran: with -run,
// -skip or -short only some did, and the coverage check would be noise.
func wholeSuiteRan() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return !testing.Short()
}

// uncalledOperations lists, sorted, the documented operations no test
// has called.
func uncalledOperations() ([]string, error) {
	documented, err := documentedOperations()
	if err != nil {
		return nil, err
	}
	var missing []string
	for op := range documented {
		if !specCalled.has(op) {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	return missing, nil
}
