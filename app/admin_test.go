package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tidecrm/tide/store"
)

func TestRoles_NonAdminForbidden_PageInTheirLanguage(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("sales_en", store.RoleSales, "en", nil)
	e.user("sales_zh", store.RoleSales, "zh-CN", nil)
	e.user("sales_auto", store.RoleSales, "", nil) // follows the browser
	e.user("manager_en", store.RoleManager, "en", nil)
	tests := []struct {
		user, acceptLanguage string
		wantTitle, wantMsg   string
		wantHTMLLang         string
	}{
		{"sales_en", "zh-CN", "Not allowed", "Your role may not do this.", "en"},
		{"sales_zh", "en", "没有权限", "你的角色没有权限执行此操作。", "zh-CN"},
		{"sales_auto", "en-US,en;q=0.9", "Not allowed", "Your role may not do this.", "en"},
		{"sales_auto", "zh-CN,zh;q=0.9", "没有权限", "你的角色没有权限执行此操作。", "zh-CN"},
		{"manager_en", "", "Not allowed", "Your role may not do this.", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.user+" "+tt.acceptLanguage, func(t *testing.T) {
			b := e.loggedIn(tt.user, tt.acceptLanguage)
			for _, path := range []string{"/admin/users", "/admin/users/new", "/admin/departments", "/admin/jobs"} {
				b.get(path).wantStatus(t, http.StatusForbidden).
					wantContains(t, tt.wantTitle, tt.wantMsg, `<html lang="`+tt.wantHTMLLang+`">`)
			}
			// Forms posted to admin pages are refused the same way.
			b.form("/admin/departments", url.Values{"name": {"Sneaky"}}).wantStatus(t, http.StatusForbidden)

			api := e.bearer(e.apiToken(tt.user, testPassword))
			api.headers["Accept-Language"] = tt.acceptLanguage
			for _, req := range []struct {
				method, path string
				body         any
			}{
				{http.MethodPost, "/api/v1/users", map[string]any{"username": "x_" + tt.user, "password": testPassword, "role": "admin"}},
				{http.MethodPost, "/api/v1/departments", map[string]any{"name": "Sneaky"}},
				{http.MethodPatch, "/api/v1/users/1", map[string]any{"role": "sales"}},
			} {
				inner := api.do(req.method, req.path, req.body).wantAPIError(t, http.StatusForbidden, "forbidden")
				if inner["message"] != tt.wantMsg {
					t.Fatalf("%s %s: message %q, want %q", req.method, req.path, inner["message"], tt.wantMsg)
				}
			}
		})
	}
	if n := len(mustDepartments(t, e)); n != 0 {
		t.Fatalf("refused requests created %d departments", n)
	}
	if _, err := e.st.UserByUsername(context.Background(), "x_sales_en"); !store.IsCode(err, store.CodeNotFound) {
		t.Fatalf("refused request created a user (err %v)", err)
	}
	if u, _ := e.st.User(context.Background(), 1); u.Role != store.RoleAdmin {
		t.Fatalf("refused PATCH demoted the admin to %s", u.Role)
	}
}

func TestRoles_AdminAllowed(t *testing.T) {
	e := newSetUpEnv(t, nil)
	b := e.loggedIn("admin", "en")
	for _, path := range []string{"/admin/users", "/admin/users/new", "/admin/departments", "/admin/jobs", "/profile", "/"} {
		b.get(path).wantStatus(t, http.StatusOK)
	}
	api := e.api("admin")
	dep := api.do(http.MethodPost, "/api/v1/departments", map[string]any{"name": "华东区"}).wantStatus(t, http.StatusCreated).json(t)
	u := api.do(http.MethodPost, "/api/v1/users", map[string]any{
		"username": "zhangsan", "name": "张三", "password": testPassword, "role": "sales",
		"department_id": dep["id"], "email": "zs@example.com",
	}).wantStatus(t, http.StatusCreated).json(t)
	if u["username"] != "zhangsan" || u["department_name"] != "华东区" || u["active"] != true {
		t.Fatalf("created user %v", u)
	}
	if strings.Contains(mustJSON(t, u), "password") {
		t.Fatalf("created user exposes the password: %v", u)
	}
	// The new user can sign in.
	e.apiToken("zhangsan", testPassword)
	b.get("/admin/users").wantContains(t, "张三")
}

