package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// poolCard is one pool on the pools page, its scope and rules in words.
type poolCard struct {
	*store.Pool
	ScopeText string
	Rules     []string
}

// poolList is the pools page (公海): every pool the user may see, with
// its size and its rules in plain words.
func (s *Server) poolList(c *fiber.Ctx) error {
	pools, err := s.store.Pools(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	names, _, err := s.departmentNames(c)
	if err != nil {
		return err
	}
	l := loc(c)
	cards := make([]poolCard, 0, len(pools))
	for _, p := range pools {
		cards = append(cards, poolCard{Pool: p, ScopeText: poolScope(l, p, names), Rules: ruleSummary(l, p.PoolRules)})
	}
	data := s.page(c, "pools.title")
	data["Pools"] = cards
	return c.Render("pools/index", data)
}
