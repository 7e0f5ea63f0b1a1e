package app

import (
	"context"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
)

// summarised is a job pass's result that states itself as a catalogue
// message (store.RecycleResult, store.ReminderResult).
type summarised interface{ Msg() store.Msg }

// runByHand runs one pass of a scheduled job now (an admin's "run now")
// and records it in job_runs under the job's scheduler name, so the jobs
// page lists it beside the scheduled runs: the pass's summary (or the
// failure) marked as run by hand, translated when shown. The outcome is
// recorded even when the request's context ends meanwhile, and a failure
// to record it is returned when the pass itself succeeded.
func runByHand[R summarised](ctx context.Context, st *store.Store, job string, run func(context.Context) (R, error)) (R, error) {
	runID, err := st.StartJobRun(ctx, job)
	if err != nil {
		var zero R
		return zero, err
	}
	res, runErr := run(ctx)
	detail := scheduler.ByHand(scheduler.RunDetail(res.Msg(), runErr))
	if err := st.FinishJobRun(context.WithoutCancel(ctx), runID, runErr == nil, detail.Encode()); err != nil && runErr == nil {
		runErr = err
	}
	return res, runErr
}

// byHandJSON answers a run-by-hand endpoint: the pass's own fields, its
// summary in the caller's language ("detail") and as catalogue key and
// arguments ("summary"), for clients that translate themselves.
func byHandJSON(c *fiber.Ctx, res summarised) error {
	raw, err := json.Marshal(res)
	if err != nil {
		return err
	}
	body := map[string]any{}
	if err := json.Unmarshal(raw, &body); err != nil {
		return err
	}
	body["summary"] = res.Msg()
	body["detail"] = tr(loc(c), res.Msg())
	return c.JSON(body)
}
