package seed

import (
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// normalize is a local stand-in for duplicate detection: it drops spaces and
// punctuation and strips legal forms from the end, repeatedly.
func normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}, s)
	forms := []string{"股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "总公司", "分公司", "工作室", "集团", "公司", "股份"}
	for {
		trimmed := false
		for _, f := range forms {
			if t, ok := strings.CutSuffix(s, f); ok && t != "" {
				s, trimmed = t, true
				break
			}
		}
		if !trimmed {
			return s
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"杭州云帆网络科技有限公司":   "杭州云帆网络科技",
		"杭州云帆网络科技集团有限公司": "杭州云帆网络科技",
		"杭州云帆 网络科技（股份）":  "杭州云帆网络科技",
		"杭州云帆设计工作室":      "杭州云帆设计",
	} {
		if got := normalize(in); got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWordListInvariants(t *testing.T) {
	distinct := func(name string, list []string) {
		t.Helper()
		seen := map[string]bool{}
		for _, s := range list {
			if s == "" && name != "emailRoles" {
				t.Errorf("%s: empty entry", name)
			}
			if seen[s] {
				t.Errorf("%s: duplicate %q", name, s)
			}
			seen[s] = true
		}
	}
	distinct("companyCities", companyCities)
	distinct("brandWords", brandWords)
	distinct("hobbies", hobbies)
	distinct("streets", streets)
	distinct("emailCorpDomain", emailCorpDomain)
	distinct("emailRoles", emailRoles)
	var inds []string
	for _, w := range industryWords {
		inds = append(inds, w.s)
	}
	distinct("industryWords", inds)

	if n := len(brandWords); n < 100 || n > 150 {
		t.Errorf("len(brandWords) = %d", n)
	}
	if n := len(companyCities); n < 60 || n > 150 {
		t.Errorf("len(companyCities) = %d", n)
	}
	if companyCap < 10_000_000 {
		t.Errorf("company name space %d < 10M", companyCap)
	}
	if companyShortCap+companyLongCap != nCity*nBrand*nBrand*nInd {
		t.Error("short and long spaces do not partition the name space")
	}
	t.Logf("company name space: %d (%d with one brand word)", companyCap, companyShortCap)

	for _, a := range companyCities {
		for _, b := range companyCities {
			if a != b && strings.HasPrefix(b, a) {
				t.Errorf("city %q is a prefix of %q", a, b)
			}
		}
	}
	for _, b := range brandWords {
		if utf8.RuneCountInString(b) != 2 {
			t.Errorf("brand word %q does not have two runes", b)
		}
		for _, w := range industryWords {
			if strings.HasPrefix(w.s, b) {
				t.Errorf("industry word %q starts with brand word %q", w.s, b)
			}
		}
	}
	for _, w := range append(slices.Clone(brandWords), inds...) {
		for _, suf := range legalSuffixes {
			if strings.HasSuffix(w, suf) || w == suf {
				t.Errorf("word %q ends with legal form %q", w, suf)
			}
		}
		for _, r := range w {
			if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsDigit(r) {
				t.Errorf("word %q contains %q", w, r)
			}
		}
	}
	for _, r := range emailRoles {
		for _, c := range r + strings.Join(emailSeps, "") {
			if c >= '0' && c <= '9' {
				t.Errorf("email role or separator contains a digit: %q", r)
			}
		}
	}
	for kind := range followupOpeners {
		if !slices.ContainsFunc(followupKinds, func(w weighted) bool { return w.s == kind }) {
			t.Errorf("openers for unknown kind %q", kind)
		}
	}
	for _, k := range followupKinds {
		if len(followupOpeners[k.s]) == 0 {
			t.Errorf("no openers for kind %q", k.s)
		}
	}
	for _, r := range regions {
		if len(r.cities) == 0 {
			t.Errorf("region %s has no cities", r.short)
		}
		if r.municipality && (len(r.cities) != 1 || r.cities[0].name != r.short) {
			t.Errorf("municipality %s must have itself as only city", r.short)
		}
		for _, c := range r.cities {
			if len(c.districts) == 0 || c.w <= 0 {
				t.Errorf("city %s: no districts or weight", c.name)
			}
		}
	}
}

func TestPermIsBijection(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 7, 64, 65, 1000, 12345, 1 << 16, 100_003} {
		for key := uint64(0); key < 3; key++ {
			p := newPerm(n, key*0x1234567)
			seen := make([]bool, n)
			for x := uint64(0); x < n; x++ {
				y := p.apply(x)
				if y >= n || seen[y] {
					t.Fatalf("n=%d key=%d: perm(%d) = %d is out of range or repeated", n, key, x, y)
				}
				seen[y] = true
			}
		}
	}
}

// sequence draws one of everything from g.
func sequence(g *Gen, now time.Time) []string {
	var out []string
	for i := range 50 {
		region := g.Region()
		kind := g.FollowupKind()
		out = append(out,
			g.CompanyName(i*7919), g.PersonName(), g.Gender(), g.Mobile(i*104729),
			g.Email("张伟", i), g.Industry(), region, g.City(region), g.Address(region),
			g.Level(), g.Source(), g.Position(), g.Hobby(), g.Birthday(now).Format(time.DateOnly),
			kind, g.FollowupContent(kind), strings.Join(g.DepartmentNames(), ","),
			string(rune('0'+g.Intn(10))),
		)
	}
	return out
}

func TestDeterminism(t *testing.T) {
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	a, b := sequence(New(42), now), sequence(New(42), now)
	if !slices.Equal(a, b) {
		t.Fatal("two generators with the same seed produced different data")
	}
	c := sequence(New(43), now)
	same := 0
	for i := range a {
		if a[i] == c[i] {
			same++
		}
	}
	if same > len(a)*3/4 {
		t.Errorf("seeds 42 and 43 agree on %d of %d values", same, len(a))
	}

	// Indexed methods do not depend on the random stream.
	g1, g2 := New(7), New(7)
	for range 100 {
		g2.PersonName()
		g2.Address("浙江")
	}
	for i := range 1000 {
		if g1.CompanyName(i) != g2.CompanyName(i) || g1.Mobile(i) != g2.Mobile(i) || g1.Email("李娜", i) != g2.Email("李娜", i) {
			t.Fatalf("indexed values for %d depend on earlier calls", i)
		}
	}
}

func checkCompanyNames(t *testing.T, g *Gen, seen map[string]int, indices func(yield func(int) bool)) {
	t.Helper()
	for i := range indices {
		name := g.CompanyName(i)
		k := normalize(name)
		if prev, ok := seen[k]; ok && prev != i {
			t.Fatalf("CompanyName(%d) = %q and CompanyName(%d) = %q normalise to the same %q", prev, g.CompanyName(prev), i, name, k)
		}
		seen[k] = i
	}
}

func TestCompanyNameUnique(t *testing.T) {
	g := New(1)
	seen := make(map[string]int, 400_000)
	checkCompanyNames(t, g, seen, func(yield func(int) bool) {
		for i := range 200_000 {
			if !yield(i) {
				return
			}
		}
	})
	r := rand.New(rand.NewPCG(9, 9))
	checkCompanyNames(t, g, seen, func(yield func(int) bool) {
		for range 200_000 {
			if !yield(r.IntN(10_000_000)) {
				return
			}
		}
	})
	// Around the boundaries of the short-name space and beyond the whole
	// space, where a number is appended.
	checkCompanyNames(t, g, seen, func(yield func(int) bool) {
		short := int(companyShortCap) * 3
		all := int(companyCap)
		for _, base := range []int{short - 2000, all - 2000, 2*all - 2000} {
			for i := base; i < base+4000; i++ {
				if !yield(i) {
					return
				}
			}
		}
	})
}

func TestCompanyNameShape(t *testing.T) {
	g := New(3)
	single := 0
	for i := range 30_000 {
		name := g.CompanyName(i)
		if !slices.ContainsFunc(companyCities, func(c string) bool { return strings.HasPrefix(name, c) }) {
			t.Fatalf("%q does not start with a city", name)
		}
		if !slices.ContainsFunc(legalForms, func(w weighted) bool { return strings.HasSuffix(name, w.s) }) {
			t.Fatalf("%q does not end with a legal form", name)
		}
		rest := normalize(name)
		for _, c := range companyCities {
			if r, ok := strings.CutPrefix(rest, c); ok {
				rest = r
				break
			}
		}
		rest = string([]rune(rest)[2:])
		if !slices.ContainsFunc(brandWords, func(b string) bool { return strings.HasPrefix(rest, b) }) {
			single++
		}
	}
	if single < 5_000 || single > 15_000 {
		t.Errorf("%d of 30000 names have a single brand word, want about a third", single)
	}
	if got := g.CompanyName(2 * int(companyCap)); !strings.Contains(got, "3") {
		t.Errorf("CompanyName beyond twice the space = %q, want the number 3 in it", got)
	}
}

// TestCompanyNameExhaustive checks all names in [0, 10M). It takes a few
// seconds and ~200 MB, so it only runs with SEED_EXHAUSTIVE=1.
func TestCompanyNameExhaustive(t *testing.T) {
	if os.Getenv("SEED_EXHAUSTIVE") == "" {
		t.Skip("set SEED_EXHAUSTIVE=1 to check all 10M company names")
	}
	g := New(2026)
	const n = 10_000_000
	hs := make([]uint64, n)
	for i := range n {
		hs[i] = fnv64(normalize(g.CompanyName(i)))<<24 | uint64(i)&(1<<24-1)
	}
	slices.SortFunc(hs, func(a, b uint64) int {
		switch {
		case a>>24 < b>>24:
			return -1
		case a>>24 > b>>24:
			return 1
		}
		return 0
	})
	for k := 1; k < n; k++ {
		if hs[k]>>24 == hs[k-1]>>24 {
			i, j := int(hs[k-1]&(1<<24-1)), int(hs[k]&(1<<24-1))
			if normalize(g.CompanyName(i)) == normalize(g.CompanyName(j)) {
				t.Fatalf("CompanyName(%d) = %q and CompanyName(%d) = %q collide", i, g.CompanyName(i), j, g.CompanyName(j))
			}
		}
	}
}

func TestMobile(t *testing.T) {
	g := New(5)
	prefixes := map[string]bool{}
	for _, p := range mobilePrefixes {
		prefixes[p.p] = true
	}
	seen := make(map[string]int, 600_000)
	check := func(i int) {
		m := g.Mobile(i)
		if len(m) != 11 || strings.Trim(m, "0123456789") != "" {
			t.Fatalf("Mobile(%d) = %q is not 11 digits", i, m)
		}
		if !prefixes[m[:3]] {
			t.Fatalf("Mobile(%d) = %q has an unknown prefix", i, m)
		}
		if prev, ok := seen[m]; ok && prev != i {
			t.Fatalf("Mobile(%d) = Mobile(%d) = %q", prev, i, m)
		}
		seen[m] = i
	}
	for i := range 500_000 {
		check(i)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		check(r.IntN(50_000_000))
	}
	counts := map[string]int{}
	for i := range 100_000 {
		counts[g.Mobile(i)[:3]]++
	}
	if counts["138"] < 3*counts["147"] {
		t.Errorf("prefix 138 (%d) should be much more common than 147 (%d)", counts["138"], counts["147"])
	}
}

func TestEmail(t *testing.T) {
	g := New(11)
	names := []string{"王伟", "李娜", "张敏", "欧阳晓峰", ""}
	seen := make(map[string]int, 300_000)
	check := func(i int) {
		e := g.Email(names[i%len(names)], i)
		for k := 0; k < len(e); k++ {
			if e[k] >= utf8.RuneSelf || e[k] <= ' ' {
				t.Fatalf("Email(%d) = %q is not printable ASCII", i, e)
			}
		}
		at := strings.IndexByte(e, '@')
		if at <= 0 || strings.Count(e, "@") != 1 || !strings.Contains(e[at:], ".") || strings.HasPrefix(e, ".") {
			t.Fatalf("Email(%d) = %q is malformed", i, e)
		}
		if prev, ok := seen[e]; ok && prev != i {
			t.Fatalf("Email(%d) = Email(%d) = %q", prev, i, e)
		}
		seen[e] = i
	}
	for i := range 200_000 {
		check(i)
	}
	for i := 100_000_000 - 1000; i < 100_000_000+1000; i++ {
		check(i)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 50_000 {
		check(r.IntN(1 << 40))
	}
}

func TestRegionsAndAddresses(t *testing.T) {
	g := New(13)
	counts := map[string]int{}
	for range 20_000 {
		region := g.Region()
		counts[region]++
		ri, ok := regionIndex[region]
		if !ok {
			t.Fatalf("Region() = %q is unknown", region)
		}
		reg := regions[ri]
		c := g.City(region)
		if !slices.ContainsFunc(reg.cities, func(x city) bool { return x.name == c }) {
			t.Fatalf("City(%q) = %q is not in the region", region, c)
		}
		if c2 := g.City(reg.full); !slices.ContainsFunc(reg.cities, func(x city) bool { return x.name == c2 }) {
			t.Fatalf("City(%q) = %q is not in the region", reg.full, c2)
		}
		a := g.Address(region)
		if !strings.HasPrefix(a, reg.full) || !strings.Contains(a, " 号") {
			t.Fatalf("Address(%q) = %q", region, a)
		}
		if !reg.municipality && !strings.Contains(a, "市") {
			t.Fatalf("Address(%q) = %q has no city", region, a)
		}
	}
	if counts["广东"] < 5*counts["新疆"] || counts["浙江"] < counts["四川"] {
		t.Errorf("regions are not weighted toward the coast: %v", counts)
	}
	if c := g.City("火星"); c == "" {
		t.Error("City of an unknown region is empty")
	}
	t.Logf("sample addresses: %q, %q, %q", g.Address("浙江"), g.Address("北京"), g.Address("广西壮族自治区"))
}

func TestWeights(t *testing.T) {
	g := New(17)
	const n = 100_000
	count := func(f func() string) map[string]int {
		m := map[string]int{}
		for range n {
			m[f()]++
		}
		return m
	}
	near := func(what string, got int, pct float64) {
		t.Helper()
		want := pct * n / 100
		if d := float64(got) - want; d > 0.1*want+200 || d < -0.1*want-200 {
			t.Errorf("%s: %d of %d, want about %.0f", what, got, n, want)
		}
	}
	lv := count(g.Level)
	near("level A", lv["A"], 10)
	near("level B", lv["B"], 25)
	near("level C", lv["C"], 40)
	near("level D", lv["D"], 25)
	fk := count(g.FollowupKind)
	for _, w := range followupKinds {
		near("kind "+w.s, fk[w.s], float64(w.w))
	}
	gd := count(g.Gender)
	near("male", gd["male"], 55)
	if len(gd) != 2 {
		t.Errorf("Gender values: %v", gd)
	}
	src := count(g.Source)
	if len(src) != 6 {
		t.Errorf("Source values: %v", src)
	}
	ind := count(g.Industry)
	if len(ind) != 15 {
		t.Errorf("Industry values: %d", len(ind))
	}
	sn := map[string]int{}
	for range n {
		name := g.PersonName()
		if k := utf8.RuneCountInString(name); k < 2 || k > 4 {
			t.Fatalf("PersonName() = %q", name)
		}
		sn[string([]rune(name)[:1])]++
	}
	if sn["王"] < sn["郑"]*4 || sn["李"] < n/25 {
		t.Errorf("surname distribution looks wrong: 王 %d, 李 %d, 郑 %d", sn["王"], sn["李"], sn["郑"])
	}
	for range 1000 {
		if p, h := g.Position(), g.Hobby(); p == "" || h == "" {
			t.Fatal("empty position or hobby")
		}
	}
	if d := g.DepartmentNames(); len(d) < 5 || !slices.Contains(d, "大客户部") {
		t.Errorf("DepartmentNames() = %v", d)
	} else {
		d[0] = "changed"
		if g.DepartmentNames()[0] == "changed" {
			t.Error("DepartmentNames returns a shared slice")
		}
	}
}

func TestBirthday(t *testing.T) {
	g := New(19)
	loc := time.FixedZone("CST", 8*3600)
	nows := []time.Time{
		time.Date(2026, 3, 15, 10, 0, 0, 0, loc),
		time.Date(2024, 2, 29, 23, 59, 0, 0, loc),
		time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, now := range nows {
		minAge, maxAge := 100, 0
		for range 20_000 {
			b := g.Birthday(now)
			if b.Location() != now.Location() || b.Hour() != 0 || b.Minute() != 0 {
				t.Fatalf("Birthday(%v) = %v is not midnight in now's zone", now, b)
			}
			age := now.Year() - b.Year()
			if now.Month() < b.Month() || now.Month() == b.Month() && now.Day() < b.Day() {
				age--
			}
			minAge, maxAge = min(minAge, age), max(maxAge, age)
		}
		if minAge != 25 || maxAge != 60 {
			t.Errorf("Birthday(%v): ages %d..%d, want 25..60", now, minAge, maxAge)
		}
	}
}

func TestFollowupContent(t *testing.T) {
	g := New(23)
	for _, kind := range []string{"call", "visit", "meeting", "email", "wechat", "other", "unknown"} {
		seen := map[string]bool{}
		for range 200 {
			s := g.FollowupContent(kind)
			if !strings.HasSuffix(s, "。") || strings.Count(s, "。") != 1 || !strings.Contains(s, "，") {
				t.Fatalf("FollowupContent(%q) = %q", kind, s)
			}
			seen[s] = true
		}
		if len(seen) < 100 {
			t.Errorf("FollowupContent(%q): only %d distinct notes in 200", kind, len(seen))
		}
	}
	t.Logf("sample: %s", g.FollowupContent("call"))
}

func BenchmarkCompanyName(b *testing.B) {
	g := New(1)
	i := 0
	for b.Loop() {
		_ = g.CompanyName(i)
		i++
	}
}

func BenchmarkMobile(b *testing.B) {
	g := New(1)
	i := 0
	for b.Loop() {
		_ = g.Mobile(i)
		i++
	}
}

func BenchmarkEmail(b *testing.B) {
	g := New(1)
	i := 0
	for b.Loop() {
		_ = g.Email("王伟", i)
		i++
	}
}
