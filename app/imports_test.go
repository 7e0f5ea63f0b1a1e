package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/tidecrm/tide/store"
)

// upload posts a multipart form with one file and extra fields (the
// browser's CSRF token is added as _csrf).
func (c *testClient) upload(path, fileName string, data []byte, fields map[string]string) *testResponse {
	c.e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if c.csrf != "" && c.token == "" {
		_ = w.WriteField("_csrf", c.csrf)
	}
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", fileName)
	if err != nil {
		c.e.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	if err := w.Close(); err != nil {
		c.e.t.Fatal(err)
	}
	return c.do(http.MethodPost, path, body.Bytes(), "Content-Type", w.FormDataContentType())
}

func gbkBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// createCustomer makes a customer owned by u straight through the store.
func (e *testEnv) createCustomer(u *store.User, name, phone string, more ...func(*store.CustomerInput)) *store.Customer {
	e.t.Helper()
	in := store.CustomerInput{Name: &name, Phone: &phone}
	for _, f := range more {
		f(&in)
	}
	c, err := e.st.CreateCustomer(context.Background(), u, in)
	if err != nil {
		e.t.Fatalf("create customer %s: %v", name, err)
	}
	return c
}

// waitImport waits for a background import to finish.
func (e *testEnv) waitImport(u *store.User, id int64) *store.ImportInfo {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		info, err := e.st.ImportStatus(context.Background(), u, id)
		if err != nil {
			e.t.Fatal(err)
		}
		if info.Status != store.ImportRunning {
			return info
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("import %d still running", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitRevert waits for a background revert to finish.
func (e *testEnv) waitRevert(u *store.User, id int64) *store.ImportInfo {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		info, err := e.st.ImportStatus(context.Background(), u, id)
		if err != nil {
			e.t.Fatal(err)
		}
		if info.Reverting == nil && info.Status == store.ImportReverted {
			return info
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("import %d still reverting: %+v", id, info)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *testEnv) countCustomers() int {
	e.t.Helper()
	admin, err := e.st.UserByUsername(context.Background(), "admin")
	if err != nil {
		e.t.Fatal(err)
	}
	page, err := e.st.ListCustomers(context.Background(), admin, store.CustomerQuery{PerPage: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Total
}

func TestImportUI_GBKCSV_PreviewProgressReportAndRevert(t *testing.T) {
	e := newSetUpEnv(t, nil)
	sa := e.user("sa", store.RoleSales, "zh-CN", nil)
	sb := e.user("sb", store.RoleSales, "zh-CN", nil)
	e.createCustomer(sb, "北京字节跳动科技有限公司", "13800000001")
	b := e.loggedIn("sa", "zh-CN")

	b.get("/customers/import").wantStatus(t, http.StatusOK).wantContains(t, "导入客户", `enctype="multipart/form-data"`, "还没有导入记录")
	file := gbkBytes(t, "客户名称,手机,邮箱,联系人,联系人电话,内部编号\r\n"+
		"杭州云帆科技有限公司,13900000001,info@yunfan.cn,王芳,13700000001,K-1\r\n"+ // 2 ok
		"北京字节跳动科技 有限公司,,,,,K-2\r\n"+ // 3 duplicate of sb's customer
		"杭州云帆科技(有限公司),,,,,K-3\r\n"+ // 4 duplicate of row 2
		"坏邮箱公司,,not-an-email,,,K-4\r\n"+ // 5 bad email
		"<script>alert(1)</script>,,,,,K-5\r\n"+ // 6 ok, text
		"宁波港联有限公司,13900000002,,,,K-6\r\n") // 7 ok
	r := b.upload("/customers/import", "客户名单.csv", file, nil)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/customers/import/preview/") {
		t.Fatalf("upload: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	preview := r.Header.Get("Location")
	p := b.get(preview).wantStatus(t, http.StatusOK)
	p.wantContains(t, "客户名单.csv", "共 6 行", "内部编号", "未识别", `name="map_0"`, `<option value="name" selected>`,
		"&lt;script&gt;alert(1)&lt;/script&gt;")
	p.wantNotContains(t, "<script>alert(1)")
	// Another user cannot use the upload.
	e.user("sc", store.RoleSales, "zh-CN", nil)
	e.loggedIn("sc", "zh-CN").get(preview).wantStatus(t, http.StatusNotFound)

	form := url.Values{}
	for i, f := range []string{"name", "phone", "email", "contact_name", "contact_phone", ""} {
		form.Set("map_"+strconv.Itoa(i), f)
	}
	r = b.form(preview, form)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/customers/import/") {
		t.Fatalf("start: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(r.Header.Get("Location"), "/customers/import/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	info := e.waitImport(sa, id)
	if info.Status != store.ImportDone || info.Created != 3 || info.Duplicates != 2 || info.Errors != 1 {
		t.Fatalf("import %+v", info)
	}
	page := b.get(pathf("/customers/import/%d", id)).wantStatus(t, http.StatusOK)
	if page.Header.Get("Refresh") != "" {
		t.Fatal("a finished import still refreshes")
	}
	page.wantContains(t, "已完成", "跳过的行", "与文件第 2 行「杭州云帆科技有限公司」重复", "负责人：Name sb", "邮箱：邮箱格式不正确",
		"坏邮箱公司", "not-an-email", "K-4", pathf("/customers/import/%d/report.csv", id), "撤销导入")

	rep := b.get(pathf("/customers/import/%d/report.csv", id)).wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(rep.body, "\uFEFF") || !strings.Contains(rep.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("report not UTF-8 CSV with BOM: %q %q", rep.Header.Get("Content-Type"), rep.body[:min(20, len(rep.body))])
	}
	if cd := rep.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "filename*=UTF-8''") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rep.body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, rec := range recs[1:] {
		rows = append(rows, rec[0])
	}
	if strings.Join(rows, ",") != "3,4,5" || recs[0][3] != "客户名称" || recs[3][3] != "坏邮箱公司" || recs[3][8] != "K-4" {
		t.Fatalf("report rows %q", recs)
	}

	// The salesperson works on one imported customer; the revert keeps it.
	list, _ := e.st.ListCustomers(context.Background(), sa, store.CustomerQuery{Q: "宁波港联"})
	kept := list.Items[0]
	if _, err := e.st.UpdateCustomer(context.Background(), sa, kept.ID, store.CustomerInput{Industry: ptrTo("港口"), Version: &kept.Version}); err != nil {
		t.Fatal(err)
	}
	// Another salesperson cannot see or revert the import.
	e.loggedIn("sc", "zh-CN").get(pathf("/customers/import/%d", id)).wantStatus(t, http.StatusNotFound)
	b.form(pathf("/customers/import/%d/revert", id), url.Values{}).wantRedirect(t, pathf("/customers/import/%d", id))
	if info := e.waitRevert(sa, id); info.Status != store.ImportReverted {
		t.Fatalf("after revert %+v", info)
	}
	b.get(pathf("/customers/import/%d", id)).wantStatus(t, http.StatusOK).
		wantContains(t, "已撤销导入", "已删除 2 个导入的客户，保留 1 个", "宁波港联有限公司", pathf(`href="/customers/%d"`, kept.ID))
	list, _ = e.st.ListCustomers(context.Background(), sa, store.CustomerQuery{})
	if len(list.Items) != 1 || list.Items[0].ID != kept.ID {
		t.Fatalf("after revert sa owns %+v", list.Items)
	}
	noRawKeys(t, b.get("/customers/import").wantContains(t, "客户名单.csv", "已撤销"))
	noRawKeys(t, p)
}

func TestImportAPI_XLSXMergedCellFormulaDuplicatesAndBadRows(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("sa", store.RoleSales, "en", nil)
	sb := e.user("sb", store.RoleSales, "en", nil)
	e.createCustomer(sb, "Existing Trading Co., Ltd.", "13800000001")
	f := excelize.NewFile()
	sh := "Sheet1"
	for cell, v := range map[string]any{
		"A1": "Customer name", "B1": "Region", "C1": "Email", "D1": "Notes",
		"A2": "上海申通物流有限公司", "B2": "上海", "C2": "a@shentong.cn",
		"A3": "上海浦江电子有限公司", "C3": "b@pujiang.cn",
		"A4": "EXISTING TRADING", "B4": "北京",
		"A5": "上海申通物流 有限公司",
		"A6": "Bad Email Ltd", "C6": "bad@",
		"A7": "<script>alert(1)</script>",
	} {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.MergeCell(sh, "B2", "B3"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFormula(sh, "D2", `"编号"&(20+1)`); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr(sh, "D2", "编号21"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	api := e.api("sa")
	r := api.upload("/api/v1/customers/import", "list.xlsx", buf.Bytes(), nil).wantStatus(t, http.StatusOK)
	m := r.json(t)
	if m["created"] != float64(3) {
		t.Fatalf("answer %s", r.body)
	}
	dups := m["duplicates"].([]any)
	errs := m["errors"].([]any)
	if len(dups) != 2 || len(errs) != 1 {
		t.Fatalf("answer %s", r.body)
	}
	d0 := dups[0].(map[string]any)
	of := d0["duplicate_of"].(map[string]any)
	if d0["row"] != float64(4) || of["name"] != "Existing Trading Co., Ltd." || of["field"] != "name" || of["owner"].(map[string]any)["name"] != "Name sb" {
		t.Fatalf("duplicate %v", d0)
	}
	if d1 := dups[1].(map[string]any); d1["row"] != float64(5) || d1["duplicate_row"] != float64(2) {
		t.Fatalf("in-file duplicate %v", d1)
	}
	if e0 := errs[0].(map[string]any); e0["row"] != float64(6) || !strings.Contains(e0["message"].(string), "Email") {
		t.Fatalf("error %v", e0)
	}
	sa, _ := e.st.UserByUsername(context.Background(), "sa")
	list, err := e.st.ListCustomers(context.Background(), sa, store.CustomerQuery{Sort: "name"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range list.Items {
		got[c.Name] = c.Region + "|" + c.Notes
	}
	want := map[string]string{"上海申通物流有限公司": "上海|编号21", "上海浦江电子有限公司": "上海|", "<script>alert(1)</script>": "|"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("imported %v, want %v", got, want)
	}
	// The stored <script> is shown as text.
	b := e.loggedIn("sa", "en")
	page := b.get(pathf("/customers/import/%d", int64(m["id"].(float64)))).wantStatus(t, http.StatusOK).wantNotContains(t, "<script>alert")
	page.wantContains(t, "Skipped rows", "Duplicate", "Email: ", "Revert import", "Existing Trading Co., Ltd.")
	noRawKeys(t, page)
	noRawKeys(t, b.get("/customers/import").wantStatus(t, http.StatusOK))
}

// rawKey finds a catalogue key shown untranslated.
var rawKey = regexp.MustCompile(`\b(import|export|err)\.[a-z_]+(\.[a-z_]+)?\b`)

func noRawKeys(t *testing.T, r *testResponse) {
	t.Helper()
	if k := rawKey.FindString(r.body); k != "" {
		t.Fatalf("%s shows the untranslated key %q", r.Request.URL.Path, k)
	}
}

func TestImportUI_BadFiles_ClearMessageNothingImported(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("sa", store.RoleSales, "zh-CN", nil)
	b := e.loggedIn("sa", "zh-CN")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06")
	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"binary as csv", "customers.csv", png, "文件内容不是文本表格"},
		{"header without a name column", "x.csv", []byte("电话,邮箱\n13800138000,a@b.cn\n"), "找不到客户名称列"},
		{"malformed csv", "x.csv", []byte("名称,电话\n\"甲公司,010\n"), "CSV 格式有误"},
		{"not xlsx", "x.xlsx", []byte("名称\n甲\n"), "不是有效的 .xlsx 文件"},
		{"encrypted", "x.xlsx", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0}, "文件已加密"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.upload("/customers/import", tc.file, tc.data, nil).wantStatus(t, http.StatusBadRequest)
			r.wantContains(t, tc.want, `aria-invalid="true"`)
		})
	}
	b.do(http.MethodPost, "/customers/import", url.Values{"_csrf": {b.csrf}}).wantStatus(t, http.StatusBadRequest).wantContains(t, "请选择要导入的文件")
	if n := e.countCustomers(); n != 0 {
		t.Fatalf("%d customers after refused files", n)
	}
	sa, _ := e.st.UserByUsername(context.Background(), "sa")
	if list, _ := e.st.Imports(context.Background(), sa); len(list) != 0 {
		t.Fatalf("%d imports recorded", len(list))
	}
	// The API answers the same refusals as 400 invalid.
	inner := e.api("sa").upload("/api/v1/customers/import", "customers.csv", png, nil).wantAPIError(t, http.StatusBadRequest, "invalid")
	if !strings.Contains(inner["message"].(string), "binary") && !strings.Contains(inner["message"].(string), "二进制") {
		t.Fatalf("message %v", inner["message"])
	}
}

func TestImport_OversizeUpload_413(t *testing.T) {
	e := newSetUpEnv(t, map[string]string{"server.upload_limit": "2048"})
	e.user("sa", store.RoleSales, "zh-CN", nil)
	big := []byte("名称\n" + strings.Repeat("某某公司\n", 400))
	b := e.loggedIn("sa", "zh-CN")
	b.upload("/customers/import", "big.csv", big, nil).wantStatus(t, http.StatusRequestEntityTooLarge).wantContains(t, "超过 2 KB 的上限")
	e.api("sa").upload("/api/v1/customers/import", "big.csv", big, nil).wantAPIError(t, http.StatusRequestEntityTooLarge, "too_large")
	// Over the server's body limit fasthttp refuses the request as soon
	// as it reads the Content-Length, which app.Test cannot show: a real
	// socket, and a request that announces 5 MB.
	base := e.listen()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cookies []string
	for k, v := range b.cookies {
		cookies = append(cookies, k+"="+v)
	}
	fmt.Fprintf(conn, "POST /customers/import HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=zz\r\n"+
		"Content-Length: %d\r\nCookie: %s\r\n\r\n--zz\r\n", 5<<20, strings.Join(cookies, "; "))
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(page), "超过大小上限") {
		t.Fatalf("huge upload: %d\n%.2000s", res.StatusCode, page)
	}
	if n := e.countCustomers(); n != 0 {
		t.Fatalf("%d customers imported from an oversize file", n)
	}
}

func TestPoolImportAPI_AnswerShapeAndRoles(t *testing.T) {
	e := newSetUpEnv(t, nil)
	mgr := e.user("mgr", store.RoleManager, "en", nil)
	e.user("sa", store.RoleSales, "en", nil)
	sb := e.user("sb", store.RoleSales, "en", nil)
	e.createCustomer(sb, "Owned Elsewhere Ltd", "13800000009")
	var pool int64 = 1 // the default company pool
	csvFile := []byte("name,phone,email\nLead One Ltd,13900000011,one@lead.cn\nOwned Elsewhere,,\nLead Two Ltd,bad-phone,\n")
	e.browser("").upload(pathf("/api/v1/pools/%d/import", pool), "leads.csv", csvFile, nil).wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
	e.api("sa").upload(pathf("/api/v1/pools/%d/import", pool), "leads.csv", csvFile, nil).wantAPIError(t, http.StatusForbidden, "forbidden")
	e.api("mgr").upload("/api/v1/pools/999/import", "leads.csv", csvFile, nil).wantAPIError(t, http.StatusNotFound, "not_found")
	r := e.api("mgr").upload(pathf("/api/v1/pools/%d/import", pool), "leads.csv", csvFile, nil).wantStatus(t, http.StatusOK)
	m := r.json(t)
	if m["created"] != float64(1) {
		t.Fatalf("answer %s", r.body)
	}
	dups, errs := m["duplicates"].([]any), m["errors"].([]any)
	if len(dups) != 1 || len(errs) != 1 {
		t.Fatalf("answer %s", r.body)
	}
	d := dups[0].(map[string]any)
	of, ok := d["duplicate_of"].(map[string]any)
	if d["row"] != float64(3) || !ok {
		t.Fatalf("duplicate %v", d)
	}
	for _, k := range []string{"id", "name", "field", "owner", "pool"} {
		if _, ok := of[k]; !ok {
			t.Fatalf("duplicate_of lacks %s: %v", k, of)
		}
	}
	if e0 := errs[0].(map[string]any); e0["row"] != float64(4) || e0["message"] == "" {
		t.Fatalf("error %v", e0)
	}
	page, err := e.st.ListCustomers(context.Background(), mgr, store.CustomerQuery{PoolID: pool})
	if err != nil || len(page.Items) != 1 || page.Items[0].Name != "Lead One Ltd" || page.Items[0].Owner != nil {
		t.Fatalf("pool now holds %+v (%v)", page, err)
	}
	// The import is listed for its user, with its report.
	st := e.api("mgr").get(pathf("/api/v1/imports/%d", int64(m["id"].(float64)))).wantStatus(t, http.StatusOK).json(t)
	if st["import"].(map[string]any)["status"] != "done" || len(st["duplicates"].([]any)) != 1 {
		t.Fatalf("import status %v", st)
	}
	e.api("sa").get(pathf("/api/v1/imports/%d", int64(m["id"].(float64)))).wantAPIError(t, http.StatusNotFound, "not_found")

	// In the browser only managers and admins are offered the pools.
	e.loggedIn("mgr", "en").get(pathf("/customers/import?pool_id=%d", pool)).wantStatus(t, http.StatusOK).
		wantContains(t, `name="pool_id"`, pathf(`<option value="%d" selected>`, pool))
	e.loggedIn("sa", "en").get("/customers/import").wantStatus(t, http.StatusOK).wantNotContains(t, `name="pool_id"`)
	sales := e.loggedIn("sa", "en")
	sales.upload("/customers/import", "leads.csv", csvFile, map[string]string{"pool_id": "1"}).wantStatus(t, http.StatusForbidden)
}

func TestExport_RespectsVisibilityAndFilters(t *testing.T) {
	e := newSetUpEnv(t, nil)
	sa := e.user("sa", store.RoleSales, "zh-CN", nil)
	sb := e.user("sb", store.RoleSales, "zh-CN", nil)
	level := func(l string) func(*store.CustomerInput) { return func(in *store.CustomerInput) { in.Level = &l } }
	e.createCustomer(sa, "甲方一号科技有限公司", "13900000001", level("A"))
	e.createCustomer(sa, "甲方二号科技有限公司", "+86 139 0000 0002", level("B"))
	e.createCustomer(sa, "=HYPERLINK(\"x\")公司", "13900000003", level("B"))
	e.createCustomer(sb, "乙方保密客户有限公司", "13800000001", level("A"))

	b := e.loggedIn("sa", "zh-CN")
	r := b.get("/customers/export.csv").wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(r.body, "\uFEFF") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("not a UTF-8 CSV with BOM: %q", r.Header.Get("Content-Type"))
	}
	cd := r.Header.Get("Content-Disposition")
	if !strings.Contains(cd, `filename="customers-`) || !strings.Contains(cd, "filename*=UTF-8''%E5%AE%A2%E6%88%B7-") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	r.wantContains(t, "客户名称,电话,邮箱", "甲方一号科技有限公司", "甲方二号科技有限公司", "+86 139 0000 0002", `'=HYPERLINK`).
		wantNotContains(t, "乙方保密客户")
	// The exported header maps back onto the importer's fields.
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\uFEFF"))).ReadAll()
	if err != nil || len(recs) != 4 {
		t.Fatalf("csv %v %v", recs, err)
	}
	if m := store.GuessMapping(recs[0]); m[0] != "name" || m[1] != "phone" || m[9] != "status" || m[10] != "tags" {
		t.Fatalf("export header %q maps to %q", recs[0], m)
	}
	b.get("/customers/export.csv?level=A").wantStatus(t, http.StatusOK).
		wantContains(t, "甲方一号科技有限公司").wantNotContains(t, "甲方二号", "乙方保密客户")
	b.get("/customers/export.csv?q=%E4%B9%99%E6%96%B9").wantStatus(t, http.StatusOK).wantNotContains(t, "乙方保密客户")
	b.get("/customers/export.csv?owner="+strconv.FormatInt(sb.ID, 10)).wantStatus(t, http.StatusOK).wantNotContains(t, "乙方保密客户")
	b.get("/customers/export.csv?sort=bogus").wantStatus(t, http.StatusBadRequest)

	x := b.get("/customers/export.xlsx?level=B").wantStatus(t, http.StatusOK)
	f, err := excelize.OpenReader(strings.NewReader(x.body))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, row := range rows[1:] {
		names = append(names, row[0])
	}
	if rows[0][0] != "客户名称" || len(names) != 2 || strings.Contains(strings.Join(names, ","), "甲方一号") {
		t.Fatalf("xlsx rows %q", rows)
	}

	// sb's export holds only sb's customer; the admin's holds all four.
	e.loggedIn("sb", "zh-CN").get("/customers/export.csv").wantContains(t, "乙方保密客户").wantNotContains(t, "甲方一号")
	api := e.api("admin")
	all := api.get("/api/v1/customers/export?format=csv").wantStatus(t, http.StatusOK)
	if n := strings.Count(all.body, "\n"); n != 5 {
		t.Fatalf("admin export has %d lines:\n%s", n, all.body)
	}
	api.get("/api/v1/customers/export?format=pdf").wantAPIError(t, http.StatusBadRequest, "invalid")
	e.api("sa").get("/api/v1/customers/export?format=xlsx").wantStatus(t, http.StatusOK)
}
