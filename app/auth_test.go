package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tidecrm/tide/store"
)

func TestLogin_GoodPassword_SignsInAndRedirects(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("alice", store.RoleSales, "en", nil)
	b := e.browser("")
	b.get("/login").wantStatus(t, http.StatusOK)
	if b.cookies[csrfCookie] == "" || b.csrf == "" {
		t.Fatalf("login page set no CSRF cookie/token (cookies %v)", b.cookies)
	}
	b.form("/login", url.Values{"username": {"alice"}, "password": {testPassword}, "next": {"/profile"}}).
		wantRedirect(t, "/profile")
	if b.cookies[sessionCookie] == "" {
		t.Fatal("no session cookie after login")
	}
	b.get("/profile").wantStatus(t, http.StatusOK).wantContains(t, "Name alice")
	// Signed in, the login page sends the user home.
	b.get("/login").wantRedirect(t, "/")
}

func TestLogin_NextParam_OnlyLocalRedirects(t *testing.T) {
	e := newSetUpEnv(t, nil)
	for _, next := range []string{"https://evil.example/", "//evil.example/x", `/\evil.example`} {
		b := e.browser("")
		b.get("/login")
		b.form("/login", url.Values{"username": {"admin"}, "password": {testPassword}, "next": {next}}).
			wantRedirect(t, "/")
	}
}

func TestLogin_WrongPassword_401AndNoHint(t *testing.T) {
	tests := []struct {
		lang string
		want string
	}{
		{"en", "Wrong username or password."},
		{"zh-CN,zh;q=0.9", "用户名或密码不正确。"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			e := newSetUpEnv(t, nil)
			e.user("alice", store.RoleSales, "en", nil)
			b := e.browser(tt.lang)
			b.get("/login")
			wrong := b.form("/login", url.Values{"username": {"alice"}, "password": {"not-the-password"}}).
				wantStatus(t, http.StatusUnauthorized)
			unknown := b.form("/login", url.Values{"username": {"nobody"}, "password": {"not-the-password"}}).
				wantStatus(t, http.StatusUnauthorized)
			if got := wrong.alertText(); got != tt.want {
				t.Fatalf("wrong password message %q, want %q", got, tt.want)
			}
			if wrong.alertText() != unknown.alertText() {
				t.Fatalf("messages differ: wrong password %q, unknown user %q (must not reveal which usernames exist)",
					wrong.alertText(), unknown.alertText())
			}
			// The form keeps the typed username, and nobody got signed in.
			unknown.wantContains(t, `value="nobody"`)
			if b.cookies[sessionCookie] != "" {
				t.Fatal("a failed login set a session cookie")
			}
		})
	}
}

func TestAPILogin_WrongPassword_401AndNoHint(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("alice", store.RoleSales, "en", nil)
	api := e.browser("en")
	a := api.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "alice", "password": "nope-nope"}).
		wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
	b := api.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "ghost", "password": "nope-nope"}).
		wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
	if a["message"] != b["message"] || a["message"] != "Wrong username or password." {
		t.Fatalf("API messages: wrong password %q, unknown user %q", a["message"], b["message"])
	}
	api.do(http.MethodPost, "/api/v1/auth/login", `{"username":`).wantAPIError(t, http.StatusBadRequest, "invalid")
}

func TestLogin_DeactivatedUser_SameRefusalAsWrongPassword(t *testing.T) {
	e := newSetUpEnv(t, nil)
	u := e.user("alice", store.RoleSales, "en", nil)
	if _, err := e.st.UpdateUser(context.Background(), u.ID, store.UserInput{Active: ptrTo(false)}); err != nil {
		t.Fatal(err)
	}
	b := e.browser("en")
	b.get("/login")
	r := b.form("/login", url.Values{"username": {"alice"}, "password": {testPassword}}).wantStatus(t, http.StatusUnauthorized)
	if r.alertText() != "Wrong username or password." {
		t.Fatalf("message %q", r.alertText())
	}
}

func TestAPILogin_TokenWorksForMe(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("alice", store.RoleSales, "en", nil)
	r := e.browser("").do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "alice", "password": testPassword}).
		wantStatus(t, http.StatusOK)
	body := r.json(t)
	tok, _ := body["token"].(string)
	if !strings.HasPrefix(tok, store.TokenPrefix) {
		t.Fatalf("token %q lacks prefix %q", tok, store.TokenPrefix)
	}
	if u, _ := body["user"].(map[string]any); u["username"] != "alice" {
		t.Fatalf("login user = %v", body["user"])
	}
	if strings.Contains(r.body, "password") {
		t.Fatalf("login response mentions a password: %s", r.body)
	}
	me := e.bearer(tok).get("/api/v1/me").wantStatus(t, http.StatusOK).json(t)
	if me["username"] != "alice" || me["role"] != store.RoleSales {
		t.Fatalf("me = %v", me)
	}
	if _, leaked := me["password_hash"]; leaked {
		t.Fatal("/me exposes the password hash")
	}
}

