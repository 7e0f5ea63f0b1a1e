package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Desktop window used by most flows.
const (
	desktopWidth  = 1280
	desktopHeight = 900
)

func TestSetup_FirstRun_MismatchedPasswordsKeepInput_ThenSignsInAsAdmin(t *testing.T) {
	t.Parallel()
	srv := startEmptyServer(t)
	ctx := newBrowser(t, desktopWidth, desktopHeight)

	navigate(t, ctx, srv.URL+"/")
	wantPath(t, ctx, "/setup")
	const company = "杭州潮汐网络科技有限公司"
	do(t, ctx,
		fill("#company_name", company),
		fill("#username", "wangfang"),
		fill("#name", "王芳"),
		fill("#email", "wangfang@example.com"),
		fill("#password", "chaoxi-2026"),
		fill("#password2", "chaoxi-2025"),
		clickAndWait(`form[action="/setup"] button[type=submit]`),
	)

	wantPath(t, ctx, "/setup")
	if got := value(t, ctx, "#company_name"); got != company {
		t.Errorf("company name after refusal = %q, want the typed %q", got, company)
	}
	if got := value(t, ctx, "#username"); got != "wangfang" {
		t.Errorf("username after refusal = %q, want the typed wangfang", got)
	}
	wantText(t, ctx, "#password2 ~ .field-error", "两次输入的密码不一致")
	if got := get(t, ctx, chromedp.Evaluate[string](`document.querySelector("#password2").getAttribute("aria-invalid") || ""`)); got != "true" {
		t.Errorf("#password2 aria-invalid = %q, want true", got)
	}
	screenshot(t, ctx, "02-setup-errors")

	do(t, ctx,
		fill("#password", "chaoxi-2026"),
		fill("#password2", "chaoxi-2026"),
		clickAndWait(`form[action="/setup"] button[type=submit]`),
	)
	wantPath(t, ctx, "/")
	wantText(t, ctx, ".flash", "设置完成")
	wantText(t, ctx, ".user-menu summary", "王芳")
	wantText(t, ctx, ".brand-company", company)
	wantText(t, ctx, `.nav-desktop a[href="/admin"]`, "系统设置") // only admins see it
	screenshot(t, ctx, "03-home")
}

func TestLogin_WrongPasswordKeepsUsername_RightPasswordLandsHome(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t, desktopWidth, desktopHeight)

	navigate(t, ctx, srv.URL+"/")
	wantPath(t, ctx, "/login")
	wantText(t, ctx, "h1", "登录")
	screenshot(t, ctx, "01-login-zh")

	do(t, ctx,
		fill("#username", adminUser),
		fill("#password", "not-the-password"),
		clickAndWait(`form[action="/login"] button[type=submit]`),
	)
	wantPath(t, ctx, "/login")
	wantText(t, ctx, ".alert-danger", "用户名或密码不正确")
	if got := value(t, ctx, "#username"); got != adminUser {
		t.Errorf("username after refusal = %q, want the typed %q", got, adminUser)
	}
	if got := value(t, ctx, "#password"); got != "" {
		t.Errorf("password field kept %q after refusal, want it empty", got)
	}

	do(t, ctx,
		fill("#password", adminPassword),
		clickAndWait(`form[action="/login"] button[type=submit]`),
	)
	wantPath(t, ctx, "/")
	wantText(t, ctx, "h1", "你好，"+adminUser)
}

