// Package cli implements the tide command: serve, version, user add|passwd
// and the other subcommands. Main returns the process exit code: 0 ok,
// 1 failure, 2 usage error.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// Version is set at build time with -ldflags "-X github.com/tidecrm/tide/cli.Version=v1.2.3".
var Version = "dev"

const usage = `Tide (潮汐) — a self-hosted CRM with customer public pools.

Usage:
  tide serve   [--addr :8080] [--data ./data] [--config config.yaml]
  tide version
  tide bench-pools --data COPY [--clients 50]   (claims and recycles: run on a copy)
  tide bench-pipeline --data COPY [--opportunities 300000]   (adds opportunities: run on a copy)
  tide bench-reports --data COPY [--opportunities 300000]   (adds and closes opportunities: run on a copy)
  tide reports-rebuild [--data DIR] [--config FILE] [--check]   (recompute the reports' follow-up table)
  tide health  [--url http://127.0.0.1:8080/healthz]   (exit 0 when healthy; for Docker HEALTHCHECK)
  tide user add    [--data DIR] --username U --password P --role admin|manager|sales [--name N]
  tide user passwd [--data DIR] --username U --password P
  tide seed   [--data DIR] [--config FILE] --customers N [--users M] [--seed S] [--check]
  tide bench  [--data DIR] [--config FILE] [--duration 2s] [--min-runs 30]
  tide backup  [--data DIR] [--gzip] FILE   (one consistent SQLite file; also while serve runs)
  tide restore [--data DIR] FILE            (server stopped; keeps the old tide.db aside)

Settings come from config.yaml, then TIDE_<SECTION>_<KEY> environment
variables, then flags. See config.example.yaml.
`

// errUsage marks a command-line mistake (exit 2).
var errUsage = errors.New("usage")

// Main runs the tide command with args (without the program name).
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(args[1:], stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "tide", versionString())
	case "user":
		err = userCmd(args[1:], stdout, stderr)
	case "health":
		err = health(args[1:], stderr)
	case "seed":
		err = seedCmd(args[1:], stdout, stderr)
	case "bench":
		err = benchCmd(args[1:], stdout, stderr)
	case "bench-pools":
		err = benchPoolsCmd(args[1:], stdout, stderr)
	case "bench-pipeline":
		err = benchPipelineCmd(args[1:], stdout, stderr)
	case "backup":
		err = backupCmd(args[1:], stdout, stderr)
	case "restore":
		err = restoreCmd(args[1:], stdout, stderr)
	case "bench-reports":
		err = benchReportsCmd(args[1:], stdout, stderr)
	case "reports-rebuild":
		err = reportsRebuildCmd(args[1:], stdout, stderr)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "tide: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, flag.ErrHelp):
		return 0
	default:
		fmt.Fprintln(stderr, "tide:", err)
		return 1
	}
}

// newFlags makes a flag set that reports mistakes on stderr with usage.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("tide "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage of tide %s:\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags and maps a bad flag or stray argument to errUsage.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

func versionString() string {
	v := Version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				v += " (" + s.Value[:7] + ")"
			}
		}
		v += " " + strings.TrimPrefix(info.GoVersion, "go")
	}
	return v
}
