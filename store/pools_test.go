package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// poolFixture adds a company pool with the given rules to a fixture and
// puts n customers into it.
func (f *fixture) pool(t *testing.T, in PoolInput) *Pool {
	t.Helper()
	if in.Name == nil {
		in.Name = ptr(fmt.Sprintf("池%d", time.Now().UnixNano()))
	}
	p, err := f.s.CreatePool(context.Background(), f.admin, in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) fill(t *testing.T, p *Pool, n int) []int64 {
	t.Helper()
	var ids []int64
	for i := 0; i < n; i++ {
		f.seq++
		c, err := f.s.CreateCustomer(context.Background(), f.admin, CustomerInput{Name: ptr(fmt.Sprintf("%s客户%03d", p.Name, f.seq)), PoolID: &p.ID})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

func rules(limit, maxOwned, cooldown, noFollow, noDeal, warn, maxLocked int) PoolInput {
	return PoolInput{ClaimDailyLimit: &limit, MaxOwned: &maxOwned, ReclaimCooldownDays: &cooldown,
		RecycleNoFollowupDays: &noFollow, RecycleNoDealDays: &noDeal, RecycleWarnDays: &warn, MaxLocked: &maxLocked}
}

func ruleOf(err error) string {
	if e, ok := AsError(err); ok {
		return e.Rule
	}
	return ""
}

func TestClaim_DailyLimitBoundary(t *testing.T) {
	for _, limit := range []int{1, 3} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			f := newFixture(t)
			p := f.pool(t, rules(limit, 0, 0, 0, 0, 0, 0))
			ids := f.fill(t, p, limit+1)
			ctx := context.Background()
			for i := 0; i < limit; i++ { // limit-1 and limit: allowed
				if _, err := f.s.Claim(ctx, f.salesA, ids[i]); err != nil {
					t.Fatalf("claim %d of %d: %v", i+1, limit, err)
				}
			}
			_, err := f.s.Claim(ctx, f.salesA, ids[limit]) // limit+1: refused
			if ruleOf(err) != RuleDailyClaimLimit {
				t.Fatalf("claim %d: got %v, want daily_claim_limit", limit+1, err)
			}
			// The next calendar day (company time zone) the limit resets.
			f.s.Now = func() time.Time { return time.Now().Add(24 * time.Hour) }
			if _, err := f.s.Claim(ctx, f.salesA, ids[limit]); err != nil {
				t.Fatalf("next day: %v", err)
			}
		})
	}
}

