package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// bytedance is the customer the duplicate flows collide with.
const bytedance = "北京字节跳动科技有限公司"

var customerPath = regexp.MustCompile(`^/customers/(\d+)$`)

func TestCustomer_CreatedThroughForm_AnotherUserWarnedWhileTypingAndRefusedOnSave(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	dept := srv.createDepartment(t, "华北销售部", 0)
	srv.createStaff(t, "li.na", "李娜", "sales", dept)
	srv.createStaff(t, "zhang.wei", "张伟", "sales", dept)
	ctx := newBrowser(t, desktopWidth, desktopHeight)

	// 李娜 creates the customer through the form.
	login(t, ctx, srv.URL, "li.na", salesPassword)
	do(t, ctx,
		clickAndWait(`.nav-desktop a[href="/customers"]`),
		clickAndWait(`.page-head a[href="/customers/new"]`),
		fill("#name", bytedance),
		fill("#phone", "138 0013 8000"),
		fill("#email", "bd@bytedance.example.com"),
		fill("#region", "北京"),
	)
	choose(t, ctx, "#level", "A 级")
	choose(t, ctx, "#status", "意向客户")
	shot(t, ctx, "20-customer-form")
	do(t, ctx, clickAndWait(`form.customer-form button[type=submit]`))
	if p := pathOf(t, ctx); !customerPath.MatchString(p) {
		wantPath(t, ctx, "/customers/<id>")
	}
	wantText(t, ctx, ".flash", "客户已创建")
	wantText(t, ctx, ".customer-head h1", bytedance)
	wantText(t, ctx, ".customer-head", "负责人：李娜")
	wantText(t, ctx, "#info", "138 0013 8000")
	shot(t, ctx, "21-customer-detail")
	logout(t, ctx)

	// 张伟, in his own session, types the same company with a space; the
	// form warns him before he saves, naming the customer and its owner.
	const typed = "北京字节跳动科技 有限公司"
	login(t, ctx, srv.URL, "zhang.wei", salesPassword)
	do(t, ctx,
		clickAndWait(`.nav-desktop a[href="/customers"]`),
		clickAndWait(`.page-head a[href="/customers/new"]`),
	)
	if shown := get(t, ctx, chromedp.Evaluate[bool](`!document.querySelector("#name-dup").hidden`)); shown {
		t.Error("the duplicate warning shows before anything was typed")
	}
	do(t, ctx,
		fill("#name", typed),
		fill("#phone", "139 1111 2222"),
		// The check runs ~300 ms after the last keystroke.
		chromedp.WaitVisible(chromedp.CSS("#name-dup")),
	)
	warning := text(t, ctx, "#name-dup")
	for _, want := range []string{"「" + bytedance + "」", "负责人：李娜"} {
		if !strings.Contains(warning, want) {
			t.Errorf("live warning = %q, want it to contain %q", warning, want)
		}
	}
	wantPath(t, ctx, "/customers/new") // nothing was sent yet
	shot(t, ctx, "22-customer-dup-warning")

	// Saving anyway is refused beside the name, with the input kept.
	do(t, ctx, clickAndWait(`form.customer-form button[type=submit]`))
	wantPath(t, ctx, "/customers/new")
	wantText(t, ctx, "#name ~ .field-error", "与已有客户「"+bytedance+"」重复，负责人：李娜")
	if got := value(t, ctx, "#name"); got != typed {
		t.Errorf("name after refusal = %q, want the typed %q", got, typed)
	}
	if got := value(t, ctx, "#phone"); got != "139 1111 2222" {
		t.Errorf("phone after refusal = %q, want the typed 139 1111 2222", got)
	}
	if got := get(t, ctx, chromedp.Evaluate[string](`document.querySelector("#name").getAttribute("aria-invalid") || ""`)); got != "true" {
		t.Errorf("#name aria-invalid = %q after the refusal, want true", got)
	}
	shot(t, ctx, "23-customer-dup-refused")

	if got := srv.customers(t, url.Values{"q": {"字节跳动"}}); len(got) != 1 {
		t.Errorf("customers matching 字节跳动 after the refusal: %d, want 1", len(got))
	}
}

