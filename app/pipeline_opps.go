package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// opportunityList is the list view of the pipeline: the board's filters
// plus stage and status, a table, and numbered paging.
func (s *Server) opportunityList(c *fiber.Ctx) error {
	ctx, u, lang := c.UserContext(), currentUser(c), loc(c).Lang
	q, err := oppQuery(c)
	if err != nil {
		return err
	}
	if q.PerPage == 0 {
		q.PerPage = 50
	}
	page, err := s.store.ListOpportunities(ctx, u, q)
	if err != nil {
		return err
	}
	for _, o := range page.Items {
		o.Localize(lang)
	}
	stages, err := s.store.Stages(ctx, lang)
	if err != nil {
		return err
	}
	data := s.page(c, "pipe.list.title")
	data["List"], data["Stages"], data["Statuses"] = page, stages, oppStatuses
	data["F"] = filterValues(c)
	if data["Drill"], err = s.drillValues(c); err != nil {
		return err
	}
	data["P"] = s.pipe(c)
	data["Filtered"] = q.Owner != "" || q.DepartmentID > 0 || q.CloseFrom != "" || q.CloseTo != "" || q.StageID > 0 || q.Status != "" ||
		q.CreatedFrom != "" || q.CreatedTo != "" || q.ClosedFrom != "" || q.ClosedTo != "" || q.Source != "" ||
		q.Industry != "" || q.ReachedStage > 0
	if page.Page > 1 {
		v := keepQuery(c, "page")
		v.Set("page", strconv.Itoa(page.Page-1))
		data["PrevURL"] = "/opportunities?" + v.Encode()
	}
	if page.Page*page.PerPage < page.Total || (page.TotalCapped && len(page.Items) == page.PerPage) {
		v := keepQuery(c, "page")
		v.Set("page", strconv.Itoa(page.Page+1))
		data["NextURL"] = "/opportunities?" + v.Encode()
	}
	if err := s.filterChoices(c, data); err != nil {
		return err
	}
	return c.Render("pipeline/list", data)
}

// oppForm is the opportunity form as typed: the amount and probability
// stay strings so a refused "12.345" comes back exactly as entered.
type oppForm struct {
	ID            int64
	CustomerID    int64
	CustomerName  string
	Name          string
	Amount        string
	ExpectedClose string
	StageID       int64
	Probability   string
	OwnerID       int64
	Source        string
	Notes         string
	ContactIDs    map[int64]bool
	Version       int
}

// oppFormOf fills the edit form from a saved opportunity.
func oppFormOf(o *store.Opportunity, p pipeView) *oppForm {
	f := &oppForm{ID: o.ID, CustomerID: o.Customer.ID, CustomerName: o.Customer.Name, Name: o.Name, Amount: p.Yuan(o.Amount),
		ExpectedClose: o.ExpectedClose, StageID: o.Stage.ID, Probability: strconv.Itoa(o.Probability), OwnerID: o.Owner.ID,
		Source: o.Source, Notes: o.Notes, ContactIDs: map[int64]bool{}, Version: o.Version}
	for _, id := range o.ContactIDs {
		f.ContactIDs[id] = true
	}
	return f
}

// moreThanTwoDecimals reports whether an amount is a number whose only
// fault is its precision, to say so beside the field.
func moreThanTwoDecimals(v string) bool {
	whole, frac, ok := strings.Cut(strings.TrimSpace(v), ".")
	if !ok || len(frac) <= 2 || strings.Trim(frac, "0123456789") != "" {
		return false
	}
	_, valid := store.ParseMoney(whole + "." + frac[:2])
	return valid
}

// parseAmount reads a typed yuan amount into fen; problems go into bad.
func parseAmount(v string, bad map[string]store.Msg) *int64 {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	fen, ok := store.ParseMoney(v)
	if !ok {
		if moreThanTwoDecimals(v) {
			bad["amount"] = store.M("pipe.err.amount_decimals")
		} else {
			bad["amount"] = store.M("err.amount")
		}
		return nil
	}
	return &fen
}

