package app

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// pipeView are the formatting helpers of the pipeline templates
// ({{$.P.Days .StageEnteredAt}}), on top of the customer page's.
type pipeView struct{ viewHelpers }

// pipe returns the pipeline view helpers for this request.
func (s *Server) pipe(c *fiber.Ctx) pipeView { return pipeView{s.helpers(c)} }

// Days says how long ago t was in whole days: "3 天" / "3 d".
func (p pipeView) Days(t time.Time) string {
	return p.Span(p.now.Sub(t))
}

// Span says how long a stay lasted: hours below one day, else days.
func (p pipeView) Span(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < 24*time.Hour {
		return p.l.T("pipe.hours", "N", int(d/time.Hour))
	}
	return p.l.T("pipe.days", "N", int(d/(24*time.Hour)))
}

// Status is the label of an opportunity status.
func (p pipeView) Status(status string) string { return p.label("pipe.status.", status) }

// StatusClass is the badge modifier of a status or stage kind.
func (p pipeView) StatusClass(status string) string {
	switch status {
	case store.OppWon:
		return "badge-success"
	case store.OppLost:
		return "badge-danger"
	}
	return "badge-info"
}

// Yuan shows fen as a plain number for an input: 12800.00.
func (p pipeView) Yuan(fen int64) string {
	return strings.TrimPrefix(strings.ReplaceAll(store.FormatMoney(fen), ",", ""), "¥")
}

// Kind is the label of a stage kind.
func (p pipeView) Kind(kind string) string { return p.label("pipe.kind.", kind) }

// Percent shows a probability.
func (p pipeView) Percent(n int) string { return strconv.Itoa(n) + "%" }

// stageSplit picks one language's half of a "中文名|English name" stage
// label written by the store into the timeline.
func stageSplit(v, lang string) string {
	zh, en, ok := strings.Cut(v, "|")
	if !ok {
		return v
	}
	if lang == "en" {
		return en
	}
	return zh
}

// filterChoices are the owner and department options of the board and
// list filters: only managers and admins get them.
func (s *Server) filterChoices(c *fiber.Ctx, data fiber.Map) error {
	u := currentUser(c)
	if !u.IsManager() {
		return nil
	}
	owners, err := s.store.Assignees(c.UserContext(), u)
	if err != nil {
		return err
	}
	deps, err := s.store.Departments(c.UserContext())
	if err != nil {
		return err
	}
	data["Owners"], data["Departments"] = owners, deps
	return nil
}

// filterValues keeps the raw filter inputs for the filter bar.
func filterValues(c *fiber.Ctx) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"owner", "department_id", "close_from", "close_to", "stage_id", "status"} {
		out[k] = strings.TrimSpace(c.Query(k))
	}
	return out
}

// keepQuery is the current query string without the given keys.
func keepQuery(c *fiber.Ctx, drop ...string) url.Values {
	v := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, val []byte) {
		key := string(k)
		for _, d := range drop {
			if d == key {
				return
			}
		}
		if len(val) > 0 {
			v.Add(key, string(val))
		}
	})
	return v
}

// stageOf finds a stage by id in a list.
func stageOf(stages []*store.Stage, id int64) *store.Stage {
	for _, st := range stages {
		if st.ID == id {
			return st
		}
	}
	return nil
}

// customerOpportunities lists a customer's opportunities for its page.
func (s *Server) customerOpportunities(ctx context.Context, u *store.User, customerID int64, lang string) ([]*store.Opportunity, error) {
	page, err := s.store.ListOpportunities(ctx, u, store.OppQuery{CustomerID: customerID, PerPage: 50})
	if err != nil {
		return nil, err
	}
	for _, o := range page.Items {
		o.Localize(lang)
	}
	return page.Items, nil
}

// Who names the person of a history row ("系统" when none).
func (p pipeView) Who(r *store.Ref) string {
	if r == nil {
		return p.l.T("tl.system")
	}
	return r.Name
}
