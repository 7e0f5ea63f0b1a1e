package app

// Customer import (导入客户): upload a .csv or .xlsx, check the column
// mapping on a preview, run the import in the background with a progress
// page, read the report of skipped rows, revert the whole import. The JSON
// API imports synchronously. The rules live in store (import.go); these
// handlers parse, call and render.

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// importUIRoutes registers the import and export pages. It runs before
// the customer pages so that /customers/import… and /customers/export…
// are never taken for a customer id.
func (s *Server) importUIRoutes(ui fiber.Router) {
	ui.Get("/customers/import", s.importPage)
	ui.Post("/customers/import", s.importUpload)
	ui.Get("/customers/import/template.csv", s.importTemplate)
	ui.Get("/customers/import/preview/:token", s.importPreview)
	ui.Post("/customers/import/preview/:token", s.importStart)
	ui.Get("/customers/import/:id<int>", s.importStatus)
	ui.Get("/customers/import/:id<int>/report.csv", s.importReportCSV)
	ui.Post("/customers/import/:id<int>/revert", s.importRevert)
	ui.Get("/customers/export.xlsx", s.customerExport("xlsx"))
	ui.Get("/customers/export.csv", s.customerExport("csv"))
}

// importAPIRoutes registers the import and export endpoints of the API.
func (s *Server) importAPIRoutes(api fiber.Router) {
	api.Post("/customers/import", s.apiImport)
	api.Get("/customers/export", s.apiExport)
	api.Post("/pools/:id<int>/import", s.apiPoolImport)
	api.Get("/imports", s.apiImports)
	api.Get("/imports/:id<int>", s.apiImportStatus)
	api.Post("/imports/:id<int>/revert", s.apiImportRevert)
}

// reportRowsShown bounds the skipped rows listed on the result page; the
// downloadable report has them all.
const reportRowsShown = 200

// readUpload returns the uploaded file of the multipart field "file",
// refusing one over the upload limit with 413.
func (s *Server) readUpload(c *fiber.Ctx) (string, []byte, error) {
	limit := s.cfg.Server.UploadLimit
	tooLarge := &store.Error{Code: store.CodeTooLarge, Msg: store.M("err.too_large", "Limit", humanBytes(limit))}
	fh, err := c.FormFile("file")
	if err != nil || fh == nil {
		return "", nil, &store.Error{Code: store.CodeInvalid, Msg: store.M("err.import_no_file"),
			Fields: map[string]store.Msg{"file": store.M("err.import_no_file")}}
	}
	if fh.Size > limit {
		return "", nil, tooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", nil, err
	}
	if int64(len(data)) > limit {
		return "", nil, tooLarge
	}
	return fh.Filename, data, nil
}

// formPoolID reads the optional target pool of an upload.
func formPoolID(c *fiber.Ctx) *int64 {
	id := formInt64(c, "pool_id")
	if id != nil && *id <= 0 {
		return nil
	}
	return id
}

// importPage shows the upload form and the past imports. ?pool_id=
// preselects a pool (the pool page links here to import leads into it).
func (s *Server) importPage(c *fiber.Ctx) error {
	var poolID *int64
	if id, err := strconv.ParseInt(c.Query("pool_id"), 10, 64); err == nil && id > 0 {
		poolID = &id
	}
	return s.renderImportPage(c, fiber.StatusOK, "", poolID)
}

func (s *Server) renderImportPage(c *fiber.Ctx, status int, errMsg string, poolID *int64) error {
	u := currentUser(c)
	pools, err := s.store.ImportPools(c.UserContext(), u)
	if err != nil {
		return err
	}
	history, err := s.store.Imports(c.UserContext(), u)
	if err != nil {
		return err
	}
	data := s.page(c, "import.title")
	data["Pools"] = pools
	data["PoolID"] = int64(0)
	if poolID != nil {
		data["PoolID"] = *poolID
	}
	data["History"] = history
	data["FileError"] = errMsg
	data["Limit"] = humanBytes(s.cfg.Server.UploadLimit)
	data["LimitBytes"] = s.cfg.Server.UploadLimit
	data["MaxRows"] = store.MaxImportRows
	return c.Status(status).Render("imports/index", data)
}

