package store

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

const oppImportCSV = "\uFEFF客户名称,商机名称,金额,阶段,预计成交日期,负责人,来源,创建日期,成交日期,输单原因,备注\r\n" +
	"上海甲科技有限公司,年度软件采购,\"128,000.00\",赢单,2025-03-01,,老客户介绍,2025-01-10,2025/03/01,,历史数据\r\n" +
	"乙贸易有限公司,办公设备,5000,输单,,salesB,,2025/2/1,2025-02-20,价格过高,\r\n" +
	"上海甲科技有限公司,二期项目,300000,商务谈判,2025-12-31,salesB,,2025-05-06,,,\r\n" +
	"不存在的公司,某商机,100,赢单,,,,2025-01-01,2025-01-02,,\r\n" +
	"上海甲科技有限公司,没有金额,,赢单,,,,2025-01-01,2025-01-02,,\r\n" +
	"上海甲科技有限公司,先关后建,100,Won,,,,2025-03-01,2025-02-01,,\r\n" +
	"上海甲科技有限公司,未来商机,100,,,,,2099-01-01,,,\r\n"

func oppImportFixture(t *testing.T) (*fixture, *Customer, *Customer) {
	t.Helper()
	f := newFixture(t)
	a := f.customer(t, f.salesA, "上海甲科技有限公司", "")
	b := f.customer(t, f.salesB, "乙贸易有限公司", "")
	return f, a, b
}

