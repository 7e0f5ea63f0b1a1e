package app

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// oppStatuses are the statuses an opportunity list may filter by.
var oppStatuses = []string{store.OppOpen, store.OppWon, store.OppLost}

// oppQuery reads the opportunity list / board filters from the query
// string (API.md "Opportunities"): a malformed value is a 400 naming the
// parameter, never silently ignored.
func oppQuery(c *fiber.Ctx) (store.OppQuery, error) {
	q := store.OppQuery{Owner: strings.TrimSpace(c.Query("owner")), Status: strings.TrimSpace(c.Query("status")),
		CloseFrom: strings.TrimSpace(c.Query("close_from")), CloseTo: strings.TrimSpace(c.Query("close_to")),
		CreatedFrom: strings.TrimSpace(c.Query("created_from")), CreatedTo: strings.TrimSpace(c.Query("created_to")),
		ClosedFrom: strings.TrimSpace(c.Query("closed_from")), ClosedTo: strings.TrimSpace(c.Query("closed_to")),
		Source: strings.TrimSpace(c.Query("source")), Industry: strings.TrimSpace(c.Query("industry"))}
	ints := map[string]*int64{"stage_id": &q.StageID, "customer_id": &q.CustomerID, "department_id": &q.DepartmentID, "reached_stage": &q.ReachedStage}
	for name, dst := range ints {
		if v := strings.TrimSpace(c.Query(name)); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return q, invalidField(name, "err.pools_number")
			}
			*dst = n
		}
	}
	for name, dst := range map[string]*int{"page": &q.Page, "per_page": &q.PerPage} {
		if v := strings.TrimSpace(c.Query(name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return q, invalidField(name, "err.pools_number")
			}
			*dst = n
		}
	}
	for name, dst := range map[string]**int64{"amount_min": &q.AmountMin, "amount_max": &q.AmountMax} {
		if v := strings.TrimSpace(c.Query(name)); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return q, invalidField(name, "err.pools_number")
			}
			*dst = &n
		}
	}
	for name, v := range map[string]string{"close_from": q.CloseFrom, "close_to": q.CloseTo, "created_from": q.CreatedFrom,
		"created_to": q.CreatedTo, "closed_from": q.ClosedFrom, "closed_to": q.ClosedTo} {
		if v == "" {
			continue
		}
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return q, invalidField(name, "err.pools_date")
		}
	}
	if q.CloseFrom != "" && q.CloseTo != "" && q.CloseTo < q.CloseFrom {
		return q, invalidField("close_to", "err.pools_range")
	}
	if q.Status != "" && !slices.Contains(oppStatuses, q.Status) {
		return q, invalidField("status", "pipe.err.status")
	}
	return q, nil
}

// apiStages lists the stages in board order, names in the caller's
// language (name_zh and name_en as well, for editing).
func (s *Server) apiStages(c *fiber.Ctx) error {
	stages, err := s.store.StagesInUse(c.UserContext(), loc(c).Lang)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": stages})
}

func (s *Server) apiCreateStage(c *fiber.Ctx) error {
	var in store.StageInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	st, err := s.store.SaveStage(c.UserContext(), currentUser(c), 0, in)
	if err != nil {
		return err
	}
	st.Localize(loc(c).Lang)
	return c.Status(fiber.StatusCreated).JSON(st)
}

func (s *Server) apiUpdateStage(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in store.StageInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	st, err := s.store.SaveStage(c.UserContext(), currentUser(c), id, in)
	if err != nil {
		return err
	}
	st.Localize(loc(c).Lang)
	return c.JSON(st)
}

// apiDeleteStage deletes an unused stage: 204, or 409 while opportunities
// sit in it or its history mentions it.
func (s *Server) apiDeleteStage(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteStage(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiLostReasons lists the admin-managed reasons for losing a deal.
func (s *Server) apiLostReasons(c *fiber.Ctx) error {
	rs, err := s.store.LostReasons(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": rs})
}

// apiOpportunities lists visible opportunities in the list envelope.
func (s *Server) apiOpportunities(c *fiber.Ctx) error {
	q, err := oppQuery(c)
	if err != nil {
		return err
	}
	page, err := s.store.ListOpportunities(c.UserContext(), currentUser(c), q)
	if err != nil {
		return err
	}
	for _, o := range page.Items {
		o.Localize(loc(c).Lang)
	}
	return c.JSON(page)
}

func (s *Server) apiCreateOpportunity(c *fiber.Ctx) error {
	var in store.OpportunityInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	if in.Version != nil {
		return invalidField("version", "pipe.err.version_on_create")
	}
	o, err := s.store.CreateOpportunity(c.UserContext(), currentUser(c), in)
	if err != nil {
		return err
	}
	o.Localize(loc(c).Lang)
	return c.Status(fiber.StatusCreated).JSON(o)
}

// apiMoveOpportunity moves an opportunity to a stage (推进阶段). With a
// version (the board sends it) a move that comes too late is a 409.
func (s *Server) apiMoveOpportunity(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in store.MoveInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	if in.StageID <= 0 {
		return invalidField("stage_id", "err.required")
	}
	o, err := s.store.MoveStage(c.UserContext(), currentUser(c), id, in)
	if err != nil {
		return err
	}
	o.Localize(loc(c).Lang)
	return c.JSON(o)
}

// stageTime is how long an opportunity spent in one stage, in total.
type stageTime struct {
	Stage   store.StageRef `json:"stage"`
	Seconds int64          `json:"seconds"`
	Days    float64        `json:"days"`
}

// stageTimes orders TimeInStages by the stage's first appearance in the
// history; every open stage visited is listed, even for under a second.
func stageTimes(history []*store.StageChange, until time.Time) []stageTime {
	spent := store.TimeInStages(history, until)
	out := []stageTime{}
	seen := map[int64]bool{}
	for _, h := range history {
		if seen[h.To.ID] {
			continue
		}
		seen[h.To.ID] = true
		if d, ok := spent[h.To.ID]; ok || h.To.Kind == store.StageOpen {
			out = append(out, stageTime{Stage: h.To, Seconds: int64(d / time.Second), Days: float64(int64(d/time.Hour)) / 24})
		}
	}
	return out
}

// apiOpportunityHistory lists the stage changes oldest first, plus the
// time spent in each stage.
func (s *Server) apiOpportunityHistory(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	h, err := s.store.StageHistory(c.UserContext(), currentUser(c), id, loc(c).Lang)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": h, "days_in_stage": stageTimes(h, s.store.Now())})
}

// apiBoard returns the kanban board's columns (open stages) with their
// counts, totals and cards.
func (s *Server) apiBoard(c *fiber.Ctx) error {
	q, err := oppQuery(c)
	if err != nil {
		return err
	}
	board, err := s.store.Board(c.UserContext(), currentUser(c), q, loc(c).Lang)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"columns": board.Columns, "forecast": board.Forecast})
}

// apiForecast sums the open pipeline the filters select (销售预测).
func (s *Server) apiForecast(c *fiber.Ctx) error {
	q, err := oppQuery(c)
	if err != nil {
		return err
	}
	f, err := s.store.Forecast(c.UserContext(), currentUser(c), q)
	if err != nil {
		return err
	}
	return c.JSON(f)
}
