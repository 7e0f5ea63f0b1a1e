package app

import (
	"net/http"
	"testing"

	"github.com/tidecrm/tide/store"
)

func TestAdminHub_AdminOnly_LinksEveryAdminPage_SettingsHighlighted(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("boss", store.RoleAdmin, "zh-CN", nil)
	e.user("sam", store.RoleSales, "zh-CN", nil)
	b := e.loggedIn("boss", "")
	hub := b.get("/admin").wantStatus(t, http.StatusOK).wantContains(t, "<h1>系统设置</h1>", `href="/admin" aria-current="page"`)
	for _, p := range []string{"/admin/users", "/admin/departments", "/admin/stages", "/admin/tags", "/admin/sources",
		"/admin/jobs", "/admin/email", "/admin/backups", "/admin/audit", "/admin/webhooks", "/opportunities/import", "/pools"} {
		hub.wantContains(t, `class="hub-card" href="`+p+`"`)
		if p == "/pools" || p == "/opportunities/import" {
			continue // these pages belong to their own nav item
		}
		b.get(p).wantStatus(t, http.StatusOK).wantContains(t, `href="/admin" aria-current="page"`)
	}
	b.get("/customers").wantNotContains(t, `href="/admin" aria-current="page"`)

	s := e.loggedIn("sam", "")
	s.get("/admin").wantStatus(t, http.StatusForbidden)
	s.get("/").wantNotContains(t, `href="/admin"`)
}
