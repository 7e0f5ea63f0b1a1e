-- +goose Up
-- Schedules (日程/任务): what someone has to do by when, optionally with a
-- reminder. Times are unix seconds (UTC); the company or user time zone
-- cuts days only when shown or reported.

CREATE TABLE tasks (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind           TEXT NOT NULL CHECK (kind IN ('visit', 'callback', 'meeting', 'other')),
    due_at         INTEGER NOT NULL,
    remind_at      INTEGER CHECK (remind_at IS NULL OR remind_at <= due_at),
    -- Set in the transaction that creates the reminder notification, so a
    -- reminder is written once however often or concurrently the job runs.
    reminded_at    INTEGER,
    customer_id    INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    opportunity_id INTEGER REFERENCES opportunities(id) ON DELETE SET NULL,
    contact_id     INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    assignee_id    INTEGER NOT NULL REFERENCES users(id),
    created_by     INTEGER REFERENCES users(id),
    notes          TEXT NOT NULL DEFAULT '',
    done_at        INTEGER,
    -- The follow-up whose logging completed the task, when one did.
    followup_id    INTEGER REFERENCES followups(id) ON DELETE SET NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
-- My day / calendar: one assignee's tasks by due time.
CREATE INDEX tasks_assignee_due ON tasks(assignee_id, due_at);
-- The reminder job: reminders due and not yet sent.
CREATE INDEX tasks_reminder_due ON tasks(remind_at) WHERE remind_at IS NOT NULL AND reminded_at IS NULL AND done_at IS NULL;
CREATE INDEX tasks_customer ON tasks(customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX tasks_opportunity ON tasks(opportunity_id) WHERE opportunity_id IS NOT NULL;

-- +goose Down
DROP TABLE tasks;
