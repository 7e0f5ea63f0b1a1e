package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupRestoreCommands(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := runMain("user", "add", "--data", data, "--username", "boss", "--password", "password1", "--role", "admin"); code != 0 {
		t.Fatalf("user add: %s", errOut)
	}
	file := filepath.Join(t.TempDir(), "b.db.gz")
	// FILE may come before or after the flags.
	if code, out, errOut := runMain("backup", file, "--data", data); code != 0 || !strings.Contains(out, "integrity check ok") {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	if code, _, _ := runMain("backup", "--data", data); code != 2 {
		t.Fatalf("backup without FILE: exit %d, want 2", code)
	}
	png := filepath.Join(t.TempDir(), "a.png")
	os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n...."), 0o600)
	code, _, errOut := runMain("restore", "--data", data, png)
	if code != 1 || !strings.Contains(errOut, "not a SQLite database") || !strings.Contains(errOut, "nothing changed") {
		t.Fatalf("restore of an image: %d %s", code, errOut)
	}
	code, out, errOut := runMain("restore", "--data", data, file)
	if code != 0 || !strings.Contains(out, "tide.db.before-restore-") {
		t.Fatalf("restore: %d %s %s", code, out, errOut)
	}
	// While a server holds the data dir, restore is refused.
	lock, err := lockDataDir(data)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.release()
	if code, _, errOut := runMain("restore", "--data", data, file); code != 1 || !strings.Contains(errOut, "stop it first") {
		t.Fatalf("restore while locked: %d %s", code, errOut)
	}
}
