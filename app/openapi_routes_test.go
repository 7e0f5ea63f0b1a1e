package app

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The document and the router must describe the same API: every /api/v1
// route fiber serves has an operation in the served document, and every
// operation in the document has a route. The check is generic (it reads
// the registered routes and the merged document), so an area that adds
// routes without documenting them, or documents routes it never wired,
// fails here whichever fragment it lives in.

// apiPrefix is where the JSON API is mounted.
const apiPrefix = "/api/v1"

// publicRoutes are the API routes answered without credentials (mounted
// before requireAPIUser); every other route can answer 401.
var publicRoutes = map[string]bool{"POST /auth/login": true, "GET /openapi.json": true}

// undocumentedRoutes are the API routes deliberately absent from the
// document: the document itself is not described in itself.
var undocumentedRoutes = map[string]bool{"GET /openapi.json": true}

// fiberParamRe matches one fiber path parameter with an optional
// constraint (":id", ":id<int>", ":id<min(1)>").
var fiberParamRe = regexp.MustCompile(`:([A-Za-z0-9_]+)(<[^>]*>)?`)

// specPath turns a fiber route path relative to apiPrefix into an OpenAPI
// path template: ":id<int>" becomes "{id}".
func specPath(fiberPath string) string {
	return fiberParamRe.ReplaceAllString(fiberPath, "{$1}")
}

// servedOperations lists "METHOD /path" for every route registered under
// apiPrefix, path relative to the prefix, as OpenAPI templates. HEAD (fiber
// adds one for every GET) and middleware mounted with Use are left out.
func servedOperations(t *testing.T, e *testEnv) map[string]bool {
	t.Helper()
	ops := map[string]bool{}
	for op := range servedRoutes(t, e) {
		ops[op] = true
	}
	return ops
}

// servedRoutes maps "METHOD /path" (as servedOperations) to the number of
// handlers of the route: more than one means a role check (adminOnly,
// requireRole) runs before the handler.
func servedRoutes(t *testing.T, e *testEnv) map[string]int {
	t.Helper()
	ops := map[string]int{}
	for _, r := range e.srv.Handler().GetRoutes(true) {
		if r.Method == http.MethodHead || !strings.HasPrefix(r.Path, apiPrefix+"/") {
			continue
		}
		p := strings.TrimPrefix(r.Path, apiPrefix)
		if strings.ContainsAny(p, "*+?") {
			t.Errorf("route %s %s: wildcard or optional parameter has no OpenAPI equivalent", r.Method, r.Path)
			continue
		}
		ops[r.Method+" "+specPath(p)] = len(r.Handlers)
	}
	return ops
}

// documentedOperations lists "METHOD /path" for every operation in the
// served document.
func documentedOperations() (map[string]bool, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiJSON)
	if err != nil {
		return nil, err
	}
	ops := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			ops[method+" "+path] = true
		}
	}
	return ops, nil
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	served := servedOperations(t, newEnv(t, nil))
	if len(served) == 0 {
		t.Fatal("no routes found under " + apiPrefix + ": is the API still mounted there?")
	}
	documented, err := documentedOperations()
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range routeDrift(served, documented, undocumentedRoutes) {
		t.Error(msg)
	}
}

// routeDrift compares served and documented operations and returns one
// message per difference, sorted: a route without an operation, an
// operation without a route, or an exception that no longer exists.
func routeDrift(served, documented, exceptions map[string]bool) []string {
	var msgs []string
	for op := range served {
		if !documented[op] && !exceptions[op] {
			msgs = append(msgs, "route "+op+" has no operation in the OpenAPI document (describe it in app/openapi/<area>.json)")
		}
	}
	for op := range documented {
		if !served[op] {
			msgs = append(msgs, "OpenAPI operation "+op+" has no route (remove it or wire the route)")
		}
	}
	for op := range exceptions {
		if !served[op] {
			msgs = append(msgs, "undocumentedRoutes lists "+op+", which is not a route any more")
		}
	}
	sort.Strings(msgs)
	return msgs
}

func TestRouteDriftFindsBothDirections(t *testing.T) {
	set := func(ops ...string) map[string]bool {
		m := map[string]bool{}
		for _, op := range ops {
			m[op] = true
		}
		return m
	}
	served := set("GET /a", "POST /a", "GET /a/{id}", "GET /openapi.json")
	documented := set("GET /a", "GET /a/{id}", "DELETE /a/{id}")
	got := routeDrift(served, documented, set("GET /openapi.json", "GET /gone"))
	want := []string{
		"OpenAPI operation DELETE /a/{id} has no route (remove it or wire the route)",
		"route POST /a has no operation in the OpenAPI document (describe it in app/openapi/<area>.json)",
		"undocumentedRoutes lists GET /gone, which is not a route any more",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("routeDrift:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if msgs := routeDrift(served, set("GET /a", "POST /a", "GET /a/{id}"), set("GET /openapi.json")); len(msgs) != 0 {
		t.Errorf("matching sets reported drift: %v", msgs)
	}
}

func TestSpecPath(t *testing.T) {
	for in, want := range map[string]string{
		"/tasks":                      "/tasks",
		"/tokens/:id":                 "/tokens/{id}",
		"/campaigns/:id<int>":         "/campaigns/{id}",
		"/pools/:pool/items/:id<int>": "/pools/{pool}/items/{id}",
	} {
		if got := specPath(in); got != want {
			t.Errorf("specPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// requiredErrors lists the error statuses an operation can answer whatever
// its handler does, because shared middleware and the store give them:
// 401 without credentials (requireAPIUser), 403 from a role check, a
// read-only token or a missing CSRF token on writes, 413 from the body
// limit and 503 when storage refuses a write, 400 for a body that does not
// parse (when the operation takes one), 404 for an id that does not exist or is not visible.
func requiredErrors(op string, handlers int, hasBody bool) []string {
	method, path, _ := strings.Cut(op, " ")
	var want []string
	write := method != http.MethodGet
	if hasBody {
		want = append(want, "400")
	}
	if !publicRoutes[op] {
		want = append(want, "401")
		if write || handlers > 1 {
			want = append(want, "403")
		}
	}
	if strings.Contains(path, "{") {
		want = append(want, "404")
	}
	if write {
		want = append(want, "413")
		if !publicRoutes[op] {
			want = append(want, "503")
		}
	}
	return want
}

// TestOpenAPIDocumentsCommonErrors checks that every served operation
// documents the error responses the shared middleware can give it, so a
// client generated from the document knows about them.
func TestOpenAPIDocumentsCommonErrors(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiJSON)
	if err != nil {
		t.Fatal(err)
	}
	for op, handlers := range servedRoutes(t, newEnv(t, nil)) {
		method, path, _ := strings.Cut(op, " ")
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(method) == nil {
			continue // TestOpenAPIMatchesRoutes reports it
		}
		o := item.GetOperation(method)
		var missing []string
		for _, status := range requiredErrors(op, handlers, o.RequestBody != nil) {
			if o.Responses.Value(status) == nil {
				missing = append(missing, status)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s documents no %s response (use #/components/responses/Error)", op, strings.Join(missing, ", "))
		}
	}
}
