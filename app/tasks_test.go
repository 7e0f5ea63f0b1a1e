package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tidecrm/tide/store"
)

// tasksEnv is a server with an admin, a manager over two sales in one
// department and a sales in another, all in Chinese.
func tasksEnv(t *testing.T) *testEnv {
	t.Helper()
	e := newSetUpEnv(t, nil)
	admin := e.apiAs(t, "admin")
	east := admin.do(http.MethodPost, "/api/v1/departments", map[string]any{"name": "华东区"}).wantStatus(t, http.StatusCreated).id(t)
	north := admin.do(http.MethodPost, "/api/v1/departments", map[string]any{"name": "华北区"}).wantStatus(t, http.StatusCreated).id(t)
	e.user("mgr", store.RoleManager, "zh-CN", &east)
	e.user("li", store.RoleSales, "zh-CN", &east)
	e.user("wang", store.RoleSales, "zh-CN", &east)
	e.user("zhao", store.RoleSales, "zh-CN", &north)
	return e
}

func (e *testEnv) apiAs(t *testing.T, username string) *testClient {
	t.Helper()
	c := e.api(username)
	c.headers["Accept-Language"] = "zh-CN"
	return c
}

func TestTasksAPI_CreateListPatchDelete(t *testing.T) {
	e := tasksEnv(t)
	li := e.apiAs(t, "li")
	cust := li.do(http.MethodPost, "/api/v1/customers", map[string]any{"name": "上海华润万家有限公司"}).wantStatus(t, http.StatusCreated).id(t)
	due := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	r := li.do(http.MethodPost, "/api/v1/tasks", map[string]any{"title": "上门拜访", "kind": "visit", "due_at": due.Format(time.RFC3339),
		"remind_at": due.Add(-time.Hour).Format(time.RFC3339), "customer_id": cust}).wantStatus(t, http.StatusCreated)
	task := r.json(t)
	id := r.id(t)
	if task["assignee"].(map[string]any)["name"] != "Name li" || task["customer"].(map[string]any)["id"].(float64) != float64(cust) || task["done"] != false {
		t.Fatalf("created task: %s", r.body)
	}
	list := li.get("/api/v1/tasks?assignee=me&status=open&due_after="+url.QueryEscape(time.Now().Format(time.RFC3339))).wantStatus(t, http.StatusOK).json(t)
	if list["total"].(float64) != 1 || list["page"].(float64) != 1 || len(list["items"].([]any)) != 1 {
		t.Fatalf("list envelope: %v", list)
	}
	li.do(http.MethodPatch, pathf("/api/v1/tasks/%d", id), map[string]any{"done": true}).wantStatus(t, http.StatusOK).
		wantContains(t, `"done":true`)
	li.do(http.MethodPatch, pathf("/api/v1/tasks/%d", id), map[string]any{"title": "改", "version": 1}).wantAPIError(t, http.StatusConflict, "conflict")
	if n := li.get("/api/v1/tasks?status=open").json(t)["total"].(float64); n != 0 {
		t.Fatalf("open tasks after done: %v", n)
	}
	e.apiAs(t, "wang").get(pathf("/api/v1/tasks/%d", id)).wantAPIError(t, http.StatusNotFound, "not_found")
	e.apiAs(t, "mgr").get(pathf("/api/v1/tasks/%d", id)).wantStatus(t, http.StatusOK)
	li.do(http.MethodDelete, pathf("/api/v1/tasks/%d", id), nil).wantStatus(t, http.StatusNoContent)
	li.get(pathf("/api/v1/tasks/%d", id)).wantAPIError(t, http.StatusNotFound, "not_found")
}

