package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CustomerQuery is the customer list's filters, sort and page.
type CustomerQuery struct {
	Q              string // name, phone, email or a contact's name/phone
	Tag            string
	Owner          string // "", "me" or a user id
	PoolID         int64  // customers in this pool instead of owned ones
	Status         string
	Level          string
	Source         string
	Region         string
	NoFollowupDays int  // no follow-up for at least this many days
	FollowupDue    bool // next follow-up due by the end of today
	Sort           string
	Page           int    // 1-based, for OFFSET paging (API)
	PerPage        int    // at most MaxPerPage
	Cursor         string // keyset paging (UI), wins over Page
	Industry       string
	CreatedFrom    string // YYYY-MM-DD local, inclusive (report drill-down)
	CreatedTo      string // YYYY-MM-DD local, inclusive
	DepartmentID   int64  // owned by people in this department or below (InDepartment)
}

// Sort orders the customer list offers.
var CustomerSorts = []string{"created", "name", "last_followup"}

// MaxPerPage bounds one page; DefaultPerPage is a page when none is asked.
const (
	MaxPerPage     = 200
	DefaultPerPage = 50
)

// countCap bounds the exact count: past it a list says "1,000+" instead
// of counting on every page load. Counting costs a row lookup per visible
// match: a manager's list of 300,000 customers needs ~30,000 lookups to
// count to 10,000, which alone overruns the 50 ms budget of a page.
const countCap = 1000

// walkBudgets are how many rows of the sort order a list walks, in turn,
// before leaving it to the filters' indexes (see ListCustomers).
var walkBudgets = []int{4000, 50000}

// CustomerPage is one page of a customer list.
type CustomerPage struct {
	Items       []*Customer `json:"items"`
	Total       int         `json:"total"`
	TotalCapped bool        `json:"total_capped"`
	Page        int         `json:"page"`
	PerPage     int         `json:"per_page"`
	NextCursor  string      `json:"next_cursor,omitempty"`
}

// ListCustomers returns one page of the customers u may see. Without a
// search it lists owned customers (their own, their team's, or everyone's
// by role); a search also finds customers in pools u may see; PoolID lists
// one pool, which must be visible.
//
// The (capped) count comes first, because how many match decides how the
// page is best fetched, and SQLite's planner cannot decide it (it does not
// cost the early stop of ORDER BY … LIMIT, so it prefers reading and
// sorting every match through a filter's index):
//   - many matches, for more than a few owners: walk the sort order's index
//     and test each row, which finds a page after a few hundred rows. The
//     walk is bounded (walkBudgets) so that a filter that is rare among
//     the newest rows cannot make it read the whole table.
//   - few matches, or one salesperson's customers: let the planner fetch
//     them through the filters' indexes and sort them.
//   - a search with the default sort: walk the search index newest first.
func (s *Store) ListCustomers(ctx context.Context, u *User, q CustomerQuery) (*CustomerPage, error) {
	v, err := s.VisibilityFor(ctx, u)
	if err != nil {
		return nil, err
	}
	if q.DepartmentID > 0 {
		if v, err = s.InDepartment(ctx, v, q.DepartmentID); err != nil {
			return nil, err
		}
	}
	f, err := s.customerFilter(v, u, q)
	if err != nil {
		return nil, err
	}
	if q.PerPage <= 0 {
		q.PerPage = DefaultPerPage
	}
	q.PerPage = min(q.PerPage, MaxPerPage)
	q.Page = max(q.Page, 1)
	page := &CustomerPage{Items: []*Customer{}, Page: q.Page, PerPage: q.PerPage}
	err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+f.from(false)+` WHERE `+f.where(false)+` LIMIT ?)`,
		append(f.args(false), countCap+1)...).Scan(&page.Total)
	if err != nil {
		return nil, fmt.Errorf("store: count customers: %w", err)
	}
	if page.Total > countCap {
		page.Total, page.TotalCapped = countCap, true
	}

	order, keyset, kargs := sortClause(q.Sort, q.Cursor)
	switch {
	case f.fts != "" && (q.Sort == "" || q.Sort == "created"):
		order = "s.rowid DESC"
		if keyset != "" {
			keyset = "s.rowid < ?" // the search index starts at the cursor
		}
	case f.fts == "" && page.TotalCapped && !f.scoped && q.Page == 1:
		idx, expr, desc := walkIndex(q.Sort)
		for _, budget := range walkBudgets {
			bound, err := s.walkBound(ctx, q.Sort, idx, expr, order, keyset, kargs, budget)
			if err != nil {
				return nil, err
			}
			where, args := f.where(true), f.args(true)
			if bound != nil {
				op := " <= ?" // ascending: up to the bound
				if desc {
					op = " >= ?"
				}
				where += " AND " + expr + op
				args = append(args, bound)
			}
			items, err := s.listPage(ctx, "customers c "+idx, where, args, keyset, kargs, order, q)
			if err != nil {
				return nil, err
			}
			if len(items) > q.PerPage || bound == nil {
				return finishPage(page, items, q), nil
			}
		}
	}
	items, err := s.listPage(ctx, f.from(false), f.where(false), f.args(false), keyset, kargs, order, q)
	if err != nil {
		return nil, err
	}
	return finishPage(page, items, q), nil
}

