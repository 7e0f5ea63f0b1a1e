package app

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// reportFixture: salesA won 1,280.00 and lost 500.00 this month; the
// outsider (华南) won 9,000.00, which the 华东 manager must not see.
func newReportsFixture(t *testing.T) *pipeFixture {
	f := newPipeFixture(t)
	won := f.opp("salesa", "华东大单", 128000)
	lost := f.opp("salesa", "华东丢单", 50000)
	open := f.opp("salesa", "华东跟进中", 30000)
	f.e.api("salesa").do(http.MethodPost, pathf("/api/v1/opportunities/%d/stage", num(won, "id")), map[string]any{"stage_id": f.stage("won", 0).ID}).wantStatus(t, http.StatusOK)
	f.e.api("salesa").do(http.MethodPost, pathf("/api/v1/opportunities/%d/stage", num(lost, "id")),
		map[string]any{"stage_id": f.stage("lost", 0).ID, "lost_reason": "价格太高"}).wantStatus(t, http.StatusOK)
	f.e.api("salesa").do(http.MethodPost, pathf("/api/v1/opportunities/%d/stage", num(open, "id")), map[string]any{"stage_id": f.stage("open", 2).ID}).wantStatus(t, http.StatusOK)
	return f
}

func TestReportsAPI_FunnelShapeAndVisibility(t *testing.T) {
	f := newReportsFixture(t)
	body := f.e.api("mgr").get("/api/v1/reports/funnel").wantStatus(t, http.StatusOK).json(t)
	won := body["won"].(map[string]any)
	if won["count"].(float64) != 1 || won["amount"].(float64) != 128000 || body["win_rate"].(float64) != 0.5 {
		t.Fatalf("funnel: %v", body)
	}
	stages := body["stages"].([]any)
	third := stages[2].(map[string]any)
	if len(stages) != 6 || third["count"].(float64) != 1 || third["amount"].(float64) != 30000 || third["name"] != "商务谈判" {
		t.Fatalf("stages: %v", stages)
	}
	// Sales see themselves only: the outsider has nothing this month.
	out := f.e.api("outsider").get("/api/v1/reports/funnel").wantStatus(t, http.StatusOK).json(t)
	if out["win_rate"] != nil || out["won"].(map[string]any)["count"].(float64) != 0 {
		t.Fatalf("outsider: %v", out)
	}
	for _, path := range []string{
		"/api/v1/reports/funnel?from=2026-02-30",
		"/api/v1/reports/win-rate?group_by=colour",
		"/api/v1/reports/sources?owner_id=abc",
		pathf("/api/v1/reports/leaderboard?owner_id=%d", f.outsider.ID),
		pathf("/api/v1/reports/pool-turnover?department_id=%d", f.south),
	} {
		e := f.e.api("mgr").get(path).wantAPIError(t, http.StatusBadRequest, "invalid")
		if e["fields"] == nil {
			t.Fatalf("%s: no fields in %v", path, e)
		}
	}
	for _, name := range []string{"win-rate?group_by=source", "sales-cycle", "pool-turnover", "sources", "leaderboard", "forecast", "activity", "dashboard?period=year"} {
		f.e.api("mgr").get("/api/v1/reports/"+name).wantStatus(t, http.StatusOK)
	}
	cycle := f.e.api("mgr").get("/api/v1/reports/sales-cycle").json(t)
	if cycle["won_count"].(float64) != 1 || len(cycle["stages"].([]any)) != 6 {
		t.Fatalf("sales cycle: %v", cycle)
	}
	pool := f.e.api("mgr").get("/api/v1/reports/pool-turnover").json(t)
	for _, k := range []string{"entered", "claimed", "released", "recycled", "assigned", "in_pool", "median_hours_to_claim", "release_reasons"} {
		if _, ok := pool[k]; !ok {
			t.Fatalf("pool turnover lacks %s: %v", k, pool)
		}
	}
}

// cellsRe reads the report tables' cells from the page.
var cellsRe = regexp.MustCompile(`data-value="([^"]*)"`)

