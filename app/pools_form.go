package app

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// poolForm is the pool form as typed: numbers stay strings so that a
// refused "-3" or "abc" comes back exactly as entered.
type poolForm struct {
	ID              int64
	Name            string
	Description     string
	Scope           string
	DepartmentIDs   map[int64]bool
	AdminIDs        map[int64]bool
	Sources         map[string]bool
	IsDefault       bool
	HideContactInfo bool
	Rules           map[string]string
	// Overrides holds, per level, the two recycle-day inputs
	// ("followup", "deal"); "" means "use the pool's".
	Overrides map[string]map[string]string
	InPool    int
}

func newPoolForm() *poolForm {
	f := &poolForm{Scope: "company", DepartmentIDs: map[int64]bool{}, AdminIDs: map[int64]bool{}, Sources: map[string]bool{},
		Rules: map[string]string{}, Overrides: map[string]map[string]string{}}
	for _, l := range store.Levels {
		f.Overrides[l] = map[string]string{"followup": "", "deal": ""}
	}
	return f
}

// poolFormOf fills the form from a saved pool (or, for nil, the defaults).
func poolFormOf(p *store.Pool) *poolForm {
	f := newPoolForm()
	rules := store.DefaultPoolRules
	if p != nil {
		f.ID, f.Name, f.Description, f.Scope, f.IsDefault, f.InPool = p.ID, p.Name, p.Description, p.Scope, p.IsDefault, p.InPool
		for _, id := range p.DepartmentIDs {
			f.DepartmentIDs[id] = true
		}
		for _, id := range p.AdminIDs {
			f.AdminIDs[id] = true
		}
		for _, src := range p.Sources {
			f.Sources[src] = true
		}
		rules = p.PoolRules
	}
	f.HideContactInfo = rules.HideContactInfo
	for _, col := range poolRuleCols {
		f.Rules[col] = strconv.Itoa(ruleValue(rules, col))
	}
	for lvl, o := range rules.LevelOverrides {
		if _, ok := f.Overrides[lvl]; !ok {
			continue
		}
		if o.RecycleNoFollowupDays != nil {
			f.Overrides[lvl]["followup"] = strconv.Itoa(*o.RecycleNoFollowupDays)
		}
		if o.RecycleNoDealDays != nil {
			f.Overrides[lvl]["deal"] = strconv.Itoa(*o.RecycleNoDealDays)
		}
	}
	return f
}

// readPoolForm parses the posted form into the store's input and the
// form to show again. Numbers that are not whole numbers are refused here
// with the same message the store gives for out-of-range ones.
func readPoolForm(c *fiber.Ctx) (store.PoolInput, *poolForm, map[string]store.Msg) {
	f := newPoolForm()
	f.Name = strings.TrimSpace(c.FormValue("name"))
	f.Description = strings.TrimSpace(c.FormValue("description"))
	f.Scope = c.FormValue("scope")
	f.IsDefault = c.FormValue("is_default") != ""
	f.HideContactInfo = c.FormValue("hide_contact_info") != ""
	args := c.Request().PostArgs()
	deps, admins, sources := []int64{}, []int64{}, []string{}
	for _, v := range args.PeekMulti("department_ids") {
		if id, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			deps = append(deps, id)
			f.DepartmentIDs[id] = true
		}
	}
	for _, v := range args.PeekMulti("admin_ids") {
		if id, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			admins = append(admins, id)
			f.AdminIDs[id] = true
		}
	}
	for _, v := range args.PeekMulti("sources") {
		sources = append(sources, string(v))
		f.Sources[string(v)] = true
	}
	in := store.PoolInput{Name: &f.Name, Description: &f.Description, Scope: &f.Scope, AdminIDs: &admins, Sources: &sources,
		IsDefault: &f.IsDefault, HideContactInfo: &f.HideContactInfo}
	if f.Scope == "departments" {
		in.DepartmentIDs = &deps
	} else {
		in.DepartmentIDs = &[]int64{}
	}
	bad := map[string]store.Msg{}
	num := func(field, v string) *int {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad[field] = store.M("err.rule_range")
			return nil
		}
		return &n
	}
	ptrs := map[string]**int{"claim_daily_limit": &in.ClaimDailyLimit, "max_owned": &in.MaxOwned,
		"reclaim_cooldown_days": &in.ReclaimCooldownDays, "recycle_no_followup_days": &in.RecycleNoFollowupDays,
		"recycle_no_deal_days": &in.RecycleNoDealDays, "recycle_warn_days": &in.RecycleWarnDays, "max_locked": &in.MaxLocked}
	for _, col := range poolRuleCols {
		f.Rules[col] = strings.TrimSpace(c.FormValue(col))
		v := num(col, f.Rules[col])
		if v == nil && f.Rules[col] == "" {
			zero := 0 // an emptied rule is "no limit"
			v = &zero
		}
		*ptrs[col] = v
	}
	overrides := map[string]store.LevelOverride{}
	for _, lvl := range store.Levels {
		fu, deal := c.FormValue("override_"+lvl+"_followup"), c.FormValue("override_"+lvl+"_deal")
		f.Overrides[lvl]["followup"], f.Overrides[lvl]["deal"] = strings.TrimSpace(fu), strings.TrimSpace(deal)
		o := store.LevelOverride{RecycleNoFollowupDays: num("level_overrides", fu), RecycleNoDealDays: num("level_overrides", deal)}
		if o.RecycleNoFollowupDays != nil || o.RecycleNoDealDays != nil {
			overrides[lvl] = o
		}
	}
	in.LevelOverrides = &overrides
	return in, f, bad
}

