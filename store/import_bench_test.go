package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU (user + system) this process has used: on a shared
// machine it is steadier than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage reports the 1-minute load average, so a figure measured on a
// busy machine says so.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// benchRows builds n distinct rows shaped like a real customer list:
// company, mobile, email, industry, region, a contact and a phone.
func benchRows(n int) ([]string, []ImportRow) {
	header := []string{"客户名称", "手机", "邮箱", "行业", "地区", "联系人", "联系人电话"}
	rows := make([]ImportRow, n)
	for i := range rows {
		rows[i] = ImportRow{Line: i + 2, Cells: []string{
			fmt.Sprintf("杭州云帆%06d信息科技有限公司", i),
			fmt.Sprintf("139%08d", i),
			fmt.Sprintf("info%d@yunfan%d.cn", i, i),
			"软件", "浙江",
			fmt.Sprintf("王%d", i),
			fmt.Sprintf("137%08d", i),
		}}
	}
	return header, rows
}

// benchStore is a fresh test database, or with TIDE_BENCH_DATA=<data dir>
// a copy of that one (say, one filled by tide seed --customers 1000000),
// and a salesperson to import as.
func benchStore(t *testing.T) (*Store, *User) {
	t.Helper()
	dir := os.Getenv("TIDE_BENCH_DATA")
	if dir == "" {
		f := newFixture(t)
		return f.s, f.salesA
	}
	src, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), FileName)
	if _, err := src.w.Exec(`VACUUM INTO ?`, dst); err != nil {
		t.Fatal(err)
	}
	src.Close()
	st, err := OpenFile(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var id int64
	if err := st.r.QueryRow(`SELECT id FROM users WHERE role = 'sales' AND active ORDER BY id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	u, err := st.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return st, u
}

// TestImport_100kRows_Timed measures the target (100,000 rows in
// under 30 s). It is a measurement, not a unit test: run it with
// TIDE_BENCH=1 go test -run Import_100k -v ./store/
func TestImport_100kRows_Timed(t *testing.T) {
	if os.Getenv("TIDE_BENCH") == "" {
		t.Skip("set TIDE_BENCH=1 to run the 100k-row import measurement")
	}
	n := 100_000
	if v := os.Getenv("TIDE_BENCH_ROWS"); v != "" {
		fmt.Sscan(v, &n)
	}
	st, actor := benchStore(t)
	header, rows := benchRows(n)
	req := ImportRequest{FileName: "bench.csv", Header: header, Rows: rows, Mapping: GuessMapping(header)}
	cpu0 := cpuTime()
	start := time.Now()
	last := time.Now()
	progress := func(done, total int) {
		if done%10000 == 0 || done == total {
			t.Logf("%6d rows: +%s", done, time.Since(last).Round(time.Millisecond))
			last = time.Now()
		}
	}
	res, err := st.Import(context.Background(), actor, req, progress)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	cpu := cpuTime() - cpu0
	if res.Created+len(res.Skipped) != n || (os.Getenv("TIDE_BENCH_DATA") == "" && res.Created != n) {
		t.Fatalf("created %d of %d; first skip %+v", res.Created, n, res.Skipped[:min(1, len(res.Skipped))])
	}
	var existing int
	_ = st.r.QueryRow(`SELECT count(*) FROM customers`).Scan(&existing)
	t.Logf("imported %d rows (with primary contacts; %d created, %d skipped as duplicates) into a database of %d customers "+
		"in %s on %d cores (%.0f rows/s; %s CPU, load average %s)", n, res.Created, len(res.Skipped), existing-res.Created,
		took.Round(10*time.Millisecond), runtime.NumCPU(), float64(n)/took.Seconds(), cpu.Round(10*time.Millisecond), loadAverage())
	if took > 30*time.Second {
		t.Errorf("import took %s, target is 30 s", took)
	}
}

// TestRevertImport_100kRows_Timed measures reverting the 100,000-row
// import (TIDE_BENCH=1, like the import measurement).
func TestRevertImport_100kRows_Timed(t *testing.T) {
	if os.Getenv("TIDE_BENCH") == "" {
		t.Skip("set TIDE_BENCH=1 to run the 100k-row revert measurement")
	}
	n := 100_000
	if v := os.Getenv("TIDE_BENCH_ROWS"); v != "" {
		fmt.Sscan(v, &n)
	}
	f := newFixture(t)
	header, rows := benchRows(n)
	res, err := f.s.Import(context.Background(), f.salesA, ImportRequest{FileName: "bench.csv", Header: header, Rows: rows, Mapping: GuessMapping(header)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cpu0 := cpuTime()
	start := time.Now()
	rv, err := f.s.RevertImport(context.Background(), f.salesA, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if rv.Removed != n {
		t.Fatalf("removed %d of %d", rv.Removed, n)
	}
	t.Logf("reverted %d rows in %s on %d cores (%s CPU, load average %s)", n, took.Round(10*time.Millisecond), runtime.NumCPU(),
		(cpuTime() - cpu0).Round(10*time.Millisecond), loadAverage())
}
