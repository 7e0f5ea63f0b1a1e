package store

import (
	"context"
	"database/sql"
	"sort"
	"testing"
	"time"
)

// bulkOne is a customer with two contacts and three follow-ups, the last
// one planning a next contact.
func bulkOne(name, phone, email string, owner, pool, createdBy int64, at int64) BulkCustomer {
	c := BulkCustomer{Name: name, Phone: phone, Email: email, Industry: "制造业", Level: "B", Source: "展会", Region: "浙江",
		Status: StatusProspect, OwnerID: owner, PoolID: pool, HomePoolID: 1, CreatedBy: createdBy, CreatedAt: at - 10*86400,
		Contacts: []BulkContact{
			{Name: "王晓峰", Position: "总经理", Gender: "male", Phone: "139 1234 5678", Email: "Wang@Example.com", IsPrimary: true},
			{Name: "李娜", Gender: "female", Phone: "+86 186-0000-1111"},
		},
		Followups: []BulkFollowup{
			{Contact: 0, Kind: "call", Content: "电话沟通了报价。", At: at - 5*86400, NextAt: at - 3*86400, By: owner},
			{Contact: -1, Kind: "visit", Content: "上门拜访。", At: at - 3*86400, By: owner},
			{Contact: 1, Kind: "wechat", Content: "微信发送方案。", At: at - 86400, NextAt: at + 2*86400, By: owner},
		},
	}
	if owner != 0 {
		c.OwnedSince = c.CreatedAt
	} else {
		c.PoolEnteredAt = c.CreatedAt
	}
	return c
}

