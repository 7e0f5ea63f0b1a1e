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
//
// An admin's restore from the backups page runs here, between two server
// lives: the page validates the upload and hands it over; Run drains the
// HTTP server (in-flight requests finish), stops the scheduler, closes the
// store, swaps the database file (store.RestoreFile, the same as `tide
// restore`, while this process still holds the data-dir lock), and starts
// a fresh store, scheduler and server on the same address. Sessions are
// then whatever the restored database holds.
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

	addr := cfg.Server.Addr
	var outcome *app.RestoreOutcome
	for {
		req, err := serveOnce(ctx, cfg, log, &addr, ready, start, outcome)
		if err != nil || req == nil {
			return err
		}
		ready = nil
		outcome = restoreInProcess(ctx, cfg, log, *req)
	}
}

// serveOnce runs one life of the server. It returns a restore request when
// an admin asked for one, nil when ctx ended.
func serveOnce(ctx context.Context, cfg *config.Config, log *slog.Logger, addr *string, ready chan<- string,
	start time.Time, outcome *app.RestoreOutcome) (*app.RestoreRequest, error) {
	st, err := store.Open(ctx, cfg.Data.Dir)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	st.Location = cfg.Location
	if err := bootstrapAdmin(ctx, cfg, st, log); err != nil {
		return nil, err
	}

	sched, err := scheduler.New(st, log, cfg.Location)
	if err != nil {
		return nil, err
	}
	if err := sched.Standard(cfg.Pools.RecycleInterval); err != nil {
		return nil, err
	}
	if err := sched.DataJobs(backupSettings(cfg), cfg.Webhooks.Interval); err != nil {
		return nil, err
	}
	if err := sched.Add(sched.ReminderJob(cfg.Reminders.Interval)); err != nil {
		return nil, err
	}
	if err := setUpMail(cfg, st, sched); err != nil {
		return nil, err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return nil, &config.Error{Key: "server.addr", Msg: err.Error()}
	}
	*addr = ln.Addr().String() // a restart listens on the same port
	st.Self = selfAddresses(cfg, *addr)
	srv := app.New(cfg, st, sched, log)
	srv.SetRestoreOutcome(outcome)
	restores := srv.RestoreRequests()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	sched.Start()
	log.Info("tide started", slog.String("addr", ln.Addr().String()), slog.String("data", cfg.Data.Dir),
		slog.String("version", Version), slog.Duration("startup", time.Since(start)))
	if ready != nil {
		ready <- ln.Addr().String()
	}

	var req *app.RestoreRequest
	select {
	case <-ctx.Done():
	case r := <-restores:
		req = &r
		log.Info("restore requested; draining requests", slog.String("file", r.Name), slog.Int64("user_id", r.UserID))
	case err := <-served:
		_ = sched.Stop()
		return nil, fmt.Errorf("server stopped: %w", err)
	}
	log.Info("shutting down")
	if err := srv.Shutdown(shutdownTimeout); err != nil {
		log.Error("http shutdown", slog.Any("err", err))
	}
	if err := sched.Stop(); err != nil {
		log.Error("scheduler shutdown", slog.Any("err", err))
	}
	log.Info("tide stopped")
	return req, nil
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
