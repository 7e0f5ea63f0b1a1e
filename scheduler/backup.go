package scheduler

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tidecrm/tide/store"
)

// BackupSettings are the scheduled-backup settings from config.
type BackupSettings struct {
	DailyAt  string // "02:00", company time zone
	Keep     int
	Compress bool
	Dir      string
}

// backupJobName names the scheduled backup in job_runs.
const backupJobName = "backup"

// BackupMissedAfter is how old the newest good backup may get before it
// counts as missed (a day plus slack for a late or slow run).
const BackupMissedAfter = 26 * time.Hour

// BackupJob writes a verified backup into the backup dir and keeps the
// newest Keep files.
func (s *Scheduler) BackupJob(b BackupSettings) Job {
	return Job{Name: backupJobName, DailyAt: b.DailyAt, Run: func(ctx context.Context) (string, error) {
		if err := os.MkdirAll(b.Dir, 0o750); err != nil {
			return "", err
		}
		name := store.BackupName(s.store.Now(), b.Compress)
		if err := s.store.Backup(ctx, filepath.Join(b.Dir, name), b.Compress); err != nil {
			return "", err
		}
		pruned, err := store.PruneBackups(b.Dir, b.Keep)
		return fmt.Sprintf("%s written and verified; %d old removed", name, pruned), err
	}}
}

// BackupCheckJob fails (so the admin pages and the log show it) when no
// good backup was made within BackupMissedAfter.
func (s *Scheduler) BackupCheckJob(b BackupSettings) Job {
	return Job{Name: "backup_check", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
		st, err := BackupHealth(ctx, s.store, b.Dir)
		if err != nil {
			return "", err
		}
		if st.Missed {
			return "", fmt.Errorf("no good backup since %s (scheduled daily at %s)", st.LastGoodText(), b.DailyAt)
		}
		return "last good backup " + st.LastGoodText(), nil
	}}
}

// BackupStatus is what the backups page shows about the schedule.
type BackupStatus struct {
	LastGood *time.Time // newest good backup file (scheduled or manual)
	LastRun  *store.JobRun
	Missed   bool // none within BackupMissedAfter
	Failed   bool // the latest scheduled run failed
}

// LastGoodText is the last good backup's time, or "never".
func (b BackupStatus) LastGoodText() string {
	if b.LastGood == nil {
		return "never"
	}
	return b.LastGood.UTC().Format(time.RFC3339)
}

// BackupHealth looks at the backup dir and the backup job's runs. A fresh
// install counts as missed only once it has been running past the window
// (its first job run is older than BackupMissedAfter).
func BackupHealth(ctx context.Context, st *store.Store, dir string) (BackupStatus, error) {
	var b BackupStatus
	list, err := store.ListBackups(dir)
	if err != nil {
		return b, err
	}
	if len(list) > 0 {
		t := list[0].ModTime
		b.LastGood = &t
	}
	if b.LastRun, err = st.LastJobRun(ctx, backupJobName); err != nil {
		return b, err
	}
	b.Failed = b.LastRun != nil && b.LastRun.OK != nil && !*b.LastRun.OK
	since, err := st.FirstJobRun(ctx)
	if err != nil {
		return b, err
	}
	now := st.Now()
	running := since != nil && now.Sub(*since) > BackupMissedAfter
	b.Missed = running && (b.LastGood == nil || now.Sub(*b.LastGood) > BackupMissedAfter)
	return b, nil
}

// DataJobs registers the scheduled backup, its check and webhook delivery.
func (s *Scheduler) DataJobs(b BackupSettings, webhookEvery time.Duration) error {
	for _, j := range []Job{s.BackupJob(b), s.BackupCheckJob(b), s.WebhookJob(webhookEvery)} {
		if err := s.Add(j); err != nil {
			return err
		}
	}
	return nil
}
