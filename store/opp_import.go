package store

// Importing opportunity history (导入商机): companies moving to Tide bring
// their past deals with their original dates, so reports are right from
// day one. The file is read by ParseImport (CSV UTF-8/BOM/GBK or .xlsx);
// each row becomes one CreateOpportunity — the same rules as a single
// back-dated create, each in its own transaction. Bad rows are skipped and
// reported with their row number, reason and original cells.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// MaxOppImportRows bounds one opportunity import. It runs synchronously
// (one transaction per row); a history larger than this is split.
const MaxOppImportRows = 20_000

// OppImportFields are the columns the opportunity import reads, in the
// order the template and the help list them.
var OppImportFields = []string{"customer", "name", "amount", "stage", "expected_close", "owner", "source",
	"created_at", "closed_at", "lost_reason", "notes"}

// oppHeaderAliases maps a folded header cell (see foldHeader) to its field.
var oppHeaderAliases = map[string]string{}

func init() {
	for field, names := range map[string][]string{
		"customer":       {"客户", "客户名称", "客户名", "customer", "customername", "customer_name", "account"},
		"name":           {"商机名称", "商机", "名称", "name", "opportunity", "opportunityname", "deal", "dealname"},
		"amount":         {"金额", "商机金额", "amount", "value"},
		"stage":          {"阶段", "销售阶段", "stage"},
		"expected_close": {"预计成交日期", "预计成交", "expected_close", "expectedclosedate"},
		"owner":          {"负责人", "owner"},
		"source":         {"来源", "source"},
		"created_at":     {"创建日期", "创建时间", "created_at", "createddate", "created"},
		"closed_at":      {"成交日期", "关闭日期", "closed_at", "closeddate", "closedate", "closed"},
		"lost_reason":    {"输单原因", "lost_reason", "lostreason"},
		"notes":          {"备注", "notes", "note", "remark", "remarks"},
	} {
		for _, n := range names {
			oppHeaderAliases[foldHeader(n)] = field
		}
	}
}

// OppImportMapping maps each header cell to an opportunity field ("" =
// ignored); a field is given to its first column only.
func OppImportMapping(header []string) []string {
	out := make([]string, len(header))
	taken := map[string]bool{}
	for i, h := range header {
		f := oppHeaderAliases[foldHeader(h)]
		if f != "" && !taken[f] {
			out[i], taken[f] = f, true
		}
	}
	return out
}

// OppImportError is a skipped row: its row number as the user sees it in
// the file, why (Fields per column, else Msg) and its original cells.
type OppImportError struct {
	Row    int
	Msg    Msg
	Fields map[string]Msg
	Cells  []string
}

// OppImportResult is what an opportunity import did.
type OppImportResult struct {
	Created int
	Errors  []OppImportError
	Header  []string
}

// ImportOpportunities creates one opportunity per row (admins only).
// header is the file's header row, rows its data rows (ParseImport reads
// both). A file without a customer or name column, or with more than
// MaxOppImportRows rows, is refused whole; otherwise every good row is
// created and every bad one reported. Rows are independent: a failing row
// leaves nothing behind, and the rows before it stay created.
func (s *Store) ImportOpportunities(ctx context.Context, actor *User, header []string, rows []ImportRow) (*OppImportResult, error) {
	if actor == nil || !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	if len(rows) > MaxOppImportRows {
		return nil, importError("err.opp_import_too_many_rows", "Max", MaxOppImportRows)
	}
	mapping := OppImportMapping(header)
	col := map[string]int{}
	for i, f := range mapping {
		if f != "" {
			col[f] = i
		}
	}
	if _, ok := col["customer"]; !ok {
		return nil, importError("err.opp_import_no_customer_column")
	}
	if _, ok := col["name"]; !ok {
		return nil, importError("err.opp_import_no_name_column")
	}
	lk, err := s.newOppLookup(ctx)
	if err != nil {
		return nil, err
	}
	res := &OppImportResult{Header: header, Errors: []OppImportError{}}
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		cell := func(f string) string {
			i, ok := col[f]
			if !ok || i >= len(r.Cells) {
				return ""
			}
			return strings.TrimSpace(r.Cells[i])
		}
		in, fe, err := s.oppRowInput(ctx, lk, cell)
		if err != nil {
			return res, err
		}
		if len(fe) > 0 {
			res.Errors = append(res.Errors, OppImportError{Row: r.Line, Msg: M("err.invalid"), Fields: fe, Cells: r.Cells})
			continue
		}
		if dup, err := s.oppAlreadyImported(ctx, in); err != nil {
			return res, err
		} else if dup > 0 {
			res.Errors = append(res.Errors, OppImportError{Row: r.Line, Msg: M("err.invalid"),
				Fields: map[string]Msg{"name": M("err.opp_import_exists", "ID", dup)}, Cells: r.Cells})
			continue
		}
		if _, err := s.CreateOpportunity(ctx, actor, in); err != nil {
			e, ok := AsError(err)
			if !ok {
				return res, fmt.Errorf("store: import opportunity row %d: %w", r.Line, err)
			}
			res.Errors = append(res.Errors, OppImportError{Row: r.Line, Msg: e.Msg, Fields: oppImportFields(e.Fields), Cells: r.Cells})
			continue
		}
		res.Created++
	}
	return res, s.Audit(ctx, AuditEntry{Action: AuditImport, Entity: "opportunity", Detail: M("audit.detail.opp_import", "Created", res.Created, "Refused", len(res.Errors)).Encode(), ActorID: actor.ID})
}

