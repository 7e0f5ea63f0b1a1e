package i18n

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestCatalogues_SameKeys(t *testing.T) {
	base := Languages[0]
	for _, lang := range Languages[1:] {
		var onlyBase, onlyOther []string
		for _, k := range Keys(base) {
			if !Has(lang, k) {
				onlyBase = append(onlyBase, k)
			}
		}
		for _, k := range Keys(lang) {
			if !Has(base, k) {
				onlyOther = append(onlyOther, k)
			}
		}
		if len(onlyBase)+len(onlyOther) > 0 {
			t.Errorf("catalogues differ:\n  only in %s: %s\n  only in %s: %s",
				base, strings.Join(onlyBase, ", "), lang, strings.Join(onlyOther, ", "))
		}
	}
	if len(Keys(base)) < 50 {
		t.Fatalf("catalogue %s has only %d keys; loading is broken", base, len(Keys(base)))
	}
}

func TestCatalogues_NoEmptyMessagesAndPlaceholdersMatch(t *testing.T) {
	placeholder := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	names := func(s string) string {
		var out []string
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	for _, k := range Keys(Languages[0]) {
		var want string
		for i, lang := range Languages {
			msg := keys[lang][k]
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s: %s is empty", lang, k)
			}
			if i == 0 {
				want = names(msg)
			} else if got := names(msg); got != want && Has(lang, k) {
				t.Errorf("%s: placeholders of %s are {%s}, %s has {%s}", lang, k, got, Languages[0], want)
			}
		}
	}
}

func TestT_FillsPlaceholdersAndShowsMissingKeys(t *testing.T) {
	if got := For("en").T("err.length", "Min", 2, "Max", 64); got != "Must be 2 to 64 characters." {
		t.Fatalf("T = %q", got)
	}
	if got := For("en").T("err.length", map[string]any{"Min": 1, "Max": 3}); got != "Must be 1 to 3 characters." {
		t.Fatalf("T with map = %q", got)
	}
	if got := For("zh-CN").T("no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key = %q, want the key itself", got)
	}
	if l := For("fr"); l.Lang != "zh-CN" || !l.IsZH() {
		t.Fatalf("For(fr) = %s, want the default zh-CN", l.Lang)
	}
}

func TestMatch(t *testing.T) {
	tests := []struct{ header, want string }{
		{"zh-CN,zh;q=0.9", "zh-CN"},
		{"zh", "zh-CN"},
		{"en-US", "en"},
		{"en-GB,en;q=0.8", "en"},
		{"de,en;q=0.5", "en"},
		{"fr", ""},
		{"", ""},
		{"*", ""},
		{";;;garbage", ""},
	}
	for _, tt := range tests {
		if got := Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestSupported(t *testing.T) {
	for _, l := range Languages {
		if !Supported(l) {
			t.Errorf("Supported(%q) = false", l)
		}
	}
	for _, l := range []string{"", "fr", "zh", "EN"} {
		if Supported(l) {
			t.Errorf("Supported(%q) = true", l)
		}
	}
}

// usedKey is one catalogue key found in the source, with where.
type usedKey struct{ key, where string }

// scan collects the first capture group of every match of res in the
// files under dir whose names end with ext (skipping tests).
func scan(t *testing.T, dir, ext string, res ...*regexp.Regexp) []usedKey {
	t.Helper()
	var out []usedKey
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ext) || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range res {
			for _, m := range re.FindAllSubmatchIndex(b, -1) {
				line := 1 + strings.Count(string(b[:m[0]]), "\n")
				out = append(out, usedKey{key: string(b[m[2]:m[3]]), where: fmt.Sprintf("%s:%d", filepath.ToSlash(path), line)})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan %s: %v", dir, err)
	}
	return out
}

// checkKeys reports each missing key once, with the catalogues that lack
// it and every place that uses it.
func checkKeys(t *testing.T, used []usedKey) {
	t.Helper()
	where := map[string][]string{}
	for _, u := range used {
		if !slices.Contains(where[u.key], u.where) {
			where[u.key] = append(where[u.key], u.where)
		}
	}
	var missing []string
	for k, places := range where {
		var lacking []string
		for _, lang := range Languages {
			if !Has(lang, k) {
				lacking = append(lacking, lang)
			}
		}
		if len(lacking) > 0 {
			missing = append(missing, fmt.Sprintf("%q missing from %s (used at %s)", k, strings.Join(lacking, ", "), strings.Join(places, ", ")))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d catalogue keys missing:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}

func TestTemplates_KeysExist(t *testing.T) {
	used := scan(t, "../views", ".html", regexp.MustCompile(`\$?\.L\.T\s+"([^"]+)"`))
	if len(used) < 50 {
		t.Fatalf("found only %d keys in templates; is the regexp or the path wrong?", len(used))
	}
	checkKeys(t, used)
}

func TestGoSource_KeysExist(t *testing.T) {
	literal := `"([a-z][a-z0-9_]*\.[a-z0-9_.]+)"`
	res := []*regexp.Regexp{
		// store.M("…") and M("…")
		regexp.MustCompile(`\bM\(` + literal),
		// loc(c).T("…"), l.T("…")
		regexp.MustCompile(`\.T\(` + literal),
		// setFlash(c, "…"), page(c, "…"), userFormData(c, "…"), …
		regexp.MustCompile(`\w\(c, ` + literal),
		// fe.add("field", "err.…") and bad("err.…") in the store
		regexp.MustCompile(`\.add\("[^"]*", ` + literal),
		regexp.MustCompile(`\bbad\(` + literal),
		// any other literal that looks like an error or flash key
		regexp.MustCompile(`"((?:err|flash)\.[a-z0-9_.]+)"`),
	}
	var used []usedKey
	for _, dir := range []string{"../app", "../store"} {
		used = append(used, scan(t, dir, ".go", res...)...)
	}
	if len(used) < 30 {
		t.Fatalf("found only %d keys in Go source; is the regexp or the path wrong?", len(used))
	}
	checkKeys(t, used)
}

// Job names are shown as job.<name> on the admin jobs page.
func TestScheduler_JobNamesHaveTitles(t *testing.T) {
	var used []usedKey
	for _, u := range scan(t, "../scheduler", ".go", regexp.MustCompile(`Name:\s*"([a-z0-9_]+)"`)) {
		used = append(used, usedKey{key: "job." + u.key, where: u.where})
	}
	checkKeys(t, used)
}

// The error page title is error.<status>.title; every status the app can
// answer with needs one.
func TestErrorPages_TitleForEveryStatus(t *testing.T) {
	var used []usedKey
	for _, st := range []string{"400", "401", "403", "404", "405", "408", "409", "413", "422", "429", "500"} {
		used = append(used, usedKey{key: "error." + st + ".title", where: "app/errors.go handleError"})
	}
	checkKeys(t, used)
}