func TestAPI_MissingOrInvalidToken_401Envelope(t *testing.T) {
	e := newSetUpEnv(t, nil)
	tests := []struct {
		name   string
		header string
	}{
		{"no credentials", ""},
		{"unknown token", "Bearer tide_doesnotexistdoesnotexistdoesnotexist"},
		{"not a tide token", "Bearer abc"},
		{"empty bearer", "Bearer "},
		{"basic auth", "Basic YWRtaW46cGFzc3dvcmQx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var extra []string
			if tt.header != "" {
				extra = []string{"Authorization", tt.header}
			}
			for _, path := range []string{"/api/v1/me", "/api/v1/users", "/api/v1/nope"} {
				cl := e.browser("")
				cl.skipSpec = path == "/api/v1/nope" // not an API path: no operation to check against
				cl.do(http.MethodGet, path, nil, extra...).wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
			}
			e.browser("").do(http.MethodPost, "/api/v1/departments", map[string]string{"name": "x"}, extra...).
				wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
		})
	}
}

// The API error message is in the caller's language, also when the
// refusal is a bad token (found before the language is chosen).
func TestAPI_401Message_InRequestLanguage(t *testing.T) {
	e := newSetUpEnv(t, nil)
	tests := []struct {
		name, auth, lang, want string
	}{
		{"missing en", "", "en", "Please sign in first."},
		{"missing zh", "", "zh-CN", "请先登录。"},
		{"invalid en", "Bearer tide_nope", "en", "The API token is invalid, expired or revoked."},
		{"invalid zh", "Bearer tide_nope", "zh-CN", "API 令牌"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra := []string{"Accept-Language", tt.lang}
			if tt.auth != "" {
				extra = append(extra, "Authorization", tt.auth)
			}
			got := e.browser("").do(http.MethodGet, "/api/v1/me", nil, extra...).
				wantAPIError(t, http.StatusUnauthorized, "unauthenticated")["message"].(string)
			if !strings.Contains(got, tt.want) {
				t.Fatalf("message %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestLogin_RotatesSession_OldCookieDead(t *testing.T) {
	e := newSetUpEnv(t, nil)
	b := e.loggedIn("admin", "")
	old := b.cookies[sessionCookie]
	// Sign in again from the same browser, carrying the old session.
	b.form("/login", url.Values{"username": {"admin"}, "password": {testPassword}}).wantRedirect(t, "/")
	fresh := b.cookies[sessionCookie]
	if fresh == "" || fresh == old {
		t.Fatalf("session cookie not rotated: old %q new %q", old, fresh)
	}
	b.get("/").wantStatus(t, http.StatusOK)

	stale := e.browser("")
	stale.cookies[sessionCookie] = old
	stale.get("/").wantRedirect(t, "/login")
	stale.get("/api/v1/me").wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
}

func TestLogin_FromAnotherUsersSession_EndsTheOldSession(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("alice", store.RoleSales, "en", nil)
	b := e.loggedIn("admin", "")
	old := b.cookies[sessionCookie]
	b.form("/login", url.Values{"username": {"alice"}, "password": {testPassword}}).wantRedirect(t, "/")
	b.get("/api/v1/me").wantStatus(t, http.StatusOK).wantContains(t, `"username":"alice"`)
	stale := e.browser("")
	stale.cookies[sessionCookie] = old
	stale.get("/").wantRedirect(t, "/login")
}

func TestLogout_DeletesSession(t *testing.T) {
	e := newSetUpEnv(t, nil)
	b := e.loggedIn("admin", "en")
	old := b.cookies[sessionCookie]
	b.form("/logout", url.Values{}).wantRedirect(t, "/login")
	if b.cookies[sessionCookie] != "" {
		t.Fatal("logout did not clear the session cookie")
	}
	b.get("/login").wantStatus(t, http.StatusOK).wantContains(t, "You have signed out.")

	// Replaying the old cookie does not sign anybody in.
	stale := e.browser("")
	stale.cookies[sessionCookie] = old
	stale.get("/").wantRedirect(t, "/login")
	stale.get("/profile").wantRedirect(t, "/login")
	if _, _, err := e.st.SessionByCookie(context.Background(), old, e.srv.sessionLimits()); !store.IsCode(err, store.CodeUnauthenticated) {
		t.Fatalf("session still in the store after logout: err %v", err)
	}
}

func TestCSRF_FormPost(t *testing.T) {
	e := newSetUpEnv(t, nil)
	tests := []struct {
		name  string
		token func(b *testClient) string
		want  int
	}{
		{"missing token", func(*testClient) string { return "" }, http.StatusForbidden},
		{"wrong token", func(*testClient) string { return "x" + strings.Repeat("a", 40) }, http.StatusForbidden},
		{"right token", func(b *testClient) string { return b.csrf }, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.loggedIn("admin", "en")
			v := url.Values{"name": {"Renamed " + tt.name}, "email": {""}, "phone": {""}, "language": {"en"}}
			if tok := tt.token(b); tok != "" {
				v.Set("_csrf", tok)
			}
			r := b.do(http.MethodPost, "/profile", v).wantStatus(t, tt.want)
			u, err := e.st.UserByUsername(context.Background(), "admin")
			if err != nil {
				t.Fatal(err)
			}
			saved := u.Name == "Renamed "+tt.name
			if saved != (tt.want == http.StatusSeeOther) {
				t.Fatalf("status %d but saved=%v", r.StatusCode, saved)
			}
			if tt.want == http.StatusForbidden {
				r.wantContains(t, "security check failed")
			}
		})
	}
}

func TestCSRF_LoginFormNeedsToken(t *testing.T) {
	e := newSetUpEnv(t, nil)
	b := e.browser("en")
	b.get("/login")
	b.do(http.MethodPost, "/login", url.Values{"username": {"admin"}, "password": {testPassword}}).
		wantStatus(t, http.StatusForbidden)
	// A token that does not match the cookie is refused too.
	b.do(http.MethodPost, "/login", url.Values{"username": {"admin"}, "password": {testPassword}, "_csrf": {strings.Repeat("z", 32)}}).
		wantStatus(t, http.StatusForbidden)
	if b.cookies[sessionCookie] != "" {
		t.Fatal("signed in without a CSRF token")
	}
}

func TestCSRF_APIWithSessionCookie_NeedsHeader(t *testing.T) {
	e := newSetUpEnv(t, nil)
	alice := e.user("alice", store.RoleSales, "en", nil)
	b := e.loggedIn("admin", "en")
	path := pathf("/api/v1/users/%d", alice.ID)

	b.do(http.MethodPatch, path, map[string]any{"name": "No Header"}).wantAPIError(t, http.StatusForbidden, "forbidden")
	b.do(http.MethodPatch, path, map[string]any{"name": "Bad Header"}, csrfHeader, "wrong").wantAPIError(t, http.StatusForbidden, "forbidden")
	if u, _ := e.st.User(context.Background(), alice.ID); u.Name != "Name alice" {
		t.Fatalf("refused PATCH changed the name to %q", u.Name)
	}
	got := b.do(http.MethodPatch, path, map[string]any{"name": "With Header"}, csrfHeader, b.csrf).
		wantStatus(t, http.StatusOK).json(t)
	if got["name"] != "With Header" {
		t.Fatalf("PATCH result %v", got)
	}
	// Safe methods need no token.
	b.get("/api/v1/me").wantStatus(t, http.StatusOK)
}

func TestCSRF_BearerTokenAPI_NeedsNoCSRF(t *testing.T) {
	e := newSetUpEnv(t, nil)
	alice := e.user("alice", store.RoleSales, "en", nil)
	api := e.api("admin")
	api.do(http.MethodPatch, pathf("/api/v1/users/%d", alice.ID), map[string]any{"name": "By Token"}).wantStatus(t, http.StatusOK)
	api.do(http.MethodPost, "/api/v1/departments", map[string]any{"name": "Sales"}).wantStatus(t, http.StatusCreated)
}

func TestThrottle_SixthAttemptRefusedEvenWithRightPassword(t *testing.T) {
	tests := []struct {
		name     string
		lang     string
		viaAPI   bool
		wantText string
	}{
		{"form zh", "zh-CN", false, "登录失败次数过多"},
		{"form en", "en", false, "Too many failed sign-ins"},
		{"api en", "en", true, "Too many failed sign-ins"},
		{"api zh", "zh-CN", true, "登录失败次数过多"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSetUpEnv(t, nil)
			e.user("alice", store.RoleSales, "en", nil)
			b := e.browser(tt.lang)
			b.get("/login")
			attempt := func(pw string) *testResponse {
				if tt.viaAPI {
					return b.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "alice", "password": pw})
				}
				return b.form("/login", url.Values{"username": {"alice"}, "password": {pw}})
			}
			for i := 1; i <= freeFailures; i++ {
				attempt("wrong-password").wantStatus(t, http.StatusUnauthorized)
			}
			r := attempt(testPassword).wantStatus(t, http.StatusTooManyRequests)
			if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
				t.Fatalf("Retry-After = %q, want a positive number of seconds", ra)
			}
			if tt.viaAPI {
				inner := r.wantAPIError(t, http.StatusTooManyRequests, "throttled")
				if !strings.Contains(inner["message"].(string), tt.wantText) {
					t.Fatalf("message %q, want %q", inner["message"], tt.wantText)
				}
			} else if !strings.Contains(r.alertText(), tt.wantText) {
				t.Fatalf("alert %q, want %q", r.alertText(), tt.wantText)
			}
			if b.cookies[sessionCookie] != "" {
				t.Fatal("throttled attempt still signed in")
			}
		})
	}
}

