package cli

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/tidecrm/tide/store"
)

// The Go benchmarks run the cases of `tide bench` on a small seeded data
// dir (20,000 customers; TIDE_BENCH_CUSTOMERS changes it), so that
//
//	go test -run '^$' -bench . ./cli/
//
// works without a million-customer seed. Each benchmark function seeds its
// own temporary dir once; plain `go test` runs none of this.

func benchStore(b *testing.B) *benchEnv {
	b.Helper()
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("TIDE_BENCH_CUSTOMERS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	st, err := store.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if _, err := seedData(ctx, st, seedOptions{Customers: n, Users: 60, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	env, err := newBenchEnv(ctx, st, 1)
	if err != nil {
		b.Fatal(err)
	}
	return env
}

// runBenchCases runs the cases whose name starts with prefix as
// sub-benchmarks named after them.
func runBenchCases(b *testing.B, prefix string) {
	env := benchStore(b)
	ctx := context.Background()
	for _, c := range env.cases() {
		if !strings.HasPrefix(c.name, prefix) {
			continue
		}
		b.Run(strings.ReplaceAll(strings.TrimPrefix(c.name, prefix), " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if err := c.run(ctx, i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkListCustomers: the list page (50 rows) for an admin, a manager
// and a salesperson, with each filter and each sort.
func BenchmarkListCustomers(b *testing.B) { runBenchCases(b, "list ") }

// BenchmarkSearchCustomers: search by 2, 3 and 6 Chinese characters and
// by 4 digits of a phone number, for each role.
func BenchmarkSearchCustomers(b *testing.B) { runBenchCases(b, "search ") }

// BenchmarkCheckDuplicates: the entry form's live duplicate check.
func BenchmarkCheckDuplicates(b *testing.B) { runBenchCases(b, "duplicate check") }

// BenchmarkSeed measures the bulk loader: b.N batches of 1,000 customers.
func BenchmarkSeed(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.ResetTimer()
	if _, err := seedData(ctx, st, seedOptions{Customers: 1000 * b.N, Users: 30, Seed: 1, Batch: 1000}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "customers/s")
}
