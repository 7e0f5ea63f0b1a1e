package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/store"
)

// reportsRebuildCmd is `tide reports-rebuild`: it recomputes the reports'
// pre-aggregated table (follow-ups per person and local day of the
// company time zone) from the raw rows in one transaction, then checks it.
// Triggers keep the table exact day to day; this is for a change of the
// company time zone or a repair. --check only compares.
func reportsRebuildCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reports-rebuild", stderr)
	data := fs.String("data", "", "data directory (default from config, ./data)")
	cfgFile := fs.String("config", "", "config file")
	check := fs.Bool("check", false, "only compare the table with the raw rows")
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
		fmt.Fprintf(stdout, "report tables rebuilt for %s: %d (person, day) rows in %s\n", cfg.Location, rows, time.Since(t).Round(time.Millisecond))
	}
	n, err := st.CheckReportTables(ctx)
	if err != nil {
		return err
	}
	if n != 0 {
		return fmt.Errorf("report tables: %d (person, day) counts differ from the follow-ups; run tide reports-rebuild", n)
	}
	fmt.Fprintln(stdout, "report tables match the follow-ups")
	return nil
}

// openDataDir loads the config, opens the data directory's store in the
// company time zone, and returns a context cancelled by Ctrl-C; done
// closes both.
func openDataDir(data, cfgFile string) (context.Context, *config.Config, *store.Store, func(), error) {
	cfg, err := config.Load(cfgFile, map[string]string{"data.dir": data})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	st, err := store.Open(ctx, cfg.Data.Dir)
	if err != nil {
		stop()
		return nil, nil, nil, nil, err
	}
	st.Location = cfg.Location
	return ctx, cfg, st, func() { st.Close(); stop() }, nil
}