// oppAlreadyImported finds the opportunity a row would duplicate, so that
// importing the same file twice adds nothing: the same customer and name
// and, for history rows, the same creation time; a row without a creation
// date duplicates an open opportunity of that name.
func (s *Store) oppAlreadyImported(ctx context.Context, in OpportunityInput) (int64, error) {
	q := `SELECT id FROM opportunities WHERE customer_id = ? AND name = ? AND deleted_at IS NULL AND status = 'open' LIMIT 1`
	args := []any{*in.CustomerID, strings.TrimSpace(*in.Name)}
	if in.CreatedAt != nil {
		q = `SELECT id FROM opportunities WHERE customer_id = ? AND name = ? AND deleted_at IS NULL AND created_at = ? LIMIT 1`
		args = append(args, in.CreatedAt.Unix())
	}
	var id int64
	err := s.r.QueryRowContext(ctx, q, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: opportunity import duplicate check: %w", err)
	}
	return id, nil
}

// oppImportFields renames CreateOpportunity's field names to the import's
// column names.
func oppImportFields(in map[string]Msg) map[string]Msg {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]Msg, len(in))
	for f, m := range in {
		switch f {
		case "customer_id":
			f = "customer"
		case "stage_id":
			f = "stage"
		case "owner_id":
			f = "owner"
		}
		out[f] = m
	}
	return out
}

// oppLookup holds what rows refer to by name: stages, users, customers.
type oppLookup struct {
	stages    []*Stage
	users     map[string][]int64 // lower-cased username and display name → ids
	customers map[string]int64   // normalised name → id (0: none)
}

func (s *Store) newOppLookup(ctx context.Context) (*oppLookup, error) {
	stages, err := stagesQ(ctx, s.r, "zh-CN", "0")
	if err != nil {
		return nil, err
	}
	lk := &oppLookup{stages: stages, users: map[string][]int64{}, customers: map[string]int64{}}
	rows, err := s.r.QueryContext(ctx, `SELECT id, username, name FROM users ORDER BY active DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("store: import users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var username, name string
		if err := rows.Scan(&id, &username, &name); err != nil {
			return nil, err
		}
		lk.users[strings.ToLower(username)] = append(lk.users[strings.ToLower(username)], id)
		if n := strings.ToLower(strings.TrimSpace(name)); n != "" && n != strings.ToLower(username) {
			lk.users[n] = append(lk.users[n], id)
		}
	}
	return lk, rows.Err()
}

// customer finds a customer by its normalised name, as duplicate checking
// does (dedup_keys, kind name).
func (s *Store) oppCustomer(ctx context.Context, lk *oppLookup, name string) (int64, error) {
	key := NormalizeName(name)
	if key == "" {
		return 0, nil
	}
	if id, ok := lk.customers[key]; ok {
		return id, nil
	}
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT customer_id FROM dedup_keys WHERE kind = 'name' AND key = ?`, key).Scan(&id)
	if err != nil && err != sql.ErrNoRows {
		return 0, fmt.Errorf("store: import customer lookup: %w", err)
	}
	lk.customers[key] = id
	return id, nil
}

// stage matches a stage by its Chinese or English name (any case), or the
// outcome words 赢单/won and 输单/lost.
func (lk *oppLookup) stage(v string) *Stage {
	for _, st := range lk.stages {
		if strings.EqualFold(st.NameZH, v) || strings.EqualFold(st.NameEN, v) {
			return st
		}
	}
	kind := ""
	switch strings.ToLower(v) {
	case "赢单", "won", "win":
		kind = StageWon
	case "输单", "lost", "lose":
		kind = StageLost
	}
	for _, st := range lk.stages {
		if kind != "" && st.Kind == kind {
			return st
		}
	}
	return nil
}

