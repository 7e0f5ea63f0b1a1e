package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPendingImport_FilesPrivate_TokensChecked_LeftoversCleaned(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
	f.s.Now = func() time.Time { return at }
	table := &ImportTable{Header: []string{"客户名称"}, Mapping: []string{"name"}, Rows: []ImportRow{{Line: 2, Cells: []string{"甲公司"}}}}
	p, err := f.s.SavePendingImport(ctx, f.salesA, "a.csv", nil, table)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(filepath.Dir(f.s.Path()), "uploads")
	for _, name := range []string{p.Token + ".json", p.Token + ".rows.json"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", name, fi, err)
		}
	}
	for _, token := range []string{"../tide", "../uploads/" + p.Token, p.Token + ".rows", ""} {
		if _, err := f.s.PendingImport(ctx, f.salesA, token); err != ErrNotFound {
			t.Fatalf("token %q: %v", token, err)
		}
	}
	rows, err := f.s.PendingImportRows(ctx, f.salesA, p.Token)
	if err != nil || len(rows) != 1 || rows[0].Cells[0] != "甲公司" {
		t.Fatalf("rows %v %v", rows, err)
	}
	if _, err := f.s.PendingImportRows(ctx, f.salesB, p.Token); err != ErrNotFound {
		t.Fatalf("another user's rows: %v", err)
	}

	// What a crash mid-write leaves behind goes at the next cleanup; the
	// live upload stays.
	for _, name := range []string{".tmp-123", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.rows.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.s.CleanPendingImports(ctx); err != nil || n != 0 {
		t.Fatalf("clean: %d %v", n, err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 2 {
		t.Fatalf("left after cleanup: %v", left)
	}
	f.s.Now = func() time.Time { return at.Add(PendingImportTTL) }
	if n, err := f.s.CleanPendingImports(ctx); err != nil || n != 1 {
		t.Fatalf("clean expired: %d %v", n, err)
	}
	if _, err := f.s.PendingImport(ctx, f.salesA, p.Token); err != ErrUploadExpired {
		t.Fatalf("expired upload: %v", err)
	}
}
