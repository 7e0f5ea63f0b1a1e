package app

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tidecrm/tide/store"
)

func TestFirstRun_EveryPageRedirectsToSetup(t *testing.T) {
	e := newEnv(t, nil)
	b := e.browser("")
	for _, tt := range []struct{ method, path string }{
		{http.MethodGet, "/"},
		{http.MethodGet, "/login"},
		{http.MethodGet, "/profile"},
		{http.MethodGet, "/admin/users"},
		{http.MethodGet, "/admin/departments"},
		{http.MethodGet, "/no-such-page"},
		{http.MethodPost, "/login"},
		{http.MethodPost, "/logout"},
	} {
		b.do(tt.method, tt.path, url.Values{}).wantRedirect(t, "/setup")
	}
	// Health checks, assets and the API are not redirected.
	b.get("/healthz").wantStatus(t, http.StatusOK)
	b.get(e.srv.assets.URL("css/app.css")).wantStatus(t, http.StatusOK)
	b.get("/api/v1/me").wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
	b.get("/setup").wantStatus(t, http.StatusOK)
}

func TestSetup_BadForm_RerendersWithInputAndErrors(t *testing.T) {
	tests := []struct {
		name       string
		form       url.Values
		wantInput  []string
		wantErrors []string
	}{
		{
			name: "store validation",
			form: url.Values{"company_name": {""}, "language": {"en"}, "timezone": {"Mars/Olympus"},
				"username": {"x"}, "name": {"张三"}, "email": {"not-an-email"}, "password": {"short"}, "password2": {"short"}},
			wantInput:  []string{`value="x"`, `value="张三"`, `value="not-an-email"`, `value="Mars/Olympus"`},
			wantErrors: []string{"Required.", "Unknown time zone", "Must be 2 to 64 characters.", "Not a valid email address.", "At least 8 characters."},
		},
		{
			name: "passwords differ",
			form: url.Values{"company_name": {"潮汐科技"}, "language": {"zh-CN"}, "timezone": {"Asia/Shanghai"},
				"username": {"boss"}, "name": {"老板"}, "email": {""}, "password": {"password1"}, "password2": {"password2"}},
			wantInput:  []string{`value="潮汐科技"`, `value="boss"`, `value="老板"`},
			wantErrors: []string{"The passwords do not match."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			b := e.browser("en")
			b.get("/setup").wantStatus(t, http.StatusOK)
			r := b.form("/setup", tt.form).wantStatus(t, http.StatusBadRequest).
				wantContains(t, tt.wantInput...).wantContains(t, tt.wantErrors...)
			r.wantNotContains(t, `value="short"`, `value="password1"`) // passwords are never echoed
			if n := e.countUsers(); n != 0 {
				t.Fatalf("a refused setup created %d users", n)
			}
			if b.cookies[sessionCookie] != "" {
				t.Fatal("a refused setup signed someone in")
			}
			b.get("/").wantRedirect(t, "/setup")
		})
	}
}

func TestSetup_Good_CreatesAdminSignsInThen404(t *testing.T) {
	e := newEnv(t, nil)
	b := e.browser("zh-CN")
	b.get("/setup").wantStatus(t, http.StatusOK)
	b.form("/setup", url.Values{"company_name": {"潮汐科技"}, "language": {"en"}, "timezone": {"Asia/Shanghai"},
		"username": {"boss"}, "name": {"Boss"}, "email": {"boss@example.com"}, "password": {"password1"}, "password2": {"password1"}}).
		wantRedirect(t, "/")
	if b.cookies[sessionCookie] == "" {
		t.Fatal("setup did not sign the admin in")
	}
	u, err := e.st.UserByUsername(t.Context(), "boss")
	if err != nil || u.Role != store.RoleAdmin || u.Language != "en" {
		t.Fatalf("admin after setup = %+v, %v", u, err)
	}
	// Signed in, in the language chosen at setup, with the company shown.
	b.get("/").wantStatus(t, http.StatusOK).wantContains(t, "Setup complete.", "潮汐科技", `<html lang="en">`)
	b.get("/admin/users").wantStatus(t, http.StatusOK)

	b.get("/setup").wantStatus(t, http.StatusNotFound)
	e.browser("").get("/setup").wantStatus(t, http.StatusNotFound)
	// A second setup cannot sneak in another admin.
	anon := e.browser("en")
	anon.get("/login")
	anon.form("/setup", url.Values{"company_name": {"Evil"}, "language": {"en"}, "timezone": {"UTC"},
		"username": {"evil"}, "password": {"password1"}, "password2": {"password1"}}).wantStatus(t, http.StatusNotFound)
	if n := e.countUsers(); n != 1 {
		t.Fatalf("users = %d after a second setup attempt, want 1", n)
	}
	// The anonymous visitor now gets the login page instead of setup.
	e.browser("").get("/").wantRedirect(t, "/login")
}

