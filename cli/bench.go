package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/tidecrm/tide/app"
	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
)

// Targets from DESIGN.md "Non-functional targets" and the customers issue.
const (
	targetList   = 50 * time.Millisecond
	targetSearch = 100 * time.Millisecond
	targetDedup  = 10 * time.Millisecond
	targetRSS    = 200 << 20
)

// benchCmd is `tide bench`: latencies of the customer list, search and
// duplicate check on a seeded data dir, through the same store methods the
// handlers call.
func benchCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stderr)
	data := fs.String("data", "", "data directory (default from config, ./data)")
	cfgFile := fs.String("config", "", "config file")
	duration := fs.Duration("duration", 2*time.Second, "time spent on each case")
	minRuns := fs.Int("min-runs", 30, "runs of each case at least, however long they take")
	only := fs.String("only", "", "run only the cases whose name contains this")
	withHTTP := fs.Bool("http", true, "also time the list page through the real app over loopback HTTP")
	seedVal := fs.Uint64("seed", 1, "seed for picking users, filter values and search terms")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgFile, map[string]string{"data.dir": *data})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := os.Stat(cfg.Data.Dir + "/" + store.FileName); err != nil {
		return fmt.Errorf("%s: %w", cfg.Data.Dir, errNoCustomers)
	}
	st, err := store.Open(ctx, cfg.Data.Dir)
	if err != nil {
		return err
	}
	defer st.Close()
	st.Location = cfg.Location
	env, err := newBenchEnv(ctx, st, *seedVal)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "tide bench: %s (%s), %d customers; %d CPUs (GOMAXPROCS %d), %s\n", st.Path(), fileSize(st.Path()),
		env.customers, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Fprintf(stdout, "users: admin %s; manager %s (sees %d owners' customers); sales %s (owns %d)\n\n",
		env.admin.Username, env.manager.Username, env.managerOwners, env.sales.Username, env.salesOwned)
	cases := env.cases()
	if *withHTTP {
		hc, stopHTTP, err := env.httpCases(ctx, cfg)
		if err != nil {
			return fmt.Errorf("http cases: %w", err)
		}
		defer stopHTTP()
		cases = append(cases, hc...)
	}
	var results []benchResult
	for _, c := range cases {
		if *only != "" && !strings.Contains(c.name, *only) {
			continue
		}
		r, err := runCase(ctx, c, *duration, *minRuns)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		results = append(results, r)
		fmt.Fprintf(stderr, "%-44s %5d runs  p95 %s\n", c.name, r.runs, ms(r.p95))
	}
	writeBenchTable(stdout, results)
	rss, hwm := procStatus("VmRSS"), procStatus("VmHWM")
	verdict := "ok"
	if rss >= targetRSS {
		verdict = "MISSED"
	}
	fmt.Fprintf(stdout, "\nprocess RSS after the run: %s (peak %s), target < %s: %s\n",
		mib(rss), mib(hwm), mib(targetRSS), verdict)
	return nil
}

// benchCase is one measured operation; run is called with the iteration
// number, so a case can rotate through filter values and search terms.
type benchCase struct {
	name   string
	target time.Duration
	run    func(ctx context.Context, i int) error
}

type benchResult struct {
	name                  string
	target                time.Duration
	runs                  int
	p50, p95, p99, maxLat time.Duration
}

// runCase runs c for d, and at least minRuns times.
func runCase(ctx context.Context, c benchCase, d time.Duration, minRuns int) (benchResult, error) {
	// One untimed run warms the page cache and prepared statements.
	if err := c.run(ctx, 0); err != nil {
		return benchResult{}, err
	}
	var lat []time.Duration
	start := time.Now()
	for i := 1; len(lat) < minRuns || time.Since(start) < d; i++ {
		if err := ctx.Err(); err != nil {
			return benchResult{}, err
		}
		t := time.Now()
		if err := c.run(ctx, i); err != nil {
			return benchResult{}, err
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	return benchResult{name: c.name, target: c.target, runs: len(lat),
		p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), maxLat: lat[len(lat)-1]}, nil
}

// percentile is the nearest-rank percentile of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := (p*len(sorted) + 99) / 100
	return sorted[min(max(k, 1), len(sorted))-1]
}

func writeBenchTable(w io.Writer, results []benchResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\truns\tp50 ms\tp95 ms\tp99 ms\tmax ms\ttarget ms\tp95 vs target\t")
	for _, r := range results {
		verdict := "ok"
		if r.p95 >= r.target {
			verdict = "MISSED"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.name, r.runs, ms(r.p50), ms(r.p95), ms(r.p99), ms(r.maxLat),
			ms(r.target), verdict)
	}
	tw.Flush()
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func fileSize(path string) string {
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			total += fi.Size()
		}
	}
	return mib(total)
}

