package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/tidecrm/tide/store"
)

// Targets of the public-pools issue.
const (
	targetClaim          = 20 * time.Millisecond
	targetClaimsPerSec   = 500
	targetRecycle        = 10 * time.Second
	targetRecycleNothing = 2 * time.Second
	targetBlocked        = 100 * time.Millisecond
)

// benchPoolsCmd is `tide bench-pools`: claim latency, concurrent claims
// and recycle passes on a seeded data dir. It CHANGES the data (claims,
// rules, recycles), so run it on a copy.
func benchPoolsCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench-pools", stderr)
	data := fs.String("data", "", "data directory of a seeded COPY (it is modified)")
	cfgFile := fs.String("config", "", "config file")
	clients := fs.Int("clients", 50, "concurrent claimers")
	duration := fs.Duration("duration", 5*time.Second, "how long the concurrent claim run lasts")
	recycleN := fs.Int("recycle", 100000, "about how many owned customers to make due for the recycle pass")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the recycle pass to this file")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	ctx, _, st, done, err := openDataDir(*data, *cfgFile)
	if err != nil {
		return err
	}
	defer done()
	b, err := newPoolBench(ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "tide bench-pools: pool %q with %d customers, %d claimers; %s\n", b.pool.Name, b.pool.InPool, *clients, fileSize(st.Path()))
	lat, err := b.claimLatency(ctx, 300)
	if err != nil {
		return err
	}
	writeBenchTable(stdout, []benchResult{lat})
	if err := b.concurrentClaims(ctx, stdout, *clients, *duration); err != nil {
		return err
	}
	return b.recycle(ctx, stdout, *recycleN, *cpuProfile)
}

type poolBench struct {
	st    *store.Store
	admin *store.User
	sales []*store.User
	pool  *store.Pool
	ids   []int64 // customers in the pool, in a random order
	next  int
}