func TestNotFound_HTMLInUserLanguage_JSONForAPI(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("zh_user", store.RoleSales, "zh-CN", nil)
	tests := []struct {
		user, want, lang string
	}{
		{"admin", "Not found", "en"},
		{"zh_user", "页面不存在", "zh-CN"},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			b := e.loggedIn(tt.user, "")
			for _, path := range []string{"/nope", "/admin/users/9999", "/admin/users/abc", "/admin/departments/424242"} {
				if tt.user != "admin" && strings.HasPrefix(path, "/admin/") {
					continue
				}
				r := b.get(path).wantStatus(t, http.StatusNotFound).wantContains(t, tt.want, `<html lang="`+tt.lang+`">`)
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Fatalf("404 page content type %q", ct)
				}
			}
			api := e.api(tt.user)
			api.skipSpec = true // unknown API paths on purpose
			inner := api.get("/api/v1/nope").wantAPIError(t, http.StatusNotFound, "not_found")
			if tt.lang == "en" && !strings.Contains(inner["message"].(string), "does not exist") {
				t.Fatalf("message %q", inner["message"])
			}
			api.do(http.MethodPost, "/api/v1/nope/deeper", map[string]any{}).wantAPIError(t, http.StatusNotFound, "not_found")
		})
	}
}

func TestBodyLimit_OversizedJSON_413TooLarge(t *testing.T) {
	e := newSetUpEnv(t, map[string]string{"server.body_limit": "1024"})
	api := e.api("admin")
	api.headers["Accept-Language"] = "en"
	small := `{"name":"` + strings.Repeat("a", 50) + `"}`
	api.do(http.MethodPost, "/api/v1/departments", small).wantStatus(t, http.StatusCreated)
	big := `{"name":"` + strings.Repeat("a", 2000) + `"}`
	before := len(mustDepartments(t, e))
	inner := api.do(http.MethodPost, "/api/v1/departments", big).wantAPIError(t, http.StatusRequestEntityTooLarge, "too_large")
	if msg := inner["message"].(string); !strings.Contains(msg, "1 KB") {
		t.Fatalf("message %q does not name the limit", msg)
	}
	if after := len(mustDepartments(t, e)); after != before {
		t.Fatal("an oversized request was written")
	}
	// Refused before authentication matters: anonymous big bodies too.
	e.browser("").do(http.MethodPost, "/api/v1/auth/login", big).wantAPIError(t, http.StatusRequestEntityTooLarge, "too_large")
}

func TestBodyLimit_OverUploadLimit_413Envelope(t *testing.T) {
	// Bodies over fiber's own limit are refused by fasthttp while reading,
	// which app.Test cannot show; this one goes over a real socket.
	e := newSetUpEnv(t, map[string]string{"server.body_limit": "1024", "server.upload_limit": "2048"})
	tok := e.apiToken("admin", testPassword)
	base := e.listen()
	big := `{"name":"` + strings.Repeat("a", 8000) + `"}`
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/departments", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := &testResponse{Response: res, body: string(b)}
	r.wantAPIError(t, http.StatusRequestEntityTooLarge, "too_large")
}

