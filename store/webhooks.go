package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhooks (Webhook 推送) tell other systems what happened. A change writes
// its event into the webhook_outbox in the same transaction (EmitEvent), so
// an event exists exactly when its change committed; the delivery job
// (scheduler/webhooks.go) sends the outbox later, so a slow or dead
// receiver never slows a request.

// Webhook event names.
const (
	EventCustomerCreated    = "customer.created"
	EventCustomerUpdated    = "customer.updated"
	EventCustomerClaimed    = "customer.claimed"
	EventCustomerReleased   = "customer.released"
	EventCustomerRecycled   = "customer.recycled"
	EventOppStageChanged    = "opportunity.stage_changed"
	EventOppWon             = "opportunity.won"
	EventTaskDue            = "task.due"
	EventWebhookTest        = "webhook.test"
	webhookMaxAttempts      = 8
	webhookFirstRetry       = 30 * time.Second
	webhookMaxRetryInterval = time.Hour
)

// WebhookEvents lists the events a webhook may subscribe to.
var WebhookEvents = []string{EventCustomerCreated, EventCustomerUpdated, EventCustomerClaimed, EventCustomerReleased,
	EventCustomerRecycled, EventOppStageChanged, EventOppWon, EventTaskDue}

// Webhook is a registered receiver.
type Webhook struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Enabled   bool      `json:"enabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Secret is only filled in the answer to a create.
	Secret string `json:"secret,omitempty"`
	// LastStatus is the latest delivery's HTTP status (0: none or no answer).
	LastStatus int `json:"last_status"`
}

// WebhookInput creates or edits a webhook; nil fields stay as they are.
type WebhookInput struct {
	URL     *string   `json:"url"`
	Events  *[]string `json:"events"`
	Enabled *bool     `json:"enabled"`
}

// SelfAddresses returns this server's own listen and public addresses
// (host:port); webhooks pointing there would loop. Set by the server.
type SelfAddresses func() []string

func (s *Store) validateWebhook(in WebhookInput, creating bool) fieldErrors {
	fe := fieldErrors{}
	if in.URL != nil || creating {
		s.checkWebhookURL(strings.TrimSpace(deref(in.URL)), fe)
	}
	if in.Events != nil || creating {
		if in.Events == nil || len(*in.Events) == 0 {
			fe.add("events", "webhook.err_events")
		} else {
			for _, e := range *in.Events {
				if !slices.Contains(WebhookEvents, e) {
					fe.add("events", "webhook.err_event_unknown", "Event", e)
				}
			}
		}
	}
	return fe
}

// checkWebhookURL refuses what is not an absolute http(s) URL, and URLs
// that point at this server itself (a loop).
func (s *Store) checkWebhookURL(raw string, fe fieldErrors) {
	u, err := url.Parse(raw)
	if raw == "" {
		fe.add("url", "err.required")
		return
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2000 {
		fe.add("url", "webhook.err_url")
		return
	}
	if s.isSelf(u) {
		fe.add("url", "webhook.err_loop")
	}
}

func (s *Store) isSelf(u *url.URL) bool {
	if s.Self == nil {
		return false
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	host := strings.ToLower(u.Hostname())
	for _, addr := range s.Self() {
		h, p, err := net.SplitHostPort(addr)
		if err != nil || p != port {
			continue
		}
		h = strings.ToLower(h)
		if h == host || isLocalHost(host) && (h == "" || isLocalHost(h) || h == "0.0.0.0" || h == "::") {
			return true
		}
	}
	return false
}

func isLocalHost(h string) bool {
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// CreateWebhook registers a receiver (admin) and returns it with its
// signing secret, shown this once.
func (s *Store) CreateWebhook(ctx context.Context, actor *User, in WebhookInput) (*Webhook, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	if err := s.validateWebhook(in, true).err(); err != nil {
		return nil, err
	}
	secret := "whsec_" + randomToken(32)
	events, _ := json.Marshal(*in.Events)
	enabled := in.Enabled == nil || *in.Enabled
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		res, err := tx.ExecContext(ctx, `INSERT INTO webhooks (url, events, secret, enabled, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			strings.TrimSpace(*in.URL), string(events), secret, enabled, actor.ID, now, now)
		if err != nil {
			return fmt.Errorf("store: create webhook: %w", err)
		}
		id, _ = res.LastInsertId()
		return audit(ctx, tx, now, AuditEntry{Action: AuditCreate, Entity: "webhook", EntityID: id, Detail: *in.URL, ActorID: actor.ID})
	})
	if err != nil {
		return nil, err
	}
	w, err := s.Webhook(ctx, actor, id)
	if err == nil {
		w.Secret = secret
	}
	return w, err
}

const webhookCols = `w.id, w.url, w.events, w.enabled, w.created_at, w.updated_at,
	COALESCE((SELECT d.status_code FROM webhook_deliveries d WHERE d.webhook_id = w.id ORDER BY d.id DESC LIMIT 1), 0)`