// procStatus reads a size field such as VmRSS from /proc/self/status, in
// bytes (0 where there is no /proc).
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		return kb << 10
	}
	return 0
}

// benchEnv is what the cases run against: three users, filter values and
// search terms sampled from the data.
type benchEnv struct {
	st                        *store.Store
	customers                 int
	admin, manager, sales     *store.User
	managerOwners, salesOwned int
	tags, sources, regions    []string
	names, phones, emails     []string
	terms                     map[string][]string // search kind → terms
}

// newBenchEnv picks the users (an admin; the manager who sees the most
// owners; the salesperson who owns the most customers) and samples 200
// customers for search terms and duplicate checks.
func newBenchEnv(ctx context.Context, st *store.Store, seedVal uint64) (*benchEnv, error) {
	n, err := st.BulkCustomerCount(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errNoCustomers
	}
	env := &benchEnv{st: st, customers: n, terms: map[string][]string{}}
	users, err := st.Users(ctx)
	if err != nil {
		return nil, err
	}
	owned, err := st.BulkOwnerCounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if !u.Active {
			continue
		}
		switch u.Role {
		case store.RoleAdmin:
			if env.admin == nil {
				env.admin = u
			}
		case store.RoleManager:
			v, err := st.VisibilityFor(ctx, u)
			if err != nil {
				return nil, err
			}
			if env.manager == nil || len(v.OwnerIDs) > env.managerOwners {
				env.manager, env.managerOwners = u, len(v.OwnerIDs)
			}
		case store.RoleSales:
			if env.sales == nil || owned[u.ID] > env.salesOwned {
				env.sales, env.salesOwned = u, owned[u.ID]
			}
		}
	}
	if env.admin == nil || env.manager == nil || env.sales == nil {
		return nil, errors.New("bench needs an admin, a manager and a sales user: run tide seed first")
	}
	tags, err := st.Tags(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range tags {
		env.tags = append(env.tags, t.Name)
	}
	sources, err := st.Sources(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range sources {
		env.sources = append(env.sources, s.Name)
	}
	if len(env.tags) == 0 {
		env.tags = []string{"-"}
	}

	// Sample customers by random id (the admin sees them all).
	rng := rand.New(rand.NewPCG(seedVal, 0x7469646562656e63))
	regions := map[string]bool{}
	for tries := 0; len(env.names) < 200 && tries < 2000; tries++ {
		c, err := st.Customer(ctx, env.admin, 1+rng.Int64N(int64(n)))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		env.names = append(env.names, c.Name)
		if c.Phone != "" && !strings.Contains(c.Phone, "*") {
			env.phones = append(env.phones, c.Phone)
			p := []rune(c.Phone)
			at := rng.IntN(len(p) - 3)
			env.terms["phone 4 digits"] = append(env.terms["phone 4 digits"], string(p[at:at+4]))
		}
		if c.Email != "" && !strings.Contains(c.Email, "*") {
			env.emails = append(env.emails, c.Email)
		}
		if c.Region != "" && !regions[c.Region] {
			regions[c.Region] = true
			env.regions = append(env.regions, c.Region)
		}
		han := []rune{}
		for _, r := range c.Name {
			if unicode.Is(unicode.Han, r) {
				han = append(han, r)
			}
		}
		for _, k := range []int{2, 3, 6} {
			if len(han) >= k {
				at := rng.IntN(len(han) - k + 1)
				key := fmt.Sprintf("%d chars", k)
				env.terms[key] = append(env.terms[key], string(han[at:at+k]))
			}
		}
	}
	if len(env.names) == 0 || len(env.phones) == 0 {
		return nil, errNoCustomers
	}
	return env, nil
}

// cases lists every measured operation: the list page (50 rows) for each
// user with each single filter and each sort the UI offers, search by
// Chinese substrings of 2, 3 and 6 characters and by 4 phone digits, and
// the duplicate check.
func (e *benchEnv) cases() []benchCase {
	var out []benchCase
	roles := []struct {
		name string
		u    *store.User
	}{{"admin", e.admin}, {"manager", e.manager}, {"sales", e.sales}}
	list := func(u *store.User, q func(i int) store.CustomerQuery) func(context.Context, int) error {
		return func(ctx context.Context, i int) error {
			qq := q(i)
			qq.PerPage = 50
			_, err := e.st.ListCustomers(ctx, u, qq)
			return err
		}
	}
	rot := func(vals []string, i int) string { return vals[i%len(vals)] }
	for _, r := range roles {
		add := func(name string, q func(i int) store.CustomerQuery) {
			out = append(out, benchCase{name: "list " + r.name + " " + name, target: targetList, run: list(r.u, q)})
		}
		add("(no filter)", func(int) store.CustomerQuery { return store.CustomerQuery{} })
		add("owner=me", func(int) store.CustomerQuery { return store.CustomerQuery{Owner: "me"} })
		add("tag", func(i int) store.CustomerQuery { return store.CustomerQuery{Tag: rot(e.tags, i)} })
		add("level", func(i int) store.CustomerQuery { return store.CustomerQuery{Level: rot(store.Levels, i)} })
		add("source", func(i int) store.CustomerQuery { return store.CustomerQuery{Source: rot(e.sources, i)} })
		add("status", func(i int) store.CustomerQuery { return store.CustomerQuery{Status: rot(store.Statuses, i)} })
		add("region", func(i int) store.CustomerQuery { return store.CustomerQuery{Region: rot(e.regions, i)} })
		add("no_followup_days=30", func(int) store.CustomerQuery { return store.CustomerQuery{NoFollowupDays: 30} })
		add("followup_due", func(int) store.CustomerQuery { return store.CustomerQuery{FollowupDue: true} })
		for _, s := range store.CustomerSorts {
			add("sort="+s, func(int) store.CustomerQuery { return store.CustomerQuery{Sort: s} })
		}
	}
	for _, kind := range []string{"2 chars", "3 chars", "6 chars", "phone 4 digits"} {
		terms := e.terms[kind]
		if len(terms) == 0 {
			continue
		}
		for _, r := range roles {
			out = append(out, benchCase{name: "search " + r.name + " " + kind, target: targetSearch,
				run: list(r.u, func(i int) store.CustomerQuery { return store.CustomerQuery{Q: rot(terms, i)} })})
		}
	}
	out = append(out, benchCase{name: "duplicate check (hit and miss)", target: targetDedup, run: func(ctx context.Context, i int) error {
		name, phone, email := fmt.Sprintf("未登记测试%d科技有限公司", i), "", ""
		switch i % 4 {
		case 0:
			name = rot(e.names, i)
		case 1:
			phone = rot(e.phones, i)
		case 2:
			if len(e.emails) > 0 {
				email = rot(e.emails, i)
			}
		}
		_, err := e.st.CheckDuplicates(ctx, name, phone, email, 0)
		return err
	}})
	return out
}

// noJobs stands in for the scheduler: bench runs no jobs.
type noJobs struct{}

func (noJobs) Jobs() []scheduler.Info { return nil }

// httpCases starts the real app on a loopback port and returns the list
// page (GET /api/v1/customers, 50 rows, JSON) for each user, signed in with
// a read-only API token that stop revokes: the store call plus routing,
// authentication and JSON encoding.
func (e *benchEnv) httpCases(ctx context.Context, cfg *config.Config) ([]benchCase, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := app.New(cfg, e.st, noJobs{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = srv.Serve(ln) }()
	client := &http.Client{Timeout: 30 * time.Second}
	base := "http://" + ln.Addr().String() + "/api/v1/customers?per_page=50"
	type tok struct {
		u  *store.User
		id int64
	}
	var toks []tok
	stop := func() {
		for _, t := range toks {
			_ = e.st.RevokeToken(context.WithoutCancel(ctx), t.u, t.id)
		}
		_ = srv.Shutdown(5 * time.Second)
	}
	var out []benchCase
	expires := time.Now().Add(time.Hour)
	for _, r := range []struct {
		name string
		u    *store.User
	}{{"admin", e.admin}, {"manager", e.manager}, {"sales", e.sales}} {
		t, secret, err := e.st.CreateToken(ctx, r.u.ID, "tide bench", "read", &expires)
		if err != nil {
			stop()
			return nil, nil, err
		}
		toks = append(toks, tok{r.u, t.ID})
		out = append(out, benchCase{name: "http GET /api/v1/customers " + r.name, target: targetList,
			run: func(ctx context.Context, i int) error {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, base, nil)
				if err != nil {
					return err
				}
				req.Header.Set("Authorization", "Bearer "+secret)
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				if _, err := io.Copy(io.Discard, resp.Body); err != nil {
					return err
				}
				if resp.StatusCode != http.StatusOK {
					return fmt.Errorf("GET %s: %s", base, resp.Status)
				}
				return nil
			}})
	}
	return out, stop, nil
}
