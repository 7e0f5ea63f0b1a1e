package app

// Opportunity import (导入商机): an admin moves the company's deal history
// in from a .csv or .xlsx — back-dated, already won or lost — so reports
// are right from day one. Unlike the customer import it runs synchronously
// (at most store.MaxOppImportRows rows) and shows its result at once. The
// rules live in store (opp_import.go); these handlers read, call, render.

import (
	"encoding/csv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// oppImportRoutes registers the opportunity import page and its template;
// admin only. It runs before the pipeline pages so /opportunities/import
// is never taken for an opportunity.
func (s *Server) oppImportRoutes(ui fiber.Router, adminOnly fiber.Handler) {
	ui.Get("/opportunities/import", adminOnly, s.oppImportPage)
	ui.Post("/opportunities/import", adminOnly, s.oppImportUpload)
	ui.Get("/opportunities/import/template.csv", adminOnly, s.oppImportTemplate)
}

// oppImportAPIRoutes registers POST /api/v1/opportunities/import (admin
// only). It must run before the API's catch-all 404, which answers every
// /api/v1 route registered after it.
func (s *Server) oppImportAPIRoutes(api fiber.Router, adminOnly fiber.Handler) {
	api.Post("/opportunities/import", adminOnly, s.apiOppImport)
}

// oppImportErrorsShown bounds the skipped rows listed on the result page.
const oppImportErrorsShown = 500

func (s *Server) oppImportPage(c *fiber.Ctx) error {
	return s.renderOppImportPage(c, fiber.StatusOK, "")
}

func (s *Server) renderOppImportPage(c *fiber.Ctx, status int, errMsg string) error {
	data := s.page(c, "oppimport.title")
	data["FileError"] = errMsg
	data["Limit"] = humanBytes(s.cfg.Server.UploadLimit)
	data["LimitBytes"] = s.cfg.Server.UploadLimit
	data["MaxRows"] = store.MaxOppImportRows
	data["Fields"] = oppImportFieldHelp(loc(c))
	return c.Status(status).Render("oppimports/index", data)
}

// oppFieldHelp is one column explained on the upload page.
type oppFieldHelp struct {
	Label string
	Help  string
}

func oppImportFieldHelp(l *i18n.Localizer) []oppFieldHelp {
	out := make([]oppFieldHelp, len(store.OppImportFields))
	for i, f := range store.OppImportFields {
		out[i] = oppFieldHelp{Label: l.T(oppFieldLabelKey(f)), Help: l.T(oppFieldHelpKey(f))}
	}
	return out
}

// oppFieldLabelKey is the catalogue key of an import column's label.
func oppFieldLabelKey(field string) string { return "oppimport.field." + field }

// oppFieldHelpKey is the catalogue key of an import column's explanation.
func oppFieldHelpKey(field string) string { return "oppimport.help." + field }

// runOppImport reads the uploaded file and imports it; a file refused
// whole comes back as a *store.Error.
func (s *Server) runOppImport(c *fiber.Ctx) (*store.OppImportResult, error) {
	name, data, err := s.readUpload(c)
	if err != nil {
		return nil, err
	}
	table, err := store.ParseImport(name, data)
	if err != nil {
		return nil, err
	}
	return s.store.ImportOpportunities(c.UserContext(), currentUser(c), table.Header, table.Rows)
}

// oppImportRowView is a skipped row as the result page shows it.
type oppImportRowView struct {
	Row    int
	Reason string
	Cells  []string
}

// oppImportUpload runs the import and shows its result; a file that cannot
// be read is refused on the form itself.
func (s *Server) oppImportUpload(c *fiber.Ctx) error {
	res, err := s.runOppImport(c)
	if err != nil {
		e, status := asAppError(err)
		if status >= 500 || status == fiber.StatusForbidden {
			return err
		}
		return s.renderOppImportPage(c, status, loc(c).T(e.Msg.Key, e.Msg.Args))
	}
	l := loc(c)
	rows := make([]oppImportRowView, 0, min(len(res.Errors), oppImportErrorsShown))
	for _, e := range res.Errors[:min(len(res.Errors), oppImportErrorsShown)] {
		cells := make([]string, len(res.Header))
		copy(cells, e.Cells)
		rows = append(rows, oppImportRowView{Row: e.Row, Reason: oppImportReason(l, e), Cells: cells})
	}
	data := s.page(c, "oppimport.result_title")
	data["Created"] = res.Created
	data["ErrorCount"] = len(res.Errors)
	data["Rows"] = rows
	data["More"] = len(res.Errors) - len(rows)
	data["Header"] = res.Header
	return c.Render("oppimports/result", data)
}

// oppImportReason says in the user's language why a row was skipped:
// "列：原因；…" in the order of the columns, else the general message.
func oppImportReason(l *i18n.Localizer, e store.OppImportError) string {
	if len(e.Fields) == 0 {
		return l.T(e.Msg.Key, e.Msg.Args)
	}
	sep, colon := "; ", ": "
	if l.IsZH() {
		sep, colon = "；", "："
	}
	fields := fieldsInOrder(e.Fields, store.OppImportFields)
	parts := make([]string, len(fields))
	for i, f := range fields {
		label := f
		if key := oppFieldLabelKey(f); i18n.Has(l.Lang, key) {
			label = l.T(key)
		}
		m := e.Fields[f]
		parts[i] = label + colon + l.T(m.Key, m.Args)
	}
	return strings.Join(parts, sep)
}

// oppImportTemplate downloads a CSV (UTF-8 with BOM, which Excel opens as
// such) with the Chinese headers and example rows.
func (s *Server) oppImportTemplate(c *fiber.Ctx) error {
	var b strings.Builder
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	_ = w.Write([]string{"客户名称", "商机名称", "金额", "阶段", "预计成交日期", "负责人", "来源", "创建日期", "成交日期", "输单原因", "备注"})
	_ = w.Write([]string{"示例科技有限公司", "2025年度软件采购", "128000.00", "赢单", "2025-03-01", "", "老客户介绍", "2025-01-10", "2025-03-01", "", ""})
	_ = w.Write([]string{"示例贸易有限公司", "办公设备升级", "56000", "输单", "2025-04-30", "", "", "2025-02-15", "2025-04-20", "价格过高", ""})
	_ = w.Write([]string{"示例贸易有限公司", "二期项目", "300000", "商务谈判", "2025-09-30", "", "", "2025-05-06", "", "", ""})
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, attachment("商机导入模板.csv", "opportunities-template.csv"))
	return c.SendString(b.String())
}

// apiOppImport is POST /api/v1/opportunities/import (multipart "file"):
// {"created":n,"errors":[{"row","message","fields"?}]}.
func (s *Server) apiOppImport(c *fiber.Ctx) error {
	res, err := s.runOppImport(c)
	if err != nil {
		return err
	}
	l := loc(c)
	errs := make([]fiber.Map, 0, len(res.Errors))
	for _, e := range res.Errors {
		m := fiber.Map{"row": e.Row, "message": oppImportReason(l, e)}
		if len(e.Fields) > 0 {
			fields := fiber.Map{}
			for f, msg := range e.Fields {
				fields[f] = l.T(msg.Key, msg.Args)
			}
			m["fields"] = fields
		}
		errs = append(errs, m)
	}
	return c.JSON(fiber.Map{"created": res.Created, "errors": errs})
}
