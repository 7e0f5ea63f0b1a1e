package store

import (
	"context"
	"testing"
)

// funnelFixture adds to the report fixture (October 2026, Shanghai) the
// shapes the reached funnel must get right. Stage indexes: 0..5 open,
// 6 won, 7 lost; rank = index + 1.
func funnelFixture(t *testing.T) *reportFixture {
	f := newReportFixture(t)
	// Forward two stages, open in 商务谈判 (index 2) now.
	f.rawOpp(t, "fwd2", f.salesA, f.cA, 1000, "", "2026-10-10 09:00", 1, "2026-10-11 09:00", 2, "2026-10-12 09:00")
	// Backward: up to index 3, back to index 1; counts at index 3.
	f.rawOpp(t, "back", f.salesA, f.cA, 4000, "", "2026-10-12 09:00", 3, "2026-10-13 09:00", 1, "2026-10-14 09:00")
	// Lost at index 2 (after 0 → 1 → 2).
	f.rawOpp(t, "lost2", f.salesB, f.cB, 7000, "", "2026-10-03 09:00", 1, "2026-10-04 09:00", 2, "2026-10-05 09:00", 7, "2026-10-06 09:00")
	// Won straight from the first stage: reached every stage.
	f.rawOpp(t, "wonDirect", f.salesB, f.cB, 8000, "", "2026-10-04 09:00", 6, "2026-10-09 09:00")
	// Created one minute before the period: left out.
	f.rawOpp(t, "outside", f.salesA, f.cA, 9000, "", "2026-09-30 23:59", 4, "2026-10-02 09:00")
	return f
}

