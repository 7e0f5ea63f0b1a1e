package app

import (
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// customerFields are the inputs of the customer form, for formErrors.
var customerFields = []string{"name", "phone", "email", "website", "industry", "level", "source", "region",
	"address", "status", "tags", "notes", "owner_id"}

// customerForm is what the customer form shows: the saved customer, or
// what the user typed before a refusal.
type customerForm struct {
	ID                                                           int64
	Version                                                      int
	Name, Phone, Email, Website, Industry, Level, Source, Region string
	Address, Status, Notes                                       string
	Tags                                                         []string
	OwnerID                                                      int64
	Masked                                                       bool
}

// HasTag reports whether the form has tag checked.
func (f customerForm) HasTag(tag string) bool { return slices.Contains(f.Tags, tag) }

// customerFormOf fills the customer form from a saved customer.
func customerFormOf(c *store.Customer) customerForm {
	f := customerForm{ID: c.ID, Version: c.Version, Name: c.Name, Phone: c.Phone, Email: c.Email, Website: c.Website,
		Industry: c.Industry, Level: c.Level, Source: c.Source, Region: c.Region, Address: c.Address, Status: c.Status,
		Notes: c.Notes, Tags: c.Tags, Masked: c.Masked}
	if c.Owner != nil {
		f.OwnerID = c.Owner.ID
	}
	return f
}

// readCustomerForm parses the posted customer form. A field the form did
// not send (a masked, disabled phone) stays nil and is left alone; the
// tag checkboxes always replace the tags.
func readCustomerForm(c *fiber.Ctx) (store.CustomerInput, customerForm) {
	tags := formValues(c, "tags")
	in := store.CustomerInput{
		Name: formOptional(c, "name"), Phone: formOptional(c, "phone"), Email: formOptional(c, "email"),
		Website: formOptional(c, "website"), Industry: formOptional(c, "industry"), Level: formOptional(c, "level"),
		Source: formOptional(c, "source"), Region: formOptional(c, "region"), Address: formOptional(c, "address"),
		Status: formOptional(c, "status"), Notes: formOptional(c, "notes"), Tags: &tags, OwnerID: formInt64(c, "owner_id"),
	}
	if v := formInt64(c, "version"); v != nil {
		in.Version = ptrTo(int(*v))
	}
	f := customerForm{Name: deref(in.Name), Phone: deref(in.Phone), Email: deref(in.Email), Website: deref(in.Website),
		Industry: deref(in.Industry), Level: deref(in.Level), Source: deref(in.Source), Region: deref(in.Region),
		Address: deref(in.Address), Status: deref(in.Status), Notes: deref(in.Notes), Tags: tags, OwnerID: int64OrZero(in.OwnerID)}
	if in.Version != nil {
		f.Version = *in.Version
	}
	return in, f
}

// customerFormPage is a render of the customer form: the values, the
// reasons for a refusal, and after a stale save what others changed.
type customerFormPage struct {
	Form     customerForm
	Errors   map[string]string
	Alert    string
	Stale    []staleChange
	StaleMsg string
}

// renderCustomerForm renders the new/edit customer form.
func (s *Server) renderCustomerForm(c *fiber.Ctx, status int, p customerFormPage) error {
	ctx, u := c.UserContext(), currentUser(c)
	colors, tags, err := s.tagColors(ctx)
	if err != nil {
		return err
	}
	sources, err := s.store.Sources(ctx)
	if err != nil {
		return err
	}
	title := "cust.new"
	if p.Form.ID > 0 {
		title = "cust.edit"
	}
	data := s.page(c, title)
	data["Form"] = p.Form
	if p.Errors != nil {
		data["Errors"] = p.Errors
	}
	data["Error"] = p.Alert
	data["Stale"] = p.Stale
	data["StaleMsg"] = p.StaleMsg
	data["Tags"] = tags
	data["TagColors"] = colors
	data["Sources"] = sources
	data["Levels"] = store.Levels
	data["Statuses"] = store.Statuses
	data["Industries"] = industries(loc(c))
	data["H"] = s.helpers(c)
	if u.IsManager() {
		owners, err := s.ownerChoices(c, p.Form.OwnerID)
		if err != nil {
			return err
		}
		data["Owners"] = owners
	}
	return c.Status(status).Render("customers/form", data)
}

// ownerChoices lists the users the current manager/admin may pick as
// owner, plus the current owner when outside that list (say, deactivated)
// so that saving the form never transfers the customer by accident.
func (s *Server) ownerChoices(c *fiber.Ctx, current int64) ([]*store.User, error) {
	owners, err := s.store.Assignees(c.UserContext(), currentUser(c))
	if err != nil || current == 0 {
		return owners, err
	}
	for _, o := range owners {
		if o.ID == current {
			return owners, nil
		}
	}
	cur, err := s.store.User(c.UserContext(), current)
	if err != nil {
		return owners, nil // an unknown id: the store refuses it on save
	}
	return append([]*store.User{cur}, owners...), nil
}

// customerNew shows an empty customer form owned by the current user.
func (s *Server) customerNew(c *fiber.Ctx) error {
	return s.renderCustomerForm(c, fiber.StatusOK, customerFormPage{
		Form: customerForm{Status: store.StatusLead, OwnerID: currentUser(c).ID}})
}

// customerCreate saves a new customer; a refusal (a duplicate, a bad
// field) shows the form again with the input and the reason beside it.
func (s *Server) customerCreate(c *fiber.Ctx) error {
	in, form := readCustomerForm(c)
	cust, err := s.store.CreateCustomer(c.UserContext(), currentUser(c), in)
	if err != nil {
		if !userFacing(err) {
			return err
		}
		errs, alert := formErrors(c, err, customerFields)
		return s.renderCustomerForm(c, fiber.StatusBadRequest, customerFormPage{Form: form, Errors: errs, Alert: alert})
	}
	s.setFlash(c, "flash.customer_created")
	return c.Redirect("/customers/"+strconv.FormatInt(cust.ID, 10), fiber.StatusSeeOther)
}

// customerEdit shows the edit form with the customer's current version.
func (s *Server) customerEdit(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	cust, err := s.store.Customer(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return s.renderCustomerForm(c, fiber.StatusOK, customerFormPage{Form: customerFormOf(cust)})
}

// customerUpdate saves an edit. A stale save (someone saved first) keeps
// the input, lists what the other person changed, and takes the current
// version, so pressing save again overwrites knowingly.
func (s *Server) customerUpdate(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	in, form := readCustomerForm(c)
	form.ID = id
	form.Masked = in.Phone == nil
	if _, err := s.store.UpdateCustomer(c.UserContext(), currentUser(c), id, in); err != nil {
		if !userFacing(err) {
			return err
		}
		p := customerFormPage{Form: form}
		p.Errors, p.Alert = formErrors(c, err, customerFields)
		status := fiber.StatusBadRequest
		e, _ := store.AsError(err)
		if cur, ok := e.Extra["current"].(*store.Customer); ok && e.Code == store.CodeConflict {
			changes, _ := e.Extra["changes"].([]store.Change)
			p.Form.Version, p.Stale, status = cur.Version, s.helpers(c).staleChanges(changes), fiber.StatusConflict
			p.StaleMsg, p.Alert = p.Alert, ""
		}
		return s.renderCustomerForm(c, status, p)
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/customers/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}
