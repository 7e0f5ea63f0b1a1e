package store

import (
	"context"
	"sync"
	"testing"
	"time"
)

func (f *fixture) stages(t *testing.T) []*Stage {
	t.Helper()
	st, err := f.s.Stages(context.Background(), "zh-CN")
	if err != nil || len(st) != 8 {
		t.Fatalf("stages: %d %v", len(st), err)
	}
	return st
}

func (f *fixture) opp(t *testing.T, u *User, custID int64, amount int64) *Opportunity {
	t.Helper()
	o, err := f.s.CreateOpportunity(context.Background(), u, OpportunityInput{CustomerID: &custID, Name: ptr("年度采购"), Amount: &amount})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestMoveStage_WonSetsCustomerStatus_LostNeedsReason(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st := f.stages(t)
	won, lost := st[6], st[7]
	c := f.customer(t, f.salesA, "甲公司", "")
	o := f.opp(t, f.salesA, c.ID, 1280000)
	if o.Stage.ID != st[0].ID || o.Probability != st[0].Probability || o.Owner.ID != f.salesA.ID {
		t.Fatalf("defaults: %+v", o)
	}
	if _, err := f.s.MoveStage(ctx, f.salesA, o.ID, MoveInput{StageID: lost.ID}); !IsCode(err, CodeInvalid) {
		t.Fatalf("lost without reason: %v", err)
	}
	zero := f.opp(t, f.salesA, c.ID, 0)
	if _, err := f.s.MoveStage(ctx, f.salesA, zero.ID, MoveInput{StageID: won.ID}); !IsCode(err, CodeInvalid) {
		t.Fatalf("won without amount: %v", err)
	}
	if _, err := f.s.MoveStage(ctx, f.salesB, o.ID, MoveInput{StageID: won.ID}); !IsCode(err, CodeNotFound) {
		t.Fatalf("moving an invisible opportunity: %v", err)
	}
	got, err := f.s.MoveStage(ctx, f.salesA, o.ID, MoveInput{StageID: won.ID})
	if err != nil || got.Status != OppWon || got.ClosedAt == nil {
		t.Fatalf("won: %+v %v", got, err)
	}
	cust, _ := f.s.Customer(ctx, f.salesA, c.ID)
	if cust.Status != StatusCustomer {
		t.Fatalf("customer status = %s", cust.Status)
	}
}

func TestMoveStage_ConcurrentMoves_HistoryMatchesCurrentStage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st := f.stages(t)
	c := f.customer(t, f.salesA, "甲公司", "")
	o := f.opp(t, f.salesA, c.ID, 100)
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			u := []*User{f.salesA, f.mgr, f.admin}[i%3]
			_, _ = f.s.MoveStage(ctx, u, o.ID, MoveInput{StageID: st[1+i%5].ID})
		}(i)
	}
	wg.Wait()
	hist, err := f.s.StageHistory(ctx, f.salesA, o.ID, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := f.s.Opportunity(ctx, f.salesA, o.ID)
	if hist[len(hist)-1].To.ID != cur.Stage.ID {
		t.Fatalf("history ends at %d, current stage %d", hist[len(hist)-1].To.ID, cur.Stage.ID)
	}
	for i := 1; i < len(hist); i++ {
		if hist[i].From == nil || hist[i].From.ID != hist[i-1].To.ID {
			t.Fatalf("history broken at %d: from %+v after to %+v", i, hist[i].From, hist[i-1].To)
		}
	}
	// With a version, the second of two moves from the same version is refused.
	v := cur.Version
	if _, err := f.s.MoveStage(ctx, f.salesA, o.ID, MoveInput{StageID: st[0].ID, Version: &v}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.MoveStage(ctx, f.mgr, o.ID, MoveInput{StageID: st[2].ID, Version: &v}); !IsCode(err, CodeConflict) {
		t.Fatalf("stale move: %v", err)
	}
}

func TestTimeInStages_CountsReturnsToAStage(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b, w := StageRef{ID: 1, Kind: StageOpen}, StageRef{ID: 2, Kind: StageOpen}, StageRef{ID: 7, Kind: StageWon}
	h := []*StageChange{
		{To: a, At: base},
		{To: b, At: base.Add(48 * time.Hour)},
		{To: a, At: base.Add(72 * time.Hour)}, // went back a stage
		{To: b, At: base.Add(96 * time.Hour)},
		{To: w, At: base.Add(120 * time.Hour)},
	}
	got := TimeInStages(h, base.Add(1000*time.Hour))
	if got[1] != 72*time.Hour || got[2] != 48*time.Hour || got[7] != 0 {
		t.Fatalf("time in stages = %v", got)
	}
}

func TestForecast_SumsOpenPipeline(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st := f.stages(t)
	c := f.customer(t, f.salesA, "甲公司", "")
	now := time.Now().In(f.s.Location)
	this := now.Format("2006-01-02")
	far := now.AddDate(1, 0, 0).Format("2006-01-02")
	mk := func(amount int64, stage *Stage, close string) {
		_, err := f.s.CreateOpportunity(ctx, f.salesA, OpportunityInput{CustomerID: &c.ID, Name: ptr("x"), Amount: &amount, StageID: &stage.ID, ExpectedClose: &close})
		if err != nil {
			t.Fatal(err)
		}
	}
	mk(100000, st[0], this) // 10%
	mk(200000, st[2], far)  // 50%
	fc, err := f.s.Forecast(ctx, f.salesA, OppQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if fc.OpenCount != 2 || fc.OpenAmount != 300000 || fc.WeightedAmount != 10000+100000 || fc.ThisMonthAmount != 100000 || fc.ThisMonthWeight != 10000 {
		t.Fatalf("forecast = %+v", fc)
	}
	if fc2, _ := f.s.Forecast(ctx, f.salesB, OppQuery{}); fc2.OpenCount != 0 {
		t.Fatalf("salesB sees %d", fc2.OpenCount)
	}
	board, err := f.s.Board(ctx, f.mgr, OppQuery{}, "en")
	if err != nil {
		t.Fatal(err)
	}
	if *board.Forecast != *fc {
		t.Errorf("board forecast %+v, forecast %+v", board.Forecast, fc)
	}
	cols := board.Columns
	if len(cols) != 6 || cols[0].Count != 1 || cols[2].Amount != 200000 || cols[0].Stage.Name != "Discovery" {
		t.Fatalf("board: %v %+v", err, cols)
	}
}

func TestCreateOpportunity_HistoryImportIsAdminOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st := f.stages(t)
	c := f.customer(t, f.salesA, "甲公司", "")
	created := time.Now().AddDate(0, -3, 0)
	closed := time.Now().AddDate(0, -1, 0)
	in := OpportunityInput{CustomerID: &c.ID, Name: ptr("历史单"), Amount: ptr(int64(50000)), StageID: &st[6].ID, CreatedAt: &created, ClosedAt: &closed}
	if _, err := f.s.CreateOpportunity(ctx, f.salesA, in); !IsCode(err, CodeForbidden) {
		t.Fatalf("sales back-dating: %v", err)
	}
	o, err := f.s.CreateOpportunity(ctx, f.admin, in)
	if err != nil || o.Status != OppWon || o.CreatedAt.Unix() != created.Unix() || o.ClosedAt.Unix() != closed.Unix() {
		t.Fatalf("imported: %+v %v", o, err)
	}
	bad := in
	early := created.AddDate(0, 0, -1)
	bad.ClosedAt = &early
	if _, err := f.s.CreateOpportunity(ctx, f.admin, bad); !IsCode(err, CodeInvalid) {
		t.Fatalf("closed before created: %v", err)
	}
}

func TestParseMoney(t *testing.T) {
	for in, want := range map[string]int64{"12800": 1280000, "12,800.5": 1280050, "¥12,800.00": 1280000, "１２８００": 1280000, "0.01": 1} {
		if got, ok := ParseMoney(in); !ok || got != want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"-5", "abc", "1.234", "", "1.", "1e5"} {
		if _, ok := ParseMoney(bad); ok {
			t.Errorf("ParseMoney(%q) accepted", bad)
		}
	}
	if got := FormatMoney(1280050); got != "¥12,800.50" {
		t.Errorf("FormatMoney = %s", got)
	}
}

func TestCreateOpportunity_ExpectedCloseBeforeCreation_Refused(t *testing.T) {
	f := newFixture(t)
	c := f.customer(t, f.salesA, "甲公司", "")
	past := time.Now().AddDate(0, 0, -2).Format("2006-01-02")
	_, err := f.s.CreateOpportunity(context.Background(), f.salesA, OpportunityInput{CustomerID: &c.ID, Name: ptr("x"), ExpectedClose: &past})
	if e, ok := AsError(err); !ok || e.Fields["expected_close"].Key != "err.close_before_created" {
		t.Fatalf("expected close before creation: %v", err)
	}
}

// An edit that leaves the probability blank puts it back to the stage's
// default, after it had been overridden.
func TestUpdateOpportunity_BlankProbabilityIsStageDefault(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st := f.stages(t)
	o := f.opp(t, f.salesA, f.customer(t, f.salesA, "甲公司", "").ID, 100000)
	moved, err := f.s.MoveStage(ctx, f.salesA, o.ID, MoveInput{StageID: st[2].ID})
	if err != nil {
		t.Fatal(err)
	}
	over := 95
	o, err = f.s.UpdateOpportunity(ctx, f.salesA, o.ID, OpportunityInput{Probability: &over, Version: &moved.Version})
	if err != nil || o.Probability != 95 {
		t.Fatalf("override: %v %+v", err, o)
	}
	o, err = f.s.UpdateOpportunity(ctx, f.salesA, o.ID, OpportunityInput{StageProbability: true, Version: &o.Version})
	if err != nil || o.Probability != st[2].Probability {
		t.Fatalf("blank probability: %v, got %d want %d", err, o.Probability, st[2].Probability)
	}
}

// The benchmark's seeding tops the database up to a total, so running it
// twice on one data dir measures the same size.
func TestSeedOpportunities_TopsUpToTotal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, name := range []string{"甲公司", "乙公司", "丙公司"} {
		f.customer(t, f.salesA, name, "")
	}
	for _, step := range []struct{ total, added int }{{2, 2}, {2, 0}, {3, 1}} {
		added, err := f.s.SeedOpportunities(ctx, step.total)
		if err != nil || added != int64(step.added) {
			t.Fatalf("seed to %d: added %d, want %d (%v)", step.total, added, step.added, err)
		}
	}
}
