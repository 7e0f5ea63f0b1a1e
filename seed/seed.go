// Package seed generates deterministic, realistic Chinese demo data for Tide:
// company and person names, mobile numbers, e-mail addresses, regions and
// addresses, follow-up notes and the like. It uses only the standard library
// and never touches a database.
//
// A Gen is seeded with a uint64; two Gens with the same seed produce the same
// data when their methods are called in the same order. The indexed methods
// (CompanyName, Mobile, Email) are pure functions of the seed and their
// arguments: they do not consume the random stream, so they can be called in
// any order and give values that are unique per index. A Gen is not safe for
// concurrent use; give each goroutine its own (the indexed methods of Gens
// with the same seed agree).
package seed

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Gen is a deterministic demo-data generator. Create one with New.
type Gen struct {
	r   *rand.Rand
	key uint64 // keys the hashes used by the indexed methods

	shortPerm perm // company names without a second brand word
	longPerm  perm // company names with a second brand word
	mobPerm   perm // mobile numbers over all prefixes
	restPerm  perm // last eight digits of a mobile number
	mailPerm  perm // e-mail numbers
}

// New returns a generator whose whole output is determined by seed.
func New(seed uint64) *Gen {
	s := seed
	g := &Gen{
		r:   rand.New(rand.NewPCG(splitmix(&s), splitmix(&s))),
		key: splitmix(&s),
	}
	g.shortPerm = newPerm(companyShortCap, splitmix(&s))
	g.longPerm = newPerm(companyLongCap, splitmix(&s))
	g.mobPerm = newPerm(mobileCap, splitmix(&s))
	g.restPerm = newPerm(1e8, splitmix(&s))
	g.mailPerm = newPerm(1e8, splitmix(&s))
	return g
}

// Sizes of the company-name space (see CompanyName).
var (
	nCity  = uint64(len(companyCities))
	nBrand = uint64(len(brandWords))
	nInd   = uint64(len(industryWords))

	// companyShortCap names have one brand word, companyLongCap two.
	companyShortCap = nCity * nBrand * nInd
	companyLongCap  = nCity * nBrand * (nBrand - 1) * nInd
	// companyCap is the number of distinct names before CompanyName starts
	// appending a number.
	companyCap = companyShortCap + companyLongCap
)

// Precomputed weighted tables.
var (
	legalTable    = newTable(legalForms)
	surnameTable  = newTable(surnames)
	industryTable = newTable(industries)
	levelTable    = newTable(levels)
	sourceTable   = newTable(sources)
	positionTable = newTable(positions)
	kindTable     = newTable(followupKinds)
	regionTable   table
	regionIndex   = map[string]int{}
	cityTables    []table
)

// Mobile-number space: prefix j owns the numbers [mobileStart[j],
// mobileStart[j+1]) of [0, mobileCap).
var (
	mobileStart []uint64
	mobileCap   uint64
)

func init() {
	ws := make([]weighted, len(regions))
	for i, r := range regions {
		ws[i] = weighted{r.short, r.w}
		regionIndex[r.short] = i
		regionIndex[r.full] = i
		cs := make([]weighted, len(r.cities))
		for j, c := range r.cities {
			cs[j] = weighted{c.name, c.w}
		}
		cityTables = append(cityTables, newTable(cs))
	}
	regionTable = newTable(ws)

	for _, p := range mobilePrefixes {
		mobileStart = append(mobileStart, mobileCap)
		mobileCap += uint64(p.w) * 1e7
	}
	mobileStart = append(mobileStart, mobileCap)
}

// table picks strings by weight.
type table struct {
	items []string
	cum   []int // cum[i] is the sum of the weights of items[:i+1]
}

func newTable(ws []weighted) table {
	t := table{items: make([]string, len(ws)), cum: make([]int, len(ws))}
	sum := 0
	for i, w := range ws {
		sum += w.w
		t.items[i] = w.s
		t.cum[i] = sum
	}
	return t
}

