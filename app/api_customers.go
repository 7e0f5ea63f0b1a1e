package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// apiCustomers lists the visible customers: the API's list envelope plus
// total_capped (the total stopped counting at the cap) and next_cursor
// (keyset paging; null on the last page).
func (s *Server) apiCustomers(c *fiber.Ctx) error {
	q, err := customerQuery(c)
	if err != nil {
		return err
	}
	page, err := s.store.ListCustomers(c.UserContext(), currentUser(c), q)
	if err != nil {
		return err
	}
	return customerPageJSON(c, page)
}

// customerPageJSON answers a customer list page in the API's list envelope,
// with the keyset cursor (null on the last page) and the capped-count flag.
func customerPageJSON(c *fiber.Ctx, page *store.CustomerPage) error {
	var next any
	if page.NextCursor != "" {
		next = page.NextCursor
	}
	return c.JSON(fiber.Map{"items": page.Items, "total": page.Total, "page": page.Page, "per_page": page.PerPage,
		"total_capped": page.TotalCapped, "next_cursor": next})
}

// apiCreateCustomer creates a customer; a duplicate is 409 with duplicate_of.
func (s *Server) apiCreateCustomer(c *fiber.Ctx) error {
	var in store.CustomerInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	cust, err := s.store.CreateCustomer(c.UserContext(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cust)
}

// apiCheckCustomer is the entry form's live duplicate check (查重).
func (s *Server) apiCheckCustomer(c *fiber.Ctx) error {
	var except int64
	if v := c.Query("except"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"),
				Fields: map[string]store.Msg{"except": store.M("err.cust_number")}}
		}
		except = n
	}
	dups, err := s.store.CheckDuplicates(c.UserContext(), c.Query("name"), c.Query("phone"), c.Query("email"), except)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"duplicates": dups})
}

// apiTransferCustomer gives a customer to another owner (manager/admin).
func (s *Server) apiTransferCustomer(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var body struct {
		OwnerID *int64 `json:"owner_id"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	if body.OwnerID == nil {
		return &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"),
			Fields: map[string]store.Msg{"owner_id": store.M("err.required")}}
	}
	cust, err := s.store.TransferCustomer(c.UserContext(), currentUser(c), id, *body.OwnerID)
	if err != nil {
		return err
	}
	return c.JSON(cust)
}

// apiTimeline answers {"items":[…]}: follow-ups, edits and pool moves,
// newest first.
func (s *Server) apiTimeline(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	items, err := s.store.Timeline(c.UserContext(), currentUser(c), id, 0)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*store.TimelineItem{}
	}
	return c.JSON(fiber.Map{"items": items})
}
