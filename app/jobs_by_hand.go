package app

import (
	"context"

	"github.com/tidecrm/tide/store"
)

// runByHand runs one pass of a scheduled job now (an admin's "run now")
// and records it in job_runs under the job's scheduler name, so the jobs
// page lists it beside the scheduled runs. summary describes a pass that
// succeeded; the record adds "(run by hand)", or holds the error. The
// outcome is recorded even when the request's context ends meanwhile, and
// a failure to record it is returned when the pass itself succeeded.
func runByHand[R any](ctx context.Context, st *store.Store, job string, run func(context.Context) (R, error), summary func(R) string) (R, error) {
	runID, err := st.StartJobRun(ctx, job)
	if err != nil {
		var zero R
		return zero, err
	}
	res, runErr := run(ctx)
	detail := summary(res) + " (run by hand)"
	if runErr != nil {
		detail = runErr.Error()
	}
	if err := st.FinishJobRun(context.WithoutCancel(ctx), runID, runErr == nil, detail); err != nil && runErr == nil {
		runErr = err
	}
	return res, runErr
}
