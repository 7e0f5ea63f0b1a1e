package app

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

func ids(vals ...int64) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strconv.FormatInt(v, 10)
	}
	return out
}

// poolFormValues is a complete, valid pool form.
func poolFormValues(name string) url.Values {
	v := url.Values{"name": {name}, "description": {"测试"}, "scope": {"company"}}
	for _, col := range poolRuleCols {
		v.Set(col, "3")
	}
	return v
}

func TestPoolForm_RefusedSaveKeepsInputAndShowsReasons(t *testing.T) {
	f := newPoolFixture(t)
	b := f.e.loggedIn("admin", "")
	b.get("/pools/new").wantStatus(t, http.StatusOK).wantContains(t,
		`name="claim_daily_limit" class="rule-input" type="number" min="0" max="100000" step="1" inputmode="numeric" value="10"`,
		`value="30"`, `value="90"`, "customers a day", "Level A")

	v := poolFormValues("East pool")
	v.Set("claim_daily_limit", "-5")
	v.Set("max_owned", "abc")
	v.Set("override_B_followup", "-1")
	v.Set("scope", "departments")
	v["department_ids"] = ids(f.east)
	v["sources"] = []string{"展会"}
	r := b.form("/pools/new", v).wantStatus(t, http.StatusBadRequest)
	r.wantContains(t, `value="East pool"`, `value="-5"`, `value="abc"`, `value="-1"`,
		"Enter a whole number from 0 to 100000", `aria-invalid="true"`, `value="展会" checked`)
	if !strings.Contains(r.body, `name="department_ids" value="`+strconv.FormatInt(f.east, 10)+`" checked`) {
		t.Fatalf("ticked department lost:\n%s", r.body)
	}

	// A department scope without departments is refused beside the field.
	v = poolFormValues("East pool")
	v.Set("scope", "departments")
	b.form("/pools/new", v).wantStatus(t, http.StatusBadRequest).wantContains(t, "Choose at least one department")

	// Fixed, it saves and the pool page opens.
	v = poolFormValues("East pool")
	v.Set("claim_daily_limit", "4")
	v.Set("override_A_followup", "60")
	v.Set("hide_contact_info", "1")
	r = b.form("/pools/new", v)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.StatusCode, r.body)
	}
	pools, err := f.e.st.Pools(context.Background(), f.admin)
	if err != nil {
		t.Fatal(err)
	}
	var p *store.Pool
	for _, x := range pools {
		if x.Name == "East pool" {
			p = x
		}
	}
	if p == nil || p.ClaimDailyLimit != 4 || p.MaxOwned != 3 || !p.HideContactInfo || p.LevelOverrides["A"].RecycleNoFollowupDays == nil ||
		*p.LevelOverrides["A"].RecycleNoFollowupDays != 60 || p.LevelOverrides["B"].RecycleNoFollowupDays != nil {
		t.Fatalf("saved pool: %+v", p)
	}
	r.wantRedirect(t, pathf("/pools/%d", p.ID))
	b.get(pathf("/pools/%d/edit", p.ID)).wantStatus(t, http.StatusOK).wantContains(t, `name="override_A_followup" value="60"`, "Delete pool")

	// Sales may not open the form.
	f.e.loggedIn("salesa", "").get("/pools/new").wantStatus(t, http.StatusForbidden)

	// Deleting: refused while customers sit in it, allowed when empty.
	cid := f.fill(p.ID, 1)[0]
	b.get(pathf("/pools/%d/edit", p.ID)).wantContains(t, "still holds 1 customers")
	b.form(pathf("/pools/%d/delete", p.ID), url.Values{}).wantStatus(t, http.StatusConflict).wantContains(t, "still holds 1 customers")
	if _, err := f.e.st.Claim(context.Background(), f.salesA, cid); err != nil {
		t.Fatal(err)
	}
	b.form(pathf("/pools/%d/delete", p.ID), url.Values{}).wantRedirect(t, "/pools")
}

func TestPoolPage_BulkClaimStopsAtTheDailyLimit(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("华东区公海", rulesBody("claim_daily_limit", 2))
	cids := f.fill(id, 4)
	b := f.e.loggedIn("salesa", "zh-CN")
	page := b.get(pathf("/pools/%d", id)).wantStatus(t, http.StatusOK)
	page.wantContains(t, "公海测试客户001有限公司", "公海测试客户004有限公司", "领取选中", "每天最多领取 2 个", "共 4 个客户")
	page.wantNotContains(t, "分配给…") // sales do not assign

	r := b.form(pathf("/pools/%d/claim", id), url.Values{"customer_ids": ids(cids...)}).wantStatus(t, http.StatusOK)
	r.wantContains(t, "今日已领取 2/2", "已领取 2 个", "1 个未处理")
	owned := 0
	for _, cid := range cids {
		c, err := f.e.st.Customer(context.Background(), f.salesA, cid)
		if err == nil && c.Owner != nil && c.Owner.ID == f.salesA.ID {
			owned++
		}
	}
	if owned != 2 {
		t.Fatalf("salesa owns %d, want 2", owned)
	}
	// One more, by the row's own button: refused with the numbers.
	b.form(pathf("/pools/%d/claim", id), url.Values{"one": ids(cids[3])}).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "今日已领取 2/2")
	b.form(pathf("/pools/%d/claim", id), url.Values{}).wantStatus(t, http.StatusBadRequest).wantContains(t, "请先勾选客户")
	// Someone else was faster: 409 with who.
	f.e.loggedIn("salesb", "zh-CN").form(pathf("/pools/%d/claim", id), url.Values{"one": ids(cids[0])}).
		wantStatus(t, http.StatusConflict).wantContains(t, "已被 Name salesa 领取")
}

