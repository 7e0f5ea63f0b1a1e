package app

import (
	"net/http"
	"testing"

	"github.com/tidecrm/tide/store"
)

// TestImportAPI_ListThenRevert imports through the API, finds the import
// in the caller's list, reverts it, and sees the customers gone; another
// sales user neither lists nor reverts it.
func TestImportAPI_ListThenRevert(t *testing.T) {
	e := newSetUpEnv(t, nil)
	e.user("sa", store.RoleSales, "en", nil)
	e.user("sb", store.RoleSales, "en", nil)
	sa := e.api("sa")
	csv := []byte("name,phone\nRevert One Ltd,13900000021\nRevert Two Ltd,13900000022\n")
	ans := sa.upload("/api/v1/customers/import", "two.csv", csv, nil).wantStatus(t, http.StatusOK).json(t)
	if ans["created"] != float64(2) {
		t.Fatalf("import answer %v", ans)
	}
	id := int64(ans["id"].(float64))

	list := sa.get("/api/v1/imports").wantStatus(t, http.StatusOK).json(t)
	items := list["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != float64(id) {
		t.Fatalf("imports list %v", list)
	}
	if other := e.api("sb").get("/api/v1/imports").wantStatus(t, http.StatusOK).json(t); other["total"] != float64(0) {
		t.Fatalf("another sales user sees %v", other)
	}
	e.api("sb").do(http.MethodPost, pathf("/api/v1/imports/%d/revert", id), nil).wantAPIError(t, http.StatusNotFound, "not_found")

	res := sa.do(http.MethodPost, pathf("/api/v1/imports/%d/revert", id), nil).wantStatus(t, http.StatusOK).json(t)
	if res["removed"] != float64(2) {
		t.Fatalf("revert answer %v", res)
	}
	if page := sa.get("/api/v1/customers").wantStatus(t, http.StatusOK).json(t); page["total"] != float64(0) {
		t.Fatalf("customers left after revert: %v", page)
	}
	sa.do(http.MethodPost, pathf("/api/v1/imports/%d/revert", id), nil).wantAPIError(t, http.StatusConflict, "conflict")
}
