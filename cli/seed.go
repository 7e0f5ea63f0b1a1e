package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/seed"
	"github.com/tidecrm/tide/store"
)

// Demo logins printed by tide seed.
const (
	seedAdminUsername = "admin"
	seedAdminPassword = "admin1234"
	seedUserPassword  = "password1"
)

// seedCmd is `tide seed`: realistic Chinese demo data for trying Tide and
// for the benchmarks.
func seedCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("seed", stderr)
	data := fs.String("data", "", "data directory (default from config, ./data)")
	cfgFile := fs.String("config", "", "config file")
	customers := fs.Int("customers", -1, "number of customers to add (required)")
	users := fs.Int("users", 30, "number of managers and sales users (about 10% managers)")
	seedVal := fs.Uint64("seed", 1, "random seed: the same seed gives the same data")
	batch := fs.Int("batch", defaultSeedBatch, "customers per transaction")
	check := fs.Bool("check", false, "afterwards, run SQLite's integrity and foreign-key checks and try to enter a seeded company again")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *customers < 0 || *users < 0 || *batch < 1 {
		fmt.Fprintln(stderr, "tide seed: --customers N is required (N ≥ 0); --users and --batch must not be negative")
		fs.Usage()
		return errUsage
	}
	cfg, err := config.Load(*cfgFile, map[string]string{"data.dir": *data})
	if err != nil {
		return err
	}
	if err := cfg.CheckDataDir(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := store.Open(ctx, cfg.Data.Dir)
	if err != nil {
		return err
	}
	defer st.Close()
	st.Location = cfg.Location
	rep, err := seedData(ctx, st, seedOptions{Customers: *customers, Users: *users, Seed: *seedVal, Batch: *batch, Progress: stderr})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "seeded %s in %s: %d customers (%d skipped as duplicates), %d contacts, %d follow-ups; "+
		"%d new users, %d departments, %d pools, %d tags\n",
		st.Path(), rep.Elapsed.Round(time.Millisecond), rep.Customers, rep.Duplicates, rep.Contacts, rep.Followups,
		rep.NewUsers, rep.Departments, rep.Pools, rep.Tags)
	if rep.AdminCreated {
		fmt.Fprintf(stdout, "admin login: %s / %s\n", seedAdminUsername, seedAdminPassword)
	}
	if rep.NewUsers > 0 {
		fmt.Fprintf(stdout, "demo users (managerNN, salesNNN) all have the password %s\n", seedUserPassword)
	}
	if *check {
		return seedCheck(ctx, st, stdout)
	}
	return nil
}

// seedCheck proves a seeded data dir sound: SQLite's integrity and
// foreign-key checks pass, and the newest customer cannot be entered again
// through the ordinary path (store.CreateCustomer).
func seedCheck(ctx context.Context, st *store.Store, stdout io.Writer) error {
	start := time.Now()
	msg, err := st.IntegrityCheck(ctx)
	if err != nil {
		return err
	}
	if msg != "ok" {
		return fmt.Errorf("integrity check failed:\n%s", msg)
	}
	fmt.Fprintf(stdout, "integrity_check and foreign_key_check: ok (%s)\n", time.Since(start).Round(time.Millisecond))
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	var admin *store.User
	for _, u := range users {
		if u.Role == store.RoleAdmin && u.Active {
			admin = u
			break
		}
	}
	if admin == nil {
		return errors.New("no active admin")
	}
	page, err := st.ListCustomers(ctx, admin, store.CustomerQuery{PerPage: 1})
	if err != nil || len(page.Items) == 0 {
		return fmt.Errorf("no customer to check (%v)", err)
	}
	c := page.Items[0]
	_, err = st.CreateCustomer(ctx, admin, store.CustomerInput{Name: &c.Name})
	e, ok := store.AsError(err)
	if !ok || e.Code != store.CodeDuplicate {
		return fmt.Errorf("entering %q again was not refused as a duplicate: %v", c.Name, err)
	}
	d, _ := e.Extra["duplicate_of"].(*store.DuplicateOf)
	if d == nil || d.ID != c.ID {
		return fmt.Errorf("entering %q again: duplicate_of %+v, want customer %d", c.Name, d, c.ID)
	}
	fmt.Fprintf(stdout, "duplicate rule: entering %q again is refused (duplicate of customer %d)\n", c.Name, d.ID)
	return nil
}

