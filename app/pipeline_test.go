package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tidecrm/tide/store"
)

// pipeFixture is the pool fixture's company with one customer owned by
// salesA (李娜's account) and the default stages looked up by kind.
type pipeFixture struct {
	*poolFixture
	cust   *store.Customer
	stages []*store.Stage
}

func newPipeFixture(t *testing.T) *pipeFixture {
	t.Helper()
	pf := newPoolFixture(t)
	ctx := context.Background()
	cust, err := pf.e.st.CreateCustomer(ctx, pf.salesA, store.CustomerInput{Name: ptrTo("上海潮汐贸易有限公司"), Phone: ptrTo("13912345678")})
	if err != nil {
		t.Fatal(err)
	}
	stages, err := pf.e.st.Stages(ctx, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	return &pipeFixture{poolFixture: pf, cust: cust, stages: stages}
}

// stage returns the n-th open stage (0-based), or the won/lost stage.
func (f *pipeFixture) stage(kind string, n int) *store.Stage {
	for _, st := range f.stages {
		if st.Kind == kind {
			if n == 0 {
				return st
			}
			n--
		}
	}
	f.t.Fatalf("no %s stage", kind)
	return nil
}

// opp creates an opportunity for the fixture customer through the API.
func (f *pipeFixture) opp(user, name string, amount int64) map[string]any {
	f.t.Helper()
	return f.e.api(user).do(http.MethodPost, "/api/v1/opportunities",
		map[string]any{"customer_id": f.cust.ID, "name": name, "amount": amount}).wantStatus(f.t, http.StatusCreated).json(f.t)
}

func num(m map[string]any, k string) int64 {
	v, _ := m[k].(float64)
	return int64(v)
}

func TestPipelineAPI_HappyPath(t *testing.T) {
	f := newPipeFixture(t)
	sales := f.e.api("salesa")
	st := sales.get("/api/v1/stages").wantStatus(t, http.StatusOK).json(t)
	items := st["items"].([]any)
	if len(items) != 8 || items[0].(map[string]any)["name"] != "发现商机" || items[0].(map[string]any)["name_en"] != "Discovery" {
		t.Fatalf("stages: %v", st)
	}
	o := f.opp("salesa", "年度采购", 1280000)
	id := num(o, "id")
	if o["status"] != "open" || num(o["owner"].(map[string]any), "id") != f.salesA.ID {
		t.Fatalf("created: %v", o)
	}
	second := f.stage("open", 1)
	moved := sales.do(http.MethodPost, pathf("/api/v1/opportunities/%d/stage", id), map[string]any{"stage_id": second.ID, "version": num(o, "version")}).
		wantStatus(t, http.StatusOK).json(t)
	if num(moved["stage"].(map[string]any), "id") != second.ID {
		t.Fatalf("moved: %v", moved)
	}
	h := sales.get(pathf("/api/v1/opportunities/%d/history", id)).wantStatus(t, http.StatusOK).json(t)
	if hs := h["items"].([]any); len(hs) != 2 || hs[0].(map[string]any)["from"] != nil {
		t.Fatalf("history: %v", h)
	}
	if _, ok := h["days_in_stage"].([]any); !ok {
		t.Fatalf("history without days_in_stage: %v", h)
	}
	list := sales.get(pathf("/api/v1/opportunities?customer_id=%d&status=open&amount_min=100", f.cust.ID)).wantStatus(t, http.StatusOK).json(t)
	if num(list, "total") != 1 {
		t.Fatalf("list: %v", list)
	}
	patched := sales.do(http.MethodPatch, pathf("/api/v1/opportunities/%d", id), map[string]any{"name": "年度采购（二期）", "version": num(moved, "version")}).
		wantStatus(t, http.StatusOK).json(t)
	if patched["name"] != "年度采购（二期）" {
		t.Fatalf("patched: %v", patched)
	}
	sales.get("/api/v1/pipeline/board").wantStatus(t, http.StatusOK).wantContains(t, `"columns"`)
	fc := sales.get("/api/v1/pipeline/forecast").wantStatus(t, http.StatusOK).json(t)
	if num(fc, "open_amount") != 1280000 {
		t.Fatalf("forecast: %v", fc)
	}
	sales.get("/api/v1/lost-reasons").wantStatus(t, http.StatusOK).wantContains(t, "价格太高")
	sales.do(http.MethodDelete, pathf("/api/v1/opportunities/%d", id), nil).wantStatus(t, http.StatusNoContent)
	sales.get(pathf("/api/v1/opportunities/%d", id)).wantAPIError(t, http.StatusNotFound, "not_found")
}

func TestPipelineAPI_Refusals(t *testing.T) {
	f := newPipeFixture(t)
	sales := f.e.api("salesa")
	o := f.opp("salesa", "年度采购", 0)
	id := num(o, "id")
	movePath := pathf("/api/v1/opportunities/%d/stage", id)
	won, lost := f.stage("won", 0), f.stage("lost", 0)

	e := sales.do(http.MethodPost, "/api/v1/opportunities", map[string]any{"customer_id": f.cust.ID, "name": "x", "amount": -5}).
		wantAPIError(t, http.StatusBadRequest, "invalid")
	if e["fields"].(map[string]any)["amount"] == nil {
		t.Fatalf("negative amount: %v", e)
	}
	sales.do(http.MethodPost, "/api/v1/opportunities", `{"customer_id": 1, "name": "x", "amount": "12.5"}`).wantAPIError(t, http.StatusBadRequest, "invalid")
	e = sales.do(http.MethodPost, movePath, map[string]any{"stage_id": won.ID}).wantAPIError(t, http.StatusBadRequest, "invalid")
	if e["fields"].(map[string]any)["amount"] == nil {
		t.Fatalf("won without amount: %v", e)
	}
	e = sales.do(http.MethodPost, movePath, map[string]any{"stage_id": lost.ID}).wantAPIError(t, http.StatusBadRequest, "invalid")
	if e["fields"].(map[string]any)["lost_reason"] == nil {
		t.Fatalf("lost without reason: %v", e)
	}
	e = sales.do(http.MethodPost, movePath, map[string]any{"stage_id": 9999}).wantAPIError(t, http.StatusBadRequest, "invalid")
	if e["fields"].(map[string]any)["stage_id"] == nil {
		t.Fatalf("unknown stage: %v", e)
	}
	f.e.api("outsider").get(pathf("/api/v1/opportunities/%d", id)).wantAPIError(t, http.StatusNotFound, "not_found")
	f.e.api("outsider").do(http.MethodPost, movePath, map[string]any{"stage_id": f.stage("open", 1).ID}).wantAPIError(t, http.StatusNotFound, "not_found")
	f.e.api("salesb").get(pathf("/api/v1/opportunities/%d/history", id)).wantAPIError(t, http.StatusNotFound, "not_found")

	v := num(o, "version")
	sales.do(http.MethodPatch, pathf("/api/v1/opportunities/%d", id), map[string]any{"name": "a", "version": v}).wantStatus(t, http.StatusOK)
	sales.do(http.MethodPatch, pathf("/api/v1/opportunities/%d", id), map[string]any{"name": "b", "version": v}).wantAPIError(t, http.StatusConflict, "conflict")
	sales.do(http.MethodPost, movePath, map[string]any{"stage_id": f.stage("open", 2).ID, "version": v}).wantAPIError(t, http.StatusConflict, "conflict")

	sales.do(http.MethodPost, "/api/v1/opportunities", map[string]any{"customer_id": f.cust.ID, "name": "旧单", "created_at": "2024-01-02T03:04:05Z"}).
		wantAPIError(t, http.StatusForbidden, "forbidden")
	f.e.api("admin").do(http.MethodPost, "/api/v1/opportunities", map[string]any{"customer_id": f.cust.ID, "name": "旧单", "amount": 500,
		"stage_id": won.ID, "created_at": "2024-01-02T03:04:05Z", "closed_at": "2024-03-02T03:04:05Z"}).wantStatus(t, http.StatusCreated)
	sales.do(http.MethodPost, "/api/v1/stages", map[string]any{"name_zh": "试用", "name_en": "Trial", "probability": 30, "kind": "open"}).
		wantAPIError(t, http.StatusForbidden, "forbidden")
	sales.get("/api/v1/opportunities?status=maybe").wantAPIError(t, http.StatusBadRequest, "invalid")
}

func TestStagesAPI_AdminCreatesAndCannotDeleteInUse(t *testing.T) {
	f := newPipeFixture(t)
	admin := f.e.api("admin")
	id := admin.do(http.MethodPost, "/api/v1/stages", map[string]any{"name_zh": "试用", "name_en": "Trial", "probability": 30, "kind": "open"}).
		wantStatus(t, http.StatusCreated).id(t)
	admin.do(http.MethodPatch, pathf("/api/v1/stages/%d", id), map[string]any{"probability": 35}).wantStatus(t, http.StatusOK).wantContains(t, `"probability":35`)
	admin.do(http.MethodDelete, pathf("/api/v1/stages/%d", id), nil).wantStatus(t, http.StatusNoContent)
	f.opp("salesa", "年度采购", 100)
	admin.do(http.MethodDelete, pathf("/api/v1/stages/%d", f.stage("open", 0).ID), nil).wantAPIError(t, http.StatusConflict, "conflict")
}

func TestPipelineBoard_ColumnsCountsMoneyAndNoJSMove(t *testing.T) {
	f := newPipeFixture(t)
	o := f.opp("salesa", "年度采购", 1280000)
	f.opp("salesa", "培训服务", 50)
	b := f.e.loggedIn("salesa", "zh-CN")
	r := b.get("/pipeline").wantStatus(t, http.StatusOK)
	r.wantContains(t, "发现商机", "售前交流", `<span class="board-count" title="商机数">2</span>`, "¥12,800.50", "¥12,800.00",
		"年度采购", "上海潮汐贸易有限公司", "Name salesa", "0 小时", `action="/pipeline/`, "赢单", "输单", "js/board.js")
	second := f.stage("open", 1)
	b.form(pathf("/pipeline/%d/stage", num(o, "id")), url.Values{"stage_id": {itoa(second.ID)}, "version": {itoa(num(o, "version"))}, "next": {"/pipeline"}}).
		wantRedirect(t, "/pipeline")
	got, err := f.e.st.Opportunity(context.Background(), f.salesA, num(o, "id"))
	if err != nil || got.Stage.ID != second.ID {
		t.Fatalf("after the form move: %+v %v", got, err)
	}
	// The same form again with the old version is refused on the board.
	b.form(pathf("/pipeline/%d/stage", num(o, "id")), url.Values{"stage_id": {itoa(f.stage("open", 2).ID)}, "version": {itoa(num(o, "version"))}, "next": {"/pipeline"}}).
		wantStatus(t, http.StatusConflict).wantContains(t, "alert-danger", "售前交流")
	// Choosing won in the select goes to the close form.
	won := f.stage("won", 0)
	b.form(pathf("/pipeline/%d/stage", num(o, "id")), url.Values{"stage_id": {itoa(won.ID)}, "next": {"/pipeline"}}).
		wantRedirect(t, pathf("/opportunities/%d/close", num(o, "id")))
	b.get("/pipeline?department_id=abc").wantStatus(t, http.StatusBadRequest)
}

func TestPipelineClose_WinningMakesCustomerAndTimelineShowsIt(t *testing.T) {
	f := newPipeFixture(t)
	o := f.opp("salesa", "年度采购", 0)
	id := num(o, "id")
	b := f.e.loggedIn("salesa", "zh-CN")
	f.e.api("salesa").do(http.MethodPost, pathf("/api/v1/opportunities/%d/stage", id), map[string]any{"stage_id": f.stage("open", 2).ID}).wantStatus(t, http.StatusOK)
	won := f.stage("won", 0)
	b.get(pathf("/opportunities/%d/close?stage=%d", id, won.ID)).wantStatus(t, http.StatusOK).wantContains(t, `name="amount"`, `name="closed_at"`)
	cur, _ := f.e.st.Opportunity(context.Background(), f.salesA, id)
	// Blank amount is refused beside the field.
	b.form(pathf("/opportunities/%d/close", id), url.Values{"stage_id": {itoa(won.ID)}, "version": {itoa(int64(cur.Version))}, "amount": {""}}).
		wantStatus(t, http.StatusBadRequest).wantContains(t, "赢单需要填写金额")
	b.form(pathf("/opportunities/%d/close", id), url.Values{"stage_id": {itoa(won.ID)}, "version": {itoa(int64(cur.Version))}, "amount": {"12,800"}}).
		wantRedirect(t, pathf("/opportunities/%d", id))
	cust, err := f.e.st.Customer(context.Background(), f.salesA, f.cust.ID)
	if err != nil || cust.Status != store.StatusCustomer {
		t.Fatalf("customer after winning: %+v %v", cust, err)
	}
	page := b.get(pathf("/customers/%d", f.cust.ID)).wantStatus(t, http.StatusOK)
	page.wantContains(t, `id="opportunities"`, "年度采购", "¥12,800.00", "/opportunities/new?customer_id=",
		"Name salesa 新建了商机「年度采购」（发现商机）",
		"Name salesa 把商机「年度采购」从 发现商机 推进到 商务谈判",
		"Name salesa 把商机「年度采购」从 商务谈判 推进到 赢单")
	en := f.e.loggedIn("admin", "en").get(pathf("/customers/%d", f.cust.ID)).wantStatus(t, http.StatusOK)
	en.wantContains(t, "from Discovery to Negotiation")
	b.get(pathf("/opportunities/%d", id)).wantStatus(t, http.StatusOK).wantContains(t, "阶段历史", "商务谈判", "停留时间")

	// Lost needs a reason; the reason lands in the timeline.
	o2 := f.opp("salesa", "二期", 100)
	lost := f.stage("lost", 0)
	b.form(pathf("/opportunities/%d/close", num(o2, "id")), url.Values{"stage_id": {itoa(lost.ID)}, "version": {itoa(num(o2, "version"))}}).
		wantStatus(t, http.StatusBadRequest).wantContains(t, "输单需要填写原因")
	b.form(pathf("/opportunities/%d/close", num(o2, "id")), url.Values{"stage_id": {itoa(lost.ID)}, "version": {itoa(num(o2, "version"))},
		"lost_reason": {"价格太高"}, "lost_note": {"对方选了别家"}}).wantRedirect(t, pathf("/opportunities/%d", num(o2, "id")))
	b.get(pathf("/customers/%d", f.cust.ID)).wantContains(t, "价格太高 — 对方选了别家")
}

func TestOpportunityForm_RefusalsKeepInput(t *testing.T) {
	f := newPipeFixture(t)
	b := f.e.loggedIn("salesa", "zh-CN")
	b.get(pathf("/opportunities/new?customer_id=%d", f.cust.ID)).wantStatus(t, http.StatusOK).wantContains(t, `name="amount"`, "上海潮汐贸易有限公司")
	b.form("/opportunities/new", url.Values{"customer_id": {itoa(f.cust.ID)}, "name": {"年度采购"}, "amount": {"12.345"}}).
		wantStatus(t, http.StatusBadRequest).wantContains(t, "金额最多两位小数", `value="12.345"`, `value="年度采购"`)
	b.form("/opportunities/new", url.Values{"customer_id": {itoa(f.cust.ID)}, "name": {""}, "amount": {"100"}}).
		wantStatus(t, http.StatusBadRequest).wantContains(t, `aria-invalid="true"`, `value="100"`)
	r := b.form("/opportunities/new", url.Values{"customer_id": {itoa(f.cust.ID)}, "name": {"年度采购"}, "amount": {"¥12,800.5"}, "expected_close": {"2026-12-31"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %.2000s", r.StatusCode, r.body)
	}
	loc := r.Header.Get("Location")
	b.get(loc).wantStatus(t, http.StatusOK).wantContains(t, "¥12,800.50", "2026-12-31")
	edit := b.get(loc+"/edit").wantStatus(t, http.StatusOK).wantContains(t, `value="12800.50"`)
	_ = edit
	// Someone else saves first: the edit comes back with a conflict and the input kept.
	id := strings.TrimPrefix(loc, "/opportunities/")
	o, _ := f.e.st.Opportunity(context.Background(), f.salesA, atoi(id))
	f.e.api("salesa").do(http.MethodPatch, "/api/v1/opportunities/"+id, map[string]any{"notes": "x", "version": o.Version}).wantStatus(t, http.StatusOK)
	b.form(loc+"/edit", url.Values{"name": {"我的改名"}, "amount": {"1"}, "version": {itoa(int64(o.Version))}}).
		wantStatus(t, http.StatusConflict).wantContains(t, "刚被其他人修改", `value="我的改名"`)
	b.get("/opportunities").wantStatus(t, http.StatusOK).wantContains(t, "¥12,800.50", "年度采购")
}

func TestAdminStagesPage(t *testing.T) {
	f := newPipeFixture(t)
	f.opp("salesa", "年度采购", 100)
	a := f.e.loggedIn("admin", "zh-CN")
	a.get("/admin/stages").wantStatus(t, http.StatusOK).wantContains(t, "发现商机", "Discovery")
	a.form("/admin/stages", url.Values{"name_zh": {"试用"}, "name_en": {"Trial"}, "probability": {"30"}, "kind": {"open"}}).wantRedirect(t, "/admin/stages")
	a.form("/admin/stages", url.Values{"name_zh": {""}, "name_en": {"Trial"}, "probability": {"300"}, "kind": {"open"}}).wantStatus(t, http.StatusBadRequest)
	a.form(pathf("/admin/stages/%d/delete", f.stage("open", 0).ID), url.Values{}).wantStatus(t, http.StatusConflict).wantContains(t, "alert-danger", "move them to another stage")
	f.e.loggedIn("salesa", "zh-CN").get("/admin/stages").wantStatus(t, http.StatusForbidden)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func TestOpenAPI_DocumentsEveryPipelineEndpoint(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	for _, ep := range []struct{ method, path string }{
		{"get", "/stages"}, {"post", "/stages"}, {"patch", "/stages/{id}"}, {"delete", "/stages/{id}"}, {"get", "/lost-reasons"},
		{"get", "/opportunities"}, {"post", "/opportunities"}, {"get", "/opportunities/{id}"}, {"patch", "/opportunities/{id}"},
		{"delete", "/opportunities/{id}"}, {"post", "/opportunities/{id}/stage"}, {"get", "/opportunities/{id}/history"},
		{"get", "/pipeline/board"}, {"get", "/pipeline/forecast"},
	} {
		if _, ok := doc.Paths[ep.path][ep.method]; !ok {
			t.Errorf("openapi.json lacks %s %s", ep.method, ep.path)
		}
	}
}