func TestTasksAPI_Refusals(t *testing.T) {
	e := tasksEnv(t)
	li := e.apiAs(t, "li")
	due := time.Now().Add(time.Hour).UTC()
	body := func(kv ...any) map[string]any {
		m := map[string]any{"title": "回访", "kind": "callback", "due_at": due.Format(time.RFC3339)}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	fields := func(inner map[string]any) map[string]any { f, _ := inner["fields"].(map[string]any); return f }
	f := fields(li.do(http.MethodPost, "/api/v1/tasks", body("due_at", "明天下午")).wantAPIError(t, http.StatusBadRequest, "invalid"))
	if !strings.Contains(f["due_at"].(string), "RFC 3339") {
		t.Errorf("impossible due_at: %v", f)
	}
	f = fields(li.do(http.MethodPost, "/api/v1/tasks", body("remind_at", due.Add(time.Minute).Format(time.RFC3339))).wantAPIError(t, http.StatusBadRequest, "invalid"))
	if f["remind_at"] != "提醒时间不能晚于到期时间。" {
		t.Errorf("reminder after due: %v", f)
	}
	other := e.apiAs(t, "zhao").do(http.MethodPost, "/api/v1/customers", map[string]any{"name": "北京远航科技有限公司"}).wantStatus(t, http.StatusCreated).id(t)
	f = fields(li.do(http.MethodPost, "/api/v1/tasks", body("customer_id", other)).wantAPIError(t, http.StatusBadRequest, "invalid"))
	if f["customer_id"] == nil {
		t.Errorf("invisible customer: %v", f)
	}
	var users []map[string]any
	for _, u := range e.apiAs(t, "admin").get("/api/v1/users").json(t)["items"].([]any) {
		users = append(users, u.(map[string]any))
	}
	idOf := func(name string) float64 {
		for _, u := range users {
			if u["username"] == name {
				return u["id"].(float64)
			}
		}
		t.Fatalf("no user %s", name)
		return 0
	}
	li.do(http.MethodPost, "/api/v1/tasks", body("assignee_id", idOf("wang"))).wantAPIError(t, http.StatusForbidden, "forbidden")
	mgr := e.apiAs(t, "mgr")
	mgr.do(http.MethodPost, "/api/v1/tasks", body("assignee_id", idOf("wang"))).wantStatus(t, http.StatusCreated)
	mgr.do(http.MethodPost, "/api/v1/tasks", body("assignee_id", idOf("zhao"))).wantAPIError(t, http.StatusBadRequest, "invalid")
	li.get("/api/v1/tasks?status=later").wantAPIError(t, http.StatusBadRequest, "invalid")
	li.do(http.MethodPost, "/api/v1/tasks", `{"title":"x","kind":"visit","due_at":"2026-01-01T00:00:00Z","colour":"red"}`).wantAPIError(t, http.StatusBadRequest, "invalid")
}

func TestNotificationsAPI_FieldsUnreadAndRead(t *testing.T) {
	e := tasksEnv(t)
	li := e.apiAs(t, "li")
	due := time.Now().Add(10 * time.Minute).UTC()
	li.do(http.MethodPost, "/api/v1/tasks", map[string]any{"title": "电话回访", "kind": "callback", "due_at": due.Format(time.RFC3339),
		"remind_at": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)}).wantStatus(t, http.StatusCreated)
	li.do(http.MethodPost, "/api/v1/admin/jobs/reminders", nil).wantAPIError(t, http.StatusForbidden, "forbidden")
	run := e.apiAs(t, "admin").do(http.MethodPost, "/api/v1/admin/jobs/reminders", nil).wantStatus(t, http.StatusOK).json(t)
	if run["reminded"].(float64) != 1 {
		t.Fatalf("reminder run: %v", run)
	}
	page := li.get("/api/v1/notifications?unread=true").wantStatus(t, http.StatusOK).json(t)
	items := page["items"].([]any)
	if len(items) != 1 || page["total"].(float64) != 1 {
		t.Fatalf("unread notifications: %v", page)
	}
	n := items[0].(map[string]any)
	for _, k := range []string{"id", "kind", "title", "link", "created_at", "read_at"} {
		if _, ok := n[k]; !ok {
			t.Errorf("notification lacks %s: %v", k, n)
		}
	}
	if n["kind"] != "task_reminder" || !strings.Contains(n["title"].(string), "日程提醒：电话回访") || !strings.HasPrefix(n["link"].(string), "/tasks/") {
		t.Errorf("notification %v", n)
	}
	li.do(http.MethodPost, "/api/v1/notifications/read", map[string]any{"ids": []float64{n["id"].(float64)}}).wantStatus(t, http.StatusOK).
		wantContains(t, `"unread":0`)
	if len(li.get("/api/v1/notifications?unread=true").json(t)["items"].([]any)) != 0 {
		t.Fatal("still unread after marking read")
	}
}