func TestRoles_SalesMayReadOrganisation(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("alice", store.RoleSales, "en", nil)
	api := e.api("alice")
	list := api.get("/api/v1/users").wantStatus(t, http.StatusOK).json(t)
	if list["total"].(float64) != 2 {
		t.Fatalf("users list %v", list)
	}
	api.get("/api/v1/departments").wantStatus(t, http.StatusOK)
}

func TestDepartments_TreeRenameDelete(t *testing.T) {
	e := newSetUpEnv(t, nil)
	api := e.api("admin")
	parent := api.do(http.MethodPost, "/api/v1/departments", map[string]any{"name": "华东区"}).wantStatus(t, http.StatusCreated).json(t)
	parentID := parent["id"]
	child := api.do(http.MethodPost, "/api/v1/departments", map[string]any{"name": "上海组", "parent_id": parentID}).
		wantStatus(t, http.StatusCreated).json(t)
	if child["parent_id"] != parentID || child["depth"].(float64) != 1 || child["path"] != "华东区 / 上海组" {
		t.Fatalf("child = %v", child)
	}
	grand := api.do(http.MethodPost, "/api/v1/departments", map[string]any{"name": "浦东", "parent_id": child["id"]}).
		wantStatus(t, http.StatusCreated).json(t)

	list := api.get("/api/v1/departments").wantStatus(t, http.StatusOK).json(t)
	items := list["items"].([]any)
	if len(items) != 3 || list["total"].(float64) != 3 {
		t.Fatalf("departments = %v", list)
	}
	var paths []string
	for _, it := range items {
		paths = append(paths, it.(map[string]any)["path"].(string))
	}
	if strings.Join(paths, "|") != "华东区|华东区 / 上海组|华东区 / 上海组 / 浦东" {
		t.Fatalf("tree order %q", paths)
	}

	// Rename keeps the parent.
	renamed := api.do(http.MethodPatch, pathf("/api/v1/departments/%v", child["id"]), map[string]any{"name": "上海一组"}).
		wantStatus(t, http.StatusOK).json(t)
	if renamed["name"] != "上海一组" || renamed["parent_id"] != parentID {
		t.Fatalf("renamed = %v", renamed)
	}

	// A name taken at the same level is a field error.
	api.do(http.MethodPost, "/api/v1/departments", map[string]any{"name": "上海一组", "parent_id": parentID}).
		wantAPIError(t, http.StatusBadRequest, "invalid")

	// Moving a department below its own descendant is refused on parent_id.
	for _, target := range []any{child["id"], grand["id"]} {
		inner := api.do(http.MethodPatch, pathf("/api/v1/departments/%v", child["id"]), map[string]any{"parent_id": target}).
			wantAPIError(t, http.StatusBadRequest, "invalid")
		fields, _ := inner["fields"].(map[string]any)
		if fields["parent_id"] == nil || fields["parent_id"] == "" {
			t.Fatalf("cycle error without fields.parent_id: %v", inner)
		}
	}
	inner := api.do(http.MethodPatch, pathf("/api/v1/departments/%v", parentID), map[string]any{"parent_id": grand["id"]}).
		wantAPIError(t, http.StatusBadRequest, "invalid")
	if fields, _ := inner["fields"].(map[string]any); fields["parent_id"] == nil {
		t.Fatalf("cycle error without fields.parent_id: %v", inner)
	}
	// An unknown parent is a field error too.
	inner = api.do(http.MethodPost, "/api/v1/departments", map[string]any{"name": "孤儿", "parent_id": 9999}).
		wantAPIError(t, http.StatusBadRequest, "invalid")
	if fields, _ := inner["fields"].(map[string]any); fields["parent_id"] == nil {
		t.Fatalf("unknown parent error without fields.parent_id: %v", inner)
	}

	// A department with members cannot be deleted.
	api.do(http.MethodPost, "/api/v1/users", map[string]any{"username": "lisi", "password": testPassword, "role": "sales", "department_id": grand["id"]}).
		wantStatus(t, http.StatusCreated)
	api.headers["Accept-Language"] = "en"
	inner = api.do(http.MethodDelete, pathf("/api/v1/departments/%v", grand["id"]), nil).wantAPIError(t, http.StatusConflict, "conflict")
	if msg := inner["message"].(string); !strings.Contains(msg, "1 members") || !strings.Contains(msg, "move them") {
		t.Fatalf("conflict message %q does not say why", msg)
	}
	// Nor one with sub-departments.
	inner = api.do(http.MethodDelete, pathf("/api/v1/departments/%v", parentID), nil).wantAPIError(t, http.StatusConflict, "conflict")
	if msg := inner["message"].(string); !strings.Contains(msg, "sub-departments") {
		t.Fatalf("conflict message %q does not say why", msg)
	}
	if n := len(mustDepartments(t, e)); n != 3 {
		t.Fatalf("refused deletes left %d departments, want 3", n)
	}

	// Once empty it goes.
	lisi, err := e.st.UserByUsername(context.Background(), "lisi")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.UpdateUser(context.Background(), lisi.ID, store.UserInput{DepartmentID: ptrTo(int64(parentID.(float64)))}); err != nil {
		t.Fatal(err)
	}
	api.do(http.MethodDelete, pathf("/api/v1/departments/%v", grand["id"]), nil).wantStatus(t, http.StatusNoContent)
	api.do(http.MethodDelete, pathf("/api/v1/departments/%v", grand["id"]), nil).wantAPIError(t, http.StatusNotFound, "not_found")
	api.do(http.MethodDelete, "/api/v1/departments/abc", nil).wantAPIError(t, http.StatusNotFound, "not_found")
	if n := len(mustDepartments(t, e)); n != 2 {
		t.Fatalf("departments after delete = %d, want 2", n)
	}
}