// index returns the index of the item that covers x in [0, total).
func (t *table) index(x int) int {
	lo, hi := 0, len(t.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if t.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

func (t *table) total() int { return t.cum[len(t.cum)-1] }

// pick draws an item using r.
func (t *table) pick(r *rand.Rand) string { return t.items[t.index(r.IntN(t.total()))] }

// pickIndex draws an item index using r.
func (t *table) pickIndex(r *rand.Rand) int { return t.index(r.IntN(t.total())) }

// hashed picks an item deterministically from the hash h.
func (t *table) hashed(h uint64) string { return t.items[t.index(int(h%uint64(t.total())))] }

// pickFrom returns a uniformly chosen element of list.
func pickFrom(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// checkIndex panics on a negative index.
func checkIndex(fn string, i int) uint64 {
	if i < 0 {
		panic("seed: " + fn + " called with negative index " + strconv.Itoa(i))
	}
	return uint64(i)
}

// CompanyName returns the company name with index i, such as
// "杭州云帆网络科技有限公司" or "苏州恒达启明精密制造股份有限公司": a city, one or
// two brand words, an industry word and a legal form (有限公司, 有限责任公司,
// 股份有限公司, 集团有限公司, 工作室).
//
// Names are distinct for distinct i ≥ 0, and they stay distinct when spaces,
// punctuation and legal forms are stripped from the end (as duplicate
// detection does): the part before the legal form is a mixed-radix encoding
// of a keyed permutation of i over city × brand × (no brand | other brand) ×
// industry word, which the word lists make uniquely decodable. About a third
// of the first million indices get a single brand word; there are more than
// 40 million such parts, and beyond them a number is appended before the
// legal form ("…科技2有限公司"). It panics if i is negative.
func (g *Gen) CompanyName(i int) string {
	u := checkIndex("CompanyName", i)
	var cityI, b1, ind uint64
	b2 := -1
	var extra uint64
	if u%3 == 0 && u/3 < companyShortCap {
		x := g.shortPerm.apply(u / 3)
		ind, x = x%nInd, x/nInd
		b1, cityI = x%nBrand, x/nBrand
	} else {
		raw := u - min((u+2)/3, companyShortCap)
		extra = raw / companyLongCap
		x := g.longPerm.apply(raw % companyLongCap)
		ind, x = x%nInd, x/nInd
		j := x % (nBrand - 1)
		x /= nBrand - 1
		b1, cityI = x%nBrand, x/nBrand
		// The second brand word is any word but the first.
		if j >= b1 {
			j++
		}
		b2 = int(j)
	}
	iw := industryWords[ind]
	legal := legalTable.hashed(mix64(u ^ g.key))
	if legal == "工作室" && !iw.studio {
		legal = "有限公司"
	}

	var b strings.Builder
	b.Grow(64)
	b.WriteString(companyCities[cityI])
	b.WriteString(brandWords[b1])
	if b2 >= 0 {
		b.WriteString(brandWords[b2])
	}
	b.WriteString(iw.s)
	if extra > 0 {
		var num [20]byte
		b.Write(strconv.AppendUint(num[:0], extra+1, 10))
	}
	b.WriteString(legal)
	return b.String()
}

// PersonName returns a Chinese personal name of a random gender, such as
// "王晓峰": a surname drawn by its real-world frequency (王, 李, 张, 刘 and 陈
// are the most common; a few compound surnames such as 欧阳 occur) and a one-
// or two-character given name.
func (g *Gen) PersonName() string {
	return g.PersonNameFor(g.Gender())
}

// PersonNameFor is PersonName with given-name characters typical of gender
// ("male" or "female"; anything else is treated as "male").
func (g *Gen) PersonNameFor(gender string) string {
	pool := givenMale
	if gender == "female" {
		pool = givenFemale
	}
	name := surnameTable.pick(g.r)
	switch n := g.r.IntN(100); {
	case n < 25: // single-character given name
		return name + pickFrom(g.r, pool)
	case n < 60:
		return name + pickFrom(g.r, givenLead) + pickFrom(g.r, pool)
	default:
		return name + pickFrom(g.r, pool) + pickFrom(g.r, pool)
	}
}

// Gender returns "male" (55%) or "female" (45%).
func (g *Gen) Gender() string {
	if g.r.IntN(100) < 55 {
		return "male"
	}
	return "female"
}

// Mobile returns the 11-digit mainland mobile number with index i, such as
// "13812345678", with a real operator prefix (134–139, 150–152, 158, 159,
// 130–132, 186, 133, 153, 189, 199, …; the common ones more often).
//
// Numbers are distinct for i in [0, 1.62×10⁹): a keyed permutation of i picks
// a prefix (each prefix owns a slice of the space proportional to its
// weight) and an offset within it, and a second permutation of [0, 10⁸)
// spreads the offset over the last eight digits. Larger i wrap around. It
// panics if i is negative.
func (g *Gen) Mobile(i int) string {
	u := checkIndex("Mobile", i) % mobileCap
	y := g.mobPerm.apply(u)
	lo, hi := 0, len(mobilePrefixes)-1
	for lo < hi { // last j with mobileStart[j] <= y
		mid := (lo + hi + 1) / 2
		if mobileStart[mid] <= y {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	rest := g.restPerm.apply(y - mobileStart[lo])
	var buf [11]byte
	copy(buf[:3], mobilePrefixes[lo].p)
	for k := 10; k >= 3; k-- {
		buf[k] = byte('0' + rest%10)
		rest /= 10
	}
	return string(buf[:])
}

// Email returns an ASCII e-mail address for the contact with index i, such
// as "sales.3840271@brightway.com.cn", "market_9920135@163.com" or
// "28419307@qq.com". Addresses are distinct for distinct i ≥ 0: the local
// part ends with a number that is a keyed permutation of i (i itself beyond
// 10⁸), and everything before that number is digit-free. name only
// influences the style of the address; it is never transliterated. It panics
// if i is negative.
func (g *Gen) Email(name string, i int) string {
	u := checkIndex("Email", i)
	var n uint64
	if u < 1e8 {
		n = g.mailPerm.apply(u) + 100000
	} else {
		n = u + 100000
	}
	h := mix64(g.key ^ mix64(u) ^ fnv64(name))
	var b strings.Builder
	b.Grow(40)
	style := h % 10
	h /= 10
	if style < 3 { // a QQ number
		b.WriteString(strconv.FormatUint(n, 10))
		b.WriteString("@qq.com")
		return b.String()
	}
	role := emailRoles[1+h%uint64(len(emailRoles)-1)]
	h /= uint64(len(emailRoles))
	sep := emailSeps[h%uint64(len(emailSeps))]
	h /= uint64(len(emailSeps))
	b.WriteString(role)
	b.WriteString(sep)
	b.WriteString(strconv.FormatUint(n, 10))
	b.WriteByte('@')
	if style < 6 {
		b.WriteString(emailPublic[h%uint64(len(emailPublic))])
	} else {
		b.WriteString(emailCorpDomain[h%uint64(len(emailCorpDomain))])
		h /= uint64(len(emailCorpDomain))
		b.WriteString(emailCorpTLDs[h%uint64(len(emailCorpTLDs))])
	}
	return b.String()
}

// fnv64 is the 64-bit FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Industry returns a customer industry such as 制造业, 互联网 or 专业服务
// (15 in all, manufacturing the most common).
func (g *Gen) Industry() string { return industryTable.pick(g.r) }

// Region returns a province-level region by its everyday name (北京, 上海,
// 广东, 浙江, 江苏, 四川, …), weighted toward the coastal provinces.
func (g *Gen) Region() string { return regionTable.pick(g.r) }

// regionFor returns the region called name (everyday or full name), or a
// random one if name is unknown.
func (g *Gen) regionFor(name string) int {
	if i, ok := regionIndex[name]; ok {
		return i
	}
	return regionTable.pickIndex(g.r)
}

// City returns a city of region, without 市 (杭州, 深圳; for a
// municipality the municipality itself). region may be the everyday or the
// full name (浙江 or 浙江省); for an unknown region a random region's city is
// returned.
func (g *Gen) City(region string) string {
	return cityTables[g.regionFor(region)].pick(g.r)
}

// Address returns a street address in region, such as
// "浙江省杭州市西湖区文三路 88 号" or "北京市朝阳区建设路 16 号国际大厦 1203 室".
// region is interpreted as by City.
func (g *Gen) Address(region string) string {
	ri := g.regionFor(region)
	reg := &regions[ri]
	c := &reg.cities[cityTables[ri].pickIndex(g.r)]
	var b strings.Builder
	b.Grow(96)
	b.WriteString(reg.full)
	if !reg.municipality {
		b.WriteString(c.name)
		b.WriteString("市")
	}
	b.WriteString(pickFrom(g.r, c.districts))
	b.WriteString(pickFrom(g.r, streets))
	num := 1 + g.r.IntN(300)
	if g.r.IntN(5) == 0 {
		num = 1 + g.r.IntN(999)
	}
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(num))
	b.WriteString(" 号")
	if g.r.IntN(100) < 35 {
		b.WriteString(pickFrom(g.r, buildings))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa((2+g.r.IntN(28))*100 + 1 + g.r.IntN(20)))
		b.WriteString(" 室")
	}
	return b.String()
}

// Level returns a customer level: "A" (10%), "B" (25%), "C" (40%) or "D"
// (25%).
func (g *Gen) Level() string { return levelTable.pick(g.r) }

// Source returns a lead source: 官网, 展会, 转介绍, 广告, 电话营销 or 线上活动.
func (g *Gen) Source() string { return sourceTable.pick(g.r) }

// Position returns a contact's job title such as 总经理, 采购经理, 技术总监,
// 财务, 行政主管 or 销售总监.
func (g *Gen) Position() string { return positionTable.pick(g.r) }

// Hobby returns a hobby such as 羽毛球, 茶道, 钓鱼 or 高尔夫.
func (g *Gen) Hobby() string { return pickFrom(g.r, hobbies) }

// Birthday returns a birth date, at midnight in now's location, of someone
// aged 25 to 60 (inclusive) on now's date; middle ages are more likely.
func (g *Gen) Birthday(now time.Time) time.Time {
	y, m, d := now.Date()
	// Latest: 25 years ago today (28 February for someone asked on 29
	// February); earliest: 61 years ago tomorrow.
	latest := time.Date(y-25, m, d, 0, 0, 0, 0, time.UTC)
	if latest.Day() != d {
		latest = latest.AddDate(0, 0, -latest.Day())
	}
	earliest := time.Date(y-61, m, d+1, 0, 0, 0, 0, time.UTC)
	span := int(latest.Sub(earliest) / (24 * time.Hour))
	k := (g.r.IntN(span+1) + g.r.IntN(span+1)) / 2
	b := earliest.AddDate(0, 0, k)
	return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, now.Location())
}

// FollowupContent returns a one-sentence follow-up note for kind (call,
// visit, meeting, email, wechat or other; anything else is treated as
// other), such as "电话沟通了报价，客户希望下周安排技术交流。". It is composed of
// what was done, often the customer's reaction, and the next step.
func (g *Gen) FollowupContent(kind string) string {
	openers, ok := followupOpeners[kind]
	if !ok {
		openers = followupOpeners["other"]
	}
	var b strings.Builder
	b.Grow(128)
	b.WriteString(pickFrom(g.r, openers))
	b.WriteString("，")
	if g.r.IntN(100) < 60 {
		b.WriteString(pickFrom(g.r, followupMiddles))
		b.WriteString("，")
	}
	b.WriteString(pickFrom(g.r, followupNext))
	b.WriteString("。")
	return b.String()
}

// FollowupKind returns a follow-up kind: call (40%), wechat (25%), visit
// (15%), meeting (10%), email (8%) or other (2%).
func (g *Gen) FollowupKind() string { return kindTable.pick(g.r) }

// DepartmentNames returns the names of the demo sales departments (华东销售部,
// 华南销售部, 华北销售部, …, 大客户部, 渠道部, …) in a fixed order. The slice is
// a fresh copy; it does not consume randomness.
func (g *Gen) DepartmentNames() []string {
	return append([]string(nil), departmentNames...)
}

// Intn returns a uniform random int in [0, n). It panics if n <= 0.
func (g *Gen) Intn(n int) int { return g.r.IntN(n) }
