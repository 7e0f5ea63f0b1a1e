package app

import (
	"net/http"
	"strings"
	"testing"
)

// TestTokenAPI_ListShowsOwnTokensWithoutSecrets lists the caller's tokens:
// the one just created is there by name, and no secret is ever listed.
func TestTokenAPI_ListShowsOwnTokensWithoutSecrets(t *testing.T) {
	e := newSetUpEnv(t, nil)
	api := e.api("admin")
	created := api.do(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "nightly export"}).wantStatus(t, http.StatusCreated).json(t)
	secret := created["token"].(string)
	r := api.get("/api/v1/tokens").wantStatus(t, http.StatusOK).wantContains(t, "nightly export")
	if strings.Contains(r.body, secret) {
		t.Fatalf("token list shows a secret: %s", r.body)
	}
}