func TestDepartments_AdminPage_DeleteWithUsersShowsReason(t *testing.T) {
	e := newSetUpEnv(t, nil)
	d, err := e.st.CreateDepartment(context.Background(), store.DepartmentInput{Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	e.user("alice", store.RoleSales, "en", &d.ID)
	b := e.loggedIn("admin", "en")
	b.get("/admin/departments").wantStatus(t, http.StatusOK)
	b.form(pathf("/admin/departments/%d/delete", d.ID), url.Values{}).
		wantStatus(t, http.StatusConflict).wantContains(t, "This department still has 1 members")
	b.form("/admin/departments", url.Values{"name": {"Support"}}).wantRedirect(t, "/admin/departments")
	b.get("/admin/departments").wantContains(t, "Department created.", "Support")
	b.form("/admin/departments", url.Values{"name": {""}}).wantStatus(t, http.StatusBadRequest).wantContains(t, "Required.")
}

func TestUsersAPI_RefusedCreate_WritesNothing(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("alice", store.RoleSales, "en", nil)
	api := e.api("admin")
	api.headers["Accept-Language"] = "en"
	tests := []struct {
		name      string
		body      any
		wantField string
	}{
		{"duplicate username", map[string]any{"username": "alice", "password": testPassword, "role": "sales"}, "username"},
		{"duplicate username other case", map[string]any{"username": "ALICE", "password": testPassword, "role": "sales"}, "username"},
		{"short password", map[string]any{"username": "bob", "password": "short", "role": "sales"}, "password"},
		{"bad role", map[string]any{"username": "bob", "password": testPassword, "role": "boss"}, "role"},
		{"unknown department", map[string]any{"username": "bob", "password": testPassword, "role": "sales", "department_id": 4242}, "department_id"},
		{"bad email", map[string]any{"username": "bob", "password": testPassword, "role": "sales", "email": "not-an-email"}, "email"},
		{"malformed JSON", `{"username": "bob", "password": `, ""},
		{"not an object", `["bob"]`, ""},
		{"wrong type", `{"username": 42, "password": "password1", "role": "sales"}`, ""},
		{"unknown field", map[string]any{"username": "bob", "password": testPassword, "role": "sales", "is_superuser": true}, ""},
		{"empty body", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.countUsers()
			inner := api.do(http.MethodPost, "/api/v1/users", tt.body).wantAPIError(t, http.StatusBadRequest, "invalid")
			if tt.wantField != "" {
				fields, _ := inner["fields"].(map[string]any)
				if msg, _ := fields[tt.wantField].(string); msg == "" {
					t.Fatalf("want fields.%s, got %v", tt.wantField, inner)
				}
			}
			if after := e.countUsers(); after != before {
				t.Fatalf("users %d → %d after a refused create", before, after)
			}
		})
	}
	inner := api.do(http.MethodPost, "/api/v1/users", map[string]any{"username": "alice", "password": testPassword, "role": "sales"}).
		wantAPIError(t, http.StatusBadRequest, "invalid")
	if inner["fields"].(map[string]any)["username"] != "That username is already taken." {
		t.Fatalf("duplicate username message %v", inner)
	}
}

func TestUsersAPI_Deactivate_EndsLoginsAndTokens(t *testing.T) {
	e := newSetUpEnv(t, nil)
	alice := e.user("alice", store.RoleSales, "en", nil)
	aliceAPI := e.api("alice")
	aliceBrowser := e.loggedIn("alice", "en")
	admin := e.api("admin")

	got := admin.do(http.MethodPatch, pathf("/api/v1/users/%d", alice.ID), map[string]any{"active": false}).
		wantStatus(t, http.StatusOK).json(t)
	if got["active"] != false {
		t.Fatalf("PATCH result %v", got)
	}
	aliceAPI.get("/api/v1/me").wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
	aliceBrowser.get("/").wantRedirect(t, "/login")
	b := e.browser("en")
	b.get("/login")
	b.form("/login", url.Values{"username": {"alice"}, "password": {testPassword}}).wantStatus(t, http.StatusUnauthorized)
	e.browser("").do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "alice", "password": testPassword}).
		wantAPIError(t, http.StatusUnauthorized, "unauthenticated")

	// Reactivated, she can sign in again; the old token stays dead.
	admin.do(http.MethodPatch, pathf("/api/v1/users/%d", alice.ID), map[string]any{"active": true}).wantStatus(t, http.StatusOK)
	e.apiToken("alice", testPassword)
	aliceAPI.get("/api/v1/me").wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
}

