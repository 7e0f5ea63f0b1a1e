package app

import (
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// The audit log's entities and actions are named in three places besides
// the store: the admin page's labels (both languages) and the /audit
// operation's entity enum and action list. An area that starts auditing a
// new entity must update all three; this test says which one it forgot.

// auditParam returns the schema and description of a query parameter of
// GET /audit in the served document.
func auditParam(t *testing.T, name string) (*openapi3.Schema, string) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapiJSON)
	if err != nil {
		t.Fatal(err)
	}
	op := doc.Paths.Find("/audit").Get
	p := op.Parameters.GetByInAndName("query", name)
	if p == nil || p.Schema == nil {
		t.Fatalf("GET /audit has no query parameter %s", name)
	}
	return p.Schema.Value, p.Description
}

func TestAuditVocabulary_DocumentedAndLabelled(t *testing.T) {
	schema, _ := auditParam(t, "entity")
	enum := map[string]bool{}
	for _, v := range schema.Enum {
		enum[v.(string)] = true
	}
	for _, e := range append(slices.Clone(store.AuditEntities), "audit") {
		if !enum[e] {
			t.Errorf("entity %q is not in the entity enum of GET /audit", e)
		}
		delete(enum, e)
	}
	for e := range enum {
		t.Errorf("the entity enum of GET /audit lists %q, which store.AuditEntities does not", e)
	}
	_, actions := auditParam(t, "action")
	for _, a := range store.AuditActions {
		if !slices.Contains(strings.Split(actions, ", "), a) {
			t.Errorf("action %q is not listed in the action parameter of GET /audit", a)
		}
	}
	for _, lang := range i18n.Languages {
		for _, e := range store.AuditEntities {
			if !i18n.Has(lang, "audit.entity."+e) {
				t.Errorf("%s: no label audit.entity.%s", lang, e)
			}
		}
		for _, a := range store.AuditActions {
			if !i18n.Has(lang, "audit.action."+a) {
				t.Errorf("%s: no label audit.action.%s", lang, a)
			}
		}
	}
}
