package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func codeKey(err error) (string, string) {
	if e, ok := AsError(err); ok {
		return e.Code, e.Msg.Key
	}
	return "", fmt.Sprint(err)
}

func TestParseImport_GBKCSVWithChineseHeader(t *testing.T) {
	data := gbk(t, "客户名称,手机,邮箱,行业,联系人,联系人电话,备注栏\r\n杭州云帆科技有限公司,13800138000,a@yunfan.cn,软件,王芳,13900139000,老客户\r\n")
	if bytes.Equal(data, []byte("客户名称")) || !bytes.Contains(data, []byte{0xbf, 0xcd}) { // 客 in GBK
		t.Fatal("test data is not GBK")
	}
	tab, err := ParseImport("客户.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"name", "phone", "email", "industry", "contact_name", "contact_phone", ""}
	if !reflect.DeepEqual(tab.Mapping, want) {
		t.Fatalf("mapping %q, want %q", tab.Mapping, want)
	}
	if len(tab.Rows) != 1 || tab.Rows[0].Line != 2 || tab.Rows[0].Cells[0] != "杭州云帆科技有限公司" || tab.Rows[0].Cells[6] != "老客户" {
		t.Fatalf("rows %+v", tab.Rows)
	}
}

func TestParseImport_UTF8WithBOMAndEnglishHeader(t *testing.T) {
	tab, err := ParseImport("list.CSV", []byte("\xEF\xBB\xBFName,Mobile,E-mail,Level,Tags\n\nAcme Ltd,+86 138 0013 8000,x@acme.com,a,\"VIP, 重点\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Header[0] != "Name" || !reflect.DeepEqual(tab.Mapping, []string{"name", "phone", "email", "level", "tags"}) {
		t.Fatalf("header %q mapping %q", tab.Header, tab.Mapping)
	}
	// The blank line is dropped but row numbers stay those of the file.
	if len(tab.Rows) != 1 || tab.Rows[0].Line != 3 || tab.Rows[0].Cells[4] != "VIP, 重点" {
		t.Fatalf("rows %+v", tab.Rows)
	}
}

func TestParseImport_SemicolonAndTitleRow(t *testing.T) {
	tab, err := ParseImport("x.csv", []byte("2026 年客户名单\n序号;公司名称;电话\n1;甲公司;010-1234567\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tab.Mapping, []string{"", "name", "phone"}) || tab.Rows[0].Line != 3 {
		t.Fatalf("mapping %q rows %+v", tab.Mapping, tab.Rows)
	}
}

func TestParseImport_BadFilesRefusedClearly(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
	for _, tc := range []struct {
		name, file string
		data       []byte
		key        string
	}{
		{"binary as csv", "customers.csv", png, "err.import_binary"},
		{"no name column", "x.csv", []byte("电话,邮箱\n13800138000,a@b.cn\n"), "err.import_no_name_column"},
		{"header only", "x.csv", []byte("名称,电话\n"), "err.import_no_rows"},
		{"empty", "x.csv", []byte("  \n"), "err.import_empty"},
		{"unclosed quote", "x.csv", []byte("名称,电话\n\"甲公司,010\n乙公司,020\n"), "err.import_csv_malformed"},
		{"bare quote", "x.csv", []byte("名称,电话\n甲\"公司,010\n"), "err.import_csv_malformed"},
		{"not a zip as xlsx", "x.xlsx", []byte("名称,电话\n甲,1\n"), "err.import_not_xlsx"},
		{"broken zip as xlsx", "x.xlsx", []byte("PK\x03\x04garbage"), "err.import_not_xlsx"},
		{"encrypted or xls", "x.xlsx", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, "err.import_encrypted"},
		{"old xls", "x.xls", []byte("whatever"), "err.import_xls"},
		{"pdf", "x.pdf", []byte("%PDF-1.4"), "err.import_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseImport(tc.file, tc.data)
			if code, key := codeKey(err); code != CodeInvalid || key != tc.key {
				t.Fatalf("got %s %s, want invalid %s", code, key, tc.key)
			}
		})
	}
}

// xlsxFile builds a workbook with excelize: a merged region, a formula
// with its cached value (as Excel saves it), one without (as generators
// save it), and a title row above the header.
func xlsxFile(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := "Sheet1"
	set := func(cell string, v any) {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "华东区客户名单")
	if err := f.MergeCell(sh, "A1", "D1"); err != nil {
		t.Fatal(err)
	}
	for i, h := range []string{"客户名称", "地区", "级别", "备注"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		set(cell, h)
	}
	set("A3", "上海申通物流有限公司")
	set("B3", "上海") // merged down over B3:B4: 上海 for both rows
	if err := f.MergeCell(sh, "B3", "B4"); err != nil {
		t.Fatal(err)
	}
	set("C3", "A")
	set("A4", "上海浦江电子有限公司")
	set("C4", "b")
	if err := f.SetCellFormula(sh, "D3", `CONCATENATE("编号",10*2)`); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr(sh, "D3", "编号20"); err != nil { // the cached value
		t.Fatal(err)
	}
	if err := f.SetCellFormula(sh, "D4", `CONCATENATE("编号",7*3)`); err != nil { // no cached value
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseImport_XLSXMergedCellsAndFormulas(t *testing.T) {
	tab, err := ParseImport("名单.xlsx", xlsxFile(t))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tab.Mapping, []string{"name", "region", "level", "notes"}) {
		t.Fatalf("mapping %q (header %q)", tab.Mapping, tab.Header)
	}
	want := []ImportRow{
		{Line: 3, Cells: []string{"上海申通物流有限公司", "上海", "A", "编号20"}},
		{Line: 4, Cells: []string{"上海浦江电子有限公司", "上海", "b", "编号21"}},
	}
	if !reflect.DeepEqual(tab.Rows, want) {
		t.Fatalf("rows %+v, want %+v", tab.Rows, want)
	}
}

func importReq(header []string, rows ...[]string) ImportRequest {
	req := ImportRequest{FileName: "t.csv", Header: header, Mapping: GuessMapping(header)}
	for i, r := range rows {
		req.Rows = append(req.Rows, ImportRow{Line: i + 2, Cells: r})
	}
	return req
}

func TestImport_SkipsDuplicatesAndBadRows_ReportsExactlyThem(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	existing := f.customer(t, f.salesB, "北京字节跳动科技有限公司", "13800000001")
	req := importReq([]string{"客户名称", "电话", "邮箱", "联系人", "联系人电话", "来源"},
		[]string{"杭州云帆科技有限公司", "13900000001", "info@yunfan.cn", "王芳", "13700000001", "官网"}, // row 2 ok
		[]string{"北京字节跳动科技 有限公司", "", "", "", "", ""},                                      // 3 duplicate of existing
		[]string{"杭州云帆科技(有限公司)", "", "", "", "", ""},                                       // 4 duplicate of row 2
		[]string{"坏邮箱公司", "", "not-an-email", "", "", ""},                                  // 5 bad email
		[]string{"<script>alert(1)</script>", "", "", "", "", ""},                          // 6 ok, stored as text
		[]string{"", "13900000009", "", "", "", ""},                                        // 7 no name
		[]string{"联系人电话重复公司", "", "", "李雷", "13800000001", ""},                             // 8 contact phone = existing phone
		[]string{"未知来源公司", "", "", "", "", "地推"},                                           // 9 unknown source
		[]string{"只有联系人电话公司", "", "", "", "13600000001", ""},                               // 10 contact without name
	)
	res, err := f.s.Import(ctx, f.salesA, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 2 {
		t.Fatalf("created %d, want 2; skipped %+v", res.Created, res.Skipped)
	}
	type sk struct {
		row   int
		kind  string
		field string
	}
	var got []sk
	for _, s := range res.Skipped {
		field := ""
		for k := range s.Fields {
			field = k
		}
		got = append(got, sk{s.Row, s.Kind, field})
	}
	want := []sk{{3, SkipDuplicate, "name"}, {4, SkipDuplicate, "name"}, {5, SkipError, "email"}, {7, SkipError, "name"},
		{8, SkipDuplicate, "phone"}, {9, SkipError, "source"}, {10, SkipError, "contact_name"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("skipped %+v, want %+v", got, want)
	}
	if d := res.Skipped[0].DuplicateOf; d == nil || d.ID != existing.ID || d.Owner == nil || d.Owner.ID != f.salesB.ID {
		t.Fatalf("row 3 duplicate_of %+v", d)
	}
	if s := res.Skipped[1]; s.DuplicateRow != 2 || s.Reason.Key != "import.dup_in_file" {
		t.Fatalf("row 4 %+v, want a duplicate of row 2", s)
	}
	if !reflect.DeepEqual(res.Skipped[2].Cells, []string{"坏邮箱公司", "", "not-an-email", "", "", ""}) {
		t.Fatalf("row 5 cells %q", res.Skipped[2].Cells)
	}
	// Stored and counted.
	info, rep, err := f.s.ImportReport(ctx, f.salesA, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != ImportDone || info.Created != 2 || info.Duplicates != 3 || info.Errors != 4 || info.DoneRows != 9 || len(rep.Skipped) != 7 {
		t.Fatalf("info %+v, %d skipped", info, len(rep.Skipped))
	}
	if _, _, err := f.s.ImportReport(ctx, f.salesB, res.ID); err != ErrNotFound {
		t.Fatalf("another user's import: %v, want not found", err)
	}
	if list, _ := f.s.Imports(ctx, f.admin); len(list) != 1 {
		t.Fatalf("admin sees %d imports", len(list))
	}
	// The created customers are the salesperson's, with the contact, and
	// searchable by the contact's name like any other.
	page, err := f.s.ListCustomers(ctx, f.salesA, CustomerQuery{Q: "王芳"})
	if err != nil || len(page.Items) != 1 || page.Items[0].Name != "杭州云帆科技有限公司" || page.Items[0].Owner.ID != f.salesA.ID {
		t.Fatalf("search by contact: %+v %v", page, err)
	}
	page, _ = f.s.ListCustomers(ctx, f.salesA, CustomerQuery{Q: "script"})
	if len(page.Items) != 1 || page.Items[0].Name != "<script>alert(1)</script>" {
		t.Fatalf("script row: %+v", page.Items)
	}
	contacts, err := f.s.Contacts(ctx, f.salesA, page.Items[0].ID)
	if err != nil || len(contacts) != 0 {
		t.Fatalf("contacts of a row without contact columns: %v %v", contacts, err)
	}
	// Owned imports did not enter a pool: their history says "create"
	// (home pool noted), like a customer typed in, so pool statistics do
	// not count them as arrivals.
	var moves int
	_ = f.s.r.QueryRow(`SELECT count(*) FROM pool_moves WHERE action = 'create' AND to_user_id = ?`, f.salesA.ID).Scan(&moves)
	if moves != 2 {
		t.Fatalf("%d create pool moves, want 2", moves)
	}
	// Importing the same file again creates nothing.
	again, err := f.s.Import(ctx, f.salesA, req, nil)
	if err != nil || again.Created != 0 {
		t.Fatalf("second import created %d (%v)", again.Created, err)
	}
}

func TestImport_RowAtATime_SameKeysAsCreateCustomer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := importReq([]string{"name", "phone", "email", "contact", "contact phone", "contact email"},
		[]string{"Acme Co., Ltd.", "+86 138-0013-8000", "Sales@Acme.COM", "Bob", "010-8888 6666", "bob@acme.com"})
	if res, err := f.s.Import(ctx, f.salesA, req, nil); err != nil || res.Created != 1 {
		t.Fatalf("import: %+v %v", res, err)
	}
	// Every key the import claimed refuses the entry form.
	for _, in := range []CustomerInput{
		{Name: ptr("ACME")}, {Name: ptr("x1"), Phone: ptr("13800138000")}, {Name: ptr("x2"), Email: ptr("sales@acme.com")},
		{Name: ptr("x3"), Phone: ptr("01088886666")}, {Name: ptr("x4"), Email: ptr("BOB@acme.com")},
	} {
		if _, err := f.s.CreateCustomer(ctx, f.salesB, in); !IsCode(err, CodeDuplicate) {
			t.Fatalf("%s: %v, want duplicate", deref(in.Name), err)
		}
	}
}

func TestImport_IntoPool_ManagersOnlyAndVisiblePools(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := importReq([]string{"名称"}, []string{"公海线索一号公司"})
	var def int64
	_ = f.s.r.QueryRow(`SELECT id FROM pools WHERE is_default = 1`).Scan(&def)
	req.PoolID = &def
	if _, err := f.s.Import(ctx, f.salesA, req, nil); err != ErrForbidden {
		t.Fatalf("sales into a pool: %v, want forbidden", err)
	}
	north := f.pool(t, PoolInput{Scope: ptr("departments"), DepartmentIDs: &[]int64{f.north.ID}})
	req.PoolID = &north.ID
	if _, err := f.s.Import(ctx, f.mgr, req, nil); err != ErrNotFound {
		t.Fatalf("manager into an invisible pool: %v, want not found", err)
	}
	req.PoolID = &def
	res, err := f.s.Import(ctx, f.mgr, req, nil)
	if err != nil || res.Created != 1 {
		t.Fatalf("pool import: %+v %v", res, err)
	}
	page, err := f.s.ListCustomers(ctx, f.salesN, CustomerQuery{PoolID: def})
	if err != nil || len(page.Items) != 1 || page.Items[0].Owner != nil || page.Items[0].Pool.ID != def {
		t.Fatalf("pool list: %+v %v", page, err)
	}
	var action string
	_ = f.s.r.QueryRow(`SELECT action FROM pool_moves WHERE customer_id = ?`, page.Items[0].ID).Scan(&action)
	if action != "import" {
		t.Fatalf("pool history action %q", action)
	}
}

func TestImport_MappingChecked(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := importReq([]string{"名称", "公司"}, []string{"甲", "乙"})
	req.Mapping = []string{"name", "name"}
	if _, err := f.s.Import(ctx, f.salesA, req, nil); !IsCode(err, CodeInvalid) {
		t.Fatalf("name twice: %v", err)
	}
	req.Mapping = []string{"", "phone"}
	if _, key := codeKey(func() error { _, err := f.s.Import(ctx, f.salesA, req, nil); return err }()); key != "err.import_no_name_column" {
		t.Fatalf("no name: %s", key)
	}
	req.Mapping = []string{"", "name"} // the user picked the second column
	res, err := f.s.Import(ctx, f.salesA, req, nil)
	if err != nil || res.Created != 1 {
		t.Fatalf("remapped: %+v %v", res, err)
	}
	if page, _ := f.s.ListCustomers(ctx, f.salesA, CustomerQuery{}); page.Items[0].Name != "乙" {
		t.Fatalf("imported %q", page.Items[0].Name)
	}
}

func TestImport_Revert_RemovesCreatedKeepsChanged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rows := [][]string{}
	for i := 0; i < 5; i++ {
		rows = append(rows, []string{fmt.Sprintf("撤销测试%d公司", i), fmt.Sprintf("1390000100%d", i)})
	}
	res, err := f.s.Import(ctx, f.salesA, importReq([]string{"名称", "电话"}, rows...), nil)
	if err != nil || res.Created != 5 {
		t.Fatalf("import %+v %v", res, err)
	}
	ids, _ := f.s.int64s(ctx, `SELECT id FROM customers WHERE import_id = ? ORDER BY id`, res.ID)
	// 0: edited; 1: followed up; 2: given a contact; 3, 4: untouched.
	c0, _ := f.s.Customer(ctx, f.salesA, ids[0])
	if _, err := f.s.UpdateCustomer(ctx, f.salesA, ids[0], CustomerInput{Industry: ptr("制造"), Version: &c0.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddFollowup(ctx, f.salesA, ids[1], FollowupInput{Kind: "call", Content: "聊了需求"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.CreateContact(ctx, f.salesA, ids[2], ContactInput{Name: ptr("赵六")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RevertImport(ctx, f.salesB, res.ID); err != ErrNotFound {
		t.Fatalf("someone else reverting: %v", err)
	}
	rv, err := f.s.RevertImport(ctx, f.salesA, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kept []int64
	for _, k := range rv.Kept {
		kept = append(kept, k.ID)
	}
	if rv.Removed != 2 || !reflect.DeepEqual(kept, ids[:3]) {
		t.Fatalf("revert %+v, want 2 removed and %v kept", rv, ids[:3])
	}
	for _, id := range ids[3:] {
		if _, err := f.s.Customer(ctx, f.salesA, id); err != ErrNotFound {
			t.Fatalf("customer %d still there: %v", id, err)
		}
	}
	// Released keys: the removed companies can be entered again.
	if _, err := f.s.CreateCustomer(ctx, f.salesB, CustomerInput{Name: ptr("撤销测试3公司"), Phone: ptr("13900001003")}); err != nil {
		t.Fatalf("re-entering a reverted customer: %v", err)
	}
	if page, _ := f.s.ListCustomers(ctx, f.salesA, CustomerQuery{Q: "撤销测试4"}); len(page.Items) != 0 {
		t.Fatalf("reverted customer still found by search")
	}
	info, rep, _ := f.s.ImportReport(ctx, f.salesA, res.ID)
	if info.Status != ImportReverted || info.RevertedAt == nil || rep.Removed != 2 || len(rep.Kept) != 3 {
		t.Fatalf("after revert %+v %+v", info, rep)
	}
	if _, err := f.s.RevertImport(ctx, f.salesA, res.ID); !IsCode(err, CodeConflict) {
		t.Fatalf("second revert: %v", err)
	}
}

func TestImport_InterruptedImportMarkedFailed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, err := f.s.BeginImport(ctx, f.salesA, importReq([]string{"名称"}, []string{"甲"}))
	if err != nil {
		t.Fatal(err)
	}
	// This process is about to run it: it is running, not interrupted.
	if info, err := f.s.ImportStatus(ctx, f.salesA, id); err != nil || info.Status != ImportRunning {
		t.Fatalf("%+v %v", info, err)
	}
	// After a restart (another Store on the same file) nothing runs it:
	// it shows as failed, and can be reverted.
	s2, err := OpenFile(ctx, f.s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	info, err := s2.ImportStatus(ctx, f.salesA, id)
	if err != nil || info.Status != ImportFailed {
		t.Fatalf("%+v %v", info, err)
	}
	if _, err := s2.RevertImport(ctx, f.salesA, id); err != nil {
		t.Fatal(err)
	}
}

// TestImport_WritesWhatCreateCustomerWrites keeps the import's prepared
// writer equal to createCustomerTx: the same customer created both ways,
// in two databases on the same clock, leaves the same rows everywhere
// (but for import_id).
func TestImport_WritesWhatCreateCustomerWrites(t *testing.T) {
	ctx := context.Background()
	dump := func(f *fixture) map[string][]string {
		out := map[string][]string{}
		for table, q := range map[string]string{
			"customers": `SELECT name, phone, email, website, industry, level, source, region, address, status, notes, owner_id,
				pool_id, home_pool_id, locked, owned_since, pool_entered_at, previous_owner_id, recycle_count, last_followup_at,
				next_followup_at, created_by, created_at, updated_at, version, deleted_at FROM customers`,
			"dedup_keys":      `SELECT kind, key, field FROM dedup_keys ORDER BY kind, key`,
			"customer_tags":   `SELECT t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id ORDER BY t.name`,
			"pool_moves":      `SELECT pool_id, action, from_user_id, to_user_id, actor_id, reason, at FROM pool_moves`,
			"customer_events": `SELECT kind, actor_id, changes, note, at FROM customer_events`,
			"search":          `SELECT count(*) FROM customer_search WHERE customer_search MATCH '"杭州云"' OR customer_search MATCH '"13900"' OR customer_search MATCH '"fan.cn"'`,
			"bigrams":         `SELECT count(*) FROM customer_bigrams WHERE customer_bigrams MATCH '"云帆"'`,
		} {
			rows, err := f.s.r.QueryContext(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]sql.NullString, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				var parts []string
				for _, v := range vals {
					parts = append(parts, fmt.Sprintf("%v:%s", v.Valid, v.String))
				}
				out[table] = append(out[table], strings.Join(parts, "|"))
			}
			rows.Close()
		}
		return out
	}
	setup := func() *fixture {
		f := newFixture(t)
		clock := f.s.Now()
		f.s.Now = func() time.Time { return clock }
		if _, err := f.s.SaveTag(ctx, f.admin, 0, "重点", "#1668dc"); err != nil {
			t.Fatal(err)
		}
		return f
	}
	a, b := setup(), setup()
	b.s.Now = a.s.Now
	in := CustomerInput{Name: ptr(" 杭州云帆科技有限公司 "), Phone: ptr("139 0000 1234"), Email: ptr("Info@YunFan.cn"), Website: ptr("yunfan.cn"),
		Industry: ptr("软件"), Level: ptr("B"), Source: ptr("官网"), Region: ptr("浙江"), Address: ptr("杭州市西湖区"), Status: ptr("prospect"),
		Notes: ptr("<b>备注</b>"), Tags: &[]string{"重点"}}
	if _, err := a.s.CreateCustomer(ctx, a.salesA, in); err != nil {
		t.Fatal(err)
	}
	header := []string{"名称", "电话", "邮箱", "网站", "行业", "级别", "来源", "地区", "地址", "状态", "备注", "标签"}
	req := importReq(header, []string{" 杭州云帆科技有限公司 ", "139 0000 1234", "Info@YunFan.cn", "yunfan.cn", "软件", "b", "官网", "浙江",
		"杭州市西湖区", "意向客户", "<b>备注</b>", "重点"})
	if res, err := b.s.Import(ctx, b.salesA, req, nil); err != nil || res.Created != 1 {
		t.Fatalf("import %+v %v", res, err)
	}
	da, db := dump(a), dump(b)
	for table := range da {
		if !reflect.DeepEqual(da[table], db[table]) {
			t.Errorf("%s differs:\n create: %q\n import: %q", table, da[table], db[table])
		}
	}
	if da["search"][0] != "true:1" || da["bigrams"][0] != "true:1" {
		t.Fatalf("search docs not found: %v %v", da["search"], da["bigrams"])
	}
}
