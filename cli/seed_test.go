package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/tidecrm/tide/store"
)

func TestSeed_FillsADataDirThatPassesTheRules(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runMain("seed", "--data", dir, "--customers", "400", "--users", "12", "--batch", "150", "--check")
	if code != 0 {
		t.Fatalf("seed: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "admin login: admin / admin1234") || !strings.Contains(out, "400 customers") ||
		!strings.Contains(out, "integrity_check and foreign_key_check: ok") || !strings.Contains(out, "is refused (duplicate of customer") {
		t.Fatalf("seed output:\n%s", out)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if msg, err := st.IntegrityCheck(ctx); err != nil || msg != "ok" {
		t.Fatalf("integrity: %v\n%s", err, msg)
	}
	admin, err := st.Authenticate(ctx, "admin", "admin1234")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "sales001", "password1"); err != nil {
		t.Fatalf("sales001 cannot sign in: %v", err)
	}
	users, _ := st.Users(ctx)
	roles := map[string]int{}
	for _, u := range users {
		roles[u.Role]++
		if u.Role != store.RoleAdmin && u.DepartmentID == nil {
			t.Errorf("%s has no department", u.Username)
		}
	}
	if roles[store.RoleAdmin] != 1 || roles[store.RoleManager] != 1 || roles[store.RoleSales] != 11 {
		t.Fatalf("roles %v", roles)
	}
	deps, _ := st.Departments(ctx)
	if len(deps) != 14 {
		t.Fatalf("%d departments", len(deps))
	}
	pools, err := st.Pools(ctx, admin)
	if err != nil || len(pools) != 20 {
		t.Fatalf("%d pools (%v)", len(pools), err)
	}

	// Customers: owned ones and pool ones, with contacts and follow-ups.
	all, err := st.ListCustomers(ctx, admin, store.CustomerQuery{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total < 300 || all.Total > 380 {
		t.Fatalf("%d owned of 400, want about 85%%", all.Total)
	}
	c := all.Items[0]
	contacts, err := st.Contacts(ctx, admin, c.ID)
	if err != nil || len(contacts) == 0 {
		t.Fatalf("contacts of %s: %d (%v)", c.Name, len(contacts), err)
	}
	fus, err := st.Followups(ctx, admin, c.ID, 0)
	if err != nil || len(fus) == 0 || c.LastFollowupAt == nil || !fus[0].At.Equal(*c.LastFollowupAt) {
		t.Fatalf("follow-ups of %s: %d, last %v (%v)", c.Name, len(fus), c.LastFollowupAt, err)
	}
	// The seeded company cannot be entered again, whoever tries.
	sales, _ := st.UserByUsername(ctx, "sales002")
	_, err = st.CreateCustomer(ctx, sales, store.CustomerInput{Name: &c.Name})
	if e, ok := store.AsError(err); !ok || e.Code != store.CodeDuplicate {
		t.Fatalf("creating %s again: %v, want duplicate", c.Name, err)
	}
	// Owners followed up recently enough that the first recycle pass
	// after seeding sends nothing back.
	res, err := st.RecycleDue(ctx)
	if err != nil || res.Recycled != 0 {
		t.Fatalf("recycle after seeding: %+v (%v)", res, err)
	}
	// A found substring of a seeded name.
	name := []rune(c.Name)
	page, err := st.ListCustomers(ctx, admin, store.CustomerQuery{Q: string(name[2:5])})
	if err != nil || page.Total == 0 {
		t.Fatalf("search %q: %v %+v", string(name[2:5]), err, page)
	}

	// Seeding again adds new companies and reuses the organisation.
	code, out, errOut = runMain("seed", "--data", dir, "--customers", "100", "--users", "12")
	if code != 0 || strings.Contains(out, "admin login") || !strings.Contains(out, "100 customers (0 skipped") {
		t.Fatalf("second seed: exit %d\n%s%s", code, out, errOut)
	}
	n, err := st.BulkCustomerCount(ctx)
	if err != nil || n != 500 {
		t.Fatalf("%d customers after the second run (%v)", n, err)
	}
}

func TestSeedAndBench_Usage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"seed", "--data", dir},
		{"seed", "--data", dir, "--customers", "-3"},
		{"seed", "--data", dir, "--customers", "10", "extra"},
		{"bench", "--data", dir, "--nope"},
	} {
		if code, out, errOut := runMain(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s%s", args, code, out, errOut)
		}
	}
	if code, _, errOut := runMain("bench", "--data", dir); code != 1 || !strings.Contains(errOut, "tide seed") {
		t.Errorf("bench on an empty dir: exit %d, %s", code, errOut)
	}
}

func TestBench_PrintsTheTable(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := runMain("seed", "--data", dir, "--customers", "300", "--users", "10"); code != 0 {
		t.Fatalf("seed: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runMain("bench", "--data", dir, "--duration", "1ms", "--min-runs", "2")
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"list admin (no filter)", "list manager tag", "list sales sort=last_followup",
		"search sales 2 chars", "search admin phone 4 digits", "duplicate check", "http GET /api/v1/customers sales",
		"p95 ms", "process RSS"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench output lacks %q:\n%s", want, out)
		}
	}
}
