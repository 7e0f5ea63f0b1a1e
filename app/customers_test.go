package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidecrm/tide/store"
)

// custFixture is a small company for the customer tests: an admin, a
// manager of 销售一部 with two sales people in it, and a sales person in
// another department. Users other than the admin have no language set,
// so Accept-Language decides.
type custFixture struct {
	e                     *testEnv
	admin, mgr            *store.User
	salesA, salesB, other *store.User
}

func newCustFixture(t *testing.T) *custFixture {
	t.Helper()
	e := newSetUpEnv(t, nil)
	ctx := context.Background()
	admin, err := e.st.UserByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	// The first admin speaks English; let the browser choose instead.
	if admin, err = e.st.UpdateUser(ctx, admin.ID, store.UserInput{Language: ptrTo("")}); err != nil {
		t.Fatal(err)
	}
	d1, err := e.st.CreateDepartment(ctx, store.DepartmentInput{Name: "销售一部"})
	if err != nil {
		t.Fatal(err)
	}
	d2, err := e.st.CreateDepartment(ctx, store.DepartmentInput{Name: "销售二部"})
	if err != nil {
		t.Fatal(err)
	}
	return &custFixture{e: e, admin: admin,
		mgr:    e.user("mgr", store.RoleManager, "", &d1.ID),
		salesA: e.user("salesa", store.RoleSales, "", &d1.ID),
		salesB: e.user("salesb", store.RoleSales, "", &d1.ID),
		other:  e.user("other", store.RoleSales, "", &d2.ID),
	}
}

// custCreate creates a customer through the API and returns its JSON.
func custCreate(t *testing.T, api *testClient, body map[string]any) map[string]any {
	t.Helper()
	return api.do(http.MethodPost, "/api/v1/customers", body).wantStatus(t, http.StatusCreated).json(t)
}

// custID reads a JSON number member as an id.
func custID(t *testing.T, m map[string]any, key string) int64 {
	t.Helper()
	f, ok := m[key].(float64)
	if !ok {
		t.Fatalf("member %q is not a number in %v", key, m)
	}
	return int64(f)
}

func TestCustomersAPI_CreateReadUpdateDelete(t *testing.T) {
	f := newCustFixture(t)
	admin := f.e.api("admin")
	admin.do(http.MethodPost, "/api/v1/tags", map[string]any{"name": "重点", "color": "#ff4d4f"}).wantStatus(t, http.StatusCreated)
	a := f.e.api("salesa")
	c := custCreate(t, a, map[string]any{"name": "杭州云帆网络科技有限公司", "phone": "+86 138-0013-8000", "email": "Info@YunFan.cn",
		"level": "B", "source": "官网", "region": "杭州", "tags": []string{"重点"}})
	id := custID(t, c, "id")
	if c["status"] != "lead" || c["email"] != "info@yunfan.cn" || c["owner"].(map[string]any)["id"] != float64(f.salesA.ID) || c["pool"] != nil {
		t.Fatalf("created customer = %v", c)
	}
	path := pathf("/api/v1/customers/%d", id)
	got := a.get(path).wantStatus(t, http.StatusOK).json(t)
	if got["name"] != "杭州云帆网络科技有限公司" || got["tags"].([]any)[0] != "重点" {
		t.Fatalf("GET = %v", got)
	}
	upd := a.do(http.MethodPatch, path, map[string]any{"level": "A", "version": got["version"]}).wantStatus(t, http.StatusOK).json(t)
	if upd["level"] != "A" || upd["version"].(float64) <= got["version"].(float64) {
		t.Fatalf("PATCH = %v", upd)
	}
	a.do(http.MethodPatch, path, map[string]any{"level": "Z", "version": upd["version"]}).wantAPIError(t, http.StatusBadRequest, "invalid")
	a.do(http.MethodPatch, path, map[string]any{"level": "A"}).wantAPIError(t, http.StatusBadRequest, "invalid")
	a.do(http.MethodPatch, path, `{"levle":"A"}`).wantAPIError(t, http.StatusBadRequest, "invalid")
	a.do(http.MethodPost, "/api/v1/customers", map[string]any{"name": "乙公司", "source": "不存在的来源"}).wantAPIError(t, http.StatusBadRequest, "invalid")
	a.do(http.MethodDelete, path, nil).wantStatus(t, http.StatusNoContent)
	a.get(path).wantAPIError(t, http.StatusNotFound, "not_found")
	a.get("/api/v1/customers/abc").wantAPIError(t, http.StatusNotFound, "not_found")
}

