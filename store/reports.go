package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Reports (商业智能): every figure of the dashboard, the report pages, their
// exports and the JSON API is computed here, once. The definitions are in
// docs/reports.md and in the reports catalogue (shown as help text).
//
// Periods are local days of the company time zone (s.Location): "from" is
// the first instant of the from-day, the period ends at the first instant
// of the day after "to". Won and lost figures count by closed_at; open
// figures are the current state of opportunities created in the period;
// customers count by created_at, follow-ups by their time (at), pool moves
// by when they happened.

// ReportFilter is what every report takes. Empty From/To mean the current
// month up to today; an empty From alone the first of To's month, an empty
// To alone today.
type ReportFilter struct {
	From         string // YYYY-MM-DD, inclusive
	To           string // YYYY-MM-DD, inclusive
	DepartmentID int64
	OwnerID      int64
	PoolID       int64  // pool turnover only
	GroupBy      string // win rate only: owner, source or industry
	StuckDays    int    // sales cycle only: stuck after this many days in one stage
}

// MaxReportDays bounds a report period: ten years.
const MaxReportDays = 3660

// WinRateGroups are the groupings of the win-rate report.
var WinRateGroups = []string{"owner", "source", "industry"}

// scope is a validated filter: the period as unix seconds [start, end) and
// the owners whose records count (all = no restriction: an admin without a
// person filter).
type scope struct {
	start, end int64
	from, to   time.Time // local midnights of the first day and of the day after the last
	all        bool
	owners     []int64
	pools      []int64 // visible pools (all = every pool)
	personal   bool    // a department or owner filter narrows to people
	vis        *Visibility
}

// in restricts column col to the scope's owners.
func (sc *scope) in(col string) string {
	if sc.all {
		return "1"
	}
	return col + " IN (" + idList(sc.owners) + ")"
}

// closedIndex names the closed-deal index to walk: per owner for a scope
// of people (left alone, SQLite may prefer the company-wide index and read
// every deal of the period), the company-wide covering one otherwise (left
// alone, it may pick the older non-covering (status, closed_at) index and
// load each deal's row).
func (sc *scope) closedIndex() string {
	if sc.all {
		return "INDEXED BY opportunities_report_closed"
	}
	return "INDEXED BY opportunities_report_owner_closed"
}

// customerLookup joins each deal's customer through the narrow
// customers_report_lookup index (industry, source, creation) rather than
// the wide table rows.
const customerLookup = " JOIN customers c INDEXED BY customers_report_lookup ON c.id = o.customer_id"

// indexed names the index to walk: the company-wide one for a scope of
// everyone, the per-owner one for a list of people. SQLite, left alone,
// may walk an index that spares it a GROUP BY sort but reads a whole table.
func (sc *scope) indexed(all, perOwner string) string {
	if sc.all {
		return " INDEXED BY " + all + " "
	}
	return " INDEXED BY " + perOwner + " "
}

// poolIn restricts column col to the visible pools.
func (sc *scope) poolIn(col string) string {
	if sc.vis.All {
		return "1"
	}
	return col + " IN (" + idList(sc.pools) + ")"
}

// localDay parses YYYY-MM-DD as a local midnight.
func (s *Store) localDay(v string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", v, s.Location)
	return t, err == nil
}

// DefaultPeriod is the current month up to today, as YYYY-MM-DD.
func (s *Store) DefaultPeriod() (from, to string) {
	now := s.now().In(s.Location)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, s.Location)
	return first.Format("2006-01-02"), now.Format("2006-01-02")
}

// FillPeriod fills what the filter leaves empty: both, the current month
// up to today; from alone, the first of to's month; to alone, today (or
// from, when later). Links and exports then carry explicit dates.
func (s *Store) FillPeriod(from, to string) (string, string) {
	defFrom, defTo := s.DefaultPeriod()
	switch {
	case from == "" && to == "":
		return defFrom, defTo
	case from == "":
		if t, ok := s.localDay(to); ok {
			from = t.AddDate(0, 0, 1-t.Day()).Format("2006-01-02")
		}
	case to == "":
		to = max(from, defTo)
	}
	return from, to
}