func oppIDs(t *testing.T, f *fixture) []int64 {
	t.Helper()
	ids, err := queryInt64s(context.Background(), f.s.r, `SELECT id FROM opportunities ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func checkOppImport(t *testing.T, f *fixture, a, b *Customer, res *OppImportResult) {
	t.Helper()
	ctx := context.Background()
	if res.Created != 3 {
		t.Fatalf("created %d, want 3; errors %+v", res.Created, res.Errors)
	}
	wantErr := map[int]string{5: "customer", 6: "amount", 7: "closed_at", 8: "created_at"}
	if len(res.Errors) != len(wantErr) {
		t.Fatalf("errors %+v, want rows 5-8", res.Errors)
	}
	for _, e := range res.Errors {
		field, ok := wantErr[e.Row]
		if !ok {
			t.Fatalf("unexpected error row %d: %+v", e.Row, e)
		}
		if _, ok := e.Fields[field]; !ok {
			t.Errorf("row %d: fields %+v, want %s", e.Row, e.Fields, field)
		}
		if len(e.Cells) < 2 || e.Cells[0] == "" {
			t.Errorf("row %d: original cells missing: %q", e.Row, e.Cells)
		}
	}
	if m := res.Errors[0].Fields["customer"]; m.Key != "err.opp_import_customer_unknown" || m.Args["Name"] != "不存在的公司" {
		t.Errorf("unknown customer reason: %+v", m)
	}
	if m := res.Errors[1].Fields["amount"]; m.Key != "err.won_needs_amount" {
		t.Errorf("won without amount reason: %+v", m)
	}
	if m := res.Errors[2].Fields["closed_at"]; m.Key != "err.closed_before_created" {
		t.Errorf("closed before created reason: %+v", m)
	}
	if m := res.Errors[3].Fields["created_at"]; m.Key != "err.date_future" {
		t.Errorf("future reason: %+v", m)
	}

	// Nothing of the bad rows was written: three opportunities, three
	// history rows.
	ids := oppIDs(t, f)
	if len(ids) != 3 {
		t.Fatalf("%d opportunities in the database, want 3", len(ids))
	}
	var changes int
	if err := f.s.r.QueryRowContext(ctx, `SELECT count(*) FROM stage_changes`).Scan(&changes); err != nil || changes != 3 {
		t.Fatalf("stage_changes = %d (%v), want 3", changes, err)
	}
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation("2006-01-02", s, f.s.Location)
		return d.UTC()
	}
	won, _ := f.s.Opportunity(ctx, f.admin, ids[0])
	if won.Status != OppWon || won.Amount != 12800000 || !won.CreatedAt.Equal(day("2025-01-10")) ||
		won.ClosedAt == nil || !won.ClosedAt.Equal(day("2025-03-01")) || won.Owner.ID != f.salesA.ID ||
		won.Source != "老客户介绍" || won.Notes != "历史数据" || won.ExpectedClose != "2025-03-01" {
		t.Fatalf("won opportunity: %+v", won)
	}
	var at int64
	if err := f.s.r.QueryRowContext(ctx, `SELECT at FROM stage_changes WHERE opportunity_id = ?`, won.ID).Scan(&at); err != nil ||
		at != day("2025-01-10").Unix() {
		t.Fatalf("history at %d (%v), want the back-dated creation", at, err)
	}
	lost, _ := f.s.Opportunity(ctx, f.admin, ids[1])
	if lost.Status != OppLost || lost.LostReason != "价格过高" || !lost.CreatedAt.Equal(day("2025-02-01")) ||
		lost.ClosedAt == nil || !lost.ClosedAt.Equal(day("2025-02-20")) || lost.Owner.ID != f.salesB.ID {
		t.Fatalf("lost opportunity: %+v", lost)
	}
	open, _ := f.s.Opportunity(ctx, f.admin, ids[2])
	if open.Status != OppOpen || open.ClosedAt != nil || open.Stage.Name != "商务谈判" || open.Owner.ID != f.salesB.ID ||
		!open.CreatedAt.Equal(day("2025-05-06")) || open.Amount != 30000000 {
		t.Fatalf("open opportunity: %+v", open)
	}
	ca, _ := f.s.Customer(ctx, f.admin, a.ID)
	cb, _ := f.s.Customer(ctx, f.admin, b.ID)
	if ca.Status != StatusCustomer {
		t.Errorf("customer with a won deal has status %s", ca.Status)
	}
	if cb.Status == StatusCustomer {
		t.Errorf("customer with only a lost deal became a customer")
	}
}

func TestImportOpportunities_CSVChineseHeaders(t *testing.T) {
	f, a, b := oppImportFixture(t)
	table, err := ParseImport("商机.csv", []byte(oppImportCSV))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ImportOpportunities(context.Background(), f.salesA, table.Header, table.Rows); !IsCode(err, CodeForbidden) {
		t.Fatalf("sales import: %v, want forbidden", err)
	}
	if _, err := f.s.ImportOpportunities(context.Background(), f.mgr, table.Header, table.Rows); !IsCode(err, CodeForbidden) {
		t.Fatalf("manager import: %v, want forbidden", err)
	}
	if ids := oppIDs(t, f); len(ids) != 0 {
		t.Fatalf("refused import wrote %d opportunities", len(ids))
	}
	res, err := f.s.ImportOpportunities(context.Background(), f.admin, table.Header, table.Rows)
	if err != nil {
		t.Fatal(err)
	}
	checkOppImport(t, f, a, b, res)
}

func TestImportOpportunities_XLSXEnglishHeaders(t *testing.T) {
	f, a, b := oppImportFixture(t)
	x := excelize.NewFile()
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(oppImportCSV, "\uFEFF")), "\r\n")
	table0, err := ParseImport("x.csv", []byte(oppImportCSV))
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"Customer", "Name", "Amount", "Stage", "Expected_Close", "Owner", "Source", "Created_At", "Closed_At", "Lost_Reason", "Notes"}
	_ = x.SetSheetRow("Sheet1", "A1", &header)
	for i, r := range table0.Rows {
		cells := make([]any, len(header))
		for j := range cells {
			if j < len(r.Cells) {
				cells[j] = r.Cells[j]
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = x.SetSheetRow("Sheet1", cell, &cells)
	}
	if len(lines) != len(table0.Rows)+1 {
		t.Fatalf("fixture rows: %d lines, %d rows", len(lines), len(table0.Rows))
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	table, err := ParseImport("opportunities.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.s.ImportOpportunities(context.Background(), f.admin, table.Header, table.Rows)
	if err != nil {
		t.Fatal(err)
	}
	checkOppImport(t, f, a, b, res)
}

func TestImportOpportunities_RefusesWholeFile(t *testing.T) {
	f, _, _ := oppImportFixture(t)
	ctx := context.Background()
	rows := make([]ImportRow, MaxOppImportRows+1)
	for i := range rows {
		rows[i] = ImportRow{Line: i + 2, Cells: []string{"上海甲科技有限公司", "x"}}
	}
	_, err := f.s.ImportOpportunities(ctx, f.admin, []string{"客户", "名称"}, rows)
	if e, ok := AsError(err); !ok || e.Msg.Key != "err.opp_import_too_many_rows" {
		t.Fatalf("too many rows: %v", err)
	}
	_, err = f.s.ImportOpportunities(ctx, f.admin, []string{"名称", "金额"}, rows[:1])
	if e, ok := AsError(err); !ok || e.Msg.Key != "err.opp_import_no_customer_column" {
		t.Fatalf("no customer column: %v", err)
	}
	if ids := oppIDs(t, f); len(ids) != 0 {
		t.Fatalf("refused files wrote %d opportunities", len(ids))
	}
}

func TestImportOpportunities_StageAndOwnerNames(t *testing.T) {
	f, _, _ := oppImportFixture(t)
	ctx := context.Background()
	header := []string{"customer", "name", "stage", "owner", "closed_at", "created_at", "lost_reason"}
	rows := []ImportRow{
		{Line: 2, Cells: []string{"上海甲科技有限公司", "a", "negotiation", "SALESB"}},
		{Line: 3, Cells: []string{"上海甲科技有限公司", "b", "no such stage"}},
		{Line: 4, Cells: []string{"上海甲科技有限公司", "c", "", "nobody"}},
		{Line: 5, Cells: []string{"上海甲科技有限公司", "d", "lost", "", "", "2025-01-01", "too dear"}},
		{Line: 6, Cells: []string{"上海甲科技有限公司", "e", "", "", "2025-01-05", "2025-01-01"}},
		{Line: 7, Cells: []string{"上海甲科技有限公司", "f", "", "", "", "01/02/2025"}},
	}
	res, err := f.s.ImportOpportunities(ctx, f.admin, header, rows)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{3: "err.opp_import_stage_unknown", 4: "err.opp_import_owner_unknown",
		5: "err.opp_import_closed_required", 6: "err.opp_import_closed_open", 7: "err.opp_import_date"}
	if res.Created != 1 || len(res.Errors) != len(want) {
		t.Fatalf("created %d, errors %+v", res.Created, res.Errors)
	}
	for _, e := range res.Errors {
		found := false
		for _, m := range e.Fields {
			found = found || m.Key == want[e.Row]
		}
		if !found {
			t.Errorf("row %d: %+v, want %s", e.Row, e.Fields, want[e.Row])
		}
	}
	o, _ := f.s.Opportunity(ctx, f.admin, oppIDs(t, f)[0])
	if o.Owner.ID != f.salesB.ID || o.Stage.Kind != StageOpen || o.Stage.Name != "商务谈判" {
		t.Fatalf("opportunity: %+v", o)
	}
}

// Dates saved as real Excel date cells (a serial number with a date
// format), in the built-in formats Excel uses in English and Chinese
// locales and in a custom 年月日 format, all import as the same day.
func TestImportOpportunities_XLSXDateCells(t *testing.T) {
	f, a, _ := oppImportFixture(t)
	x := excelize.NewFile()
	_ = x.SetSheetRow("Sheet1", "A1", &[]string{"客户", "商机名称", "创建日期"})
	custom := `yyyy"年"m"月"d"日"`
	formats := []excelize.Style{{NumFmt: 14}, {NumFmt: 15}, {NumFmt: 22}, {NumFmt: 31}, {NumFmt: 58}, {CustomNumFmt: &custom}}
	created := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	for i, style := range formats {
		row := i + 2
		_ = x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", row), &[]any{a.Name, fmt.Sprintf("日期格式 %d", i), created})
		id, err := x.NewStyle(&style)
		if err != nil {
			t.Fatal(err)
		}
		cell := fmt.Sprintf("C%d", row)
		if err := x.SetCellStyle("Sheet1", cell, cell, id); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	table, err := ParseImport("商机.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.s.ImportOpportunities(context.Background(), f.admin, table.Header, table.Rows)
	if err != nil {
		t.Fatal(err)
	}
	// Format 58 (m"月"d"日") has no year: the reader gives the serial, so
	// it imports too. Every row must land on 2024-01-15 local time.
	if res.Created != len(formats) || len(res.Errors) != 0 {
		t.Fatalf("created %d, errors %+v", res.Created, res.Errors)
	}
	want := time.Date(2024, 1, 15, 0, 0, 0, 0, f.s.Location)
	for _, id := range oppIDs(t, f) {
		o, _ := f.s.Opportunity(context.Background(), f.admin, id)
		if !o.CreatedAt.Equal(want) {
			t.Errorf("%s: created %s, want %s", o.Name, o.CreatedAt.In(f.s.Location), want)
		}
	}
}

// Importing the same file twice adds nothing the second time; each row
// says which opportunity it would have duplicated.
func TestImportOpportunities_SameFileTwice(t *testing.T) {
	f, _, _ := oppImportFixture(t)
	ctx := context.Background()
	table, err := ParseImport("商机.csv", []byte(oppImportCSV))
	if err != nil {
		t.Fatal(err)
	}
	first, err := f.s.ImportOpportunities(ctx, f.admin, table.Header, table.Rows)
	if err != nil || first.Created != 3 {
		t.Fatalf("first import: %v %+v", err, first)
	}
	again, err := f.s.ImportOpportunities(ctx, f.admin, table.Header, table.Rows)
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || len(again.Errors) != len(first.Errors)+3 || again.Errors[0].Fields["name"].Key != "err.opp_import_exists" {
		t.Fatalf("second import: %+v", again)
	}
	if n := len(oppIDs(t, f)); n != 3 {
		t.Fatalf("%d opportunities after importing the same 3 good rows twice", n)
	}
}
