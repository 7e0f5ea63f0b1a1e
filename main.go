// Command tide is Tide (潮汐), a self-hosted CRM whose heart is the customer
// public pool. One binary holds the web app, the SQLite database, the
// templates and the job scheduler.
package main

import (
	"os"
	_ "time/tzdata" // time zones work on hosts without zoneinfo (e.g. distroless)

	"github.com/tidecrm/tide/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
