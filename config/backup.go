package config

import (
	"fmt"
	"path/filepath"
	"time"
)

// Backup sets the scheduled backups: daily at Time (company zone) into Dir
// (default <data>/backups), keeping the newest Keep files.
type Backup struct {
	Time     string
	Keep     int
	Compress bool
	Dir      string
}

// Webhooks sets how often the delivery job sends queued webhook events.
type Webhooks struct {
	Interval time.Duration
}

func (c *Config) validateBackup() error {
	if _, err := time.Parse("15:04", c.Backup.Time); err != nil {
		return &Error{Key: "backup.time", Msg: fmt.Sprintf("%q is not a time of day (example: 02:00)", c.Backup.Time)}
	}
	if c.Backup.Keep < 1 {
		return &Error{Key: "backup.keep", Msg: "must be at least 1"}
	}
	if c.Webhooks.Interval < time.Second {
		return &Error{Key: "webhooks.interval", Msg: "must be a duration of at least 1s (example: 15s)"}
	}
	return nil
}

// BackupDir is where scheduled backups are written.
func (c *Config) BackupDir() string {
	if c.Backup.Dir != "" {
		return c.Backup.Dir
	}
	return filepath.Join(c.Data.Dir, "backups")
}
