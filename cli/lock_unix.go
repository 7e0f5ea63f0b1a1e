//go:build unix

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// dataLock holds an exclusive flock on <data>/tide.lock for the life of
// `tide serve`, so a second server on the same data dir refuses to start
// instead of running a second scheduler against the same file. The kernel
// drops the lock if the process dies, so a crash never leaves it stuck.
type dataLock struct{ f *os.File }

func lockDataDir(dir string) (*dataLock, error) {
	path := filepath.Join(dir, "tide.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		pid := strings.TrimSpace(string(b))
		if _, perr := strconv.Atoi(pid); perr != nil {
			pid = "?"
		}
		return nil, fmt.Errorf("another tide serve (pid %s) is already using data dir %s; stop it first", pid, dir)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &dataLock{f: f}, nil
}

func (l *dataLock) release() {
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
}
