// Package reliability holds tests that run the real tide binary as a
// subprocess and break it on purpose: SIGKILL under a concurrent write
// load, a live backup under load, and a backup → change → restore round
// trip. They build the binary with `go build` and are skipped under -short.
package reliability