// listPage runs one page query.
func (s *Store) listPage(ctx context.Context, from, where string, args []any, keyset string, kargs []any, order string, q CustomerQuery) ([]*Customer, error) {
	args = append([]any{}, args...)
	if keyset != "" {
		where += " AND " + keyset
		args = append(args, kargs...)
	}
	query := `SELECT ` + customerCols + ` FROM ` + from + customerJoinsOnly + ` WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ?`
	args = append(args, q.PerPage+1)
	if q.Cursor == "" && q.Page > 1 {
		query += ` OFFSET ?`
		args = append(args, (q.Page-1)*q.PerPage)
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	defer rows.Close()
	items := []*Customer{}
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, c)
	}
	return items, rows.Err()
}

func finishPage(page *CustomerPage, items []*Customer, q CustomerQuery) *CustomerPage {
	page.Items = items
	if len(items) > q.PerPage {
		page.Items = items[:q.PerPage]
		page.NextCursor = cursorFor(q.Sort, page.Items[len(page.Items)-1])
	}
	return page
}

// customerJoinsOnly is customerJoins without its FROM.
const customerJoinsOnly = `
	LEFT JOIN users ou ON ou.id = c.owner_id
	LEFT JOIN pools p ON p.id = c.pool_id
	LEFT JOIN users pu ON pu.id = c.previous_owner_id`

// walkIndex names the index that walks a sort order and the expression
// it is ordered by.
func walkIndex(sort string) (idx, expr string, desc bool) {
	switch sort {
	case "name":
		return "INDEXED BY customers_name", "c.name", false
	case "last_followup":
		return "INDEXED BY customers_last_followup_sort", "COALESCE(c.last_followup_at, 0)", true
	}
	return "NOT INDEXED", "c.id", true
}

