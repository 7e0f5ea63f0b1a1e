package app

import (
	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// buildFunnel is the sales funnel report: per open stage the deals open in
// it now and those that reached it (furthest stage, store.SalesFunnel),
// ending with the won layer; won, lost and the win rate by closing date;
// the lost reasons. The funnel chart draws the reached layers, which
// never grow from one stage to the next.
func (s *Server) buildFunnel(r *reportCtx) (*reportOut, error) {
	var fu *store.SalesFunnel
	var lost []store.ReasonCount
	err := store.Parallel(func() (err error) {
		fu, err = s.store.SalesFunnel(r.ctx, r.u, r.f, r.lang)
		return err
	}, func() (err error) {
		lost, err = s.store.LostReasonCounts(r.ctx, r.u, r.f)
		return err
	})
	if err != nil {
		return nil, err
	}
	l := r.l
	stages := funnelTable(l, r.f, fu)
	won := drill("/opportunities", r.f, "closed", "status", store.OppWon)
	lostLink := drill("/opportunities", r.f, "closed", "status", store.OppLost)
	summary := &rtable{Title: l.T("reports.funnel.closed"), Help: l.T("reports.funnel.closed_help"),
		Columns: []string{l.T("reports.col.measure"), l.T("reports.col.count"), l.T("reports.col.amount")},
		Rows: [][]rcell{
			{linked(txt(l.T("reports.won")), won), linked(count(fu.Won.Count), won), linked(money(fu.Won.Amount), won)},
			{linked(txt(l.T("reports.lost")), lostLink), linked(count(fu.Lost.Count), lostLink), linked(money(fu.Lost.Amount), lostLink)},
			{txt(l.T("reports.col.win_rate")), pct(fu.WinRate), txt("")},
		}}
	reasons := &rtable{Title: l.T("reports.funnel.lost_reasons"), Columns: []string{l.T("reports.col.reason"), l.T("reports.col.count")}, Empty: l.T("reports.empty")}
	for _, rc := range lost {
		reasons.Rows = append(reasons.Rows, []rcell{linked(txt(orNone(l, rc.Reason)), lostLink), count(rc.Count)})
	}
	return &reportOut{API: fu, Tables: []*rtable{stages, summary, reasons}, Charts: []*chart{
		funnelChart("funnel", l, stages),
		tableChart("lost", chartPie, l.T("reports.chart.lost_reasons"), reasons, true, 1),
	}}, nil
}

// funnelChart draws a funnel table's reached layers (the report's and the
// home dashboard's funnel are the same chart).
func funnelChart(id string, l *i18n.Localizer, stages *rtable) *chart {
	c := tableChart(id, chartFunnel, l.T("reports.funnel.chart_reached"), stages, true, 1)
	c.Help = l.T("reports.funnel.reached_help")
	return c
}

// funnelTable has a row per open stage — reached (count, amount; links to
// those that reached it), conversion from the previous row, now in it
// (count, amount; links to those open in it) — and the won layer. The
// stage name links like the reached figures: the chart drills there.
func funnelTable(l *i18n.Localizer, f store.ReportFilter, fu *store.SalesFunnel) *rtable {
	t := &rtable{Title: l.T("reports.funnel.stages"), Help: l.T("reports.funnel.stages_help"), Class: "funnel-table",
		Columns: []string{l.T("reports.col.stage"), l.T("reports.funnel.col_reached_count"), l.T("reports.funnel.col_reached_amount"),
			l.T("reports.funnel.col_conversion"), l.T("reports.funnel.col_now_count"), l.T("reports.funnel.col_now_amount")}}
	for _, st := range fu.Stages {
		now := drill("/opportunities", f, "created", "stage_id", idStr(st.StageID), "status", store.OppOpen)
		reached := drill("/opportunities", f, "created", "reached_stage", idStr(st.StageID))
		t.Rows = append(t.Rows, []rcell{linked(txt(st.Name), reached), linked(count(st.ReachedCount), reached), linked(money(st.ReachedAmount), reached),
			pct(st.Conversion), linked(count(st.Count), now), linked(money(st.Amount), now)})
	}
	won := drill("/opportunities", f, "created", "status", store.OppWon)
	w, none := fu.ReachedWon, rcell{Text: "—", Value: "", Num: true}
	t.Rows = append(t.Rows, []rcell{linked(txt(l.T("reports.funnel.won_layer")), won), linked(count(w.Count), won), linked(money(w.Amount), won),
		pct(w.Conversion), none, none})
	return t
}
