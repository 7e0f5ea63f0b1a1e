package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// reminderBatch bounds one reminder transaction, so a backlog after a long
// downtime does not hold the writer for long.
const reminderBatch = 200

// followupLookback is how far back a reached next-follow-up time still
// earns a notification: it covers any downtime we care about without
// flooding everyone with years-old dates on the first run.
const followupLookback = 7 * 24 * time.Hour

// ReminderResult counts what one reminder run wrote.
type ReminderResult struct {
	Reminded  int `json:"reminded"`
	Late      int `json:"late"`
	Followups int `json:"followups_due"`
}

// SendDueReminders writes the in-app notification of every task reminder
// that has come due and of every customer whose next follow-up time was
// reached. Each reminder is claimed (reminded_at set) in the transaction
// that writes its notification, and each notification carries a dedup
// key, so overlapping or repeated runs write it exactly once. A reminder
// more than two intervals past due (the server was down) is marked late.
func (s *Store) SendDueReminders(ctx context.Context, interval time.Duration) (ReminderResult, error) {
	var res ReminderResult
	for {
		n, late, err := s.remindBatch(ctx, interval)
		res.Reminded, res.Late = res.Reminded+n, res.Late+late
		if err != nil {
			return res, err
		}
		if n < reminderBatch {
			break
		}
	}
	n, err := s.notifyFollowupsDue(ctx)
	res.Followups = n
	return res, err
}

// dueReminder is a task whose reminder is to be sent.
type dueReminder struct {
	id, assignee, remindAt, dueAt int64
	title                         string
	customer                      sql.NullInt64
}

func (s *Store) remindBatch(ctx context.Context, interval time.Duration) (sent, late int, err error) {
	now := s.now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		sent, late = 0, 0
		due, err := dueReminders(ctx, tx, now.Unix())
		if err != nil {
			return err
		}
		for _, r := range due {
			res, err := tx.ExecContext(ctx, `UPDATE tasks SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL AND done_at IS NULL`, now.Unix(), r.id)
			if err != nil {
				return fmt.Errorf("store: claim reminder %d: %w", r.id, err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				continue
			}
			isLate := now.Sub(time.Unix(r.remindAt, 0)) > 2*interval
			if err := notify(ctx, tx, s.reminderNotice(r, isLate), now.Unix()); err != nil {
				return err
			}
			if err := emitEvent(ctx, tx, now, EventTaskDue, func() any { return r.webhookData(isLate) }); err != nil {
				return err
			}
			sent++
			if isLate {
				late++
			}
		}
		return nil
	})
	return sent, late, err
}

func dueReminders(ctx context.Context, tx *sql.Tx, now int64) ([]dueReminder, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, assignee_id, remind_at, due_at, title, customer_id FROM tasks
		WHERE remind_at IS NOT NULL AND reminded_at IS NULL AND done_at IS NULL AND remind_at <= ?
		ORDER BY remind_at, id LIMIT ?`, now, reminderBatch)
	if err != nil {
		return nil, fmt.Errorf("store: due reminders: %w", err)
	}
	defer rows.Close()
	var out []dueReminder
	for rows.Next() {
		var r dueReminder
		if err := rows.Scan(&r.id, &r.assignee, &r.remindAt, &r.dueAt, &r.title, &r.customer); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// reminderNotice is the task_reminder notification of r. Its arguments
// carry the due time already formatted in the company time zone, so the
// title reads the same wherever it is shown (page, bell, e-mail).
func (s *Store) reminderNotice(r dueReminder, late bool) Notification {
	return Notification{UserID: r.assignee, Kind: "task_reminder", TitleKey: "notify.task_reminder",
		Args: map[string]any{"Task": r.title, "Due": s.localTime(r.dueAt), "Late": late, "TaskID": r.id},
		Link: fmt.Sprintf("/tasks/%d", r.id), DedupKey: fmt.Sprintf("task:%d:remind:%d", r.id, r.remindAt), DueAt: r.remindAt}
}

// webhookData is the task.due event's data: integrations hear of a task
// when its reminder fires, the moment Tide tells the assignee.
func (r dueReminder) webhookData(late bool) map[string]any {
	data := map[string]any{"task_id": r.id, "title": r.title, "assignee_id": r.assignee,
		"due_at": time.Unix(r.dueAt, 0).UTC().Format(time.RFC3339), "late": late}
	if r.customer.Valid {
		data["customer_id"] = r.customer.Int64
	}
	return data
}

// localTime formats unix seconds in the company time zone.
func (s *Store) localTime(sec int64) string {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	return time.Unix(sec, 0).In(loc).Format("2006-01-02 15:04")
}

// notifyFollowupsDue tells each owner, once per follow-up time, that a
// customer's next follow-up time (下次跟进) has been reached.
func (s *Store) notifyFollowupsDue(ctx context.Context) (int, error) {
	now := s.now()
	written := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT c.id, c.name, c.owner_id, c.next_followup_at FROM customers c
			WHERE c.next_followup_at IS NOT NULL AND c.next_followup_at <= ? AND c.next_followup_at > ?
				AND c.deleted_at IS NULL AND c.owner_id IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.dedup_key = 'followup:' || c.id || ':' || c.next_followup_at)
			ORDER BY c.next_followup_at, c.id`, now.Unix(), now.Add(-followupLookback).Unix())
		if err != nil {
			return fmt.Errorf("store: follow-ups due: %w", err)
		}
		var due []Notification
		for rows.Next() {
			var id, owner, at int64
			var name string
			if err := rows.Scan(&id, &name, &owner, &at); err != nil {
				rows.Close()
				return err
			}
			due = append(due, Notification{UserID: owner, Kind: "followup_due", TitleKey: "notify.followup_due",
				Args: map[string]any{"Customer": name, "At": s.localTime(at)}, Link: customerLink(id),
				DedupKey: fmt.Sprintf("followup:%d:%d", id, at)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, n := range due {
			if err := notify(ctx, tx, n, now.Unix()); err != nil {
				return err
			}
		}
		written = len(due)
		return nil
	})
	return written, err
}
