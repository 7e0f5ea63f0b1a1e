package app

import (
	"os"
	"strings"
	"testing"
)

// TestStylesheet_SectionsStartAtTopLevel guards against a section of
// app.css leaving a block (usually an @media) open: every rule after it
// would then apply only inside that block, e.g. only on phones. Merges of
// appended sections made that mistake twice.
func TestStylesheet_SectionsStartAtTopLevel(t *testing.T) {
	raw, err := os.ReadFile("../static/css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	for i, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "/*") && depth != 0 {
			t.Errorf("app.css:%d: section %q starts inside an open block (depth %d)", i+1, strings.TrimSpace(line), depth)
		}
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		if depth < 0 {
			t.Fatalf("app.css:%d: a } closes nothing", i+1)
		}
	}
	if depth != 0 {
		t.Errorf("app.css ends with %d block(s) open", depth)
	}
}
