package app

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestOpenAPIFragmentsMerge(t *testing.T) {
	fsys := fstest.MapFS{
		"openapi/core.json":  {Data: []byte(`{"openapi":"3.0.3","paths":{"/a":{"get":{}}},"components":{"schemas":{"A":{}}}}`)},
		"openapi/tasks.json": {Data: []byte(`{"paths":{"/b":{"get":{}}},"components":{"schemas":{"B":{}}}}`)},
	}
	doc, err := mergeOpenAPI(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"/a"`, `"/b"`, `"A"`, `"B"`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("merged document lacks %s: %s", want, doc)
		}
	}
	fsys["openapi/dup.json"] = &fstest.MapFile{Data: []byte(`{"paths":{"/a":{"get":{"summary":"again"}}}}`)}
	if _, err := mergeOpenAPI(fsys); err == nil {
		t.Error("a path operation defined twice was accepted")
	}
}

func TestOpenAPIServedDocumentMerges(t *testing.T) {
	if _, err := mergeOpenAPI(openapiFS); err != nil {
		t.Fatal(err)
	}
}
