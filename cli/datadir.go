package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/store"
)

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
