package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// JobRun is one recorded run of a scheduled job.
type JobRun struct {
	ID         int64
	Job        string
	StartedAt  time.Time
	FinishedAt *time.Time
	OK         *bool
	// Detail is the run's result as an encoded Msg (translated when shown;
	// see scheduler.RunDetail), or plain text in rows written before.
	Detail string
}

// StartJobRun records that job began and returns the run's id.
func (s *Store) StartJobRun(ctx context.Context, job string) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO job_runs (job, started_at) VALUES (?, ?)`, job, s.now().Unix())
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: start job run %s: %w", job, err)
	}
	return id, nil
}

// FinishJobRun records the outcome of a run.
func (s *Store) FinishJobRun(ctx context.Context, id int64, ok bool, detail string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE job_runs SET finished_at = ?, ok = ?, detail = ? WHERE id = ?`,
			s.now().Unix(), ok, detail, id)
		return err
	})
}

// LastJobRun returns the most recent run of job, or nil when it never ran.
func (s *Store) LastJobRun(ctx context.Context, job string) (*JobRun, error) {
	var r JobRun
	var started int64
	var finished sql.NullInt64
	var ok sql.NullBool
	err := s.r.QueryRowContext(ctx, `SELECT id, job, started_at, finished_at, ok, detail FROM job_runs
		WHERE job = ? ORDER BY started_at DESC, id DESC LIMIT 1`, job).Scan(&r.ID, &r.Job, &started, &finished, &ok, &r.Detail)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: last run %s: %w", job, err)
	}
	r.StartedAt = time.Unix(started, 0)
	r.FinishedAt = nullTime(finished)
	if ok.Valid {
		r.OK = &ok.Bool
	}
	return &r, nil
}
