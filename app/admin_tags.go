package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// tagForm is a tag's name and colour as typed.
type tagForm struct {
	ID          int64
	Name, Color string
}

// tagsPage carries a refused create (Form) or edit (Edit, of row Edit.ID)
// back to the tags page with its errors.
type tagsPage struct {
	Form, Edit         tagForm
	Errors, EditErrors map[string]string
	Alert              string
}

// adminTags is the tag admin page (标签管理): chips with counts, edit, delete.
func (s *Server) adminTags(c *fiber.Ctx) error {
	return s.renderTags(c, fiber.StatusOK, tagsPage{Form: tagForm{Color: "#1668dc"}})
}

// renderTags renders the tag admin page, with a refused form if any.
func (s *Server) renderTags(c *fiber.Ctx, status int, p tagsPage) error {
	tags, err := s.store.Tags(c.UserContext())
	if err != nil {
		return err
	}
	data := s.page(c, "tags.title")
	data["Tags"] = tags
	data["Form"] = p.Form
	data["Edit"] = p.Edit
	if p.Errors != nil {
		data["Errors"] = p.Errors
	}
	data["EditErrors"] = p.EditErrors
	data["Error"] = p.Alert
	return c.Status(status).Render("admin/tags", data)
}

// readTagForm parses a posted tag form.
func readTagForm(c *fiber.Ctx) tagForm {
	return tagForm{Name: strings.TrimSpace(c.FormValue("name")), Color: strings.TrimSpace(c.FormValue("color"))}
}

// adminTagCreate creates a tag; a refusal keeps the input.
func (s *Server) adminTagCreate(c *fiber.Ctx) error {
	f := readTagForm(c)
	if _, err := s.store.SaveTag(c.UserContext(), currentUser(c), 0, f.Name, f.Color); err != nil {
		if !userFacing(err) {
			return err
		}
		errs, alert := formErrors(c, err, []string{"name", "color"})
		return s.renderTags(c, fiber.StatusBadRequest, tagsPage{Form: f, Errors: errs, Alert: alert})
	}
	s.setFlash(c, "flash.tag_created")
	return c.Redirect("/admin/tags", fiber.StatusSeeOther)
}

// adminTagUpdate renames or recolours a tag from its row on the page.
func (s *Server) adminTagUpdate(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	f := readTagForm(c)
	f.ID = id
	if _, err := s.store.SaveTag(c.UserContext(), currentUser(c), id, f.Name, f.Color); err != nil {
		if !userFacing(err) {
			return err
		}
		errs, alert := formErrors(c, err, []string{"name", "color"})
		return s.renderTags(c, fiber.StatusBadRequest, tagsPage{Form: tagForm{Color: "#1668dc"}, Edit: f, EditErrors: errs, Alert: alert})
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/admin/tags", fiber.StatusSeeOther)
}

// adminTagDelete deletes a tag, removing it from every customer.
func (s *Server) adminTagDelete(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteTag(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	s.setFlash(c, "flash.tag_deleted")
	return c.Redirect("/admin/tags", fiber.StatusSeeOther)
}

// adminSources is the source admin page (来源渠道).
func (s *Server) adminSources(c *fiber.Ctx) error {
	return s.renderSources(c, fiber.StatusOK, "", nil, "")
}

// renderSources renders the source admin page, with a refusal if any.
func (s *Server) renderSources(c *fiber.Ctx, status int, name string, errs map[string]string, alert string) error {
	list, err := s.store.Sources(c.UserContext())
	if err != nil {
		return err
	}
	data := s.page(c, "sources.title")
	data["Sources"] = list
	data["Form"] = fiber.Map{"Name": name}
	if errs != nil {
		data["Errors"] = errs
	}
	data["Error"] = alert
	return c.Status(status).Render("admin/sources", data)
}

// adminSourceCreate adds a source; a refusal keeps the input.
func (s *Server) adminSourceCreate(c *fiber.Ctx) error {
	name := strings.TrimSpace(c.FormValue("name"))
	if _, err := s.store.AddSource(c.UserContext(), currentUser(c), name); err != nil {
		if !userFacing(err) {
			return err
		}
		errs, alert := formErrors(c, err, []string{"name"})
		return s.renderSources(c, fiber.StatusBadRequest, name, errs, alert)
	}
	s.setFlash(c, "flash.source_added")
	return c.Redirect("/admin/sources", fiber.StatusSeeOther)
}

// adminSourceDelete removes a source; one still in use is refused with
// the reason shown on the page.
func (s *Server) adminSourceDelete(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteSource(c.UserContext(), currentUser(c), id); err != nil {
		if !userFacing(err) {
			return err
		}
		_, alert := formErrors(c, err, nil)
		return s.renderSources(c, fiber.StatusConflict, "", nil, alert)
	}
	s.setFlash(c, "flash.source_deleted")
	return c.Redirect("/admin/sources", fiber.StatusSeeOther)
}

// API

// apiTags lists every tag with its customer count.
func (s *Server) apiTags(c *fiber.Ctx) error {
	tags, err := s.store.Tags(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(listEnvelope(tags, len(tags)))
}

// tagBody is the JSON of a tag create or update.
type tagBody struct {
	Name  *string `json:"name"`
	Color *string `json:"color"`
}

// apiCreateTag creates a tag (admin).
func (s *Server) apiCreateTag(c *fiber.Ctx) error {
	var b tagBody
	if err := parseJSON(c, &b); err != nil {
		return err
	}
	t, err := s.store.SaveTag(c.UserContext(), currentUser(c), 0, deref(b.Name), deref(b.Color))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(t)
}

// apiUpdateTag renames and/or recolours a tag; an absent member keeps
// its value.
func (s *Server) apiUpdateTag(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	cur, err := s.store.Tag(c.UserContext(), id)
	if err != nil {
		return err
	}
	b := tagBody{Name: &cur.Name, Color: &cur.Color}
	if err := parseJSON(c, &b); err != nil {
		return err
	}
	t, err := s.store.SaveTag(c.UserContext(), currentUser(c), id, deref(b.Name), deref(b.Color))
	if err != nil {
		return err
	}
	return c.JSON(t)
}

// apiDeleteTag deletes a tag (admin).
func (s *Server) apiDeleteTag(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteTag(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiSources lists the sources in display order.
func (s *Server) apiSources(c *fiber.Ctx) error {
	list, err := s.store.Sources(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(listEnvelope(list, len(list)))
}

// apiCreateSource adds a source (admin).
func (s *Server) apiCreateSource(c *fiber.Ctx) error {
	var b struct {
		Name string `json:"name"`
	}
	if err := parseJSON(c, &b); err != nil {
		return err
	}
	src, err := s.store.AddSource(c.UserContext(), currentUser(c), b.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(src)
}

// apiDeleteSource deletes a source no customer uses (admin).
func (s *Server) apiDeleteSource(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteSource(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
