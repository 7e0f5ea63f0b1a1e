package app

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// Reports: each report is ONE build function that calls the store once and
// turns the figures into the API's JSON value, the page's tables and
// charts; the exports write the same tables. So the API, the page and the
// files cannot disagree.

// reportOut is one report's figures in every shape.
type reportOut struct {
	API    any
	Tables []*rtable
	Charts []*chart
}

// reportCtx is what a build function needs.
type reportCtx struct {
	ctx  context.Context
	u    *store.User
	l    *i18n.Localizer
	f    store.ReportFilter
	lang string
}

// reportDef is one report: its URL name, title and how it is built.
type reportDef struct {
	Name  string
	Title string // catalogue key
	Help  string // catalogue key
	build func(s *Server, r *reportCtx) (*reportOut, error)
}

// reportDefs are the reports, in menu order.
var reportDefs = []*reportDef{
	{"funnel", "reports.funnel.title", "reports.funnel.help", (*Server).buildFunnel},
	{"win-rate", "reports.winrate.title", "reports.winrate.help", (*Server).buildWinRate},
	{"sales-cycle", "reports.cycle.title", "reports.cycle.help", (*Server).buildCycle},
	{"pool-turnover", "reports.pool.title", "reports.pool.help", (*Server).buildPool},
	{"sources", "reports.sources.title", "reports.sources.help", (*Server).buildSources},
	{"leaderboard", "reports.leader.title", "reports.leader.help", (*Server).buildLeaderboard},
	{"forecast", "reports.forecast.title", "reports.forecast.help", (*Server).buildForecast},
	{"activity", "reports.activity.title", "reports.activity.help", (*Server).buildActivity},
}

