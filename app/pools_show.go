package app

import (
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// poolResult is one customer's outcome of a bulk claim or assignment, as
// the pool page lists it.
type poolResult struct {
	CustomerID int64
	Name       string
	OK         bool
	Message    string
}

// poolOutcome is what the pool page shows after a claim or assignment:
// a summary line (success or refusal) and the per-customer results.
type poolOutcome struct {
	Summary string
	Failed  bool
	Results []poolResult
}

// poolPageData loads what every tab of a pool page shares: the pool, its
// scope in words, its rules, and which tabs the user may open.
func (s *Server) poolPageData(c *fiber.Ctx, tab string) (fiber.Map, *store.Pool, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, nil, err
	}
	u := currentUser(c)
	p, err := s.store.Pool(c.UserContext(), u, id)
	if err != nil {
		return nil, nil, err
	}
	names, _, err := s.departmentNames(c)
	if err != nil {
		return nil, nil, err
	}
	l := loc(c)
	data := s.page(c, p.Name)
	data["Pool"] = p
	data["ScopeText"] = poolScope(l, p, names)
	data["Rules"] = ruleSummary(l, p.PoolRules)
	data["Tab"] = tab
	data["CanManage"] = u.IsManager()
	data["P"] = s.poolHelpers(c)
	return data, p, nil
}

// poolShow is a pool's customer list (公海客户): the customer list's
// search, filters and sort, with claim and assignment.
func (s *Server) poolShow(c *fiber.Ctx) error {
	return s.renderPoolCustomers(c, fiber.StatusOK, nil)
}

func (s *Server) renderPoolCustomers(c *fiber.Ctx, status int, outcome *poolOutcome) error {
	data, p, err := s.poolPageData(c, "customers")
	if err != nil {
		return err
	}
	u := currentUser(c)
	q, err := customerQuery(c)
	if err != nil {
		return err
	}
	q.PoolID, q.Owner, q.Status = p.ID, "", ""
	if q.PerPage == 0 {
		q.PerPage = 50
	}
	list, err := s.store.ListCustomers(c.UserContext(), u, q)
	if err != nil {
		return err
	}
	colors, tags, err := s.tagColors(c.UserContext())
	if err != nil {
		return err
	}
	sources, err := s.store.Sources(c.UserContext())
	if err != nil {
		return err
	}
	data["List"] = list
	data["Query"] = q
	data["Filtered"] = q.Q != "" || q.Level != "" || q.Source != "" || q.Tag != ""
	data["TagColors"] = colors
	data["Tags"] = tags
	data["Sources"] = sources
	data["Levels"] = store.Levels
	data["Sorts"] = store.CustomerSorts
	data["Outcome"] = outcome
	if u.IsManager() {
		assignees, err := s.store.Assignees(c.UserContext(), u)
		if err != nil {
			return err
		}
		data["Assignees"] = assignees
	}
	base := "/pools/" + strconv.FormatInt(p.ID, 10)
	keep := queryWithout(c, "cursor", "page")
	data["FirstURL"] = base + "?" + keep.Encode()
	data["ClaimURL"] = base + "/claim?" + keep.Encode()
	data["AssignURL"] = base + "/assign?" + keep.Encode()
	if list.NextCursor != "" {
		next := queryWithout(c, "cursor", "page")
		next.Set("cursor", list.NextCursor)
		data["NextURL"] = base + "?" + next.Encode()
	}
	return c.Status(status).Render("pools/show", data)
}