// defaultSeedBatch is how many customers go into one transaction: larger
// batches mean fewer commits and search-index merges (10,000 is about 10%
// faster than 5,000 at a million customers) at the price of memory (three
// batches are in memory at once, about 30 MB each).
const defaultSeedBatch = 10000

// seedOptions say how much to seed.
type seedOptions struct {
	Customers int
	Users     int
	Seed      uint64
	Batch     int       // customers per transaction; 0 means defaultSeedBatch
	Progress  io.Writer // progress lines; nil for none
}

// seedReport says what was seeded.
type seedReport struct {
	Customers, Duplicates, Contacts, Followups int
	NewUsers, Departments, Pools, Tags         int
	AdminCreated                               bool
	Elapsed                                    time.Duration
}

// seedData fills st: the organisation (departments, users, pools, tags and
// sources, reused when they exist) and then opts.Customers customers with
// contacts, follow-ups and pool history, through the bulk loader. Customer
// indices continue after the customers already there, so seeding twice adds
// new companies rather than duplicates.
func seedData(ctx context.Context, st *store.Store, opts seedOptions) (*seedReport, error) {
	start := time.Now()
	if opts.Batch <= 0 {
		opts.Batch = defaultSeedBatch
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	gen := seed.New(opts.Seed)
	rep := &seedReport{}
	org, err := seedOrg(ctx, st, gen, opts.Users, rep)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "organisation ready: %d departments, %d managers, %d sales, %d pools, %d tags (%s)\n",
		rep.Departments, len(org.managers), len(org.sales), rep.Pools, rep.Tags, time.Since(start).Round(time.Millisecond))

	offset, err := st.BulkCustomerCount(ctx)
	if err != nil {
		return nil, err
	}
	plan := &customerPlan{org: org, gen: gen, now: st.Now().Unix(), n: opts.Customers, offset: offset}

	// One goroutine generates and prepares batches (names, keys, search
	// documents) while this one inserts the previous batch.
	type job struct {
		batch []store.BulkCustomer
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan job, 1)
	go func() {
		defer close(jobs)
		for from := 0; from < opts.Customers; from += opts.Batch {
			to := min(from+opts.Batch, opts.Customers)
			b := make([]store.BulkCustomer, 0, to-from)
			for i := from; i < to; i++ {
				c := plan.customer(i)
				c.Prepare()
				b = append(b, c)
			}
			select {
			case jobs <- job{b}:
			case <-ctx.Done():
				return
			}
		}
	}()
	loadStart := time.Now()
	lastReport := 0
	for j := range jobs {
		res, err := st.BulkSeedCustomers(ctx, j.batch)
		if err != nil {
			return nil, err
		}
		rep.Customers += res.Customers
		rep.Duplicates += res.Duplicates
		rep.Contacts += res.Contacts
		rep.Followups += res.Followups
		done := rep.Customers + rep.Duplicates
		if done-lastReport >= 100000 || done == opts.Customers {
			lastReport = done
			el := time.Since(loadStart)
			fmt.Fprintf(progress, "%d/%d customers (%.0f/s, %s)\n", done, opts.Customers, float64(done)/el.Seconds(), el.Round(time.Second))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	finish := time.Now()
	if err := st.BulkFinish(ctx); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "search indexes merged, statistics refreshed (%s)\n", time.Since(finish).Round(time.Millisecond))
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// seedUser is a seeded user as the customer generator needs it.
type seedUser struct {
	id, dept int64
}

// orgPlan is the organisation the customers are spread over.
type orgPlan struct {
	adminID     int64
	managers    []seedUser
	sales       []seedUser
	defaultPool int64
	deptPool    map[int64]int64  // department → its own pool
	routed      map[string]int64 // source → pool it is routed to
	leadPools   []int64          // where unrouted fresh leads land
	tagIDs      []int64
	tagWeights  []int
}

// seedTags are the demo tags with their colours and how often they are
// applied (relative weights).
var seedTags = []struct {
	name, color string
	w           int
}{
	{"重点客户", "#cf1322", 10}, {"高意向", "#d4380d", 8}, {"待回访", "#d48806", 12}, {"老客户", "#389e0d", 6},
	{"已报价", "#08979c", 5}, {"续约", "#1d39c4", 4}, {"招投标", "#531dab", 3}, {"政府项目", "#c41d7f", 2},
}

// Chinese numerals for team names (华东一组, 华东二组, …).
var teamNumerals = []string{"一", "二", "三", "四", "五", "六"}

// maxSeedPools is the design's pool count; more would only repeat.
const maxSeedPools = 20

// seedOrg makes sure the admin, departments, users, tags, sources and pools
// exist and returns the plan the customers are generated from.
func seedOrg(ctx context.Context, st *store.Store, gen *seed.Gen, nUsers int, rep *seedReport) (*orgPlan, error) {
	org := &orgPlan{deptPool: map[int64]int64{}, routed: map[string]int64{}}

	// The admin: "admin" unless the installation already has one.
	users, err := st.Users(ctx)
	if err != nil {
		return nil, err
	}
	var admin *store.User
	for _, u := range users {
		if u.Role == store.RoleAdmin && u.Active {
			admin = u
			break
		}
	}
	if admin == nil {
		role, name, user, pass := store.RoleAdmin, "系统管理员", seedAdminUsername, seedAdminPassword
		admin, err = st.CreateUser(ctx, store.UserInput{Username: &user, Password: &pass, Role: &role, Name: &name})
		if err != nil {
			return nil, fmt.Errorf("admin: %w", err)
		}
		rep.AdminCreated = true
	}
	org.adminID = admin.ID

	// Departments: four sales regions with two or three teams each.
	deps, err := st.Departments(ctx)
	if err != nil {
		return nil, err
	}
	ensureDep := func(name string, parent *int64) (int64, error) {
		for _, d := range deps {
			if d.Name == name && ((d.ParentID == nil && parent == nil) || (d.ParentID != nil && parent != nil && *d.ParentID == *parent)) {
				return d.ID, nil
			}
		}
		d, err := st.CreateDepartment(ctx, store.DepartmentInput{Name: name, ParentID: parent})
		if err != nil {
			return 0, fmt.Errorf("department %s: %w", name, err)
		}
		deps = append(deps, d)
		return d.ID, nil
	}
	type region struct {
		id    int64
		name  string
		teams []int64
	}
	var regions []region
	var teams []int64
	teamCounts := []int{3, 2, 3, 2}
	for i, name := range gen.DepartmentNames()[:len(teamCounts)] {
		rid, err := ensureDep(name, nil)
		if err != nil {
			return nil, err
		}
		r := region{id: rid, name: name}
		short := string([]rune(name)[:2]) // 华东销售部 → 华东
		for t := 0; t < teamCounts[i]; t++ {
			tid, err := ensureDep(short+teamNumerals[t]+"组", &rid)
			if err != nil {
				return nil, err
			}
			r.teams = append(r.teams, tid)
			teams = append(teams, tid)
		}
		regions = append(regions, r)
	}
	rep.Departments = len(regions) + len(teams)

	// Users: about 10% managers (regions first, then teams), the rest
	// sales spread over the teams.
	nManagers := 0
	if nUsers > 0 {
		nManagers = max(1, (nUsers+5)/10)
	}
	var bulk []store.BulkUser
	for m := 0; m < nManagers; m++ {
		var dep int64
		switch {
		case m < len(regions):
			dep = regions[m].id
		default:
			dep = teams[(m-len(regions))%len(teams)]
		}
		bulk = append(bulk, store.BulkUser{Username: fmt.Sprintf("manager%02d", m+1), Name: gen.PersonName(), Role: store.RoleManager, DepartmentID: dep})
	}
	for s := 0; s < nUsers-nManagers; s++ {
		bulk = append(bulk, store.BulkUser{Username: fmt.Sprintf("sales%03d", s+1), Name: gen.PersonName(), Role: store.RoleSales,
			DepartmentID: teams[s%len(teams)]})
	}
	rep.NewUsers, err = st.BulkSeedUsers(ctx, bulk, seedUserPassword)
	if err != nil {
		return nil, err
	}
	users, err = st.Users(ctx)
	if err != nil {
		return nil, err
	}
	managerOf := map[int64]int64{} // department → its first manager
	for _, u := range users {
		if !u.Active || u.DepartmentID == nil {
			continue
		}
		su := seedUser{id: u.ID, dept: *u.DepartmentID}
		switch u.Role {
		case store.RoleSales:
			org.sales = append(org.sales, su)
		case store.RoleManager:
			org.managers = append(org.managers, su)
			if _, ok := managerOf[su.dept]; !ok {
				managerOf[su.dept] = u.ID
			}
		}
	}

	// Tags and sources.
	tags, err := st.Tags(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range seedTags {
		var id int64
		for _, have := range tags {
			if have.Name == t.name {
				id = have.ID
			}
		}
		if id == 0 {
			nt, err := st.SaveTag(ctx, admin, 0, t.name, t.color)
			if err != nil {
				return nil, fmt.Errorf("tag %s: %w", t.name, err)
			}
			id = nt.ID
		}
		org.tagIDs = append(org.tagIDs, id)
		org.tagWeights = append(org.tagWeights, t.w)
	}
	rep.Tags = len(org.tagIDs)
	sources, err := st.Sources(ctx)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"官网", "展会", "转介绍", "广告", "电话营销", "线上活动"} {
		if !slices.ContainsFunc(sources, func(s *store.Source) bool { return s.Name == name }) {
			if _, err := st.AddSource(ctx, admin, name); err != nil {
				return nil, fmt.Errorf("source %s: %w", name, err)
			}
		}
	}

	// Pools: the default company pool, three lead pools with their
	// channels routed to them, a pool per department, and two more
	// company-wide ones, at most 20 in all. Recycling after 90 days without
	// a follow-up; seeded owners all followed up within 75 days, so the
	// first recycle run after seeding sends nothing back.
	deptRules := func(name string, dep int64, claim int) store.BulkPool {
		p := store.BulkPool{Name: name, Description: name + "（部门公海）", Scope: "departments", DepartmentIDs: []int64{dep},
			ClaimDailyLimit: claim, ReclaimCooldownDays: 15, RecycleNoFollowupDays: 90, RecycleWarnDays: 7, MaxLocked: 10}
		if m, ok := managerOf[dep]; ok {
			p.AdminIDs = []int64{m}
		}
		return p
	}
	pools := []store.BulkPool{
		{Name: "公司公海", Description: "全公司共享的客户公海", IsDefault: true},
		{Name: "展会线索池", Description: "展会收集的名片和线索", Sources: []string{"展会"}, ClaimDailyLimit: 10, ReclaimCooldownDays: 30,
			RecycleNoFollowupDays: 60, RecycleWarnDays: 7, MaxLocked: 5, HideContactInfo: true},
		{Name: "线上活动线索池", Description: "直播、网络研讨会等线上活动报名", Sources: []string{"线上活动"}, ClaimDailyLimit: 20,
			ReclaimCooldownDays: 15, RecycleNoFollowupDays: 90, RecycleWarnDays: 7, MaxLocked: 5},
		{Name: "电销线索池", Description: "电话营销外呼名单", Sources: []string{"电话营销"}, ClaimDailyLimit: 30,
			ReclaimCooldownDays: 7, RecycleNoFollowupDays: 90, RecycleWarnDays: 7, MaxLocked: 5},
	}
	for _, r := range regions {
		pools = append(pools, deptRules(string([]rune(r.name)[:2])+"区公海", r.id, 15))
	}
	for _, r := range regions {
		for i, t := range r.teams {
			pools = append(pools, deptRules(string([]rune(r.name)[:2])+teamNumerals[i]+"组公海", t, 10))
		}
	}
	pools = append(pools,
		store.BulkPool{Name: "大客户公海", Description: "年采购额较大的重点客户", ClaimDailyLimit: 3, ReclaimCooldownDays: 60,
			RecycleNoFollowupDays: 90, RecycleWarnDays: 14, MaxLocked: 20},
		store.BulkPool{Name: "沉睡客户池", Description: "长期无需求的客户，定期激活", ReclaimCooldownDays: 30})
	pools = pools[:min(len(pools), maxSeedPools)]
	ids, err := st.BulkSeedPools(ctx, pools)
	if err != nil {
		return nil, err
	}
	rep.Pools = len(ids)
	org.defaultPool = ids["公司公海"]
	org.leadPools = append(org.leadPools, org.defaultPool)
	for _, p := range pools {
		for _, src := range p.Sources {
			org.routed[src] = ids[p.Name]
		}
		if len(p.DepartmentIDs) == 1 {
			org.deptPool[p.DepartmentIDs[0]] = ids[p.Name]
			org.leadPools = append(org.leadPools, ids[p.Name])
		}
	}
	if len(org.sales) == 0 && len(org.managers) == 0 {
		org.sales = []seedUser{{id: admin.ID}}
	}
	return org, nil
}

// customerPlan generates customer i of a run; it must be called in order
// of i from one goroutine (it draws from gen).
type customerPlan struct {
	org    *orgPlan
	gen    *seed.Gen
	now    int64
	n      int // customers in this run
	offset int // customers before this run: index offset for names, phones, emails
}

const day = 24 * 60 * 60

// pickWeighted returns an index into weights drawn by weight.
func pickWeighted(g *seed.Gen, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := g.Intn(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

var (
	ownedStatuses  = []string{store.StatusLead, store.StatusProspect, store.StatusCustomer, store.StatusLost}
	ownedStatusW   = []int{30, 35, 25, 10}
	poolStatuses   = []string{store.StatusLead, store.StatusProspect, store.StatusLost}
	poolStatusW    = []int{70, 10, 20}
	contactCountsW = []int{30, 45, 25} // 1, 2 or 3 contacts
)

// randBetween returns a time in [lo, hi] (lo when hi < lo).
func randBetween(g *seed.Gen, lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + int64(g.Intn(int(hi-lo+1)))
}

func (p *customerPlan) customer(i int) store.BulkCustomer {
	g, org, now := p.gen, p.org, p.now
	idx := p.offset + i
	c := store.BulkCustomer{
		Name:     g.CompanyName(idx),
		Industry: g.Industry(),
		Level:    g.Level(),
		Source:   g.Source(),
		Region:   g.Region(),
	}
	c.Address = g.Address(c.Region)
	if g.Intn(100) < 85 {
		c.Phone = g.Mobile(4 * idx)
	}
	if g.Intn(100) < 50 {
		c.Email = g.Email(c.Name, 4*idx)
	}
	// Created over the last two years, in id order.
	span := int64(729 * day)
	c.CreatedAt = now - 730*day + span*int64(i)/int64(max(p.n, 1)) + int64(g.Intn(3600))
	c.CreatedAt = min(c.CreatedAt, now-3600)

	nContacts := 1 + pickWeighted(g, contactCountsW)
	for j := 0; j < nContacts; j++ {
		gender := g.Gender()
		ct := store.BulkContact{Name: g.PersonNameFor(gender), Gender: gender, Position: g.Position(), IsPrimary: j == 0}
		if g.Intn(100) < 95 {
			ct.Phone = g.Mobile(4*idx + 1 + j)
		}
		if g.Intn(100) < 40 {
			ct.Email = g.Email(ct.Name, 4*idx+1+j)
		}
		if g.Intn(100) < 30 {
			ct.Birthday = g.Birthday(time.Unix(now, 0)).Format("2006-01-02")
		}
		if g.Intn(100) < 30 && ct.Phone != "" {
			ct.WeChat = ct.Phone // 微信号 = 手机号, as is common
		}
		if g.Intn(100) < 20 {
			ct.Hobbies = g.Hobby()
		}
		c.Contacts = append(c.Contacts, ct)
	}
	switch n := g.Intn(100); {
	case n < 30:
		c.TagIDs = []int64{org.tagIDs[pickWeighted(g, org.tagWeights)]}
	case n < 45:
		a, b := pickWeighted(g, org.tagWeights), pickWeighted(g, org.tagWeights)
		c.TagIDs = []int64{org.tagIDs[a]}
		if b != a {
			c.TagIDs = append(c.TagIDs, org.tagIDs[b])
		}
	}

	if g.Intn(100) < 85 {
		p.owned(&c)
	} else {
		p.inPool(&c)
	}
	return c
}

// owned places c with a salesperson (or, now and then, a manager): created
// by them or claimed from their team's pool, followed up 1–10 times, the
// last time within 75 days.
func (p *customerPlan) owned(c *store.BulkCustomer) {
	g, org, now := p.gen, p.org, p.now
	var owner seedUser
	if len(org.sales) > 0 && (len(org.managers) == 0 || g.Intn(100) < 95) {
		owner = org.sales[g.Intn(len(org.sales))]
	} else {
		owner = org.managers[g.Intn(len(org.managers))]
	}
	c.OwnerID = owner.id
	c.Status = ownedStatuses[pickWeighted(g, ownedStatusW)]
	c.OwnedSince = c.CreatedAt
	if pool, ok := org.deptPool[owner.dept]; ok && g.Intn(100) < 25 {
		// A lead from the team pool, claimed within a month.
		c.HomePoolID = pool
		c.OwnedSince = min(c.CreatedAt+int64(g.Intn(30*day)), now-60)
		c.Moves = []store.BulkMove{
			{PoolID: pool, Action: "enter", At: c.CreatedAt},
			{PoolID: pool, Action: "claim", ToUserID: owner.id, Actor: owner.id, At: c.OwnedSince},
		}
	} else {
		c.HomePoolID = org.defaultPool
		c.CreatedBy = owner.id
		c.Moves = []store.BulkMove{{PoolID: org.defaultPool, Action: "create", ToUserID: owner.id, Actor: owner.id, At: c.CreatedAt}}
	}
	lo := max(c.OwnedSince, now-365*day)
	hi := now - 60
	last := randBetween(g, max(lo, now-75*day), hi)
	p.followups(c, 1+g.Intn(10), lo, last, owner.id)
	if g.Intn(100) < 40 {
		// A planned next follow-up: overdue by up to a week or due within a month.
		f := &c.Followups[len(c.Followups)-1]
		f.NextAt = randBetween(g, max(f.At+3600, now-7*day), now+30*day)
	}
}

// inPool places c in a pool: half are fresh leads (routed by source, else
// the company or a department pool), half were owned once and recycled.
func (p *customerPlan) inPool(c *store.BulkCustomer) {
	g, org, now := p.gen, p.org, p.now
	c.Status = poolStatuses[pickWeighted(g, poolStatusW)]
	if g.Intn(2) == 0 || len(org.sales) == 0 {
		pool, ok := org.routed[c.Source]
		if !ok {
			pool = org.leadPools[g.Intn(len(org.leadPools))]
			if g.Intn(2) == 0 {
				pool = org.defaultPool
			}
		}
		c.PoolID, c.HomePoolID, c.PoolEnteredAt = pool, pool, c.CreatedAt
		c.Moves = []store.BulkMove{{PoolID: pool, Action: "enter", At: c.CreatedAt}}
		return
	}
	prev := org.sales[g.Intn(len(org.sales))]
	pool, ok := org.deptPool[prev.dept]
	if !ok {
		pool = org.defaultPool
	}
	c.PoolID, c.HomePoolID = pool, pool
	c.PreviousOwnerID, c.RecycleCount, c.CreatedBy = prev.id, 1, prev.id
	c.PoolEnteredAt = randBetween(g, min(c.CreatedAt+day, now-60), now-60)
	c.Moves = []store.BulkMove{
		{PoolID: pool, Action: "create", ToUserID: prev.id, Actor: prev.id, At: c.CreatedAt},
		{PoolID: pool, Action: "recycle", FromUserID: prev.id, Reason: store.RecycleNoFollowup, At: c.PoolEnteredAt},
	}
	lo := max(c.CreatedAt, now-365*day)
	if lo >= c.PoolEnteredAt {
		lo = c.CreatedAt
	}
	p.followups(c, 1+g.Intn(10), lo, c.PoolEnteredAt-1, prev.id)
}

// followups adds n follow-ups by user in [lo, last], the last one at last,
// oldest first; now and then one names the next follow-up's time as its
// plan.
func (p *customerPlan) followups(c *store.BulkCustomer, n int, lo, last, by int64) {
	g := p.gen
	at := make([]int64, n)
	for k := 0; k < n-1; k++ {
		at[k] = randBetween(g, lo, last)
	}
	at[n-1] = last
	slices.Sort(at)
	for k, t := range at {
		kind := g.FollowupKind()
		f := store.BulkFollowup{Contact: -1, Kind: kind, Content: g.FollowupContent(kind), At: t, By: by}
		if g.Intn(100) < 70 {
			f.Contact = g.Intn(len(c.Contacts))
		}
		if k+1 < n && at[k+1] > t && g.Intn(100) < 30 {
			f.NextAt = at[k+1]
		}
		c.Followups = append(c.Followups, f)
	}
}

// errNoCustomers is returned by bench when the data dir has no customers.
var errNoCustomers = errors.New("the data directory has no customers: run tide seed first")