// readOppForm parses the posted form into the store's input and the form
// to show again, with the refusals found before the store is asked.
func readOppForm(c *fiber.Ctx, f *oppForm) (store.OpportunityInput, map[string]store.Msg) {
	bad := map[string]store.Msg{}
	f.Name = strings.TrimSpace(c.FormValue("name"))
	f.Amount = strings.TrimSpace(c.FormValue("amount"))
	f.ExpectedClose = strings.TrimSpace(c.FormValue("expected_close"))
	f.Probability = strings.TrimSpace(c.FormValue("probability"))
	f.Source = strings.TrimSpace(c.FormValue("source"))
	f.Notes = c.FormValue("notes")
	if v := formInt64(c, "owner_id"); v != nil {
		f.OwnerID = *v
	}
	if v := formInt64(c, "stage_id"); v != nil {
		f.StageID = *v
	}
	if v := formInt64(c, "version"); v != nil {
		f.Version = int(*v)
	}
	f.ContactIDs = map[int64]bool{}
	contacts := []int64{}
	for _, v := range formValues(c, "contact_ids") {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			contacts = append(contacts, id)
			f.ContactIDs[id] = true
		}
	}
	in := store.OpportunityInput{Name: &f.Name, ExpectedClose: &f.ExpectedClose, Source: &f.Source, Notes: &f.Notes, ContactIDs: &contacts}
	in.Amount = parseAmount(f.Amount, bad)
	if f.Amount == "" {
		zero := int64(0)
		in.Amount = &zero
	}
	if f.Probability != "" {
		n, err := strconv.Atoi(f.Probability)
		if err != nil {
			bad["probability"] = store.M("err.probability")
		} else {
			in.Probability = &n
		}
	}
	if f.OwnerID > 0 {
		in.OwnerID = &f.OwnerID
	}
	return in, bad
}

// oppFormFields are the fields the opportunity form shows beside inputs.
var oppFormFields = []string{"name", "amount", "expected_close", "stage_id", "probability", "owner_id", "source", "notes", "contact_ids"}

// renderOppForm renders the new/edit form with its choices.
func (s *Server) renderOppForm(c *fiber.Ctx, status int, f *oppForm, errs map[string]string, alert string) error {
	ctx, u, lang := c.UserContext(), currentUser(c), loc(c).Lang
	stages, err := s.store.Stages(ctx, lang)
	if err != nil {
		return err
	}
	open := []*store.Stage{}
	for _, st := range stages {
		if st.Kind == store.StageOpen {
			open = append(open, st)
		}
	}
	sources, err := s.store.Sources(ctx)
	if err != nil {
		return err
	}
	contacts, err := s.store.Contacts(ctx, u, f.CustomerID)
	if err != nil {
		return err
	}
	title := "pipe.form.new"
	if f.ID > 0 {
		title = "pipe.form.edit"
	}
	data := s.page(c, title)
	data["Form"], data["Stages"], data["Sources"], data["Contacts"] = f, open, sources, contacts
	if errs == nil {
		errs = map[string]string{}
	}
	data["Errors"], data["Error"] = errs, alert
	if u.IsManager() {
		owners, err := s.store.Assignees(ctx, u)
		if err != nil {
			return err
		}
		data["Owners"] = owners
	}
	return c.Status(status).Render("pipeline/form", data)
}

// msgs translates handler-found refusals for the form.
func msgs(c *fiber.Ctx, bad map[string]store.Msg) map[string]string {
	out := map[string]string{}
	for f, m := range bad {
		out[f] = loc(c).T(m.Key, m.Args)
	}
	return out
}

// opportunityNew shows the empty form for a customer (?customer_id=).
func (s *Server) opportunityNew(c *fiber.Ctx) error {
	cid, _ := strconv.ParseInt(c.Query("customer_id"), 10, 64)
	if cid <= 0 {
		s.setFlash(c, "pipe.flash.pick_customer")
		return c.Redirect("/customers", fiber.StatusSeeOther)
	}
	cust, err := s.store.Customer(c.UserContext(), currentUser(c), cid)
	if err != nil {
		return err
	}
	f := &oppForm{CustomerID: cust.ID, CustomerName: cust.Name, ContactIDs: map[int64]bool{}}
	if cust.Owner != nil {
		f.OwnerID = cust.Owner.ID
	}
	return s.renderOppForm(c, fiber.StatusOK, f, nil, "")
}

func (s *Server) opportunityCreate(c *fiber.Ctx) error {
	ctx, u := c.UserContext(), currentUser(c)
	cid, _ := strconv.ParseInt(c.FormValue("customer_id"), 10, 64)
	cust, err := s.store.Customer(ctx, u, cid)
	if err != nil {
		return err
	}
	f := &oppForm{CustomerID: cust.ID, CustomerName: cust.Name}
	in, bad := readOppForm(c, f)
	in.CustomerID = &cust.ID
	if f.StageID > 0 {
		in.StageID = &f.StageID
	}
	if !u.IsManager() {
		in.OwnerID = nil
	}
	if len(bad) > 0 {
		return s.renderOppForm(c, fiber.StatusBadRequest, f, msgs(c, bad), "")
	}
	o, err := s.store.CreateOpportunity(ctx, u, in)
	if err != nil {
		if !userFacing(err) {
			return err
		}
		errs, alert := formErrors(c, err, oppFormFields)
		return s.renderOppForm(c, fiber.StatusBadRequest, f, errs, alert)
	}
	s.setFlash(c, "pipe.flash.created")
	return c.Redirect("/opportunities/"+strconv.FormatInt(o.ID, 10), fiber.StatusSeeOther)
}

