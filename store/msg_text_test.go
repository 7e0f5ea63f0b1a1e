package store

import (
	"testing"

	"github.com/tidecrm/tide/i18n"
)

func TestMsgEncodeDecode(t *testing.T) {
	m := M("audit.detail.user", "Name", "王芳", "Role", M("role.sales"), "N", 3)
	got, ok := DecodeMsg(m.Encode())
	if !ok || got.Key != m.Key || got.Args["Name"] != "王芳" || got.Args["N"] != int64(3) {
		t.Fatalf("decoded %#v %v", got, ok)
	}
	if inner, isMsg := got.Args["Role"].(Msg); !isMsg || inner.Key != "role.sales" {
		t.Fatalf("nested %#v", got.Args["Role"])
	}
	for _, plain := range []string{"", "3 recycled, 1 warned", "上门拜访 (assignee 3)", `{"key":1}`, `{"key":"a","x":1}`, `{"key":"a","args":2}`} {
		if _, ok := DecodeMsg(plain); ok {
			t.Errorf("%q read as a message", plain)
		}
	}
}

// The codes audit details translate through the catalogue have their keys.
func TestAuditDetailCodes_HaveCatalogueKeys(t *testing.T) {
	var keys []string
	for _, k := range FollowupKinds {
		keys = append(keys, followupKindKey(k))
	}
	for _, st := range []string{ImportDone, ImportFailed} {
		keys = append(keys, importStatusKey(st))
	}
	for _, r := range []string{RecycleNoFollowup, RecycleNoDeal} {
		keys = append(keys, recycleRuleKey(r))
	}
	for _, r := range []string{RoleAdmin, RoleManager, RoleSales} {
		keys = append(keys, "role."+r)
	}
	keys = append(keys, scopeMsg(ScopeRead).Key, scopeMsg(ScopeReadWrite).Key)
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("%s missing from %s", k, lang)
			}
		}
	}
}
