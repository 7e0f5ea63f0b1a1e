package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// eastPool is the department pool the flows below share.
const eastPool = "华东区公海"

// claimButton is the "领取" button of customer id's row on a pool page.
func claimButton(id int64) string {
	return fmt.Sprintf(`.pool-table button[name=one][value="%d"]`, id)
}

// openPool goes to a pool's customer list as a person would: the nav,
// then the pool's card on the pools page.
func openPool(t *testing.T, ctx context.Context, pool int64) {
	t.Helper()
	do(t, ctx,
		clickAndWait(`.nav-desktop a[href="/pools"]`),
		clickAndWait(fmt.Sprintf(`.pool-card h2 a[href="/pools/%d"]`, pool)),
	)
	wantPath(t, ctx, fmt.Sprintf("/pools/%d", pool))
}

func TestPool_AdminCreatesDepartmentPoolWithRules_RulesShownInWords(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	east := srv.createDepartment(t, "华东销售部", 0)
	srv.createDepartment(t, "上海一组", east)
	srv.createDepartment(t, "华南销售部", 0)
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, adminUser, adminPassword)

	do(t, ctx, clickAndWait(`.nav-desktop a[href="/pools"]`))
	wantText(t, ctx, ".pool-grid", "公司公海") // the default pool every install has
	do(t, ctx, clickAndWait(`.page-head a[href="/pools/new"]`))
	wantPath(t, ctx, "/pools/new")
	// The rules start from the defaults, said in plain words.
	for field, want := range map[string]string{"claim_daily_limit": "10", "recycle_no_followup_days": "30", "reclaim_cooldown_days": "7"} {
		if got := value(t, ctx, "#r_"+field); got != want {
			t.Errorf("new pool form: %s = %q, want the default %s", field, got, want)
		}
	}
	wantText(t, ctx, `label[for="r_recycle_no_followup_days"]`, "客户超过")
	wantText(t, ctx, `label[for="r_recycle_no_followup_days"]`, "天未跟进，自动退回公海")

	dept := fmt.Sprintf(`input[name=department_ids][value="%d"]`, east)
	do(t, ctx,
		fill("#name", eastPool),
		fill("#description", "华东销售部（含各组）的公共客户"),
		chromedp.Click(chromedp.CSS(`input[name=scope][value=departments]`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(dept), chromedp.NodeVisible),
		fill("#r_claim_daily_limit", "-2"),
		fill("#r_recycle_no_followup_days", "15"),
		fill(`input[name=override_A_followup]`, "60"),
		clickAndWait(`form.pool-form .form-foot button[type=submit]`),
	)
	// A negative limit is refused beside it; everything typed stays.
	wantPath(t, ctx, "/pools/new")
	wantText(t, ctx, "label[for=r_claim_daily_limit] ~ .field-error", "0 到 100000")
	if got := value(t, ctx, "#r_claim_daily_limit"); got != "-2" {
		t.Errorf("daily limit after refusal = %q, want the typed -2", got)
	}
	if got := value(t, ctx, "#name"); got != eastPool {
		t.Errorf("name after refusal = %q, want the typed %q", got, eastPool)
	}
	if !get(t, ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).checked && document.querySelector("input[name=scope][value=departments]").checked`, dept))) {
		t.Error("the department scope and 华东销售部 are no longer ticked after the refusal")
	}

	do(t, ctx, fill("#r_claim_daily_limit", "2"))
	shot(t, ctx, "30-pool-form")
	do(t, ctx, clickAndWait(`form.pool-form .form-foot button[type=submit]`))
	if p := pathOf(t, ctx); !regexp.MustCompile(`^/pools/\d+$`).MatchString(p) {
		wantPath(t, ctx, "/pools/<id>")
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(pathOf(t, ctx), "/pools/"), 10, 64)
	wantText(t, ctx, ".flash", "公海已创建")
	wantText(t, ctx, ".pool-title h1", eastPool)
	wantText(t, ctx, ".pool-title", "可见范围：部门：华东销售部")
	rules := text(t, ctx, ".pool-rules")
	for _, want := range []string{"每天最多领取 2 个", "15 天未跟进自动回收", "放弃后 7 天内不能再领"} {
		if !strings.Contains(rules, want) {
			t.Errorf("pool rules read %q, want %q", rules, want)
		}
	}

	// What was saved is what the form said.
	var p struct {
		Scope           string  `json:"scope"`
		DepartmentIDs   []int64 `json:"department_ids"`
		ClaimDailyLimit int     `json:"claim_daily_limit"`
		RecycleDays     int     `json:"recycle_no_followup_days"`
		LevelOverrides  map[string]struct {
			Followup *int `json:"recycle_no_followup_days"`
		} `json:"level_overrides"`
	}
	srv.api(t, srv.asAdmin(t), http.MethodGet, fmt.Sprintf("/api/v1/pools/%d", id), nil, http.StatusOK, &p)
	if p.Scope != "departments" || !slices.Equal(p.DepartmentIDs, []int64{east}) || p.ClaimDailyLimit != 2 || p.RecycleDays != 15 {
		t.Errorf("saved pool = %+v, want departments [%d], daily limit 2, 15 days", p, east)
	}
	if o := p.LevelOverrides["A"]; o.Followup == nil || *o.Followup != 60 {
		t.Errorf("saved level A override = %+v, want 60 days without follow-up", p.LevelOverrides)
	}

	do(t, ctx, clickAndWait(`.page-head a[href="/pools"]`))
	card := get(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll(".pool-card")].map(c => c.innerText).find(s => s.includes("华东区公海")) || ""`))
	for _, want := range []string{"部门：华东销售部", "每天最多领取 2 个"} {
		if !strings.Contains(card, want) {
			t.Errorf("pools page card = %q, want it to show %q", card, want)
		}
	}
	shot(t, ctx, "31-pool-list")
}

