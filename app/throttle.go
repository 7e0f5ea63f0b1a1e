package app

import (
	"strings"
	"sync"
	"time"
)

// throttle slows down password guessing. After freeFailures failed sign-ins
// within window from one address, or for one username, each further attempt
// must wait, and the wait doubles with every failure (up to maxWait). It
// lives in memory: a restart forgives, which is acceptable for a LAN app and
// keeps the failure path off the database writer.
type throttle struct {
	mu      sync.Mutex
	entries map[string]*failures
	now     func() time.Time
}

type failures struct {
	count int
	first time.Time
	until time.Time
}

const (
	freeFailures = 5
	window       = 15 * time.Minute
	baseWait     = 30 * time.Second
	maxWait      = 15 * time.Minute
)

func newThrottle() *throttle {
	return &throttle{entries: map[string]*failures{}, now: time.Now}
}

func throttleKeys(ip, username string) []string {
	return []string{"ip:" + ip, "user:" + strings.ToLower(strings.TrimSpace(username))}
}

// wait reports how long the caller must still wait before trying again.
func (t *throttle) wait(ip, username string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var longest time.Duration
	for _, k := range throttleKeys(ip, username) {
		if f, ok := t.entries[k]; ok && f.until.After(now) {
			longest = max(longest, f.until.Sub(now))
		}
	}
	return longest
}

// fail records a failed attempt.
func (t *throttle) fail(ip, username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, k := range throttleKeys(ip, username) {
		f, ok := t.entries[k]
		if !ok || now.Sub(f.first) > window && f.until.Before(now) {
			f = &failures{first: now}
			t.entries[k] = f
		}
		f.count++
		if f.count >= freeFailures {
			wait := baseWait << min(f.count-freeFailures, 10)
			f.until = now.Add(min(wait, maxWait))
		}
	}
	if len(t.entries) > 10000 {
		t.prune(now)
	}
}

// succeed forgets the failures of a username after a good sign-in. The
// address keeps its record so one IP cannot reset its count by signing in
// to an account it owns between guesses at another.
func (t *throttle) succeed(username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, throttleKeys("", username)[1])
}

func (t *throttle) prune(now time.Time) {
	for k, f := range t.entries {
		if now.Sub(f.first) > window && f.until.Before(now) {
			delete(t.entries, k)
		}
	}
}
