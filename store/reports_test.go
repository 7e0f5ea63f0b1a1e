package store

import (
	"context"
	"math"
	"testing"
	"time"
)

// Reports are checked against figures worked out by hand on fixed data in
// Asia/Shanghai (UTC+8): deals won at 23:59 and 00:01 local time on either
// side of a period's end, an empty period, a deal that moved backward.

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

func local(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

type reportFixture struct {
	*fixture
	st  []*Stage
	cA  *Customer // salesA's, industry 制造业
	cB  *Customer // salesB's, industry 金融
	cN  *Customer // salesN's (outside the manager's subtree)
	ids map[string]int64
}

// rawOpp writes an opportunity with exact times and its history: a
// creation row, then a row per (stage index, local time) in moves.
func (f *reportFixture) rawOpp(t *testing.T, key string, owner *User, c *Customer, amount int64, source, created string, moves ...any) {
	t.Helper()
	ctx := context.Background()
	first := f.st[0]
	cur, at := first, local(created)
	status, lost := OppOpen, ""
	var closed any
	type mv struct {
		st *Stage
		at time.Time
	}
	var ms []mv
	for i := 0; i+1 < len(moves); i += 2 {
		st := f.st[moves[i].(int)]
		ms = append(ms, mv{st, local(moves[i+1].(string))})
		cur, at = st, local(moves[i+1].(string))
	}
	if cur.Kind != StageOpen {
		status, closed = cur.Kind, at.Unix()
		if cur.Kind == StageLost {
			lost = "价格太高"
		}
	}
	res, err := f.s.w.ExecContext(ctx, `INSERT INTO opportunities (customer_id, name, amount, stage_id, probability, status, owner_id, source,
			lost_reason, stage_entered_at, created_by, created_at, closed_at, updated_at, expected_close)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, key, amount, cur.ID, cur.Probability, status, owner.ID, source,
		lost, at.Unix(), owner.ID, local(created).Unix(), closed, at.Unix(), "2026-12-15")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	f.ids[key] = id
	prev := first.ID
	_, _ = f.s.w.ExecContext(ctx, `INSERT INTO stage_changes (opportunity_id, from_stage_id, to_stage_id, by_id, at) VALUES (?, NULL, ?, ?, ?)`,
		id, first.ID, owner.ID, local(created).Unix())
	for _, m := range ms {
		_, _ = f.s.w.ExecContext(ctx, `INSERT INTO stage_changes (opportunity_id, from_stage_id, to_stage_id, by_id, at) VALUES (?, ?, ?, ?, ?)`,
			id, prev, m.st.ID, owner.ID, m.at.Unix())
		prev = m.st.ID
	}
}

func newReportFixture(t *testing.T) *reportFixture {
	f := &reportFixture{fixture: newFixture(t), ids: map[string]int64{}}
	f.s.Location = shanghai
	now := local("2026-11-20 12:00")
	f.s.Now = func() time.Time { return now }
	f.st = f.stages(t)
	ctx := context.Background()
	mk := func(u *User, name, industry string) *Customer {
		c, err := f.s.CreateCustomer(ctx, u, CustomerInput{Name: ptr(name), Industry: ptr(industry), Source: ptr("展会")})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	f.cA, f.cB, f.cN = mk(f.salesA, "甲公司", "制造业"), mk(f.salesB, "乙公司", "金融"), mk(f.salesN, "丙公司", "制造业")
	won, lost := 6, 7
	// salesA: created 10-05, won 2026-10-31 23:59 local (in October), 100 yuan.
	f.rawOpp(t, "won2359", f.salesA, f.cA, 10000, "展会", "2026-10-05 09:00", 1, "2026-10-10 09:00", won, "2026-10-31 23:59")
	// salesA: created 10-01 00:00, won 2026-11-01 00:01 local (November), 300 yuan;
	// it moved backward: 发现 → 售前 (10-03) → 商务 (10-05) → 售前 (10-06) → won.
	f.rawOpp(t, "won0001", f.salesA, f.cA, 30000, "官网", "2026-10-01 00:00",
		1, "2026-10-03 00:00", 2, "2026-10-05 00:00", 1, "2026-10-06 00:00", won, "2026-11-01 00:01")
	// salesB: lost 2026-10-15 in October, 50 yuan.
	f.rawOpp(t, "lostB", f.salesB, f.cB, 5000, "展会", "2026-10-02 10:00", lost, "2026-10-15 10:00")
	// salesB: open in 商务谈判, created 2026-10-20, 200 yuan, since 10-21.
	f.rawOpp(t, "openB", f.salesB, f.cB, 20000, "", "2026-10-20 10:00", 2, "2026-10-21 10:00")
	// salesN (华北): won in October, 1000 yuan: invisible to the 华东 manager.
	f.rawOpp(t, "wonN", f.salesN, f.cN, 100000, "展会", "2026-10-08 10:00", won, "2026-10-18 10:00")
	return f
}

func near(a *float64, want float64) bool { return a != nil && math.Abs(*a-want) < 1e-9 }

func TestFunnel_BoundaryDaysAndVisibility(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	oct := ReportFilter{From: "2026-10-01", To: "2026-10-31"}
	// Manager (华东 subtree: salesA, salesB): won2359 (100 yuan), lostB; wonN is 华北's.
	fu, err := f.s.Funnel(ctx, f.mgr, oct, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	if fu.Won != (CountAmount{1, 10000}) || fu.Lost != (CountAmount{1, 5000}) || !near(fu.WinRate, 0.5) {
		t.Fatalf("October for the manager: won %+v lost %+v rate %v", fu.Won, fu.Lost, fu.WinRate)
	}
	// Open figures: openB (created in October, in 商务谈判 now).
	if fu.Stages[2].StageID != f.st[2].ID || fu.Stages[2].Count != 1 || fu.Stages[2].Amount != 20000 || fu.Stages[0].Count != 0 {
		t.Fatalf("open stages: %+v", fu.Stages)
	}
	// November: the 00:01 deal only.
	nov, _ := f.s.Funnel(ctx, f.mgr, ReportFilter{From: "2026-11-01", To: "2026-11-30"}, "zh-CN")
	if nov.Won != (CountAmount{1, 30000}) || nov.Lost.Count != 0 || !near(nov.WinRate, 1) {
		t.Fatalf("November: %+v", nov)
	}
	// 31 October alone holds the 23:59 deal; 1 November alone the 00:01 one.
	d31, _ := f.s.Funnel(ctx, f.mgr, ReportFilter{From: "2026-10-31", To: "2026-10-31"}, "zh-CN")
	d01, _ := f.s.Funnel(ctx, f.mgr, ReportFilter{From: "2026-11-01", To: "2026-11-01"}, "zh-CN")
	if d31.Won.Amount != 10000 || d01.Won.Amount != 30000 {
		t.Fatalf("day boundaries: 31st %+v, 1st %+v", d31.Won, d01.Won)
	}
	// Empty period: no rate at all.
	empty, _ := f.s.Funnel(ctx, f.mgr, ReportFilter{From: "2025-01-01", To: "2025-01-31"}, "zh-CN")
	if empty.WinRate != nil || empty.Won.Count != 0 {
		t.Fatalf("empty period: %+v", empty)
	}
	// Sales see themselves only; admin sees 华北 too.
	a, _ := f.s.Funnel(ctx, f.salesA, oct, "zh-CN")
	if a.Won.Amount != 10000 || a.Lost.Count != 0 {
		t.Fatalf("salesA: %+v", a)
	}
	adm, _ := f.s.Funnel(ctx, f.admin, oct, "zh-CN")
	if adm.Won != (CountAmount{2, 110000}) || !near(adm.WinRate, 2.0/3) {
		t.Fatalf("admin: %+v", adm)
	}
}

func TestReportFilter_RefusesInvisibleAndBadInput(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		u     *User
		f     ReportFilter
		field string
	}{
		{f.mgr, ReportFilter{From: "2026-13-01", To: "2026-12-01"}, "from"},
		{f.mgr, ReportFilter{From: "2026-10-02", To: "2026-10-01"}, "to"},
		{f.mgr, ReportFilter{From: "2026-10-01", To: "2026-10-31", OwnerID: f.salesN.ID}, "owner_id"},
		{f.mgr, ReportFilter{From: "2026-10-01", To: "2026-10-31", DepartmentID: f.north.ID}, "department_id"},
		{f.salesA, ReportFilter{From: "2026-10-01", To: "2026-10-31", OwnerID: f.salesB.ID}, "owner_id"},
		{f.mgr, ReportFilter{From: "2026-10-01", To: "2026-10-31", GroupBy: "colour"}, "group_by"},
	} {
		_, err := f.s.Funnel(ctx, c.u, c.f, "zh-CN")
		e, ok := AsError(err)
		if !ok || e.Code != CodeInvalid || e.Fields[c.field].Key == "" {
			t.Fatalf("%+v: %v", c.f, err)
		}
	}
	// A department filter narrows: 上海组 is the manager's.
	fu, err := f.s.Funnel(ctx, f.mgr, ReportFilter{From: "2026-10-01", To: "2026-10-31", DepartmentID: f.shanghai.ID}, "zh-CN")
	if err != nil || fu.Won.Amount != 10000 {
		t.Fatalf("department filter: %+v %v", fu, err)
	}
}

func TestWinRate_GroupedByOwnerSourceIndustry(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	oct := ReportFilter{From: "2026-10-01", To: "2026-10-31"}
	oct.GroupBy = "owner"
	rows, err := f.s.WinRate(ctx, f.admin, oct)
	if err != nil {
		t.Fatal(err)
	}
	// Ordered by won amount: salesN 1000, salesA 100, salesB 0 (1 lost).
	if len(rows) != 3 || rows[0].Label != "salesN" || rows[1].Label != "salesA" || rows[2].Won != 0 || rows[2].Lost != 1 || !near(rows[2].WinRate, 0) {
		t.Fatalf("by owner: %+v", rows)
	}
	oct.GroupBy = "source"
	rows, _ = f.s.WinRate(ctx, f.mgr, oct)
	if len(rows) != 1 || rows[0].Key != "展会" || rows[0].Won != 1 || rows[0].Lost != 1 || rows[0].WonAmount != 10000 {
		t.Fatalf("by source: %+v", rows)
	}
	oct.GroupBy = "industry"
	rows, _ = f.s.WinRate(ctx, f.admin, oct)
	if len(rows) != 2 || rows[0].Key != "制造业" || rows[0].Won != 2 || rows[0].WonAmount != 110000 || rows[1].Key != "金融" || !near(rows[1].WinRate, 0) {
		t.Fatalf("by industry: %+v", rows)
	}
}

func TestSalesCycle_StagesFromHistoryWithBackwardMove(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	// November: won0001 only. Created 10-01 00:00, won 11-01 00:01:
	// cycle = 31 days + 1 minute.
	cy, err := f.s.SalesCycle(ctx, f.mgr, ReportFilter{From: "2026-11-01", To: "2026-11-30"}, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	want := 31 + 1.0/1440
	if cy.WonCount != 1 || !near(cy.MeanDays, want) || !near(cy.MedianDays, want) {
		t.Fatalf("cycle: %+v", cy)
	}
	// 发现 10-01→10-03 = 2 d; 售前 10-03→10-05 (2 d) + 10-06→11-01 00:01
	// (26 d + 1 min); 商务 10-05→10-06 = 1 d.
	got := map[int64]*float64{}
	for _, st := range cy.Stages {
		got[st.StageID] = st.MeanDays
	}
	if !near(got[f.st[0].ID], 2) || !near(got[f.st[1].ID], 28+1.0/1440) || !near(got[f.st[2].ID], 1) || got[f.st[3].ID] != nil {
		t.Fatalf("stage days: 发现 %v 售前 %v 商务 %v 合同 %v", got[f.st[0].ID], got[f.st[1].ID], got[f.st[2].ID], got[f.st[3].ID])
	}
	// October + November for the manager: cycles 26.625 d (10-05 09:00 →
	// 10-31 23:59 = 26 d 14 h 59 min) and 31 d 1 min: median = mean.
	both, _ := f.s.SalesCycle(ctx, f.mgr, ReportFilter{From: "2026-10-01", To: "2026-11-30"}, "zh-CN")
	c1 := 26 + (14*60+59)/1440.0
	if both.WonCount != 2 || !near(both.MeanDays, (c1+want)/2) || !near(both.MedianDays, (c1+want)/2) {
		t.Fatalf("two deals: %+v", both)
	}
	// Stuck over 20 days: openB, in 商务谈判 since 10-21 10:00 (30 d 2 h on 11-20 12:00).
	stuck, _ := f.s.SalesCycle(ctx, f.mgr, ReportFilter{From: "2026-11-01", To: "2026-11-30", StuckDays: 20}, "zh-CN")
	if len(stuck.Stuck) != 1 || stuck.Stuck[0].ID != f.ids["openB"] || math.Abs(stuck.Stuck[0].Days-(30+2.0/24)) > 1e-9 {
		t.Fatalf("stuck: %+v", stuck.Stuck)
	}
	empty, _ := f.s.SalesCycle(ctx, f.mgr, ReportFilter{From: "2025-01-01", To: "2025-01-31"}, "zh-CN")
	if empty.WonCount != 0 || empty.MeanDays != nil || empty.MedianDays != nil {
		t.Fatalf("empty: %+v", empty)
	}
}

func TestLeaderboardForecastAndKPIs(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	oct := ReportFilter{From: "2026-10-01", To: "2026-10-31"}
	rows, err := f.s.Leaderboard(ctx, f.mgr, oct)
	if err != nil {
		t.Fatal(err)
	}
	// Everyone in the manager's subtree, salesA first (won 100 yuan).
	if len(rows) != 3 || rows[0].Owner.ID != f.salesA.ID || rows[0].WonAmount != 10000 || rows[0].WonCount != 1 || rows[2].Owner.ID != f.salesB.ID {
		t.Fatalf("leaderboard: %+v", rows)
	}
	fc, err := f.s.ForecastByMonth(ctx, f.mgr, oct)
	if err != nil {
		t.Fatal(err)
	}
	// openB: 200 yuan in 商务谈判 (50%), expected 2026-12.
	if fc.OpenCount != 1 || len(fc.Months) != 1 || fc.Months[0].Month != "2026-12" || fc.Months[0].Amount != 20000 || fc.Months[0].Weighted != 10000 {
		t.Fatalf("forecast: %+v", fc)
	}
	k, err := f.s.KPIs(ctx, f.mgr, oct)
	if err != nil {
		t.Fatal(err)
	}
	// Opportunities created in October by salesA/salesB: won2359, won0001, lostB, openB.
	if k.OppsCreated != 4 || k.WonAmount != 10000 || !near(k.WinRate, 0.5) || k.NewCustomers != 0 {
		t.Fatalf("kpis: %+v", k)
	}
	cur, prev, err := f.s.PeriodRange("month", "", "")
	if err != nil || cur != [2]string{"2026-11-01", "2026-11-30"} || prev != [2]string{"2026-10-01", "2026-10-31"} {
		t.Fatalf("month: %v %v %v", cur, prev, err)
	}
	cur, prev, _ = f.s.PeriodRange("week", "", "")
	if cur != [2]string{"2026-11-16", "2026-11-22"} || prev != [2]string{"2026-11-09", "2026-11-15"} {
		t.Fatalf("week: %v %v", cur, prev)
	}
	cur, prev, _ = f.s.PeriodRange("custom", "2026-10-10", "2026-10-19")
	if cur != [2]string{"2026-10-10", "2026-10-19"} || prev != [2]string{"2026-09-30", "2026-10-09"} {
		t.Fatalf("custom: %v %v", cur, prev)
	}
}

func TestTrendsBucketsAreLocalDays(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	tr, err := f.s.Trends(ctx, f.mgr, ReportFilter{From: "2026-10-31", To: "2026-11-01"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 2 || tr[0].WonAmount != 10000 || tr[1].WonAmount != 30000 || tr[0].From != "2026-10-31" {
		t.Fatalf("trend: %+v", tr)
	}
	// The three customers were created "now" (2026-11-20): two are the manager's.
	tr, _ = f.s.Trends(ctx, f.mgr, ReportFilter{From: "2026-11-01", To: "2026-11-30"})
	n := 0
	for _, p := range tr {
		n += p.NewCustomers
	}
	if n != 2 || len(tr) != 30 {
		t.Fatalf("new customers %d over %d days", n, len(tr))
	}
}

func TestCustomersAboutToDrop_UsesThePoolRule(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	p := f.pool(t, rules(0, 0, 0, 30, 0, 0, 0)) // back after 30 days without a follow-up
	set := func(c *Customer, ownedSince string, locked int) {
		if _, err := f.s.w.ExecContext(ctx, `UPDATE customers SET home_pool_id = ?, owned_since = ?, last_followup_at = NULL, locked = ? WHERE id = ?`,
			p.ID, local(ownedSince).Unix(), locked, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	// Now is 2026-11-20 12:00: cA owned since 10-25 12:00 drops 11-24 12:00
	// (within 7 days); cB since 11-10 drops 12-10 (not yet); cN is 华北's.
	set(f.cA, "2026-10-25 12:00", 0)
	set(f.cB, "2026-11-10 12:00", 0)
	set(f.cN, "2026-10-01 12:00", 0)
	got, err := f.s.CustomersAboutToDrop(ctx, f.mgr, ReportFilter{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Customer.ID != f.cA.ID || got[0].Rule != RecycleNoFollowup || !got[0].DueAt.Equal(local("2026-11-24 12:00")) || got[0].Owner.Name != "salesA" {
		t.Fatalf("about to drop: %+v", got)
	}
	// A locked customer never drops.
	set(f.cA, "2026-10-25 12:00", 1)
	if got, _ := f.s.CustomersAboutToDrop(ctx, f.mgr, ReportFilter{}, 10); len(got) != 0 {
		t.Fatalf("locked: %+v", got)
	}
}

func TestReportFollowupDays_KeptExactByTriggers(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	add := func(u *User, c *Customer, at string) {
		when := local(at)
		if _, err := f.s.AddFollowup(ctx, u, c.ID, FollowupInput{Kind: "call", Content: "电话回访", At: &when}); err != nil {
			t.Fatal(err)
		}
	}
	// 23:59 on the 31st and 00:01 on the 1st fall on different local days.
	add(f.salesA, f.cA, "2026-10-31 23:59")
	add(f.salesA, f.cA, "2026-11-01 00:01")
	add(f.salesB, f.cB, "2026-11-01 08:00")
	add(f.salesN, f.cN, "2026-11-02 08:00")
	check := func(when string) {
		t.Helper()
		if n, err := f.s.CheckReportTables(ctx); err != nil || n != 0 {
			t.Fatalf("%s: %d (person, day) counts differ from the follow-ups (%v)", when, n, err)
		}
	}
	check("after inserts")
	// Day-aligned periods read the table, others the raw rows: same figures.
	k, _ := f.s.KPIs(ctx, f.mgr, ReportFilter{From: "2026-11-01", To: "2026-11-30"})
	oct, _ := f.s.KPIs(ctx, f.mgr, ReportFilter{From: "2026-10-31", To: "2026-10-31"})
	if k.Followups != 2 || oct.Followups != 1 {
		t.Fatalf("follow-ups: November %d (want 2), 31 October %d (want 1)", k.Followups, oct.Followups)
	}
	lb, _ := f.s.Leaderboard(ctx, f.admin, ReportFilter{From: "2026-10-01", To: "2026-11-30"})
	got := map[int64]int{}
	for _, r := range lb {
		got[r.Owner.ID] = r.Followups
	}
	if got[f.salesA.ID] != 2 || got[f.salesB.ID] != 1 || got[f.salesN.ID] != 1 {
		t.Fatalf("leaderboard follow-ups: %v", got)
	}
	// Edits, moves between people and deletions (also by cascade) follow.
	if _, err := f.s.w.ExecContext(ctx, `UPDATE followups SET at = at - 86400, created_by = ? WHERE created_by = ?`, f.salesB.ID, f.salesN.ID); err != nil {
		t.Fatal(err)
	}
	check("after an update")
	if _, err := f.s.w.ExecContext(ctx, `DELETE FROM opportunities WHERE customer_id = ?`, f.cB.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.w.ExecContext(ctx, `DELETE FROM customers WHERE id = ?`, f.cB.ID); err != nil {
		t.Fatal(err)
	}
	check("after a cascading delete")
	// Another zone: the table is rebuilt for it and stays exact.
	if _, err := f.s.RebuildReportTables(ctx, time.UTC); err != nil {
		t.Fatal(err)
	}
	check("after a rebuild for UTC")
	k2, _ := f.s.KPIs(ctx, f.mgr, ReportFilter{From: "2026-11-01", To: "2026-11-30"})
	if k2.Followups != 2 { // salesA on the 1st, and the one moved to salesB (on 丙公司, not deleted)
		t.Fatalf("after the rebuild (Shanghai periods read the raw rows): %d, want 2", k2.Followups)
	}
}

func TestSourcesAndPoolTurnover(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	nov := ReportFilter{From: "2026-11-01", To: "2026-11-30"}
	// 甲 and 乙 (展会) were created on 11-20 and are the team's; won0001
	// (300 yuan, salesA, 甲) was won on 11-01.
	rows, err := f.s.SourcesReport(ctx, f.mgr, nov)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Source != "展会" || rows[0].Leads != 2 || rows[0].Claimed != 2 || rows[0].WonAmount != 30000 || !near(rows[0].ConversionRate, 0) {
		t.Fatalf("sources (manager): %+v", rows)
	}
	all, _ := f.s.SourcesReport(ctx, f.admin, nov)
	if len(all) != 1 || all[0].Leads != 3 || all[0].WonAmount != 30000 {
		t.Fatalf("sources (admin): %+v", all)
	}
	if empty, _ := f.s.SourcesReport(ctx, f.mgr, ReportFilter{From: "2025-01-01", To: "2025-01-31"}); len(empty) != 0 {
		t.Fatalf("empty period: %+v", empty)
	}
	p := f.pool(t, rules(0, 0, 0, 0, 0, 0, 0))
	ids := f.fill(t, p, 2)
	if _, err := f.s.Claim(ctx, f.salesA, ids[0]); err != nil {
		t.Fatal(err)
	}
	pt, err := f.s.PoolTurnover(ctx, f.admin, ReportFilter{From: "2026-11-01", To: "2026-11-30", PoolID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if pt.Claimed != 1 || pt.InPool != 1 || pt.Released != 0 {
		t.Fatalf("pool turnover: %+v", pt)
	}
	mine, _ := f.s.PoolTurnover(ctx, f.admin, ReportFilter{From: "2026-11-01", To: "2026-11-30", PoolID: p.ID, OwnerID: f.salesB.ID})
	if mine.Claimed != 0 {
		t.Fatalf("salesB claimed nothing: %+v", mine)
	}
	if _, err := f.s.PoolTurnover(ctx, f.salesN, ReportFilter{PoolID: 99999}); !IsCode(err, CodeInvalid) {
		t.Fatalf("an unknown pool: %v", err)
	}
}

func TestFillPeriod(t *testing.T) {
	f := newReportFixture(t) // now: 2026-11-20
	for _, c := range [][4]string{
		{"", "", "2026-11-01", "2026-11-20"},
		{"", "2026-10-15", "2026-10-01", "2026-10-15"},
		{"2026-09-03", "", "2026-09-03", "2026-11-20"},
		{"2026-12-03", "", "2026-12-03", "2026-12-03"},
	} {
		if a, b := f.s.FillPeriod(c[0], c[1]); a != c[2] || b != c[3] {
			t.Errorf("%q %q: %s %s", c[0], c[1], a, b)
		}
	}
}

// New customers count under their owner now: releases, claims, transfers,
// deletions and a changed creation time move them between periods and teams.
func TestNewCustomers_FollowOwnersAndDeletions(t *testing.T) {
	f := newReportFixture(t) // 甲乙丙 created 2026-11-20 12:00 for salesA, salesB, salesN
	ctx := context.Background()
	mk := func(u *User, name, at string) *Customer {
		t.Helper()
		now := local(at)
		f.s.Now = func() time.Time { return now }
		c, err := f.s.CreateCustomer(ctx, u, CustomerInput{Name: ptr(name)})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// 23:59 on the 31st and 00:01 on the 1st fall on different local days.
	late := mk(f.salesA, "十月末", "2026-10-31 23:59")
	early := mk(f.salesB, "十一月初", "2026-11-01 00:01")
	mk(f.salesN, "华北新客", "2026-11-02 08:00")
	later := local("2026-11-21 09:00")
	f.s.Now = func() time.Time { return later }
	// wantNov and wantOctMonth are whole local months (read from
	// report_customer_months), wantOct the 31st alone (counted from the
	// customers): both ways must agree with the rows.
	check := func(when string, wantNov, wantOct, wantOctMonth int) {
		t.Helper()
		if n, err := f.s.CheckReportTables(ctx); err != nil || n != 0 {
			t.Fatalf("%s: %d (person, day or month) counts differ from the rows (%v)", when, n, err)
		}
		k, err := f.s.KPIs(ctx, f.mgr, ReportFilter{From: "2026-11-01", To: "2026-11-30"})
		if err != nil {
			t.Fatal(err)
		}
		oct, _ := f.s.KPIs(ctx, f.mgr, ReportFilter{From: "2026-10-31", To: "2026-10-31"})
		octMonth, _ := f.s.KPIs(ctx, f.mgr, ReportFilter{From: "2026-10-01", To: "2026-10-31"})
		if k.NewCustomers != wantNov || oct.NewCustomers != wantOct || octMonth.NewCustomers != wantOctMonth {
			t.Fatalf("%s: new customers November %d (want %d), 31 October %d (want %d), October %d (want %d)", when,
				k.NewCustomers, wantNov, oct.NewCustomers, wantOct, octMonth.NewCustomers, wantOctMonth)
		}
		tr, err := f.s.Trends(ctx, f.mgr, ReportFilter{From: "2026-10-31", To: "2026-11-01"})
		if err != nil || len(tr) != 2 || tr[0].NewCustomers != wantOct {
			t.Fatalf("%s: trend %+v (%v), want %d on 31 October", when, tr, err, wantOct)
		}
		// Periods that straddle months: whole months from the table, the
		// ends from the customers.
		straddle, _ := f.s.KPIs(ctx, f.mgr, ReportFilter{From: "2026-10-31", To: "2026-11-30"})
		yearAgo, _ := f.s.KPIs(ctx, f.mgr, ReportFilter{From: "2025-11-29", To: "2026-11-28"})
		if straddle.NewCustomers != wantOct+wantNov || yearAgo.NewCustomers != wantOctMonth+wantNov {
			t.Fatalf("%s: 31 Oct-30 Nov %d (want %d), a year to 28 Nov %d (want %d)", when,
				straddle.NewCustomers, wantOct+wantNov, yearAgo.NewCustomers, wantOctMonth+wantNov)
		}
		year, err := f.s.Trends(ctx, f.mgr, ReportFilter{From: "2026-01-01", To: "2026-12-31"})
		if err != nil || len(year) != 12 || year[9].NewCustomers != wantOctMonth || year[10].NewCustomers != wantNov {
			t.Fatalf("%s: monthly trend %+v (%v), want October %d, November %d", when, year, err, wantOctMonth, wantNov)
		}
	}
	// Manager's November: 甲, 乙 (11-20) and 十一月初; October 31st: 十月末.
	check("after inserts", 3, 1, 1)
	if _, err := f.s.Release(ctx, f.salesB, early.ID, "无意向", "", nil); err != nil {
		t.Fatal(err)
	}
	check("after a release", 2, 1, 1)
	if _, err := f.s.Claim(ctx, f.salesA, early.ID); err != nil {
		t.Fatal(err)
	}
	check("after a claim", 3, 1, 1)
	if _, err := f.s.TransferCustomer(ctx, f.admin, late.ID, f.salesN.ID); err != nil {
		t.Fatal(err)
	}
	check("after a transfer out of the team", 3, 0, 0)
	if err := f.s.DeleteCustomer(ctx, f.admin, f.cA.ID); err != nil {
		t.Fatal(err)
	}
	check("after a deletion", 2, 0, 0)
	if _, err := f.s.w.ExecContext(ctx, `UPDATE customers SET deleted_at = NULL, created_at = created_at - 30 * 86400 WHERE id = ?`, f.cA.ID); err != nil {
		t.Fatal(err)
	}
	check("after an undelete into October", 2, 0, 1)
	if _, err := f.s.w.ExecContext(ctx, `DELETE FROM opportunities WHERE customer_id = ?`, f.cB.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.w.ExecContext(ctx, `DELETE FROM customers WHERE id = ?`, f.cB.ID); err != nil {
		t.Fatal(err)
	}
	check("after a hard delete", 1, 0, 1)
	// A rebuild of the report tables for another zone changes nothing here.
	if _, err := f.s.RebuildReportTables(ctx, time.UTC); err != nil {
		t.Fatal(err)
	}
	check("after a rebuild for UTC", 1, 0, 1)
	// Whole Shanghai months are read from the table (once it is rebuilt
	// for Shanghai again), so a table out of step shows in the figure —
	// and in the check that reports-rebuild --check runs.
	if _, err := f.s.RebuildReportTables(ctx, f.s.Location); err != nil {
		t.Fatal(err)
	}
	check("after a rebuild for Shanghai", 1, 0, 1)
	if _, err := f.s.w.ExecContext(ctx, `UPDATE report_customer_months SET n = n + 100 WHERE user_id = ?`, f.salesA.ID); err != nil {
		t.Fatal(err)
	}
	if k, _ := f.s.KPIs(ctx, f.mgr, ReportFilter{From: "2026-10-01", To: "2026-10-31"}); k.NewCustomers != 101 {
		t.Fatalf("October from a tampered table: %d, want 101 (the table is not read)", k.NewCustomers)
	}
	if k, _ := f.s.KPIs(ctx, f.mgr, ReportFilter{From: "2026-10-15", To: "2026-11-10"}); k.NewCustomers != 2 {
		t.Fatalf("15 Oct-10 Nov from a tampered table: %d, want 2 (甲 and 十一月初; no whole month in it: the customers are counted)", k.NewCustomers)
	}
	if n, _ := f.s.CheckReportTables(ctx); n == 0 {
		t.Fatal("the check did not see the tampered month counts")
	}
}

func TestPoolTurnover_InPoolCountsOnlyCustomersInPools(t *testing.T) {
	f := newReportFixture(t) // 甲乙丙 are owned, not in a pool
	ctx := context.Background()
	p := f.pool(t, rules(0, 0, 0, 0, 0, 0, 0))
	ids := f.fill(t, p, 3)
	if _, err := f.s.Claim(ctx, f.salesA, ids[0]); err != nil {
		t.Fatal(err)
	}
	inPools := 2 // 3 filled, 1 claimed; 甲乙丙 are owned
	pt, err := f.s.PoolTurnover(ctx, f.admin, ReportFilter{From: "2026-11-01", To: "2026-11-30"})
	if err != nil {
		t.Fatal(err)
	}
	if pt.InPool != inPools || pt.Claimed != 1 {
		t.Fatalf("every pool for the admin: in pool %d (want %d), claimed %d (want 1)", pt.InPool, inPools, pt.Claimed)
	}
}

// Hours to claim run from the customer's latest arrival in the pool (its
// entry, or the release before a second claim) to the claim: 2 h, 3 h and
// 10 h here, median 3 h, on the pool page and in the turnover report alike.
// Each claim records that arrival (pool_moves.arrived_at); the report
// check sees one out of step and the rebuild puts it right.
func TestHoursToClaim_FromTheLatestArrival(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	at := func(s string) { now := local(s); f.s.Now = func() time.Time { return now } }
	p := f.pool(t, rules(0, 0, 0, 0, 0, 0, 0))
	at("2026-11-20 08:00")
	ids := f.fill(t, p, 2)
	at("2026-11-20 10:00")
	if _, err := f.s.Claim(ctx, f.salesA, ids[0]); err != nil {
		t.Fatal(err)
	}
	at("2026-11-20 13:00")
	if _, err := f.s.Release(ctx, f.salesA, ids[0], "无意向", "", nil); err != nil {
		t.Fatal(err)
	}
	at("2026-11-20 16:00")
	if _, err := f.s.Claim(ctx, f.salesB, ids[0]); err != nil {
		t.Fatal(err)
	}
	at("2026-11-20 18:00")
	if _, err := f.s.Claim(ctx, f.salesA, ids[1]); err != nil {
		t.Fatal(err)
	}
	nov := ReportFilter{From: "2026-11-01", To: "2026-11-30", PoolID: p.ID}
	check := func(when string) {
		t.Helper()
		pt, err := f.s.PoolTurnover(ctx, f.admin, nov)
		if err != nil || pt.MedianHoursToClaim == nil || !near(pt.MedianHoursToClaim, 3) {
			t.Fatalf("%s: turnover median hours to claim %v (%v), want 3", when, pt.MedianHoursToClaim, err)
		}
		st, err := f.s.PoolStats(ctx, f.admin, p.ID, local("2026-11-01 00:00"), local("2026-12-01 00:00"))
		if err != nil || st.MedianHoursToClaim == nil || !near(st.MedianHoursToClaim, 3) {
			t.Fatalf("%s: pool page median hours to claim %v (%v), want 3", when, st.MedianHoursToClaim, err)
		}
	}
	check("as claimed")
	if n, err := f.s.CheckReportTables(ctx); err != nil || n != 0 {
		t.Fatalf("check: %d differ (%v)", n, err)
	}
	if _, err := f.s.w.ExecContext(ctx, `UPDATE pool_moves SET arrived_at = arrived_at - 3600 WHERE customer_id = ? AND action = 'claim'`, ids[1]); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.s.CheckReportTables(ctx); n != 1 {
		t.Fatalf("check of a tampered arrival: %d differ, want 1", n)
	}
	if _, err := f.s.RebuildReportTables(ctx, f.s.Location); err != nil {
		t.Fatal(err)
	}
	check("after a rebuild")
	if n, _ := f.s.CheckReportTables(ctx); n != 0 {
		t.Fatalf("check after a rebuild: %d differ", n)
	}
}
