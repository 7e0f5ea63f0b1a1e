package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/store"
)

// backupCmd writes one consistent, verified SQLite file of the data dir's
// database. It does not take the data-dir lock, so it works while `tide
// serve` runs (VACUUM INTO reads a snapshot beside the server's writes).
func backupCmd(args []string, stdout, stderr io.Writer) error {
	var gz *bool
	cfg, file, err := fileCmd("backup", args, stderr, func(fs *flag.FlagSet) {
		gz = fs.Bool("gzip", false, "gzip the backup (also when FILE ends in .gz)")
	})
	if err != nil {
		return err
	}
	compress := *gz || strings.HasSuffix(file, ".gz")
	if err := store.BackupFile(context.Background(), filepath.Join(cfg.Data.Dir, store.FileName), file, compress); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s (integrity check ok)\n", file)
	return nil
}

// restoreCmd replaces the data dir's database with a backup. It refuses
// while a server holds the data dir, and refuses any file that is not a
// healthy Tide database this binary can run, changing nothing.
func restoreCmd(args []string, stdout, stderr io.Writer) error {
	cfg, file, err := fileCmd("restore", args, stderr, nil)
	if err != nil {
		return err
	}
	if err := cfg.CheckDataDir(); err != nil {
		return err
	}
	lock, err := lockDataDir(cfg.Data.Dir)
	if err != nil {
		return fmt.Errorf("restore refused: %w", err)
	}
	defer lock.release()
	res, err := store.RestoreFile(context.Background(), cfg.Data.Dir, file)
	var be *store.BackupError
	if errors.As(err, &be) {
		return fmt.Errorf("restore refused, nothing changed: %s", be.Text)
	}
	if err != nil {
		return err
	}
	if res.Aside != "" {
		fmt.Fprintf(stdout, "previous database kept as %s\n", res.Aside)
	}
	fmt.Fprintf(stdout, "restored %s (schema %d, now %d)\n", file, res.FromVersion, res.Version)
	return nil
}

// fileCmd parses the flags shared by backup and restore (--data,
// --config, plus any extra) around one FILE and loads the config.
func fileCmd(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*config.Config, string, error) {
	fs := newFlags(name, stderr)
	data := fs.String("data", "", "data directory (default from config, ./data)")
	cfgFile := fs.String("config", "", "config file")
	if extra != nil {
		extra(fs)
	}
	file, err := parseFileArg(fs, args, stderr)
	if err != nil {
		return nil, "", err
	}
	cfg, err := config.Load(*cfgFile, map[string]string{"data.dir": *data})
	return cfg, file, err
}

// parseFileArg parses flags around exactly one FILE argument, so both
// `tide backup --data D FILE` and `tide backup FILE --data D` work.
func parseFileArg(fs *flag.FlagSet, args []string, stderr io.Writer) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", usageOrHelp(err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprintln(stderr, "tide: FILE is required")
		fs.Usage()
		return "", errUsage
	}
	file := rest[0]
	if err := fs.Parse(rest[1:]); err != nil {
		return "", usageOrHelp(err)
	}
	if len(fs.Args()) > 0 {
		fmt.Fprintf(stderr, "tide: unexpected argument %q\n", fs.Args()[0])
		fs.Usage()
		return "", errUsage
	}
	return file, nil
}

func usageOrHelp(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}