func TestPoolPage_AssignEvenlyByForm(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("分配池", rulesBody())
	cids := f.fill(id, 5)
	m := f.e.loggedIn("mgr", "zh-CN")
	m.get(pathf("/pools/%d", id)).wantStatus(t, http.StatusOK).wantContains(t, "分配给…", "平均分配", "Name salesc")
	v := url.Values{"customer_ids": ids(cids...), "user_ids": ids(f.salesA.ID, f.salesB.ID)}
	m.form(pathf("/pools/%d/assign", id), v).wantStatus(t, http.StatusOK).wantContains(t, "已分配 5 个客户", "Name salesa", "Name salesb")
	v = url.Values{"customer_ids": ids(f.fill(id, 1)...), "user_ids": ids(f.outsider.ID)}
	m.form(pathf("/pools/%d/assign", id), v).wantStatus(t, http.StatusBadRequest)
	f.e.loggedIn("salesa", "").form(pathf("/pools/%d/assign", id), v).wantStatus(t, http.StatusForbidden)
}

func TestPoolPage_MaskedPhoneUntilClaimed(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("隐藏池", rulesBody("hide_contact_info", true))
	c, err := f.e.st.CreateCustomer(context.Background(), f.admin, store.CustomerInput{Name: ptrTo("保密科技有限公司"), Phone: ptrTo("13812345678"), PoolID: &id})
	if err != nil {
		t.Fatal(err)
	}
	b := f.e.loggedIn("salesa", "zh-CN")
	b.get(pathf("/pools/%d", id)).wantStatus(t, http.StatusOK).wantContains(t, "138****5678").wantNotContains(t, "13812345678")
	b.form(pathf("/pools/%d/claim", id), url.Values{"one": ids(c.ID)}).wantStatus(t, http.StatusOK).wantContains(t, "已领取 1 个客户")
	b.get(pathf("/api/v1/customers/%d", c.ID)).wantStatus(t, http.StatusOK).wantContains(t, `"phone":"13812345678"`)
	b.get(pathf("/pools/%d", id)).wantNotContains(t, "保密科技有限公司")
}

