package app

import (
	"context"
	"net/http"
	"testing"

	"github.com/tidecrm/tide/store"
)

// TestCampaignAPI_PreviewSendShow drives a tag campaign through the API:
// a refused preview, a preview, the send, and the send log; another sales
// user cannot open it.
func TestCampaignAPI_PreviewSendShow(t *testing.T) {
	e, smtp := newMailEnv(t)
	ctx := context.Background()
	li := e.user("li", store.RoleSales, "zh-CN", nil)
	e.user("wang", store.RoleSales, "zh-CN", nil)
	admin, _ := e.st.UserByUsername(ctx, "admin")
	if _, err := e.st.SaveTag(ctx, admin, 0, "VIP", ""); err != nil {
		t.Fatal(err)
	}
	cust := e.createCustomer(li, "星河科技", "", func(in *store.CustomerInput) { in.Tags = &[]string{"VIP"} })
	if _, err := e.st.CreateContact(ctx, li, cust.ID, store.ContactInput{Name: ptrTo("李雷"), Email: ptrTo("lilei@xinghe.cn"), IsPrimary: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	api := e.api("li")
	in := map[string]any{"name": "年终回馈", "language": "zh-CN", "tags": []string{"VIP"}, "subject": "{{.ContactName}}您好", "body": "{{.Oops}}"}
	api.do(http.MethodPost, "/api/v1/campaigns/preview", in).wantAPIError(t, http.StatusBadRequest, "invalid")
	in["body"] = "{{.CustomerName}}专享优惠"
	api.do(http.MethodPost, "/api/v1/campaigns/preview", in).wantStatus(t, http.StatusOK).wantContains(t, "李雷您好", "星河科技专享优惠")
	if n := len(smtp.To("lilei@xinghe.cn")); n != 0 {
		t.Fatalf("a preview sent %d emails", n)
	}

	id := api.do(http.MethodPost, "/api/v1/campaigns", in).wantStatus(t, http.StatusCreated).id(t)
	if _, err := e.st.SendDueMail(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(smtp.To("lilei@xinghe.cn")); n != 1 {
		t.Fatalf("campaign emails received: %d", n)
	}
	got := api.get(pathf("/api/v1/campaigns/%d", id)).wantStatus(t, http.StatusOK).json(t)
	if rs := got["recipients"].([]any); len(rs) != 1 {
		t.Fatalf("send log %v", got)
	}
	e.api("wang").get(pathf("/api/v1/campaigns/%d", id)).wantAPIError(t, http.StatusNotFound, "not_found")
}