func TestPanicInHandler_500PageAndServerLives(t *testing.T) {
	// Routes cannot be added after New (the catch-all 404 registered in
	// New answers first), so the panic comes from the jobs listing the
	// admin jobs page calls.
	e := newEnvWithJobs(t, nil, panickingJobs{})
	e.user("admin", store.RoleAdmin, "en", nil)
	b := e.loggedIn("admin", "en")
	r := b.get("/admin/jobs").wantStatus(t, http.StatusInternalServerError).
		wantContains(t, "Something went wrong", "The error has been logged.")
	r.wantNotContains(t, "boom", "goroutine", ".go:")
	if !strings.Contains(e.log.String(), "panic in handler") || !strings.Contains(e.log.String(), "boom") {
		t.Fatalf("panic not logged:\n%s", e.log.String())
	}
	// The server still answers.
	b.get("/").wantStatus(t, http.StatusOK)
	b.get("/healthz").wantStatus(t, http.StatusOK)
}

func TestHealthz_OK(t *testing.T) {
	e := newSetUpEnv(t, nil)
	r := e.browser("").get("/healthz").wantStatus(t, http.StatusOK)
	if got := r.json(t); len(got) != 1 || got["status"] != "ok" {
		t.Fatalf("healthz = %s", r.body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q", ct)
	}
}

func TestStatic_HashedURL_CachedForAYear(t *testing.T) {
	e := newSetUpEnv(t, nil)
	b := e.browser("")
	tests := []struct {
		file, contentType string
	}{
		{"css/app.css", "text/css"},
		{"js/app.js", "javascript"},
		{"img/logo.svg", "image/svg+xml"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			u := e.srv.assets.URL(tt.file)
			if !strings.HasPrefix(u, "/static/") || strings.Contains(u, "//") || !strings.HasSuffix(u, "/"+tt.file) {
				t.Fatalf("asset URL %q", u)
			}
			r := b.get(u).wantStatus(t, http.StatusOK)
			if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Fatalf("Cache-Control %q", cc)
			}
			if ct := r.Header.Get("Content-Type"); !strings.Contains(ct, tt.contentType) {
				t.Fatalf("Content-Type %q, want %q", ct, tt.contentType)
			}
			if len(r.body) == 0 {
				t.Fatal("empty asset")
			}
			// A stale hash still serves the file but must not be cached forever.
			stale := b.get("/static/000000000000/"+tt.file).wantStatus(t, http.StatusOK)
			if cc := stale.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
				t.Fatalf("stale hash cached as %q", cc)
			}
		})
	}
	b.get("/static/"+"abc"+"/css/nope.css").wantStatus(t, http.StatusNotFound)
	// Pages link the hashed URL.
	b.get("/login").wantContains(t, e.srv.assets.URL("css/app.css"))
}

func TestLanguageSwitch_AnonymousCookieAndProfile(t *testing.T) {
	e := newSetUpEnv(t, nil)
	b := e.browser("")
	b.get("/login").wantContains(t, `<html lang="zh-CN">`) // company default
	b.form("/lang", url.Values{"lang": {"en"}, "next": {"/login"}}).wantRedirect(t, "/login")
	b.get("/login").wantContains(t, `<html lang="en">`, "Sign in")
	b.form("/lang", url.Values{"lang": {"fr"}}).wantStatus(t, http.StatusBadRequest)
}

// Handlers must give the store c.UserContext(), not c.Context(): fasthttp's
// RequestCtx is pooled and its Done channel is closed (and then reset, a
// data race) when a graceful shutdown starts, so in-flight requests would
// fail their queries exactly when they are meant to finish. Calling a
// RequestCtx method (c.Context().PostArgs()) is fine.
func TestHandlers_PassUserContextNotRequestCtx(t *testing.T) {
	requestCtxAsContext := regexp.MustCompile(`c\.Context\(\)(?:[^.]|$)`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for i, line := range strings.Split(string(b), "\n") {
			if requestCtxAsContext.MatchString(line) {
				lines = append(lines, fmt.Sprint(i+1))
			}
		}
		if len(lines) > 0 {
			t.Errorf("%s passes c.Context() as a context at lines %s; use c.UserContext()", f, strings.Join(lines, ", "))
		}
	}
}
