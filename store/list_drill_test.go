package store

import (
	"context"
	"testing"
)

// The lists' drill-down filters: the customer list by department (through
// visibility), the opportunity list by the customer's industry.

func TestListCustomers_DepartmentWithinVisibility(t *testing.T) {
	f := newReportFixture(t) // cA salesA, cB salesB (上海组), cN salesN (华北)
	ctx := context.Background()
	pool := f.pool(t, PoolInput{})
	if _, err := f.s.CreateCustomer(ctx, f.admin, CustomerInput{Name: ptr("池中公司"), PoolID: &pool.ID}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		u    *User
		dep  int64
		q    string
		want int
	}{
		{f.mgr, f.shanghai.ID, "", 2},
		{f.mgr, f.east.ID, "", 2},
		{f.mgr, f.north.ID, "", 0}, // outside the manager's subtree: nothing, not 华北's customers
		{f.admin, f.north.ID, "", 1},
		{f.salesA, f.shanghai.ID, "", 1}, // sales still see only their own
		{f.admin, 0, "公司", 4},
		{f.admin, f.shanghai.ID, "公司", 2}, // a search does not add pool customers
	} {
		page, err := f.s.ListCustomers(ctx, c.u, CustomerQuery{DepartmentID: c.dep, Q: c.q})
		if err != nil || page.Total != c.want {
			t.Fatalf("%s in department %d (q %q): %v %v, want %d", c.u.Username, c.dep, c.q, page, err, c.want)
		}
	}
	// A pool's customers have no owner: none is in a department.
	page, err := f.s.ListCustomers(ctx, f.admin, CustomerQuery{PoolID: pool.ID, DepartmentID: f.east.ID})
	if err != nil || page.Total != 0 {
		t.Fatalf("pool list by department: %v %v", page, err)
	}
}

func TestListOpportunities_Industry(t *testing.T) {
	f := newReportFixture(t) // 制造业: cA (won2359, won0001), cN (wonN); 金融: cB (lostB, openB)
	ctx := context.Background()
	for _, c := range []struct {
		u        *User
		industry string
		status   string
		want     int
	}{
		{f.admin, "制造业", "", 3},
		{f.mgr, "制造业", "", 2},
		{f.admin, "金融", OppLost, 1},
		{f.admin, "教育", "", 0},
	} {
		page, err := f.s.ListOpportunities(ctx, c.u, OppQuery{Industry: c.industry, Status: c.status})
		if err != nil || page.Total != c.want {
			t.Fatalf("%s %s %s: %v %v, want %d", c.u.Username, c.industry, c.status, page, err, c.want)
		}
	}
}

// TestListOpportunities_CountCapped: past 1,000 matches the list says so
// (1,000+) rather than a count that looks exact.
func TestListOpportunities_CountCapped(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	_, err := f.s.w.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
		INSERT INTO opportunities (customer_id, name, amount, stage_id, probability, status, owner_id, stage_entered_at, created_by, created_at, updated_at)
		SELECT ?, 'bulk', 100, ?, 10, 'open', ?, 1, ?, 1, 1 FROM n`, f.cA.ID, f.st[0].ID, f.salesA.ID, f.salesA.ID)
	if err != nil {
		t.Fatal(err)
	}
	page, err := f.s.ListOpportunities(ctx, f.salesA, OppQuery{})
	if err != nil || page.Total != 1000 || !page.TotalCapped {
		t.Fatalf("capped count: %d %v %v", page.Total, page.TotalCapped, err)
	}
	few, _ := f.s.ListOpportunities(ctx, f.salesB, OppQuery{})
	if few.Total != 2 || few.TotalCapped {
		t.Fatalf("exact count: %+v", few)
	}
}
