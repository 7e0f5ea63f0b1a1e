package scheduler

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tidecrm/tide/store"
)

func TestRunDetail_FailureKeepsRawErrorAndSummary(t *testing.T) {
	sum := store.M("jobrun.webhooks", "Delivered", 1, "Failed", 0)
	for _, c := range []struct {
		name    string
		summary store.Msg
		err     error
		want    store.Msg
	}{
		{"ok", sum, nil, sum},
		{"raw error", store.Msg{}, errors.New("disk I/O error"), store.M("jobrun.failed", "Err", "disk I/O error")},
		{"raw error after work", sum, fmt.Errorf("record: %w", errors.New("locked")), store.M("jobrun.failed_after", "Err", "record: locked", "Summary", sum)},
		{"finding", store.Msg{}, Fail("jobrun.backup_missed", "Since", "x", "At", "02:00"),
			store.M("jobrun.failed", "Err", store.M("jobrun.backup_missed", "Since", "x", "At", "02:00"))},
		{"store refusal", store.Msg{}, &store.Error{Code: store.CodeInvalid, Msg: store.M("err.not_found")}, store.M("jobrun.failed", "Err", store.M("err.not_found"))},
	} {
		if got := RunDetail(c.summary, c.err); got.Encode() != c.want.Encode() {
			t.Errorf("%s: %s, want %s", c.name, got.Encode(), c.want.Encode())
		}
	}
}
