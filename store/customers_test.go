package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fixture builds a small company: one department tree, an admin, a
// manager of 华东, two sales in 上海组 (below 华东) and one in 华北.
type fixture struct {
	s                          *Store
	admin, mgr, salesA, salesB *User
	salesN                     *User
	east, shanghai, north      *Department
	seq                        int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := OpenTest(t)
	ctx := context.Background()
	f := &fixture{s: s}
	var err error
	f.east, err = s.CreateDepartment(ctx, DepartmentInput{Name: "华东区"})
	if err != nil {
		t.Fatal(err)
	}
	f.shanghai, _ = s.CreateDepartment(ctx, DepartmentInput{Name: "上海组", ParentID: &f.east.ID})
	f.north, _ = s.CreateDepartment(ctx, DepartmentInput{Name: "华北区"})
	mk := func(name, role string, dep *Department) *User {
		in := UserInput{Username: ptr(name), Name: ptr(name), Password: ptr("password1"), Role: ptr(role)}
		if dep != nil {
			in.DepartmentID = &dep.ID
		}
		u, err := s.CreateUser(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.admin = mk("admin", RoleAdmin, nil)
	f.mgr = mk("mgr", RoleManager, f.east)
	f.salesA = mk("salesA", RoleSales, f.shanghai)
	f.salesB = mk("salesB", RoleSales, f.shanghai)
	f.salesN = mk("salesN", RoleSales, f.north)
	return f
}

func (f *fixture) customer(t *testing.T, u *User, name, phone string) *Customer {
	t.Helper()
	c, err := f.s.CreateCustomer(context.Background(), u, CustomerInput{Name: ptr(name), Phone: ptr(phone)})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return c
}

func TestCreateCustomer_DuplicateNameVariants_Refused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first := f.customer(t, f.salesA, "北京字节跳动科技有限公司", "+86 138-0013-8000")
	for _, name := range []string{"北京字节跳动科技 有限公司", "北京字节跳动科技(有限公司)", "北京字节跳动科技（有限公司）", " 北京字节跳动科技有限公司 "} {
		_, err := f.s.CreateCustomer(ctx, f.salesB, CustomerInput{Name: ptr(name)})
		e, ok := AsError(err)
		if !ok || e.Code != CodeDuplicate {
			t.Fatalf("%q: got %v, want duplicate", name, err)
		}
		d := e.Extra["duplicate_of"].(*DuplicateOf)
		if d.ID != first.ID || d.Owner == nil || d.Owner.ID != f.salesA.ID || d.Field != "name" {
			t.Fatalf("%q: duplicate_of = %+v", name, d)
		}
	}
	// Same mobile written differently, under another name.
	_, err := f.s.CreateCustomer(ctx, f.salesB, CustomerInput{Name: ptr("另一家公司"), Phone: ptr("13800138000")})
	if e, ok := AsError(err); !ok || e.Code != CodeDuplicate || e.Extra["duplicate_of"].(*DuplicateOf).Field != "phone" {
		t.Fatalf("phone duplicate: %v", err)
	}
	// A contact's phone collides with another customer's phone too.
	other := f.customer(t, f.salesB, "上海某某贸易有限公司", "")
	_, err = f.s.CreateContact(ctx, f.salesB, other.ID, ContactInput{Name: ptr("王经理"), Phone: ptr("0086 13800138000")})
	if !IsCode(err, CodeDuplicate) {
		t.Fatalf("contact phone duplicate: %v", err)
	}
	// Nothing half-written: the refused contact is not there.
	if list, _ := f.s.Contacts(ctx, f.salesB, other.ID); len(list) != 0 {
		t.Fatalf("refused contact was saved: %+v", list)
	}
}

func TestCreateCustomer_SameCompanyAtOnce_ExactlyOneWins(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	results := make(chan error, n)
	users := []*User{f.salesA, f.salesB, f.salesN, f.mgr}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := f.s.CreateCustomer(ctx, users[i%len(users)], CustomerInput{Name: ptr("杭州云帆网络科技有限公司")})
			results <- err
		}(i)
	}
	wg.Wait()
	close(results)
	ok, dup := 0, 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case IsCode(err, CodeDuplicate):
			dup++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || dup != n-1 {
		t.Fatalf("ok=%d duplicates=%d, want 1 and %d", ok, dup, n-1)
	}
}

func TestCustomerVisibility_ByRole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.customer(t, f.salesA, "甲公司", "")
	n := f.customer(t, f.salesN, "乙公司", "")
	cases := []struct {
		user *User
		c    *Customer
		want bool
	}{
		{f.salesA, a, true}, {f.salesB, a, false}, {f.salesN, a, false}, {f.mgr, a, true}, {f.admin, a, true},
		{f.mgr, n, false}, {f.salesN, n, true}, {f.admin, n, true},
	}
	for _, c := range cases {
		_, err := f.s.Customer(ctx, c.user, c.c.ID)
		if got := err == nil; got != c.want {
			t.Errorf("%s sees %s: %v (err %v), want %v", c.user.Username, c.c.Name, got, err, c.want)
		}
		if !c.want && !IsCode(err, CodeNotFound) {
			t.Errorf("%s on %s: want not_found, got %v", c.user.Username, c.c.Name, err)
		}
		page, err := f.s.ListCustomers(ctx, c.user, CustomerQuery{Q: c.c.Name})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(page.Items) == 1; got != c.want {
			t.Errorf("%s search %s: found=%v want %v", c.user.Username, c.c.Name, got, c.want)
		}
	}
}

