package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestDigest_OnePerMorning_TodayOverdueFollowupsRecycling(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	now := f.now() // 09:00 in Shanghai, 2026-11-27
	soon, _ := f.taggedCustomer(t, f.salesA, "快回收公司", "", "甲", "", "")
	due, _ := f.taggedCustomer(t, f.salesA, "待跟进公司", "", "乙", "", "")
	exec := func(q string, args ...any) { t.Helper(); f.exec(t, q, args...) }
	exec(`UPDATE pools SET recycle_no_followup_days = 30, recycle_warn_days = 5 WHERE id = 1`)
	exec(`UPDATE customers SET home_pool_id = 1, owned_since = ?, last_followup_at = ? WHERE id = ?`,
		now.AddDate(0, 0, -60).Unix(), now.AddDate(0, 0, -27).Unix(), soon.ID)
	exec(`UPDATE customers SET home_pool_id = 1, owned_since = ?, last_followup_at = ?, next_followup_at = ? WHERE id = ?`,
		now.AddDate(0, 0, -5).Unix(), now.AddDate(0, 0, -1).Unix(), now.Add(2*time.Hour).Unix(), due.ID)
	task := func(title string, at time.Time, done bool) {
		var doneAt any
		if done {
			doneAt = at.Unix()
		}
		exec(`INSERT INTO tasks (title, kind, due_at, assignee_id, created_at, updated_at, done_at, customer_id) VALUES (?, 'visit', ?, ?, 0, 0, ?, ?)`,
			title, at.Unix(), f.salesA.ID, doneAt, due.ID)
	}
	task("拜访待跟进公司", now.Add(5*time.Hour), false) // today, 14:00
	task("回访上周客户", now.AddDate(0, 0, -2), false) // overdue
	task("已完成的拜访", now.Add(time.Hour), true)     // done: left out
	task("下周的会议", now.AddDate(0, 0, 6), false)   // later: left out
	if _, err := f.s.SaveMailPrefs(ctx, f.salesA, MailPrefs{Kinds: DefaultEmailKinds, Digest: true}); err != nil {
		t.Fatal(err)
	}
	// salesB opted in but has nothing today: no email.
	if _, err := f.s.SaveMailPrefs(ctx, f.salesB, MailPrefs{Digest: true}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if n, err := f.s.SendDigests(ctx); err != nil || n != 1-i {
			t.Fatalf("pass %d: %d queued, %v", i, n, err)
		}
	}
	f.send(t)
	m := f.smtp.To(f.salesA.Email)
	if len(m) != 1 || m[0].Subject() != "今日摘要 · 2026-11-27" {
		t.Fatalf("digest: %d", len(m))
	}
	text := m[0].Text()
	for _, want := range []string{"今天的任务（1）", "14:00  拜访待跟进公司", "已逾期的任务（1）", "回访上周客户",
		"待跟进客户（1）", "待跟进公司", "即将退回公海的客户（1）", "快回收公司", testBaseURL} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	for _, not := range []string{"已完成的拜访", "下周的会议"} {
		if strings.Contains(text, not) {
			t.Errorf("digest has %q", not)
		}
	}
	if len(f.smtp.To(f.salesB.Email)) != 0 {
		t.Error("empty digest sent")
	}
	// The next morning, again one.
	f.advance(24 * time.Hour)
	if n, err := f.s.SendDigests(ctx); err != nil || n != 1 {
		t.Fatalf("next day: %d %v", n, err)
	}
}

func TestDigest_OnlyInTheMorningWindow_InUsersZone(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	// 01:00 UTC: 09:00 in Shanghai, 17:00 the day before in Los Angeles.
	f.exec(t, `INSERT INTO tasks (title, kind, due_at, assignee_id, created_at, updated_at) VALUES ('回访', 'callback', ?, ?, 0, 0)`,
		f.now().Add(-48*time.Hour).Unix(), f.salesA.ID)
	if _, err := f.s.SaveMailPrefs(ctx, f.salesA, MailPrefs{Digest: true, TimeZone: "America/Los_Angeles"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.s.SendDigests(ctx); n != 0 {
		t.Fatal("digest sent at 17:00 local time")
	}
	f.advance(16 * time.Hour) // 09:00 in Los Angeles
	if n, _ := f.s.SendDigests(ctx); n != 1 {
		t.Fatal("no digest in the Los Angeles morning")
	}
}