func TestUsersAPI_AdminCannotDeactivateSelf(t *testing.T) {
	e := newSetUpEnv(t, nil)
	admin := e.api("admin")
	inner := admin.do(http.MethodPatch, "/api/v1/users/1", map[string]any{"active": false}).wantAPIError(t, http.StatusBadRequest, "invalid")
	if inner["fields"].(map[string]any)["active"] == nil {
		t.Fatalf("want fields.active: %v", inner)
	}
	admin.get("/api/v1/me").wantStatus(t, http.StatusOK)
}

func TestUsersAPI_PatchValidation(t *testing.T) {
	e := newSetUpEnv(t, nil)
	alice := e.user("alice", store.RoleSales, "en", nil)
	e.user("bob", store.RoleSales, "en", nil)
	admin := e.api("admin")
	path := pathf("/api/v1/users/%d", alice.ID)
	inner := admin.do(http.MethodPatch, path, map[string]any{"username": "bob"}).wantAPIError(t, http.StatusBadRequest, "invalid")
	if inner["fields"].(map[string]any)["username"] == nil {
		t.Fatalf("want fields.username: %v", inner)
	}
	admin.do(http.MethodPatch, path, `{"nme":"typo"}`).wantAPIError(t, http.StatusBadRequest, "invalid")
	admin.do(http.MethodPatch, path, `{`).wantAPIError(t, http.StatusBadRequest, "invalid")
	admin.do(http.MethodPatch, "/api/v1/users/9999", map[string]any{"name": "x"}).wantAPIError(t, http.StatusNotFound, "not_found")
	admin.get("/api/v1/users/9999").wantAPIError(t, http.StatusNotFound, "not_found")
	if u, _ := e.st.User(context.Background(), alice.ID); u.Username != "alice" {
		t.Fatalf("refused PATCH renamed the user to %q", u.Username)
	}
}

func TestAdminUserForm_RefusalKeepsInput(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("alice", store.RoleSales, "en", nil)
	b := e.loggedIn("admin", "en")
	b.get("/admin/users/new").wantStatus(t, http.StatusOK)
	before := e.countUsers()
	b.form("/admin/users/new", url.Values{"username": {"alice"}, "name": {"Another Alice"}, "password": {testPassword}, "role": {"sales"}}).
		wantStatus(t, http.StatusBadRequest).wantContains(t, `value="Another Alice"`, "That username is already taken.")
	if e.countUsers() != before {
		t.Fatal("refused form created a user")
	}
	b.form("/admin/users/new", url.Values{"username": {"carol"}, "name": {"Carol"}, "password": {testPassword}, "role": {"manager"}}).
		wantRedirect(t, "/admin/users")
	b.get("/admin/users").wantContains(t, "User created.", "Carol")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
