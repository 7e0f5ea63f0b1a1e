package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tidecrm/tide/store"
)

// poolFixture is a small company for the pool tests: an admin, the
// department 华东区 with a manager and three sales people, and an outsider
// in 华南区. Pools are scoped to 华东区 unless a test says otherwise.
type poolFixture struct {
	t                      *testing.T
	e                      *testEnv
	admin, mgr             *store.User
	salesA, salesB, salesC *store.User
	outsider               *store.User
	east, south            int64
	seq                    int
}

func newPoolFixture(t *testing.T) *poolFixture {
	t.Helper()
	e := newSetUpEnv(t, nil)
	ctx := context.Background()
	admin, err := e.st.UserByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	east, err := e.st.CreateDepartment(ctx, store.DepartmentInput{Name: "华东区"})
	if err != nil {
		t.Fatal(err)
	}
	south, err := e.st.CreateDepartment(ctx, store.DepartmentInput{Name: "华南区"})
	if err != nil {
		t.Fatal(err)
	}
	return &poolFixture{t: t, e: e, admin: admin, east: east.ID, south: south.ID,
		mgr:      e.user("mgr", store.RoleManager, "zh-CN", &east.ID),
		salesA:   e.user("salesa", store.RoleSales, "zh-CN", &east.ID),
		salesB:   e.user("salesb", store.RoleSales, "zh-CN", &east.ID),
		salesC:   e.user("salesc", store.RoleSales, "en", &east.ID),
		outsider: e.user("outsider", store.RoleSales, "zh-CN", &south.ID),
	}
}