// oppDateLayouts are the date forms a file may use; Excel writes dates
// with slashes and without leading zeros depending on the locale. The
// two-digit-year forms are how the xlsx reader renders Excel's built-in
// date formats 14, 15 and 22 (month first, whatever the locale that saved
// the file), and 年月日 is the Chinese long date.
var oppDateLayouts = []string{"2006-01-02", "2006/01/02", "2006-1-2", "2006/1/2", "2006.1.2",
	"2006-01-02 15:04:05", "2006/01/02 15:04:05", "2006-01-02 15:04", "2006/01/02 15:04", "2006/1/2 15:04",
	"2006年1月2日", "2006年1月2日 15:04", "01-02-06", "2-Jan-06", "1/2/06 15:04"}

// Excel serial dates between 1950 and 2100: the raw cell value of dates
// in Chinese built-in formats (31, 57, 58 …), which the reader cannot render.
const excelSerialMin, excelSerialMax = 18264, 73051

// parseOppDate reads a date in the company time zone.
func (s *Store) parseOppDate(v string) (time.Time, bool) {
	v = foldWidth(strings.TrimSpace(v))
	for _, l := range oppDateLayouts {
		if t, err := time.ParseInLocation(l, v, s.Location); err == nil {
			return t, true
		}
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= excelSerialMin && f < excelSerialMax {
		if t, err := excelize.ExcelDateToTime(f, false); err == nil {
			// The serial is a wall-clock date and time, not an instant.
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, s.Location), true
		}
	}
	return time.Time{}, false
}

// oppRowInput turns one row into the input of CreateOpportunity, or the
// reasons it cannot be.
func (s *Store) oppRowInput(ctx context.Context, lk *oppLookup, cell func(string) string) (OpportunityInput, fieldErrors, error) {
	var in OpportunityInput
	fe := fieldErrors{}
	if name := cell("customer"); name == "" {
		fe.add("customer", "err.required")
	} else {
		id, err := s.oppCustomer(ctx, lk, name)
		if err != nil {
			return in, nil, err
		}
		if id == 0 {
			fe.add("customer", "err.opp_import_customer_unknown", "Name", name)
		} else {
			in.CustomerID = &id
		}
	}
	name := cell("name")
	if name == "" {
		fe.add("name", "err.required")
	}
	in.Name = &name
	if v := cell("amount"); v != "" {
		fen, ok := ParseMoney(v)
		if !ok {
			fe.add("amount", "err.amount")
		} else {
			in.Amount = &fen
		}
	}
	var st *Stage
	if v := cell("stage"); v != "" {
		if st = lk.stage(v); st == nil {
			fe.add("stage", "err.opp_import_stage_unknown", "Stage", v)
		} else {
			in.StageID = &st.ID
		}
	}
	if v := cell("expected_close"); v != "" {
		if t, ok := s.parseOppDate(v); ok {
			d := t.Format("2006-01-02")
			in.ExpectedClose = &d
		} else {
			fe.add("expected_close", "err.opp_import_date")
		}
	}
	if v := cell("owner"); v != "" {
		switch ids := lk.users[strings.ToLower(v)]; len(ids) {
		case 0:
			fe.add("owner", "err.opp_import_owner_unknown", "Name", v)
		case 1:
			in.OwnerID = &ids[0]
		default:
			fe.add("owner", "err.opp_import_owner_ambiguous", "Name", v)
		}
	}
	for _, f := range []struct {
		field string
		dst   **time.Time
	}{{"created_at", &in.CreatedAt}, {"closed_at", &in.ClosedAt}} {
		if v := cell(f.field); v != "" {
			if t, ok := s.parseOppDate(v); ok {
				*f.dst = &t
			} else {
				fe.add(f.field, "err.opp_import_date")
			}
		}
	}
	closing := st != nil && st.Kind != StageOpen
	switch {
	case closing && in.ClosedAt == nil && !fe.has("closed_at"):
		// History needs its real close date; "today" would skew reports.
		fe.add("closed_at", "err.opp_import_closed_required")
	case !closing && st != nil && in.ClosedAt != nil:
		fe.add("closed_at", "err.opp_import_closed_open")
	case st == nil && in.ClosedAt != nil && !fe.has("stage"):
		fe.add("closed_at", "err.opp_import_closed_open")
	}
	if v := cell("source"); v != "" {
		in.Source = &v
	}
	if v := cell("notes"); v != "" {
		in.Notes = &v
	}
	if v := cell("lost_reason"); v != "" && st != nil && st.Kind == StageLost {
		in.LostReason = &v
	}
	return in, fe, nil
}

func (f fieldErrors) has(field string) bool {
	_, ok := f[field]
	return ok
}
