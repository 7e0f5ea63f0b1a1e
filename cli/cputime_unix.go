//go:build unix

package cli

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time so far; on a busy machine
// it tells how much work a pass was, apart from how long it waited.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