func TestTaskForm_RefusalKeepsInputAndShowsMessage(t *testing.T) {
	e := tasksEnv(t)
	b := e.loggedIn("li", "zh-CN")
	b.get("/tasks/new").wantStatus(t, http.StatusOK).wantContains(t, "新建日程", "提前 15 分钟")
	r := b.form("/tasks/new", url.Values{"title": {"拜访苏州星海"}, "kind": {"visit"}, "due_at": {"2026-12-01T10:00"},
		"remind": {"custom"}, "remind_at": {"2026-12-01T11:00"}})
	r.wantStatus(t, http.StatusBadRequest).wantContains(t, `value="拜访苏州星海"`, `value="2026-12-01T11:00"`, "提醒时间不能晚于到期时间。")
	r = b.form("/tasks/new", url.Values{"title": {"拜访苏州星海"}, "kind": {"visit"}, "due_at": {"2026-12-01T10:00"}, "remind": {"1h"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/tasks/") {
		t.Fatalf("create: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	page := b.get(r.Header.Get("Location")).wantStatus(t, http.StatusOK)
	page.wantContains(t, "拜访苏州星海", "2026-12-01 10:00", "2026-12-01 09:00")
	b.get("/calendar?view=month&date=2026-12-01").wantStatus(t, http.StatusOK).wantContains(t, `data-date="2026-12-01"`, "拜访苏州星海")
	b.get("/calendar?view=week&date=2026-12-01").wantStatus(t, http.StatusOK).wantContains(t, "拜访苏州星海")
	b.get("/tasks").wantStatus(t, http.StatusOK).wantContains(t, "拜访苏州星海")
}

func TestCustomerPage_FollowupCompletesTaskAndSetsNext(t *testing.T) {
	e := tasksEnv(t)
	li := e.apiAs(t, "li")
	cust := li.do(http.MethodPost, "/api/v1/customers", map[string]any{"name": "杭州海康物流有限公司"}).wantStatus(t, http.StatusCreated).id(t)
	due := time.Now().Add(2 * time.Hour).UTC()
	task := li.do(http.MethodPost, "/api/v1/tasks", map[string]any{"title": "回访报价", "kind": "callback", "due_at": due.Format(time.RFC3339),
		"customer_id": cust}).wantStatus(t, http.StatusCreated).id(t)
	b := e.loggedIn("li", "zh-CN")
	b.get(pathf("/customers/%d", cust)).wantStatus(t, http.StatusOK).wantContains(t, "回访报价", "完成日程", "安排下一次日程")
	// A next task without a due time refuses the whole follow-up.
	r := b.form(pathf("/customers/%d/followups", cust), url.Values{"kind": {"call"}, "content": {"客户确认报价"},
		"task_id": {pathf("%d", task)}, "next_title": {"签合同"}, "next_kind": {"meeting"}})
	r.wantStatus(t, http.StatusBadRequest).wantContains(t, "客户确认报价", `value="签合同"`)
	if li.get(pathf("/api/v1/tasks/%d", task)).json(t)["done"] != false {
		t.Fatal("refused follow-up completed the task")
	}
	next := time.Now().Add(72 * time.Hour).In(e.cfg.Location).Format("2006-01-02T15:04")
	r = b.form(pathf("/customers/%d/followups", cust), url.Values{"kind": {"call"}, "content": {"客户确认报价"},
		"task_id": {pathf("%d", task)}, "next_title": {"签合同"}, "next_kind": {"meeting"}, "next_due_at": {next}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("follow-up: %d %s", r.StatusCode, r.body)
	}
	if got := li.get(pathf("/api/v1/tasks/%d", task)).json(t); got["done"] != true || got["followup_id"] == nil {
		t.Fatalf("answered task: %v", got)
	}
	open := li.get(pathf("/api/v1/tasks?status=open&customer_id=%d", cust)).json(t)["items"].([]any)
	if len(open) != 1 || open[0].(map[string]any)["title"] != "签合同" {
		t.Fatalf("open tasks: %v", open)
	}
	b.get("/today").wantStatus(t, http.StatusOK).wantContains(t, "我的日程", "签合同")
}