// opportunityShow is the opportunity page: its details, the move form and
// the stage timeline with the time spent in each stage.
func (s *Server) opportunityShow(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return s.renderOpportunity(c, fiber.StatusOK, id, "")
}

func (s *Server) renderOpportunity(c *fiber.Ctx, status int, id int64, alert string) error {
	ctx, u, lang := c.UserContext(), currentUser(c), loc(c).Lang
	o, err := s.store.Opportunity(ctx, u, id)
	if err != nil {
		return err
	}
	o.Localize(lang)
	history, err := s.store.StageHistory(ctx, u, id, lang)
	if err != nil {
		return err
	}
	stages, err := s.store.Stages(ctx, lang)
	if err != nil {
		return err
	}
	contacts, err := s.store.Contacts(ctx, u, o.Customer.ID)
	if err != nil {
		return err
	}
	var involved []*store.Contact
	for _, ct := range contacts {
		for _, cid := range o.ContactIDs {
			if ct.ID == cid {
				involved = append(involved, ct)
			}
		}
	}
	p := s.pipe(c)
	type stay struct {
		Name  string
		Spent string
	}
	var stays []stay
	for _, st := range stageTimes(history, s.store.Now()) {
		stays = append(stays, stay{Name: st.Stage.Name, Spent: p.Span(time.Duration(st.Seconds) * time.Second)})
	}
	// Newest first reads best on the page; the API keeps oldest first.
	rev := make([]*store.StageChange, len(history))
	for i, h := range history {
		rev[len(history)-1-i] = h
	}
	data := s.page(c, o.Name)
	data["O"], data["History"], data["Stays"], data["Stages"], data["Contacts"] = o, rev, stays, stages, involved
	data["P"] = p
	data["Error"] = alert
	if len(history) > 0 && o.Status == store.OppWon && o.ClosedAt != nil {
		data["Cycle"] = p.Span(o.ClosedAt.Sub(o.CreatedAt))
	}
	return c.Status(status).Render("pipeline/show", data)
}

