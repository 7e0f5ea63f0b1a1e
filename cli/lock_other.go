//go:build !unix

package cli

import (
	"fmt"
	"os"
	"path/filepath"
)

// dataLock on non-Unix systems is an exclusive-create lock file; a crash
// leaves it behind and the message says to remove it.
type dataLock struct{ path string }

func lockDataDir(dir string) (*dataLock, error) {
	path := filepath.Join(dir, "tide.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("another tide serve is already using data dir %s (remove %s if none runs)", dir, path)
	}
	f.Close()
	return &dataLock{path: path}, nil
}

func (l *dataLock) release() { _ = os.Remove(l.path) }