func TestCustomersAPI_Duplicate_409NamesTheRecordAndWritesNothing(t *testing.T) {
	f := newCustFixture(t)
	a, b := f.e.api("salesa"), f.e.api("other")
	first := custCreate(t, a, map[string]any{"name": "北京字节跳动科技有限公司", "phone": "13800138000"})
	for _, body := range []map[string]any{
		{"name": "北京字节跳动科技（有限公司）"},
		{"name": "另一家公司", "phone": "+86 138 0013 8000"},
	} {
		inner := b.do(http.MethodPost, "/api/v1/customers", body).wantAPIError(t, http.StatusConflict, "duplicate")
		dup, ok := inner["duplicate_of"].(map[string]any)
		if !ok {
			t.Fatalf("no duplicate_of in %v", inner)
		}
		owner, _ := dup["owner"].(map[string]any)
		if custID(t, dup, "id") != custID(t, first, "id") || dup["name"] != "北京字节跳动科技有限公司" || owner == nil ||
			owner["name"] != f.salesA.Name || dup["pool"] != nil || dup["field"] == "" {
			t.Fatalf("duplicate_of = %v", dup)
		}
		if !strings.Contains(inner["message"].(string), f.salesA.Name) {
			t.Fatalf("message %q does not name the owner", inner["message"])
		}
	}
	list := f.e.api("admin").get("/api/v1/customers").wantStatus(t, http.StatusOK).json(t)
	if list["total"] != float64(1) {
		t.Fatalf("after refusals total = %v, want 1", list["total"])
	}
}

func TestCustomersAPI_SameCustomerAtOnce_ExactlyOne201(t *testing.T) {
	f := newCustFixture(t)
	clients := []*testClient{f.e.api("salesa"), f.e.api("salesb"), f.e.api("other"), f.e.api("mgr")}
	const n = 16
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(c *testClient, i int) {
			defer wg.Done()
			name := "上海潮汐贸易有限公司"
			if i%2 == 1 {
				name = "上海潮汐贸易 有限公司"
			}
			statuses <- c.do(http.MethodPost, "/api/v1/customers", map[string]any{"name": name}).StatusCode
		}(clients[i%len(clients)], i)
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusConflict] != n-1 {
		t.Fatalf("statuses %v, want one 201 and %d × 409", count, n-1)
	}
}

func TestCustomersAPI_Check_FindsCollisionsExceptSelf(t *testing.T) {
	f := newCustFixture(t)
	a := f.e.api("salesa")
	c := custCreate(t, a, map[string]any{"name": "深圳市腾云科技有限公司", "email": "bd@tengyun.cn"})
	id := custID(t, c, "id")
	b := f.e.api("other")
	res := b.get("/api/v1/customers/check?name="+custQ("深圳市腾云科技 有限公司")+"&email=BD@tengyun.cn").wantStatus(t, http.StatusOK).json(t)
	dups := res["duplicates"].([]any)
	if len(dups) != 1 || custID(t, dups[0].(map[string]any), "id") != id {
		t.Fatalf("duplicates = %v", dups)
	}
	res = a.get(pathf("/api/v1/customers/check?name=%s&except=%d", custQ("深圳市腾云科技有限公司"), id)).wantStatus(t, http.StatusOK).json(t)
	if len(res["duplicates"].([]any)) != 0 {
		t.Fatalf("check except self = %v", res)
	}
	res = b.get("/api/v1/customers/check?name="+custQ("全新公司")).wantStatus(t, http.StatusOK).json(t)
	if d, ok := res["duplicates"].([]any); !ok || len(d) != 0 {
		t.Fatalf("clear name: %s", res)
	}
	b.get("/api/v1/customers/check?except=x").wantAPIError(t, http.StatusBadRequest, "invalid")
}

func TestCustomersAPI_StalePatch_409WithChangesAndCurrent(t *testing.T) {
	f := newCustFixture(t)
	a, m := f.e.api("salesa"), f.e.api("mgr")
	c := custCreate(t, a, map[string]any{"name": "甲公司", "level": "B"})
	path := pathf("/api/v1/customers/%d", custID(t, c, "id"))
	m.do(http.MethodPatch, path, map[string]any{"level": "A", "version": c["version"]}).wantStatus(t, http.StatusOK)
	inner := a.do(http.MethodPatch, path, map[string]any{"level": "C", "version": c["version"]}).wantAPIError(t, http.StatusConflict, "conflict")
	changes, _ := inner["changes"].([]any)
	cur, _ := inner["current"].(map[string]any)
	if len(changes) != 1 || cur == nil || cur["level"] != "A" {
		t.Fatalf("conflict body = %v", inner)
	}
	ch := changes[0].(map[string]any)
	if ch["field"] != "level" || ch["old"] != "B" || ch["new"] != "A" {
		t.Fatalf("change = %v", ch)
	}
	// With the current version the save goes through.
	a.do(http.MethodPatch, path, map[string]any{"level": "C", "version": cur["version"]}).wantStatus(t, http.StatusOK)
}