func TestPool_SalesClaimsUntilDailyLimit_RefusedWithNumbers_ThenReleasesWithReason(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	east := srv.createDepartment(t, "华东销售部", 0)
	srv.createStaff(t, "li.na", "李娜", "sales", east)
	pool := srv.createPool(t, map[string]any{"name": eastPool, "scope": "departments", "department_ids": []int64{east},
		"claim_daily_limit": 2, "reclaim_cooldown_days": 7})
	ids := srv.fillPool(t, pool, "苏州工业园区星海科技有限公司", "南京紫金山软件有限公司", "宁波港湾物流有限公司")
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, "li.na", salesPassword)
	openPool(t, ctx, pool)
	wantText(t, ctx, ".pool-title", "池中 3 个客户")

	// Two claims go through, one by one from the rows.
	for i, id := range ids[:2] {
		do(t, ctx, clickAndWait(claimButton(id)))
		wantText(t, ctx, ".outcome.alert-success", "已领取 1 个客户")
		wantText(t, ctx, ".pool-title", fmt.Sprintf("池中 %d 个客户", 2-i))
	}
	// The third is refused by the daily limit, with the numbers.
	do(t, ctx, clickAndWait(claimButton(ids[2])))
	wantText(t, ctx, ".outcome.alert-danger", "今日已领取 2/2")
	shot(t, ctx, "32-pool-claim-refused")
	if c := srv.customer(t, ids[2]); c.Owner != nil || c.Pool == nil || c.Pool.ID != pool {
		t.Errorf("after the refused claim the customer is owned by %+v, in pool %+v; want it still in the pool", c.Owner, c.Pool)
	}

	// Release one of the two with a reason from the list and a note.
	do(t, ctx,
		clickAndWait(`.nav-desktop a[href="/customers"]`),
		clickAndWait(fmt.Sprintf(`.customer-table a[href="/customers/%d"]`, ids[0])),
	)
	wantText(t, ctx, ".pool-actions .countdown", "天后退回公海（未跟进）")
	do(t, ctx, chromedp.Click(chromedp.CSS(".release-box summary"), chromedp.NodeVisible))
	choose(t, ctx, "#release_reason", "联系不上")
	do(t, ctx, fill("#release_note", "号码停机，换人跟进"))
	shot(t, ctx, "33-customer-release-form")
	do(t, ctx, clickAndWait(".release-form button[type=submit]"))
	wantPath(t, ctx, fmt.Sprintf("/customers/%d", ids[0]))
	wantText(t, ctx, ".flash", "客户已退回公海")
	wantText(t, ctx, ".pool-actions", "这个客户在公海「"+eastPool+"」中")
	newest := texts(t, ctx, "#timeline .tl-item")
	if len(newest) == 0 || !strings.Contains(newest[0], "李娜 把客户退回公海「"+eastPool+"」") || !strings.Contains(newest[0], "原因：联系不上 — 号码停机，换人跟进") {
		t.Errorf("newest timeline item = %q, want the release by 李娜 with its reason", newest)
	}

	// Claiming it straight back is refused by the cool-down, which the
	// store checks before the daily limit.
	do(t, ctx, clickAndWait(`.pool-actions form[action$="/claim"] button[type=submit]`))
	wantText(t, ctx, ".alert-danger", "7 天后才能再次领取（冷却期 7 天）")

	// The pool's history tells the same story.
	navigate(t, ctx, fmt.Sprintf("%s/pools/%d/history", srv.URL, pool))
	history := text(t, ctx, "main table")
	for _, want := range []string{"联系不上 — 号码停机，换人跟进", "苏州工业园区星海科技有限公司", "南京紫金山软件有限公司"} {
		if !strings.Contains(history, want) {
			t.Errorf("pool history = %q, want it to show %q", history, want)
		}
	}
}