func scanWebhook(row interface{ Scan(...any) error }) (*Webhook, error) {
	var w Webhook
	var events string
	var created, updated int64
	if err := row.Scan(&w.ID, &w.URL, &events, &w.Enabled, &created, &updated, &w.LastStatus); err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(events), &w.Events)
	w.CreatedAt, w.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return &w, nil
}

// Webhook loads one webhook (admin).
func (s *Store) Webhook(ctx context.Context, actor *User, id int64) (*Webhook, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	w, err := scanWebhook(s.r.QueryRowContext(ctx, `SELECT `+webhookCols+` FROM webhooks w WHERE w.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return w, err
}

// Webhooks lists every webhook (admin), oldest first.
func (s *Store) Webhooks(ctx context.Context, actor *User) ([]*Webhook, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+webhookCols+` FROM webhooks w ORDER BY w.id`)
	if err != nil {
		return nil, fmt.Errorf("store: webhooks: %w", err)
	}
	defer rows.Close()
	out := []*Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// UpdateWebhook edits a webhook's URL, events or enabled flag (admin).
func (s *Store) UpdateWebhook(ctx context.Context, actor *User, id int64, in WebhookInput) (*Webhook, error) {
	cur, err := s.Webhook(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.validateWebhook(in, false).err(); err != nil {
		return nil, err
	}
	var changes []Change
	url, events, enabled := cur.URL, cur.Events, cur.Enabled
	if in.URL != nil && strings.TrimSpace(*in.URL) != url {
		changes = append(changes, Change{Field: "url", Old: url, New: strings.TrimSpace(*in.URL)})
		url = strings.TrimSpace(*in.URL)
	}
	if in.Events != nil && !sameStrings(events, *in.Events) {
		changes = append(changes, Change{Field: "events", Old: strings.Join(events, ","), New: strings.Join(*in.Events, ",")})
		events = *in.Events
	}
	if in.Enabled != nil && *in.Enabled != enabled {
		changes = append(changes, Change{Field: "enabled", Old: fmt.Sprint(enabled), New: fmt.Sprint(*in.Enabled)})
		enabled = *in.Enabled
	}
	if len(changes) == 0 {
		return cur, nil
	}
	raw, _ := json.Marshal(events)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET url = ?, events = ?, enabled = ?, updated_at = ? WHERE id = ?`,
			url, string(raw), enabled, now, id); err != nil {
			return fmt.Errorf("store: update webhook %d: %w", id, err)
		}
		return audit(ctx, tx, now, AuditEntry{Action: AuditUpdate, Entity: "webhook", EntityID: id, Changes: changes, ActorID: actor.ID})
	})
	if err != nil {
		return nil, err
	}
	return s.Webhook(ctx, actor, id)
}

// DeleteWebhook removes a webhook with its outbox and delivery log (admin).
func (s *Store) DeleteWebhook(ctx context.Context, actor *User, id int64) error {
	cur, err := s.Webhook(ctx, actor, id)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: delete webhook %d: %w", id, err)
		}
		return audit(ctx, tx, s.now().Unix(), AuditEntry{Action: AuditDelete, Entity: "webhook", EntityID: id, Detail: cur.URL, ActorID: actor.ID})
	})
}

// webhookBody is the JSON every delivery posts.
type webhookBody struct {
	Event string    `json:"event"`
	At    time.Time `json:"at"`
	Data  any       `json:"data"`
}

// EmitEvent queues event with data for every enabled webhook subscribed to
// it, inside tx: call it from the transaction that makes the change. The
// body is fixed now, so retries send the same bytes.
func (s *Store) EmitEvent(ctx context.Context, tx *sql.Tx, event string, data any) error {
	return emitEvent(ctx, tx, s.now(), event, func() any { return data })
}

// emitEvent queues event for its subscribers; data is only built when
// there is at least one, so changes cost one indexed query without webhooks.
func emitEvent(ctx context.Context, tx *sql.Tx, now time.Time, event string, data func() any) error {
	ids, err := webhookSubscribers(ctx, tx, event)
	if err != nil || len(ids) == 0 {
		return err
	}
	return queueBody(ctx, tx, ids, now, event, data())
}

// webhookSubscribers are the enabled webhooks that want event.
func webhookSubscribers(ctx context.Context, tx *sql.Tx, event string) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM webhooks WHERE enabled = 1
		AND EXISTS (SELECT 1 FROM json_each(webhooks.events) WHERE value = ?)`, event)
	if err != nil {
		return nil, fmt.Errorf("store: subscribers of %s: %w", event, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func queueBody(ctx context.Context, tx *sql.Tx, ids []int64, now time.Time, event string, data any) error {
	body, err := json.Marshal(webhookBody{Event: event, At: now.UTC().Truncate(time.Second), Data: data})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_outbox (webhook_id, event, body, created_at, next_at) VALUES (?, ?, ?, ?, ?)`,
			id, event, string(body), now.Unix(), now.Unix()); err != nil {
			return fmt.Errorf("store: queue %s: %w", event, err)
		}
	}
	return nil
}

