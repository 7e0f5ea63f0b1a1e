package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
)

// testPassword is the password of every user the helpers create.
const testPassword = "password1"

// testEnv is one Tide server over a fresh database, driven in memory
// through fiber's app.Test (no network, no mocks).
type testEnv struct {
	t   *testing.T
	cfg *config.Config
	st  *store.Store
	srv *Server
	log *testLogBuffer
}

// testLogBuffer collects the server log; handlers write to it from fiber's
// goroutines while the test reads it.
type testLogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *testLogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *testLogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testConfig loads the real configuration with a temp data dir, the
// company time zone fixed, and extra key → value overrides.
func testConfig(t *testing.T, overrides map[string]string) *config.Config {
	t.Helper()
	o := map[string]string{"data.dir": t.TempDir(), "app.timezone": "Asia/Shanghai"}
	for k, v := range overrides {
		o[k] = v
	}
	cfg, err := config.Load("", o)
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	return cfg
}

// newEnv starts a server with no users yet (first run).
func newEnv(t *testing.T, overrides map[string]string) *testEnv {
	return newEnvWithJobs(t, overrides, nil)
}

func newEnvWithJobs(t *testing.T, overrides map[string]string, jobs Jobs) *testEnv {
	t.Helper()
	cfg := testConfig(t, overrides)
	st := store.OpenTest(t)
	logs := &testLogBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := New(cfg, st, jobs, logger)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return &testEnv{t: t, cfg: cfg, st: st, srv: srv, log: logs}
}

// newSetUpEnv starts a server whose first admin ("admin", English) exists,
// so pages no longer redirect to /setup.
func newSetUpEnv(t *testing.T, overrides map[string]string) *testEnv {
	t.Helper()
	e := newEnv(t, overrides)
	e.user("admin", store.RoleAdmin, "en", nil)
	return e
}

// user creates an active user through the store with testPassword.
func (e *testEnv) user(username, role, lang string, dept *int64) *store.User {
	e.t.Helper()
	u, err := e.st.CreateUser(context.Background(), store.UserInput{
		Username: &username, Password: ptrTo(testPassword), Role: &role, Language: &lang,
		Name: ptrTo("Name " + username), DepartmentID: dept,
	})
	if err != nil {
		e.t.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// countUsers reads the user count straight from the store.
func (e *testEnv) countUsers() int {
	e.t.Helper()
	n, err := e.st.CountUsers(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// testResponse is a finished request with its body read.
type testResponse struct {
	*http.Response
	body string
}

// json decodes the body into a generic map, failing the test when the body
// is not a JSON object.
func (r *testResponse) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// apiError returns the inner object of the error envelope, failing the
// test when the body does not have that shape.
func (r *testResponse) apiError(t *testing.T) map[string]any {
	t.Helper()
	m := r.json(t)
	inner, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("body is not an error envelope: %s", r.body)
	}
	if _, ok := inner["code"].(string); !ok {
		t.Fatalf("error envelope without code: %s", r.body)
	}
	if msg, ok := inner["message"].(string); !ok || msg == "" {
		t.Fatalf("error envelope without message: %s", r.body)
	}
	return inner
}

// wantStatus fails the test unless the status is want.
func (r *testResponse) wantStatus(t *testing.T, want int) *testResponse {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\nbody: %.9000s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.body)
	}
	return r
}

// wantRedirect fails the test unless the response redirects to a URL
// whose path is path.
func (r *testResponse) wantRedirect(t *testing.T, path string) *testResponse {
	t.Helper()
	if r.StatusCode < 300 || r.StatusCode >= 400 {
		t.Fatalf("%s %s: status %d, want a redirect to %s\nbody: %.9000s", r.Request.Method, r.Request.URL.Path, r.StatusCode, path, r.body)
	}
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || loc.Path != path {
		t.Fatalf("%s %s: redirect to %q, want path %q", r.Request.Method, r.Request.URL.Path, r.Header.Get("Location"), path)
	}
	return r
}

// wantContains fails the test unless the body contains every string.
func (r *testResponse) wantContains(t *testing.T, subs ...string) *testResponse {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.body, s) {
			t.Fatalf("%s %s: body does not contain %q\nbody: %.9000s", r.Request.Method, r.Request.URL.Path, s, r.body)
		}
	}
	return r
}

// wantNotContains fails the test if the body contains any of the strings.
func (r *testResponse) wantNotContains(t *testing.T, subs ...string) *testResponse {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(r.body, s) {
			t.Fatalf("%s %s: body contains %q, it must not\nbody: %.9000s", r.Request.Method, r.Request.URL.Path, s, r.body)
		}
	}
	return r
}

// wantAPIError checks the status and the error envelope's code and returns
// the envelope's inner object.
func (r *testResponse) wantAPIError(t *testing.T, status int, code string) map[string]any {
	t.Helper()
	r.wantStatus(t, status)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error content type %q, want application/json; body %s", ct, r.body)
	}
	inner := r.apiError(t)
	if inner["code"] != code {
		t.Fatalf("error code %v, want %q; body %s", inner["code"], code, r.body)
	}
	return inner
}

