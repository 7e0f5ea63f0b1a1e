package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tidecrm/tide/app"
	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
)

// shutdownTimeout bounds how long in-flight requests may take to finish.
const shutdownTimeout = 20 * time.Second

func serve(args []string, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	addr := fs.String("addr", "", "listen address (default from config, :8080)")
	data := fs.String("data", "", "data directory (default from config, ./data)")
	cfgFile := fs.String("config", "", "config file (default ./config.yaml when present)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgFile, map[string]string{"server.addr": *addr, "data.dir": *data})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, cfg, NewLogger(cfg, stderr), nil)
}

// NewLogger builds the process logger from the log settings.
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Run starts Tide and blocks until ctx is cancelled, then shuts down in
// order: stop accepting, finish in-flight requests, stop the scheduler,
// close the database, release the data-dir lock. When ready is not nil it
// receives the listening address once requests are being served.
func Run(ctx context.Context, cfg *config.Config, log *slog.Logger, ready chan<- string) error {
	start := time.Now()
	if err := cfg.CheckDataDir(); err != nil {
		return err
	}
	lock, err := lockDataDir(cfg.Data.Dir)
	if err != nil {
		return err
	}
	defer lock.release()

	st, err := store.Open(ctx, cfg.Data.Dir)
	if err != nil {
		return err
	}
	defer st.Close()
	st.Location = cfg.Location
	if err := bootstrapAdmin(ctx, cfg, st, log); err != nil {
		return err
	}

	sched, err := scheduler.New(st, log, cfg.Location)
	if err != nil {
		return err
	}
	if err := sched.Standard(cfg.Pools.RecycleInterval); err != nil {
		return err
	}
	if err := setUpMail(cfg, st, sched); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return &config.Error{Key: "server.addr", Msg: err.Error()}
	}
	srv := app.New(cfg, st, sched, log)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	sched.Start()
	log.Info("tide started", slog.String("addr", ln.Addr().String()), slog.String("data", cfg.Data.Dir),
		slog.String("version", Version), slog.Duration("startup", time.Since(start)))
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		_ = sched.Stop()
		return fmt.Errorf("server stopped: %w", err)
	}
	log.Info("shutting down")
	if err := srv.Shutdown(shutdownTimeout); err != nil {
		log.Error("http shutdown", slog.Any("err", err))
	}
	if err := sched.Stop(); err != nil {
		log.Error("scheduler shutdown", slog.Any("err", err))
	}
	log.Info("tide stopped")
	return nil
}

// bootstrapAdmin creates the first admin from TIDE_ADMIN_USERNAME and
// TIDE_ADMIN_PASSWORD when the database has no users yet.
func bootstrapAdmin(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger) error {
	if cfg.Admin.Username == "" || cfg.Admin.Password == "" {
		return nil
	}
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	role := store.RoleAdmin
	u, err := st.CreateUser(ctx, store.UserInput{Username: &cfg.Admin.Username, Password: &cfg.Admin.Password, Role: &role, Language: &cfg.App.Language})
	if err != nil {
		return fmt.Errorf("admin.username/admin.password: %w", describe(err))
	}
	log.Info("first admin created", slog.String("username", u.Username))
	return nil
}
