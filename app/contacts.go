package app

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// contactFields are the inputs of the contact forms, for formErrors.
var contactFields = []string{"name", "position", "gender", "birthday", "phone", "email", "wechat", "hobbies", "notes"}

// contactForm is what the contact forms show: a saved contact or what the
// user typed before a refusal.
type contactForm struct {
	ID, CustomerID                                                         int64
	Name, Position, Gender, Birthday, Phone, Email, WeChat, Hobbies, Notes string
	IsPrimary, Masked                                                      bool
}

// contactFormOf fills the contact form from a saved contact.
func contactFormOf(ct *store.Contact, masked bool) contactForm {
	return contactForm{ID: ct.ID, CustomerID: ct.CustomerID, Name: ct.Name, Position: ct.Position, Gender: ct.Gender,
		Birthday: ct.Birthday, Phone: ct.Phone, Email: ct.Email, WeChat: ct.WeChat, Hobbies: ct.Hobbies, Notes: ct.Notes,
		IsPrimary: ct.IsPrimary, Masked: masked}
}

// readContactForm parses a posted contact form. Fields the form did not
// send (masked ones) stay nil, so an edit leaves them alone.
func readContactForm(c *fiber.Ctx) (store.ContactInput, contactForm) {
	in := store.ContactInput{
		Name: formOptional(c, "name"), Position: formOptional(c, "position"), Gender: formOptional(c, "gender"),
		Birthday: formOptional(c, "birthday"), Phone: formOptional(c, "phone"), Email: formOptional(c, "email"),
		WeChat: formOptional(c, "wechat"), Hobbies: formOptional(c, "hobbies"), Notes: formOptional(c, "notes"),
		IsPrimary: ptrTo(c.FormValue("is_primary") != ""),
	}
	f := contactForm{Name: deref(in.Name), Position: deref(in.Position), Gender: deref(in.Gender), Birthday: deref(in.Birthday),
		Phone: deref(in.Phone), Email: deref(in.Email), WeChat: deref(in.WeChat), Hobbies: deref(in.Hobbies), Notes: deref(in.Notes),
		IsPrimary: *in.IsPrimary}
	return in, f
}

// deref is the value of an optional string, "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// contactCreate adds a contact from the customer page; a refusal shows the
// page again with the form open and the input kept.
func (s *Server) contactCreate(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	in, form := readContactForm(c)
	if _, err := s.store.CreateContact(c.UserContext(), currentUser(c), id, in); err != nil {
		if !userFacing(err) {
			return err
		}
		errs, alert := formErrors(c, err, contactFields)
		return s.renderCustomer(c, fiber.StatusBadRequest, id, detailState{Contact: &form, ContactErrors: errs, Alert: alert})
	}
	s.setFlash(c, "flash.contact_added")
	return c.Redirect("/customers/"+strconv.FormatInt(id, 10)+"#contacts", fiber.StatusSeeOther)
}

// contactEdit shows the contact edit page.
func (s *Server) contactEdit(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ct, err := s.store.Contact(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	cust, err := s.store.Customer(c.UserContext(), currentUser(c), ct.CustomerID)
	if err != nil {
		return err
	}
	return s.renderContactForm(c, fiber.StatusOK, cust, contactFormOf(ct, cust.Masked), nil, "")
}

// renderContactForm renders the contact edit page.
func (s *Server) renderContactForm(c *fiber.Ctx, status int, cust *store.Customer, form contactForm, errs map[string]string, alert string) error {
	data := s.page(c, "contact.edit")
	data["Customer"] = cust
	data["Form"] = form
	if errs != nil {
		data["Errors"] = errs
	}
	data["Error"] = alert
	return c.Status(status).Render("customers/contact_form", data)
}

// contactUpdate saves the contact edit page; a refusal keeps the input.
func (s *Server) contactUpdate(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	ct, err := s.store.Contact(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	in, form := readContactForm(c)
	if _, err := s.store.UpdateContact(c.UserContext(), u, id, in); err != nil {
		if !userFacing(err) {
			return err
		}
		cust, cerr := s.store.Customer(c.UserContext(), u, ct.CustomerID)
		if cerr != nil {
			return cerr
		}
		form.ID, form.CustomerID, form.Masked = ct.ID, ct.CustomerID, cust.Masked
		errs, alert := formErrors(c, err, contactFields)
		return s.renderContactForm(c, fiber.StatusBadRequest, cust, form, errs, alert)
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/customers/"+strconv.FormatInt(ct.CustomerID, 10)+"#contacts", fiber.StatusSeeOther)
}

// contactDelete removes a contact and returns to its customer.
func (s *Server) contactDelete(c *fiber.Ctx) error {
	return s.contactAction(c, s.store.DeleteContact, "flash.contact_deleted")
}

// contactAction runs act on a contact the user may see, then returns to
// its customer's contacts with a flash, or shows the refusal on the
// customer page.
func (s *Server) contactAction(c *fiber.Ctx, act func(context.Context, *store.User, int64) error, flash string) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	ct, err := s.store.Contact(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	if err := act(c.UserContext(), u, id); err != nil {
		if !userFacing(err) {
			return err
		}
		_, alert := formErrors(c, err, nil)
		return s.renderCustomer(c, fiber.StatusConflict, ct.CustomerID, detailState{Alert: alert})
	}
	s.setFlash(c, flash)
	return c.Redirect("/customers/"+strconv.FormatInt(ct.CustomerID, 10)+"#contacts", fiber.StatusSeeOther)
}

// API

// apiContacts lists a visible customer's contacts.
func (s *Server) apiContacts(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	list, err := s.store.Contacts(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(listEnvelope(list, len(list)))
}

// apiCreateContact adds a contact; a colliding phone/email is 409.
func (s *Server) apiCreateContact(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in store.ContactInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	ct, err := s.store.CreateContact(c.UserContext(), currentUser(c), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ct)
}
