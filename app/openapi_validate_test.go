package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Every /api/v1 request a test makes through testClient.do is checked
// against the served OpenAPI document (the merged core.json + fragments):
// the operation must be described, a request the server accepted (status
// below 400) must match its request schema, and the response's status,
// content type and body must match what the operation documents. So the
// description cannot drift from the code.

const specHost = "http://tide.test"

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// apiSpec loads and validates the served document once per test binary.
func apiSpec() (routers.Router, error) {
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(openapiJSON)
		if err != nil {
			specErr = err
			return
		}
		doc.Servers = openapi3.Servers{{URL: specHost + "/api/v1"}}
		specRouter, specErr = legacy.NewRouter(doc)
	})
	return specRouter, specErr
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapiJSON)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("served OpenAPI document is not valid OpenAPI 3: %v", err)
	}
	if _, err := apiSpec(); err != nil {
		t.Fatal(err)
	}
}

// specChecked reports whether a request to path is checked against the
// document (the document itself is not described in itself).
func specChecked(path string) bool {
	return strings.HasPrefix(path, "/api/v1/") && !strings.HasPrefix(path, "/api/v1/openapi.json")
}

// checkAgainstSpec validates one finished API exchange; failures are test
// errors naming the operation and what differs.
func checkAgainstSpec(t *testing.T, req *http.Request, reqBody []byte, res *testResponse) {
	t.Helper()
	router, err := apiSpec()
	if err != nil {
		t.Fatalf("OpenAPI document: %v", err)
	}
	vr, err := http.NewRequest(req.Method, specHost+req.URL.RequestURI(), bytes.NewReader(reqBody))
	if err != nil {
		t.Fatal(err)
	}
	vr.Header = req.Header.Clone()
	route, params, err := router.FindRoute(vr)
	if err != nil {
		t.Errorf("OpenAPI: %s %s (status %d) is not described: %v", req.Method, req.URL.Path, res.StatusCode, err)
		return
	}
	specCalled.add(route.Method + " " + route.Path)
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route, Options: opts}
	if res.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("OpenAPI: request %s %s does not match %s: %v", req.Method, req.URL.RequestURI(), route.Path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode,
		Header: res.Header, Body: io.NopCloser(strings.NewReader(res.body)), Options: opts}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("OpenAPI: response %d of %s %s does not match %s: %v\nbody: %.600s", res.StatusCode, req.Method, req.URL.RequestURI(), route.Path, err, res.body)
	}
}