func TestBulkSeedCustomers_WritesWhatThePerRowPathWrites(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := f.s.now().Unix()
	tag, err := f.s.SaveTag(ctx, f.admin, 0, "重点客户", "")
	if err != nil {
		t.Fatal(err)
	}
	c := bulkOne("杭州云帆网络科技有限公司", "0571-8888 6666", "Info@YunFan.com.cn", f.salesA.ID, 0, f.salesA.ID, now)
	c.TagIDs = []int64{tag.ID}
	res, err := f.s.BulkSeedCustomers(ctx, []BulkCustomer{c})
	if err != nil {
		t.Fatal(err)
	}
	if res.Customers != 1 || res.Contacts != 2 || res.Followups != 3 || res.Duplicates != 0 {
		t.Fatalf("result %+v", res)
	}
	page, err := f.s.ListCustomers(ctx, f.salesA, CustomerQuery{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("list: %v %+v", err, page)
	}
	got := page.Items[0]
	if got.Email != "info@yunfan.com.cn" || got.Owner == nil || got.Owner.ID != f.salesA.ID || got.Tags[0] != "重点客户" ||
		got.HomePoolID == nil || *got.HomePoolID != 1 || got.OwnedSince == nil {
		t.Fatalf("customer %+v", got)
	}
	// last/next follow-up as AddFollowup would have left them.
	if got.LastFollowupAt == nil || got.LastFollowupAt.Unix() != now-86400 || got.NextFollowupAt == nil || got.NextFollowupAt.Unix() != now+2*86400 {
		t.Fatalf("follow-up times %v %v", got.LastFollowupAt, got.NextFollowupAt)
	}

	// The duplicate keys are keysFor's, the same as syncDedupKeys writes.
	want := keysFor(c.Name, c.Phone, c.Email, [][2]string{{c.Contacts[0].Phone, c.Contacts[0].Email}, {c.Contacts[1].Phone, ""}})
	rows, err := f.s.r.QueryContext(ctx, `SELECT kind, key, field FROM dedup_keys WHERE customer_id = ?`, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	var have []dedupKey
	for rows.Next() {
		var k dedupKey
		if err := rows.Scan(&k.kind, &k.key, &k.field); err != nil {
			t.Fatal(err)
		}
		have = append(have, k)
	}
	rows.Close()
	sortKeys := func(ks []dedupKey) {
		sort.Slice(ks, func(i, j int) bool { return ks[i].kind+ks[i].key < ks[j].kind+ks[j].key })
	}
	sortKeys(want)
	sortKeys(have)
	if len(have) != len(want) || len(want) != 6 {
		t.Fatalf("keys %v, want %v", have, want)
	}
	for i := range want {
		if have[i] != want[i] {
			t.Fatalf("keys %v, want %v", have, want)
		}
	}

	// Found by the same searches as a customer saved one by one.
	for _, q := range []string{"云帆", "杭州云帆", "网络科技有限", "晓峰", "王晓峰", "1234", "0000 1111", "8888", "yunfan", "wang@example"} {
		page, err := f.s.ListCustomers(ctx, f.salesA, CustomerQuery{Q: q})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != got.ID {
			t.Errorf("search %q: %v %d items", q, err, len(page.Items))
		}
	}
	// Rebuilding the documents the per-row way changes no search result.
	if err := f.s.tx(ctx, func(tx *sql.Tx) error { return syncSearch(ctx, tx, got.ID) }); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"云帆", "王晓峰", "1234"} {
		page, _ := f.s.ListCustomers(ctx, f.salesA, CustomerQuery{Q: q})
		if len(page.Items) != 1 {
			t.Errorf("after syncSearch, search %q: %d items", q, len(page.Items))
		}
	}

	// History and timeline rows.
	var moves, events, contacts, followups int
	err = f.s.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM pool_moves WHERE customer_id = ?1 AND action = 'create'),
		(SELECT count(*) FROM customer_events WHERE customer_id = ?1 AND kind = 'created'),
		(SELECT count(*) FROM contacts WHERE customer_id = ?1), (SELECT count(*) FROM followups WHERE customer_id = ?1 AND contact_id IS NOT NULL)`,
		got.ID).Scan(&moves, &events, &contacts, &followups)
	if err != nil || moves != 1 || events != 1 || contacts != 2 || followups != 2 {
		t.Fatalf("moves %d events %d contacts %d follow-ups with contact %d (%v)", moves, events, contacts, followups, err)
	}
	if msg, err := f.s.IntegrityCheck(ctx); err != nil || msg != "ok" {
		t.Fatalf("integrity: %v %s", err, msg)
	}
	// The writer's connection is back to its usual settings.
	var fk int
	if err := f.s.w.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d (%v) after a bulk load", fk, err)
	}
}

func TestBulkSeedCustomers_DuplicatesSkippedAndRefusedAfterwards(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := f.s.now().Unix()
	existing := f.customer(t, f.salesB, "北京字节跳动科技有限公司", "13800138000")
	batch := []BulkCustomer{
		bulkOne("北京字节跳动科技 有限公司", "", "", f.salesA.ID, 0, f.salesA.ID, now), // name variant of existing
		bulkOne("上海恒达精密制造股份有限公司", "", "", f.salesA.ID, 0, f.salesA.ID, now),
		bulkOne("深圳启明教育集团", "", "", 0, 1, 0, now),                                    // same contact phones as the one before
		bulkOne("成都蓝海物流有限公司", "138-0013-8000", "", f.salesA.ID, 0, f.salesA.ID, now), // phone of existing
	}
	batch[2].Contacts = batch[1].Contacts
	res, err := f.s.BulkSeedCustomers(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if res.Customers != 1 || res.Duplicates != 3 {
		t.Fatalf("result %+v, want 1 customer and 3 duplicates", res)
	}
	var n int
	if err := f.s.r.QueryRowContext(ctx, `SELECT count(*) FROM customers`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d customers (%v)", n, err)
	}
	// A second run of the same batch adds nothing.
	res, err = f.s.BulkSeedCustomers(ctx, batch)
	if err != nil || res.Customers != 0 || res.Duplicates != 4 {
		t.Fatalf("second run %+v %v", res, err)
	}
	// The per-row path refuses the seeded company, naming it.
	_, err = f.s.CreateCustomer(ctx, f.salesB, CustomerInput{Name: ptr("上海恒达精密制造有限公司")})
	e, ok := AsError(err)
	if !ok || e.Code != CodeDuplicate {
		t.Fatalf("create seeded name: %v", err)
	}
	if d := e.Extra["duplicate_of"].(*DuplicateOf); d.Name != "上海恒达精密制造股份有限公司" || d.Owner == nil || d.Owner.ID != f.salesA.ID {
		t.Fatalf("duplicate_of %+v", d)
	}
	// And the seeded contact's phone, through CheckDuplicates too.
	dups, err := f.s.CheckDuplicates(ctx, "", "13912345678", "", 0)
	if err != nil || len(dups) != 1 || dups[0].Name != "上海恒达精密制造股份有限公司" {
		t.Fatalf("check: %v %+v", err, dups)
	}
	_ = existing
	if msg, err := f.s.IntegrityCheck(ctx); err != nil || msg != "ok" {
		t.Fatalf("integrity: %v %s", err, msg)
	}
}

func TestBulkSeedCustomers_PoolCustomerAndMoves(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := f.s.now().Unix()
	c := bulkOne("广州南方餐饮管理有限公司", "", "", 0, 1, 0, now)
	c.Followups = nil
	c.Moves = []BulkMove{{PoolID: 1, Action: "create", ToUserID: f.salesA.ID, Actor: f.salesA.ID, At: c.CreatedAt},
		{PoolID: 1, Action: "recycle", FromUserID: f.salesA.ID, Reason: RecycleNoFollowup, At: c.CreatedAt + 3600}}
	c.PreviousOwnerID = f.salesA.ID
	if _, err := f.s.BulkSeedCustomers(ctx, []BulkCustomer{c}); err != nil {
		t.Fatal(err)
	}
	page, err := f.s.ListCustomers(ctx, f.salesN, CustomerQuery{PoolID: 1})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("pool list: %v %+v", err, page)
	}
	got := page.Items[0]
	if got.Pool == nil || got.Owner != nil || got.LastFollowupAt != nil || got.PreviousOwner == nil || got.PoolEnteredAt == nil {
		t.Fatalf("pool customer %+v", got)
	}
	var n int
	if err := f.s.r.QueryRowContext(ctx, `SELECT count(*) FROM pool_moves WHERE customer_id = ?`, got.ID).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d moves (%v)", n, err)
	}
}

func TestBulkSeedUsersAndPools(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := time.Now()
	users := []BulkUser{{Username: "sales001", Name: "张伟", Role: RoleSales, DepartmentID: f.shanghai.ID},
		{Username: "manager01", Name: "李强", Role: RoleManager, DepartmentID: f.east.ID},
		{Username: "salesA", Name: "已存在", Role: RoleSales}}
	n, err := f.s.BulkSeedUsers(ctx, users, "password1")
	if err != nil || n != 2 {
		t.Fatalf("created %d (%v), want 2 (salesA exists)", n, err)
	}
	for _, u := range []string{"sales001", "manager01"} {
		if _, err := f.s.Authenticate(ctx, u, "password1"); err != nil {
			t.Fatalf("%s cannot sign in: %v", u, err)
		}
	}
	t.Logf("users in %s", time.Since(start))

	pools := []BulkPool{
		{Name: "whatever the default is called", IsDefault: true},
		{Name: "展会线索池", Sources: []string{"展会"}, ClaimDailyLimit: 10, HideContactInfo: true},
		{Name: "华东区公海", Scope: "departments", DepartmentIDs: []int64{f.east.ID}, AdminIDs: []int64{f.mgr.ID}, RecycleNoFollowupDays: 90},
	}
	ids, err := f.s.BulkSeedPools(ctx, pools)
	if err != nil {
		t.Fatal(err)
	}
	if ids["whatever the default is called"] != 1 || ids["展会线索池"] == 0 || ids["华东区公海"] == 0 {
		t.Fatalf("ids %v", ids)
	}
	again, err := f.s.BulkSeedPools(ctx, pools)
	if err != nil || again["展会线索池"] != ids["展会线索池"] {
		t.Fatalf("second run %v %v", again, err)
	}
	var route int64
	if err := f.s.r.QueryRowContext(ctx, `SELECT pool_id FROM pool_sources WHERE source = '展会'`).Scan(&route); err != nil || route != ids["展会线索池"] {
		t.Fatalf("展会 routed to %d (%v)", route, err)
	}
	// The department pool is visible to its department (and below), not to 华北.
	vis := func(u *User) bool {
		v, err := f.s.VisibilityFor(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return v.CanSeePool(ids["华东区公海"])
	}
	if !vis(f.salesA) || vis(f.salesN) {
		t.Fatalf("department pool visibility: salesA %v salesN %v", vis(f.salesA), vis(f.salesN))
	}
}

func TestSearchDocs(t *testing.T) {
	doc, bg := searchDocs("北京字节跳动科技有限公司", "+86 138-0013-8000", " Info@ByteDance.COM ",
		[][3]string{{"张一鸣", "010-8888 6666", ""}, {"Ｌｉｓａ", "", "lisa@x.cn"}})
	if want := "北京字节跳动科技有限公司 | 13800138000 | info@bytedance.com | 张一鸣 | 01088886666 |  | lisa |  | lisa@x.cn"; doc != want {
		t.Fatalf("doc %q\nwant %q", doc, want)
	}
	if want := "北京 京字 字节 节跳 跳动 动科 科技 技有 有限 限公 公司 张一 一鸣"; bg != want {
		t.Fatalf("bigrams %q\nwant %q", bg, want)
	}
}