func reportByName(name string) *reportDef {
	for _, d := range reportDefs {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// reportRequest reads the filter, filling the default period (this month
// up to today) so that links and exports carry explicit dates.
func (s *Server) reportRequest(c *fiber.Ctx) (*reportCtx, error) {
	f, err := reportFilter(c)
	if err != nil {
		return nil, err
	}
	f.From, f.To = s.store.FillPeriod(f.From, f.To)
	l := loc(c)
	return &reportCtx{ctx: c.UserContext(), u: currentUser(c), l: l, f: f, lang: l.Lang}, nil
}

// renderAll draws the charts that have data.
func renderAll(lang string, charts []*chart) error {
	for _, ch := range charts {
		ch.Lang = lang
		if ch.empty() {
			continue
		}
		if err := ch.render(); err != nil {
			return err
		}
	}
	return nil
}

// orNone shows an empty category as "未填写".
func orNone(l *i18n.Localizer, s string) string {
	if strings.TrimSpace(s) == "" {
		return l.T("reports.none")
	}
	return s
}

// tableChart makes a chart from one table: labels from column 0, one
// series per listed column (values from the cells).
func tableChart(id, kind, title string, t *rtable, links bool, cols ...int) *chart {
	ch := &chart{ID: id, Kind: kind, Title: title, Table: t}
	for _, col := range cols {
		ch.Series = append(ch.Series, chartSeries{Name: t.Columns[col]})
	}
	for _, row := range t.Rows {
		ch.Labels = append(ch.Labels, row[0].Text)
		link := ""
		if links {
			link = row[0].Link
		}
		ch.Links = append(ch.Links, link)
		for i, col := range cols {
			v := 0.0
			switch x := row[col].Value.(type) {
			case int:
				v = float64(x)
			case float64:
				v = x
			}
			if row[col].Style == "pct" {
				v *= 100
			}
			ch.Series[i].Values = append(ch.Series[i].Values, v)
			if row[col].Style == "money" {
				ch.Money = true
			}
		}
	}
	return ch
}

func (s *Server) buildWinRate(r *reportCtx) (*reportOut, error) {
	if r.f.GroupBy == "" {
		r.f.GroupBy = "owner"
	}
	rows, err := s.store.WinRate(r.ctx, r.u, r.f)
	if err != nil {
		return nil, err
	}
	l := r.l
	t := &rtable{Title: l.T(groupTitles[r.f.GroupBy]), Help: l.T("reports.winrate.help"), Empty: l.T("reports.empty"),
		Columns: []string{l.T(groupColumns[r.f.GroupBy]), l.T("reports.won"), l.T("reports.lost"), l.T("reports.col.won_amount"), l.T("reports.col.win_rate")}}
	for _, row := range rows {
		link := func(status string) string { return winRateDrill(r.f, row.Key, status) }
		t.Rows = append(t.Rows, []rcell{linked(txt(orNone(l, row.Label)), link("")), linked(count(row.Won), link(store.OppWon)),
			linked(count(row.Lost), link(store.OppLost)), linked(money(row.WonAmount), link(store.OppWon)), pct(row.WinRate)})
	}
	return &reportOut{API: fiber.Map{"rows": rows}, Tables: []*rtable{t}, Charts: []*chart{
		tableChart("winrate", chartBar, l.T("reports.chart.win_rate"), t, true, 4),
		tableChart("won_amount", chartBar, l.T("reports.chart.won_amount"), t, true, 3),
	}}, nil
}

// winRateDrill links a win-rate group to its deals closed in the period
// (status "" both won and lost): the person, or the opportunity's source
// or the customer's industry. The group of deals without a source or
// industry has no link: the lists cannot filter on an empty value.
func winRateDrill(f store.ReportFilter, key, status string) string {
	switch f.GroupBy {
	case "owner":
		f.OwnerID = parseID(key)
		return drill("/opportunities", f, "closed", "status", status)
	case "source", "industry":
		if key == "" {
			return ""
		}
		return drill("/opportunities", f, "closed", f.GroupBy, key, "status", status)
	}
	return ""
}

func (s *Server) buildCycle(r *reportCtx) (*reportOut, error) {
	cy, err := s.store.SalesCycle(r.ctx, r.u, r.f, r.lang)
	if err != nil {
		return nil, err
	}
	l := r.l
	won := drill("/opportunities", r.f, "closed", "status", store.OppWon)
	overall := &rtable{Title: l.T("reports.cycle.overall"), Help: l.T("reports.cycle.help"),
		Columns: []string{l.T("reports.col.won_count"), l.T("reports.col.mean_days"), l.T("reports.col.median_days")},
		Rows:    [][]rcell{{linked(count(cy.WonCount), won), days(cy.MeanDays), days(cy.MedianDays)}}}
	stages := &rtable{Title: l.T("reports.cycle.stages"), Help: l.T("reports.cycle.stages_help"),
		Columns: []string{l.T("reports.col.stage"), l.T("reports.col.deals"), l.T("reports.col.mean_days"), l.T("reports.col.median_days")}}
	for _, st := range cy.Stages {
		stages.Rows = append(stages.Rows, []rcell{linked(txt(st.Name), won), count(st.Count), days(st.MeanDays), days(st.MedianDays)})
	}
	owners := &rtable{Title: l.T("reports.cycle.owners"), Empty: l.T("reports.empty"),
		Columns: []string{l.T("reports.col.owner"), l.T("reports.col.won_count"), l.T("reports.col.mean_days"), l.T("reports.col.median_days")}}
	for _, o := range cy.Owners {
		g := r.f
		g.OwnerID = o.Owner.ID
		owners.Rows = append(owners.Rows, []rcell{linked(txt(o.Owner.Name), drill("/opportunities", g, "closed", "status", store.OppWon)), count(o.WonCount), days(o.MeanDays), days(o.MedianDays)})
	}
	stuck := &rtable{Title: l.T("reports.cycle.stuck", "N", cy.StuckDays), Help: l.T("reports.cycle.stuck_help"), Empty: l.T("reports.empty"),
		Columns: []string{l.T("reports.col.opportunity"), l.T("reports.col.customer"), l.T("reports.col.owner"), l.T("reports.col.stage"), l.T("reports.col.amount"), l.T("reports.col.days_in_stage")}}
	for _, o := range cy.Stuck {
		stuck.Rows = append(stuck.Rows, []rcell{linked(txt(o.Name), "/opportunities/"+idStr(o.ID)), txt(o.Customer.Name), txt(o.Owner.Name), txt(o.StageName), money(o.Amount), daysOf(o.Days)})
	}
	api := fiber.Map{"won_count": cy.WonCount, "mean_days": cy.MeanDays, "median_days": cy.MedianDays, "stages": cy.Stages,
		"owners": cy.Owners, "stuck_days": cy.StuckDays, "stuck": cy.Stuck}
	return &reportOut{API: api, Tables: []*rtable{overall, stages, owners, stuck}, Charts: []*chart{
		tableChart("stage_days", chartBar, l.T("reports.chart.stage_days"), stages, true, 2, 3),
		scatterChart(l, r.f, cy),
	}}, nil
}

// scatterChart plots won deals: amount against cycle days, the days cut
// into ten equal ranges (the library's scatter has a category x axis).
func scatterChart(l *i18n.Localizer, f store.ReportFilter, cy *store.SalesCycle) *chart {
	t := &rtable{Title: l.T("reports.chart.scatter"), Empty: l.T("reports.empty"),
		Columns: []string{l.T("reports.col.opportunity"), l.T("reports.col.cycle_days"), l.T("reports.col.amount")}}
	maxDays := 0.0
	for _, p := range cy.Points {
		maxDays = max(maxDays, p.Days)
		t.Rows = append(t.Rows, []rcell{linked(txt("#"+idStr(p.ID)), "/opportunities/"+idStr(p.ID)), daysOf(p.Days), money(p.Amount)})
	}
	ch := &chart{ID: "scatter", Kind: chartScatter, Title: t.Title, Table: t, Money: true}
	width := int(maxDays/10) + 1
	for i := 0; i < 10; i++ {
		ch.Labels = append(ch.Labels, l.T("reports.days_range", "From", i*width, "To", (i+1)*width))
		ch.Links = append(ch.Links, drill("/opportunities", f, "closed", "status", store.OppWon))
		ch.Points = append(ch.Points, []float64{})
	}
	for _, p := range cy.Points {
		i := min(int(p.Days)/width, 9)
		ch.Points[i] = append(ch.Points[i], float64(p.Amount)/100)
	}
	return ch
}

func (s *Server) buildPool(r *reportCtx) (*reportOut, error) {
	pt, err := s.store.PoolTurnover(r.ctx, r.u, r.f)
	if err != nil {
		return nil, err
	}
	l := r.l
	history := ""
	if r.f.PoolID > 0 {
		history = "/pools/" + idStr(r.f.PoolID)
	}
	cell := func(n int) rcell { return linked(count(n), history) }
	figures := &rtable{Title: l.T("reports.pool.figures"), Help: l.T("reports.pool.help"),
		Columns: []string{l.T("reports.col.measure"), l.T("reports.col.value")},
		Rows: [][]rcell{
			{txt(l.T("reports.pool.entered")), cell(pt.Entered)},
			{txt(l.T("reports.pool.claimed")), cell(pt.Claimed)},
			{txt(l.T("reports.pool.released")), cell(pt.Released)},
			{txt(l.T("reports.pool.recycled")), cell(pt.Recycled)},
			{txt(l.T("reports.pool.assigned")), cell(pt.Assigned)},
			{txt(l.T("reports.pool.in_pool")), cell(pt.InPool)},
			{txt(l.T("reports.pool.claim_rate")), pct(pt.ClaimRate)},
			{txt(l.T("reports.pool.median_hours")), days(pt.MedianHoursToClaim)},
		}}
	reasons := &rtable{Title: l.T("reports.pool.release_reasons"), Empty: l.T("reports.empty"), Columns: []string{l.T("reports.col.reason"), l.T("reports.col.count")}}
	for _, rc := range pt.ReleaseReasons {
		reasons.Rows = append(reasons.Rows, []rcell{linked(txt(orNone(l, rc.Reason)), history), count(rc.Count)})
	}
	rules := &rtable{Title: l.T("reports.pool.recycle_rules"), Empty: l.T("reports.empty"), Columns: []string{l.T("reports.col.rule"), l.T("reports.col.count")}}
	for _, rc := range pt.RecycleRules {
		rules.Rows = append(rules.Rows, []rcell{txt(ruleLabel(l, rc.Reason)), count(rc.Count)})
	}
	often := &rtable{Title: l.T("reports.pool.often"), Help: l.T("reports.pool.often_help"), Empty: l.T("reports.empty"), Columns: []string{l.T("reports.col.customer"), l.T("reports.col.recycles")}}
	for _, rc := range pt.RecycledOften {
		often.Rows = append(often.Rows, []rcell{linked(txt(rc.Customer.Name), "/customers/"+idStr(rc.Customer.ID)), count(rc.Count)})
	}
	return &reportOut{API: pt, Tables: []*rtable{figures, reasons, rules, often}, Charts: []*chart{
		tableChart("release_reasons", chartDoughnut, l.T("reports.chart.release_reasons"), reasons, true, 1),
	}}, nil
}

func (s *Server) buildSources(r *reportCtx) (*reportOut, error) {
	rows, err := s.store.SourcesReport(r.ctx, r.u, r.f)
	if err != nil {
		return nil, err
	}
	l := r.l
	t := &rtable{Title: l.T("reports.sources.title"), Help: l.T("reports.sources.help"), Empty: l.T("reports.empty"),
		Columns: []string{l.T("reports.col.source"), l.T("reports.col.leads"), l.T("reports.col.claimed"), l.T("reports.col.customers"), l.T("reports.col.won_amount"), l.T("reports.col.conversion")}}
	for _, row := range rows {
		link := drill("/customers", r.f, "created", "source", row.Source)
		t.Rows = append(t.Rows, []rcell{linked(txt(orNone(l, row.Source)), link), linked(count(row.Leads), link), count(row.Claimed),
			linked(count(row.Customers), drill("/customers", r.f, "created", "source", row.Source, "status", store.StatusCustomer)), money(row.WonAmount), pct(row.ConversionRate)})
	}
	return &reportOut{API: fiber.Map{"rows": rows}, Tables: []*rtable{t}, Charts: []*chart{
		tableChart("sources", chartBar, l.T("reports.chart.sources"), t, true, 1, 3),
		tableChart("sources_won", chartBar, l.T("reports.chart.won_amount"), t, true, 4),
	}}, nil
}

func (s *Server) buildLeaderboard(r *reportCtx) (*reportOut, error) {
	rows, err := s.store.Leaderboard(r.ctx, r.u, r.f)
	if err != nil {
		return nil, err
	}
	return leaderboardOut(r, rows), nil
}

// leaderboardOut shapes the leaderboard rows (the dashboard shows its first chart).
func leaderboardOut(r *reportCtx, rows []store.LeaderRow) *reportOut {
	l := r.l
	t := &rtable{Title: l.T("reports.leader.title"), Help: l.T("reports.leader.help"), Empty: l.T("reports.empty"),
		Columns: []string{l.T("reports.col.owner"), l.T("reports.col.won_amount"), l.T("reports.col.won_count"), l.T("reports.col.new_customers"), l.T("reports.col.followups")}}
	for _, row := range rows {
		g := r.f
		g.OwnerID = row.Owner.ID
		wonLink := drill("/opportunities", g, "closed", "status", store.OppWon)
		t.Rows = append(t.Rows, []rcell{linked(txt(row.Owner.Name), wonLink), linked(money(row.WonAmount), wonLink), count(row.WonCount),
			linked(count(row.NewCustomers), drill("/customers", g, "created")), count(row.Followups)})
	}
	return &reportOut{API: fiber.Map{"rows": rows}, Tables: []*rtable{t}, Charts: []*chart{
		tableChart("leader_won", chartBar, l.T("reports.chart.won_by_person"), t, true, 1),
		tableChart("leader_followups", chartBar, l.T("reports.chart.followups_by_person"), t, true, 4),
	}}
}

func (s *Server) buildForecast(r *reportCtx) (*reportOut, error) {
	fc, err := s.store.ForecastByMonth(r.ctx, r.u, r.f)
	if err != nil {
		return nil, err
	}
	l := r.l
	t := &rtable{Title: l.T("reports.forecast.title"), Help: l.T("reports.forecast.help"), Empty: l.T("reports.empty"),
		Columns: []string{l.T("reports.col.month"), l.T("reports.col.count"), l.T("reports.col.amount"), l.T("reports.col.weighted")}}
	for _, m := range fc.Months {
		from, to := monthDays(m.Month)
		link := drill("/opportunities", r.f, "created", "status", store.OppOpen, "close_from", from, "close_to", to)
		t.Rows = append(t.Rows, []rcell{linked(txt(orNone(l, m.Month)), link), count(m.Count), money(m.Amount), money(m.Weighted)})
	}
	t.Rows = append(t.Rows, []rcell{txt(l.T("reports.total")), count(fc.OpenCount), money(fc.OpenAmount), money(fc.Weighted)})
	ch := tableChart("forecast", chartBar, l.T("reports.chart.forecast"), &rtable{Columns: t.Columns, Rows: t.Rows[:len(t.Rows)-1]}, true, 2, 3)
	ch.Table = t
	return &reportOut{API: fc, Tables: []*rtable{t}, Charts: []*chart{ch}}, nil
}

func (s *Server) buildActivity(r *reportCtx) (*reportOut, error) {
	var trend []store.TrendPoint
	var comp *store.Composition
	err := store.Parallel(func() (err error) {
		trend, err = s.store.Trends(r.ctx, r.u, r.f)
		return err
	}, func() (err error) {
		comp, err = s.store.CustomerComposition(r.ctx, r.u, r.f)
		return err
	})
	if err != nil {
		return nil, err
	}
	l := r.l
	t := trendTable(l, r.f, trend)
	ind := &rtable{Title: l.T("reports.activity.industries"), Empty: l.T("reports.empty"), Columns: []string{l.T("reports.col.industry"), l.T("reports.col.customers")}}
	for _, c := range comp.Industries {
		ind.Rows = append(ind.Rows, []rcell{linked(txt(orNone(l, c.Label)), drill("/customers", r.f, "created", "industry", c.Label)), count(c.Count)})
	}
	lev := &rtable{Title: l.T("reports.activity.levels"), Empty: l.T("reports.empty"), Columns: []string{l.T("reports.col.level"), l.T("reports.col.customers")}}
	for _, c := range comp.Levels {
		label := l.T("reports.level_none")
		if c.Label != "" {
			label = l.T("reports.level", "Level", c.Label)
		}
		lev.Rows = append(lev.Rows, []rcell{linked(txt(label), drill("/customers", r.f, "created", "level", c.Label)), count(c.Count)})
	}
	return &reportOut{API: fiber.Map{"trend": trend, "composition": comp}, Tables: []*rtable{t, ind, lev}, Charts: []*chart{
		tableChart("trend", chartLine, l.T("reports.chart.trend"), t, true, 1, 2),
		tableChart("trend_won", chartLine, l.T("reports.chart.won_trend"), t, true, 3),
		tableChart("industries", chartPie, l.T("reports.chart.industries"), ind, true, 1),
		tableChart("levels", chartDoughnut, l.T("reports.chart.levels"), lev, true, 1),
	}}, nil
}

// trendTable is the trend per day, week or month; each step links to the
// customers created in it.
func trendTable(l *i18n.Localizer, f store.ReportFilter, trend []store.TrendPoint) *rtable {
	t := &rtable{Title: l.T("reports.activity.trend"), Help: l.T("reports.activity.help"),
		Columns: []string{l.T("reports.col.period"), l.T("reports.col.new_customers"), l.T("reports.col.followups"), l.T("reports.col.won_amount")}}
	for _, p := range trend {
		g := f
		g.From, g.To = p.From, p.To
		t.Rows = append(t.Rows, []rcell{linked(txt(p.Label), drill("/customers", g, "created")), count(p.NewCustomers), count(p.Followups), money(p.WonAmount)})
	}
	return t
}

func parseID(s string) int64 {
	var n int64
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int64(r-'0')
	}
	return n
}

// The win-rate groupings' titles and column headers.
var (
	groupTitles  = map[string]string{"owner": "reports.winrate.by_owner", "source": "reports.winrate.by_source", "industry": "reports.winrate.by_industry"}
	groupColumns = map[string]string{"owner": "reports.col.group_owner", "source": "reports.col.group_source", "industry": "reports.col.group_industry"}
)

// ruleLabel names a recycle rule as the pool pages do.
func ruleLabel(l *i18n.Localizer, rule string) string {
	switch rule {
	case store.RecycleNoFollowup:
		return l.T("pools.recycle_rule.no_followup")
	case store.RecycleNoDeal:
		return l.T("pools.recycle_rule.no_deal")
	}
	return rule
}

// monthDays returns the first and last day of a YYYY-MM month ("" for none).
func monthDays(month string) (from, to string) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return "", ""
	}
	return t.Format("2006-01-02"), t.AddDate(0, 1, -1).Format("2006-01-02")
}
