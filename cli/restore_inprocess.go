package cli

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"os"

	"github.com/tidecrm/tide/app"
	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
)

func backupSettings(cfg *config.Config) scheduler.BackupSettings {
	return scheduler.BackupSettings{DailyAt: cfg.Backup.Time, Keep: cfg.Backup.Keep, Compress: cfg.Backup.Compress, Dir: cfg.BackupDir()}
}

// selfAddresses lists where this server answers (listen address, the
// configured address and the public base URL), so webhooks cannot loop.
func selfAddresses(cfg *config.Config, listen string) store.SelfAddresses {
	addrs := []string{listen, cfg.Server.Addr}
	if u, err := url.Parse(cfg.Server.BaseURL); err == nil && u.Host != "" {
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		addrs = append(addrs, net.JoinHostPort(u.Hostname(), port))
	}
	return func() []string { return addrs }
}

// restoreInProcess swaps the database for the admin's validated backup
// while no store is open, records the restore in the restored database's
// audit log, and reports the outcome for the next server life.
func restoreInProcess(ctx context.Context, cfg *config.Config, log *slog.Logger, req app.RestoreRequest) *app.RestoreOutcome {
	defer os.Remove(req.Path)
	out := &app.RestoreOutcome{File: req.Name}
	res, err := store.RestoreFile(ctx, cfg.Data.Dir, req.Path)
	if err != nil {
		var be *store.BackupError
		if errors.As(err, &be) {
			out.Err = be.Text
		} else {
			out.Err = err.Error()
		}
		log.Error("restore failed; the database was not changed", slog.String("file", req.Name), slog.Any("err", err))
		return out
	}
	out.Aside, out.From, out.To = res.Aside, res.FromVersion, res.Version
	log.Info("database restored", slog.String("file", req.Name), slog.String("previous", res.Aside),
		slog.Int64("from_schema", res.FromVersion), slog.Int64("schema", res.Version))
	st, err := store.Open(ctx, cfg.Data.Dir)
	if err != nil {
		return out // the next serveOnce reports the open error
	}
	defer st.Close()
	actx := store.WithActor(ctx, req.UserID, req.IP)
	if err := st.Audit(actx, store.AuditEntry{Action: store.AuditRestore, Entity: "database", Detail: req.Name}); err != nil {
		log.Error("restore not audited", slog.Any("err", err))
	}
	return out
}
