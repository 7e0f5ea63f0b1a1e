package app

import (
	"bytes"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// reportsAPIRoutes registers GET /api/v1/reports/<name> (../shared/API.md
// "Reports" plus leaderboard, forecast, activity and dashboard).
func (s *Server) reportsAPIRoutes(api fiber.Router) {
	api.Get("/reports/dashboard", s.apiDashboard)
	// One route per report, so each is a documented operation of its own
	// (the OpenAPI drift test matches routes to operations).
	for _, d := range reportDefs {
		api.Get("/reports/"+d.Name, s.apiReport(d))
	}
}

// reportsUIRoutes registers the report pages and their exports.
func (s *Server) reportsUIRoutes(ui fiber.Router) {
	ui.Get("/reports", func(c *fiber.Ctx) error { return c.Redirect("/reports/funnel", fiber.StatusFound) })
	ui.Get("/reports/:name", s.reportPage)
	ui.Get("/reports/:name/export", s.reportExport)
}

// buildNamed builds the report the :name parameter names (404 when none).
func (s *Server) buildNamed(c *fiber.Ctx) (*reportDef, *reportCtx, *reportOut, error) {
	d := reportByName(c.Params("name"))
	if d == nil {
		return nil, nil, nil, fiber.ErrNotFound
	}
	r, out, err := s.buildReport(c, d)
	return d, r, out, err
}

// buildReport builds report d with the request's filters.
func (s *Server) buildReport(c *fiber.Ctx, d *reportDef) (*reportCtx, *reportOut, error) {
	r, err := s.reportRequest(c)
	if err != nil {
		return nil, nil, err
	}
	out, err := d.build(s, r)
	return r, out, err
}

// apiReport answers GET /api/v1/reports/<d.Name> with the report's figures.
func (s *Server) apiReport(d *reportDef) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, out, err := s.buildReport(c, d)
		if err != nil {
			return err
		}
		return c.JSON(out.API)
	}
}

// reportPage shows a report; refused filters come back beside the form.
func (s *Server) reportPage(c *fiber.Ctx) error {
	d, r, out, err := s.buildNamed(c)
	if err == nil {
		err = renderAll(r.lang, out.Charts)
	}
	if d == nil {
		return err
	}
	if err != nil {
		if !userFacing(err) {
			return err
		}
		return s.renderReport(c, fiber.StatusBadRequest, d, r, nil, fieldMessages(c, err))
	}
	return s.renderReport(c, fiber.StatusOK, d, r, out, nil)
}

func (s *Server) renderReport(c *fiber.Ctx, status int, d *reportDef, r *reportCtx, out *reportOut, errs map[string]string) error {
	data := s.page(c, d.Title)
	data["Reports"], data["Report"], data["Out"], data["GroupBys"] = reportDefs, d, out, store.WinRateGroups
	f := store.ReportFilter{}
	if r != nil {
		f = r.f
	}
	data["F"] = fiber.Map{"from": c.Query("from", f.From), "to": c.Query("to", f.To), "department_id": c.Query("department_id"),
		"owner_id": c.Query("owner_id"), "group_by": c.Query("group_by", f.GroupBy), "stuck_days": c.Query("stuck_days"), "pool_id": c.Query("pool_id")}
	data["Query"] = filterQuery(f).Encode()
	if errs != nil {
		data["Errors"] = errs
	}
	if err := s.reportChoices(c, data, d); err != nil {
		return err
	}
	return c.Status(status).Render("reports/show", data)
}

// reportChoices fills the department and person pickers with what the
// user may see (a manager: their department and below; sales: nothing),
// and the pools for the pool report.
func (s *Server) reportChoices(c *fiber.Ctx, data fiber.Map, d *reportDef) error {
	ctx, u := c.UserContext(), currentUser(c)
	if d.Name == "pool-turnover" {
		pools, err := s.store.Pools(ctx, u)
		if err != nil {
			return err
		}
		data["Pools"] = pools
	}
	if !u.IsManager() {
		return nil
	}
	owners, err := s.store.Assignees(ctx, u)
	if err != nil {
		return err
	}
	deps, err := s.store.Departments(ctx)
	if err != nil {
		return err
	}
	data["Owners"], data["Departments"] = owners, visibleDepartments(u, deps)
	return nil
}

// visibleDepartments keeps a manager's department and those below it.
func visibleDepartments(u *store.User, deps []*store.Department) []*store.Department {
	if u.IsAdmin() {
		return deps
	}
	if u.DepartmentID == nil {
		return nil
	}
	in := map[int64]bool{*u.DepartmentID: true}
	out := []*store.Department{}
	for _, d := range deps { // parents come before children in tree order
		if in[d.ID] || (d.ParentID != nil && in[*d.ParentID]) {
			in[d.ID] = true
			out = append(out, d)
		}
	}
	return out
}

// reportExport writes the page's tables as .xlsx (default) or .csv.
func (s *Server) reportExport(c *fiber.Ctx) error {
	format := c.Query("format", "xlsx")
	if format != "xlsx" && format != "csv" {
		return invalidField("format", "err.report_format")
	}
	d, r, out, err := s.buildNamed(c)
	if err != nil {
		return err
	}
	l := r.l
	title := l.T(d.Title) + " " + r.f.From + " ~ " + r.f.To
	var buf bytes.Buffer
	if format == "csv" {
		err = writeTablesCSV(&buf, title, out.Tables)
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	} else {
		err = writeTablesXLSX(&buf, l.T("reports.sheet"), title, out.Tables)
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	if err != nil {
		return err
	}
	name := l.T(d.Title) + "-" + r.f.From + "-" + r.f.To + "." + format
	c.Set(fiber.HeaderContentDisposition, attachment(name, d.Name+"-"+r.f.From+"-"+r.f.To+"."+format))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentLength, strconv.Itoa(buf.Len()))
	return c.Send(buf.Bytes())
}
