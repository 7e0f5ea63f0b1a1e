package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// noFollowupChoices are the "N 天未跟进" options of the list filter.
var noFollowupChoices = []int{7, 15, 30, 60}

// customerList is the customer list page (客户列表): a filter bar, a
// table that turns into cards on a phone, and keyset paging.
func (s *Server) customerList(c *fiber.Ctx) error {
	u := currentUser(c)
	q, err := customerQuery(c)
	if err != nil {
		return err
	}
	page, err := s.store.ListCustomers(c.UserContext(), u, q)
	if err != nil {
		return err
	}
	colors, tags, err := s.tagColors(c.UserContext())
	if err != nil {
		return err
	}
	sources, err := s.store.Sources(c.UserContext())
	if err != nil {
		return err
	}
	data := s.page(c, "cust.list.title")
	data["List"] = page
	if data["Countdowns"], err = s.recycleCountdowns(c, page.Items); err != nil {
		return err
	}
	data["Query"] = q
	data["Filtered"] = filtered(q)
	if data["Drill"], err = s.drillValues(c); err != nil {
		return err
	}
	data["TagColors"] = colors
	data["Tags"] = tags
	data["Sources"] = sources
	data["Levels"] = store.Levels
	data["Statuses"] = store.Statuses
	data["Sorts"] = store.CustomerSorts
	data["DayChoices"] = noFollowupChoices
	data["H"] = s.helpers(c)
	if u.IsManager() {
		owners, err := s.store.Assignees(c.UserContext(), u)
		if err != nil {
			return err
		}
		data["Owners"] = owners
	}
	// Links that keep the filters: the next page, the first page, exports.
	keep := queryWithout(c, "cursor", "page")
	data["ExportXLSX"] = "/customers/export.xlsx?" + keep.Encode()
	data["ExportCSV"] = "/customers/export.csv?" + keep.Encode()
	data["FirstURL"] = "/customers?" + keep.Encode()
	if page.NextCursor != "" {
		next := queryWithout(c, "cursor", "page")
		next.Set("cursor", page.NextCursor)
		data["NextURL"] = "/customers?" + next.Encode()
	}
	return c.Render("customers/list", data)
}