func TestPool_ManagerAssignsEvenlyToThree_CountsDifferByAtMostOne(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	east := srv.createDepartment(t, "华东销售部", 0)
	srv.createStaff(t, "zhou.min", "周敏", "manager", east)
	people := map[string]int64{
		"李娜": srv.createStaff(t, "li.na", "李娜", "sales", east),
		"王芳": srv.createStaff(t, "wang.fang", "王芳", "sales", east),
		"张伟": srv.createStaff(t, "zhang.wei", "张伟", "sales", east),
	}
	srv.createStaff(t, "liu.yang", "刘洋", "sales", east) // in the team, not chosen
	// 王芳 already has a customer: the extra one goes to someone else.
	srv.createCustomer(t, srv.token(t, "wang.fang", salesPassword), map[string]any{"name": "常州龙城电子有限公司"})
	pool := srv.createPool(t, map[string]any{"name": eastPool, "scope": "departments", "department_ids": []int64{east}, "claim_daily_limit": 2})
	srv.fillPool(t, pool, "苏州星海科技有限公司", "南京紫金软件有限公司", "宁波港湾物流有限公司", "杭州西溪数据有限公司",
		"无锡太湖电气有限公司", "合肥巢湖新能源有限公司", "温州瓯江鞋业有限公司")

	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, "zhou.min", salesPassword)
	openPool(t, ctx, pool)
	do(t, ctx, chromedp.Click(chromedp.CSS("[data-check-all]"), chromedp.NodeVisible))
	wantText(t, ctx, "[data-bulk-count]", "已选 7 个")
	do(t, ctx, chromedp.Click(chromedp.CSS("details.assign-menu summary"), chromedp.NodeVisible))
	for _, id := range people {
		do(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.assign-users input[name=user_ids][value="%d"]`, id)), chromedp.NodeVisible))
	}
	shot(t, ctx, "34-pool-assign-form")
	do(t, ctx, clickAndWait(".assign-panel button[type=submit]"))

	wantText(t, ctx, ".outcome.alert-success", "已分配 7 个客户")
	wantText(t, ctx, ".pool-title", "池中 0 个客户")
	shot(t, ctx, "35-pool-assigned")
	shown := map[string]int{}
	line := regexp.MustCompile(`(\S+)\s+(\d+) 个`)
	for _, li := range texts(t, ctx, ".outcome-list li") {
		m := line.FindStringSubmatch(li)
		if m == nil {
			t.Fatalf("assignment result line %q does not read \"<name> <n> 个\"", li)
		}
		shown[m[1]], _ = strconv.Atoi(m[2])
	}
	lo, hi, sum := 7, 0, 0
	for name, id := range people {
		n := shown[name]
		lo, hi, sum = min(lo, n), max(hi, n), sum+n
		// The page and the data agree.
		if got := len(srv.customers(t, url.Values{"owner": {strconv.FormatInt(id, 10)}})); got != n+map[string]int{"王芳": 1}[name] {
			t.Errorf("%s owns %d customers, the page says %d were assigned", name, got, n)
		}
	}
	if len(shown) != 3 || sum != 7 || hi-lo > 1 {
		t.Errorf("assigned %v, want 7 over the three chosen, counts differing by at most one", shown)
	}
	if shown["王芳"] != lo {
		t.Errorf("assigned %v: 王芳 already had a customer, so she should get the fewest", shown)
	}
}

func TestPool_OutsiderFromAnotherDepartment_Gets404ForPoolAndItsCustomers(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	east := srv.createDepartment(t, "华东销售部", 0)
	south := srv.createDepartment(t, "华南销售部", 0)
	srv.createStaff(t, "huang.lei", "黄磊", "sales", south)
	pool := srv.createPool(t, map[string]any{"name": eastPool, "scope": "departments", "department_ids": []int64{east}})
	ids := srv.fillPool(t, pool, "苏州工业园区星海科技有限公司")

	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, "huang.lei", salesPassword)
	do(t, ctx, clickAndWait(`.nav-desktop a[href="/pools"]`))
	if cards := text(t, ctx, "main"); strings.Contains(cards, eastPool) {
		t.Errorf("the pools page of a 华南 salesperson lists %s: %q", eastPool, cards)
	}
	for _, path := range []string{
		fmt.Sprintf("/pools/%d", pool),
		fmt.Sprintf("/pools/%d/history", pool),
		fmt.Sprintf("/customers/%d", ids[0]),
	} {
		resp := get(t, ctx, chromedp.NavigateResponse(srv.URL+path))
		if resp.Status != http.StatusNotFound {
			t.Errorf("GET %s as an outsider: status %d, want 404", path, resp.Status)
		}
		wantText(t, ctx, ".error-code", "404")
		if page := text(t, ctx, "main"); strings.Contains(page, eastPool) || strings.Contains(page, "星海") {
			t.Errorf("the 404 page for %s gives away what is behind it: %q", path, page)
		}
		if path == fmt.Sprintf("/pools/%d", pool) {
			shot(t, ctx, "36-pool-outsider-404")
		}
	}
	// Claiming by id is no way in either.
	srv.api(t, srv.token(t, "huang.lei", salesPassword), http.MethodPost, fmt.Sprintf("/api/v1/customers/%d/claim", ids[0]), nil, http.StatusNotFound, nil)
}

func TestPool_RecycledAfterBackdatedFollowup_FormerOwnerCannotReclaimDuringCooldown(t *testing.T) {
	t.Parallel()
	srv := startClockServer(t)
	east := srv.createDepartment(t, "华东销售部", 0)
	srv.createStaff(t, "li.na", "李娜", "sales", east)
	pool := srv.createPool(t, map[string]any{"name": eastPool, "scope": "departments", "department_ids": []int64{east},
		"recycle_no_followup_days": 15, "recycle_no_deal_days": 0, "reclaim_cooldown_days": 7, "recycle_warn_days": 3})
	ids := srv.fillPool(t, pool, "苏州星海精密机械有限公司", "无锡太湖软件有限公司")
	idle, busy := ids[0], ids[1]

	// 李娜 claims both and logs a call she made three days earlier on each.
	token := srv.token(t, "li.na", salesPassword)
	for _, id := range ids {
		srv.api(t, token, http.MethodPost, fmt.Sprintf("/api/v1/customers/%d/claim", id), nil, http.StatusOK, nil)
		srv.api(t, token, http.MethodPost, fmt.Sprintf("/api/v1/customers/%d/followups", id), map[string]any{
			"kind": "call", "content": "电话介绍产品，客户说下个月再聊", "at": srv.now().AddDate(0, 0, -3).Format(time.RFC3339)}, http.StatusCreated, nil)
	}

	// Sixteen days pass; she follows up on one of them only.
	srv.advance(16 * 24 * time.Hour)
	srv.api(t, token, http.MethodPost, fmt.Sprintf("/api/v1/customers/%d/followups", busy), map[string]any{
		"kind": "visit", "content": "上门演示，进入报价阶段", "at": srv.now().Add(-time.Hour).Format(time.RFC3339)}, http.StatusCreated, nil)

	// The admin sees what is due and runs the recycle job.
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, adminUser, adminPassword)
	navigate(t, ctx, fmt.Sprintf("%s/pools/%d/recycle", srv.URL, pool))
	due := texts(t, ctx, "main table tbody tr")
	if len(due) != 1 || !strings.Contains(due[0], "苏州星海精密机械有限公司") || !strings.Contains(due[0], "未跟进") || !strings.Contains(due[0], "已到期") {
		t.Errorf("about to be recycled: %q, want only 苏州星海精密机械有限公司, overdue for no follow-up", due)
	}
	shot(t, ctx, "37-pool-recycle-due")
	do(t, ctx, clickConfirmAndWait(".recycle-run button[type=submit]"))
	wantText(t, ctx, ".flash", "回收完成：1 个客户退回公海")
	wantText(t, ctx, "main table tbody", "没有客户会被回收")
	if c := srv.customer(t, idle); c.Owner != nil || c.Pool == nil || c.Pool.ID != pool || c.RecycleCount != 1 {
		t.Fatalf("after the recycle run the idle customer is owned by %+v, in pool %+v, recycled %d times; want it back in %s once",
			c.Owner, c.Pool, c.RecycleCount, eastPool)
	}
	if c := srv.customer(t, busy); c.Owner == nil || c.Owner.Name != "李娜" {
		t.Errorf("the customer followed up an hour ago is owned by %+v, want 李娜 still", c.Owner)
	}
	logout(t, ctx)

	// 李娜 is told, finds it back in the pool, and may not claim it yet.
	login(t, ctx, srv.URL, "li.na", salesPassword)
	wantText(t, ctx, ".bell .bell-count", "1")
	openPool(t, ctx, pool)
	row := fmt.Sprintf(`.pool-table tr:has(button[name=one][value="%d"])`, idle)
	for _, want := range []string{"苏州星海精密机械有限公司", "李娜"} { // previous owner
		wantText(t, ctx, row, want)
	}
	wantText(t, ctx, row+" td.num", "1") // times recycled
	do(t, ctx, clickAndWait(claimButton(idle)))
	wantText(t, ctx, ".outcome.alert-danger", "7 天后才能再次领取（冷却期 7 天）")
	shot(t, ctx, "38-pool-cooldown-refused")
	if c := srv.customer(t, idle); c.Owner != nil {
		t.Errorf("the former owner reclaimed the recycled customer during the cool-down: owner %+v", c.Owner)
	}

	navigate(t, ctx, srv.URL+"/notifications")
	wantText(t, ctx, ".notif-list", "客户「苏州星海精密机械有限公司」已自动退回公海「"+eastPool+"」")
}