func TestCustomersAPI_Visibility_OtherSalesGets404Everywhere(t *testing.T) {
	f := newCustFixture(t)
	a, b := f.e.api("salesa"), f.e.api("salesb")
	c := custCreate(t, a, map[string]any{"name": "秘密客户有限公司", "phone": "13911112222"})
	id := custID(t, c, "id")
	for _, p := range []string{"/api/v1/customers/%d", "/api/v1/customers/%d/contacts", "/api/v1/customers/%d/followups", "/api/v1/customers/%d/timeline"} {
		b.get(pathf(p, id)).wantAPIError(t, http.StatusNotFound, "not_found")
	}
	b.do(http.MethodPatch, pathf("/api/v1/customers/%d", id), map[string]any{"name": "x", "version": 1}).wantAPIError(t, http.StatusNotFound, "not_found")
	b.do(http.MethodDelete, pathf("/api/v1/customers/%d", id), nil).wantAPIError(t, http.StatusNotFound, "not_found")
	b.do(http.MethodPost, pathf("/api/v1/customers/%d/followups", id), map[string]any{"kind": "call", "content": "x"}).wantAPIError(t, http.StatusNotFound, "not_found")
	for _, q := range []string{"", "?q=" + custQ("秘密客户"), "?q=1391111", "?owner=" + fmt.Sprint(f.salesA.ID)} {
		list := b.get("/api/v1/customers"+q).wantStatus(t, http.StatusOK).json(t)
		if list["total"] != float64(0) || len(list["items"].([]any)) != 0 {
			t.Fatalf("salesb list%s = %v", q, list)
		}
	}
	// The manager of their department sees it; a sales person elsewhere does not.
	f.e.api("mgr").get(pathf("/api/v1/customers/%d", id)).wantStatus(t, http.StatusOK)
	f.e.api("other").get(pathf("/api/v1/customers/%d", id)).wantAPIError(t, http.StatusNotFound, "not_found")
}

