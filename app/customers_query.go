package app

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// defaultPerPage is the page size when the query names none.
const defaultPerPage = 50

// customerQuery reads the customer list's filters, sort and page from the
// query string; the list page and GET /api/v1/customers share it. Empty
// values mean "no filter"; a number that is not a number is a 400.
func customerQuery(c *fiber.Ctx) (store.CustomerQuery, error) {
	str := func(name string) string { return strings.TrimSpace(c.Query(name)) }
	q := store.CustomerQuery{
		Q: str("q"), Tag: str("tag"), Owner: str("owner"), Status: str("status"), Level: str("level"),
		Source: str("source"), Region: str("region"), Sort: str("sort"), Cursor: str("cursor"),
		Industry: str("industry"), CreatedFrom: str("created_from"), CreatedTo: str("created_to"),
	}
	fe := map[string]store.Msg{}
	num := func(name string) int64 {
		v := str(name)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fe[name] = store.M("err.cust_number")
		}
		return n
	}
	q.PoolID = num("pool_id")
	q.DepartmentID = num("department_id")
	q.Page = int(max(num("page"), 1))
	q.PerPage = int(num("per_page"))
	if q.PerPage == 0 {
		q.PerPage = defaultPerPage
	}
	q.NoFollowupDays = int(num("no_followup_days"))
	switch str("followup_due") {
	case "", "0", "false":
	case "1", "true", "on":
		q.FollowupDue = true
	default:
		fe["followup_due"] = store.M("err.cust_bool")
	}
	for _, name := range []string{"created_from", "created_to"} {
		if v := str(name); v != "" {
			if _, err := time.Parse("2006-01-02", v); err != nil {
				fe[name] = store.M("err.report_date")
			}
		}
	}
	if q.Sort != "" && !slices.Contains(store.CustomerSorts, q.Sort) {
		fe["sort"] = store.M("err.cust_sort")
	}
	if len(fe) > 0 {
		return q, &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: fe}
	}
	return q, nil
}

// filtered reports whether any filter (not sort or page) is set.
func filtered(q store.CustomerQuery) bool {
	return q.Q != "" || q.Tag != "" || q.Owner != "" || q.PoolID > 0 || q.Status != "" || q.Level != "" ||
		q.Source != "" || q.Region != "" || q.NoFollowupDays > 0 || q.FollowupDue ||
		q.Industry != "" || q.CreatedFrom != "" || q.CreatedTo != "" || q.DepartmentID > 0
}

// queryWithout returns the request's query string without the named
// parameters and without empty values, for links that keep the filters
// (next page, export) and drop the rest.
func queryWithout(c *fiber.Ctx, drop ...string) url.Values {
	vals, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	for k, vs := range vals {
		if slices.Contains(drop, k) || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			delete(vals, k)
		}
	}
	return vals
}
