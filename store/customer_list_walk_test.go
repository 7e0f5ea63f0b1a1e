package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestListCustomers_WalkMatchesPlainPlan checks that walking the sort
// order (bounded by walkBudgets) returns exactly the pages the plain plan
// returns, for every role, filter and sort, for the first pages by cursor.
func TestListCustomers_WalkMatchesPlainPlan(t *testing.T) {
	f := newFixture(t)
	// One fixed instant for the whole test: the "no follow-up for 30 days"
	// and "due today" filters are relative to s.Now(), and customer i=2265's
	// last follow-up is exactly 30 days before the seeding instant, so a
	// wall clock ticking over a second between the plain and the walked
	// pass would move it in or out of the list.
	at := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai, far from a day boundary
	f.s.Now = func() time.Time { return at }
	ctx := context.Background()
	tag, err := f.s.SaveTag(ctx, f.admin, 0, "重点客户", "")
	if err != nil {
		t.Fatal(err)
	}
	now := f.s.now().Unix()
	owners := []int64{f.salesA.ID, f.salesB.ID, f.salesN.ID, f.mgr.ID}
	var batch []BulkCustomer
	for i := 0; i < 3000; i++ {
		c := BulkCustomer{
			Name: fmt.Sprintf("测试%04d号科技有限公司", (i*7919)%10000), Phone: fmt.Sprintf("139%08d", i),
			Level: Levels[i%4], Source: []string{"官网", "展会", "转介绍"}[i%3], Region: []string{"浙江", "广东", "海南"}[(i/7)%3],
			Status: Statuses[(i/3)%4], OwnerID: owners[i%len(owners)], HomePoolID: 1, CreatedBy: owners[i%len(owners)],
			CreatedAt: now - int64(3000-i)*3600,
		}
		c.OwnedSince = c.CreatedAt
		if i%5 == 0 {
			c.TagIDs = []int64{tag.ID}
		}
		if i%4 != 0 { // newer customers were followed up more recently
			at := c.CreatedAt + int64(i%50)*3600
			c.Followups = []BulkFollowup{{Contact: -1, Kind: "call", Content: "电话", At: min(at, now-60), By: c.OwnerID}}
			if i%6 == 0 {
				c.Followups[0].NextAt = now - 3600 + int64(i%3)*86400
			}
		}
		if i%10 == 0 { // some in a pool
			c.OwnerID, c.PoolID, c.PoolEnteredAt, c.OwnedSince = 0, 1, c.CreatedAt, 0
		}
		batch = append(batch, c)
	}
	if _, err := f.s.BulkSeedCustomers(ctx, batch); err != nil {
		t.Fatal(err)
	}
	queries := map[string]CustomerQuery{
		"none": {}, "tag": {Tag: "重点客户"}, "level": {Level: "B"}, "source": {Source: "展会"}, "status": {Status: StatusLead},
		"region": {Region: "海南"}, "nofollow": {NoFollowupDays: 30}, "due": {FollowupDue: true}, "me": {Owner: "me"},
		"search": {Q: "科技有限"}, "search2": {Q: "科技"},
	}
	pages := func(u *User, q CustomerQuery) [][]int64 {
		var out [][]int64
		for n := 0; n < 4; n++ {
			page, err := f.s.ListCustomers(ctx, u, q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range page.Items {
				ids = append(ids, c.ID)
			}
			out = append(out, ids)
			if page.NextCursor == "" {
				return out
			}
			q.Cursor = page.NextCursor
		}
		return out
	}
	saved := walkBudgets
	defer func() { walkBudgets = saved }()
	for _, u := range []*User{f.admin, f.mgr, f.salesA} {
		for name, q := range queries {
			for _, sort := range CustomerSorts {
				q.Sort, q.PerPage = sort, 50
				walkBudgets = nil
				want := pages(u, q)
				walkBudgets = []int{30, 300}
				got := pages(u, q)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s %s sort=%s: walked pages differ\n got %v\nwant %v", u.Username, name, sort, got, want)
				}
			}
		}
	}
}