func TestAdmin_CreatesDepartmentTreeAndSalesUser_UserAppearsInList(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, adminUser, adminPassword)

	// Departments: a top-level one, then a team under it.
	do(t, ctx, clickAndWait(`.nav-desktop a[href="/admin"]`), clickAndWait(`.hub-card[href="/admin/departments"]`))
	wantText(t, ctx, ".empty", "还没有部门")
	do(t, ctx,
		fill("#name", "华东销售部"),
		clickAndWait(`form[action="/admin/departments"] button[type=submit]`),
	)
	wantText(t, ctx, ".flash", "部门已创建")
	do(t, ctx, fill("#name", "上海一组"))
	choose(t, ctx, "#parent_id", "华东销售部")
	do(t, ctx, clickAndWait(`form[action="/admin/departments"] button[type=submit]`))
	wantText(t, ctx, ".tree", "华东销售部")
	depth := get(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll(".tree li")]
		.find(li => li.textContent.includes("上海一组")).style.getPropertyValue("--depth").trim()`))
	if depth != "1" {
		t.Errorf("上海一组 is at depth %q in the tree, want 1 (under 华东销售部)", depth)
	}
	screenshot(t, ctx, "05-departments")

	// A new sales user in the team; a too-short password is refused first.
	do(t, ctx,
		clickAndWait(`.nav-desktop a[href="/admin"]`),
		clickAndWait(`.hub-card[href="/admin/users"]`),
		clickAndWait(`a[href="/admin/users/new"]`),
		fill("#username", "li.na"),
		fill("#name", "李娜"),
		fill("#email", "li.na@example.com"),
		fill("#phone", "138 0013 8000"),
	)
	choose(t, ctx, "#role", "销售")
	choose(t, ctx, "#department_id", "上海一组")
	do(t, ctx,
		fill("#password", "short"),
		clickAndWait(`form[action="/admin/users/new"] button[type=submit]`),
	)
	wantPath(t, ctx, "/admin/users/new")
	wantText(t, ctx, "#password ~ .field-error", "密码至少 8 位")
	if got := value(t, ctx, "#name"); got != "李娜" {
		t.Errorf("name after refusal = %q, want the typed 李娜", got)
	}
	if got := get(t, ctx, chromedp.Evaluate[string](`document.querySelector("#department_id").selectedOptions[0].textContent.trim()`)); got != "上海一组" {
		t.Errorf("department after refusal = %q, want the chosen 上海一组", got)
	}
	screenshot(t, ctx, "06-user-form-error")

	do(t, ctx,
		fill("#password", "lina-sales-2026"),
		clickAndWait(`form[action="/admin/users/new"] button[type=submit]`),
	)
	wantPath(t, ctx, "/admin/users")
	wantText(t, ctx, ".flash", "用户已创建")
	row := get(t, ctx, chromedp.Evaluate[string](`(() => {
		const tr = [...document.querySelectorAll("table tbody tr")].find(tr => tr.textContent.includes("李娜"));
		return tr ? tr.innerText : "";
	})()`))
	for _, want := range []string{"li.na", "销售", "上海一组", "li.na@example.com"} {
		if !strings.Contains(row, want) {
			t.Errorf("users list row for 李娜 = %q, want it to show %q", row, want)
		}
	}
	screenshot(t, ctx, "04-users")
}

func TestLanguageSwitch_ChangesPageText_SticksAfterReload(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, adminUser, adminPassword)
	navigate(t, ctx, srv.URL+"/admin/users")
	wantText(t, ctx, `.nav-desktop a[href="/admin"]`, "系统设置")
	htmlLang := chromedp.Evaluate[string](`document.documentElement.lang`)

	do(t, ctx, clickAndWait(`.topbar-right .lang-switch button`))
	wantPath(t, ctx, "/admin/users") // the switch returns to the same page
	wantText(t, ctx, `.nav-desktop a[href="/admin"]`, "Settings")
	wantText(t, ctx, "h1", "Users")
	if got := get(t, ctx, htmlLang); got != "en" {
		t.Errorf(`<html lang> = %q after switching to English, want "en"`, got)
	}

	do(t, ctx, chromedp.Reload())
	wantText(t, ctx, `.nav-desktop a[href="/admin"]`, "Settings")
	navigate(t, ctx, srv.URL+"/")
	wantText(t, ctx, "h1", "Hello, "+adminUser)

	do(t, ctx, clickAndWait(`.topbar-right .lang-switch button`))
	wantText(t, ctx, `.nav-desktop a[href="/admin"]`, "系统设置")
	if got := get(t, ctx, htmlLang); got != "zh-CN" {
		t.Errorf(`<html lang> = %q after switching back, want "zh-CN"`, got)
	}
}

func TestLogout_BackAtLogin_AdminPagesThenNeedSignIn(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, adminUser, adminPassword)

	// The user menu leads to the profile and to signing out.
	do(t, ctx,
		chromedp.Click(chromedp.CSS(".user-menu summary"), chromedp.NodeVisible),
		clickAndWait(`.user-menu a[href="/profile"]`),
	)
	wantPath(t, ctx, "/profile")
	wantText(t, ctx, "h1", "个人设置")
	screenshot(t, ctx, "07-profile")

	logout(t, ctx)
	wantText(t, ctx, ".flash", "已退出登录")

	navigate(t, ctx, srv.URL+"/admin/users")
	wantPath(t, ctx, "/login")
	if got := get(t, ctx, chromedp.Evaluate[string](`location.search`)); got != "?next=%2Fadmin%2Fusers" {
		t.Errorf("login query = %q, want it to remember /admin/users", got)
	}
}

func TestSalesUser_OpensAdminUsers_Sees403InOwnLanguage(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t, desktopWidth, desktopHeight) // the browser prefers Chinese

	for _, tc := range []struct {
		lang, heading, message string
	}{
		{"zh-CN", "没有权限", "你的角色没有权限执行此操作"},
		{"en", "Not allowed", "Your role may not do this"},
	} {
		username := "sales-" + strings.ToLower(tc.lang)
		srv.createUser(t, map[string]any{"username": username, "name": "销售 " + tc.lang,
			"password": "sales-pass-2026", "role": "sales", "language": tc.lang})
		login(t, ctx, srv.URL, username, "sales-pass-2026")
		if has := get(t, ctx, chromedp.Evaluate[bool](`!!document.querySelector('.nav a[href^="/admin"]')`)); has {
			t.Errorf("%s: a sales user's nav links to the admin pages", tc.lang)
		}

		resp := get(t, ctx, chromedp.NavigateResponse(srv.URL+"/admin/users"))
		if resp.Status != http.StatusForbidden {
			t.Errorf("%s: GET /admin/users status %d, want 403", tc.lang, resp.Status)
		}
		wantText(t, ctx, ".error-code", "403")
		wantText(t, ctx, ".error-page h1", tc.heading)
		wantText(t, ctx, ".error-page", tc.message)
		screenshot(t, ctx, fmt.Sprintf("08-forbidden-%s", tc.lang))
		logout(t, ctx)
	}
}

func TestPhone_PagesFitWidth_MenuToggleOpensNav(t *testing.T) {
	t.Parallel()
	const width = 375
	srv := startServer(t)
	ctx := newBrowser(t, width, 812)
	login(t, ctx, srv.URL, adminUser, adminPassword)

	if got := get(t, ctx, chromedp.Evaluate[int](`window.innerWidth`)); got != width {
		t.Fatalf("viewport is %d px wide, want %d", got, width)
	}
	scrollWidth := chromedp.Evaluate[int](`document.documentElement.scrollWidth`)
	if got := get(t, ctx, scrollWidth); got > width {
		t.Errorf("home page is %d px wide at %d px: it scrolls sideways", got, width)
	}
	if shown := get(t, ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector(".nav-desktop")).display !== "none"`)); shown {
		t.Error("desktop nav is shown on a phone")
	}
	screenshot(t, ctx, "09-phone-home")

	const menuLinkShown = `document.querySelector('.nav-toggle a[href="/admin"]').checkVisibility()`
	if get(t, ctx, chromedp.Evaluate[bool](menuLinkShown)) {
		t.Error("the phone menu is open before the toggle is pressed")
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(".nav-toggle summary"), chromedp.NodeVisible))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](menuLinkShown, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("the menu toggle did not open the nav: %v", err)
	}
	screenshot(t, ctx, "10-phone-menu")
	do(t, ctx, clickAndWait(`.nav-toggle a[href="/admin"]`))
	wantPath(t, ctx, "/admin")

	// Every page of the admin area fits the phone too.
	for _, path := range []string{"/admin", "/admin/users", "/admin/users/new", "/admin/departments", "/admin/jobs", "/profile"} {
		navigate(t, ctx, srv.URL+path)
		screenshot(t, ctx, "11-phone"+strings.ReplaceAll(path, "/", "-"))
		if got := get(t, ctx, scrollWidth); got > width {
			t.Errorf("%s is %d px wide at %d px: it scrolls sideways", path, got, width)
		}
	}
}
