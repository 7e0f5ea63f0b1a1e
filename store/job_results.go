package store

// The one-line results of the scheduled jobs, as catalogue messages
// (jobrun.*) so the jobs page shows them in the admin's language; the
// scheduler and the admin's "run now" endpoints share them.

// Msg is the recycle pass's result.
func (r RecycleResult) Msg() Msg {
	return M("jobrun.recycle", "Recycled", r.Recycled, "Warned", r.Warned)
}

// Msg is the reminder pass's result.
func (r ReminderResult) Msg() Msg {
	return M("jobrun.reminders", "Reminded", r.Reminded, "Late", r.Late, "Followups", r.Followups)
}

// Msg is the sender pass's counts; the last SMTP error, being diagnostic
// text, is added by the caller as it is.
func (r SendResult) Msg() Msg {
	if r.NotConfigured {
		return M("jobrun.mail_not_configured", "Waiting", r.Waiting)
	}
	return M("jobrun.mail_send", "Sent", r.Sent, "Retrying", r.Retrying, "Failed", r.Failed,
		"Unsubscribed", r.Unsubscribed, "Interrupted", r.Interrupted)
}