// importUpload reads and parses the file, then sends the user to the
// preview. A file that cannot be read is refused on the form itself.
func (s *Server) importUpload(c *fiber.Ctx) error {
	u := currentUser(c)
	poolID := formPoolID(c)
	if poolID != nil && !u.IsManager() {
		return store.ErrForbidden
	}
	name, data, err := s.readUpload(c)
	var table *store.ImportTable
	if err == nil {
		table, err = store.ParseImport(name, data)
	}
	if err != nil {
		e, status := asAppError(err)
		if status >= 500 {
			return err
		}
		return s.renderImportPage(c, status, loc(c).T(e.Msg.Key, e.Msg.Args), poolID)
	}
	p, err := s.store.SavePendingImport(c.UserContext(), u, name, poolID, table)
	if err != nil {
		return err
	}
	return c.Redirect("/customers/import/preview/"+p.Token, fiber.StatusSeeOther)
}

// mappingColumn is one column of the preview: its header and the field it
// goes to.
type mappingColumn struct {
	Index  int
	Header string
	Field  string
	Known  bool // the header was recognised
}

// importPreview shows the first rows and, per column, which field it will
// fill; the user may change the mapping before starting.
func (s *Server) importPreview(c *fiber.Ctx) error {
	p, err := s.store.PendingImport(c.UserContext(), currentUser(c), c.Params("token"))
	if err != nil {
		return s.pendingUploadError(c, err)
	}
	return s.renderPreview(c, fiber.StatusOK, p, p.Mapping, "")
}

// pendingUploadError sends the user back to the upload form with a word
// when their upload expired; anything else (someone else's token: not
// found) goes to the error page.
func (s *Server) pendingUploadError(c *fiber.Ctx, err error) error {
	if errors.Is(err, store.ErrUploadExpired) {
		s.setFlash(c, "import.flash_expired")
		return c.Redirect("/customers/import", fiber.StatusSeeOther)
	}
	return err
}

func (s *Server) renderPreview(c *fiber.Ctx, status int, p *store.PendingImport, mapping []string, errMsg string) error {
	guessed := store.GuessMapping(p.Header)
	cols := make([]mappingColumn, len(p.Header))
	for i, h := range p.Header {
		cols[i] = mappingColumn{Index: i, Header: h, Known: guessed[i] != ""}
		if i < len(mapping) {
			cols[i].Field = mapping[i]
		}
	}
	// The first rows, each padded to the header's width.
	rows := make([]store.ImportRow, len(p.Preview))
	for i, r := range p.Preview {
		rows[i] = store.ImportRow{Line: r.Line, Cells: make([]string, len(p.Header))}
		copy(rows[i].Cells, r.Cells)
	}
	data := s.page(c, "import.preview_title")
	data["Token"] = p.Token
	data["FileName"] = p.FileName
	data["Total"] = p.Total
	data["Columns"] = cols
	data["Rows"] = rows
	data["Fields"] = store.ImportFields
	data["Error"] = errMsg
	if p.PoolID != nil {
		pools, err := s.store.ImportPools(c.UserContext(), currentUser(c))
		if err != nil {
			return err
		}
		for _, pl := range pools {
			if pl.ID == *p.PoolID {
				data["Pool"] = pl
			}
		}
	}
	return c.Status(status).Render("imports/preview", data)
}

