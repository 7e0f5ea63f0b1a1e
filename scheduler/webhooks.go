package scheduler

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidecrm/tide/store"
)

// Webhook delivery runs only here, in a scheduled job: requests never wait
// for a receiver. Each run sends at most webhookBatch due outbox rows,
// webhookWorkers at a time, each with a short timeout, so a slow or dead
// receiver costs at most a few workers for webhookTimeout.
const (
	webhookJobName = "webhook_delivery"
	// webhookRunsKept is how long the job's own runs stay in job_runs:
	// it runs every few seconds; the delivery log keeps the real history.
	webhookRunsKept = 24 * time.Hour
	webhookBatch    = 100
	webhookWorkers  = 4
	webhookTimeout  = 10 * time.Second
)

// Sign returns the X-Tide-Signature value of body: "sha256=" and the hex
// HMAC-SHA256 of the body with the webhook's secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// WebhookClient is the HTTP client deliveries use: short timeout, and
// redirects are not followed (a redirect could point back at Tide).
func WebhookClient() *http.Client {
	return &http.Client{
		Timeout:       webhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// DeliverWebhooks sends the due outbox rows once each and records every
// attempt; failures are retried by later runs with back-off.
func DeliverWebhooks(ctx context.Context, st *store.Store, client *http.Client) (store.Msg, error) {
	items, err := st.DueWebhookDeliveries(ctx, webhookBatch)
	if err != nil || len(items) == 0 {
		return store.M("jobrun.webhooks_none"), err
	}
	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, webhookWorkers)
	var recordErr error
	var mu sync.Mutex
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func(it store.WebhookOutboxItem) {
			defer func() { <-sem; wg.Done() }()
			out := deliver(ctx, client, it)
			if out.OK() {
				ok.Add(1)
			} else {
				failed.Add(1)
			}
			if err := st.RecordWebhookDelivery(context.WithoutCancel(ctx), it, out); err != nil {
				mu.Lock()
				recordErr = err
				mu.Unlock()
			}
		}(it)
	}
	wg.Wait()
	return store.M("jobrun.webhooks", "Delivered", ok.Load(), "Failed", failed.Load()), recordErr
}

func deliver(ctx context.Context, client *http.Client, it store.WebhookOutboxItem) store.DeliveryOutcome {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, it.URL, bytes.NewReader(it.Body))
	if err != nil {
		return store.DeliveryOutcome{Err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tide-Webhooks/1")
	req.Header.Set("X-Tide-Event", it.Event)
	req.Header.Set("X-Tide-Delivery", strconv.FormatInt(it.ID, 10))
	req.Header.Set("X-Tide-Signature", Sign(it.Secret, it.Body))
	res, err := client.Do(req)
	out := store.DeliveryOutcome{Duration: time.Since(start)}
	if err != nil {
		out.Err = err.Error()
		if len(out.Err) > 300 {
			out.Err = out.Err[:300]
		}
		return out
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	out.StatusCode = res.StatusCode
	return out
}

// WebhookJob delivers queued webhook events every interval.
func (s *Scheduler) WebhookJob(every time.Duration) Job {
	client := WebhookClient()
	return Job{Name: webhookJobName, Every: every, Run: func(ctx context.Context) (store.Msg, error) {
		detail, err := DeliverWebhooks(ctx, s.store, client)
		if _, perr := s.store.PruneJobRuns(ctx, webhookJobName, webhookRunsKept); perr != nil && err == nil {
			err = perr
		}
		return detail, err
	}}
}