// rulesBody is a pool's rules as JSON, everything off unless set.
func rulesBody(kv ...any) map[string]any {
	m := map[string]any{"claim_daily_limit": 0, "max_owned": 0, "reclaim_cooldown_days": 0, "recycle_no_followup_days": 0,
		"recycle_no_deal_days": 0, "recycle_warn_days": 0, "max_locked": 0}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// pool creates a pool scoped to 华东区 through the API as the admin.
func (f *poolFixture) pool(name string, rules map[string]any) int64 {
	f.t.Helper()
	body := map[string]any{"name": name, "scope": "departments", "department_ids": []int64{f.east}}
	for k, v := range rules {
		body[k] = v
	}
	return f.e.api("admin").do(http.MethodPost, "/api/v1/pools", body).wantStatus(f.t, http.StatusCreated).id(f.t)
}

// fill puts n new customers into a pool and returns their ids.
func (f *poolFixture) fill(poolID int64, n int) []int64 {
	f.t.Helper()
	var ids []int64
	for i := 0; i < n; i++ {
		f.seq++
		c, err := f.e.st.CreateCustomer(context.Background(), f.admin, store.CustomerInput{
			Name: ptrTo(fmt.Sprintf("公海测试客户%03d有限公司", f.seq)), Phone: ptrTo(fmt.Sprintf("1391234%04d", f.seq)), PoolID: &poolID})
		if err != nil {
			f.t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

func claimPath(id int64) string { return pathf("/api/v1/customers/%d/claim", id) }

// wantRule checks a 422 rule refusal and its rule name.
func wantRule(t *testing.T, r *testResponse, rule string) {
	t.Helper()
	inner := r.wantAPIError(t, http.StatusUnprocessableEntity, "rule")
	if inner["rule"] != rule {
		t.Fatalf("rule %v, want %s; body %s", inner["rule"], rule, r.body)
	}
}

func TestPoolAPI_CreateReadUpdateDelete(t *testing.T) {
	f := newPoolFixture(t)
	admin, sales, outsider := f.e.api("admin"), f.e.api("salesa"), f.e.api("outsider")

	sales.do(http.MethodPost, "/api/v1/pools", map[string]any{"name": "不许建"}).wantAPIError(t, http.StatusForbidden, "forbidden")
	id := f.pool("华东区公海", rulesBody("claim_daily_limit", 5))
	p := admin.get(pathf("/api/v1/pools/%d", id)).wantStatus(t, http.StatusOK).json(t)
	if p["name"] != "华东区公海" || p["claim_daily_limit"] != 5.0 || p["scope"] != "departments" {
		t.Fatalf("pool = %v", p)
	}

	// Insiders see it in the list; outsiders get 404 for it, its customers and its history.
	list := sales.get("/api/v1/pools").wantStatus(t, http.StatusOK).json(t)
	if !hasItem(list, id) {
		t.Fatalf("insider's pools lack %d: %v", id, list)
	}
	if hasItem(outsider.get("/api/v1/pools").wantStatus(t, http.StatusOK).json(t), id) {
		t.Fatal("outsider sees the department pool")
	}
	for _, path := range []string{"/api/v1/pools/%d", "/api/v1/pools/%d/customers", "/api/v1/pools/%d/history",
		"/api/v1/pools/%d/stats", "/api/v1/pools/%d/recycle-preview"} {
		outsider.get(pathf(path, id)).wantAPIError(t, http.StatusNotFound, "not_found")
	}

	// PATCH: admin only; a negative rule is refused field by field.
	sales.do(http.MethodPatch, pathf("/api/v1/pools/%d", id), map[string]any{"max_owned": 3}).wantAPIError(t, http.StatusForbidden, "forbidden")
	inner := admin.do(http.MethodPatch, pathf("/api/v1/pools/%d", id), map[string]any{"max_owned": -1}).wantAPIError(t, http.StatusBadRequest, "invalid")
	if fields, _ := inner["fields"].(map[string]any); fields["max_owned"] == nil {
		t.Fatalf("no field message for max_owned: %v", inner)
	}
	p = admin.do(http.MethodPatch, pathf("/api/v1/pools/%d", id), map[string]any{"max_owned": 3, "hide_contact_info": true}).wantStatus(t, http.StatusOK).json(t)
	if p["max_owned"] != 3.0 || p["hide_contact_info"] != true || p["claim_daily_limit"] != 5.0 {
		t.Fatalf("after PATCH: %v", p)
	}

	// DELETE only when empty.
	cid := f.fill(id, 1)[0]
	admin.do(http.MethodDelete, pathf("/api/v1/pools/%d", id), nil).wantAPIError(t, http.StatusConflict, "conflict")
	sales.do(http.MethodPost, claimPath(cid), nil).wantStatus(t, http.StatusOK)
	sales.do(http.MethodDelete, pathf("/api/v1/pools/%d", id), nil).wantAPIError(t, http.StatusForbidden, "forbidden")
	admin.do(http.MethodDelete, pathf("/api/v1/pools/%d", id), nil).wantStatus(t, http.StatusNoContent)
	admin.get(pathf("/api/v1/pools/%d", id)).wantAPIError(t, http.StatusNotFound, "not_found")
}

func hasItem(list map[string]any, id int64) bool {
	items, _ := list["items"].([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok && m["id"] == float64(id) {
			return true
		}
	}
	return false
}

func TestPoolAPI_ClaimRefusals(t *testing.T) {
	f := newPoolFixture(t)
	a, b := f.e.api("salesa"), f.e.api("salesb")

	t.Run("daily_claim_limit", func(t *testing.T) {
		id := f.pool("限额池", rulesBody("claim_daily_limit", 2))
		ids := f.fill(id, 3)
		a.do(http.MethodPost, claimPath(ids[0]), nil).wantStatus(t, http.StatusOK)
		c := a.do(http.MethodPost, claimPath(ids[1]), nil).wantStatus(t, http.StatusOK).json(t)
		if owner, _ := c["owner"].(map[string]any); owner["id"] != float64(f.salesA.ID) || c["pool"] != nil {
			t.Fatalf("claimed customer: %v", c)
		}
		r := a.do(http.MethodPost, claimPath(ids[2]), nil)
		wantRule(t, r, "daily_claim_limit")
		r.wantContains(t, "2/2")
	})
	t.Run("max_owned", func(t *testing.T) {
		id := f.pool("持有上限池", rulesBody("max_owned", 1))
		ids := f.fill(id, 2)
		b.do(http.MethodPost, claimPath(ids[0]), nil).wantStatus(t, http.StatusOK)
		wantRule(t, b.do(http.MethodPost, claimPath(ids[1]), nil), "max_owned")
	})
	t.Run("conflict_and_not_in_pool", func(t *testing.T) {
		id := f.pool("冲突池", rulesBody())
		cid := f.fill(id, 1)[0]
		f.e.api("salesc").do(http.MethodPost, claimPath(cid), nil).wantStatus(t, http.StatusOK)
		a.do(http.MethodPost, claimPath(cid), nil).wantAPIError(t, http.StatusConflict, "conflict")
		wantRule(t, f.e.api("salesc").do(http.MethodPost, claimPath(cid), nil), "not_in_pool")
		// The outsider cannot probe it: 404, not "claimed by".
		f.e.api("outsider").do(http.MethodPost, claimPath(cid), nil).wantAPIError(t, http.StatusNotFound, "not_found")
		other := f.fill(id, 1)[0]
		f.e.api("outsider").do(http.MethodPost, claimPath(other), nil).wantAPIError(t, http.StatusNotFound, "not_found")
		f.e.api("outsider").get(pathf("/api/v1/pools/%d/customers", id)).wantAPIError(t, http.StatusNotFound, "not_found")
		// Releasing a customer that sits in a pool is refused with not_in_pool.
		wantRule(t, f.e.api("admin").do(http.MethodPost, pathf("/api/v1/customers/%d/release", other), map[string]any{"reason": "其他"}), "not_in_pool")
	})
	t.Run("reclaim_cooldown_and_release", func(t *testing.T) {
		id := f.pool("冷却池", rulesBody("reclaim_cooldown_days", 7))
		target := f.pool("冷却池二", rulesBody())
		cid := f.fill(id, 1)[0]
		c := f.e.api("salesc")
		c.do(http.MethodPost, claimPath(cid), nil).wantStatus(t, http.StatusOK)
		// Someone else's customer: a sales colleague may not release it.
		a.do(http.MethodPost, pathf("/api/v1/customers/%d/release", cid), map[string]any{"reason": "联系不上"}).wantStatus(t, http.StatusNotFound)
		// The reason is required.
		c.do(http.MethodPost, pathf("/api/v1/customers/%d/release", cid), map[string]any{"reason": " "}).wantAPIError(t, http.StatusBadRequest, "invalid")
		got := c.do(http.MethodPost, pathf("/api/v1/customers/%d/release", cid), map[string]any{"reason": "联系不上"}).wantStatus(t, http.StatusOK).json(t)
		if pool, _ := got["pool"].(map[string]any); pool["id"] != float64(id) || got["owner"] != nil {
			t.Fatalf("released: %v", got)
		}
		wantRule(t, c.do(http.MethodPost, claimPath(cid), nil), "reclaim_cooldown")
		// Released into a chosen pool by a colleague who claimed it.
		a.do(http.MethodPost, claimPath(cid), nil).wantStatus(t, http.StatusOK)
		got = a.do(http.MethodPost, pathf("/api/v1/customers/%d/release", cid), map[string]any{"reason": "其他", "pool_id": target}).wantStatus(t, http.StatusOK).json(t)
		if pool, _ := got["pool"].(map[string]any); pool["id"] != float64(target) {
			t.Fatalf("released to %v, want pool %d", got["pool"], target)
		}
	})
	t.Run("max_locked", func(t *testing.T) {
		id := f.pool("锁定池", rulesBody("max_locked", 1))
		ids := f.fill(id, 2)
		m := f.e.api("mgr")
		for _, cid := range ids {
			m.do(http.MethodPost, claimPath(cid), nil).wantStatus(t, http.StatusOK)
		}
		got := m.do(http.MethodPost, pathf("/api/v1/customers/%d/lock", ids[0]), nil).wantStatus(t, http.StatusOK).json(t)
		if got["locked"] != true {
			t.Fatalf("lock: %v", got)
		}
		wantRule(t, m.do(http.MethodPost, pathf("/api/v1/customers/%d/lock", ids[1]), nil), "max_locked")
		got = m.do(http.MethodPost, pathf("/api/v1/customers/%d/unlock", ids[0]), nil).wantStatus(t, http.StatusOK).json(t)
		if got["locked"] != false {
			t.Fatalf("unlock: %v", got)
		}
		m.do(http.MethodPost, pathf("/api/v1/customers/%d/lock", ids[1]), nil).wantStatus(t, http.StatusOK)
		// Only the owner locks.
		a.do(http.MethodPost, pathf("/api/v1/customers/%d/lock", ids[0]), nil).wantStatus(t, http.StatusNotFound)
	})
}

func TestPoolAPI_BulkClaim_StopsAtTheLimit(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("批量池", rulesBody("claim_daily_limit", 2))
	ids := f.fill(id, 4)
	r := f.e.api("salesa").do(http.MethodPost, "/api/v1/customers/claim", map[string]any{"customer_ids": ids}).wantStatus(t, http.StatusOK).json(t)
	results, _ := r["results"].([]any)
	if len(results) != 3 {
		t.Fatalf("results %v, want 2 ok and 1 refusal, then stop", r)
	}
	last := results[2].(map[string]any)
	if results[0].(map[string]any)["ok"] != true || results[1].(map[string]any)["ok"] != true || last["ok"] != false ||
		last["code"] != "rule" || last["rule"] != "daily_claim_limit" || last["message"] == "" {
		t.Fatalf("results = %v", results)
	}
	f.e.api("salesa").do(http.MethodPost, "/api/v1/customers/claim", map[string]any{"customer_ids": []int64{}}).wantAPIError(t, http.StatusBadRequest, "invalid")
}

func TestPoolAPI_ThirtyClaimsAtOnce_ExactlyOneWins(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("抢单池", rulesBody())
	cid := f.fill(id, 1)[0]
	var clients []*testClient
	for i := 0; i < 30; i++ {
		name := fmt.Sprintf("rush%02d", i)
		f.e.user(name, store.RoleSales, "en", &f.east)
		clients = append(clients, f.e.api(name))
	}
	statuses := make([]int, len(clients))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range clients {
		wg.Add(1)
		go func(i int, c *testClient) {
			defer wg.Done()
			<-start
			statuses[i] = c.do(http.MethodPost, claimPath(cid), nil).StatusCode
		}(i, c)
	}
	close(start)
	wg.Wait()
	won, conflicts := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			won++
		case http.StatusConflict:
			conflicts++
		}
	}
	if won != 1 || conflicts != 29 {
		t.Fatalf("statuses %v: %d won, %d conflicts; want 1 and 29", statuses, won, conflicts)
	}
	hist := f.e.api("admin").get(pathf("/api/v1/pools/%d/history?action=claim", id)).wantStatus(t, http.StatusOK).json(t)
	if items, _ := hist["items"].([]any); len(items) != 1 {
		t.Fatalf("claim history rows %d, want 1: %v", len(items), hist)
	}
}

func TestPoolAPI_AssignEvenly(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("分配池", rulesBody("claim_daily_limit", 1))
	ids := f.fill(id, 10)
	users := []int64{f.salesA.ID, f.salesB.ID, f.salesC.ID}
	f.e.api("salesa").do(http.MethodPost, pathf("/api/v1/pools/%d/assign", id),
		map[string]any{"customer_ids": ids, "user_ids": users, "mode": "even"}).wantAPIError(t, http.StatusForbidden, "forbidden")
	f.e.api("mgr").do(http.MethodPost, pathf("/api/v1/pools/%d/assign", id),
		map[string]any{"customer_ids": ids, "user_ids": []int64{f.outsider.ID}}).wantAPIError(t, http.StatusBadRequest, "invalid")
	f.e.api("mgr").do(http.MethodPost, pathf("/api/v1/pools/%d/assign", id),
		map[string]any{"customer_ids": ids, "user_ids": users, "mode": "random"}).wantAPIError(t, http.StatusBadRequest, "invalid")
	r := f.e.api("mgr").do(http.MethodPost, pathf("/api/v1/pools/%d/assign", id),
		map[string]any{"customer_ids": ids, "user_ids": users, "mode": "even"}).wantStatus(t, http.StatusOK).json(t)
	assigned, _ := r["assigned"].(map[string]any)
	lo, hi, sum := 100, 0, 0
	for _, u := range users {
		n := int(assigned[fmt.Sprint(u)].(float64))
		lo, hi, sum = min(lo, n), max(hi, n), sum+n
	}
	if sum != 10 || hi-lo > 1 {
		t.Fatalf("assigned %v: counts must sum to 10 and differ by at most one", assigned)
	}
	// Past the claim limit, and recorded as assignments by the manager.
	hist := f.e.api("mgr").get(pathf("/api/v1/pools/%d/history?action=assign&limit=4", id)).wantStatus(t, http.StatusOK).json(t)
	items, _ := hist["items"].([]any)
	if len(items) != 4 || hist["next_before"] == nil {
		t.Fatalf("history page: %v", hist)
	}
	if actor, _ := items[0].(map[string]any)["actor"].(map[string]any); actor["id"] != float64(f.mgr.ID) {
		t.Fatalf("assignment actor: %v", items[0])
	}
	more := f.e.api("mgr").get(pathf("/api/v1/pools/%d/history?action=assign&limit=4&before=%v", id, hist["next_before"])).wantStatus(t, http.StatusOK).json(t)
	if next, _ := more["items"].([]any); len(next) != 4 || next[0].(map[string]any)["id"].(float64) >= hist["next_before"].(float64) {
		t.Fatalf("second page: %v", more)
	}
	f.e.api("mgr").get(pathf("/api/v1/pools/%d/history?action=steal", id)).wantAPIError(t, http.StatusBadRequest, "invalid")
	// Each assignee was told.
	n := f.e.api("salesb").get("/api/v1/notifications?unread=true").wantStatus(t, http.StatusOK).json(t)
	if items, _ := n["items"].([]any); len(items) < 3 {
		t.Fatalf("salesb notifications: %v", n)
	}
}

func TestPoolAPI_RecycleJob_ReturnsCustomerAndCoolsDown(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("回收池", rulesBody("recycle_no_followup_days", 5, "reclaim_cooldown_days", 3, "recycle_warn_days", 2))
	cid := f.fill(id, 1)[0]
	a, admin := f.e.api("salesa"), f.e.api("admin")
	a.do(http.MethodPost, claimPath(cid), nil).wantStatus(t, http.StatusOK)
	f.e.api("salesa").do(http.MethodPost, "/api/v1/admin/jobs/recycle", nil).wantAPIError(t, http.StatusForbidden, "forbidden")

	// Not yet due: the preview by a later date lists it, the job leaves it.
	prev := admin.get(pathf("/api/v1/pools/%d/recycle-preview?as_of=%s", id, time.Now().AddDate(0, 0, 6).Format(time.RFC3339))).wantStatus(t, http.StatusOK).json(t)
	if items, _ := prev["items"].([]any); len(items) != 1 || items[0].(map[string]any)["rule"] != "no_followup" {
		t.Fatalf("preview: %v", prev)
	}
	admin.get(pathf("/api/v1/pools/%d/recycle-preview?as_of=tomorrow", id)).wantAPIError(t, http.StatusBadRequest, "invalid")
	if r := admin.do(http.MethodPost, "/api/v1/admin/jobs/recycle", nil).wantStatus(t, http.StatusOK).json(t); r["recycled"] != 0.0 {
		t.Fatalf("early run: %v", r)
	}

	f.e.st.Now = func() time.Time { return time.Now().AddDate(0, 0, 6) }
	if r := admin.do(http.MethodPost, "/api/v1/admin/jobs/recycle", nil).wantStatus(t, http.StatusOK).json(t); r["recycled"] != 1.0 {
		t.Fatalf("run: %v", r)
	}
	if r := admin.do(http.MethodPost, "/api/v1/admin/jobs/recycle", nil).wantStatus(t, http.StatusOK).json(t); r["recycled"] != 0.0 {
		t.Fatalf("second run must find nothing: %v", r)
	}
	c := admin.get(pathf("/api/v1/customers/%d", cid)).wantStatus(t, http.StatusOK).json(t)
	if pool, _ := c["pool"].(map[string]any); pool["id"] != float64(id) || c["owner"] != nil {
		t.Fatalf("after recycle: %v", c)
	}
	wantRule(t, a.do(http.MethodPost, claimPath(cid), nil), "reclaim_cooldown")
	run, err := f.e.st.LastJobRun(context.Background(), recycleJobName)
	if err != nil || run == nil || run.OK == nil || !*run.OK {
		t.Fatalf("job run not recorded: %+v, %v", run, err)
	}
	hist := admin.get(pathf("/api/v1/pools/%d/history?action=recycle", id)).wantStatus(t, http.StatusOK).json(t)
	if items, _ := hist["items"].([]any); len(items) != 1 || items[0].(map[string]any)["reason"] != "no_followup" {
		t.Fatalf("recycle history: %v", hist)
	}
	// The former owner was told, in their language.
	n := a.get("/api/v1/notifications").wantStatus(t, http.StatusOK).json(t)
	items, _ := n["items"].([]any)
	if len(items) == 0 || items[0].(map[string]any)["kind"] != "recycled" {
		t.Fatalf("notifications: %v", n)
	}
	r := a.get("/api/v1/notifications").wantContains(t, "已自动退回公海")
	_ = r
}

func TestPoolAPI_LeadsRoutedBySource(t *testing.T) {
	f := newPoolFixture(t)
	fair := f.pool("展会线索池", map[string]any{"sources": []string{"展会"}})
	api := f.e.api("salesa")
	c := api.do(http.MethodPost, "/api/v1/leads", map[string]any{"name": "展会来的客户", "phone": "13700001111", "source": "展会"}).wantStatus(t, http.StatusCreated).json(t)
	if pool, _ := c["pool"].(map[string]any); pool["id"] != float64(fair) || c["owner"] != nil {
		t.Fatalf("lead from 展会: %v", c)
	}
	c = api.do(http.MethodPost, "/api/v1/leads", map[string]any{"name": "官网来的客户", "source": "官网"}).wantStatus(t, http.StatusCreated).json(t)
	pools := f.e.api("admin").get("/api/v1/pools").json(t)["items"].([]any)
	var def float64
	for _, p := range pools {
		if m := p.(map[string]any); m["is_default"] == true {
			def = m["id"].(float64)
		}
	}
	if pool, _ := c["pool"].(map[string]any); pool["id"] != def {
		t.Fatalf("lead from 官网 went to %v, want the default pool %v", c["pool"], def)
	}
	api.do(http.MethodPost, "/api/v1/leads", map[string]any{"name": "展会来的客户", "source": "展会"}).wantAPIError(t, http.StatusConflict, "duplicate")
	f.e.browser("").do(http.MethodPost, "/api/v1/leads", map[string]any{"name": "匿名"}).wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
}

func TestPoolAPI_StatsAndReasons(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("统计池", rulesBody())
	ids := f.fill(id, 3)
	a := f.e.api("salesa")
	a.do(http.MethodPost, claimPath(ids[0]), nil).wantStatus(t, http.StatusOK)
	a.do(http.MethodPost, claimPath(ids[1]), nil).wantStatus(t, http.StatusOK)
	a.do(http.MethodPost, pathf("/api/v1/customers/%d/release", ids[1]), map[string]any{"reason": "预算不足"}).wantStatus(t, http.StatusOK)
	st := a.get(pathf("/api/v1/pools/%d/stats", id)).wantStatus(t, http.StatusOK).json(t)
	if st["claimed"] != 2.0 || st["released"] != 1.0 || st["in_pool"] != 2.0 || st["entered"] == nil || st["median_hours_to_claim"] == nil {
		t.Fatalf("stats: %v", st)
	}
	today := f.e.st.Now().In(f.e.cfg.Location).Format("2006-01-02")
	st = a.get(pathf("/api/v1/pools/%d/stats?from=%s&to=%s", id, today, today)).wantStatus(t, http.StatusOK).json(t)
	if st["claimed"] != 2.0 {
		t.Fatalf("stats for today: %v", st)
	}
	st = a.get(pathf("/api/v1/pools/%d/stats?from=2020-01-01&to=2020-01-31", id)).wantStatus(t, http.StatusOK).json(t)
	if st["claimed"] != 0.0 {
		t.Fatalf("stats for 2020: %v", st)
	}
	a.get(pathf("/api/v1/pools/%d/stats?from=2020-13-01", id)).wantAPIError(t, http.StatusBadRequest, "invalid")
	a.get(pathf("/api/v1/pools/%d/stats?from=2020-02-01&to=2020-01-01", id)).wantAPIError(t, http.StatusBadRequest, "invalid")
	rs := a.get("/api/v1/release-reasons").wantStatus(t, http.StatusOK).json(t)
	if items, _ := rs["items"].([]any); len(items) == 0 {
		t.Fatalf("release reasons: %v", rs)
	}
}

func TestNotificationsAPI_ListAndMarkRead(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("通知池", rulesBody())
	ids := f.fill(id, 2)
	f.e.api("mgr").do(http.MethodPost, pathf("/api/v1/pools/%d/assign", id), map[string]any{"customer_ids": ids, "user_ids": []int64{f.salesC.ID}}).wantStatus(t, http.StatusOK)
	c := f.e.api("salesc") // English
	n := c.get("/api/v1/notifications?unread=true").wantStatus(t, http.StatusOK).wantContains(t, "assigned the customer").json(t)
	items, _ := n["items"].([]any)
	if len(items) != 2 || n["total"] != 2.0 {
		t.Fatalf("unread: %v", n)
	}
	first := items[0].(map[string]any)
	for _, k := range []string{"id", "kind", "title", "link", "created_at", "read_at"} {
		if _, ok := first[k]; !ok {
			t.Fatalf("notification lacks %s: %v", k, first)
		}
	}
	c.do(http.MethodPost, "/api/v1/notifications/read", map[string]any{}).wantAPIError(t, http.StatusBadRequest, "invalid")
	r := c.do(http.MethodPost, "/api/v1/notifications/read", map[string]any{"ids": []int64{int64(first["id"].(float64))}}).wantStatus(t, http.StatusOK).json(t)
	if r["unread"] != 1.0 {
		t.Fatalf("after one read: %v", r)
	}
	// Someone else cannot mark them.
	f.e.api("salesa").do(http.MethodPost, "/api/v1/notifications/read", map[string]any{"all": true}).wantStatus(t, http.StatusOK)
	if n := c.get("/api/v1/notifications?unread=true").json(t); n["total"] != 1.0 {
		t.Fatalf("another user's read-all touched these: %v", n)
	}
	r = c.do(http.MethodPost, "/api/v1/notifications/read", map[string]any{"all": true}).wantStatus(t, http.StatusOK).json(t)
	if r["unread"] != 0.0 {
		t.Fatalf("after read all: %v", r)
	}
	all := c.get("/api/v1/notifications").json(t)
	if items, _ := all["items"].([]any); len(items) != 2 || items[0].(map[string]any)["read_at"] == nil {
		t.Fatalf("all: %v", all)
	}
	c.get("/api/v1/notifications?unread=maybe").wantAPIError(t, http.StatusBadRequest, "invalid")
}

func TestOpenAPI_DocumentsEveryPoolEndpoint(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	for _, ep := range []struct{ method, path string }{
		{"get", "/pools"}, {"post", "/pools"}, {"get", "/pools/{id}"}, {"patch", "/pools/{id}"}, {"delete", "/pools/{id}"},
		{"get", "/pools/{id}/customers"}, {"post", "/pools/{id}/assign"}, {"get", "/pools/{id}/history"},
		{"get", "/pools/{id}/recycle-preview"}, {"get", "/pools/{id}/stats"}, {"post", "/customers/claim"},
		{"post", "/customers/{id}/claim"}, {"post", "/customers/{id}/release"}, {"post", "/customers/{id}/lock"},
		{"post", "/customers/{id}/unlock"}, {"post", "/leads"}, {"get", "/release-reasons"}, {"post", "/admin/jobs/recycle"},
		{"get", "/notifications"}, {"post", "/notifications/read"},
	} {
		if _, ok := doc.Paths[ep.path][ep.method]; !ok {
			t.Errorf("openapi.json lacks %s %s", ep.method, ep.path)
		}
	}
}