// importStart records the import and runs it in the background; the user
// watches it on the status page.
func (s *Server) importStart(c *fiber.Ctx) error {
	u := currentUser(c)
	p, err := s.store.PendingImport(c.UserContext(), u, c.Params("token"))
	if err != nil {
		return s.pendingUploadError(c, err)
	}
	mapping := make([]string, len(p.Header))
	for i := range mapping {
		mapping[i] = strings.TrimSpace(c.FormValue("map_" + strconv.Itoa(i)))
	}
	rows, err := s.store.PendingImportRows(c.UserContext(), u, p.Token)
	if err != nil {
		return s.pendingUploadError(c, err)
	}
	req := store.ImportRequest{FileName: p.FileName, Header: p.Header, Rows: rows, Mapping: mapping, PoolID: p.PoolID}
	id, err := s.store.BeginImport(c.UserContext(), u, req)
	if err != nil {
		if userFacing(err) {
			e, status := asAppError(err)
			msg := loc(c).T(e.Msg.Key, e.Msg.Args)
			if f, ok := e.Extra["field"].(string); ok {
				msg = loc(c).T(e.Msg.Key, "Field", loc(c).T(fieldLabelKey(f)))
			}
			return s.renderPreview(c, status, p, mapping, msg)
		}
		return err
	}
	if err := s.store.FinishPendingImport(c.UserContext(), u, p.Token); err != nil {
		// The import is recorded and must run; the upload expires anyway.
		s.log.Warn("upload not retired", slog.Int64("import_id", id), slog.Any("err", err))
	}
	// The request's context ends with the request; the import must not.
	// context.Background (not the request's) because fiber reuses the
	// request context once the handler returns.
	go s.runImport(context.Background(), u, id, req)
	return c.Redirect("/customers/import/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// runImport runs an import in the background and logs how it ended.
func (s *Server) runImport(ctx context.Context, u *store.User, id int64, req store.ImportRequest) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("import panicked", slog.Int64("import_id", id), slog.Any("panic", r))
		}
	}()
	res, err := s.store.RunImport(ctx, u, id, req, nil)
	if err != nil {
		s.log.Error("import failed", slog.Int64("import_id", id), slog.Int64("user_id", u.ID), slog.Any("err", err))
		return
	}
	s.log.Info("import done", slog.Int64("import_id", id), slog.Int64("user_id", u.ID), slog.Int("rows", len(req.Rows)),
		slog.Int("created", res.Created), slog.Int("skipped", len(res.Skipped)), slog.Duration("duration", time.Since(start)))
}

// skippedView is a skipped row as the result page shows it.
type skippedView struct {
	Row    int
	Kind   string
	Reason string
	Cells  []string
}