func TestContactsAndFollowupsAPI_UpdateLastAndNextFollowup(t *testing.T) {
	f := newCustFixture(t)
	a := f.e.api("salesa")
	c := custCreate(t, a, map[string]any{"name": "甲公司"})
	id := custID(t, c, "id")
	ct := a.do(http.MethodPost, pathf("/api/v1/customers/%d/contacts", id), map[string]any{
		"name": "王经理", "phone": "13700001111", "position": "采购经理", "gender": "male", "birthday": "1985-06-01", "wechat": "wang85"}).
		wantStatus(t, http.StatusCreated).json(t)
	ctID := custID(t, ct, "id")
	if ct["is_primary"] != true {
		t.Fatalf("first contact is not primary: %v", ct)
	}
	a.do(http.MethodPost, pathf("/api/v1/customers/%d/contacts", id), map[string]any{"name": "李", "birthday": "2999-01-01"}).
		wantAPIError(t, http.StatusBadRequest, "invalid")

	at := time.Now().Add(-26 * time.Hour).UTC().Truncate(time.Second)
	next := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	fu := a.do(http.MethodPost, pathf("/api/v1/customers/%d/followups", id), map[string]any{
		"kind": "call", "content": "电话沟通报价", "at": at.Format(time.RFC3339), "next_at": next.Format(time.RFC3339), "contact_id": ctID}).
		wantStatus(t, http.StatusCreated).json(t)
	if fu["contact_name"] != "王经理" {
		t.Fatalf("follow-up = %v", fu)
	}
	got := a.get(pathf("/api/v1/customers/%d", id)).json(t)
	if got["last_followup_at"] != at.Format(time.RFC3339) || got["next_followup_at"] != next.Format(time.RFC3339) {
		t.Fatalf("times = %v / %v, want %s / %s", got["last_followup_at"], got["next_followup_at"], at.Format(time.RFC3339), next.Format(time.RFC3339))
	}
	inner := a.do(http.MethodPost, pathf("/api/v1/customers/%d/followups", id), map[string]any{
		"kind": "visit", "content": "x", "at": time.Now().Add(2 * time.Hour).Format(time.RFC3339)}).wantAPIError(t, http.StatusBadRequest, "invalid")
	if _, ok := inner["fields"].(map[string]any)["at"]; !ok {
		t.Fatalf("future follow-up: %v", inner)
	}
	inner = a.do(http.MethodPost, pathf("/api/v1/customers/%d/followups", id), map[string]any{"kind": "visit", "content": "x", "at": "yesterday"}).
		wantAPIError(t, http.StatusBadRequest, "invalid")
	if _, ok := inner["fields"].(map[string]any)["at"]; !ok {
		t.Fatalf("bad time: %v", inner)
	}
	list := a.get(pathf("/api/v1/customers/%d/followups", id)).wantStatus(t, http.StatusOK).json(t)
	if list["total"] != float64(1) {
		t.Fatalf("follow-ups = %v", list)
	}
	a.do(http.MethodPatch, pathf("/api/v1/contacts/%d", ctID), map[string]any{"position": "总经理"}).wantStatus(t, http.StatusOK)
	if got := a.get(pathf("/api/v1/contacts/%d", ctID)).json(t); got["position"] != "总经理" || got["phone"] != "13700001111" {
		t.Fatalf("contact after PATCH = %v", got)
	}
	a.do(http.MethodDelete, pathf("/api/v1/contacts/%d", ctID), nil).wantStatus(t, http.StatusNoContent)
	if l := a.get(pathf("/api/v1/customers/%d/contacts", id)).json(t); l["total"] != float64(0) {
		t.Fatalf("contacts after delete = %v", l)
	}

	tl := a.get(pathf("/api/v1/customers/%d/timeline", id)).wantStatus(t, http.StatusOK).json(t)
	var kinds []string
	for _, it := range tl["items"].([]any) {
		kinds = append(kinds, it.(map[string]any)["kind"].(string))
	}
	// Newest first: the delete just now, the back-dated call last.
	if got := strings.Join(kinds, " "); got != "contact_deleted contact_updated contact_added created followup" {
		t.Fatalf("timeline kinds %q", got)
	}
}

func custQ(s string) string { return url.QueryEscape(s) }

func TestCustomersAPI_ListFiltersAndCursor(t *testing.T) {
	f := newCustFixture(t)
	a := f.e.api("salesa")
	for i, name := range []string{"甲公司", "乙公司", "丙公司"} {
		level := "B"
		if i == 0 {
			level = "A"
		}
		custCreate(t, a, map[string]any{"name": name, "level": level})
	}
	page := a.get("/api/v1/customers?per_page=2&sort=name").wantStatus(t, http.StatusOK).json(t)
	if len(page["items"].([]any)) != 2 || page["total"] != float64(3) || page["total_capped"] != false || page["next_cursor"] == nil {
		t.Fatalf("first page = %v", page)
	}
	rest := a.get("/api/v1/customers?per_page=2&sort=name&cursor="+custQ(page["next_cursor"].(string))).wantStatus(t, http.StatusOK).json(t)
	if len(rest["items"].([]any)) != 1 || rest["next_cursor"] != nil {
		t.Fatalf("second page = %v", rest)
	}
	if l := a.get("/api/v1/customers?level=A&owner=me").json(t); l["total"] != float64(1) {
		t.Fatalf("level=A = %v", l)
	}
	a.get("/api/v1/customers?sort=bogus").wantAPIError(t, http.StatusBadRequest, "invalid")
	a.get("/api/v1/customers?per_page=x").wantAPIError(t, http.StatusBadRequest, "invalid")
}

func TestCustomersAPI_Transfer_ManagerOnly(t *testing.T) {
	f := newCustFixture(t)
	c := custCreate(t, f.e.api("salesa"), map[string]any{"name": "甲公司"})
	path := pathf("/api/v1/customers/%d/transfer", custID(t, c, "id"))
	f.e.api("salesa").do(http.MethodPost, path, map[string]any{"owner_id": f.salesB.ID}).wantAPIError(t, http.StatusForbidden, "forbidden")
	f.e.api("mgr").do(http.MethodPost, path, map[string]any{"owner_id": f.other.ID}).wantAPIError(t, http.StatusBadRequest, "invalid")
	f.e.api("mgr").do(http.MethodPost, path, map[string]any{}).wantAPIError(t, http.StatusBadRequest, "invalid")
	got := f.e.api("mgr").do(http.MethodPost, path, map[string]any{"owner_id": f.salesB.ID}).wantStatus(t, http.StatusOK).json(t)
	if custID(t, got["owner"].(map[string]any), "id") != f.salesB.ID {
		t.Fatalf("after transfer owner = %v", got["owner"])
	}
	f.e.api("salesb").get(pathf("/api/v1/customers/%d", custID(t, c, "id"))).wantStatus(t, http.StatusOK)
	f.e.api("salesa").get(pathf("/api/v1/customers/%d", custID(t, c, "id"))).wantAPIError(t, http.StatusNotFound, "not_found")
}

