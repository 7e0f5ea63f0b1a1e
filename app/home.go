package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// The home page is the dashboard (工作台): KPI cards for the chosen period
// with the change against the period before, my tasks today, customers
// about to drop back to a pool, and a few charts — each figure from the
// same store reports as the report pages and GET /api/v1/reports/dashboard.

// dashLimit bounds the task and about-to-drop lists; dashTop the people
// in the dashboard's leaderboard chart.
const (
	dashLimit = 8
	dashTop   = 10
)

// kpiCard is one KPI with its change against the previous period.
type kpiCard struct {
	Label  string
	Help   string
	Value  string
	Prev   string
	Change string // "+12.5%", "−3.0%", "" when there is nothing to compare
	Up     bool
	Link   string
}

// dashboard is the home dashboard's figures.
type dashboard struct {
	Period      string              `json:"period"`
	From        string              `json:"from"`
	To          string              `json:"to"`
	PrevFrom    string              `json:"previous_from"`
	PrevTo      string              `json:"previous_to"`
	KPIs        *store.KPIs         `json:"kpis"`
	Previous    *store.KPIs         `json:"previous"`
	TasksToday  []store.TaskToday   `json:"tasks_today"`
	AboutToDrop []store.AboutToDrop `json:"about_to_drop"`
	Funnel      *store.SalesFunnel  `json:"funnel"`
	Trend       []store.TrendPoint  `json:"trend"`
	Leaders     []store.LeaderRow   `json:"leaderboard"`
	cards       []kpiCard
	charts      []*chart
}