// reportScope validates f for u: dates, the department and the person must
// be ones u may see (an invisible one is refused like an unknown one).
func (s *Store) reportScope(ctx context.Context, u *User, f *ReportFilter) (*scope, error) {
	fe := fieldErrors{}
	f.From, f.To = s.FillPeriod(f.From, f.To)
	from, okFrom := s.localDay(f.From)
	to, okTo := s.localDay(f.To)
	switch {
	case !okFrom:
		fe.add("from", "err.report_date")
	case !okTo:
		fe.add("to", "err.report_date")
	case to.Before(from):
		fe.add("to", "err.report_range")
	case to.Sub(from) > MaxReportDays*24*time.Hour:
		fe.add("to", "err.report_too_long", "Max", MaxReportDays)
	}
	if f.GroupBy != "" && !containsString(WinRateGroups, f.GroupBy) {
		fe.add("group_by", "err.report_group")
	}
	if f.StuckDays < 0 {
		fe.add("stuck_days", "err.report_number")
	}
	v, err := s.VisibilityFor(ctx, u)
	if err != nil {
		return nil, err
	}
	sc := &scope{all: v.All, owners: v.OwnerIDs, pools: v.PoolIDs, vis: v}
	if f.DepartmentID > 0 {
		members, err := s.int64s(ctx, `WITH RECURSIVE sub(id) AS (
				SELECT id FROM departments WHERE id = ? UNION ALL SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id)
			SELECT u.id FROM users u WHERE u.department_id IN (SELECT id FROM sub) ORDER BY u.id`, f.DepartmentID)
		if err != nil {
			return nil, err
		}
		visible := visibleOf(v, members)
		if ok, _ := s.departmentExists(ctx, f.DepartmentID); !ok || (!v.All && len(visible) == 0) {
			fe.add("department_id", "err.report_department")
		}
		sc.all, sc.owners, sc.personal = false, visible, true
	}
	if f.OwnerID > 0 {
		if !v.CanSeeOwner(f.OwnerID) || (f.DepartmentID > 0 && !containsID(sc.owners, f.OwnerID)) || !s.userExists(ctx, f.OwnerID) {
			fe.add("owner_id", "err.report_owner")
		}
		sc.all, sc.owners, sc.personal = false, []int64{f.OwnerID}, true
	}
	if f.PoolID > 0 && !v.CanSeePool(f.PoolID) {
		fe.add("pool_id", "err.report_pool")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	sc.from, sc.to = from, to.AddDate(0, 0, 1)
	sc.start, sc.end = sc.from.Unix(), sc.to.Unix()
	return sc, nil
}

func visibleOf(v *Visibility, ids []int64) []int64 {
	if v.All {
		return ids
	}
	out := []int64{}
	for _, id := range ids {
		if containsID(v.OwnerIDs, id) {
			out = append(out, id)
		}
	}
	return out
}

func (s *Store) departmentExists(ctx context.Context, id int64) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM departments WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

func (s *Store) userExists(ctx context.Context, id int64) bool {
	var n int
	_ = s.r.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = ?`, id).Scan(&n)
	return n > 0
}

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// rate is part/whole, nil when whole is 0 (an empty period has no rate).
func rate(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	r := float64(part) / float64(whole)
	return &r
}

// meanMedian returns the mean and median of xs, nil for none.
func meanMedian(xs []float64) (mean, median *float64) {
	if len(xs) == 0 {
		return nil, nil
	}
	sorted := append([]float64(nil), xs...)
	sort.Float64s(sorted)
	sum := 0.0
	for _, x := range sorted {
		sum += x
	}
	m := sum / float64(len(sorted))
	mid := len(sorted) / 2
	med := sorted[mid]
	if len(sorted)%2 == 0 {
		med = (sorted[mid-1] + sorted[mid]) / 2
	}
	return &m, &med
}

// Bucket is one step of a trend: [Start, End) as local midnights.
type Bucket struct {
	Label string    `json:"label"`
	From  string    `json:"from"` // YYYY-MM-DD, inclusive
	To    string    `json:"to"`   // YYYY-MM-DD, inclusive
	start time.Time // local midnight
	end   time.Time
}

// buckets cuts [from, to) into local days (up to 31 days), ISO weeks (up
// to 26 weeks) or calendar months, clipped to the period.
func buckets(from, to time.Time) []Bucket {
	days := int(to.Sub(from).Hours()/24 + 0.5)
	next := func(t time.Time) time.Time { return t.AddDate(0, 1, 1-t.Day()) }
	label := func(t time.Time) string { return t.Format("2006-01") }
	switch {
	case days <= 31:
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
		label = func(t time.Time) string { return t.Format("01-02") }
	case days <= 26*7:
		next = func(t time.Time) time.Time {
			wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
			return t.AddDate(0, 0, 7-wd)
		}
		label = func(t time.Time) string { return t.Format("01-02") }
	}
	var out []Bucket
	for t := from; t.Before(to); {
		n := next(t)
		if n.After(to) {
			n = to
		}
		out = append(out, Bucket{Label: label(t), From: t.Format("2006-01-02"), To: n.AddDate(0, 0, -1).Format("2006-01-02"), start: t, end: n})
		t = n
	}
	return out
}

// bucketValues is a VALUES list (i, lo, hi) of bounds for SQL that counts
// per bucket with one index range per bucket.
func bucketValues(bounds [][2]int64) string {
	parts := make([]string, len(bounds))
	for i, b := range bounds {
		parts[i] = "(" + itoa(int64(i)) + "," + itoa(b[0]) + "," + itoa(b[1]) + ")"
	}
	return strings.Join(parts, ",")
}

// instants are the buckets' bounds as unix seconds.
func instants(bs []Bucket) [][2]int64 {
	out := make([][2]int64, len(bs))
	for i, b := range bs {
		out[i] = [2]int64{b.start.Unix(), b.end.Unix()}
	}
	return out
}

func itoa(n int64) string { return idList([]int64{n}) }

// sortBy sorts xs with less, stably.
func sortBy[T any](xs []T, less func(a, b T) bool) {
	sort.SliceStable(xs, func(i, j int) bool { return less(xs[i], xs[j]) })
}

// dayRange adds col >= the start of local day from and col < the end of
// local day to (each when it is a valid date) to a list of conditions: the
// list filters that report drill-downs link to.
func (s *Store) dayRange(col, from, to string, conds []string, args []any) ([]string, []any) {
	if t, ok := s.localDay(from); ok {
		conds, args = append(conds, col+" >= ?"), append(args, t.Unix())
	}
	if t, ok := s.localDay(to); ok {
		conds, args = append(conds, col+" < ?"), append(args, t.AddDate(0, 0, 1).Unix())
	}
	return conds, args
}

// reportStages lists the stages in order without Stages' in-use counts
// (a count over every opportunity the reports do not need).
func (s *Store) reportStages(ctx context.Context, lang string) ([]*Stage, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name_zh, name_en, position, probability, kind FROM stages ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("store: report stages: %w", err)
	}
	defer rows.Close()
	out := []*Stage{}
	for rows.Next() {
		var st Stage
		if err := rows.Scan(&st.ID, &st.NameZH, &st.NameEN, &st.Position, &st.Probability, &st.Kind); err != nil {
			return nil, err
		}
		st.Localize(lang)
		out = append(out, &st)
	}
	return out, rows.Err()
}

// userNames loads the names of ids in one query.
func (s *Store) userNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, name FROM users WHERE id IN (`+idList(ids)+`)`)
	if err != nil {
		return nil, fmt.Errorf("store: user names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}