func TestPoolPages_TabsAndVisibility(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("华东区公海", rulesBody("recycle_no_followup_days", 5))
	cids := f.fill(id, 2)
	if _, err := f.e.st.Claim(context.Background(), f.salesA, cids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.st.Release(context.Background(), f.salesA, cids[0], "预算不足", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.st.Claim(context.Background(), f.salesB, cids[1]); err != nil {
		t.Fatal(err)
	}
	s := f.e.loggedIn("salesa", "zh-CN")
	s.get("/pools").wantStatus(t, http.StatusOK).wantContains(t, "华东区公海", "可见范围：部门：华东区", "5 天未跟进自动回收").wantNotContains(t, "新建公海")
	s.get(pathf("/pools/%d/history", id)).wantStatus(t, http.StatusOK).wantContains(t, "流转记录", "放弃", "预算不足", "Name salesa")
	s.get(pathf("/pools/%d/history?action=release", id)).wantStatus(t, http.StatusOK).wantNotContains(t, "Name salesb")
	s.get(pathf("/pools/%d/stats", id)).wantStatus(t, http.StatusOK).wantContains(t, "领取用时中位数", "预算不足")
	s.get(pathf("/pools/%d/stats?from=bad", id)).wantStatus(t, http.StatusOK).wantContains(t, "请输入日期")
	s.get(pathf("/pools/%d/recycle", id)).wantStatus(t, http.StatusForbidden)

	m := f.e.loggedIn("mgr", "zh-CN")
	later := f.e.st.Now().AddDate(0, 0, 10).In(f.e.cfg.Location).Format("2006-01-02")
	m.get(pathf("/pools/%d/recycle?as_of=%s", id, later)).wantStatus(t, http.StatusOK).wantContains(t, "公海测试客户002有限公司", "未跟进").wantNotContains(t, "立即执行回收")

	a := f.e.loggedIn("admin", "")
	a.get("/pools").wantContains(t, "New pool")
	f.e.st.Now = func() time.Time { return time.Now().AddDate(0, 0, 6) }
	a.form(pathf("/pools/%d/recycle", id), url.Values{}).wantStatus(t, http.StatusOK).wantContains(t, "Recycling done: 1 customers went back")
	s.form(pathf("/pools/%d/recycle", id), url.Values{}).wantStatus(t, http.StatusForbidden)

	o := f.e.loggedIn("outsider", "zh-CN")
	for _, p := range []string{"/pools/%d", "/pools/%d/history", "/pools/%d/stats"} {
		o.get(pathf(p, id)).wantStatus(t, http.StatusNotFound)
	}
	o.get("/pools").wantNotContains(t, "华东区公海")
}

func TestNotificationsPage_BellListAndOpen(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("通知池", rulesBody())
	cid := f.fill(id, 1)[0]
	if _, err := f.e.st.Assign(context.Background(), f.mgr, id, []int64{cid}, []int64{f.salesA.ID}); err != nil {
		t.Fatal(err)
	}
	b := f.e.loggedIn("salesa", "zh-CN")
	b.get("/").wantContains(t, `class="bell-count">1<`, "通知（1 条未读）")
	page := b.get("/notifications").wantStatus(t, http.StatusOK).wantContains(t, "把客户「公海测试客户001有限公司」分配给了你", "notif-unread", "全部标为已读")
	ns, err := f.e.st.Notifications(context.Background(), f.salesA, false, 10)
	if err != nil || len(ns) != 1 {
		t.Fatalf("notifications: %v %v", ns, err)
	}
	_ = page
	b.get(pathf("/notifications/%d/open", ns[0].ID)).wantRedirect(t, pathf("/customers/%d", cid))
	b.get("/notifications").wantNotContains(t, "notif-unread", "bell-count")
	f.e.loggedIn("salesb", "").get(pathf("/notifications/%d/open", ns[0].ID)).wantStatus(t, http.StatusNotFound)
	if _, err := f.e.st.Assign(context.Background(), f.mgr, id, f.fill(id, 1), []int64{f.salesA.ID}); err != nil {
		t.Fatal(err)
	}
	b.form("/notifications/read", url.Values{}).wantRedirect(t, "/notifications")
	b.get("/notifications").wantNotContains(t, "notif-unread")
}

func TestCustomerPage_PoolActions(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("详情池", rulesBody("recycle_no_followup_days", 30, "max_locked", 2, "claim_daily_limit", 1))
	cids := f.fill(id, 2)
	b := f.e.loggedIn("salesa", "zh-CN")
	b.get(pathf("/customers/%d", cids[0])).wantStatus(t, http.StatusOK).wantContains(t, pathf(`action="/customers/%d/claim"`, cids[0]))
	b.form(pathf("/customers/%d/claim", cids[0]), url.Values{}).wantRedirect(t, pathf("/customers/%d", cids[0]))
	page := b.get(pathf("/customers/%d", cids[0])).wantStatus(t, http.StatusOK)
	page.wantContains(t, "已领取，客户现在归你跟进", "30 天后退回公海（未跟进）", "已锁定 0/2", "退回公海", "联系不上")
	// A refusal shows on the customer page with its numbers.
	b.form(pathf("/customers/%d/claim", cids[1]), url.Values{}).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "今日已领取 1/1")
	b.form(pathf("/customers/%d/lock", cids[0]), url.Values{}).wantRedirect(t, pathf("/customers/%d", cids[0]))
	b.get(pathf("/customers/%d", cids[0])).wantContains(t, "已锁定 1/2", "解除锁定", "不会自动退回公海")
	b.form(pathf("/customers/%d/unlock", cids[0]), url.Values{}).wantRedirect(t, pathf("/customers/%d", cids[0]))
	b.form(pathf("/customers/%d/release", cids[0]), url.Values{"reason": {""}}).wantStatus(t, http.StatusBadRequest)
	b.form(pathf("/customers/%d/release", cids[0]), url.Values{"reason": {"联系不上"}, "note": {"换了号码"}}).wantRedirect(t, pathf("/customers/%d", cids[0]))
	moves, err := f.e.st.PoolHistory(context.Background(), f.admin, id, "release", 0, 10)
	if err != nil || len(moves) != 1 || moves[0].Reason != "联系不上" || moves[0].Note != "换了号码" {
		t.Fatalf("release history: %+v %v", moves, err)
	}
}

func TestRecycleCountdowns_ForTheOwnersList(t *testing.T) {
	f := newPoolFixture(t)
	id := f.pool("倒计时池", rulesBody("recycle_no_followup_days", 12))
	cid := f.fill(id, 1)[0]
	if _, err := f.e.st.Claim(context.Background(), f.salesA, cid); err != nil {
		t.Fatal(err)
	}
	page, err := f.e.st.ListCustomers(context.Background(), f.salesA, store.CustomerQuery{Owner: "me"})
	if err != nil {
		t.Fatal(err)
	}
	h := poolHelpers{l: i18n.For("zh-CN"), zone: f.e.cfg.Location, now: f.e.st.Now()}
	got, err := f.e.srv.countdownTexts(context.Background(), f.salesA, h, page.Items)
	if err != nil {
		t.Fatal(err)
	}
	if got[cid] != "12 天后退回公海（未跟进）" {
		t.Fatalf("countdowns = %v", got)
	}
}