func TestCustomer_AddContactAndFollowup_BothOnTimeline(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.createStaff(t, "wang.fang", "王芳", "sales", 0)
	id := srv.createCustomer(t, srv.token(t, "wang.fang", salesPassword),
		map[string]any{"name": "上海米哈游网络科技股份有限公司", "phone": "021-6066 8888"})
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, "wang.fang", salesPassword)
	navigate(t, ctx, fmt.Sprintf("%s/customers/%d", srv.URL, id))

	// A contact, from the form folded under the contact list.
	do(t, ctx,
		chromedp.Click(chromedp.CSS("#contacts details.add-contact summary"), chromedp.NodeVisible),
		fill("#ct_name", "陈静"),
		fill("#ct_position", "采购经理"),
		fill("#ct_phone", "137 1234 5678"),
		fill("#ct_email", "chen.jing@mihoyo.example.com"),
		clickAndWait(`#contacts form.contact-form button[type=submit]`),
	)
	wantPath(t, ctx, fmt.Sprintf("/customers/%d", id))
	wantText(t, ctx, ".flash", "联系人已添加")
	wantText(t, ctx, "#contacts .contact-list", "陈静")
	wantText(t, ctx, "#contacts .contact-list", "采购经理")
	contactAdded := time.Now()

	// A visit with that contact, and when to call again.
	const content = "上门拜访，确认了二期采购预算 120 万"
	next := time.Now().In(shanghai(t)).AddDate(0, 0, 7)
	choose(t, ctx, "#fu_kind", "拜访")
	choose(t, ctx, "#fu_contact", "陈静")
	do(t, ctx,
		fill("#fu_content", content),
		chromedp.SetValue(chromedp.CSS("#fu_next"), next.Format("2006-01-02T15:04")),
	)
	// The timeline keeps times to the second; a person takes longer than
	// this browser between the two saves.
	time.Sleep(time.Until(contactAdded.Truncate(time.Second).Add(time.Second)))
	do(t, ctx, clickAndWait(`#followup button[type=submit]`))
	wantText(t, ctx, ".flash", "跟进已保存")

	// Newest first: the follow-up, then the contact, then the creation.
	items := texts(t, ctx, "#timeline .tl-item")
	if len(items) < 3 {
		t.Fatalf("timeline has %d items, want at least 3: %q", len(items), items)
	}
	for _, want := range []string{"王芳 · 拜访 · 联系人 陈静", content, "下次跟进：" + next.Format("2006-01-02")} {
		if !strings.Contains(items[0], want) {
			t.Errorf("newest timeline item = %q, want it to contain %q", items[0], want)
		}
	}
	if !strings.Contains(items[1], "王芳 添加了联系人 陈静") {
		t.Errorf("second timeline item = %q, want the contact added", items[1])
	}
	if last := items[len(items)-1]; !strings.Contains(last, "王芳 创建了客户") {
		t.Errorf("oldest timeline item = %q, want the creation", last)
	}
	wantText(t, ctx, "#info", next.Format("2006-01-02")) // next follow-up
	shot(t, ctx, "24-customer-timeline")
}

func TestCustomerList_SearchByTwoChineseCharacters_FindsTheCustomer(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.createStaff(t, "zhao.lei", "赵磊", "sales", 0)
	token := srv.token(t, "zhao.lei", salesPassword)
	for _, name := range []string{bytedance, "上海米哈游网络科技股份有限公司", "杭州网易雷火科技有限公司"} {
		srv.createCustomer(t, token, map[string]any{"name": name})
	}
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, "zhao.lei", salesPassword)
	do(t, ctx, clickAndWait(`.nav-desktop a[href="/customers"]`))
	wantText(t, ctx, "h1 .head-count", "共 3 个")

	rows := func() []string { return texts(t, ctx, ".customer-table tbody tr .cell-name a") }
	for _, tc := range []struct{ q, want string }{
		{"字节", bytedance}, // two characters: shorter than a trigram
		{"网易雷火", "杭州网易雷火科技有限公司"}, // four
	} {
		do(t, ctx,
			fill(".filters input[name=q]", tc.q),
			clickAndWait(`.filters button[type=submit]`),
		)
		if got := rows(); len(got) != 1 || got[0] != tc.want {
			t.Errorf("search %q lists %q, want only %q", tc.q, got, tc.want)
		}
		if got := value(t, ctx, ".filters input[name=q]"); got != tc.q {
			t.Errorf("search box after searching %q shows %q", tc.q, got)
		}
		if tc.q == "字节" {
			shot(t, ctx, "25-customer-search")
		}
	}
	do(t, ctx,
		fill(".filters input[name=q]", "腾讯"),
		clickAndWait(`.filters button[type=submit]`),
	)
	if got := rows(); len(got) != 0 {
		t.Errorf("search 腾讯 lists %q, want nothing", got)
	}
	wantText(t, ctx, ".empty-state", "清除")
}

