// Package scheduler runs Tide's background jobs with gocron. Every run is
// recorded in the job_runs table (start, end, ok/error, detail) so the admin
// page shows what ran and what failed; jobs never overlap themselves.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/tidecrm/tide/store"
)

// Job is one background task.
type Job struct {
	// Name is a stable id, also the catalogue key suffix (job.<name>).
	Name string
	// Every runs the job at this interval; ignored when DailyAt is set.
	Every time.Duration
	// DailyAt runs the job once a day at this time ("03:30", company zone).
	DailyAt string
	// RunAtStart also runs the job right after start-up (catch-up jobs).
	RunAtStart bool
	// Run does the work and returns a one-line summary for the admin page,
	// as a catalogue message (translated when shown).
	Run func(ctx context.Context) (store.Msg, error)
}

// Info describes a scheduled job for display.
type Info struct {
	Name    string
	Every   time.Duration // interval, when DailyAt is empty
	DailyAt string        // "03:30" for daily jobs
	NextRun time.Time
}

// Scheduler owns the gocron scheduler and the registered jobs.
type Scheduler struct {
	cron  gocron.Scheduler
	store *store.Store
	log   *slog.Logger

	mu   sync.Mutex
	jobs []registered
	ctx  context.Context
	stop context.CancelFunc
}

type registered struct {
	def Job
	job gocron.Job
}

// New creates a scheduler working in the company time zone.
func New(st *store.Store, log *slog.Logger, loc *time.Location) (*Scheduler, error) {
	cron, err := gocron.NewScheduler(gocron.WithLocation(loc), gocron.WithStopTimeout(30*time.Second))
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{cron: cron, store: st, log: log, ctx: ctx, stop: cancel}, nil
}

// Add registers a job. Call before Start.
func (s *Scheduler) Add(j Job) error {
	var def gocron.JobDefinition
	if j.DailyAt != "" {
		t, err := time.Parse("15:04", j.DailyAt)
		if err != nil {
			return fmt.Errorf("scheduler: job %s: daily time %q: %w", j.Name, j.DailyAt, err)
		}
		def = gocron.DailyJob(1, gocron.NewAtTimes(gocron.NewAtTime(uint(t.Hour()), uint(t.Minute()), 0)))
	} else {
		def = gocron.DurationJob(j.Every)
	}
	opts := []gocron.JobOption{gocron.WithName(j.Name), gocron.WithSingletonMode(gocron.LimitModeReschedule)}
	if j.RunAtStart {
		opts = append(opts, gocron.WithStartAt(gocron.WithStartImmediately()))
	}
	job, err := s.cron.NewJob(def, gocron.NewTask(func() { s.RunNow(s.ctx, j) }), opts...)
	if err != nil {
		return fmt.Errorf("scheduler: job %s: %w", j.Name, err)
	}
	s.mu.Lock()
	s.jobs = append(s.jobs, registered{def: j, job: job})
	s.mu.Unlock()
	return nil
}

// RunNow runs a job in the calling goroutine and records the run; the
// detail recorded (and returned) is RunDetail's.
func (s *Scheduler) RunNow(ctx context.Context, j Job) (store.Msg, error) {
	id, err := s.store.StartJobRun(ctx, j.Name)
	if err != nil {
		s.log.Error("job not started", slog.String("job", j.Name), slog.Any("err", err))
		return store.Msg{}, err
	}
	start := time.Now()
	summary, runErr := j.Run(ctx)
	detail := RunDetail(summary, runErr)
	if runErr != nil {
		s.log.Error("job failed", slog.String("job", j.Name), slog.Duration("duration", time.Since(start)), slog.Any("err", runErr))
	} else {
		s.log.Info("job done", slog.String("job", j.Name), slog.Duration("duration", time.Since(start)), slog.Any("detail", detail))
	}
	// Record the outcome even when ctx was cancelled by shutdown.
	if err := s.store.FinishJobRun(context.WithoutCancel(ctx), id, runErr == nil, detail.Encode()); err != nil {
		s.log.Error("job run not recorded", slog.String("job", j.Name), slog.Any("err", err))
	}
	return detail, runErr
}

// Start begins running jobs.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop cancels running jobs' context and waits for them to return.
func (s *Scheduler) Stop() error {
	s.stop()
	return s.cron.Shutdown()
}

// Jobs lists the registered jobs with their next run.
func (s *Scheduler) Jobs() []Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Info, 0, len(s.jobs))
	for _, r := range s.jobs {
		next, _ := r.job.NextRun()
		out = append(out, Info{Name: r.def.Name, Every: r.def.Every, DailyAt: r.def.DailyAt, NextRun: next})
	}
	return out
}

// RecycleJob is the pool recycle job (自动回收); the admin's "run now"
// button runs the same job through RunNow.
func (s *Scheduler) RecycleJob(every time.Duration) Job {
	return Job{Name: "pool_recycle", Every: every, RunAtStart: true, Run: func(ctx context.Context) (store.Msg, error) {
		res, err := s.store.RecycleDue(ctx)
		return res.Msg(), err
	}}
}

// Standard registers the jobs every Tide server runs.
func (s *Scheduler) Standard(recycleEvery time.Duration) error {
	for _, j := range []Job{
		s.RecycleJob(recycleEvery),
		{Name: "db_maintenance", DailyAt: "03:30", Run: s.store.Optimize},
		{Name: "session_cleanup", Every: time.Hour, RunAtStart: true, Run: func(ctx context.Context) (store.Msg, error) {
			n, err := s.store.DeleteExpiredSessions(ctx)
			if err != nil {
				return store.Msg{}, err
			}
			u, err := s.store.CleanPendingImports(ctx) // import uploads never confirmed
			return store.M("jobrun.session_cleanup", "Sessions", n, "Uploads", u), err
		}},
	} {
		if err := s.Add(j); err != nil {
			return err
		}
	}
	return nil
}