// SendTestWebhook queues a webhook.test event for one webhook (the "send
// test" button); the delivery job sends it on its next run.
func (s *Store) SendTestWebhook(ctx context.Context, actor *User, id int64) error {
	if _, err := s.Webhook(ctx, actor, id); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		return queueBody(ctx, tx, []int64{id}, s.now(), EventWebhookTest, map[string]any{"message": "Tide webhook test"})
	})
}

// WebhookOutboxItem is one queued webhook delivery with what the sender needs.
type WebhookOutboxItem struct {
	ID        int64
	WebhookID int64
	URL       string
	Secret    string
	Event     string
	Body      []byte
	Attempts  int
}

// DueWebhookDeliveries returns up to limit queued deliveries that are due.
func (s *Store) DueWebhookDeliveries(ctx context.Context, limit int) ([]WebhookOutboxItem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT o.id, o.webhook_id, w.url, w.secret, o.event, o.body, o.attempts
		FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id
		WHERE o.status = 'pending' AND o.next_at <= ? AND (w.enabled = 1 OR o.event = ?) ORDER BY o.next_at, o.id LIMIT ?`,
		s.now().Unix(), EventWebhookTest, limit)
	if err != nil {
		return nil, fmt.Errorf("store: due webhooks: %w", err)
	}
	defer rows.Close()
	var out []WebhookOutboxItem
	for rows.Next() {
		var it WebhookOutboxItem
		var body string
		if err := rows.Scan(&it.ID, &it.WebhookID, &it.URL, &it.Secret, &it.Event, &body, &it.Attempts); err != nil {
			return nil, err
		}
		it.Body = []byte(body)
		out = append(out, it)
	}
	return out, rows.Err()
}

// DeliveryOutcome is what one attempt got.
type DeliveryOutcome struct {
	StatusCode int
	Err        string
	Duration   time.Duration
}

// OK reports a 2xx answer.
func (o DeliveryOutcome) OK() bool { return o.StatusCode >= 200 && o.StatusCode < 300 }

// RecordWebhookDelivery logs an attempt and schedules the next one with
// exponential back-off (30 s, 1 min, 2 min, … at most an hour apart),
// giving up after webhookMaxAttempts.
func (s *Store) RecordWebhookDelivery(ctx context.Context, it WebhookOutboxItem, o DeliveryOutcome) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		attempt := it.Attempts + 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, outbox_id, event, at, attempt, status_code, error, duration_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, it.WebhookID, it.ID, it.Event, now.Unix(), attempt, o.StatusCode, o.Err, o.Duration.Milliseconds()); err != nil {
			return fmt.Errorf("store: log delivery: %w", err)
		}
		status, next := "pending", now.Add(retryDelay(attempt))
		if o.OK() {
			status = "delivered"
		} else if attempt >= webhookMaxAttempts {
			status = "failed"
		}
		_, err := tx.ExecContext(ctx, `UPDATE webhook_outbox SET attempts = ?, status = ?, next_at = ? WHERE id = ? AND status = 'pending'`,
			attempt, status, next.Unix(), it.ID)
		return err
	})
}

func retryDelay(attempt int) time.Duration {
	d := webhookFirstRetry << min(attempt-1, 20)
	return min(d, webhookMaxRetryInterval)
}

// PruneJobRuns deletes job's recorded runs older than keep; the frequent
// webhook delivery job calls it so job_runs does not grow without end.
func (s *Store) PruneJobRuns(ctx context.Context, job string, keep time.Duration) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM job_runs WHERE job = ? AND started_at < ?`, job, s.now().Add(-keep).Unix())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// WebhookDelivery is one logged attempt.
type WebhookDelivery struct {
	ID         int64     `json:"id"`
	Event      string    `json:"event"`
	At         time.Time `json:"at"`
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code"`
	Error      string    `json:"error"`
	DurationMS int64     `json:"duration_ms"`
}

// WebhookDeliveries lists a webhook's latest attempts, newest first (admin).
func (s *Store) WebhookDeliveries(ctx context.Context, actor *User, id int64, limit int) ([]*WebhookDelivery, error) {
	if _, err := s.Webhook(ctx, actor, id); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, event, at, attempt, status_code, error, duration_ms FROM webhook_deliveries
		WHERE webhook_id = ? ORDER BY id DESC LIMIT ?`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("store: deliveries: %w", err)
	}
	defer rows.Close()
	out := []*WebhookDelivery{}
	for rows.Next() {
		var d WebhookDelivery
		var at int64
		if err := rows.Scan(&d.ID, &d.Event, &at, &d.Attempt, &d.StatusCode, &d.Error, &d.DurationMS); err != nil {
			return nil, err
		}
		d.At = time.Unix(at, 0).UTC()
		out = append(out, &d)
	}
	return out, rows.Err()
}