// importStatus shows an import: its progress while it runs (the page
// refreshes itself every 2 s), then its result and report.
func (s *Server) importStatus(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	info, rep, err := s.store.ImportReport(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	l := loc(c)
	data := s.page(c, "import.status_title")
	data["Import"] = info
	data["Running"] = info.Status == store.ImportRunning
	if info.Status == store.ImportRunning || info.Reverting != nil {
		// The Refresh header reloads the page without any script.
		c.Set("Refresh", "2")
	}
	skipped := make([]skippedView, 0, min(len(rep.Skipped), reportRowsShown))
	for _, sk := range rep.Skipped[:min(len(rep.Skipped), reportRowsShown)] {
		skipped = append(skipped, skippedView{Row: sk.Row, Kind: sk.Kind, Reason: skipReason(l, sk), Cells: sk.Cells})
	}
	data["Report"] = rep
	data["Skipped"] = skipped
	data["MoreSkipped"] = len(rep.Skipped) - len(skipped)
	data["Header"] = rep.Header
	if rep.Failure != nil {
		data["Failure"] = l.T(rep.Failure.Key, rep.Failure.Args)
	}
	data["CanRevert"] = (info.Status == store.ImportDone || info.Status == store.ImportFailed) && info.Reverting == nil
	return c.Render("imports/status", data)
}

// importRevert starts removing what the import created (撤销导入); the
// status page shows its progress, then which customers were kept because
// someone changed them.
func (s *Server) importRevert(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	job, err := s.store.BeginRevert(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	go func() {
		start := time.Now()
		res, err := job.Run(context.Background())
		if err != nil {
			s.log.Error("revert failed", slog.Int64("import_id", id), slog.Int64("user_id", u.ID), slog.Any("err", err))
			return
		}
		s.log.Info("import reverted", slog.Int64("import_id", id), slog.Int64("user_id", u.ID), slog.Int("removed", res.Removed),
			slog.Int("kept", len(res.Kept)), slog.Duration("duration", time.Since(start)))
	}()
	return c.Redirect("/customers/import/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// importReportCSV downloads the skipped rows — row number, reason and the
// original cells — as CSV in UTF-8 with a BOM, which Excel opens as such.
func (s *Server) importReportCSV(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	info, rep, err := s.store.ImportReport(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	l := loc(c)
	var b strings.Builder
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	head := []string{l.T("import.report.row"), l.T("import.report.kind"), l.T("import.report.reason")}
	_ = w.Write(append(head, rep.Header...))
	for _, sk := range rep.Skipped {
		rec := []string{strconv.Itoa(sk.Row), l.T(skipKindKey(sk.Kind)), skipReason(l, sk)}
		for _, cell := range sk.Cells {
			rec = append(rec, safeCell(cell))
		}
		_ = w.Write(rec)
	}
	w.Flush()
	base := strings.TrimSuffix(info.FileName, fileExt(info.FileName))
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, attachment(l.T("import.report.file", "Name", base, "ID", info.ID)+".csv", "import-"+strconv.FormatInt(info.ID, 10)+"-report.csv"))
	return c.SendString(b.String())
}

// importTemplate downloads an empty CSV with the recognised headers in the
// user's language: the easiest way to get a file that imports cleanly.
func (s *Server) importTemplate(c *fiber.Ctx) error {
	l := loc(c)
	var b strings.Builder
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	head := make([]string, len(store.ImportFields))
	for i, f := range store.ImportFields {
		head[i] = l.T(fieldLabelKey(f))
	}
	_ = w.Write(head)
	_ = w.Write(strings.Split(l.T("import.template_example"), "|"))
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, attachment(l.T("import.template_file")+".csv", "customers-template.csv"))
	return c.SendString(b.String())
}

// fieldLabelKey is the catalogue key of an import field's label
// ("import.field.<field>"), the same words the importer recognises as
// headers.
func fieldLabelKey(field string) string { return "import.field." + field }

// skipKindKey is the catalogue key of a kind of skipped row.
func skipKindKey(kind string) string { return "import.kind." + kind }

// statusLabelKey is the catalogue key of a customer status as exports
// write it (and the importer reads it back).
func statusLabelKey(status string) string { return "import.status." + status }

// skipReason says in the user's language why a row was skipped: the
// refusal of each field ("邮箱：邮箱格式不正确。"), or whom it duplicates.
func skipReason(l *i18n.Localizer, sk store.ImportSkip) string {
	sep := "; "
	colon := ": "
	if l.IsZH() {
		sep, colon = "；", "："
	}
	label := func(field string) string {
		key := fieldLabelKey(field)
		if i18n.Has(l.Lang, key) {
			return l.T(key)
		}
		return field
	}
	if sk.Kind == store.SkipDuplicate {
		msg := l.T(sk.Reason.Key, sk.Reason.Args)
		if d := sk.DuplicateOf; d != nil && d.Field != "" {
			return l.T("import.dup_field", "Field", label(d.Field)) + colon + msg
		}
		return msg
	}
	if len(sk.Fields) == 0 {
		return l.T(sk.Reason.Key, sk.Reason.Args)
	}
	fields := fieldsInOrder(sk.Fields, store.ImportFields)
	parts := make([]string, len(fields))
	for i, f := range fields {
		m := sk.Fields[f]
		parts[i] = label(f) + colon + l.T(m.Key, m.Args)
	}
	return strings.Join(parts, sep)
}

// apiImport imports a file synchronously for the caller (owned), or into
// pool_id.
func (s *Server) apiImport(c *fiber.Ctx) error {
	return s.apiImportInto(c, formPoolID(c))
}

// apiPoolImport is POST /pools/{id}/import: managers and admins load
// leads into a pool they can see.
func (s *Server) apiPoolImport(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return s.apiImportInto(c, &id)
}

func (s *Server) apiImportInto(c *fiber.Ctx, poolID *int64) error {
	u := currentUser(c)
	if poolID != nil {
		if !u.IsManager() {
			return store.ErrForbidden
		}
		pools, err := s.store.ImportPools(c.UserContext(), u)
		if err != nil {
			return err
		}
		if !containsRef(pools, *poolID) {
			return store.ErrNotFound
		}
	}
	name, data, err := s.readUpload(c)
	if err != nil {
		return err
	}
	table, err := store.ParseImport(name, data)
	if err != nil {
		return err
	}
	req := store.ImportRequest{FileName: name, Header: table.Header, Rows: table.Rows, Mapping: table.Mapping, PoolID: poolID}
	res, err := s.store.Import(c.UserContext(), u, req, nil)
	if err != nil {
		return err
	}
	return c.JSON(importAnswer(loc(c), res.ID, res.Created, res.Skipped))
}

func containsRef(refs []store.Ref, id int64) bool {
	for _, r := range refs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// importAnswer is the API's answer to an import (API.md): created, the
// duplicates with what they duplicate, the bad rows with why.
func importAnswer(l *i18n.Localizer, id int64, created int, skipped []store.ImportSkip) fiber.Map {
	dups := []fiber.Map{}
	errs := []fiber.Map{}
	for _, sk := range skipped {
		if sk.Kind == store.SkipDuplicate {
			d := fiber.Map{"row": sk.Row, "duplicate_of": sk.DuplicateOf, "message": skipReason(l, sk)}
			if sk.DuplicateRow > 0 {
				d["duplicate_row"] = sk.DuplicateRow
			}
			dups = append(dups, d)
			continue
		}
		e := fiber.Map{"row": sk.Row, "message": skipReason(l, sk)}
		if len(sk.Fields) > 0 {
			fields := fiber.Map{}
			for f, m := range sk.Fields {
				fields[f] = l.T(m.Key, m.Args)
			}
			e["fields"] = fields
		}
		errs = append(errs, e)
	}
	return fiber.Map{"id": id, "created": created, "duplicates": dups, "errors": errs}
}

// apiImports lists the caller's imports (an admin's: everyone's).
func (s *Server) apiImports(c *fiber.Ctx) error {
	list, err := s.store.Imports(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list), "page": 1, "per_page": len(list)})
}

// apiImportStatus is one import with its skipped rows, in the shape of the
// import answer.
func (s *Server) apiImportStatus(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	info, rep, err := s.store.ImportReport(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	ans := importAnswer(loc(c), info.ID, info.Created, rep.Skipped)
	ans["import"] = info
	if rep.Kept != nil || info.Status == store.ImportReverted {
		ans["removed"], ans["kept"] = rep.Removed, rep.Kept
	}
	return c.JSON(ans)
}

// apiImportRevert reverts an import: {"removed":n,"kept":[{"id","name"}]}.
func (s *Server) apiImportRevert(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	res, err := s.store.RevertImport(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// attachment builds a Content-Disposition for a download: the ASCII
// fallback name, and the real (often Chinese) name in RFC 5987 form.
func attachment(name, ascii string) string {
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// safeCell keeps a spreadsheet from running a cell as a formula (CSV
// injection): text starting with = + - @ gets a leading apostrophe, unless
// it is a number or phone number such as +86 138… or -12.5.
func safeCell(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return "'" + v
	case '+', '-':
		for _, r := range v[1:] {
			if !strings.ContainsRune("0123456789 .()-", r) {
				return "'" + v
			}
		}
	}
	return v
}

// fieldsInOrder returns the fields of a refusal in the importer's column
// order (known fields first), so a row's reasons read left to right.
func fieldsInOrder(refused map[string]store.Msg, columns []string) []string {
	order := make(map[string]int, len(columns))
	for i, f := range columns {
		order[f] = i
	}
	fields := make([]string, 0, len(refused))
	for f := range refused {
		fields = append(fields, f)
	}
	sort.Slice(fields, func(i, j int) bool {
		oi, iok := order[fields[i]]
		oj, jok := order[fields[j]]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return fields[i] < fields[j]
	})
	return fields
}
