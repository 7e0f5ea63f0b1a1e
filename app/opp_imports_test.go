package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tidecrm/tide/store"
)

const oppImportTestCSV = "\uFEFF客户名称,商机名称,金额,阶段,预计成交日期,负责人,来源,创建日期,成交日期,输单原因,备注\r\n" +
	"上海甲科技有限公司,年度软件采购,128000,赢单,,,,2025-01-10,2025-03-01,,\r\n" +
	"上海甲科技有限公司,办公设备,5000,输单,,,,2025-02-01,2025-02-20,价格过高,\r\n" +
	"上海甲科技有限公司,二期项目,300000,商务谈判,2025-12-31,,,2025-05-06,,,\r\n" +
	"不存在的公司,某商机,100,赢单,,,,2025-01-01,2025-01-02,,\r\n" +
	"上海甲科技有限公司,没有金额,,赢单,,,,2025-01-01,2025-01-02,,\r\n" +
	"上海甲科技有限公司,先关后建,100,赢单,,,,2025-03-01,2025-02-01,,\r\n" +
	"上海甲科技有限公司,未来商机,100,,,,,2099-01-01,,,\r\n"

func oppImportEnv(t *testing.T) (*testEnv, *store.User, *store.Customer) {
	t.Helper()
	e := newSetUpEnv(t, nil)
	sales := e.user("sales1", store.RoleSales, "en", nil)
	c := e.createCustomer(sales, "上海甲科技有限公司", "")
	return e, sales, c
}

func (e *testEnv) oppCount() int {
	e.t.Helper()
	list, err := e.st.StagesInUse(context.Background(), "en")
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, st := range list {
		n += st.InUse
	}
	return n
}

func TestOppImport_UIUploadShowsResult(t *testing.T) {
	e, _, cust := oppImportEnv(t)
	b := e.loggedIn("admin", "en")
	b.get("/opportunities/import").wantStatus(t, http.StatusOK).
		wantContains(t, "Import opportunities", `action="/opportunities/import"`, "/opportunities/import/template.csv", "Lost reason")

	tpl := b.get("/opportunities/import/template.csv").wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(tpl.body, "\uFEFF客户名称,商机名称,金额,阶段") || !strings.Contains(tpl.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("template: %q %s", tpl.body, tpl.Header.Get("Content-Type"))
	}

	r := b.upload("/opportunities/import", "商机.csv", []byte(oppImportTestCSV), nil).wantStatus(t, http.StatusOK)
	r.wantContains(t, `id="opp-created">3<`, `id="opp-errors">4<`,
		"No customer named “不存在的公司”", "A won deal needs an amount.",
		"The close date cannot be before the creation date.", "The date cannot be in the future.", "未来商机")
	for _, row := range []string{"5", "6", "7", "8"} {
		r.wantContains(t, `<td class="num">`+row+`</td>`)
	}
	if n := e.oppCount(); n != 3 {
		t.Fatalf("%d opportunities, want 3", n)
	}
	got, err := e.st.Customer(context.Background(), e.admin(), cust.ID)
	if err != nil || got.Status != store.StatusCustomer {
		t.Fatalf("customer status after a won import: %+v %v", got, err)
	}

	// A file refused whole comes back on the form; nothing is imported.
	b.upload("/opportunities/import", "x.csv", []byte("名称,金额\r\n甲,1\r\n"), nil).wantStatus(t, http.StatusBadRequest).
		wantContains(t, "No customer column found")
	b.upload("/opportunities/import", "x.pdf", []byte("%PDF"), nil).wantStatus(t, http.StatusBadRequest)

	// Chinese page.
	e.user("admin_zh", store.RoleAdmin, "zh-CN", nil)
	zh := e.loggedIn("admin_zh", "zh-CN")
	zh.get("/opportunities/import").wantStatus(t, http.StatusOK).wantContains(t, "导入商机", "输单原因")
	zh.upload("/opportunities/import", "商机.csv", gbkBytes(t, "客户,名称,金额\r\n不存在的公司,某商机,100\r\n"), nil).wantStatus(t, http.StatusOK).
		wantContains(t, `id="opp-created">0<`, "客户名称：找不到名为“不存在的公司”的客户")
}

func (e *testEnv) admin() *store.User {
	e.t.Helper()
	u, err := e.st.UserByUsername(context.Background(), "admin")
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func TestOppImport_SalesForbidden(t *testing.T) {
	e, _, _ := oppImportEnv(t)
	b := e.loggedIn("sales1", "en")
	b.get("/opportunities/import").wantStatus(t, http.StatusForbidden)
	b.get("/opportunities/import/template.csv").wantStatus(t, http.StatusForbidden)
	b.upload("/opportunities/import", "商机.csv", []byte(oppImportTestCSV), nil).wantStatus(t, http.StatusForbidden)
	e.api("sales1").upload("/api/v1/opportunities/import", "商机.csv", []byte(oppImportTestCSV), nil).
		wantAPIError(t, http.StatusForbidden, "forbidden")
	if n := e.oppCount(); n != 0 {
		t.Fatalf("forbidden imports wrote %d opportunities", n)
	}
}

func TestOppImport_APIxlsx(t *testing.T) {
	e, _, _ := oppImportEnv(t)
	x := excelize.NewFile()
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(oppImportTestCSV, "\uFEFF")), "\r\n")
	for i, line := range lines {
		cells := strings.Split(line, ",")
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = x.SetSheetRow("Sheet1", ref, &row)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	r := e.api("admin").upload("/api/v1/opportunities/import", "商机.xlsx", buf.Bytes(), nil).wantStatus(t, http.StatusOK)
	m := r.json(t)
	if m["created"] != float64(3) {
		t.Fatalf("created: %s", r.body)
	}
	errs, _ := m["errors"].([]any)
	if len(errs) != 4 {
		t.Fatalf("errors: %s", r.body)
	}
	for i, want := range []float64{5, 6, 7, 8} {
		em := errs[i].(map[string]any)
		if em["row"] != want || em["message"] == "" {
			t.Fatalf("error %d: %v", i, em)
		}
	}
	if n := e.oppCount(); n != 3 {
		t.Fatalf("%d opportunities, want 3", n)
	}
}

func TestOppImport_OpenAPIDocumentsEndpoint(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if _, ok := doc.Paths["/opportunities/import"]["post"]; !ok {
		t.Error("openapi.json lacks post /opportunities/import")
	}
}