func TestImport_GBKCSVAndXLSX_DuplicateRowSkippedAndListedInReport(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	dept := srv.createDepartment(t, "华东销售部", 0)
	srv.createStaff(t, "li.na", "李娜", "sales", dept)
	srv.createStaff(t, "wang.fang", "王芳", "sales", dept)
	srv.createCustomer(t, srv.token(t, "li.na", salesPassword), map[string]any{"name": bytedance, "phone": "13800138000"})
	dir := t.TempDir()

	// What Excel on a Chinese Windows saves: GBK, CRLF. The second row is
	// 李娜's customer written with full-width brackets.
	csvText := "客户名称,电话,邮箱\r\n" +
		"深圳市腾讯计算机系统有限公司,13800138001,bd@tencent.example.com\r\n" +
		"北京字节跳动科技（有限公司）,13800138002,\r\n" +
		"杭州阿里巴巴网络技术有限公司,13800138003,bd@alibaba.example.com\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(csvText)
	if err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(dir, "华东线索.csv")
	if err := os.WriteFile(csvPath, []byte(gbk), 0o644); err != nil {
		t.Fatal(err)
	}
	// The spreadsheet's second row has the phone of the Tencent row the
	// CSV brought in, written the way people type it.
	xlsxPath := filepath.Join(dir, "展会名单.xlsx")
	writeXLSX(t, xlsxPath, [][]string{
		{"客户名称", "电话", "邮箱"},
		{"上海米哈游网络科技股份有限公司", "13800138004", "bd@mihoyo.example.com"},
		{"腾讯科技（深圳）有限公司", "+86 138-0013-8001", ""},
		{"杭州网易雷火科技有限公司", "13800138005", ""},
	})

	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, "wang.fang", salesPassword)
	do(t, ctx,
		clickAndWait(`.nav-desktop a[href="/customers"]`),
		clickAndWait(`.page-head a[href="/customers/import"]`),
	)

	for _, tc := range []struct {
		file, firstName, dupName, dupReason string
		dupRow                              string
	}{
		{csvPath, "深圳市腾讯计算机系统有限公司", "北京字节跳动科技（有限公司）", "客户名称重复", "3"},
		{xlsxPath, "上海米哈游网络科技股份有限公司", "腾讯科技（深圳）有限公司", "电话重复", "3"},
	} {
		name := filepath.Base(tc.file)
		wantPath(t, ctx, "/customers/import")
		do(t, ctx,
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{tc.file}),
			clickAndWait(`form[action="/customers/import"] button[type=submit]`),
		)

		// The preview: the file decoded, each column mapped from its header.
		if p := pathOf(t, ctx); !strings.HasPrefix(p, "/customers/import/preview/") {
			wantPath(t, ctx, "/customers/import/preview/<token>")
		}
		wantText(t, ctx, "main", "文件「"+name+"」共 3 行数据")
		wantText(t, ctx, ".import-preview tbody", tc.firstName)
		for i, field := range []string{"name", "phone", "email"} {
			if got := value(t, ctx, fmt.Sprintf(`select[name="map_%d"]`, i)); got != field {
				t.Errorf("%s: column %d maps to %q, want %q", name, i, got, field)
			}
		}
		shot(t, ctx, "26-import-preview-"+filepath.Ext(name)[1:])
		do(t, ctx, clickAndWait(`.import-preview ~ .actions button[type=submit]`))

		// The result: counts and the skipped row with why.
		if p := pathOf(t, ctx); !regexp.MustCompile(`^/customers/import/\d+$`).MatchString(p) {
			wantPath(t, ctx, "/customers/import/<id>")
		}
		waitImportDone(t, ctx)
		if got, want := texts(t, ctx, ".import-count-n"), []string{"2", "1", "0", "3"}; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: counts (created, duplicates, errors, total) = %q, want %q", name, got, want)
		}
		skipped := texts(t, ctx, ".import-report tbody tr")
		if len(skipped) != 1 {
			t.Fatalf("%s: report lists %d rows, want the one duplicate: %q", name, len(skipped), skipped)
		}
		cells := texts(t, ctx, ".import-report tbody tr td")
		if cells[0] != tc.dupRow {
			t.Errorf("%s: skipped row number = %q, want %s", name, cells[0], tc.dupRow)
		}
		for _, want := range []string{"重复", tc.dupReason, tc.dupName} {
			if !strings.Contains(skipped[0], want) {
				t.Errorf("%s: skipped row = %q, want it to contain %q", name, skipped[0], want)
			}
		}
		wantText(t, ctx, `a[href$="/report.csv"]`, "下载")
		shot(t, ctx, "27-import-result-"+filepath.Ext(name)[1:])
		do(t, ctx, clickAndWait(`.page-head a[href="/customers/import"]`))
	}

	// Both imports are recorded, and the good rows are 王芳's customers.
	history := texts(t, ctx, "table tbody tr")
	if len(history) != 2 || !strings.Contains(strings.Join(history, "\n"), "华东线索.csv") || !strings.Contains(strings.Join(history, "\n"), "展会名单.xlsx") {
		t.Errorf("import history = %q, want both files", history)
	}
	var owned struct {
		Total int `json:"total"`
	}
	srv.api(t, srv.token(t, "wang.fang", salesPassword), http.MethodGet, "/api/v1/customers?owner=me", nil, http.StatusOK, &owned)
	if owned.Total != 4 {
		t.Errorf("王芳 owns %d customers after the imports, want 4", owned.Total)
	}
}

// waitImportDone waits until the import status page shows a finished
// import, reloading it meanwhile (the page also refreshes itself).
func waitImportDone(t *testing.T, ctx context.Context) {
	t.Helper()
	const done = `!!document.querySelector(".import-counts") && !document.querySelector(".import-progress")`
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](done))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("import still running after 15 s (last check: %v)", err)
		}
		_ = chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond), chromedp.Reload())
	}
}

// writeXLSX saves rows as the first sheet of a new workbook at path.
func writeXLSX(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// shanghai is the company time zone of the test servers (the default).
func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