// testClient is a browser or script talking to one testEnv: it keeps cookies
// like a browser, and optionally sends a bearer token and headers on every
// request.
type testClient struct {
	e       *testEnv
	cookies map[string]string
	headers map[string]string
	token   string
	// skipSpec turns off the OpenAPI check for requests that probe what
	// is deliberately not part of the API (unknown paths).
	skipSpec bool
	// csrf is the last CSRF token seen in a page (hidden _csrf input or the
	// csrf-token meta tag).
	csrf string
}

// browser returns a client with an empty cookie jar and the given
// Accept-Language ("" for none).
func (e *testEnv) browser(acceptLanguage string) *testClient {
	c := &testClient{e: e, cookies: map[string]string{}, headers: map[string]string{}}
	if acceptLanguage != "" {
		c.headers["Accept-Language"] = acceptLanguage
	}
	return c
}

// bearer returns a client that authenticates with an API token.
func (e *testEnv) bearer(token string) *testClient {
	c := e.browser("")
	c.token = token
	return c
}

var testCSRFRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"|<meta name="csrf-token" content="([^"]+)">`)

// do sends one request; body may be nil, a string, url.Values (a form) or
// any other value (sent as JSON).
func (c *testClient) do(method, path string, body any, extra ...string) *testResponse {
	c.e.t.Helper()
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, contentType = strings.NewReader(b), "application/json"
	case []byte:
		rd, contentType = bytes.NewReader(b), "application/json"
	case url.Values:
		rd, contentType = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.e.t.Fatal(err)
		}
		rd, contentType = bytes.NewReader(j), "application/json"
	}
	var sent []byte
	if rd != nil {
		sent, _ = io.ReadAll(rd)
		rd = bytes.NewReader(sent)
	}
	req := httptest.NewRequest(method, path, rd)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Set(extra[i], extra[i+1])
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := c.e.srv.Handler().Test(req, -1)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	res.Request = req
	for _, ck := range res.Cookies() {
		if ck.Value == "" || ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	r := &testResponse{Response: res, body: string(b)}
	if specChecked(req.URL.Path) && !c.skipSpec {
		checkAgainstSpec(c.e.t, req, sent, r)
	}
	if m := testCSRFRe.FindStringSubmatch(r.body); m != nil {
		c.csrf = m[1] + m[2]
	}
	return r
}

func (c *testClient) get(path string) *testResponse { return c.do(http.MethodGet, path, nil) }

// form posts a form, adding the client's CSRF token as _csrf unless the
// form already has one.
func (c *testClient) form(path string, v url.Values) *testResponse {
	c.e.t.Helper()
	if _, ok := v["_csrf"]; !ok {
		v.Set("_csrf", c.csrf)
	}
	return c.do(http.MethodPost, path, v)
}

// login signs in through the login form and fails the test unless it
// succeeds.
func (c *testClient) login(username, password string) *testResponse {
	c.e.t.Helper()
	c.get("/login")
	r := c.form("/login", url.Values{"username": {username}, "password": {password}})
	r.wantRedirect(c.e.t, "/")
	if c.cookies[sessionCookie] == "" {
		c.e.t.Fatalf("login as %s set no session cookie", username)
	}
	// Load a page to pick up the session's CSRF token.
	c.get("/").wantStatus(c.e.t, http.StatusOK)
	return r
}

// loggedIn returns a browser signed in as username.
func (e *testEnv) loggedIn(username, acceptLanguage string) *testClient {
	e.t.Helper()
	c := e.browser(acceptLanguage)
	c.login(username, testPassword)
	return c
}

// apiToken signs in through the API and returns the bearer token.
func (e *testEnv) apiToken(username, password string) string {
	e.t.Helper()
	r := e.browser("").do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": username, "password": password})
	r.wantStatus(e.t, http.StatusOK)
	tok, _ := r.json(e.t)["token"].(string)
	if tok == "" {
		e.t.Fatalf("API login returned no token: %s", r.body)
	}
	return tok
}

// api returns a client authenticated with a fresh API token of username.
func (e *testEnv) api(username string) *testClient {
	e.t.Helper()
	return e.bearer(e.apiToken(username, testPassword))
}

// id reads the numeric "id" member of a JSON object response.
func (r *testResponse) id(t *testing.T) int64 {
	t.Helper()
	f, ok := r.json(t)["id"].(float64)
	if !ok {
		t.Fatalf("response has no numeric id: %s", r.body)
	}
	return int64(f)
}

// alertText returns the text of the page's error alert (the message shown
// above a form), or "".
var testAlertRe = regexp.MustCompile(`<div class="alert alert-danger" role="alert">([^<]*)</div>`)

func (r *testResponse) alertText() string {
	if m := testAlertRe.FindStringSubmatch(r.body); m != nil {
		return m[1]
	}
	return ""
}

// panickingJobs is a Jobs whose listing panics, to prove a panic in a
// handler becomes a 500 page rather than a dead server.
type panickingJobs struct{}

func (panickingJobs) Jobs() []scheduler.Info { panic("boom: jobs listing exploded") }

// listen serves the app on a real loopback socket until the test ends and
// returns its base URL.
func (e *testEnv) listen() string {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.srv.Serve(ln)
	}()
	e.t.Cleanup(func() {
		_ = e.srv.Shutdown(5 * time.Second)
		<-done
	})
	return "http://" + ln.Addr().String()
}

func pathf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