// poolFormPage renders the pool form with its choices.
func (s *Server) poolFormPage(c *fiber.Ctx, status int, title string, f *poolForm, errs map[string]string, alert string) error {
	ctx := c.UserContext()
	deps, err := s.store.Departments(ctx)
	if err != nil {
		return err
	}
	users, err := s.store.Users(ctx)
	if err != nil {
		return err
	}
	sources, err := s.store.Sources(ctx)
	if err != nil {
		return err
	}
	data := s.page(c, title)
	data["Form"] = f
	data["Departments"] = deps
	data["Users"] = users
	data["Sources"] = sources
	data["RuleCols"] = poolRuleCols
	data["Levels"] = store.Levels
	if errs != nil {
		data["Errors"] = errs
	}
	data["Error"] = alert
	if f.ID > 0 {
		l := loc(c)
		switch {
		case f.IsDefault:
			data["DeleteRefusal"] = l.T("err.pool_default")
		case f.InPool > 0:
			data["DeleteRefusal"] = l.T("err.pool_not_empty", "Count", f.InPool)
		}
	}
	return c.Status(status).Render("pools/form", data)
}

func (s *Server) poolNew(c *fiber.Ctx) error {
	return s.poolFormPage(c, fiber.StatusOK, "pools.new", poolFormOf(nil), nil, "")
}

// poolRefused shows the form again with what was typed and the reasons.
func (s *Server) poolRefused(c *fiber.Ctx, title string, f *poolForm, err error) error {
	if !userFacing(err) {
		return err
	}
	errs := fieldMessages(c, err)
	e, _ := store.AsError(err)
	alert := loc(c).T(e.Msg.Key, e.Msg.Args)
	status, _ := statusOf[e.Code]
	if status == 0 {
		status = fiber.StatusBadRequest
	}
	return s.poolFormPage(c, status, title, f, errs, alert)
}

func (s *Server) poolCreate(c *fiber.Ctx) error {
	in, f, bad := readPoolForm(c)
	if len(bad) > 0 {
		return s.poolRefused(c, "pools.new", f, &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: bad})
	}
	p, err := s.store.CreatePool(c.UserContext(), currentUser(c), in)
	if err != nil {
		return s.poolRefused(c, "pools.new", f, err)
	}
	s.setFlash(c, "pools.flash.created")
	return c.Redirect("/pools/"+strconv.FormatInt(p.ID, 10), fiber.StatusSeeOther)
}

func (s *Server) poolEdit(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := s.store.Pool(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return s.poolFormPage(c, fiber.StatusOK, "pools.edit", poolFormOf(p), nil, "")
}

func (s *Server) poolUpdate(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := s.store.Pool(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	in, f, bad := readPoolForm(c)
	f.ID, f.InPool = id, p.InPool
	if p.IsDefault {
		f.IsDefault = true // the default pool stays default until another takes over
		in.IsDefault = nil
	}
	if len(bad) > 0 {
		return s.poolRefused(c, "pools.edit", f, &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: bad})
	}
	if _, err := s.store.UpdatePool(c.UserContext(), currentUser(c), id, in); err != nil {
		return s.poolRefused(c, "pools.edit", f, err)
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/pools/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// poolDelete deletes an empty pool; otherwise the form shows why not.
func (s *Server) poolDelete(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeletePool(c.UserContext(), currentUser(c), id); err != nil {
		p, perr := s.store.Pool(c.UserContext(), currentUser(c), id)
		if perr != nil {
			return perr
		}
		return s.poolRefused(c, "pools.edit", poolFormOf(p), err)
	}
	s.setFlash(c, "pools.flash.deleted")
	return c.Redirect("/pools", fiber.StatusSeeOther)
}