func TestSearch_ChineseSubstringsAndPhoneFragments(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.customer(t, f.salesA, "北京字节跳动科技有限公司", "138 0013 8000")
	if _, err := f.s.CreateContact(ctx, f.salesA, c.ID, ContactInput{Name: ptr("欧阳晓峰"), Phone: ptr("13912345678")}); err != nil {
		t.Fatal(err)
	}
	f.customer(t, f.salesA, "上海浦东发展集团", "")
	for _, q := range []string{"字节", "字节跳动", "北京字节跳动科技", "0013", "13800138000", "欧阳", "晓峰", "1234567", "北"} {
		page, err := f.s.ListCustomers(ctx, f.salesA, CustomerQuery{Q: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if len(page.Items) != 1 || page.Items[0].ID != c.ID {
			t.Errorf("search %q found %d items", q, len(page.Items))
		}
	}
}

func TestUpdateCustomer_StaleVersion_Conflict(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.customer(t, f.salesA, "甲公司", "")
	v := c.Version
	if _, err := f.s.UpdateCustomer(ctx, f.mgr, c.ID, CustomerInput{Region: ptr("上海"), Version: &v}); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.UpdateCustomer(ctx, f.salesA, c.ID, CustomerInput{Region: ptr("北京"), Version: &v})
	e, ok := AsError(err)
	if !ok || e.Code != CodeConflict {
		t.Fatalf("stale save: %v", err)
	}
	changes := e.Extra["changes"].([]Change)
	if len(changes) != 1 || changes[0].Field != "region" || changes[0].New != "上海" {
		t.Fatalf("changes = %+v", changes)
	}
	got, _ := f.s.Customer(ctx, f.admin, c.ID)
	if got.Region != "上海" {
		t.Fatalf("region = %q; the stale save must not overwrite", got.Region)
	}
}

func TestFollowup_UpdatesTimesAndRefusesFuture(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.customer(t, f.salesA, "甲公司", "")
	past := time.Now().Add(-48 * time.Hour)
	next := time.Now().Add(72 * time.Hour)
	if _, err := f.s.AddFollowup(ctx, f.salesA, c.ID, FollowupInput{Kind: "call", Content: "电话沟通报价", At: &past, NextAt: &next}); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	if _, err := f.s.AddFollowup(ctx, f.salesA, c.ID, FollowupInput{Kind: "call", Content: "x", At: &future}); !IsCode(err, CodeInvalid) {
		t.Fatalf("future follow-up: %v", err)
	}
	got, _ := f.s.Customer(ctx, f.salesA, c.ID)
	if got.LastFollowupAt == nil || got.LastFollowupAt.Unix() != past.Unix() || got.NextFollowupAt == nil || got.NextFollowupAt.Unix() != next.Unix() {
		t.Fatalf("times: last %v next %v", got.LastFollowupAt, got.NextFollowupAt)
	}
	items, err := f.s.Timeline(ctx, f.salesA, c.ID, 0)
	// Newest first: the back-dated follow-up sorts after the creation.
	if err != nil || len(items) != 2 || items[0].Kind != "created" || items[1].Kind != "followup" {
		t.Fatalf("timeline: %v %+v", err, items)
	}
}

func TestListCustomers_PagingDefaultsAndCursor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		f.customer(t, f.salesA, fmt.Sprintf("分页公司%d", i), "")
	}
	page, err := f.s.ListCustomers(ctx, f.salesA, CustomerQuery{})
	if err != nil || page.PerPage != DefaultPerPage || len(page.Items) != 5 || page.Total != 5 || page.NextCursor != "" {
		t.Fatalf("default page: %+v %v", page, err)
	}
	page, _ = f.s.ListCustomers(ctx, f.salesA, CustomerQuery{PerPage: 2, Sort: "name"})
	seen := []string{}
	for page != nil {
		for _, c := range page.Items {
			seen = append(seen, c.Name)
		}
		if page.NextCursor == "" {
			break
		}
		page, _ = f.s.ListCustomers(ctx, f.salesA, CustomerQuery{PerPage: 2, Sort: "name", Cursor: page.NextCursor})
	}
	if len(seen) != 5 || seen[0] != "分页公司0" || seen[4] != "分页公司4" {
		t.Fatalf("keyset pages by name: %v", seen)
	}
	page, _ = f.s.ListCustomers(ctx, f.salesA, CustomerQuery{PerPage: 1})
	if len(page.Items) != 1 || page.PerPage != 1 {
		t.Fatalf("per_page=1: %d items", len(page.Items))
	}
}
