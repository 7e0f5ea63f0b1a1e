package app

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// pipelineBoard is the kanban board (销售看板): the forecast, the filters
// and one column per open stage; Won and Lost are drop targets that ask
// for what closing needs.
func (s *Server) pipelineBoard(c *fiber.Ctx) error {
	return s.renderBoard(c, fiber.StatusOK, "")
}

// renderBoard renders the board, with alert above it when a move was
// refused.
func (s *Server) renderBoard(c *fiber.Ctx, status int, alert string) error {
	ctx, u, lang := c.UserContext(), currentUser(c), loc(c).Lang
	q, err := oppQuery(c)
	if err != nil {
		return err
	}
	q.StageID, q.Status = 0, ""
	board, err := s.store.Board(ctx, u, q, lang)
	if err != nil {
		return err
	}
	stages, err := s.store.Stages(ctx, lang)
	if err != nil {
		return err
	}
	data := s.page(c, "pipe.board.title")
	data["Columns"], data["Forecast"], data["Stages"] = board.Columns, board.Forecast, stages
	var outcomes []*store.Stage
	for _, st := range stages {
		if st.Kind != store.StageOpen {
			outcomes = append(outcomes, st)
		}
	}
	data["Outcomes"] = outcomes
	data["F"] = filterValues(c)
	data["P"] = s.pipe(c)
	data["Filtered"] = q.Owner != "" || q.DepartmentID > 0 || q.CloseFrom != "" || q.CloseTo != ""
	next := "/pipeline"
	if qs := keepQuery(c).Encode(); qs != "" {
		next += "?" + qs
	}
	data["Next"] = next
	data["Error"] = alert
	if err := s.filterChoices(c, data); err != nil {
		return err
	}
	return c.Status(status).Render("pipeline/board", data)
}

// pipelineMove is the board's (and the opportunity page's) move form
// without JavaScript: an open stage moves at once; won or lost goes to the
// close form, which asks for amount and date or the reason.
func (s *Server) pipelineMove(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	stageID := formInt64(c, "stage_id")
	next := c.FormValue("next")
	if stageID == nil {
		return s.moveRefused(c, next, invalidField("stage_id", "err.required"))
	}
	stages, err := s.store.Stages(c.UserContext(), loc(c).Lang)
	if err != nil {
		return err
	}
	st := stageOf(stages, *stageID)
	if st == nil {
		return s.moveRefused(c, next, invalidField("stage_id", "err.stage_unknown"))
	}
	path := "/opportunities/" + strconv.FormatInt(id, 10)
	if st.Kind != store.StageOpen {
		return c.Redirect(path+"/close?stage="+strconv.FormatInt(st.ID, 10)+"&next="+url.QueryEscape(next), fiber.StatusSeeOther)
	}
	in := store.MoveInput{StageID: st.ID}
	if v := formInt64(c, "version"); v != nil {
		n := int(*v)
		in.Version = &n
	}
	if _, err := s.store.MoveStage(c.UserContext(), currentUser(c), id, in); err != nil {
		return s.moveRefused(c, next, err)
	}
	s.setFlash(c, "pipe.flash.moved")
	return backTo(c, next, "/pipeline")
}

// moveRefused shows a refused move above the page it came from: the
// opportunity page or the board.
func (s *Server) moveRefused(c *fiber.Ctx, next string, err error) error {
	if !userFacing(err) {
		return err
	}
	_, alert := formErrors(c, err, nil)
	status := fiber.StatusBadRequest
	if e, ok := store.AsError(err); ok {
		status = statusOf[e.Code]
	}
	if id, perr := paramID(c); perr == nil && next == "/opportunities/"+strconv.FormatInt(id, 10) {
		return s.renderOpportunity(c, status, id, alert)
	}
	// Re-run the board with the filters it was showing.
	if _, qs, ok := strings.Cut(next, "?"); ok {
		c.Request().URI().SetQueryString(qs)
	}
	return s.renderBoard(c, status, alert)
}