// TestSalesFunnel_ReachedLayers checks the layers against hand-counted
// figures. The manager (salesA, salesB) sees, created in October:
// won2359 10000 won, won0001 30000 won (moved back before winning),
// lostB 5000 lost from index 0, openB 20000 open at index 2, fwd2 1000
// at index 2, back 4000 furthest index 3, lost2 7000 furthest index 2,
// wonDirect 8000 won. The admin also sees wonN 100000 won (华北).
func TestSalesFunnel_ReachedLayers(t *testing.T) {
	f := funnelFixture(t)
	ctx := context.Background()
	oct := ReportFilter{From: "2026-10-01", To: "2026-10-31"}
	fu, err := f.s.SalesFunnel(ctx, f.mgr, oct, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	want := []CountAmount{{8, 85000}, {7, 80000}, {7, 80000}, {4, 52000}, {3, 48000}, {3, 48000}}
	conv := []float64{-1, 7.0 / 8, 1, 4.0 / 7, 3.0 / 4, 1}
	checkLayers(t, "manager", fu, want, conv)
	if fu.ReachedWon.Count != 3 || fu.ReachedWon.Amount != 48000 || !near(fu.ReachedWon.Conversion, 1) {
		t.Fatalf("manager won layer: %+v", fu.ReachedWon)
	}
	// Now in stage is unchanged: index 2 holds openB and fwd2, index 1 back.
	if fu.Stages[2].Count != 2 || fu.Stages[2].Amount != 21000 || fu.Stages[1].Count != 1 || fu.Stages[3].Count != 0 {
		t.Fatalf("now in stage: %+v", fu.Stages)
	}
	// Won and lost by close date as before: won2359, wonDirect; lostB, lost2.
	if fu.Won != (CountAmount{2, 18000}) || fu.Lost != (CountAmount{2, 12000}) {
		t.Fatalf("closed: won %+v lost %+v", fu.Won, fu.Lost)
	}
	adm, err := f.s.SalesFunnel(ctx, f.admin, oct, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	want = []CountAmount{{9, 185000}, {8, 180000}, {8, 180000}, {5, 152000}, {4, 148000}, {4, 148000}}
	checkLayers(t, "admin", adm, want, []float64{-1, 8.0 / 9, 1, 5.0 / 8, 4.0 / 5, 1})
	// A department filter (上海组 = salesA, salesB) gives the manager's figures.
	dep, err := f.s.SalesFunnel(ctx, f.admin, ReportFilter{From: oct.From, To: oct.To, DepartmentID: f.shanghai.ID}, "zh-CN")
	if err != nil || dep.Stages[0].ReachedCount != 8 || dep.ReachedWon.Count != 3 {
		t.Fatalf("department: %+v %v", dep, err)
	}
	// One person: salesB has lostB, openB, lost2, wonDirect.
	b, _ := f.s.SalesFunnel(ctx, f.mgr, ReportFilter{From: oct.From, To: oct.To, OwnerID: f.salesB.ID}, "zh-CN")
	checkLayers(t, "salesB", b, []CountAmount{{4, 40000}, {3, 35000}, {3, 35000}, {1, 8000}, {1, 8000}, {1, 8000}}, nil)
	// September holds only "outside" (furthest index 4).
	sep, _ := f.s.SalesFunnel(ctx, f.mgr, ReportFilter{From: "2026-09-01", To: "2026-09-30"}, "zh-CN")
	checkLayers(t, "September", sep, []CountAmount{{1, 9000}, {1, 9000}, {1, 9000}, {1, 9000}, {1, 9000}, {0, 0}}, nil)
	// Nobody reached the last stage: 0% there, and no rate for the won layer.
	if sep.ReachedWon.Count != 0 || sep.ReachedWon.Conversion != nil || !near(sep.Stages[5].Conversion, 0) {
		t.Fatalf("September won layer: %+v, last stage %+v", sep.ReachedWon, sep.Stages[5])
	}
}

func checkLayers(t *testing.T, who string, fu *SalesFunnel, want []CountAmount, conv []float64) {
	t.Helper()
	if len(fu.Stages) != len(want) {
		t.Fatalf("%s: %d stages", who, len(fu.Stages))
	}
	for i, st := range fu.Stages {
		if (CountAmount{st.ReachedCount, st.ReachedAmount}) != want[i] {
			t.Fatalf("%s: stage %d reached %d/%d, want %+v", who, i, st.ReachedCount, st.ReachedAmount, want[i])
		}
		if conv == nil {
			continue
		}
		if (conv[i] < 0) != (st.Conversion == nil) || (conv[i] >= 0 && !near(st.Conversion, conv[i])) {
			t.Fatalf("%s: stage %d conversion %v, want %v", who, i, st.Conversion, conv[i])
		}
	}
}

// TestListOpportunities_ReachedStageMatchesFunnel: the list filtered by
// reached_stage, the report's creation dates and people holds exactly as
// many opportunities as the funnel's layer, for every stage and scope.
func TestListOpportunities_ReachedStageMatchesFunnel(t *testing.T) {
	f := funnelFixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		u *User
		f ReportFilter
		q OppQuery
	}{
		{f.mgr, ReportFilter{}, OppQuery{}},
		{f.admin, ReportFilter{}, OppQuery{}},
		{f.salesA, ReportFilter{}, OppQuery{}},
		{f.admin, ReportFilter{DepartmentID: f.shanghai.ID}, OppQuery{DepartmentID: f.shanghai.ID}},
		{f.mgr, ReportFilter{OwnerID: f.salesB.ID}, OppQuery{Owner: itoa(f.salesB.ID)}},
	} {
		c.f.From, c.f.To = "2026-10-01", "2026-10-31"
		fu, err := f.s.SalesFunnel(ctx, c.u, c.f, "zh-CN")
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range fu.Stages {
			q := c.q
			q.CreatedFrom, q.CreatedTo, q.ReachedStage = c.f.From, c.f.To, st.StageID
			page, err := f.s.ListOpportunities(ctx, c.u, q)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for _, o := range page.Items {
				sum += o.Amount
			}
			if page.Total != st.ReachedCount || sum != st.ReachedAmount {
				t.Fatalf("%s %+v stage %s: list %d (%d), funnel %d (%d)", c.u.Username, c.f, st.Name, page.Total, sum, st.ReachedCount, st.ReachedAmount)
			}
		}
		won, _ := f.s.ListOpportunities(ctx, c.u, OppQuery{Owner: c.q.Owner, DepartmentID: c.q.DepartmentID, CreatedFrom: c.f.From, CreatedTo: c.f.To, Status: OppWon})
		if won.Total != fu.ReachedWon.Count {
			t.Fatalf("%s: won layer %d, list %d", c.u.Username, fu.ReachedWon.Count, won.Total)
		}
	}
	// A stage that is not an open one is refused, naming the parameter.
	_, err := f.s.ListOpportunities(ctx, f.mgr, OppQuery{ReachedStage: f.st[6].ID})
	if e, ok := AsError(err); !ok || e.Fields["reached_stage"].Key == "" {
		t.Fatalf("won stage as reached_stage: %v", err)
	}
}

// TestSalesFunnel_DealWithoutHistory: a deal whose history is gone counts
// at its current stage, for the whole company (whose layers are read by
// walking the history) as for people, and the list agrees.
func TestSalesFunnel_DealWithoutHistory(t *testing.T) {
	f := funnelFixture(t)
	ctx := context.Background()
	if _, err := f.s.w.ExecContext(ctx, `DELETE FROM stage_changes WHERE opportunity_id = ?`, f.ids["back"]); err != nil {
		t.Fatal(err)
	}
	// A history removed by hand leaves the stages the deal was in recorded
	// (opportunities.reached_stages): the check sees it, the rebuild makes
	// the deal count where it is.
	if n, _ := f.s.CheckReportTables(ctx); n != 1 {
		t.Fatalf("check after removing a deal's history: %d differ, want 1", n)
	}
	if _, err := f.s.RebuildReportTables(ctx, f.s.Location); err != nil {
		t.Fatal(err)
	}
	oct := ReportFilter{From: "2026-10-01", To: "2026-10-31"}
	// "back" now counts at index 1 (where it is) instead of index 3.
	want := []CountAmount{{9, 185000}, {8, 180000}, {7, 176000}, {4, 148000}, {4, 148000}, {4, 148000}}
	for _, u := range []*User{f.admin, f.mgr} {
		fu, err := f.s.SalesFunnel(ctx, u, oct, "zh-CN")
		if err != nil {
			t.Fatal(err)
		}
		if u == f.mgr {
			want = []CountAmount{{8, 85000}, {7, 80000}, {6, 76000}, {3, 48000}, {3, 48000}, {3, 48000}}
		}
		checkLayers(t, u.Username, fu, want, nil)
		for _, st := range fu.Stages {
			page, err := f.s.ListOpportunities(ctx, u, OppQuery{CreatedFrom: oct.From, CreatedTo: oct.To, ReachedStage: st.StageID})
			if err != nil || page.Total != st.ReachedCount {
				t.Fatalf("%s %s: list %v %v, funnel %d", u.Username, st.Name, page, err, st.ReachedCount)
			}
		}
	}
}

// Stage ids above 62 have no bit in opportunities.reached_stages: with
// such a stage in the pipeline the funnel and the reached_stage list
// filter read the stage history instead, and agree with the bits.
func TestSalesFunnel_HistoryPathAgreesWithBits(t *testing.T) {
	f := funnelFixture(t)
	ctx := context.Background()
	oct := ReportFilter{From: "2026-10-01", To: "2026-10-31"}
	before := map[string]*SalesFunnel{}
	for _, u := range []*User{f.admin, f.mgr} {
		fu, err := f.s.SalesFunnel(ctx, u, oct, "zh-CN")
		if err != nil {
			t.Fatal(err)
		}
		before[u.Username] = fu
	}
	// An open stage with id 70, last of the open stages; no deal is in it.
	if _, err := f.s.w.ExecContext(ctx, `INSERT INTO stages (id, name_zh, name_en, position, probability, kind, created_at)
		VALUES (70, '回款', 'Payment', 6, 99, 'open', 0)`); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*User{f.admin, f.mgr} {
		fu, err := f.s.SalesFunnel(ctx, u, oct, "zh-CN")
		if err != nil {
			t.Fatal(err)
		}
		old := before[u.Username]
		if len(fu.Stages) != len(old.Stages)+1 || fu.Stages[len(fu.Stages)-1].StageID != 70 {
			t.Fatalf("%s: stages %+v", u.Username, fu.Stages)
		}
		for i, st := range old.Stages {
			got := fu.Stages[i]
			if got.ReachedCount != st.ReachedCount || got.ReachedAmount != st.ReachedAmount {
				t.Fatalf("%s: stage %s from the history %d/%d, from the bits %d/%d", u.Username, st.Name,
					got.ReachedCount, got.ReachedAmount, st.ReachedCount, st.ReachedAmount)
			}
			page, err := f.s.ListOpportunities(ctx, u, OppQuery{CreatedFrom: oct.From, CreatedTo: oct.To, ReachedStage: st.StageID})
			if err != nil || page.Total != st.ReachedCount {
				t.Fatalf("%s %s: list %v %v, funnel %d", u.Username, st.Name, page, err, st.ReachedCount)
			}
		}
		// Only the won deals reached the new last stage.
		if last := fu.Stages[len(fu.Stages)-1]; last.ReachedCount != old.ReachedWon.Count || fu.ReachedWon.Count != old.ReachedWon.Count {
			t.Fatalf("%s: new stage %+v, won %+v, want %d", u.Username, last, fu.ReachedWon, old.ReachedWon.Count)
		}
	}
}