func TestTagsAndSourcesAPI_AdminOnlyWrites(t *testing.T) {
	f := newCustFixture(t)
	sales, admin := f.e.api("salesa"), f.e.api("admin")
	sales.do(http.MethodPost, "/api/v1/tags", map[string]any{"name": "VIP"}).wantAPIError(t, http.StatusForbidden, "forbidden")
	tag := admin.do(http.MethodPost, "/api/v1/tags", map[string]any{"name": "VIP", "color": "#13c2c2"}).wantStatus(t, http.StatusCreated).json(t)
	tagPath := pathf("/api/v1/tags/%d", custID(t, tag, "id"))
	sales.do(http.MethodPatch, tagPath, map[string]any{"color": "#000000"}).wantAPIError(t, http.StatusForbidden, "forbidden")
	got := admin.do(http.MethodPatch, tagPath, map[string]any{"color": "#722ed1"}).wantStatus(t, http.StatusOK).json(t)
	if got["name"] != "VIP" || got["color"] != "#722ed1" {
		t.Fatalf("recoloured tag = %v", got)
	}
	admin.do(http.MethodPatch, tagPath, map[string]any{"color": "red"}).wantAPIError(t, http.StatusBadRequest, "invalid")
	if l := sales.get("/api/v1/tags").wantStatus(t, http.StatusOK).json(t); l["total"] != float64(1) {
		t.Fatalf("tags = %v", l)
	}
	sales.do(http.MethodDelete, tagPath, nil).wantAPIError(t, http.StatusForbidden, "forbidden")
	admin.do(http.MethodDelete, tagPath, nil).wantStatus(t, http.StatusNoContent)
	admin.do(http.MethodDelete, tagPath, nil).wantAPIError(t, http.StatusNotFound, "not_found")

	sales.do(http.MethodPost, "/api/v1/sources", map[string]any{"name": "抖音"}).wantAPIError(t, http.StatusForbidden, "forbidden")
	src := admin.do(http.MethodPost, "/api/v1/sources", map[string]any{"name": "抖音"}).wantStatus(t, http.StatusCreated).json(t)
	admin.do(http.MethodPost, "/api/v1/sources", map[string]any{"name": "抖音"}).wantAPIError(t, http.StatusBadRequest, "invalid")
	custCreate(t, sales, map[string]any{"name": "甲公司", "source": "抖音"})
	srcPath := pathf("/api/v1/sources/%d", custID(t, src, "id"))
	sales.do(http.MethodDelete, srcPath, nil).wantAPIError(t, http.StatusForbidden, "forbidden")
	admin.do(http.MethodDelete, srcPath, nil).wantAPIError(t, http.StatusConflict, "conflict")
	list := sales.get("/api/v1/sources").wantStatus(t, http.StatusOK).json(t)
	if list["total"] != float64(6) {
		t.Fatalf("sources = %v, want the 5 defaults and 抖音", list)
	}
}

func TestCustomersAPI_RefusalMessageInRequestLanguage(t *testing.T) {
	f := newCustFixture(t)
	custCreate(t, f.e.api("salesa"), map[string]any{"name": "甲公司"})
	b := f.e.api("salesb")
	body := map[string]any{"name": "甲公司"}
	zh := b.do(http.MethodPost, "/api/v1/customers", body, "Accept-Language", "zh-CN").wantAPIError(t, http.StatusConflict, "duplicate")
	en := b.do(http.MethodPost, "/api/v1/customers", body, "Accept-Language", "en").wantAPIError(t, http.StatusConflict, "duplicate")
	if !strings.Contains(zh["message"].(string), "与已有客户「甲公司」重复") {
		t.Errorf("zh message = %q", zh["message"])
	}
	if !strings.Contains(en["message"].(string), "Duplicate of existing customer “甲公司”") {
		t.Errorf("en message = %q", en["message"])
	}
}
