package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// poolRuleCols are the numeric pool rules in the order the form and the
// summaries show them; each is also the form field's name.
var poolRuleCols = []string{"claim_daily_limit", "max_owned", "reclaim_cooldown_days",
	"recycle_no_followup_days", "recycle_no_deal_days", "recycle_warn_days", "max_locked"}

// ruleValue reads one numeric rule of a pool by its column name.
func ruleValue(r store.PoolRules, col string) int {
	switch col {
	case "claim_daily_limit":
		return r.ClaimDailyLimit
	case "max_owned":
		return r.MaxOwned
	case "reclaim_cooldown_days":
		return r.ReclaimCooldownDays
	case "recycle_no_followup_days":
		return r.RecycleNoFollowupDays
	case "recycle_no_deal_days":
		return r.RecycleNoDealDays
	case "recycle_warn_days":
		return r.RecycleWarnDays
	case "max_locked":
		return r.MaxLocked
	}
	return 0
}

// poolHelpers are the small formatting methods the pool templates call as
// {{$.P.InPool .PoolEnteredAt}}, in the user's language and the company
// time zone.
type poolHelpers struct {
	l    *i18n.Localizer
	zone *time.Location
	now  time.Time
}

func (s *Server) poolHelpers(c *fiber.Ctx) poolHelpers {
	return poolHelpers{l: loc(c), zone: s.cfg.Location, now: s.store.Now()}
}

// Since says how long ago t was, coarsely: "3 天", "5 小时", "刚刚".
func (h poolHelpers) Since(t *time.Time) string {
	if t == nil {
		return ""
	}
	d := h.now.Sub(*t)
	switch {
	case d >= 24*time.Hour:
		return h.l.T("pools.dur.days", "N", int(d.Hours()/24))
	case d >= time.Hour:
		return h.l.T("pools.dur.hours", "N", int(d.Hours()))
	case d >= time.Minute:
		return h.l.T("pools.dur.minutes", "N", int(d.Minutes()))
	}
	return h.l.T("pools.dur.now")
}

// Action is the label of a pool move (领取, 退回 …).
func (h poolHelpers) Action(a string) string {
	key := "pools.action." + a
	return h.l.T(key)
}

// Rule is the label of a recycle rule (未跟进, 未成交); other reasons
// (release reasons typed by people) show as they are.
func (h poolHelpers) Rule(r string) string {
	if key := "pools.recycle_rule." + r; i18n.Has(h.l.Lang, key) {
		return h.l.T(key)
	}
	return r
}

// Hours formats median hours to claim with one decimal, "—" when unknown.
func (h poolHelpers) Hours(v *float64) string {
	if v == nil {
		return "—"
	}
	return h.l.T("pools.dur.hours_f", "N", formatFloat1(*v))
}

func formatFloat1(v float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0")
}

// DateTime shows a time in the company zone.
func (h poolHelpers) DateTime(t time.Time) string { return t.In(h.zone).Format("2006-01-02 15:04") }

// Date shows a day in the company zone.
func (h poolHelpers) Date(t time.Time) string { return t.In(h.zone).Format("2006-01-02") }

// Countdown says when an owned customer drops back into its pool and
// why: "12 天后退回公海（未跟进）"; "" when no rule applies.
func (h poolHelpers) Countdown(due *store.RecycleDue) string {
	if due == nil {
		return ""
	}
	day := func(x time.Time) time.Time {
		y, m, d := x.In(h.zone).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	days := int(day(due.At).Sub(day(h.now)).Hours() / 24)
	rule := h.Rule(due.Rule)
	switch {
	case !due.At.After(h.now):
		return h.l.T("pools.countdown.due", "Rule", rule)
	case days <= 0:
		return h.l.T("pools.countdown.today", "Rule", rule)
	}
	return h.l.T("pools.countdown.days", "N", days, "Rule", rule)
}

// Soon reports whether a countdown is within the warning days, so the
// page can colour it.
func (h poolHelpers) Soon(due *store.RecycleDue, warnDays int) bool {
	return due != nil && due.At.Before(h.now.AddDate(0, 0, max(warnDays, 3)))
}

// ruleSummary says a pool's rules in plain words, one short phrase per
// rule that is on ("每天最多领取 10 个").
func ruleSummary(l *i18n.Localizer, r store.PoolRules) []string {
	var out []string
	for _, col := range poolRuleCols {
		if n := ruleValue(r, col); n > 0 {
			key := "pools.sum." + col
			out = append(out, l.T(key, "N", n))
		}
	}
	if r.RecycleNoFollowupDays == 0 && r.RecycleNoDealDays == 0 {
		out = append(out, l.T("pools.sum.no_recycle"))
	}
	if r.HideContactInfo {
		out = append(out, l.T("pools.sum.hide_contact_info"))
	}
	return out
}

// poolScope says who sees a pool: 全公司, or the departments' names.
func poolScope(l *i18n.Localizer, p *store.Pool, deptNames map[int64]string) string {
	if p.Scope != "departments" {
		return l.T("pools.scope.company")
	}
	names := ""
	for i, id := range p.DepartmentIDs {
		if i > 0 {
			names += l.T("pools.list_sep")
		}
		names += deptNames[id]
	}
	return l.T("pools.scope.departments_named", "Names", names)
}

// departmentNames maps department ids to names.
func (s *Server) departmentNames(c *fiber.Ctx) (map[int64]string, []*store.Department, error) {
	deps, err := s.store.Departments(c.UserContext())
	if err != nil {
		return nil, nil, err
	}
	m := make(map[int64]string, len(deps))
	for _, d := range deps {
		m[d.ID] = d.Name
	}
	return m, deps, nil
}

// recycleCountdowns computes the "12 天后退回公海" text of each owned
// customer in items, keyed by customer id, for the owner's customer list:
// {{index $.Countdowns .ID}}. Pools are loaded once per page.
func (s *Server) recycleCountdowns(c *fiber.Ctx, items []*store.Customer) (map[int64]string, error) {
	return s.countdownTexts(c.UserContext(), currentUser(c), s.poolHelpers(c), items)
}

func (s *Server) countdownTexts(ctx context.Context, u *store.User, h poolHelpers, items []*store.Customer) (map[int64]string, error) {
	out := map[int64]string{}
	byID, err := s.store.PoolRulesByID(ctx)
	if err != nil {
		return nil, err
	}
	for _, cust := range items {
		if cust.Owner == nil || cust.HomePoolID == nil || cust.OwnedSince == nil {
			continue
		}
		var due *store.RecycleDue
		if p, ok := byID[*cust.HomePoolID]; ok {
			d, fires := p.NextRecycle(store.RecycleFacts{Level: cust.Level, Status: cust.Status, Locked: cust.Locked,
				OwnedSince: *cust.OwnedSince, LastFollowupAt: cust.LastFollowupAt})
			if fires {
				due = &d
			}
		} else if due, err = s.store.RecycleCountdown(ctx, cust); err != nil {
			return nil, err
		}
		if txt := h.Countdown(due); txt != "" {
			out[cust.ID] = txt
		}
	}
	return out, nil
}
