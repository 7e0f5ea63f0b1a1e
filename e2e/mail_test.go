package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tidecrm/tide/mailtest"
)

// phoneWidth is a small phone's viewport.

// startMailServer starts Tide sending through an in-process SMTP server,
// with the sender job running every second.
func startMailServer(t *testing.T) (*testServer, *mailtest.Server) {
	t.Helper()
	smtp := mailtest.Start(t)
	srv := runServer(t, map[string]string{"admin.username": adminUser, "admin.password": adminPassword,
		"smtp.host": smtp.Host(), "smtp.port": smtp.PortString(), "smtp.tls": "none", "smtp.from": "crm@example.com",
		"reminders.interval": "1s", "server.base_url": "http://tide.test"})
	return srv, smtp
}

// waitForMail waits (bounded) until the sender job delivered a message to addr.
func waitForMail(t *testing.T, smtp *mailtest.Server, addr string) *mailtest.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := smtp.To(addr); len(m) > 0 {
			return m[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no email reached %s", addr)
	return nil
}

func TestMail_AdminSendsTestEmail_ErrorShownWhenServerDown(t *testing.T) {
	t.Parallel()
	srv, smtp := startMailServer(t)
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, adminUser, adminPassword)

	do(t, ctx, clickAndWait(`.nav-desktop a[href="/campaigns"]`), clickAndWait(`.page-head a[href="/admin/email"]`))
	wantPath(t, ctx, "/admin/email")
	if got := value(t, ctx, "#port"); got != smtp.PortString() {
		t.Fatalf("port from config = %q, want %s", got, smtp.PortString())
	}
	do(t, ctx, fill("#test_to", "boss@example.com"), clickAndWait(`form[action="/admin/email/test"] button[type=submit]`))
	wantText(t, ctx, "#test .alert-success", "boss@example.com")
	if m := smtp.To("boss@example.com"); len(m) != 1 || m[0].Subject() != "潮汐 CRM 测试邮件" {
		t.Fatalf("test email: %d messages", len(m))
	}
	shot(t, ctx, "mail-admin-desktop")

	// Point the settings at a port nobody listens on: the SMTP error shows
	// beside the address, which stays as typed.
	closed := strconv.Itoa(mailtest.ClosedPort(t))
	do(t, ctx, fill("#port", closed), fill("#password", "secret-1"), clickAndWait(`form[action="/admin/email"] button[type=submit]`))
	wantPath(t, ctx, "/admin/email")
	if got := value(t, ctx, "#password"); got != "" {
		t.Fatalf("the password was shown back: %q", got)
	}
	do(t, ctx, fill("#test_to", "boss@example.com"), clickAndWait(`form[action="/admin/email/test"] button[type=submit]`))
	wantText(t, ctx, "#test .field-error", "connection refused")
	if got := value(t, ctx, "#test_to"); got != "boss@example.com" {
		t.Fatalf("address after refusal = %q", got)
	}
	shot(t, ctx, "mail-admin-error-desktop")

	phone := newBrowser(t, phoneWidth, 800)
	login(t, phone, srv.URL, adminUser, adminPassword)
	navigate(t, phone, srv.URL+"/admin/email")
	shot(t, phone, "mail-admin-375")
}

func TestMail_CampaignPreviewSendLogUnsubscribe_Screens(t *testing.T) {
	t.Parallel()
	srv, smtp := startMailServer(t)
	admin := srv.asAdmin(t)
	srv.api(t, admin, http.MethodPost, "/api/v1/tags", map[string]any{"name": "重点客户"}, http.StatusCreated, nil)
	for i, c := range []struct{ name, contact, email string }{{"星河科技", "李雷", "lilei@xinghe.cn"}, {"远洋物流", "韩梅梅", "meimei@yuanyang.cn"}} {
		id := srv.createCustomer(t, admin, map[string]any{"name": c.name, "tags": []string{"重点客户"}, "phone": "1380000000" + strconv.Itoa(i)})
		srv.api(t, admin, http.MethodPost, "/api/v1/customers/"+strconv.FormatInt(id, 10)+"/contacts",
			map[string]any{"name": c.contact, "email": c.email, "is_primary": true}, http.StatusCreated, nil)
	}
	for _, width := range []int{desktopWidth, phoneWidth} {
		ctx := newBrowser(t, width, 900)
		login(t, ctx, srv.URL, adminUser, adminPassword)
		suffix := "-" + strconv.Itoa(width)
		navigate(t, ctx, srv.URL+"/campaigns/new")
		do(t, ctx,
			chromedp.Click(chromedp.CSS(`input[name=tags][value="重点客户"]`), chromedp.NodeVisible),
			fill("#name", "年终回馈"+suffix),
			fill("#subject", "{{.ContactName}}，年终专享优惠"),
			fill("#body", "{{.ContactName}}您好：\n\n感谢{{.CustomerName}}一年来的信任，年终订购享八折。\n\n{{.OwnerName}}"),
			clickAndWait(`button[name=action][value=preview]`),
		)
		wantText(t, ctx, "#preview", "年终专享优惠")
		shot(t, ctx, "campaign-new"+suffix)
		navigate(t, ctx, srv.URL+"/profile")
		shot(t, ctx, "profile-email"+suffix)
	}
	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, adminUser, adminPassword)
	navigate(t, ctx, srv.URL+"/campaigns/new")
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`input[name=tags][value="重点客户"]`), chromedp.NodeVisible),
		fill("#name", "年终回馈"),
		fill("#subject", "{{.ContactName}}，年终专享优惠"),
		fill("#body", "{{.ContactName}}您好：感谢{{.CustomerName}}一年来的信任。"),
		clickConfirmAndWait(`button[name=action][value=send]`),
	)
	if !strings.HasPrefix(pathOf(t, ctx), "/campaigns/") {
		t.Fatalf("after send: %s", pathOf(t, ctx))
	}
	m := waitForMail(t, smtp, "meimei@yuanyang.cn")
	waitForMail(t, smtp, "lilei@xinghe.cn")
	do(t, ctx, chromedp.Reload())
	wantText(t, ctx, "table", "已发送")
	shot(t, ctx, "campaign-log-desktop")

	link := regexp.MustCompile(`http://tide\.test(/unsubscribe\?\S+)`).FindStringSubmatch(m.Text())
	if link == nil {
		t.Fatalf("no unsubscribe link in:\n%s", m.Text())
	}
	for _, width := range []int{desktopWidth, phoneWidth} {
		visitor := newBrowser(t, width, 800)
		navigate(t, visitor, srv.URL+link[1])
		wantText(t, visitor, ".unsub-card", "meimei@yuanyang.cn")
		shot(t, visitor, "unsubscribe-"+strconv.Itoa(width))
		if width == phoneWidth {
			do(t, visitor, clickAndWait(`.unsub-card button[type=submit]`))
			wantText(t, visitor, ".unsub-card .alert-success", "已退订")
			shot(t, visitor, "unsubscribed-375")
		}
	}
	_ = context.Background
}
