package store

import (
	"context"
	"testing"
)

func TestUpdateCustomer_OwnerChangeByManager_IsATransfer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.customer(t, f.salesA, "甲公司", "")
	v := c.Version
	got, err := f.s.UpdateCustomer(ctx, f.mgr, c.ID, CustomerInput{Region: ptr("上海"), OwnerID: &f.salesB.ID, Version: &v})
	if err != nil {
		t.Fatal(err)
	}
	if got.Owner == nil || got.Owner.ID != f.salesB.ID || got.Region != "上海" {
		t.Fatalf("after edit: owner %+v region %q", got.Owner, got.Region)
	}
	items, err := f.s.Timeline(ctx, f.admin, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, it := range items {
		kinds[it.Kind] = true
	}
	if !kinds["transferred"] || !kinds["updated"] {
		t.Fatalf("timeline kinds %v, want transferred and updated", kinds)
	}
}

func TestUpdateCustomer_OwnerChangeBySales_Forbidden(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.customer(t, f.salesA, "甲公司", "")
	v := c.Version
	_, err := f.s.UpdateCustomer(ctx, f.salesA, c.ID, CustomerInput{Region: ptr("上海"), OwnerID: &f.salesB.ID, Version: &v})
	if !IsCode(err, CodeForbidden) {
		t.Fatalf("sales giving away a customer: %v, want forbidden", err)
	}
	cur, _ := f.s.Customer(ctx, f.admin, c.ID)
	if cur.Region != "" || cur.Owner.ID != f.salesA.ID {
		t.Fatalf("refused edit was half-applied: region %q owner %d", cur.Region, cur.Owner.ID)
	}
	// Naming yourself as owner is no change, not a transfer.
	if _, err := f.s.UpdateCustomer(ctx, f.salesA, c.ID, CustomerInput{OwnerID: &f.salesA.ID, Version: &v}); err != nil {
		t.Fatalf("own id as owner: %v", err)
	}
}

func TestAssignees_ByRole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	names := func(u *User) map[string]bool {
		list, err := f.s.Assignees(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, x := range list {
			out[x.Username] = true
		}
		return out
	}
	if got := names(f.admin); len(got) != 5 {
		t.Errorf("admin may assign to %v, want all 5", got)
	}
	if got := names(f.mgr); len(got) != 3 || !got["mgr"] || !got["salesA"] || !got["salesB"] {
		t.Errorf("manager may assign to %v, want mgr, salesA, salesB", got)
	}
	if got := names(f.salesA); len(got) != 1 || !got["salesA"] {
		t.Errorf("sales may assign to %v, want only themselves", got)
	}
}

func TestFollowups_InvisibleCustomer_NotFound(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.customer(t, f.salesA, "甲公司", "")
	if _, err := f.s.AddFollowup(ctx, f.salesA, c.ID, FollowupInput{Kind: "call", Content: "首次电话"}); err != nil {
		t.Fatal(err)
	}
	list, err := f.s.Followups(ctx, f.salesA, c.ID, 0)
	if err != nil || len(list) != 1 {
		t.Fatalf("own follow-ups: %v, %d items", err, len(list))
	}
	if _, err := f.s.Followups(ctx, f.salesB, c.ID, 0); !IsCode(err, CodeNotFound) {
		t.Fatalf("another sales reading follow-ups: %v, want not_found", err)
	}
}

func TestTags_CountsOnlyLiveCustomers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tag, err := f.s.SaveTag(ctx, f.admin, 0, "重点", "#ff0000")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.s.CreateCustomer(ctx, f.salesA, CustomerInput{Name: ptr("甲公司"), Tags: &[]string{"重点"}})
	f.s.CreateCustomer(ctx, f.salesA, CustomerInput{Name: ptr("乙公司"), Tags: &[]string{"重点"}})
	if err := f.s.DeleteCustomer(ctx, f.salesA, a.ID); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Tag(ctx, tag.ID)
	if err != nil || got.Count != 1 {
		t.Fatalf("tag count after a delete: %+v, %v; want 1", got, err)
	}
}
