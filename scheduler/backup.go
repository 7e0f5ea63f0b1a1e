package scheduler

import (
	"context"
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
	return Job{Name: backupJobName, DailyAt: b.DailyAt, Run: func(ctx context.Context) (store.Msg, error) {
		if err := os.MkdirAll(b.Dir, 0o750); err != nil {
			return store.Msg{}, err
		}
		name := store.BackupName(s.store.Now(), b.Compress)
		if err := s.store.Backup(ctx, filepath.Join(b.Dir, name), b.Compress); err != nil {
			return store.Msg{}, err
		}
		pruned, err := store.PruneBackups(b.Dir, b.Keep)
		return store.M("jobrun.backup", "Name", name, "Pruned", pruned), err
	}}
}

// BackupCheckJob fails (so the admin pages and the log show it) when no
// good backup was made within BackupMissedAfter.
func (s *Scheduler) BackupCheckJob(b BackupSettings) Job {
	return Job{Name: "backup_check", Every: time.Hour, Run: func(ctx context.Context) (store.Msg, error) {
		st, err := BackupHealth(ctx, s.store, b.Dir)
		if err != nil {
			return store.Msg{}, err
		}
		return backupCheckResult(st, s.store.Location, b.DailyAt)
	}}
}

// backupCheckResult states the newest good backup, failing when it is
// missed (none within BackupMissedAfter, or none at all past that).
func backupCheckResult(st BackupStatus, zone *time.Location, dailyAt string) (store.Msg, error) {
	since := store.M("jobrun.backup_never")
	if st.LastGood != nil {
		since = store.M("jobrun.backup_at", "At", st.LastGood.In(zone).Format("2006-01-02 15:04"))
	}
	if st.Missed {
		return store.Msg{}, Fail("jobrun.backup_missed", "Since", since, "At", dailyAt)
	}
	return store.M("jobrun.backup_last", "Since", since), nil
}

// BackupStatus is what the backups page shows about the schedule.
type BackupStatus struct {
	LastGood *time.Time // newest good backup file (scheduled or manual)
	LastRun  *store.JobRun
	Missed   bool // none within BackupMissedAfter
	Failed   bool // the latest scheduled run failed
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
