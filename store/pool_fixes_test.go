package store

import (
	"context"
	"testing"
)

// An outsider claiming a customer that someone already took from a pool
// they cannot see must learn nothing (404), not "已被 X 领取": ids cannot
// be probed. Colleagues who could see the pool still hear who got it.
func TestClaim_OwnedCustomerOfInvisiblePool_NotFoundForOutsider(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := rules(0, 0, 0, 0, 0, 0, 0)
	in.Scope, in.DepartmentIDs = ptr("departments"), &[]int64{f.east.ID}
	p := f.pool(t, in)
	id := f.fill(t, p, 1)[0]
	if _, err := f.s.Claim(ctx, f.salesA, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Claim(ctx, f.salesN, id); !IsCode(err, CodeNotFound) {
		t.Fatalf("outsider: %v, want not_found", err)
	}
	if _, err := f.s.Claim(ctx, f.salesB, id); !IsCode(err, CodeConflict) {
		t.Fatalf("colleague in scope: %v, want conflict", err)
	}
	if _, err := f.s.Claim(ctx, f.mgr, id); !IsCode(err, CodeConflict) {
		t.Fatalf("manager: %v, want conflict", err)
	}
}

func TestLockedCount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pool(t, rules(0, 0, 0, 0, 0, 0, 3))
	ids := f.fill(t, p, 3)
	for _, id := range ids {
		if _, err := f.s.Claim(ctx, f.salesA, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids[:2] {
		if _, err := f.s.SetLocked(ctx, f.salesA, id, true); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.s.LockedCount(ctx, f.salesA); err != nil || n != 2 {
		t.Fatalf("locked count %d, %v; want 2", n, err)
	}
	if n, _ := f.s.LockedCount(ctx, f.salesB); n != 0 {
		t.Fatalf("salesB locked %d", n)
	}
}
