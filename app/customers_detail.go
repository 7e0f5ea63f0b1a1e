package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// detailState carries a refused form back to the customer page: the
// input to keep and the reasons to show. The zero value is a fresh page.
type detailState struct {
	Contact        *contactForm
	ContactErrors  map[string]string
	Followup       *followupForm
	FollowupErrors map[string]string
	TransferError  string
	Alert          string
}

// customerDetail is the customer page (客户详情): header, contact details,
// contacts, the follow-up form and the timeline.
func (s *Server) customerDetail(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return s.renderCustomer(c, fiber.StatusOK, id, detailState{})
}

// renderCustomer renders the customer page with the given form state.
func (s *Server) renderCustomer(c *fiber.Ctx, status int, id int64, st detailState) error {
	ctx, u := c.UserContext(), currentUser(c)
	cust, err := s.store.Customer(ctx, u, id)
	if err != nil {
		return err
	}
	contacts, err := s.store.Contacts(ctx, u, id)
	if err != nil {
		return err
	}
	items, err := s.store.Timeline(ctx, u, id, 0)
	if err != nil {
		return err
	}
	colors, _, err := s.tagColors(ctx)
	if err != nil {
		return err
	}
	h := s.helpers(c)
	data := s.page(c, cust.Name)
	data["Customer"] = cust
	if data["PoolActions"], err = s.poolActionsFor(c, cust); err != nil {
		return err
	}
	data["Contacts"] = contacts
	if data["Opportunities"], err = s.customerOpportunities(ctx, u, id, loc(c).Lang); err != nil {
		return err
	}
	data["P"] = s.pipe(c)
	if err := s.customerTasks(c, data, id); err != nil {
		return err
	}
	data["Timeline"] = h.timeline(items)
	data["TagColors"] = colors
	data["H"] = h
	data["Kinds"] = store.FollowupKinds
	owner := cust.Owner != nil && cust.Owner.ID == u.ID
	data["CanEdit"] = cust.Owner != nil || u.IsManager()
	data["CanDelete"] = u.IsAdmin() || owner
	data["CanWork"] = cust.Owner != nil || u.IsAdmin()
	if u.IsManager() && cust.Owner != nil {
		assignees, err := s.store.Assignees(ctx, u)
		if err != nil {
			return err
		}
		data["Assignees"] = assignees
	}
	if st.Followup == nil {
		st.Followup = &followupForm{Kind: "call", At: h.Input(h.now)}
	}
	if st.Contact == nil {
		st.Contact = &contactForm{}
	}
	data["State"] = st
	data["ContactOpen"] = st.ContactErrors != nil
	data["Error"] = st.Alert
	return c.Status(status).Render("customers/detail", data)
}

// customerDelete soft-deletes a customer (admin or owner).
func (s *Server) customerDelete(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteCustomer(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	s.setFlash(c, "flash.customer_deleted")
	return c.Redirect("/customers", fiber.StatusSeeOther)
}

// customerTransfer gives a customer to another owner (manager/admin).
func (s *Server) customerTransfer(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	to := formInt64(c, "owner_id")
	if to == nil {
		err = &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"),
			Fields: map[string]store.Msg{"owner_id": store.M("err.required")}}
	} else {
		_, err = s.store.TransferCustomer(c.UserContext(), currentUser(c), id, *to)
	}
	if err != nil {
		if !userFacing(err) {
			return err
		}
		errs, alert := formErrors(c, err, []string{"owner_id"})
		return s.renderCustomer(c, fiber.StatusBadRequest, id, detailState{TransferError: errs["owner_id"], Alert: alert})
	}
	s.setFlash(c, "flash.customer_transferred")
	return c.Redirect("/customers/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}