func (s *Server) opportunityEdit(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	o, err := s.store.Opportunity(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return s.renderOppForm(c, fiber.StatusOK, oppFormOf(o, s.pipe(c)), nil, "")
}

// opportunityUpdate saves the edit form; a stale version keeps the input
// and says someone else changed it first.
func (s *Server) opportunityUpdate(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx, u := c.UserContext(), currentUser(c)
	cur, err := s.store.Opportunity(ctx, u, id)
	if err != nil {
		return err
	}
	f := oppFormOf(cur, s.pipe(c))
	in, bad := readOppForm(c, f)
	in.Version = &f.Version
	in.StageProbability = f.Probability == "" // blank means the stage's default
	if !u.IsManager() {
		in.OwnerID = nil
	}
	if len(bad) > 0 {
		return s.renderOppForm(c, fiber.StatusBadRequest, f, msgs(c, bad), "")
	}
	if _, err := s.store.UpdateOpportunity(ctx, u, id, in); err != nil {
		if !userFacing(err) {
			return err
		}
		errs, alert := formErrors(c, err, oppFormFields)
		status := fiber.StatusBadRequest
		if store.IsCode(err, store.CodeConflict) {
			status = fiber.StatusConflict
		}
		return s.renderOppForm(c, status, f, errs, alert)
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/opportunities/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// opportunityDelete deletes an opportunity and returns to its customer.
func (s *Server) opportunityDelete(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx, u := c.UserContext(), currentUser(c)
	o, err := s.store.Opportunity(ctx, u, id)
	if err != nil {
		return err
	}
	if err := s.store.DeleteOpportunity(ctx, u, id); err != nil {
		return err
	}
	s.setFlash(c, "pipe.flash.deleted")
	return c.Redirect("/customers/"+strconv.FormatInt(o.Customer.ID, 10), fiber.StatusSeeOther)
}

// closeForm is the won/lost form as typed.
type closeForm struct {
	Amount     string
	ClosedAt   string
	LostReason string
	LostNote   string
	Version    int
	Next       string
}

// opportunityCloseForm asks what closing needs (赢单/输单): amount and
// date for won, a reason for lost.
func (s *Server) opportunityCloseForm(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	o, err := s.store.Opportunity(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	f := &closeForm{ClosedAt: s.store.Now().In(s.cfg.Location).Format("2006-01-02"), Version: o.Version, Next: localPath(c.Query("next"))}
	if o.Amount > 0 {
		f.Amount = s.pipe(c).Yuan(o.Amount)
	}
	stageID, _ := strconv.ParseInt(c.Query("stage"), 10, 64)
	return s.renderCloseForm(c, fiber.StatusOK, o, stageID, f, nil, "")
}

func (s *Server) renderCloseForm(c *fiber.Ctx, status int, o *store.Opportunity, stageID int64, f *closeForm, errs map[string]string, alert string) error {
	ctx, lang := c.UserContext(), loc(c).Lang
	stages, err := s.store.Stages(ctx, lang)
	if err != nil {
		return err
	}
	st := stageOf(stages, stageID)
	if st == nil || st.Kind == store.StageOpen {
		return c.Redirect("/opportunities/"+strconv.FormatInt(o.ID, 10), fiber.StatusSeeOther)
	}
	reasons, err := s.store.LostReasons(ctx)
	if err != nil {
		return err
	}
	o.Localize(lang)
	key := "pipe.close.won_title"
	if st.Kind == store.StageLost {
		key = "pipe.close.lost_title"
	}
	data := s.page(c, key)
	data["O"], data["Stage"], data["Form"], data["Reasons"] = o, st, f, reasons
	if errs == nil {
		errs = map[string]string{}
	}
	data["Errors"], data["Error"] = errs, alert
	data["P"] = s.pipe(c)
	return c.Status(status).Render("pipeline/close", data)
}

// opportunityClose moves the opportunity to the won or lost stage with
// what the form gathered.
func (s *Server) opportunityClose(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx, u := c.UserContext(), currentUser(c)
	o, err := s.store.Opportunity(ctx, u, id)
	if err != nil {
		return err
	}
	stageID, _ := strconv.ParseInt(c.FormValue("stage_id"), 10, 64)
	f := &closeForm{Amount: strings.TrimSpace(c.FormValue("amount")), ClosedAt: strings.TrimSpace(c.FormValue("closed_at")),
		LostReason: strings.TrimSpace(c.FormValue("lost_reason")), LostNote: strings.TrimSpace(c.FormValue("lost_note")),
		Next: localPath(c.FormValue("next"))}
	if v := formInt64(c, "version"); v != nil {
		f.Version = int(*v)
	}
	bad := map[string]store.Msg{}
	in := store.MoveInput{StageID: stageID, Version: &f.Version}
	stages, err := s.store.Stages(ctx, "zh-CN")
	if err != nil {
		return err
	}
	st := stageOf(stages, stageID)
	if st == nil || st.Kind == store.StageOpen {
		return c.Redirect("/opportunities/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
	}
	if st.Kind == store.StageWon {
		in.Amount = parseAmount(f.Amount, bad)
		if f.Amount == "" {
			zero := int64(0)
			in.Amount = &zero
		}
		if f.ClosedAt != "" {
			day, err := time.ParseInLocation("2006-01-02", f.ClosedAt, s.cfg.Location)
			if err != nil {
				bad["closed_at"] = store.M("err.pools_date")
			} else if end := day.AddDate(0, 0, 1).Add(-time.Second); end.Before(s.store.Now()) {
				// A past day closes at its end, so a deal created that
				// day is not closed "before it was created".
				in.ClosedAt = &end
			}
		}
	} else {
		reason := f.LostReason
		if f.LostNote != "" {
			if reason != "" {
				reason += " — "
			}
			reason += f.LostNote
		}
		in.LostReason = &reason
	}
	if len(bad) > 0 {
		return s.renderCloseForm(c, fiber.StatusBadRequest, o, stageID, f, msgs(c, bad), "")
	}
	if _, err := s.store.MoveStage(ctx, u, id, in); err != nil {
		if !userFacing(err) {
			return err
		}
		errs, alert := formErrors(c, err, []string{"amount", "closed_at", "lost_reason"})
		status := fiber.StatusBadRequest
		if store.IsCode(err, store.CodeConflict) {
			status = fiber.StatusConflict
		}
		return s.renderCloseForm(c, status, o, stageID, f, errs, alert)
	}
	if st.Kind == store.StageWon {
		s.setFlash(c, "pipe.flash.won")
	} else {
		s.setFlash(c, "pipe.flash.lost")
	}
	return backTo(c, f.Next, "/opportunities/"+strconv.FormatInt(id, 10))
}

// localPath keeps a ?next= value only when it is a path on this site.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return ""
	}
	return next
}
