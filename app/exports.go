package app

// Customer export (导出客户): the current list — the same filters, sort and
// visibility as the list page, because it is read through
// store.EachCustomer — as .xlsx or .csv, streamed so that 100,000 rows
// need little memory.

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// exportTimeout bounds one export's database reads.
const exportTimeout = 10 * time.Minute

// exportColumn is one column of an export: its header key and how to read
// the value. The headers are the ones the importer recognises, so an
// exported file imports again.
type exportColumn struct {
	key   string
	value func(c *store.Customer) string
	width float64
}

func exportColumns(l *i18n.Localizer, zone *time.Location) []exportColumn {
	when := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(zone).Format("2006-01-02 15:04")
	}
	return []exportColumn{
		{"import.field.name", func(c *store.Customer) string { return c.Name }, 36},
		{"import.field.phone", func(c *store.Customer) string { return c.Phone }, 18},
		{"import.field.email", func(c *store.Customer) string { return c.Email }, 26},
		{"import.field.website", func(c *store.Customer) string { return c.Website }, 24},
		{"import.field.industry", func(c *store.Customer) string { return c.Industry }, 12},
		{"import.field.level", func(c *store.Customer) string { return c.Level }, 8},
		{"import.field.source", func(c *store.Customer) string { return c.Source }, 12},
		{"import.field.region", func(c *store.Customer) string { return c.Region }, 12},
		{"import.field.address", func(c *store.Customer) string { return c.Address }, 36},
		{"import.field.status", func(c *store.Customer) string { return l.T(statusLabelKey(c.Status)) }, 10},
		{"import.field.tags", func(c *store.Customer) string { return strings.Join(c.Tags, ", ") }, 20},
		{"export.col.owner", func(c *store.Customer) string {
			if c.Owner != nil {
				return c.Owner.Name
			}
			return ""
		}, 12},
		{"export.col.pool", func(c *store.Customer) string {
			if c.Pool != nil {
				return c.Pool.Name
			}
			return ""
		}, 14},
		{"export.col.last_followup", func(c *store.Customer) string { return when(c.LastFollowupAt) }, 17},
		{"export.col.next_followup", func(c *store.Customer) string { return when(c.NextFollowupAt) }, 17},
		{"export.col.created_at", func(c *store.Customer) string { return when(&c.CreatedAt) }, 17},
		{"import.field.notes", func(c *store.Customer) string { return c.Notes }, 40},
	}
}

// customerExport serves /customers/export.xlsx and /customers/export.csv.
func (s *Server) customerExport(format string) fiber.Handler {
	return func(c *fiber.Ctx) error { return s.exportCustomers(c, format) }
}

// apiExport is GET /api/v1/customers/export?format=xlsx|csv&<list filters>.
func (s *Server) apiExport(c *fiber.Ctx) error {
	format := strings.ToLower(strings.TrimSpace(c.Query("format", "xlsx")))
	if format != "xlsx" && format != "csv" {
		return &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"),
			Fields: map[string]store.Msg{"format": store.M("err.export_format")}}
	}
	return s.exportCustomers(c, format)
}

// exportCustomers checks the filters, then streams the file. The filters
// are the list's (customerQuery); a bad one is an error page or 400, not a
// broken download.
func (s *Server) exportCustomers(c *fiber.Ctx, format string) error {
	u := currentUser(c)
	q, err := customerQuery(c)
	if err != nil {
		return err
	}
	probe := q
	probe.PerPage, probe.Cursor, probe.Page = 1, "", 1
	if _, err := s.store.ListCustomers(c.UserContext(), u, probe); err != nil {
		return err
	}
	if err := s.store.Audit(c.UserContext(), store.AuditEntry{Action: store.AuditExport, Entity: "customer", Detail: format + " " + c.Context().QueryArgs().String()}); err != nil {
		return err
	}
	l := loc(c)
	zone := s.cfg.Location
	date := s.store.Now().In(zone).Format("2006-01-02")
	c.Set(fiber.HeaderContentDisposition, attachment(l.T("export.file", "Date", date)+"."+format, "customers-"+date+"."+format))
	if format == "csv" {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	} else {
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	st, log := s.store, s.log
	// The body is written after the handler returns, so nothing of c is
	// used inside: fiber reuses it for the next request.
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), exportTimeout)
		defer cancel()
		var err error
		if format == "csv" {
			err = writeCustomersCSV(ctx, st, u, q, l, zone, w)
		} else {
			err = writeCustomersXLSX(ctx, st, u, q, l, zone, w)
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			log.Error("export failed", slog.Int64("user_id", u.ID), slog.String("format", format), slog.Any("err", err))
		}
	})
	return nil
}

// writeCustomersCSV writes UTF-8 with a BOM (so Excel reads the Chinese
// right), CRLF line ends, and cells that cannot run as formulas.
func writeCustomersCSV(ctx context.Context, st *store.Store, u *store.User, q store.CustomerQuery, l *i18n.Localizer, zone *time.Location, w io.Writer) error {
	cols := exportColumns(l, zone)
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	rec := make([]string, len(cols))
	for i, col := range cols {
		rec[i] = l.T(col.key)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	err := st.EachCustomer(ctx, u, q, func(c *store.Customer) error {
		for i, col := range cols {
			rec[i] = safeCell(col.value(c))
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// writeCustomersXLSX writes one worksheet with a bold, frozen header row,
// through excelize's stream writer (rows go to a temp file, not memory).
func writeCustomersXLSX(ctx context.Context, st *store.Store, u *store.User, q store.CustomerQuery, l *i18n.Localizer, zone *time.Location, w io.Writer) error {
	cols := exportColumns(l, zone)
	f := excelize.NewFile()
	defer f.Close()
	sheet := l.T("export.sheet")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F4F7"}}})
	if err != nil {
		return err
	}
	for i, col := range cols {
		if err := sw.SetColWidth(i+1, i+1, col.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := make([]any, len(cols))
	for i, col := range cols {
		row[i] = excelize.Cell{StyleID: bold, Value: l.T(col.key)}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	n := 1
	err = st.EachCustomer(ctx, u, q, func(c *store.Customer) error {
		n++
		if n > excelize.TotalRows {
			return fmt.Errorf("export: more than %d rows", excelize.TotalRows)
		}
		for i, col := range cols {
			row[i] = col.value(c)
		}
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, row)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