// selectedIDs reads the ticked customer_ids, or the one row whose own
// button was pressed ("one").
func selectedIDs(c *fiber.Ctx) []int64 {
	if one, err := strconv.ParseInt(c.FormValue("one"), 10, 64); err == nil && one > 0 {
		return []int64{one}
	}
	var ids []int64
	for _, v := range c.Request().PostArgs().PeekMulti("customer_ids") {
		if id, err := strconv.ParseInt(string(v), 10, 64); err == nil && id > 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// customerNames looks up the names of the customers in a result list
// (those the user may still see; claimed ones are now theirs).
func (s *Server) customerNames(c *fiber.Ctx, ids []int64) map[int64]string {
	out := map[int64]string{}
	for _, id := range ids {
		if cust, err := s.store.Customer(c.UserContext(), currentUser(c), id); err == nil {
			out[id] = cust.Name
		}
	}
	return out
}

// poolClaim claims the ticked customers (领取选中) or one row's customer,
// then shows the pool again with what happened to each.
func (s *Server) poolClaim(c *fiber.Ctx) error {
	if _, err := paramID(c); err != nil {
		return err
	}
	ids := selectedIDs(c)
	l := loc(c)
	if len(ids) == 0 {
		return s.renderPoolCustomers(c, fiber.StatusBadRequest, &poolOutcome{Summary: l.T("pools.claim.none_selected"), Failed: true})
	}
	if len(ids) > store.MaxPerPage {
		ids = ids[:store.MaxPerPage]
	}
	rs := claimResults(c, s.store.ClaimMany(c.UserContext(), currentUser(c), ids))
	names := s.customerNames(c, ids)
	out := &poolOutcome{}
	ok := 0
	var refusal string
	for _, r := range rs {
		name := names[r.CustomerID]
		if name == "" {
			name = "#" + strconv.FormatInt(r.CustomerID, 10)
		}
		out.Results = append(out.Results, poolResult{CustomerID: r.CustomerID, Name: name, OK: r.OK, Message: r.Message})
		if r.OK {
			ok++
		} else {
			refusal = r.Message
		}
	}
	skipped := len(ids) - len(rs)
	switch {
	case ok == len(ids):
		out.Summary = l.T("pools.claim.done", "N", ok)
	case ok == 0 && len(ids) == 1:
		out.Summary, out.Failed = refusal, true
	default:
		out.Summary, out.Failed = l.T("pools.claim.partial", "N", ok, "Failed", len(rs)-ok, "Skipped", skipped, "Reason", refusal), true
	}
	status := fiber.StatusOK
	if ok == 0 {
		status = fiber.StatusUnprocessableEntity
		if e, isErr := store.AsError(firstErr(rs)); isErr {
			status = statusOf[e.Code]
		}
	}
	return s.renderPoolCustomers(c, status, out)
}

// firstErr turns the first refusal in rs back into an error for its status.
func firstErr(rs []claimResult) error {
	for _, r := range rs {
		if !r.OK {
			return &store.Error{Code: r.Code, Rule: r.Rule}
		}
	}
	return nil
}

// poolAssign hands the ticked customers to one user, or spreads them
// evenly over several (平均分配); managers and admins.
func (s *Server) poolAssign(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if !u.IsManager() {
		return store.ErrForbidden
	}
	ids := selectedIDs(c)
	var users []int64
	for _, v := range c.Request().PostArgs().PeekMulti("user_ids") {
		if uid, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			users = append(users, uid)
		}
	}
	l := loc(c)
	switch {
	case len(ids) == 0:
		return s.renderPoolCustomers(c, fiber.StatusBadRequest, &poolOutcome{Summary: l.T("pools.claim.none_selected"), Failed: true})
	case len(users) == 0:
		return s.renderPoolCustomers(c, fiber.StatusBadRequest, &poolOutcome{Summary: l.T("pools.assign.no_user"), Failed: true})
	}
	counts, err := s.store.Assign(c.UserContext(), u, id, ids, users)
	if err != nil {
		if !userFacing(err) {
			return err
		}
		e, _ := store.AsError(err)
		msg := l.T(e.Msg.Key, e.Msg.Args)
		for _, m := range fieldMessages(c, err) {
			msg += " " + m
		}
		return s.renderPoolCustomers(c, statusOf[e.Code], &poolOutcome{Summary: msg, Failed: true})
	}
	out := &poolOutcome{Summary: l.T("pools.assign.done", "N", len(ids))}
	all, err := s.store.Users(c.UserContext())
	if err != nil {
		return err
	}
	for _, usr := range all {
		if n := counts[usr.ID]; n > 0 {
			out.Results = append(out.Results, poolResult{Name: usr.Name, OK: true, Message: l.T("pools.assign.count", "N", n)})
		}
	}
	return s.renderPoolCustomers(c, fiber.StatusOK, out)
}

// poolURL is a pool page's address with query values.
func poolURL(id int64, tab string, v url.Values) string {
	u := "/pools/" + strconv.FormatInt(id, 10)
	if tab != "" {
		u += "/" + tab
	}
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}