// newPoolBench picks the fullest pool, opens it to everyone without claim
// limits, and collects its customers.
func newPoolBench(ctx context.Context, st *store.Store) (*poolBench, error) {
	admin, err := st.UserByUsername(ctx, "admin")
	if err != nil {
		return nil, fmt.Errorf("no admin user (seed the data dir with tide seed): %w", err)
	}
	pools, err := st.Pools(ctx, admin)
	if err != nil || len(pools) == 0 {
		return nil, errors.Join(err, errors.New("no pools"))
	}
	sort.Slice(pools, func(i, j int) bool { return pools[i].InPool > pools[j].InPool })
	zero, company := 0, "company"
	p, err := st.UpdatePool(ctx, admin, pools[0].ID, store.PoolInput{Scope: &company, ClaimDailyLimit: &zero, MaxOwned: &zero, ReclaimCooldownDays: &zero})
	if err != nil {
		return nil, err
	}
	b := &poolBench{st: st, admin: admin, pool: p}
	users, err := st.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Active && u.Role == store.RoleSales {
			b.sales = append(b.sales, u)
		}
	}
	q := store.CustomerQuery{PoolID: p.ID, PerPage: store.MaxPerPage}
	for len(b.ids) < 40000 {
		page, err := st.ListCustomers(ctx, admin, q)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Items {
			b.ids = append(b.ids, c.ID)
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	rand.Shuffle(len(b.ids), func(i, j int) { b.ids[i], b.ids[j] = b.ids[j], b.ids[i] })
	return b, nil
}

// claimLatency times n claims by one user, one after another.
func (b *poolBench) claimLatency(ctx context.Context, n int) (benchResult, error) {
	var lat []time.Duration
	for i := 0; i < n && b.next < len(b.ids); i++ {
		id := b.ids[b.next]
		b.next++
		t := time.Now()
		if _, err := b.st.Claim(ctx, b.sales[0], id); err != nil {
			return benchResult{}, fmt.Errorf("claim %d: %w", id, err)
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	return benchResult{name: "claim (one user, sequential)", target: targetClaim, runs: len(lat),
		p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), maxLat: lat[len(lat)-1]}, nil
}

// concurrentClaims lets clients claimers claim from the same pool for d,
// each picking customers at random from the pool's list, as people picking
// rows on the same page do (collisions happen, and must be refused). It
// checks that no customer was won twice and that each winner owns it.
func (b *poolBench) concurrentClaims(ctx context.Context, w io.Writer, clients int, d time.Duration) error {
	targets := b.ids[b.next:]
	var mu sync.Mutex
	won := map[int64]int64{}
	var ok, conflicts, double, other int
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		u := b.sales[c%len(b.sales)]
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			for time.Since(start) < d {
				i := rng.IntN(len(targets))
				_, err := b.st.Claim(ctx, u, targets[i])
				mu.Lock()
				switch {
				case err == nil:
					ok++
					if _, dup := won[targets[i]]; dup {
						double++
					}
					won[targets[i]] = u.ID
				case store.IsCode(err, store.CodeConflict), store.IsCode(err, store.CodeRule):
					conflicts++
				default:
					other++
				}
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	wrong := 0
	for id, owner := range won {
		c, err := b.st.Customer(ctx, b.admin, id)
		if err != nil || c.Owner == nil || c.Owner.ID != owner {
			wrong++
		}
	}
	rate := float64(ok) / elapsed.Seconds()
	verdict := "ok"
	if rate < targetClaimsPerSec || double > 0 || wrong > 0 {
		verdict = "MISSED"
	}
	fmt.Fprintf(w, "\n%d concurrent claimers for %s: %d claims won (%.0f/s, target >= %d/s), %d refused as taken, %d other errors; double claims %d, owner mismatches %d: %s\n",
		clients, elapsed.Round(time.Millisecond), ok, rate, targetClaimsPerSec, conflicts, other, double, wrong, verdict)
	b.next = len(b.ids)
	return nil
}

// recycle makes about n owned customers due (a 1-day no-follow-up rule on
// enough pools, no rules on the others) and times a recycle pass, a second
// pass that finds nothing, and the worst customer-list latency meanwhile.
func (b *poolBench) recycle(ctx context.Context, w io.Writer, n int, profile string) error {
	owned, err := b.st.OwnedByHomePool(ctx)
	if err != nil {
		return err
	}
	type pc struct {
		id    int64
		count int
	}
	var list []pc
	for id, c := range owned {
		list = append(list, pc{id, c})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].count < list[j].count })
	zero, one := 0, 1
	due := 0
	for _, p := range list {
		in := store.PoolInput{RecycleNoFollowupDays: &zero, RecycleNoDealDays: &zero, RecycleWarnDays: &zero, LevelOverrides: &map[string]store.LevelOverride{}}
		if due < n {
			in.RecycleNoFollowupDays = &one
			due += p.count
		}
		if _, err := b.st.UpdatePool(ctx, b.admin, p.id, in); err != nil {
			return err
		}
	}
	// Everyone's last touch is now more than a day old.
	b.st.Now = func() time.Time { return time.Now().Add(49 * time.Hour) }
	stopProbe, worst := b.probeList(ctx)
	stopProfile, err := startCPUProfile(profile)
	if err != nil {
		return err
	}
	cpu0 := cpuTime()
	t := time.Now()
	res, err := b.st.RecycleDue(ctx)
	pass := time.Since(t)
	cpu := cpuTime() - cpu0
	stopProfile()
	stopProbe()
	if err != nil {
		return err
	}
	t = time.Now()
	res2, err := b.st.RecycleDue(ctx)
	again := time.Since(t)
	if err != nil {
		return err
	}
	verdict := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "MISSED"
	}
	fmt.Fprintf(w, "\nrecycle pass: %d customers recycled in %s wall, %s CPU (target < %s): %s\n", res.Recycled, pass.Round(time.Millisecond),
		cpu.Round(time.Millisecond), targetRecycle, verdict(pass < targetRecycle))
	fmt.Fprintf(w, "second pass: %d recycled in %s (target < %s): %s\n", res2.Recycled, again.Round(time.Millisecond), targetRecycleNothing, verdict(again < targetRecycleNothing && res2.Recycled == 0))
	fmt.Fprintf(w, "worst customer-list page during the pass: %s (target < %s): %s\n", (*worst).Round(time.Millisecond), targetBlocked, verdict(*worst < targetBlocked))
	return nil
}

// probeList loads a sales user's customer list every 20 ms until stopped
// and records the slowest load.
func (b *poolBench) probeList(ctx context.Context) (stop func(), worst *time.Duration) {
	worst = new(time.Duration)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			t := time.Now()
			if _, err := b.st.ListCustomers(ctx, b.sales[len(b.sales)-1], store.CustomerQuery{}); err == nil {
				*worst = max(*worst, time.Since(t))
			}
		}
	}()
	return func() { close(done); wg.Wait() }, worst
}

// startCPUProfile profiles the process into path until the returned func
// is called; with no path it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
