package store

import (
	"context"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestOpen_ReaderCannotWrite(t *testing.T) {
	s := OpenTest(t)
	if _, err := s.r.Exec(`INSERT INTO settings (key, value) VALUES ('x', 'y')`); err == nil {
		t.Fatal("reader pool accepted a write; it must be read-only")
	}
	var mode string
	if err := s.r.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := s.r.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, %v", fk, err)
	}
}

func TestCreateUser_UsernameTaken_IsFieldError(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	in := UserInput{Username: ptr("alice"), Password: ptr("password1"), Role: ptr(RoleSales)}
	if _, err := s.CreateUser(ctx, in); err != nil {
		t.Fatal(err)
	}
	in.Username = ptr("ALICE")
	_, err := s.CreateUser(ctx, in)
	e, ok := AsError(err)
	if !ok || e.Code != CodeInvalid || e.Fields["username"].Key != "err.username_taken" {
		t.Fatalf("got %v, want username_taken", err)
	}
	if n, _ := s.CountUsers(ctx); n != 1 {
		t.Fatalf("users = %d, want 1", n)
	}
}

func TestAuthenticate(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	u, err := s.CreateUser(ctx, UserInput{Username: ptr("bob"), Password: ptr("correct-horse"), Role: ptr(RoleSales)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "bob", "correct-horse"); err != nil {
		t.Fatalf("good password refused: %v", err)
	}
	for _, c := range []struct{ user, pw string }{{"bob", "wrong"}, {"nobody", "correct-horse"}} {
		if _, err := s.Authenticate(ctx, c.user, c.pw); !IsCode(err, CodeUnauthenticated) {
			t.Errorf("%s/%s: got %v, want unauthenticated", c.user, c.pw, err)
		}
	}
	if _, err := s.UpdateUser(ctx, u.ID, UserInput{Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "bob", "correct-horse"); !IsCode(err, CodeUnauthenticated) {
		t.Fatalf("deactivated user signed in: %v", err)
	}
}

func TestDepartments_TreeAndSubtree(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	east, err := s.CreateDepartment(ctx, DepartmentInput{Name: "华东区"})
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := s.CreateDepartment(ctx, DepartmentInput{Name: "上海组", ParentID: &east.ID})
	pd, _ := s.CreateDepartment(ctx, DepartmentInput{Name: "浦东", ParentID: &sh.ID})
	north, _ := s.CreateDepartment(ctx, DepartmentInput{Name: "华北区"})

	ids, err := s.DepartmentSubtree(ctx, east.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for _, id := range ids {
		got[id] = true
	}
	if len(ids) != 3 || !got[east.ID] || !got[sh.ID] || !got[pd.ID] || got[north.ID] {
		t.Fatalf("subtree of 华东区 = %v", ids)
	}
	if d, _ := s.Department(ctx, pd.ID); d.Path != "华东区 / 上海组 / 浦东" || d.Depth != 2 {
		t.Fatalf("path = %q depth %d", d.Path, d.Depth)
	}
	// Moving a department below its own child would make a cycle.
	_, err = s.UpdateDepartment(ctx, east.ID, DepartmentInput{Name: "华东区", ParentID: &pd.ID})
	if e, ok := AsError(err); !ok || e.Fields["parent_id"].Key != "err.department_cycle" {
		t.Fatalf("cycle not refused: %v", err)
	}
	// A department with users or children cannot be deleted.
	if _, err := s.CreateUser(ctx, UserInput{Username: ptr("u1"), Password: ptr("password1"), Role: ptr(RoleSales), DepartmentID: &pd.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteDepartment(ctx, pd.ID); !IsCode(err, CodeConflict) {
		t.Fatalf("delete with users: %v", err)
	}
	if err := s.DeleteDepartment(ctx, sh.ID); !IsCode(err, CodeConflict) {
		t.Fatalf("delete with children: %v", err)
	}
	if err := s.DeleteDepartment(ctx, north.ID); err != nil {
		t.Fatalf("delete empty: %v", err)
	}
}

func TestSetup_CreatesAdminOnce(t *testing.T) {
	s := OpenTest(t)
	ctx := context.Background()
	in := SetupInput{CompanyName: "潮汐科技", Language: "zh-CN", TimeZone: "Asia/Shanghai",
		Admin: UserInput{Username: ptr("boss"), Password: ptr("password1")}}
	u, err := s.Setup(ctx, in)
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	if u.Role != RoleAdmin || u.Language != "zh-CN" {
		t.Fatalf("admin = %+v", u)
	}
	if name, _ := s.Setting(ctx, SettingCompanyName, ""); name != "潮汐科技" {
		t.Fatalf("company = %q", name)
	}
	in.Admin.Username = ptr("boss2")
	if _, err := s.Setup(ctx, in); !IsCode(err, CodeConflict) {
		t.Fatalf("second setup: %v", err)
	}
}
