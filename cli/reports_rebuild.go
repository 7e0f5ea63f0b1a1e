package cli

import (
	"fmt"
	"io"
	"time"
)

// reportsRebuildCmd is `tide reports-rebuild`: it recomputes the reports'
// pre-aggregated tables (follow-ups per person and local day, new
// customers per owner and local month, in the company time zone) from the
// raw rows in one transaction, then checks them. Triggers keep the tables
// exact day to day; this is for a change of the company time zone or a
// repair. --check only compares.
func reportsRebuildCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reports-rebuild", stderr)
	data := fs.String("data", "", "data directory (default from config, ./data)")
	cfgFile := fs.String("config", "", "config file")
	check := fs.Bool("check", false, "only compare the tables with the raw rows")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	ctx, cfg, st, done, err := openDataDir(*data, *cfgFile)
	if err != nil {
		return err
	}
	defer done()
	t := time.Now()
	if !*check {
		rows, err := st.RebuildReportTables(ctx, cfg.Location)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "report tables rebuilt for %s: %d (person, day or month) rows in %s\n", cfg.Location, rows, time.Since(t).Round(time.Millisecond))
	}
	n, err := st.CheckReportTables(ctx)
	if err != nil {
		return err
	}
	if n != 0 {
		return fmt.Errorf("report tables: %d (person, day or month) counts or claim arrivals differ from the raw rows; run tide reports-rebuild", n)
	}
	fmt.Fprintln(stdout, "report tables match the follow-ups, customers and pool history")
	return nil
}