func TestToken_Revoked_401(t *testing.T) {
	e := newSetUpEnv(t, nil)
	api := e.api("admin")
	created := api.do(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "script"}).wantStatus(t, http.StatusCreated).json(t)
	secret := created["token"].(string)
	script := e.bearer(secret)
	script.get("/api/v1/me").wantStatus(t, http.StatusOK)
	api.do(http.MethodDelete, pathf("/api/v1/tokens/%d", int64(created["id"].(float64))), nil).wantStatus(t, http.StatusNoContent)
	script.get("/api/v1/me").wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
	// The token that revoked it still works.
	api.get("/api/v1/me").wantStatus(t, http.StatusOK)
}

func TestToken_ExpiredByStoreClock_401(t *testing.T) {
	e := newSetUpEnv(t, nil)
	api := e.api("admin")
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	created := api.do(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "short", "expires_at": exp}).
		wantStatus(t, http.StatusCreated).json(t)
	short := e.bearer(created["token"].(string))
	short.get("/api/v1/me").wantStatus(t, http.StatusOK)
	e.st.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	short.get("/api/v1/me").wantAPIError(t, http.StatusUnauthorized, "unauthenticated")
}

func TestToken_ReadOnly_CannotWrite(t *testing.T) {
	e := newSetUpEnv(t, nil)
	admin := e.api("admin")
	created := admin.do(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "reports", "scope": store.ScopeRead}).
		wantStatus(t, http.StatusCreated).json(t)
	if created["scope"] != store.ScopeRead {
		t.Fatalf("scope = %v", created["scope"])
	}
	ro := e.bearer(created["token"].(string))
	ro.get("/api/v1/me").wantStatus(t, http.StatusOK)
	ro.get("/api/v1/users").wantStatus(t, http.StatusOK)
	before := len(mustDepartments(t, e))
	ro.do(http.MethodPost, "/api/v1/departments", map[string]any{"name": "Nope"}).wantAPIError(t, http.StatusForbidden, "forbidden")
	ro.do(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "escalate"}).wantAPIError(t, http.StatusForbidden, "forbidden")
	ro.do(http.MethodDelete, pathf("/api/v1/tokens/%d", int64(created["id"].(float64))), nil).wantAPIError(t, http.StatusForbidden, "forbidden")
	if after := len(mustDepartments(t, e)); after != before {
		t.Fatalf("departments %d → %d after a refused write", before, after)
	}
}

