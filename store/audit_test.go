package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

func auditRows(t *testing.T, f *fixture, q AuditQuery) []*AuditRow {
	t.Helper()
	rows, err := f.s.AuditLog(context.Background(), f.admin, q)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestAuditCustomerUpdateFieldsActorAndAddress(t *testing.T) {
	f := newFixture(t)
	ctx := WithActor(context.Background(), f.salesA.ID, "203.0.113.7")
	c := f.customer(t, f.salesA, "杭州西湖科技有限公司", "13700000001")
	_, err := f.s.UpdateCustomer(ctx, f.salesA, c.ID, CustomerInput{Version: &c.Version, Industry: ptr("软件"), Region: ptr("浙江")})
	if err != nil {
		t.Fatal(err)
	}
	rows := auditRows(t, f, AuditQuery{Entity: "customer", Action: AuditUpdate})
	got := map[string]*AuditRow{}
	for _, r := range rows {
		got[r.Field] = r
	}
	ind := got["industry"]
	if ind == nil || ind.New != "软件" || ind.Old != "" || ind.IP != "203.0.113.7" || ind.UserID == nil || *ind.UserID != f.salesA.ID ||
		ind.UserName != f.salesA.Name || ind.EntityID == nil || *ind.EntityID != c.ID {
		t.Fatalf("industry change row: %+v (all %d rows)", ind, len(rows))
	}
	if got["region"] == nil {
		t.Fatal("region change not recorded")
	}
	// A refused update (stale version) writes no audit row: same transaction.
	before := len(auditRows(t, f, AuditQuery{}))
	if _, err := f.s.UpdateCustomer(ctx, f.salesA, c.ID, CustomerInput{Version: &c.Version, Industry: ptr("制造")}); !IsCode(err, CodeConflict) {
		t.Fatalf("stale update: %v", err)
	}
	if after := len(auditRows(t, f, AuditQuery{})); after != before {
		t.Fatalf("refused update wrote %d audit rows", after-before)
	}
}

func TestAuditRowsCannotBeChanged(t *testing.T) {
	f := newFixture(t)
	f.customer(t, f.salesA, "不可篡改公司", "13700000002")
	for _, q := range []string{`UPDATE audit_log SET action = 'x'`, `DELETE FROM audit_log`} {
		if _, err := f.s.w.Exec(q); err == nil || !strings.Contains(err.Error(), "audit_log rows cannot") {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestAuditCoversSignInPoolAndAdminActions(t *testing.T) {
	f := newFixture(t)
	ctx := WithActor(context.Background(), 0, "198.51.100.9")
	if _, err := f.s.Authenticate(ctx, f.salesA.Username, "wrong-password"); !IsCode(err, CodeUnauthenticated) {
		t.Fatalf("bad password: %v", err)
	}
	if _, _, err := f.s.CreateSession(ctx, f.salesA.ID, "198.51.100.9", "test", SessionLimits{Absolute: time.Hour, Idle: time.Hour}); err != nil {
		t.Fatal(err)
	}
	p := f.pool(t, rules(0, 0, 0, 0, 0, 0, 0))
	ids := f.fill(t, p, 1)
	if _, err := f.s.Claim(ctx, f.salesA, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Release(ctx, f.salesA, ids[0], "无意向", "", nil); err != nil {
		t.Fatal(err)
	}
	role := RoleManager
	if _, err := f.s.UpdateUser(WithActor(context.Background(), f.admin.ID, "10.0.0.1"), f.salesB.ID, UserInput{Role: &role}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := f.s.CreateToken(ctx, f.salesA.ID, "脚本", ScopeRead, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.RevokeToken(ctx, f.salesA, tok.ID); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ entity, action string }{
		{"session", AuditLoginFailed}, {"session", AuditLogin}, {"pool", AuditCreate}, {"customer", "claim"},
		{"customer", "release"}, {"user", "role"}, {"token", AuditCreate}, {"token", AuditRevoke},
	} {
		rows := auditRows(t, f, AuditQuery{Entity: want.entity, Action: want.action})
		if len(rows) == 0 {
			t.Errorf("no audit row for %s %s", want.action, want.entity)
		}
	}
	failed := auditRows(t, f, AuditQuery{Action: AuditLoginFailed})[0]
	if failed.IP != "198.51.100.9" || failed.Detail != f.salesA.Username {
		t.Errorf("failed login row: %+v", failed)
	}
	// Keyset pagination: pages of 2 walk every row exactly once.
	all := auditRows(t, f, AuditQuery{Limit: 1000})
	var walked int
	for before := int64(0); ; {
		page := auditRows(t, f, AuditQuery{Limit: 2, Before: before})
		if len(page) == 0 {
			break
		}
		walked += len(page)
		before = page[len(page)-1].ID
	}
	if walked != len(all) {
		t.Fatalf("keyset walk saw %d rows of %d", walked, len(all))
	}
	if _, err := f.s.AuditLog(context.Background(), f.salesA, AuditQuery{}); !IsCode(err, CodeForbidden) {
		t.Fatalf("sales read the audit log: %v", err)
	}
}

func TestWebhookURLRulesAndOutbox(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.s.Self = func() []string { return []string{"127.0.0.1:8080", "crm.example.com:443"} }
	for _, bad := range []string{"ftp://example.com/x", "javascript:alert(1)", "example.com/hook", "http://127.0.0.1:8080/api/v1/leads",
		"http://localhost:8080/x", "https://crm.example.com/hook", "http://[::1]:8080/"} {
		_, err := f.s.CreateWebhook(ctx, f.admin, WebhookInput{URL: &bad, Events: &[]string{EventCustomerCreated}})
		if e, ok := AsError(err); !ok || e.Fields["url"].Key == "" {
			t.Errorf("%s accepted or wrong error: %v", bad, err)
		}
	}
	if _, err := f.s.CreateWebhook(ctx, f.admin, WebhookInput{URL: ptr("http://127.0.0.1:9/x"), Events: &[]string{"no.such"}}); !IsCode(err, CodeInvalid) {
		t.Errorf("unknown event accepted: %v", err)
	}
	if _, err := f.s.CreateWebhook(ctx, f.salesA, WebhookInput{URL: ptr("http://127.0.0.1:9/x"), Events: &[]string{EventCustomerCreated}}); !IsCode(err, CodeForbidden) {
		t.Errorf("sales created a webhook: %v", err)
	}
	w, err := f.s.CreateWebhook(ctx, f.admin, WebhookInput{URL: ptr("http://127.0.0.1:9099/hook"), Events: &[]string{EventCustomerCreated, EventCustomerClaimed}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(w.Secret, "whsec_") {
		t.Fatalf("secret %q", w.Secret)
	}
	c := f.customer(t, f.salesA, "推送测试公司", "13700000003")
	if _, err := f.s.CreateCustomer(ctx, f.salesA, CustomerInput{Name: ptr("推送测试公司")}); !IsCode(err, CodeDuplicate) {
		t.Fatalf("duplicate: %v", err) // refused: no event queued
	}
	due, err := f.s.DueWebhookDeliveries(ctx, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due deliveries %d, want 1: %v", len(due), err)
	}
	var body struct {
		Event string
		Data  map[string]any
	}
	if err := json.Unmarshal(due[0].Body, &body); err != nil || body.Event != EventCustomerCreated || body.Data["customer_id"] != float64(c.ID) {
		t.Fatalf("body %s", due[0].Body)
	}
	// Disabled: new events are not queued.
	if _, err := f.s.UpdateWebhook(ctx, f.admin, w.ID, WebhookInput{Enabled: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	f.customer(t, f.salesA, "禁用后公司", "13700000004")
	var n int
	f.s.r.QueryRow(`SELECT count(*) FROM webhook_outbox`).Scan(&n)
	if n != 1 {
		t.Fatalf("outbox has %d rows after disabling, want 1", n)
	}
}

func TestAuditContactsAndOpportunitiesByTheirOwnIDs(t *testing.T) {
	f := newFixture(t)
	ctx := WithActor(context.Background(), f.salesA.ID, "192.0.2.1")
	c := f.customer(t, f.salesA, "联系人审计公司", "13700000009")
	ct, err := f.s.CreateContact(ctx, f.salesA, c.ID, ContactInput{Name: ptr("李经理")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.UpdateContact(ctx, f.salesA, ct.ID, ContactInput{Position: ptr("采购总监")}); err != nil {
		t.Fatal(err)
	}
	rows := auditRows(t, f, AuditQuery{Entity: "contact", Action: AuditUpdate})
	if len(rows) != 1 || *rows[0].EntityID != ct.ID || rows[0].Field != "position" || rows[0].New != "采购总监" {
		t.Fatalf("contact update rows %+v", rows)
	}
	stages := f.stages(t)
	o := f.opp(t, f.salesA, c.ID, 100000)
	if _, err := f.s.MoveStage(ctx, f.salesA, o.ID, MoveInput{StageID: stages[1].ID}); err != nil {
		t.Fatal(err)
	}
	moved := auditRows(t, f, AuditQuery{Entity: "opportunity", Action: "stage"})
	if len(moved) != 1 || *moved[0].EntityID != o.ID || moved[0].Field != "stage" {
		t.Fatalf("stage rows %+v", moved)
	}
	if created := auditRows(t, f, AuditQuery{Entity: "opportunity", Action: AuditCreate}); len(created) != 1 || *created[0].EntityID != o.ID {
		t.Fatalf("opportunity create rows %+v", created)
	}
}

func TestAuditPoolPermissionLists(t *testing.T) {
	f := newFixture(t)
	p := f.pool(t, rules(0, 0, 0, 0, 0, 0, 0))
	if _, err := f.s.UpdatePool(context.Background(), f.admin, p.ID, PoolInput{AdminIDs: &[]int64{f.mgr.ID}}); err != nil {
		t.Fatal(err)
	}
	rows := auditRows(t, f, AuditQuery{Entity: "pool", Action: AuditUpdate})
	if len(rows) != 1 || rows[0].Field != "admin_ids" || rows[0].New != strconv.FormatInt(f.mgr.ID, 10) {
		t.Fatalf("pool admin change rows %+v", rows)
	}
}

// The recycle pass writes one customer.recycled webhook event per
// recycled customer, like a claim or release does, and one audit row per
// pool and pass with the count (each customer's move is in the pool
// history).
func TestRecycle_AuditedAndWebhooked(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.s.CreateWebhook(ctx, f.admin, WebhookInput{URL: ptr("http://127.0.0.1:9099/hook"), Events: &[]string{EventCustomerRecycled}}); err != nil {
		t.Fatal(err)
	}
	p := f.pool(t, rules(0, 0, 7, 30, 0, 3, 2))
	ids := f.fill(t, p, 2)
	for _, id := range ids {
		if _, err := f.s.Claim(ctx, f.salesA, id); err != nil {
			t.Fatal(err)
		}
	}
	f.s.Now = func() time.Time { return time.Now().AddDate(0, 0, 40) }
	if res, err := f.s.RecycleDue(ctx); err != nil || res.Recycled != 2 {
		t.Fatalf("recycle: %+v %v", res, err)
	}
	rows := auditRows(t, f, AuditQuery{Entity: "pool", Action: "recycle"})
	if len(rows) != 1 || rows[0].Detail != M("audit.detail.recycled", "Count", 2).Encode() || rows[0].EntityID == nil || *rows[0].EntityID != p.ID {
		t.Fatalf("recycle audit rows: %+v", rows)
	}
	due, err := f.s.DueWebhookDeliveries(ctx, 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("recycled deliveries %d, want 2: %v", len(due), err)
	}
	var body struct {
		Event string
		Data  map[string]any
	}
	if err := json.Unmarshal(due[0].Body, &body); err != nil || body.Event != EventCustomerRecycled ||
		body.Data["pool_id"] != float64(p.ID) || body.Data["reason"] == "" || body.Data["name"] == "" {
		t.Fatalf("body %s", due[0].Body)
	}
}
