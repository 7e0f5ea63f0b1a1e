package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tidecrm/tide/app"
	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/store"
)

// Targets of the reports issue.
const (
	targetDashboard = 300 * time.Millisecond
	targetReport    = time.Second
)

// benchReportsCmd is `tide bench-reports`: on a seeded COPY it adds
// opportunities (up to --opportunities) and closes half of them with a
// stage history (once), then times the dashboard of the manager with the
// largest department and every report over the last year, through the
// real app over loopback HTTP (GET /api/v1/reports/..., bearer token).
func benchReportsCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench-reports", stderr)
	data := fs.String("data", "", "data directory of a seeded COPY (it is modified)")
	cfgFile := fs.String("config", "", "config file")
	total := fs.Int("opportunities", 300000, "opportunities to have in the database")
	runs := fs.Int("runs", 20, "timed runs of each case")
	only := fs.String("only", "", "time only the cases whose name contains this (e.g. dashboard)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed cases to this file")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	ctx, cfg, st, done, err := openDataDir(*data, *cfgFile)
	if err != nil {
		return err
	}
	defer done()
	t := time.Now()
	have, err := st.OpportunityCount(ctx)
	if err != nil {
		return err
	}
	var added int64
	if *total > have {
		if added, err = st.SeedOpportunities(ctx, *total-have); err != nil {
			return err
		}
	}
	closed, err := st.SeedReportHistory(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "tide bench-reports: %d opportunities added, %d closed with history, in %s\n", added, closed, time.Since(t).Round(time.Millisecond))
	mgr, big, err := reportManagers(ctx, st)
	if err != nil {
		return err
	}
	admin, err := benchAdmin(ctx, st)
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	return benchReportsHTTP(ctx, cfg, st, []*store.User{mgr, big}, admin, benchCases{runs: *runs, only: *only}, stdout)
}

// reportManagers picks the manager whose team (department subtree) is the
// smallest one of at least 50 people, and the one with the largest team.
func reportManagers(ctx context.Context, st *store.Store) (fifty, largest *store.User, err error) {
	users, err := st.Users(ctx)
	if err != nil {
		return nil, nil, err
	}
	team := map[int64]int{}
	for _, u := range users {
		if u.Role != store.RoleManager || !u.Active || u.DepartmentID == nil {
			continue
		}
		v, err := st.VisibilityFor(ctx, u)
		if err != nil {
			return nil, nil, err
		}
		team[u.ID] = len(v.OwnerIDs)
		if largest == nil || team[u.ID] > team[largest.ID] {
			largest = u
		}
		if team[u.ID] >= 50 && (fifty == nil || team[u.ID] < team[fifty.ID]) {
			fifty = u
		}
	}
	if fifty == nil {
		fifty = largest
	}
	if largest == nil {
		return nil, nil, fmt.Errorf("no manager with a department (seed the data dir with tide seed)")
	}
	return fifty, largest, nil
}

func benchAdmin(ctx context.Context, st *store.Store) (*store.User, error) {
	users, err := st.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.IsAdmin() && u.Active {
			return u, nil
		}
	}
	return nil, fmt.Errorf("no active admin")
}

// benchCases says how many timed runs each case gets and, when only is
// set, which cases run.
type benchCases struct {
	runs int
	only string
}

// benchReportsHTTP starts the app and times the cases.
func benchReportsHTTP(ctx context.Context, cfg *config.Config, st *store.Store, mgrs []*store.User, admin *store.User, cases benchCases, stdout io.Writer) error {
	runs := cases.runs
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := app.New(cfg, st, noJobs{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Shutdown(5 * time.Second) }()
	base := "http://" + ln.Addr().String() + "/api/v1/reports/"
	now := st.Now().In(cfg.Location)
	year := "from=" + now.AddDate(-1, 0, 1).Format("2006-01-02") + "&to=" + now.Format("2006-01-02")
	expires := time.Now().Add(time.Hour)
	secrets := map[int64]string{}
	for _, u := range append(mgrs, admin) {
		tok, secret, err := st.CreateToken(ctx, u.ID, "tide bench-reports", "read", &expires)
		if err != nil {
			return err
		}
		defer func(u *store.User, id int64) { _ = st.RevokeToken(context.WithoutCancel(ctx), u, id) }(u, tok.ID)
		secrets[u.ID] = secret
	}
	client := &http.Client{Timeout: time.Minute}
	get := func(u *store.User, path string) func() error {
		return func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+secrets[u.ID])
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s: %s", path, resp.Status)
			}
			return nil
		}
	}
	who := map[int64]string{admin.ID: "admin"}
	for _, m := range mgrs {
		v, err := st.VisibilityFor(ctx, m)
		if err != nil {
			return err
		}
		who[m.ID] = fmt.Sprintf("manager %s (%d people)", m.Username, len(v.OwnerIDs))
	}
	fmt.Fprintf(stdout, "year = %s\n", year)
	var results []benchResult
	// CPU per request (the server runs in this process, with the client)
	// tells the work apart from the waiting on a machine shared with others.
	add := func(name string, target time.Duration, fn func() error) error {
		if !strings.Contains(name, cases.only) {
			return nil
		}
		cpu0 := cpuTime()
		r, err := timeRuns(name, target, runs, fn)
		if err != nil {
			return err
		}
		cpu := (cpuTime() - cpu0) / time.Duration(runs+1)
		fmt.Fprintf(stdout, "%s: p50 %s p95 %s, CPU %s ms per request\n", name, ms(r.p50), ms(r.p95), ms(cpu))
		results = append(results, r)
		return nil
	}
	for _, m := range mgrs {
		for _, p := range []string{"week", "month", "quarter", "year"} {
			if err := add("dashboard "+who[m.ID]+", period="+p, targetDashboard, get(m, "dashboard?period="+p)); err != nil {
				return err
			}
		}
	}
	for _, rep := range []string{"funnel", "win-rate?group_by=owner", "win-rate?group_by=industry", "sales-cycle", "pool-turnover", "sources", "leaderboard", "forecast", "activity"} {
		path := rep + "?"
		if strings.Contains(rep, "?") {
			path = rep + "&"
		}
		for _, u := range []*store.User{mgrs[0], admin} {
			if err := add(rep+" "+who[u.ID]+", one year", targetReport, get(u, path+year)); err != nil {
				return err
			}
		}
	}
	writeBenchTable(stdout, results)
	return nil
}
