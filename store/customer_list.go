package store

import (
	"context"
	"encoding/base64"
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
}

// Sort orders the customer list offers.
var CustomerSorts = []string{"created", "name", "last_followup"}

// MaxPerPage bounds one page; DefaultPerPage is a page when none is asked.
const (
	MaxPerPage     = 200
	DefaultPerPage = 50
)

// countCap bounds the exact count: past it a list says "10,000+" instead
// of counting a million rows on every page load.
const countCap = 10000

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
func (s *Store) ListCustomers(ctx context.Context, u *User, q CustomerQuery) (*CustomerPage, error) {
	v, err := s.VisibilityFor(ctx, u)
	if err != nil {
		return nil, err
	}
	where, args, err := s.customerWhere(v, u, q)
	if err != nil {
		return nil, err
	}
	if q.PerPage <= 0 {
		q.PerPage = DefaultPerPage
	}
	q.PerPage = min(q.PerPage, MaxPerPage)
	q.Page = max(q.Page, 1)
	order, keyset, kargs := sortClause(q.Sort, q.Cursor)
	listWhere, listArgs := where, args
	if keyset != "" {
		listWhere += " AND " + keyset
		listArgs = append(append([]any{}, args...), kargs...)
	}
	query := `SELECT ` + customerCols + customerJoins + ` WHERE ` + listWhere + ` ORDER BY ` + order + ` LIMIT ?`
	listArgs = append(listArgs, q.PerPage+1)
	if q.Cursor == "" && q.Page > 1 {
		query += ` OFFSET ?`
		listArgs = append(listArgs, (q.Page-1)*q.PerPage)
	}
	rows, err := s.r.QueryContext(ctx, query, listArgs...)
	if err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	defer rows.Close()
	page := &CustomerPage{Items: []*Customer{}, Page: q.Page, PerPage: q.PerPage}
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Items) > q.PerPage {
		page.Items = page.Items[:q.PerPage]
		page.NextCursor = cursorFor(q.Sort, page.Items[len(page.Items)-1])
	}
	err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM customers c WHERE `+where+` LIMIT ?)`,
		append(args, countCap+1)...).Scan(&page.Total)
	if err != nil {
		return nil, fmt.Errorf("store: count customers: %w", err)
	}
	if page.Total > countCap {
		page.Total, page.TotalCapped = countCap, true
	}
	return page, nil
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

// customerWhere turns the filters into a WHERE clause for alias c.
func (s *Store) customerWhere(v *Visibility, u *User, q CustomerQuery) (string, []any, error) {
	conds := []string{"c.deleted_at IS NULL"}
	var args []any
	switch {
	case q.PoolID > 0:
		if !v.CanSeePool(q.PoolID) {
			return "", nil, ErrNotFound
		}
		conds = append(conds, "c.pool_id = ?")
		args = append(args, q.PoolID)
	case strings.TrimSpace(q.Q) != "":
		conds = append(conds, v.anyClause())
	default:
		conds = append(conds, v.ownedClause())
	}
	if cond, arg := searchClause(q.Q); cond != "" {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	switch q.Owner {
	case "":
	case "me":
		conds = append(conds, "c.owner_id = ?")
		args = append(args, u.ID)
	default:
		id, err := strconv.ParseInt(q.Owner, 10, 64)
		if err != nil {
			return "", nil, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"owner": M("err.user_unknown")}}
		}
		conds = append(conds, "c.owner_id = ?")
		args = append(args, id)
	}
	for _, f := range []struct{ col, val string }{{"status", q.Status}, {"level", q.Level}, {"source", q.Source}, {"region", q.Region}} {
		if f.val != "" {
			conds = append(conds, "c."+f.col+" = ?")
			args = append(args, f.val)
		}
	}
	if q.Tag != "" {
		conds = append(conds, "c.id IN (SELECT ct.customer_id FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.name = ?)")
		args = append(args, q.Tag)
	}
	now := s.now()
	if q.NoFollowupDays > 0 {
		conds = append(conds, "(c.last_followup_at IS NULL OR c.last_followup_at < ?)")
		args = append(args, now.AddDate(0, 0, -q.NoFollowupDays).Unix())
	}
	if q.FollowupDue {
		conds = append(conds, "c.next_followup_at IS NOT NULL AND c.next_followup_at < ?")
		args = append(args, endOfDay(now, s.Location).Unix())
	}
	return strings.Join(conds, " AND "), args, nil
}

// endOfDay is the first instant of the next calendar day in loc.
func endOfDay(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
}

// searchClause matches q against the search indexes: trigrams for 3+
// characters, Chinese bigrams for two Chinese characters, and a scan of
// names for anything shorter (rare, and bounded by the page limit).
func searchClause(q string) (string, any) {
	q = SearchFold(q)
	if q == "" {
		return "", nil
	}
	if d := NormalizePhone(q); d != "" && isPhoneLike(q) {
		q = d
	}
	n := utf8.RuneCountInString(q)
	switch {
	case n >= 3:
		return "c.id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)", ftsPhrase(q)
	case n == 2 && allCJK(q):
		return "c.id IN (SELECT rowid FROM customer_bigrams WHERE customer_bigrams MATCH ?)", ftsPhrase(q)
	}
	return "instr(lower(c.name), ?) > 0", q
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
			keyset, args = "(c.name > ? OR (c.name = ? AND c.id > ?))", []any{val, val, id}
		}
	case "last_followup":
		order = "COALESCE(c.last_followup_at, 0) DESC, c.id DESC"
		if ok {
			n, _ := strconv.ParseInt(val, 10, 64)
			keyset, args = "(COALESCE(c.last_followup_at, 0) < ? OR (COALESCE(c.last_followup_at, 0) = ? AND c.id < ?))", []any{n, n, id}
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