func TestSession_IdleTimeout_RedirectsToLogin(t *testing.T) {
	e := newSetUpEnv(t, map[string]string{"session.idle_timeout": "30m", "session.lifetime": "720h"})
	b := e.loggedIn("admin", "en")
	// Still fresh after 20 minutes.
	e.st.Now = func() time.Time { return time.Now().Add(20 * time.Minute) }
	b.get("/").wantStatus(t, http.StatusOK)
	// 31 minutes after that last request it has gone idle.
	e.st.Now = func() time.Time { return time.Now().Add(52 * time.Minute) }
	b.get("/profile").wantRedirect(t, "/login")
	if b.cookies[sessionCookie] != "" {
		t.Fatal("expired session cookie was not cleared")
	}
	b.get("/login").wantStatus(t, http.StatusOK).wantContains(t, "Your session has expired.")
}

func TestSession_AbsoluteLifetime_RedirectsToLogin(t *testing.T) {
	e := newSetUpEnv(t, map[string]string{"session.idle_timeout": "720h", "session.lifetime": "1h"})
	b := e.loggedIn("admin", "en")
	e.st.Now = func() time.Time { return time.Now().Add(61 * time.Minute) }
	b.get("/").wantRedirect(t, "/login")
}

func TestSessionCookie_IsHttpOnlyLax(t *testing.T) {
	e := newSetUpEnv(t, nil)
	b := e.browser("")
	b.get("/login")
	r := b.form("/login", url.Values{"username": {"admin"}, "password": {testPassword}})
	var found bool
	for _, c := range r.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			found = true
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Fatalf("session cookie HttpOnly=%v SameSite=%v", c.HttpOnly, c.SameSite)
			}
			if strings.Count(c.Value, ".") != 1 {
				t.Fatalf("session cookie %q is not id.secret", c.Value)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie set")
	}
}

func mustDepartments(t *testing.T, e *testEnv) []*store.Department {
	t.Helper()
	d, err := e.st.Departments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}
