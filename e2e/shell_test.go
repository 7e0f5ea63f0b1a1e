package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// catalogueKey matches text that is a message key left untranslated
// (e.g. "shell.admin.users"): lower-case words joined by dots.
var catalogueKey = regexp.MustCompile(`\b[a-z_]+\.[a-z_.]+\b`)

// TestAdminHub_EveryCardOpensATranslatedAdminPage follows the one 系统设置
// item of the navigation to the hub and every card from there: each page
// answers 200, shows a heading, keeps 系统设置 highlighted, and no heading
// shows a raw catalogue key.
func TestAdminHub_EveryCardOpensATranslatedAdminPage(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, adminUser, adminPassword)

	do(t, ctx, clickAndWait(`.nav-desktop a[href="/admin"]`))
	wantPath(t, ctx, "/admin")
	wantText(t, ctx, "h1", "系统设置")
	shot(t, ctx, "shell-admin-hub")
	wantNoKeys(t, texts(t, ctx, "h1, h2, .hub-card"), "/admin")

	links := texts(t, ctx, ".hub-card")
	hrefs := get(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".hub-card")].map(a => a.getAttribute("href"))`))
	if len(hrefs) < 12 || len(hrefs) != len(links) {
		t.Fatalf("the hub has %d cards (%q), want every admin page", len(hrefs), hrefs)
	}
	for _, href := range hrefs {
		resp := get(t, ctx, chromedp.NavigateResponse(srv.URL+href))
		if resp.Status != http.StatusOK {
			t.Errorf("%s answers %d, want 200", href, resp.Status)
			continue
		}
		if h1 := text(t, ctx, "h1"); h1 == "" {
			t.Errorf("%s has an empty h1", href)
		}
		wantNoKeys(t, texts(t, ctx, "h1, h2, h3, .tabs a, .nav-desktop a"), href)
		if strings.HasPrefix(href, "/admin/") {
			if cur := texts(t, ctx, `.nav-desktop a[aria-current="page"]`); len(cur) != 1 || cur[0] != "系统设置" {
				t.Errorf("%s highlights %q in the nav, want 系统设置", href, cur)
			}
		}
	}
}

// TestAdminHub_SalesUserIsRefusedAndSeesNoSettings: the hub is for
// admins only; a sales user's nav has no 系统设置 and /admin answers 403.
func TestAdminHub_SalesUserIsRefusedAndSeesNoSettings(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.createStaff(t, "li.na", "李娜", "sales", 0)
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, "li.na", salesPassword)

	if has := get(t, ctx, chromedp.Evaluate[bool](`!!document.querySelector('.nav a[href^="/admin"]')`)); has {
		t.Error("a sales user's nav links to the admin pages")
	}
	resp := get(t, ctx, chromedp.NavigateResponse(srv.URL+"/admin"))
	if resp.Status != http.StatusForbidden && resp.Status != http.StatusNotFound {
		t.Fatalf("sales GET /admin: status %d, want 403 or 404", resp.Status)
	}
	wantText(t, ctx, ".error-code", "403")
}

// TestAdminHub_PhoneMenuReachesTheHub: at 375 px the menu toggle opens the
// nav, 系统设置 leads to the hub, and the cards fit the width.
func TestAdminHub_PhoneMenuReachesTheHub(t *testing.T) {
	t.Parallel()
	const width = 375
	srv := startServer(t)
	ctx := newBrowser(t, width, 812)
	login(t, ctx, srv.URL, adminUser, adminPassword)

	do(t, ctx,
		chromedp.Click(chromedp.CSS(".nav-toggle summary"), chromedp.NodeVisible),
		clickAndWait(`.nav-toggle a[href="/admin"]`),
	)
	wantPath(t, ctx, "/admin")
	if got := get(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); got > width {
		t.Errorf("the hub is %d px wide at %d px: it scrolls sideways", got, width)
	}
	shot(t, ctx, "shell-admin-hub-phone")
	do(t, ctx, clickAndWait(`.hub-card[href="/admin/users"]`))
	wantPath(t, ctx, "/admin/users")
}

// wantNoKeys fails the test when one of the texts looks like a raw
// catalogue key.
func wantNoKeys(t *testing.T, texts []string, page string) {
	t.Helper()
	for _, s := range texts {
		if k := catalogueKey.FindString(s); k != "" {
			t.Errorf("%s shows %q, which looks like an untranslated key (%q)", page, s, k)
		}
	}
}
