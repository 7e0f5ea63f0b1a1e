package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// poolActionsFor computes the pool actions the customer page offers for
// cust (template "pools/customer_actions" reads them as .PoolActions):
//
//   - InPool, PoolID, PoolName, CanClaim: the customer sits in a pool the
//     user may see, so it may be claimed (领取);
//   - IsOwner, CanRelease, Reasons, Pools: the owner (or a manager/admin
//     who sees it) may release it (退回公海) with a reason, to its home
//     pool or a chosen one;
//   - CanLock, Locked, LockedCount, MaxLocked: the owner may lock it (锁定);
//   - Countdown, Soon: "12 天后退回公海（未跟进）".
func (s *Server) poolActionsFor(c *fiber.Ctx, cust *store.Customer) (fiber.Map, error) {
	ctx, u := c.UserContext(), currentUser(c)
	m := fiber.Map{"CustomerID": cust.ID, "Locked": cust.Locked}
	if cust.Pool != nil {
		m["InPool"], m["CanClaim"], m["PoolID"], m["PoolName"] = true, true, cust.Pool.ID, cust.Pool.Name
		return m, nil
	}
	if cust.Owner == nil {
		return m, nil
	}
	isOwner := cust.Owner.ID == u.ID
	m["IsOwner"] = isOwner
	pools, err := s.store.Pools(ctx, u)
	if err != nil {
		return nil, err
	}
	if isOwner || u.IsManager() {
		reasons, err := s.store.ReleaseReasons(ctx)
		if err != nil {
			return nil, err
		}
		m["CanRelease"], m["Reasons"], m["Pools"], m["HomePoolID"] = true, reasons, pools, int64(0)
		if cust.HomePoolID != nil {
			m["HomePoolID"] = *cust.HomePoolID
		}
	}
	due, err := s.store.RecycleCountdown(ctx, cust)
	if err != nil {
		return nil, err
	}
	h := s.poolHelpers(c)
	m["Countdown"] = h.Countdown(due)
	if isOwner && cust.HomePoolID != nil {
		for _, p := range pools {
			if p.ID == *cust.HomePoolID {
				m["MaxLocked"] = p.MaxLocked
				m["CanLock"] = p.MaxLocked > 0 || cust.Locked
				m["Soon"] = h.Soon(due, p.RecycleWarnDays)
			}
		}
		n, err := s.store.LockedCount(ctx, u)
		if err != nil {
			return nil, err
		}
		m["LockedCount"] = n
	}
	return m, nil
}

func customerURL(id int64) string { return "/customers/" + strconv.FormatInt(id, 10) }

// poolActionRefused shows the customer page again with the refusal
// ("今日已领取 10/10"); anything that is not a refusal is an error page.
func (s *Server) poolActionRefused(c *fiber.Ctx, id int64, err error) error {
	e, ok := store.AsError(err)
	if !ok || !userFacing(err) {
		return err
	}
	msg := loc(c).T(e.Msg.Key, e.Msg.Args)
	for _, m := range fieldMessages(c, err) {
		msg += " " + m
	}
	return s.renderCustomer(c, statusOf[e.Code], id, detailState{Alert: msg})
}

// customerClaim claims a customer from the customer page (领取).
func (s *Server) customerClaim(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := s.store.Claim(c.UserContext(), currentUser(c), id); err != nil {
		return s.poolActionRefused(c, id, err)
	}
	s.setFlash(c, "pools.flash.claimed")
	return c.Redirect(customerURL(id), fiber.StatusSeeOther)
}

// customerRelease returns a customer to a pool (退回公海/放弃) with a reason.
func (s *Server) customerRelease(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	cust, err := s.store.Release(c.UserContext(), u, id, c.FormValue("reason"), c.FormValue("note"), formInt64(c, "pool_id"))
	if err != nil {
		return s.poolActionRefused(c, id, err)
	}
	s.setFlash(c, "pools.flash.released")
	if _, err := s.store.Customer(c.UserContext(), u, id); err == nil {
		return c.Redirect(customerURL(id), fiber.StatusSeeOther)
	}
	if cust.Pool != nil {
		if _, err := s.store.Pool(c.UserContext(), u, cust.Pool.ID); err == nil {
			return c.Redirect(poolURL(cust.Pool.ID, "", nil), fiber.StatusSeeOther)
		}
	}
	return c.Redirect("/pools", fiber.StatusSeeOther)
}

func (s *Server) customerLock(c *fiber.Ctx) error   { return s.customerSetLocked(c, true) }
func (s *Server) customerUnlock(c *fiber.Ctx) error { return s.customerSetLocked(c, false) }

func (s *Server) customerSetLocked(c *fiber.Ctx, locked bool) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := s.store.SetLocked(c.UserContext(), currentUser(c), id, locked); err != nil {
		return s.poolActionRefused(c, id, err)
	}
	key := "pools.flash.unlocked"
	if locked {
		key = "pools.flash.locked"
	}
	s.setFlash(c, key)
	return c.Redirect(customerURL(id), fiber.StatusSeeOther)
}
