package app

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// poolHistoryPage is a pool's history tab (流转记录): every move, newest
// first, filtered by action, keyset-paged.
func (s *Server) poolHistoryPage(c *fiber.Ctx) error {
	data, p, err := s.poolPageData(c, "history")
	if err != nil {
		return err
	}
	action, before, limit, err := historyQuery(c)
	if err != nil {
		return err
	}
	moves, err := s.store.PoolHistory(c.UserContext(), currentUser(c), p.ID, action, before, limit)
	if err != nil {
		return err
	}
	data["Moves"] = moves
	data["Action"] = action
	data["Actions"] = poolActions
	data["Paged"] = before > 0
	v := url.Values{}
	if action != "" {
		v.Set("action", action)
	}
	data["FirstURL"] = poolURL(p.ID, "history", v)
	if len(moves) == limit {
		v.Set("before", strconv.FormatInt(moves[len(moves)-1].ID, 10))
		data["NextURL"] = poolURL(p.ID, "history", v)
	}
	return c.Render("pools/history", data)
}

// poolStatsPage is a pool's figures tab (统计) for a date range.
func (s *Server) poolStatsPage(c *fiber.Ctx) error {
	data, p, err := s.poolPageData(c, "stats")
	if err != nil {
		return err
	}
	from, to, fromS, toS, err := s.statsRange(c)
	if err != nil {
		if !userFacing(err) {
			return err
		}
		data["Errors"] = fieldMessages(c, err)
		from, to, fromS, toS, _ = s.defaultStatsRange()
	}
	st, err := s.store.PoolStats(c.UserContext(), currentUser(c), p.ID, from, to)
	if err != nil {
		return err
	}
	data["Stats"] = st
	data["From"], data["To"] = fromS, toS
	if len(st.ReleaseReasons) > 10 {
		st.ReleaseReasons = st.ReleaseReasons[:10]
	}
	return c.Render("pools/stats", data)
}

// defaultStatsRange is the last 30 days, today included.
func (s *Server) defaultStatsRange() (from, to time.Time, fromS, toS string, err error) {
	now := s.store.Now().In(s.cfg.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.cfg.Location)
	from = today.AddDate(0, 0, -29)
	return from, today.AddDate(0, 0, 1), from.Format("2006-01-02"), today.Format("2006-01-02"), nil
}

// poolRecyclePage is the "about to be recycled" tab (即将回收) for
// managers and admins: what the pool's rules send back by a date.
func (s *Server) poolRecyclePage(c *fiber.Ctx) error {
	return s.renderRecyclePage(c, fiber.StatusOK, "")
}

func (s *Server) renderRecyclePage(c *fiber.Ctx, status int, notice string) error {
	if !currentUser(c).IsManager() {
		return store.ErrForbidden
	}
	data, p, err := s.poolPageData(c, "recycle")
	if err != nil {
		return err
	}
	zone := s.cfg.Location
	now := s.store.Now()
	asOf := now.In(zone).AddDate(0, 0, 7)
	asOfS := asOf.Format("2006-01-02")
	if v := strings.TrimSpace(c.Query("as_of")); v != "" {
		d, err := time.ParseInLocation("2006-01-02", v, zone)
		if err != nil {
			data["Errors"] = map[string]string{"as_of": loc(c).T("err.pools_date")}
		} else {
			asOfS = v
			asOf = d
		}
	}
	// A date means "by the end of that day".
	y, m, d := asOf.In(zone).Date()
	until := time.Date(y, m, d+1, 0, 0, 0, 0, zone).Add(-time.Second)
	items, err := s.store.RecyclePreview(c.UserContext(), currentUser(c), p.ID, until)
	if err != nil {
		return err
	}
	data["Items"] = items
	data["AsOf"] = asOfS
	data["Now"] = now
	data["Notice"] = notice
	return c.Status(status).Render("pools/recycle", data)
}

// poolRecycleRun runs the recycle job now (立即执行回收, admins) and shows
// how many customers went back.
func (s *Server) poolRecycleRun(c *fiber.Ctx) error {
	if _, err := paramID(c); err != nil {
		return err
	}
	res, err := s.runRecycle(c.UserContext())
	if err != nil {
		return err
	}
	return s.renderRecyclePage(c, fiber.StatusOK, loc(c).T("pools.recycle.ran", "N", res.Recycled, "W", res.Warned))
}
