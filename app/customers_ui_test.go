package app

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// custRedirectID reads the customer id from a redirect to /customers/{id}.
func custRedirectID(t *testing.T, r *testResponse) int64 {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s %s: status %d, want 303\n%.3000s", r.Request.Method, r.Request.URL.Path, r.StatusCode, r.body)
	}
	loc, _ := url.Parse(r.Header.Get("Location"))
	id, err := strconv.ParseInt(strings.TrimPrefix(loc.Path, "/customers/"), 10, 64)
	if err != nil {
		t.Fatalf("redirect to %q, want /customers/{id}", r.Header.Get("Location"))
	}
	return id
}

// custForm is a complete customer form as the browser posts it.
func custForm(name string, extra ...string) url.Values {
	v := url.Values{"name": {name}, "phone": {""}, "email": {""}, "website": {""}, "industry": {""}, "level": {""},
		"status": {"lead"}, "source": {""}, "region": {""}, "address": {""}, "notes": {""}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func TestCustomerForm_CreateThenShow(t *testing.T) {
	f := newCustFixture(t)
	f.e.api("admin").do(http.MethodPost, "/api/v1/tags", map[string]any{"name": "重点", "color": "#ff4d4f"}).wantStatus(t, http.StatusCreated)
	b := f.e.loggedIn("salesa", "zh-CN")
	b.get("/customers/new").wantStatus(t, http.StatusOK).wantContains(t, `data-dup-check`, `data-msg-owned="与已有客户「{name}」重复，负责人：{owner}`,
		`<datalist id="industries">`, `value="重点"`, "--chip: #ff4d4f")
	form := custForm("杭州云帆网络科技有限公司", "phone", "0571-88886666", "level", "A", "source", "展会", "industry", "互联网")
	form.Add("tags", "重点")
	id := custRedirectID(t, b.form("/customers/new", form))
	b.get(pathf("/customers/%d", id)).wantStatus(t, http.StatusOK).
		wantContains(t, "客户已创建。", "杭州云帆网络科技有限公司", "0571-88886666", "展会", "互联网", `class="chip"`, "重点", "Name salesa 创建了客户")
}

func TestCustomerForm_Duplicate_KeepsInputAndNamesOwner_BothLanguages(t *testing.T) {
	f := newCustFixture(t)
	custCreate(t, f.e.api("salesa"), map[string]any{"name": "北京字节跳动科技有限公司", "phone": "13800138000"})
	for _, tt := range []struct{ accept, want string }{
		{"zh-CN", "与已有客户「北京字节跳动科技有限公司」重复，负责人：Name salesa"},
		{"en", "Duplicate of existing customer “北京字节跳动科技有限公司”, owned by Name salesa"},
	} {
		b := f.e.loggedIn("other", tt.accept)
		b.get("/customers/new").wantStatus(t, http.StatusOK)
		r := b.form("/customers/new", custForm("北京字节跳动科技 有限公司", "phone", "010-12345678", "level", "B", "notes", "展会上认识的"))
		r.wantStatus(t, http.StatusBadRequest).wantContains(t,
			`value="北京字节跳动科技 有限公司"`, `value="010-12345678"`, "展会上认识的", `<option value="B" selected>`,
			`<p class="field-error" role="alert">`+html.EscapeString(tt.want))
	}
	list := f.e.api("admin").get("/api/v1/customers").json(t)
	if list["total"] != float64(1) {
		t.Fatalf("refused forms wrote customers: %v", list["total"])
	}
}

func TestCustomerForm_StaleSave_ShowsChangesKeepsInputThenSaves(t *testing.T) {
	f := newCustFixture(t)
	b := f.e.loggedIn("salesa", "zh-CN")
	b.get("/customers/new")
	id := custRedirectID(t, b.form("/customers/new", custForm("甲公司", "level", "B")))
	b.get(pathf("/customers/%d/edit", id)).wantStatus(t, http.StatusOK).wantContains(t, `name="version" value="1"`)
	f.e.api("mgr").do(http.MethodPatch, pathf("/api/v1/customers/%d", id), map[string]any{"level": "A", "version": 1}).wantStatus(t, http.StatusOK)

	r := b.form(pathf("/customers/%d/edit", id), custForm("甲公司", "level", "C", "region", "杭州", "version", "1"))
	r.wantStatus(t, http.StatusConflict).wantContains(t, "Name mgr 刚刚修改了这个客户",
		`级别：<span class="old">B</span> → <span class="new">A</span>`,
		`name="version" value="2"`, `value="杭州"`, `<option value="C" selected>`)
	if got := f.e.api("admin").get(pathf("/api/v1/customers/%d", id)).json(t); got["level"] != "A" {
		t.Fatalf("stale save overwrote: level %v", got["level"])
	}
	b.form(pathf("/customers/%d/edit", id), custForm("甲公司", "level", "C", "region", "杭州", "version", "2")).
		wantRedirect(t, pathf("/customers/%d", id))
	got := f.e.api("admin").get(pathf("/api/v1/customers/%d", id)).json(t)
	if got["level"] != "C" || got["region"] != "杭州" {
		t.Fatalf("second save: %v", got)
	}
	b.get(pathf("/customers/%d", id)).wantContains(t, "Name mgr 把 级别 从「B」改为「A」", "Name salesa 把 级别 从「A」改为「C」",
		"Name salesa 把 地区 设为「杭州」")
}

func TestCustomerPage_TimelineInEnglish(t *testing.T) {
	f := newCustFixture(t)
	c := custCreate(t, f.e.api("salesa"), map[string]any{"name": "甲公司", "level": "B", "status": "lead"})
	id := custID(t, c, "id")
	f.e.api("mgr").do(http.MethodPatch, pathf("/api/v1/customers/%d", id), map[string]any{"level": "A", "status": "prospect", "version": c["version"]}).
		wantStatus(t, http.StatusOK)
	f.e.loggedIn("salesa", "en").get(pathf("/customers/%d", id)).wantStatus(t, http.StatusOK).
		wantContains(t, "Name mgr changed Level from “B” to “A”", "Name mgr changed Status from “Lead” to “Prospect”", "Name salesa created the customer")
}

func TestCustomerPages_ScriptRendersAsText(t *testing.T) {
	f := newCustFixture(t)
	const evil = `<script>alert("tide")</script>`
	a := f.e.api("salesa")
	c := custCreate(t, a, map[string]any{"name": "恶意" + evil, "notes": evil, "address": evil, "region": evil, "industry": evil})
	id := custID(t, c, "id")
	ct := a.do(http.MethodPost, pathf("/api/v1/customers/%d/contacts", id), map[string]any{"name": evil, "hobbies": evil}).wantStatus(t, http.StatusCreated).json(t)
	a.do(http.MethodPost, pathf("/api/v1/customers/%d/followups", id), map[string]any{"kind": "call", "content": evil}).wantStatus(t, http.StatusCreated)
	b := f.e.loggedIn("salesa", "zh-CN")
	for _, p := range []string{pathf("/customers/%d", id), pathf("/customers/%d/edit", id), "/customers", pathf("/contacts/%d/edit", custID(t, ct, "id"))} {
		b.get(p).wantStatus(t, http.StatusOK).wantNotContains(t, "<script>alert").wantContains(t, "&lt;script&gt;alert(")
	}
}

func TestCustomerPages_OtherSalesGets404AndNoTrace(t *testing.T) {
	f := newCustFixture(t)
	c := custCreate(t, f.e.api("salesa"), map[string]any{"name": "秘密客户有限公司", "phone": "13911112222"})
	id := custID(t, c, "id")
	b := f.e.loggedIn("salesb", "zh-CN")
	for _, p := range []string{pathf("/customers/%d", id), pathf("/customers/%d/edit", id)} {
		b.get(p).wantStatus(t, http.StatusNotFound).wantNotContains(t, "秘密客户")
	}
	b.form(pathf("/customers/%d/followups", id), url.Values{"kind": {"call"}, "content": {"x"}}).wantStatus(t, http.StatusNotFound)
	b.form(pathf("/customers/%d/delete", id), url.Values{}).wantStatus(t, http.StatusNotFound)
	for _, p := range []string{"/customers", "/customers?q=" + custQ("秘密客户"), "/customers?q=13911112222"} {
		b.get(p).wantStatus(t, http.StatusOK).wantNotContains(t, "秘密客户有限公司").wantContains(t, "共 0 个")
	}
	f.e.loggedIn("salesa", "zh-CN").get("/customers?q="+custQ("秘密")).wantContains(t, "秘密客户有限公司")
}

func TestFollowupForm_LocalTimesInCompanyZone_RefusalKeepsInput(t *testing.T) {
	f := newCustFixture(t)
	c := custCreate(t, f.e.api("salesa"), map[string]any{"name": "甲公司"})
	id := custID(t, c, "id")
	zone := f.e.cfg.Location
	now := time.Now().In(zone)
	at := time.Date(now.Year(), now.Month(), now.Day()-1, 10, 0, 0, 0, zone) // yesterday 10:00
	next := at.Add(5 * 24 * time.Hour)
	const layout = "2006-01-02T15:04"
	b := f.e.loggedIn("salesa", "zh-CN")
	page := b.get(pathf("/customers/%d", id)).wantStatus(t, http.StatusOK)
	page.wantContains(t, `name="at" type="datetime-local" value="`+time.Now().In(zone).Format("2006-01-02T"))

	b.form(pathf("/customers/%d/followups", id), url.Values{"kind": {"visit"}, "content": {""}, "at": {at.Format(layout)}, "next_at": {next.Format(layout)}}).
		wantStatus(t, http.StatusBadRequest).wantContains(t, `value="`+at.Format(layout)+`"`, `value="`+next.Format(layout)+`"`, `class="field-error"`)
	b.form(pathf("/customers/%d/followups", id), url.Values{"kind": {"visit"}, "content": {"上门"}, "at": {time.Now().In(zone).Add(3 * time.Hour).Format(layout)}}).
		wantStatus(t, http.StatusBadRequest).wantContains(t, "跟进时间不能在将来。", "上门")
	b.form(pathf("/customers/%d/followups", id), url.Values{"kind": {"visit"}, "content": {"上门"}, "at": {"明天"}}).
		wantStatus(t, http.StatusBadRequest).wantContains(t, "请选择有效的日期和时间。")

	b.form(pathf("/customers/%d/followups", id), url.Values{"kind": {"visit"}, "content": {"上门拜访，确认需求"}, "at": {at.Format(layout)}, "next_at": {next.Format(layout)}}).
		wantRedirect(t, pathf("/customers/%d", id))
	got := f.e.api("salesa").get(pathf("/api/v1/customers/%d", id)).json(t)
	if got["last_followup_at"] != at.UTC().Format(time.RFC3339) || got["next_followup_at"] != next.UTC().Format(time.RFC3339) {
		t.Fatalf("times %v / %v, want %s / %s", got["last_followup_at"], got["next_followup_at"], at.UTC().Format(time.RFC3339), next.UTC().Format(time.RFC3339))
	}
	b.get(pathf("/customers/%d", id)).wantContains(t, "跟进已保存。", "上门拜访，确认需求", "Name salesa · 拜访",
		"下次跟进："+next.Format("2006-01-02 15:04"), "昨天", "4 天后")
	b.get("/customers").wantContains(t, "昨天", next.Format("2006-01-02")+" · 4 天后")
}

func TestContactForms_AddEditDelete(t *testing.T) {
	f := newCustFixture(t)
	c := custCreate(t, f.e.api("salesa"), map[string]any{"name": "甲公司"})
	other := custCreate(t, f.e.api("other"), map[string]any{"name": "乙公司", "phone": "13600001111"})
	id := custID(t, c, "id")
	b := f.e.loggedIn("salesa", "zh-CN")
	b.get(pathf("/customers/%d", id)).wantContains(t, "还没有联系人")
	// A contact phone that collides is refused, the form stays open with the input.
	b.form(pathf("/customers/%d/contacts", id), url.Values{"name": {"王经理"}, "phone": {"136 0000 1111"}, "position": {"采购"}}).
		wantStatus(t, http.StatusBadRequest).wantContains(t, `<details class="add-contact" open>`, `value="王经理"`, `value="采购"`, "与已有客户「乙公司」重复")
	_ = other
	b.form(pathf("/customers/%d/contacts", id), url.Values{"name": {"王经理"}, "phone": {"13700001111"}, "position": {"采购"}, "gender": {"male"}, "birthday": {"1985-06-01"}}).
		wantRedirect(t, pathf("/customers/%d", id))
	page := b.get(pathf("/customers/%d", id)).wantContains(t, "联系人已添加。", "王经理", "采购", "13700001111", "1985-06-01", "主要联系人", "Name salesa 添加了联系人 王经理")
	m := regexp.MustCompile(`href="/contacts/(\d+)/edit"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no contact edit link")
	}
	editPath := "/contacts/" + m[1] + "/edit"
	b.get(editPath).wantStatus(t, http.StatusOK).wantContains(t, `value="王经理"`, `<option value="male" selected>`)
	b.form(editPath, url.Values{"name": {""}, "position": {"总经理"}}).wantStatus(t, http.StatusBadRequest).wantContains(t, `value="总经理"`, `class="field-error"`)
	b.form(editPath, url.Values{"name": {"王总"}, "position": {"总经理"}, "phone": {"13700001111"}}).wantRedirect(t, pathf("/customers/%d", id))
	b.get(pathf("/customers/%d", id)).wantContains(t, "王总", "总经理")
	f.e.loggedIn("salesb", "zh-CN").get(editPath).wantStatus(t, http.StatusNotFound)
	b.form("/contacts/"+m[1]+"/delete", url.Values{}).wantRedirect(t, pathf("/customers/%d", id))
	b.get(pathf("/customers/%d", id)).wantContains(t, "联系人已删除。", "还没有联系人")
}

func TestCustomerPage_TransferAndDelete(t *testing.T) {
	f := newCustFixture(t)
	c := custCreate(t, f.e.api("salesa"), map[string]any{"name": "甲公司"})
	id := custID(t, c, "id")
	a := f.e.loggedIn("salesa", "zh-CN")
	a.get(pathf("/customers/%d", id)).wantNotContains(t, "/transfer").wantContains(t, pathf(`action="/customers/%d/delete"`, id))
	m := f.e.loggedIn("mgr", "zh-CN")
	m.get(pathf("/customers/%d", id)).wantContains(t, pathf(`action="/customers/%d/transfer"`, id)).wantNotContains(t, "/delete\"")
	m.form(pathf("/customers/%d/transfer", id), url.Values{"owner_id": {strconv.FormatInt(f.other.ID, 10)}}).
		wantStatus(t, http.StatusBadRequest).wantContains(t, "只能分配给你部门")
	m.form(pathf("/customers/%d/transfer", id), url.Values{"owner_id": {strconv.FormatInt(f.salesB.ID, 10)}}).wantRedirect(t, pathf("/customers/%d", id))
	m.get(pathf("/customers/%d", id)).wantContains(t, "客户已转移。", "Name mgr 把客户从 Name salesa 转给了 Name salesb")
	a.get(pathf("/customers/%d", id)).wantStatus(t, http.StatusNotFound)
	bb := f.e.loggedIn("salesb", "zh-CN")
	bb.form(pathf("/customers/%d/delete", id), url.Values{}).wantRedirect(t, "/customers")
	bb.get("/customers").wantContains(t, "客户已删除。").wantNotContains(t, "甲公司")
}

func TestCustomerList_EmptyStateFiltersAndKeysetPaging(t *testing.T) {
	f := newCustFixture(t)
	b := f.e.loggedIn("salesa", "zh-CN")
	b.get("/customers").wantStatus(t, http.StatusOK).wantContains(t, "还没有客户，导入一个 Excel 或新建客户", `href="/customers/import"`)
	ctx := context.Background()
	for i := 0; i < 52; i++ {
		name := "测试客户" + strconv.Itoa(1000+i)
		in := store.CustomerInput{Name: &name}
		if i == 0 {
			in.Level = ptrTo("A")
		}
		if _, err := f.e.st.CreateCustomer(ctx, f.salesA, in); err != nil {
			t.Fatal(err)
		}
	}
	first := b.get("/customers").wantStatus(t, http.StatusOK).wantContains(t, "共 52 个", "下一页", `href="/customers/export.xlsx?"`).
		wantNotContains(t, "回到第一页")
	m := regexp.MustCompile(`href="(/customers\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(first.body)
	if m == nil {
		t.Fatal("no next-page link")
	}
	second := b.get(html.UnescapeString(m[1])).wantStatus(t, http.StatusOK).wantContains(t, "回到第一页", "测试客户1000", "测试客户1001").
		wantNotContains(t, "下一页", "测试客户1051")
	_ = second
	b.get("/customers?level=A&sort=name").wantContains(t, "共 1 个", "测试客户1000", `href="/customers/export.csv?level=A&amp;sort=name"`, "清除筛选").
		wantNotContains(t, "测试客户1001")
	b.get("/customers?level=D").wantContains(t, "没有符合条件的客户")
	b.get("/customers?no_followup_days=7&followup_due=1").wantStatus(t, http.StatusOK)
	b.get("/customers?sort=nope").wantStatus(t, http.StatusBadRequest)
}

func TestAdminTagsAndSourcesPages(t *testing.T) {
	f := newCustFixture(t)
	s := f.e.loggedIn("salesa", "zh-CN")
	s.get("/admin/tags").wantStatus(t, http.StatusForbidden)
	s.get("/admin/sources").wantStatus(t, http.StatusForbidden)
	s.form("/admin/tags", url.Values{"name": {"x"}, "color": {"#000000"}}).wantStatus(t, http.StatusForbidden)
	s.get("/customers").wantNotContains(t, `href="/admin/tags"`)

	a := f.e.loggedIn("admin", "zh-CN")
	a.get("/admin/tags").wantStatus(t, http.StatusOK).wantContains(t, "还没有标签", `href="/admin" aria-current="page"`)
	a.form("/admin/tags", url.Values{"name": {"重点客户"}, "color": {"#fa541c"}}).wantRedirect(t, "/admin/tags")
	page := a.get("/admin/tags").wantContains(t, "标签已创建。", "重点客户", "--chip: #fa541c", "0 个客户")
	a.form("/admin/tags", url.Values{"name": {"重点客户"}, "color": {"#fa541c"}}).wantStatus(t, http.StatusBadRequest).wantContains(t, "该名称已存在。")
	m := regexp.MustCompile(`action="/admin/tags/(\d+)"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no tag edit form")
	}
	a.form("/admin/tags/"+m[1], url.Values{"name": {"大客户"}, "color": {"red"}}).wantStatus(t, http.StatusBadRequest).
		wantContains(t, "颜色格式应为 #RRGGBB。", `value="大客户"`, `<details class="inline-edit" open>`)
	a.form("/admin/tags/"+m[1], url.Values{"name": {"大客户"}, "color": {"#2f54eb"}}).wantRedirect(t, "/admin/tags")
	a.get("/admin/tags").wantContains(t, "大客户", "--chip: #2f54eb")
	a.form("/admin/tags/"+m[1]+"/delete", url.Values{}).wantRedirect(t, "/admin/tags")
	a.get("/admin/tags").wantContains(t, "标签已删除。", "还没有标签")

	a.get("/admin/sources").wantStatus(t, http.StatusOK).wantContains(t, "官网", "电话营销")
	a.form("/admin/sources", url.Values{"name": {"抖音"}}).wantRedirect(t, "/admin/sources")
	custCreate(t, f.e.api("salesa"), map[string]any{"name": "甲公司", "source": "抖音"})
	page = a.get("/admin/sources").wantContains(t, "来源已添加。", "抖音")
	m = regexp.MustCompile(`action="/admin/sources/(\d+)/delete" data-confirm="确定删除来源「抖音」吗？"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no delete form for 抖音")
	}
	a.form("/admin/sources/"+m[1]+"/delete", url.Values{}).wantStatus(t, http.StatusConflict).wantContains(t, "来源「抖音」仍有客户在使用，不能删除。")
	en := f.e.loggedIn("admin", "en")
	en.get("/admin/sources")
	en.form("/admin/sources/"+m[1]+"/delete", url.Values{}).wantStatus(t, http.StatusConflict).
		wantContains(t, "Customers still use the source “抖音”; it cannot be deleted.")
}

// Labels the customer pages build from data (statuses, kinds, fields,
// timeline kinds) must exist in every language; the catalogue test only
// sees literal keys.
func TestCustomerCatalogue_DynamicKeysExist(t *testing.T) {
	var keys []string
	add := func(prefix string, vals ...string) {
		for _, v := range vals {
			keys = append(keys, prefix+v)
		}
	}
	add("cust.status.", store.Statuses...)
	add("fu.kind.", store.FollowupKinds...)
	add("cust.sort.", store.CustomerSorts...)
	add("contact.gender_", "male", "female")
	add("cust.f.", "name", "phone", "email", "website", "industry", "level", "source", "region", "address", "status", "notes", "tags", "owner")
	add("tl.", "followup", "followup_with", "created", "updated", "deleted", "transferred", "contact_added", "contact_updated",
		"contact_deleted", "pool_enter", "pool_claim", "pool_release", "pool_recycle", "pool_assign", "pool_import", "other")
	for _, lang := range i18n.Languages {
		for _, k := range keys {
			if !i18n.Has(lang, k) {
				t.Errorf("%s: missing %s", lang, k)
			}
		}
	}
}
