package app

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tidecrm/tide/store"
)

// TestReportsAPI_FunnelReachedLayersAndDrill: the fixture's deals (this
// month, salesa): won from the first stage, lost from the first stage,
// open in the third stage. The reached layers, the fields kept from
// before, and each reached link of the page listing exactly that many
// opportunities (API and page).
func TestReportsAPI_FunnelReachedLayersAndDrill(t *testing.T) {
	f := newReportsFixture(t)
	q := pathf("department_id=%d", f.east)
	body := f.e.api("mgr").get("/api/v1/reports/funnel?"+q).wantStatus(t, http.StatusOK).json(t)
	for _, k := range []string{"stages", "won", "lost", "win_rate", "reached_won"} {
		if _, ok := body[k]; !ok {
			t.Fatalf("funnel lacks %s: %v", k, body)
		}
	}
	want := []float64{3, 2, 2, 1, 1, 1}
	stages := body["stages"].([]any)
	for i, s := range stages {
		st := s.(map[string]any)
		if st["reached_count"].(float64) != want[i] {
			t.Fatalf("stage %d reached %v, want %v: %v", i, st["reached_count"], want[i], stages)
		}
		if _, ok := st["count"]; !ok {
			t.Fatalf("stage %d lost its count: %v", i, st)
		}
	}
	if c := stages[1].(map[string]any)["conversion"].(float64); c < 0.666 || c > 0.667 || stages[0].(map[string]any)["conversion"] != nil {
		t.Fatalf("conversion: %v", stages)
	}
	won := body["reached_won"].(map[string]any)
	if won["count"].(float64) != 1 || won["amount"].(float64) != 128000 || won["conversion"].(float64) != 1 {
		t.Fatalf("reached_won: %v", won)
	}
	page := f.e.loggedIn("mgr", "zh-CN").get("/reports/funnel?"+q).wantStatus(t, http.StatusOK).
		wantContains(t, "到达数量", "阶段转化率", "赢单（按创建日期）", "按创建日期统计").body
	rf := store.ReportFilter{DepartmentID: f.east}
	rf.From, rf.To = f.e.st.DefaultPeriod()
	for i, s := range stages {
		st := s.(map[string]any)
		link := drill("/opportunities", rf, "created", "reached_stage", pathf("%d", int64(st["stage_id"].(float64))))
		if !strings.Contains(page, strings.ReplaceAll(link, "&", "&amp;")) {
			t.Fatalf("stage %d: no reached link %s on the page", i, link)
		}
		list := f.e.api("mgr").get("/api/v1"+link).wantStatus(t, http.StatusOK).json(t)
		if list["total"].(float64) != want[i] {
			t.Fatalf("stage %d: list %v, funnel %v", i, list["total"], want[i])
		}
		f.e.loggedIn("mgr", "zh-CN").get(link).wantStatus(t, http.StatusOK).
			wantContains(t, pathf("共 %d 个", int(want[i])), "已到达："+st["name"].(string), `name="reached_stage"`)
	}
	f.e.api("mgr").get(pathf("/api/v1/opportunities?reached_stage=%d", f.stage("won", 0).ID)).wantAPIError(t, http.StatusBadRequest, "invalid")
}

// TestReports_DrillKeepsDepartmentAndIndustry: with a department filter,
// the win rate by industry drills into the opportunities closed in the
// period with that industry, and the sources report into the customers of
// that department; each list holds the report's figure, for the manager
// and for the admin (who would otherwise see 华南's records too).
func TestReports_DrillKeepsDepartmentAndIndustry(t *testing.T) {
	f := newReportsFixture(t)
	mk := func(user, name string) int64 {
		return f.e.api(user).do(http.MethodPost, "/api/v1/customers", map[string]any{"name": name, "industry": "制造业", "source": "展会"}).
			wantStatus(t, http.StatusCreated).id(t)
	}
	east, south := mk("salesa", "杭州精工机械有限公司"), mk("outsider", "广州精工机械有限公司")
	for _, c := range []struct {
		user  string
		cust  int64
		stage string
	}{{"salesa", east, "won"}, {"salesa", east, "lost"}, {"salesa", east, "won"}, {"outsider", south, "won"}} {
		o := f.e.api(c.user).do(http.MethodPost, "/api/v1/opportunities", map[string]any{"customer_id": c.cust, "name": "数控机床", "amount": 500000}).
			wantStatus(t, http.StatusCreated).json(t)
		f.e.api(c.user).do(http.MethodPost, pathf("/api/v1/opportunities/%d/stage", num(o, "id")),
			map[string]any{"stage_id": f.stage(c.stage, 0).ID, "lost_reason": "价格太高"}).wantStatus(t, http.StatusOK)
	}
	rf := store.ReportFilter{DepartmentID: f.east, GroupBy: "industry"}
	rf.From, rf.To = f.e.st.DefaultPeriod()
	for _, user := range []string{"mgr", "admin"} {
		rows := f.e.api(user).get(pathf("/api/v1/reports/win-rate?group_by=industry&department_id=%d", f.east)).wantStatus(t, http.StatusOK).json(t)["rows"].([]any)
		var row map[string]any
		for _, r := range rows {
			if r.(map[string]any)["key"] == "制造业" {
				row = r.(map[string]any)
			}
		}
		if row == nil || row["won"].(float64) != 2 || row["lost"].(float64) != 1 {
			t.Fatalf("%s: win rate by industry: %v", user, rows)
		}
		for status, want := range map[string]float64{"": 3, store.OppWon: 2, store.OppLost: 1} {
			link := winRateDrill(rf, "制造业", status)
			if !strings.Contains(link, "industry=") || !strings.Contains(link, pathf("department_id=%d", f.east)) {
				t.Fatalf("win-rate drill %s", link)
			}
			if got := f.e.api(user).get("/api/v1"+link).wantStatus(t, http.StatusOK).json(t)["total"].(float64); got != want {
				t.Fatalf("%s %q: list %v, report %v (%s)", user, status, got, want, link)
			}
		}
		page := f.e.loggedIn(user, "zh-CN").get(pathf("/reports/win-rate?group_by=industry&department_id=%d", f.east)).wantStatus(t, http.StatusOK).body
		if !strings.Contains(page, strings.ReplaceAll(winRateDrill(rf, "制造业", ""), "&", "&amp;")) {
			t.Fatalf("%s: the industry row does not drill into its opportunities", user)
		}
		src := f.e.api(user).get(pathf("/api/v1/reports/sources?department_id=%d", f.east)).wantStatus(t, http.StatusOK).json(t)["rows"].([]any)
		for _, r := range src {
			row := r.(map[string]any)
			if row["source"] != "展会" {
				continue
			}
			link := drill("/customers", rf, "created", "source", "展会")
			got := f.e.api(user).get("/api/v1"+link).wantStatus(t, http.StatusOK).json(t)["total"].(float64)
			if !strings.Contains(link, "department_id=") || got != row["leads"].(float64) || got != 1 {
				t.Fatalf("%s: sources drill %s lists %v, report %v", user, link, got, row["leads"])
			}
			f.e.loggedIn(user, "zh-CN").get(link).wantStatus(t, http.StatusOK).
				wantContains(t, "杭州精工机械有限公司", map[string]string{"mgr": "部门：华东区", "admin": "department: 华东区"}[user], `name="department_id"`).wantNotContains(t, "广州精工机械有限公司")
		}
	}
}
