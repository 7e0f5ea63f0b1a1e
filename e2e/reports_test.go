package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// TestReports_ManagerDashboardDrillDownAndExport: a manager opens the
// dashboard, switches the period, clicks a stage of the funnel chart and
// lands on the list of exactly those opportunities; then opens the funnel
// report, exports it, and the .xlsx (fetched by the signed-in browser)
// opens with the same figures as the page.
func TestReports_ManagerDashboardDrillDownAndExport(t *testing.T) {
	srv := startServer(t)
	admin := srv.asAdmin(t)
	east := srv.createDepartment(t, "华东销售部", 0)
	srv.createStaff(t, "wangmgr", "王经理", "manager", east)
	srv.createStaff(t, "lina", "李娜", "sales", east)
	sales := srv.token(t, "lina", salesPassword)
	ids := srv.stageIDs(t, admin)
	cust := srv.createCustomer(t, sales, map[string]any{"name": "杭州云帆网络科技有限公司", "industry": "信息技术", "source": "展会"})
	mk := func(name string, amount int64, stage int64, extra map[string]any) int64 {
		var o apiOpp
		srv.api(t, sales, http.MethodPost, "/api/v1/opportunities", map[string]any{"customer_id": cust, "name": name, "amount": amount}, http.StatusCreated, &o)
		if stage != 0 {
			body := map[string]any{"stage_id": stage}
			for k, v := range extra {
				body[k] = v
			}
			srv.api(t, sales, http.MethodPost, fmt.Sprintf("/api/v1/opportunities/%d/stage", o.ID), body, http.StatusOK, nil)
		}
		return o.ID
	}
	mk("云平台采购", 12800000, ids["Won"], nil)
	mk("数据中台", 5000000, ids["Lost"], map[string]any{"lost_reason": "价格太高"})
	neg1 := mk("安全审计服务", 3000000, ids["Negotiation"], nil)
	neg2 := mk("年度运维合同", 1500000, ids["Negotiation"], nil)
	other := mk("办公网络改造", 800000, 0, nil)

	ctx := newBrowser(t, 1280, 900)
	login(t, ctx, srv.URL, "wangmgr", salesPassword)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".kpi-grid")))
	wantText(t, ctx, `.period-tab[aria-current="true"]`, "本月")
	shot(t, ctx, "reports-dashboard-desktop")

	do(t, ctx, clickAndWait(`.period-tab[data-period="year"]`))
	wantText(t, ctx, `.period-tab[aria-current="true"]`, "本年")
	if !strings.Contains(currentURL(ctx), "period=year") {
		t.Fatalf("period not in the URL: %s", currentURL(ctx))
	}
	kpis := strings.Join(texts(t, ctx, ".kpi-value"), "|")
	if !strings.Contains(kpis, "¥128,000.00") || !strings.Contains(kpis, "50.0%") {
		t.Fatalf("KPI values for the year: %s", kpis)
	}

	// The dashboard's funnel layer "商务谈判" holds the deals that got at
	// least that far: the two in it now and the won one.
	stageLink := fmt.Sprintf(`#chart-dash_funnel a.chart-link[href*="reached_stage=%d"]`, ids["Negotiation"])
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(stageLink)), clickAndWait(stageLink))
	wantPath(t, ctx, "/opportunities")
	rows := strings.Join(texts(t, ctx, "table tbody tr"), "\n")
	for _, want := range []string{"安全审计服务", "年度运维合同", "云平台采购"} {
		if !strings.Contains(rows, want) {
			t.Fatalf("drill-down list lacks %s: %s", want, rows)
		}
	}
	for _, not := range []string{"办公网络改造", "数据中台"} {
		if strings.Contains(rows, not) {
			t.Fatalf("drill-down list shows %s: %s", not, rows)
		}
	}
	_ = neg1
	_ = neg2
	_ = other

	navigate(t, ctx, srv.URL+"/reports/funnel")
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".report-tables")))
	shot(t, ctx, "reports-funnel-desktop")
	cells := texts(t, ctx, ".report-tables td")
	href := get(t, ctx, chromedp.Evaluate[string](`document.querySelector('a[data-export="xlsx"]').href`))
	b64 := get(t, ctx, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q, {credentials: "same-origin"}).then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status))
		.then(b => { let s = ""; new Uint8Array(b).forEach(x => s += String.fromCharCode(x)); return btoa(s); })`, href), chromedp.EvalAwaitPromise))
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	xf, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the exported xlsx does not open: %v", err)
	}
	xrows, err := xf.GetRows(xf.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, r := range xrows {
		all = append(all, r...)
	}
	joined := strings.Join(all, "|")
	for _, c := range cells {
		c = strings.TrimPrefix(strings.TrimSpace(c), "¥")
		if c != "" && c != "—" && !strings.Contains(joined, c) {
			t.Fatalf("page figure %q is not in the exported xlsx: %s", c, joined)
		}
	}
	for _, want := range []string{"商务谈判", "45,000.00", "128,000.00", "50.0%", "价格太高"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("xlsx lacks %q: %s", want, joined)
		}
	}

	// The report's funnel draws how far deals got: clicking 商务谈判 lists
	// those that reached it — the two there now and the won one (which
	// reached every stage) — as many as the table's reached figure.
	reached := fmt.Sprintf(`#chart-funnel a.chart-link[href*="reached_stage=%d"]`, ids["Negotiation"])
	figure := get(t, ctx, chromedp.Evaluate[string](fmt.Sprintf(`[...document.querySelectorAll('.report-tables a[href*="reached_stage=%d"]')][1].textContent`, ids["Negotiation"])))
	if figure != "3" {
		t.Fatalf("reached 商务谈判 in the table: %q", figure)
	}
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(reached)), clickAndWait(reached))
	wantPath(t, ctx, "/opportunities")
	wantText(t, ctx, ".head-count", "共 "+figure+" 个")
	rows = strings.Join(texts(t, ctx, "table tbody tr"), "\n")
	for _, want := range []string{"安全审计服务", "年度运维合同", "云平台采购"} {
		if !strings.Contains(rows, want) {
			t.Fatalf("reached list lacks %s: %s", want, rows)
		}
	}
	for _, not := range []string{"办公网络改造", "数据中台"} {
		if strings.Contains(rows, not) {
			t.Fatalf("reached list shows %s: %s", not, rows)
		}
	}
	wantText(t, ctx, ".drill-note", "已到达：商务谈判")
	shot(t, ctx, "reports-funnel-reached-list")

	phone := newBrowser(t, 375, 812)
	login(t, phone, srv.URL, "wangmgr", salesPassword)
	do(t, phone, chromedp.WaitVisible(chromedp.CSS(".kpi-grid")))
	shot(t, phone, "reports-dashboard-375")
	navigate(t, phone, srv.URL+"/reports/funnel?from=2025-01-01&to=2027-12-31")
	shot(t, phone, "reports-funnel-375")
	if w := get(t, phone, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 380 {
		t.Fatalf("the report page is %d px wide at 375 px", w)
	}
}