func TestReports_PageExportAndAPIAgree(t *testing.T) {
	f := newReportsFixture(t)
	page := f.e.loggedIn("mgr", "zh-CN").get("/reports/funnel").wantStatus(t, http.StatusOK).
		wantContains(t, "销售漏斗", "<svg", "¥1,280.00", "50.0%", "导出 Excel", "赢率 = 赢单数").body
	var cells []string
	for _, m := range cellsRe.FindAllStringSubmatch(page[strings.Index(page, `class="card report-tables"`):], -1) {
		cells = append(cells, m[1])
	}
	x := f.e.loggedIn("mgr", "zh-CN").get("/reports/funnel/export?format=xlsx").wantStatus(t, http.StatusOK)
	xf, err := excelize.OpenReader(strings.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := xf.GetRows(xf.GetSheetList()[0])
	var xcells []string
	for _, r := range rows {
		xcells = append(xcells, r...)
	}
	joined := strings.Join(xcells, "|")
	for _, want := range []string{"发现商机", "商务谈判", "1,280.00", "50.0%", "赢单", "价格太高"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("xlsx lacks %q: %s", want, joined)
		}
	}
	// Every figure on the page is in the spreadsheet (money as a number).
	for _, c := range cells {
		v := strings.TrimPrefix(c, "¥")
		if v == "—" || v == "" {
			continue
		}
		if !strings.Contains(joined, v) {
			t.Fatalf("page figure %q not in the xlsx: %s", c, joined)
		}
	}
	c := f.e.loggedIn("mgr", "zh-CN").get("/reports/funnel/export?format=csv").wantStatus(t, http.StatusOK)
	r := csv.NewReader(bytes.NewReader([]byte(strings.TrimPrefix(c.body, "\uFEFF"))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil || !strings.Contains(c.body, "1280.00") || !strings.Contains(c.body, "0.5") || len(recs) < 10 {
		t.Fatalf("csv (%v): %s", err, c.body)
	}
	// The funnel stage links to the opportunities behind it.
	stage := f.stage("open", 2).ID
	if !strings.Contains(page, pathf("stage_id=%d", stage)) || !strings.Contains(page, `class="chart-link"`) {
		t.Fatal("no drill-down link on the funnel")
	}
	list := f.e.loggedIn("mgr", "zh-CN").get(pathf("/opportunities?stage_id=%d&status=open&created_from=2000-01-01&created_to=2100-12-31", stage)).wantStatus(t, http.StatusOK)
	list.wantContains(t, "华东跟进中", "来自报表").wantNotContains(t, "华东大单")
	// The customer list takes the drill-down dates too.
	b := f.e.loggedIn("mgr", "zh-CN")
	b.get("/customers?created_from=2000-01-01&created_to=2100-12-31").wantStatus(t, http.StatusOK).wantContains(t, "上海潮汐贸易有限公司", "来自报表")
	b.get("/customers?created_from=2000-01-01&created_to=2000-01-02").wantStatus(t, http.StatusOK).wantNotContains(t, "上海潮汐贸易有限公司")
	f.e.api("mgr").get("/api/v1/opportunities?closed_from=2000-13-01").wantAPIError(t, http.StatusBadRequest, "invalid")
}

func TestReportPages_EveryReportRendersForEachRole(t *testing.T) {
	f := newReportsFixture(t)
	for _, user := range []string{"admin", "mgr", "salesa"} {
		b := f.e.loggedIn(user, "zh-CN")
		for _, d := range reportDefs {
			b.get("/reports/"+d.Name).wantStatus(t, http.StatusOK)
		}
		b.get("/reports/funnel?from=bad").wantStatus(t, http.StatusBadRequest).wantContains(t, `class="field-error"`)
		b.get("/").wantStatus(t, http.StatusOK).wantContains(t, `class="card kpi"`, "/today", "<svg")
	}
	f.e.loggedIn("mgr", "zh-CN").get("/?period=custom&from=2026-01-10&to=2026-01-01").wantStatus(t, http.StatusBadRequest)
	f.e.loggedIn("salesc", "en").get("/?period=week").wantStatus(t, http.StatusOK).wantContains(t, "New customers", "This week")
}

func TestHome_AdminChecklistOnFirstRun(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.loggedIn("admin", "zh-CN").get("/").wantStatus(t, http.StatusOK).wantContains(t, "/admin/departments", "/admin/users/new")
}

func TestCharts_EveryKindRendersChineseLabelsAndLinks(t *testing.T) {
	labels := []string{"发现商机", "售前交流", "商务谈判"}
	links := []string{"/opportunities?stage_id=1", "/opportunities?stage_id=2", "/opportunities?stage_id=3"}
	for _, kind := range []string{chartLine, chartBar, chartPie, chartDoughnut, chartScatter, chartFunnel} {
		c := &chart{ID: kind, Kind: kind, Labels: labels, Links: links, Lang: "zh-CN",
			Series: []chartSeries{{Name: "数量", Values: []float64{30, 20, 10}}}, Points: [][]float64{{1, 2}, {3}, {4}}}
		if err := c.render(); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		svg := string(c.SVG)
		if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "Noto Sans CJK SC") {
			t.Fatalf("%s: not an SVG with CJK fonts: %.200s", kind, svg)
		}
		for i, l := range labels {
			if !strings.Contains(svg, ">"+l) {
				t.Fatalf("%s: label %s missing", kind, l)
			}
			if !strings.Contains(svg, `<a href="`+strings.ReplaceAll(links[i], "&", "&amp;")+`"`) {
				t.Fatalf("%s: link %s missing", kind, links[i])
			}
		}
	}
}

func TestMonthDays(t *testing.T) {
	for _, c := range [][3]string{{"2026-02", "2026-02-01", "2026-02-28"}, {"2024-02", "2024-02-01", "2024-02-29"}, {"2026-12", "2026-12-01", "2026-12-31"}, {"", "", ""}} {
		if f, to := monthDays(c[0]); f != c[1] || to != c[2] {
			t.Errorf("%q: %s %s", c[0], f, to)
		}
	}
}