func TestClaim_MaxOwnedAndCooldown(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pool(t, rules(0, 2, 7, 0, 0, 0, 0))
	ids := f.fill(t, p, 3)
	for _, id := range ids[:2] {
		if _, err := f.s.Claim(ctx, f.salesA, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.Claim(ctx, f.salesA, ids[2]); ruleOf(err) != RuleMaxOwned {
		t.Fatalf("third claim: %v, want max_owned", err)
	}
	if _, err := f.s.Release(ctx, f.salesA, ids[0], "联系不上", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Claim(ctx, f.salesA, ids[0]); ruleOf(err) != RuleReclaimCooldown {
		t.Fatalf("reclaim: %v, want reclaim_cooldown", err)
	}
	if _, err := f.s.Claim(ctx, f.salesB, ids[0]); err != nil {
		t.Fatalf("colleague claim after release: %v", err)
	}
	f.s.Now = func() time.Time { return time.Now().AddDate(0, 0, 8) }
	if _, err := f.s.Release(ctx, f.salesB, ids[0], "其他", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Claim(ctx, f.salesA, ids[0]); ruleOf(err) != RuleReclaimCooldown {
		// salesB released now; salesA's own cool-down (8 days ago) is over.
		if err != nil {
			t.Fatalf("after cool-down: %v", err)
		}
	}
}

func TestClaim_ManyAtOnce_ExactlyOneWins(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pool(t, rules(0, 0, 0, 0, 0, 0, 0))
	id := f.fill(t, p, 1)[0]
	users := []*User{f.salesA, f.salesB, f.salesN, f.mgr}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(u *User) {
			defer wg.Done()
			_, err := f.s.Claim(ctx, u, id)
			errs <- err
		}(users[i%len(users)])
	}
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		if err == nil {
			won++
		} else if !IsCode(err, CodeConflict) && ruleOf(err) != RuleNotInPool {
			t.Errorf("loser got %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d claims won, want exactly 1", won)
	}
	var claims int
	f.s.r.QueryRow(`SELECT count(*) FROM pool_moves WHERE customer_id = ? AND action = 'claim'`, id).Scan(&claims)
	if claims != 1 {
		t.Fatalf("%d claim history rows, want 1", claims)
	}
}

func TestClaim_OutsideScope_NotFound(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := rules(0, 0, 0, 0, 0, 0, 0)
	in.Scope, in.DepartmentIDs = ptr("departments"), &[]int64{f.east.ID}
	p := f.pool(t, in)
	id := f.fill(t, p, 1)[0]
	if _, err := f.s.Pool(ctx, f.salesN, p.ID); !IsCode(err, CodeNotFound) {
		t.Fatalf("outsider sees pool: %v", err)
	}
	if _, err := f.s.Claim(ctx, f.salesN, id); !IsCode(err, CodeNotFound) {
		t.Fatalf("outsider claim: %v", err)
	}
	// Members of sub-departments are admitted.
	if _, err := f.s.Claim(ctx, f.salesA, id); err != nil {
		t.Fatalf("member of 上海组 (below 华东区): %v", err)
	}
}

func TestRecycle_NoFollowup_IdempotentAndCooldown(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pool(t, rules(0, 0, 7, 30, 0, 3, 2))
	ids := f.fill(t, p, 3)
	for _, id := range ids {
		if _, err := f.s.Claim(ctx, f.salesA, id); err != nil {
			t.Fatal(err)
		}
	}
	// ids[1] gets a follow-up later; ids[2] is locked.
	if _, err := f.s.SetLocked(ctx, f.salesA, ids[2], true); err != nil {
		t.Fatal(err)
	}
	day := func(d int) { f.s.Now = func() time.Time { return time.Now().AddDate(0, 0, d) } }
	day(20)
	if _, err := f.s.AddFollowup(ctx, f.salesA, ids[1], FollowupInput{Kind: "call", Content: "回访"}); err != nil {
		t.Fatal(err)
	}
	day(28) // within the 3-day warning of ids[0]
	res, err := f.s.RecycleDue(ctx)
	if err != nil || res.Recycled != 0 || res.Warned != 1 {
		t.Fatalf("day 28: %+v %v, want 0 recycled, 1 warned", res, err)
	}
	if res, _ := f.s.RecycleDue(ctx); res.Warned != 0 {
		// the notification is stored once; the pass still counts it
	}
	var warnings int
	f.s.r.QueryRow(`SELECT count(*) FROM notifications WHERE kind = 'recycle_warning'`).Scan(&warnings)
	if warnings != 1 {
		t.Fatalf("%d warnings after two passes, want 1", warnings)
	}
	day(31) // catch-up: nothing ran between day 28 and 31
	res, err = f.s.RecycleDue(ctx)
	if err != nil || res.Recycled != 1 {
		t.Fatalf("day 31: %+v %v, want 1 recycled", res, err)
	}
	if res, _ := f.s.RecycleDue(ctx); res.Recycled != 0 {
		t.Fatalf("second pass recycled %d, want 0", res.Recycled)
	}
	c, _ := f.s.Customer(ctx, f.admin, ids[0])
	if c.Owner != nil || c.Pool == nil || c.Pool.ID != p.ID || c.RecycleCount != 1 || c.PreviousOwner == nil {
		t.Fatalf("recycled customer: %+v", c)
	}
	if _, err := f.s.Claim(ctx, f.salesA, ids[0]); ruleOf(err) != RuleReclaimCooldown {
		t.Fatalf("former owner reclaim: %v", err)
	}
	for _, id := range ids[1:] {
		c, _ := f.s.Customer(ctx, f.admin, id)
		if c.Owner == nil {
			t.Fatalf("customer %d recycled though followed up or locked", id)
		}
	}
}

func TestAssign_EvenSpread_LowestLoadFirst(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pool(t, rules(1, 1, 0, 0, 0, 0, 0))
	// salesB already owns two customers: highest load.
	f.customer(t, f.salesB, "乙一", "")
	f.customer(t, f.salesB, "乙二", "")
	ids := f.fill(t, p, 7)
	third, err := f.s.CreateUser(ctx, UserInput{Username: ptr("salesC"), Password: ptr("password1"), Role: ptr(RoleSales), DepartmentID: &f.shanghai.ID})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Assign(ctx, f.mgr, p.ID, ids, []int64{f.salesB.ID, f.salesA.ID, third.ID})
	if err != nil {
		t.Fatal(err)
	}
	// 7 over 3: 3, 2, 2 — the extra one to a user with the lowest load.
	if got[f.salesB.ID] != 2 || got[f.salesA.ID]+got[third.ID] != 5 || got[f.salesA.ID] < 2 || got[third.ID] < 2 {
		t.Fatalf("assigned %v", got)
	}
	var rows int
	f.s.r.QueryRow(`SELECT count(*) FROM pool_moves WHERE action = 'assign' AND actor_id = ?`, f.mgr.ID).Scan(&rows)
	if rows != 7 {
		t.Fatalf("%d assign history rows, want 7", rows)
	}
	// Assigning to someone outside the manager's team is refused.
	more := f.fill(t, p, 1)
	if _, err := f.s.Assign(ctx, f.mgr, p.ID, more, []int64{f.salesN.ID}); !IsCode(err, CodeInvalid) {
		t.Fatalf("assign outside team: %v", err)
	}
	// Sales may not assign.
	if _, err := f.s.Assign(ctx, f.salesA, p.ID, more, []int64{f.salesA.ID}); !IsCode(err, CodeForbidden) {
		t.Fatalf("sales assign: %v", err)
	}
}

func TestPoolHistory_EveryMoveHasOneRow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pool(t, rules(0, 0, 0, 0, 0, 0, 0))
	id := f.fill(t, p, 1)[0]
	steps := []func() error{
		func() error { _, err := f.s.Claim(ctx, f.salesA, id); return err },
		func() error { _, err := f.s.TransferCustomer(ctx, f.mgr, id, f.salesB.ID); return err },
		func() error { _, err := f.s.Release(ctx, f.salesB, id, "预算不足", "", nil); return err },
		func() error { _, err := f.s.Assign(ctx, f.mgr, p.ID, []int64{id}, []int64{f.salesA.ID}); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	rows, _ := f.s.r.Query(`SELECT action FROM pool_moves WHERE customer_id = ? ORDER BY id`, id)
	var got []string
	for rows.Next() {
		var a string
		rows.Scan(&a)
		got = append(got, a)
	}
	rows.Close()
	want := []string{"enter", "claim", "transfer", "release", "assign"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("history %v, want %v", got, want)
	}
}

func TestLead_RoutedBySource(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := rules(0, 0, 0, 0, 0, 0, 0)
	in.Sources = &[]string{"展会"}
	fair := f.pool(t, in)
	c, err := f.s.CreateLead(ctx, f.admin, CustomerInput{Name: ptr("展会客户"), Source: ptr("展会")})
	if err != nil || c.Pool == nil || c.Pool.ID != fair.ID {
		t.Fatalf("lead from 展会: %+v %v", c, err)
	}
	c, err = f.s.CreateLead(ctx, f.admin, CustomerInput{Name: ptr("官网客户"), Source: ptr("官网")})
	def, _ := defaultPoolID(ctx, f.s.r)
	if err != nil || c.Pool == nil || c.Pool.ID != *def {
		t.Fatalf("lead from 官网 → default pool: %+v %v", c, err)
	}
	if _, err := f.s.CreateLead(ctx, f.admin, CustomerInput{Name: ptr("展会客户有限公司")}); !IsCode(err, CodeDuplicate) {
		t.Fatalf("duplicate lead: %v", err)
	}
}

func TestDeletePool_OnlyWhenEmpty(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pool(t, rules(0, 0, 0, 0, 0, 0, 0))
	id := f.fill(t, p, 1)[0]
	if err := f.s.DeletePool(ctx, f.admin, p.ID); !IsCode(err, CodeConflict) {
		t.Fatalf("delete non-empty: %v", err)
	}
	if _, err := f.s.Claim(ctx, f.salesA, id); err != nil {
		t.Fatal(err)
	}
	if err := f.s.DeletePool(ctx, f.admin, p.ID); err != nil {
		t.Fatalf("delete empty: %v", err)
	}
	c, _ := f.s.Customer(ctx, f.salesA, id)
	def, _ := defaultPoolID(ctx, f.s.r)
	if c.HomePoolID == nil || *c.HomePoolID != *def {
		t.Fatalf("home pool after delete: %v", c.HomePoolID)
	}
}

func TestPoolRules_NegativeRefused(t *testing.T) {
	f := newFixture(t)
	_, err := f.s.CreatePool(context.Background(), f.admin, PoolInput{Name: ptr("坏规则"), ClaimDailyLimit: ptr(-1)})
	if e, ok := AsError(err); !ok || e.Fields["claim_daily_limit"].Key != "err.rule_range" {
		t.Fatalf("negative rule: %v", err)
	}
}
