package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/tidecrm/tide/store"
)

// Targets of the pipeline issue.
const (
	targetBoard = 100 * time.Millisecond
	targetMove  = 20 * time.Millisecond
)

// benchPipelineCmd is `tide bench-pipeline`: it adds opportunities to a
// seeded COPY (up to --opportunities in all) and times the board of a
// manager's department and moving a card.
func benchPipelineCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench-pipeline", stderr)
	data := fs.String("data", "", "data directory of a seeded COPY (it is modified)")
	cfgFile := fs.String("config", "", "config file")
	total := fs.Int("opportunities", 300000, "opportunities to have in the database")
	runs := fs.Int("runs", 50, "timed runs of each case")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	ctx, _, st, done, err := openDataDir(*data, *cfgFile)
	if err != nil {
		return err
	}
	defer done()
	t := time.Now()
	added, err := st.SeedOpportunities(ctx, *total)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "tide bench-pipeline: %d opportunities added in %s\n", added, time.Since(t).Round(time.Millisecond))
	mgr, err := benchManager(ctx, st)
	if err != nil {
		return err
	}
	stages, err := st.Stages(ctx, "zh-CN")
	if err != nil {
		return err
	}
	q := store.OppQuery{DepartmentID: *mgr.DepartmentID}
	view, err := st.Board(ctx, mgr, q, "zh-CN")
	if err != nil {
		return err
	}
	cols := view.Columns
	open := 0
	for _, c := range cols {
		open += c.Count
	}
	board, err := timeRuns("board of one department with its forecast (manager)", targetBoard, *runs, func() error {
		_, err := st.Board(ctx, mgr, q, "zh-CN")
		return err
	})
	if err != nil {
		return err
	}
	cards := cols[0].Cards
	i := 0
	move, err := timeRuns("move a card one stage", targetMove, min(*runs, len(cards)-1), func() error { // timeRuns calls fn once more, untimed
		_, err := st.MoveStage(ctx, mgr, cards[i].ID, store.MoveInput{StageID: stages[1].ID})
		i++
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "manager %s: %d open opportunities in the department's board\n", mgr.Username, open)
	writeBenchTable(stdout, []benchResult{board, move})
	return nil
}

// benchManager picks the manager whose department has the most users.
func benchManager(ctx context.Context, st *store.Store) (*store.User, error) {
	users, err := st.Users(ctx)
	if err != nil {
		return nil, err
	}
	count := map[int64]int{}
	for _, u := range users {
		if u.DepartmentID != nil {
			count[*u.DepartmentID]++
		}
	}
	var best *store.User
	for _, u := range users {
		if u.Role == store.RoleManager && u.Active && u.DepartmentID != nil && (best == nil || count[*u.DepartmentID] > count[*best.DepartmentID]) {
			best = u
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no manager with a department (seed the data dir with tide seed)")
	}
	return best, nil
}

// timeRuns runs fn once untimed, then n timed times.
func timeRuns(name string, target time.Duration, n int, fn func() error) (benchResult, error) {
	if err := fn(); err != nil {
		return benchResult{}, fmt.Errorf("%s: %w", name, err)
	}
	var lat []time.Duration
	for k := 0; k < n; k++ {
		t := time.Now()
		if err := fn(); err != nil {
			return benchResult{}, fmt.Errorf("%s: %w", name, err)
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	return benchResult{name: name, target: target, runs: len(lat), p50: percentile(lat, 50), p95: percentile(lat, 95),
		p99: percentile(lat, 99), maxLat: lat[len(lat)-1]}, nil
}
