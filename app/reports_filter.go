package app

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// reportFilter reads from, to, department_id, owner_id (and the report's
// own pool_id, group_by, stuck_days) from the query string. A number that
// is not one is refused here; dates, visibility and ranges by the store.
func reportFilter(c *fiber.Ctx) (store.ReportFilter, error) {
	str := func(name string) string { return strings.TrimSpace(c.Query(name)) }
	f := store.ReportFilter{From: str("from"), To: str("to"), GroupBy: str("group_by")}
	fe := map[string]store.Msg{}
	for name, dst := range map[string]*int64{"department_id": &f.DepartmentID, "owner_id": &f.OwnerID, "pool_id": &f.PoolID} {
		if v := str(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				fe[name] = store.M("err.report_number")
			}
			*dst = n
		}
	}
	if v := str("stuck_days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3650 {
			fe["stuck_days"] = store.M("err.report_number")
		}
		f.StuckDays = n
	}
	if len(fe) > 0 {
		return f, &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: fe}
	}
	return f, nil
}

// query renders f back as a query string (for links and exports).
func filterQuery(f store.ReportFilter) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" && val != "0" {
			v.Set(k, val)
		}
	}
	set("from", f.From)
	set("to", f.To)
	set("department_id", strconv.FormatInt(f.DepartmentID, 10))
	set("owner_id", strconv.FormatInt(f.OwnerID, 10))
	set("pool_id", strconv.FormatInt(f.PoolID, 10))
	set("group_by", f.GroupBy)
	if f.StuckDays > 0 {
		set("stuck_days", strconv.Itoa(f.StuckDays))
	}
	return v
}

// drill links to a list (opportunities or customers) filtered to the
// records behind a figure: the report's people and the period on the date
// the figure counts by (dateField "created" or "closed"; "" for none).
func drill(path string, f store.ReportFilter, dateField string, kv ...string) string {
	v := url.Values{}
	if dateField != "" {
		v.Set(dateField+"_from", f.From)
		v.Set(dateField+"_to", f.To)
	}
	if f.OwnerID > 0 {
		v.Set("owner", strconv.FormatInt(f.OwnerID, 10))
	} else if f.DepartmentID > 0 {
		v.Set("department_id", strconv.FormatInt(f.DepartmentID, 10))
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return path + "?" + v.Encode()
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

// drillValues are the report drill-down filters of a list request (dates
// of creation or closing, source, industry, the stage reached, the
// department on the customer list, which has no department picker): kept
// as hidden fields and shown as a note on the list, so the list says what
// it was narrowed to. Stages and departments are shown by name.
func (s *Server) drillValues(c *fiber.Ctx) ([]drillValue, error) {
	var out []drillValue
	add := func(k string) {
		if v := strings.TrimSpace(c.Query(k)); v != "" {
			out = append(out, drillValue{Name: k, Value: v, Shown: v, Label: "reports.drill." + k})
		}
	}
	for _, k := range []string{"created_from", "created_to", "closed_from", "closed_to", "industry"} {
		add(k)
	}
	opps := strings.HasPrefix(c.Path(), "/opportunities")
	if opps {
		add("source")
		add("reached_stage")
	} else {
		add("department_id")
	}
	for i, d := range out {
		var err error
		switch d.Name {
		case "reached_stage":
			out[i].Shown, err = s.stageName(c, d.Value)
		case "department_id":
			out[i].Shown, err = s.departmentName(c, d.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// drillValue is one drill-down filter: the query value kept in a hidden
// field and the text the note shows.
type drillValue struct{ Name, Value, Shown, Label string }

// stageName names a stage id in the user's language (the id itself when
// there is no such stage; the list then refuses it).
func (s *Server) stageName(c *fiber.Ctx, id string) (string, error) {
	stages, err := s.store.Stages(c.UserContext(), loc(c).Lang)
	if err != nil {
		return "", err
	}
	for _, st := range stages {
		if idStr(st.ID) == id {
			return st.Name, nil
		}
	}
	return id, nil
}

// departmentName names a department id (the id itself when unknown).
func (s *Server) departmentName(c *fiber.Ctx, id string) (string, error) {
	deps, err := s.store.Departments(c.UserContext())
	if err != nil {
		return "", err
	}
	for _, d := range deps {
		if idStr(d.ID) == id {
			return d.Name, nil
		}
	}
	return id, nil
}