// walkBound returns the sort value budget rows along the sort order from
// the cursor, or nil when fewer rows remain.
func (s *Store) walkBound(ctx context.Context, sort, idx, expr, order, keyset string, kargs []any, budget int) (any, error) {
	if sort != "name" && sort != "last_followup" {
		// Newest first: ids are dense enough to count back from the start.
		var start int64
		if len(kargs) == 1 {
			start, _ = kargs[0].(int64)
		} else if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) + 1 FROM customers`).Scan(&start); err != nil {
			return nil, fmt.Errorf("store: list bound: %w", err)
		}
		if start-int64(budget) <= 1 {
			return nil, nil
		}
		return start - int64(budget), nil
	}
	query := `SELECT ` + expr + ` FROM customers c ` + idx + ` WHERE c.deleted_at IS NULL`
	args := []any{}
	if keyset != "" {
		query += ` AND ` + keyset
		args = append(args, kargs...)
	}
	var bound any
	err := s.r.QueryRowContext(ctx, query+` ORDER BY `+order+` LIMIT 1 OFFSET ?`, append(args, budget)...).Scan(&bound)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: list bound: %w", err)
	}
	return bound, nil
}

// EachCustomer calls fn for every customer matching q that u may see, in
// the query's order, reading in batches so an export of 100,000 rows uses
// little memory. It is what exports use, so they obey the same visibility.
func (s *Store) EachCustomer(ctx context.Context, u *User, q CustomerQuery, fn func(*Customer) error) error {
	q.PerPage, q.Cursor, q.Page = MaxPerPage, "", 0
	for {
		page, err := s.ListCustomers(ctx, u, q)
		if err != nil {
			return err
		}
		for _, c := range page.Items {
			if err := fn(c); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		q.Cursor = page.NextCursor
	}
}

// customerFilter is a list's FROM and WHERE, in two forms: for fetching
// through the filters' indexes (and counting), and for walking a sort
// order (walk), which differ in how a tag is tested.
type customerFilter struct {
	base   string // customers c, or the search index joined to it
	fts    string // the search index, when searching one
	conds  []string
	cargs  []any
	tag    string
	scoped bool // one or a few owners' customers: start from them
}

// from drives a tag filter from the tag's index, unless the rows are
// walked, few owners are visible or a search index leads.
func (f *customerFilter) from(walk bool) string {
	if f.tag != "" && !walk && !f.scoped && f.fts == "" {
		return "customer_tags ct JOIN customers c ON c.id = ct.customer_id"
	}
	return f.base
}

func (f *customerFilter) where(walk bool) string {
	conds := f.conds
	if f.tag != "" {
		cond := "EXISTS (SELECT 1 FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.customer_id = c.id AND t.name = ?)"
		if f.from(walk) != f.base {
			cond = "ct.tag_id = (SELECT id FROM tags WHERE name = ?)"
		}
		conds = append(conds[:len(conds):len(conds)], cond)
	}
	return strings.Join(conds, " AND ")
}

func (f *customerFilter) args(bool) []any {
	a := append([]any{}, f.cargs...)
	if f.tag != "" {
		a = append(a, f.tag)
	}
	return a
}

// customerFilter turns the filters into FROM and WHERE for alias c.
func (s *Store) customerFilter(v *Visibility, u *User, q CustomerQuery) (*customerFilter, error) {
	f := &customerFilter{base: "customers c", conds: []string{"c.deleted_at IS NULL"}, tag: q.Tag}
	switch {
	case q.PoolID > 0:
		if !v.CanSeePool(q.PoolID) {
			return nil, ErrNotFound
		}
		f.conds = append(f.conds, "c.pool_id = ?")
		f.cargs = append(f.cargs, q.PoolID)
	case strings.TrimSpace(q.Q) != "":
		f.conds = append(f.conds, v.anyClause())
	default:
		f.conds = append(f.conds, v.ownedClause())
		f.scoped = !v.All && len(v.OwnerIDs) <= 3
	}
	if q.DepartmentID > 0 && (q.PoolID > 0 || strings.TrimSpace(q.Q) != "") {
		// Only what the department's people own (the default list is
		// owned customers already): none in a pool.
		f.conds = append(f.conds, v.ownedClause())
	}
	if table, match, cond, arg := searchSource(q.Q); table != "" {
		f.fts, f.base = table, table+" s JOIN customers c ON c.id = s.rowid"
		f.conds = append(f.conds, "s."+table+" MATCH ?")
		f.cargs = append(f.cargs, match)
	} else if cond != "" {
		f.conds = append(f.conds, cond)
		f.cargs = append(f.cargs, arg)
	}
	switch q.Owner {
	case "":
	case "me":
		f.conds = append(f.conds, "c.owner_id = ?")
		f.cargs = append(f.cargs, u.ID)
		f.scoped = true
	default:
		id, err := strconv.ParseInt(q.Owner, 10, 64)
		if err != nil {
			return nil, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"owner": M("err.user_unknown")}}
		}
		f.conds = append(f.conds, "c.owner_id = ?")
		f.cargs = append(f.cargs, id)
		f.scoped = true
	}
	for _, fl := range []struct{ col, val string }{{"status", q.Status}, {"level", q.Level}, {"source", q.Source}, {"region", q.Region}, {"industry", q.Industry}} {
		if fl.val != "" {
			f.conds = append(f.conds, "c."+fl.col+" = ?")
			f.cargs = append(f.cargs, fl.val)
		}
	}
	f.conds, f.cargs = s.dayRange("c.created_at", q.CreatedFrom, q.CreatedTo, f.conds, f.cargs)
	now := s.now()
	if q.NoFollowupDays > 0 {
		f.conds = append(f.conds, "(c.last_followup_at IS NULL OR c.last_followup_at < ?)")
		f.cargs = append(f.cargs, now.AddDate(0, 0, -q.NoFollowupDays).Unix())
	}
	if q.FollowupDue {
		f.conds = append(f.conds, "c.next_followup_at IS NOT NULL AND c.next_followup_at < ?")
		f.cargs = append(f.cargs, endOfDay(now, s.Location).Unix())
	}
	return f, nil
}

// endOfDay is the first instant of the next calendar day in loc.
func endOfDay(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
}

// searchSource matches q against the search indexes: trigrams for 3+
// characters, Chinese bigrams for two Chinese characters (the index and
// its MATCH expression), and a scan of names for anything shorter (a
// condition and its argument; rare, and bounded by the page limit).
func searchSource(q string) (table, match, cond string, arg any) {
	q = SearchFold(q)
	if q == "" {
		return "", "", "", nil
	}
	if d := NormalizePhone(q); d != "" && isPhoneLike(q) {
		q = d
	}
	n := utf8.RuneCountInString(q)
	switch {
	case n >= 3:
		return "customer_search", ftsPhrase(q), "", nil
	case n == 2 && allCJK(q):
		return "customer_bigrams", ftsPhrase(q), "", nil
	}
	return "", "", "instr(lower(c.name), ?) > 0", q
}

func isPhoneLike(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789 -+()", r) {
			return false
		}
	}
	return true
}

func allCJK(s string) bool {
	for _, r := range s {
		if !isCJK(r) {
			return false
		}
	}
	return true
}

// ftsPhrase quotes s as one FTS5 phrase, so user input is never parsed as
// query syntax.
func ftsPhrase(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// sortClause returns the ORDER BY for a sort and, when paging by cursor,
// the keyset condition that starts after the cursor.
func sortClause(sort, cursor string) (order, keyset string, args []any) {
	val, id, ok := decodeCursor(cursor)
	switch sort {
	case "name":
		order = "c.name ASC, c.id ASC"
		if ok {
			// The first term lets an index on name start at the cursor.
			keyset, args = "c.name >= ? AND (c.name, c.id) > (?, ?)", []any{val, val, id}
		}
	case "last_followup":
		order = "COALESCE(c.last_followup_at, 0) DESC, c.id DESC"
		if ok {
			n, _ := strconv.ParseInt(val, 10, 64)
			keyset, args = "COALESCE(c.last_followup_at, 0) <= ? AND (COALESCE(c.last_followup_at, 0), c.id) < (?, ?)", []any{n, n, id}
		}
	default:
		order = "c.id DESC"
		if ok {
			keyset, args = "c.id < ?", []any{id}
		}
	}
	return order, keyset, args
}

func cursorFor(sort string, c *Customer) string {
	val := ""
	switch sort {
	case "name":
		val = c.Name
	case "last_followup":
		if c.LastFollowupAt != nil {
			val = strconv.FormatInt(c.LastFollowupAt.Unix(), 10)
		} else {
			val = "0"
		}
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.ID, 10) + "|" + val))
}

func decodeCursor(s string) (val string, id int64, ok bool) {
	if s == "" {
		return "", 0, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", 0, false
	}
	idPart, val, found := strings.Cut(string(b), "|")
	id, err = strconv.ParseInt(idPart, 10, 64)
	return val, id, found && err == nil
}
