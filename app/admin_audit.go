package app

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// The audit log page (操作日志): filters, newest first, keyset pages
// ("older" follows the last id shown), export of the filtered rows.

const (
	auditPageSize  = 50
	auditExportMax = 100000
)

func (s *Server) auditPage(c *fiber.Ctx) error {
	q, qerr := s.auditQuery(c)
	data := s.page(c, "audit.title")
	data["Tab"] = "audit"
	users, err := s.store.Users(c.UserContext())
	if err != nil {
		return err
	}
	data["Users"] = users
	data["Entities"] = store.AuditEntities
	data["Actions"] = store.AuditActions
	data["Q"] = fiber.Map{"UserID": q.UserID, "Entity": q.Entity, "Action": q.Action, "From": c.Query("from"), "To": c.Query("to")}
	data["Errors"] = fieldMessages(c, qerr)
	data["Filter"] = auditFilterQuery(c)
	status := fiber.StatusOK
	if qerr != nil {
		status = fiber.StatusBadRequest
		q = store.AuditQuery{}
	}
	q.Limit = auditPageSize
	rows, err := s.store.AuditLog(c.UserContext(), currentUser(c), q)
	if err != nil {
		return err
	}
	data["Rows"] = rows
	if len(rows) == auditPageSize {
		data["Older"] = rows[len(rows)-1].ID
	}
	data["Paged"] = q.Before > 0
	return c.Status(status).Render("admindata/audit", data)
}

// auditFilterQuery is the current filter as a query string (no cursor),
// for the "older" and export links.
func auditFilterQuery(c *fiber.Ctx) string {
	v := url.Values{}
	for _, k := range []string{"user_id", "entity", "action", "from", "to"} {
		if x := c.Query(k); x != "" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

// auditExport streams the filtered rows (up to auditExportMax) as CSV or
// xlsx; the export itself is audited.
func (s *Server) auditExport(c *fiber.Ctx) error {
	format := c.Query("format", "xlsx")
	if format != "csv" && format != "xlsx" {
		return store.ErrNotFound
	}
	q, err := s.auditQuery(c)
	if err != nil {
		return err
	}
	q.Before, q.Limit = 0, auditExportMax
	rows, err := s.store.AuditLog(c.UserContext(), currentUser(c), q)
	if err != nil {
		return err
	}
	if err := s.store.Audit(c.UserContext(), store.AuditEntry{Action: store.AuditExport, Entity: "audit", Detail: format + " " + auditFilterQuery(c)}); err != nil {
		return err
	}
	l := loc(c)
	translateAudit(l, rows)
	table := auditTable(rows, l, s.cfg.Location)
	date := s.store.Now().In(s.cfg.Location).Format("2006-01-02")
	c.Set(fiber.HeaderContentDisposition, attachment(l.T("audit.file", "Date", date)+"."+format, "audit-"+date+"."+format))
	c.Set(fiber.HeaderCacheControl, "no-store")
	if format == "csv" {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		return writeCSVTable(c.Response().BodyWriter(), table)
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	return writeXLSXTable(c.Response().BodyWriter(), l.T("audit.title"), table)
}

// auditTable lays the rows out with a translated header.
func auditTable(rows []*store.AuditRow, l *i18n.Localizer, zone *time.Location) [][]string {
	out := [][]string{{l.T("audit.col.at"), l.T("audit.col.user"), l.T("audit.col.ip"), l.T("audit.col.action"),
		l.T("audit.col.entity"), l.T("audit.col.entity_id"), l.T("audit.col.field"), l.T("audit.col.old"), l.T("audit.col.new"), l.T("audit.col.detail")}}
	for _, r := range rows {
		user := l.T("audit.system")
		if r.UserID != nil {
			user = r.UserName
		}
		eid := ""
		if r.EntityID != nil {
			eid = strconv.FormatInt(*r.EntityID, 10)
		}
		action, entity := "audit.action."+r.Action, "audit.entity."+r.Entity
		out = append(out, []string{r.At.In(zone).Format("2006-01-02 15:04:05"), user, r.IP, l.T(action),
			l.T(entity), eid, auditField(l, r.Entity, r.Field), r.Old, r.New, r.Detail})
	}
	return out
}

// writeCSVTable writes UTF-8 with a BOM (Excel reads the Chinese right);
// cells are made safe from formula injection.
func writeCSVTable(w io.Writer, table [][]string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	for _, rec := range table {
		safe := make([]string, len(rec))
		for i, v := range rec {
			safe[i] = safeCell(v)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeXLSXTable(w io.Writer, sheet string, table [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, rec := range table {
		row := make([]any, len(rec))
		for j, v := range rec {
			row[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
