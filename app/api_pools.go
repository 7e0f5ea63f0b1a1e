package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// poolActions are the moves pool history records (API.md "Public pools").
var poolActions = []string{"enter", "claim", "release", "recycle", "assign", "import", "transfer"}

// recycleJobName is the scheduler's name of the recycle job; a run started
// by an admin is recorded under the same name.
const recycleJobName = "pool_recycle"

func invalidField(field, key string, kv ...any) error {
	return &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: map[string]store.Msg{field: store.M(key, kv...)}}
}

// apiPools lists the pools visible to the caller in the list envelope.
func (s *Server) apiPools(c *fiber.Ctx) error {
	pools, err := s.store.Pools(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": pools, "total": len(pools), "page": 1, "per_page": max(len(pools), 1)})
}

func (s *Server) apiCreatePool(c *fiber.Ctx) error {
	var in store.PoolInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	p, err := s.store.CreatePool(c.UserContext(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(p)
}

// apiPoolCustomers lists one pool's customers with the customer list's
// query parameters and envelope.
func (s *Server) apiPoolCustomers(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	q, err := customerQuery(c)
	if err != nil {
		return err
	}
	q.PoolID = id
	page, err := s.store.ListCustomers(c.UserContext(), currentUser(c), q)
	if err != nil {
		return err
	}
	return customerPageJSON(c, page)
}

// apiClaim claims one pool customer for the caller (领取).
func (s *Server) apiClaim(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	cust, err := s.store.Claim(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(cust)
}

// claimResult is one row of a bulk claim's answer.
type claimResult struct {
	CustomerID int64  `json:"customer_id"`
	OK         bool   `json:"ok"`
	Code       string `json:"code,omitempty"`
	Rule       string `json:"rule,omitempty"`
	Message    string `json:"message,omitempty"`
}

// claimResults translates the store's bulk-claim outcomes.
func claimResults(c *fiber.Ctx, rs []store.ClaimResult) []claimResult {
	out := make([]claimResult, 0, len(rs))
	for _, r := range rs {
		cr := claimResult{CustomerID: r.CustomerID, OK: r.OK, Code: r.Code}
		if r.Err != nil {
			e, _ := asAppError(r.Err)
			cr.Code, cr.Rule, cr.Message = e.Code, e.Rule, loc(c).T(e.Msg.Key, e.Msg.Args)
		}
		out = append(out, cr)
	}
	return out
}

// apiClaimMany claims several customers one by one and stops at the first
// rule refusal: 200 {"results":[…]} whatever the outcome of each.
func (s *Server) apiClaimMany(c *fiber.Ctx) error {
	var body struct {
		CustomerIDs []int64 `json:"customer_ids"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	if len(body.CustomerIDs) == 0 {
		return invalidField("customer_ids", "err.required")
	}
	if len(body.CustomerIDs) > store.MaxPerPage {
		return invalidField("customer_ids", "err.pools_too_many", "Max", store.MaxPerPage)
	}
	rs := s.store.ClaimMany(c.UserContext(), currentUser(c), body.CustomerIDs)
	return c.JSON(fiber.Map{"results": claimResults(c, rs)})
}

// apiRelease returns an owned customer to a pool (退回公海) with a reason.
func (s *Server) apiRelease(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
		Note   string `json:"note"`
		PoolID *int64 `json:"pool_id"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	cust, err := s.store.Release(c.UserContext(), currentUser(c), id, body.Reason, body.Note, body.PoolID)
	if err != nil {
		return err
	}
	return c.JSON(cust)
}

func (s *Server) apiLock(c *fiber.Ctx) error   { return s.apiSetLocked(c, true) }
func (s *Server) apiUnlock(c *fiber.Ctx) error { return s.apiSetLocked(c, false) }

func (s *Server) apiSetLocked(c *fiber.Ctx, locked bool) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	cust, err := s.store.SetLocked(c.UserContext(), currentUser(c), id, locked)
	if err != nil {
		return err
	}
	return c.JSON(cust)
}

// apiAssign hands pool customers to one or several users (分配).
func (s *Server) apiAssign(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var body struct {
		CustomerIDs []int64 `json:"customer_ids"`
		UserIDs     []int64 `json:"user_ids"`
		Mode        string  `json:"mode"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	if body.Mode != "" && body.Mode != "even" {
		return invalidField("mode", "err.pools_assign_mode")
	}
	counts, err := s.store.Assign(c.UserContext(), currentUser(c), id, body.CustomerIDs, body.UserIDs)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"assigned": counts})
}

// apiCreateLead takes in a lead from a channel; it is routed to a pool by
// its source.
func (s *Server) apiCreateLead(c *fiber.Ctx) error {
	var in store.CustomerInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	cust, err := s.store.CreateLead(c.UserContext(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cust)
}

// historyQuery reads ?action=&before=&limit= of a pool's history.
func historyQuery(c *fiber.Ctx) (action string, before int64, limit int, err error) {
	action = strings.TrimSpace(c.Query("action"))
	if action != "" && !slices.Contains(poolActions, action) {
		return "", 0, 0, invalidField("action", "err.pools_action")
	}
	num := func(name string) (int64, error) {
		v := strings.TrimSpace(c.Query(name))
		if v == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, invalidField(name, "err.pools_number")
		}
		return n, nil
	}
	if before, err = num("before"); err != nil {
		return "", 0, 0, err
	}
	l, err := num("limit")
	if err != nil {
		return "", 0, 0, err
	}
	limit = int(l)
	if limit <= 0 || limit > store.MaxPerPage {
		limit = 50
	}
	return action, before, limit, nil
}

// apiPoolHistory lists a pool's moves newest first, keyset-paged by
// ?before=<move id>; next_before is the value for the next page.
func (s *Server) apiPoolHistory(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	action, before, limit, err := historyQuery(c)
	if err != nil {
		return err
	}
	moves, err := s.store.PoolHistory(c.UserContext(), currentUser(c), id, action, before, limit)
	if err != nil {
		return err
	}
	var next any
	if len(moves) == limit {
		next = moves[len(moves)-1].ID
	}
	return c.JSON(fiber.Map{"items": moves, "total": len(moves), "page": 1, "per_page": limit, "next_before": next})
}

// apiRecyclePreview lists what the pool's rules send back by as_of.
func (s *Server) apiRecyclePreview(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	asOf := s.store.Now()
	if v := strings.TrimSpace(c.Query("as_of")); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return invalidField("as_of", "err.pools_rfc3339")
		}
		asOf = t
	}
	items, err := s.store.RecyclePreview(c.UserContext(), currentUser(c), id, asOf)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

// statsRange reads from/to (YYYY-MM-DD, company time zone, inclusive;
// default the last 30 days) into the half-open instant range the store
// counts in, plus the dates as typed back for the form.
func (s *Server) statsRange(c *fiber.Ctx) (from, to time.Time, fromS, toS string, err error) {
	zone := s.cfg.Location
	now := s.store.Now().In(zone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
	fromDay, toDay := today.AddDate(0, 0, -29), today
	parse := func(name string, def time.Time) (time.Time, error) {
		v := strings.TrimSpace(c.Query(name))
		if v == "" {
			return def, nil
		}
		t, err := time.ParseInLocation("2006-01-02", v, zone)
		if err != nil {
			return def, invalidField(name, "err.pools_date")
		}
		return t, nil
	}
	if fromDay, err = parse("from", fromDay); err != nil {
		return
	}
	if toDay, err = parse("to", toDay); err != nil {
		return
	}
	if toDay.Before(fromDay) {
		err = invalidField("to", "err.pools_range")
		return
	}
	return fromDay, toDay.AddDate(0, 0, 1), fromDay.Format("2006-01-02"), toDay.Format("2006-01-02"), nil
}

// apiPoolStats answers a pool's turnover for a period.
func (s *Server) apiPoolStats(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	from, to, _, _, err := s.statsRange(c)
	if err != nil {
		return err
	}
	st, err := s.store.PoolStats(c.UserContext(), currentUser(c), id, from, to)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// apiReleaseReasons lists the reasons a release may give.
func (s *Server) apiReleaseReasons(c *fiber.Ctx) error {
	rs, err := s.store.ReleaseReasons(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": rs})
}

// apiRunRecycle runs the recycle job now (admin):
// {"recycled":n,"warned":m,"detail","summary"}.
func (s *Server) apiRunRecycle(c *fiber.Ctx) error {
	res, err := s.runRecycle(c.UserContext())
	if err != nil {
		return err
	}
	return byHandJSON(c, res)
}

// runRecycle runs the pool recycle pass the way the scheduler does, and
// records the run under the scheduler's job name so the jobs page shows it.
func (s *Server) runRecycle(ctx context.Context) (store.RecycleResult, error) {
	return runByHand(ctx, s.store, recycleJobName, s.store.RecycleDue)
}