// buildDashboard computes the dashboard for the request's period.
func (s *Server) buildDashboard(c *fiber.Ctx) (*dashboard, error) {
	ctx, u, l := c.UserContext(), currentUser(c), loc(c)
	period := strings.TrimSpace(c.Query("period", "month"))
	cur, prev, err := s.store.PeriodRange(period, strings.TrimSpace(c.Query("from")), strings.TrimSpace(c.Query("to")))
	if err != nil {
		return nil, err
	}
	f := store.ReportFilter{From: cur[0], To: cur[1]}
	pf := store.ReportFilter{From: prev[0], To: prev[1]}
	d := &dashboard{Period: period, From: cur[0], To: cur[1], PrevFrom: prev[0], PrevTo: prev[1]}
	d.Leaders = []store.LeaderRow{}
	// The parts are independent reads: side by side they take as long as
	// the slowest one rather than the sum (store.Parallel).
	err = store.Parallel(func() (err error) {
		d.KPIs, err = s.store.KPIs(ctx, u, f)
		return err
	}, func() (err error) {
		d.Previous, err = s.store.KPIs(ctx, u, pf)
		return err
	}, func() (err error) {
		d.TasksToday, err = s.store.TasksDueToday(ctx, u, dashLimit)
		return err
	}, func() (err error) {
		d.AboutToDrop, err = s.store.CustomersAboutToDrop(ctx, u, f, dashLimit)
		return err
	}, func() (err error) {
		d.Funnel, err = s.store.SalesFunnel(ctx, u, f, l.Lang)
		return err
	}, func() (err error) {
		d.Trend, err = s.store.Trends(ctx, u, f)
		return err
	}, func() (err error) {
		if u.IsManager() {
			d.Leaders, err = s.store.Leaderboard(ctx, u, f)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// decorate adds the cards and charts the page shows.
func (s *Server) decorate(c *fiber.Ctx, d *dashboard) error {
	l := loc(c)
	f := store.ReportFilter{From: d.From, To: d.To}
	k, p := d.KPIs, d.Previous
	opps, custs := "/opportunities", "/customers"
	d.cards = []kpiCard{
		card(l.T("reports.kpi.new_customers"), l.T("reports.kpi.new_customers_help"), count(k.NewCustomers), count(p.NewCustomers), float64(k.NewCustomers), float64(p.NewCustomers), drill(custs, f, "created")),
		card(l.T("reports.kpi.followups"), l.T("reports.kpi.followups_help"), count(k.Followups), count(p.Followups), float64(k.Followups), float64(p.Followups), ""),
		card(l.T("reports.kpi.opps_created"), l.T("reports.kpi.opps_created_help"), count(k.OppsCreated), count(p.OppsCreated), float64(k.OppsCreated), float64(p.OppsCreated), drill(opps, f, "created")),
		card(l.T("reports.kpi.won_amount"), l.T("reports.kpi.won_amount_help"), money(k.WonAmount), money(p.WonAmount), float64(k.WonAmount), float64(p.WonAmount), drill(opps, f, "closed", "status", store.OppWon)),
		card(l.T("reports.kpi.win_rate"), l.T("reports.kpi.win_rate_help"), pct(k.WinRate), pct(p.WinRate), deref0(k.WinRate), deref0(p.WinRate), drill(opps, f, "closed")),
		card(l.T("reports.kpi.pool_claims"), l.T("reports.kpi.pool_claims_help"), count(k.PoolClaims), count(p.PoolClaims), float64(k.PoolClaims), float64(p.PoolClaims), ""),
	}
	if k.WinRate == nil || p.WinRate == nil {
		d.cards[4].Change = ""
	}
	r := &reportCtx{ctx: c.UserContext(), u: currentUser(c), l: l, f: f, lang: l.Lang}
	stages := funnelTable(l, f, d.Funnel)
	trend := trendTable(l, f, d.Trend)
	d.charts = []*chart{
		funnelChart("dash_funnel", l, stages),
		tableChart("dash_trend", chartLine, l.T("reports.chart.trend"), trend, true, 1, 2),
	}
	if len(d.Leaders) > 0 {
		// The dashboard shows the top ten; the leaderboard report has everyone.
		d.charts = append(d.charts, leaderboardOut(r, d.Leaders[:min(len(d.Leaders), dashTop)]).Charts[0])
	}
	return renderAll(l.Lang, d.charts)
}

func deref0(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// card builds a KPI card; the change is relative to the previous value
// (none when the previous value is 0).
func card(label, help string, cur, prev rcell, v, pv float64, link string) kpiCard {
	k := kpiCard{Label: label, Help: help, Value: cur.Text, Prev: prev.Text, Link: link}
	if pv != 0 {
		ch := (v - pv) / pv
		k.Up = ch >= 0
		k.Change = pct(&ch).Text
		if k.Up {
			k.Change = "+" + k.Change
		}
	}
	return k
}

// home renders the dashboard; a bad custom period shows the message by
// the date fields and this month's figures.
func (s *Server) home(c *fiber.Ctx) error {
	data := s.page(c, "home.title")
	u := currentUser(c)
	if u.IsAdmin() {
		first, err := s.firstRun(c)
		if err != nil {
			return err
		}
		data["FirstRun"] = first
	}
	d, err := s.buildDashboard(c)
	status := fiber.StatusOK
	if err != nil {
		if !userFacing(err) {
			return err
		}
		data["Errors"], status = fieldMessages(c, err), fiber.StatusBadRequest
		c.Request().URI().QueryArgs().Set("period", "month")
		if d, err = s.buildDashboard(c); err != nil {
			return err
		}
	}
	if err := s.decorate(c, d); err != nil {
		return err
	}
	data["D"], data["Cards"], data["Charts"], data["Periods"] = d, d.cards, d.charts, store.Periods
	data["Custom"] = fiber.Map{"from": c.Query("from", d.From), "to": c.Query("to", d.To)}
	return c.Status(status).Render("home/index", data)
}

// firstRun says whether the admin's setup checklist still applies: no
// departments yet, or no user besides the admins.
func (s *Server) firstRun(c *fiber.Ctx) (bool, error) {
	deps, err := s.store.Departments(c.UserContext())
	if err != nil {
		return false, err
	}
	users, err := s.store.Users(c.UserContext())
	if err != nil {
		return false, err
	}
	others := 0
	for _, u := range users {
		if !u.IsAdmin() {
			others++
		}
	}
	return len(deps) == 0 || others == 0, nil
}

func (s *Server) apiDashboard(c *fiber.Ctx) error {
	d, err := s.buildDashboard(c)
	if err != nil {
		return err
	}
	return c.JSON(d)
}
