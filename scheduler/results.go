package scheduler

import (
	"errors"

	"github.com/tidecrm/tide/store"
)

// Failure is a job failure that is not an error from below but a finding
// of the job itself (no recent backup): its message is translated on the
// jobs page like a result, while other errors show as raw text, which is
// diagnostic.
type Failure struct{ Msg store.Msg }

func (f *Failure) Error() string { return "job failed: " + f.Msg.Key }

// Fail returns a Failure with the catalogue key and arguments.
func Fail(key string, kv ...any) error { return &Failure{Msg: store.M(key, kv...)} }

// RunDetail is what job_runs.detail records of a run: the summary when it
// succeeded; when it failed, a translated "failed:" label with the reason
// (raw error text, or the Failure's message) and the summary, if any.
func RunDetail(summary store.Msg, err error) store.Msg {
	if err == nil {
		return summary
	}
	var reason any = err.Error()
	var f *Failure
	var se *store.Error
	switch {
	case errors.As(err, &f):
		reason = f.Msg
	case errors.As(err, &se) && se.Msg.Key != "":
		reason = se.Msg
	}
	if summary.Key == "" {
		return store.M("jobrun.failed", "Err", reason)
	}
	return store.M("jobrun.failed_after", "Err", reason, "Summary", summary)
}

// ByHand marks a summary as the result of an admin's "run now".
func ByHand(summary store.Msg) store.Msg {
	return store.M("jobrun.by_hand", "Summary", summary)
}
