package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

func (s *Server) adminUsers(c *fiber.Ctx) error {
	users, err := s.store.Users(c.UserContext())
	if err != nil {
		return err
	}
	data := s.page(c, "users.title")
	data["Users"] = users
	return c.Render("admin/users", data)
}

// userFormData fills the user form: the departments to choose from and
// the values to show (the saved user, or what was typed before a refusal).
func (s *Server) userFormData(c *fiber.Ctx, title string, form fiber.Map, errs map[string]string) (fiber.Map, error) {
	deps, err := s.store.Departments(c.UserContext())
	if err != nil {
		return nil, err
	}
	data := s.page(c, title)
	data["Departments"] = deps
	data["Form"] = form
	if errs != nil {
		data["Errors"] = errs
	}
	data["Roles"] = []string{store.RoleSales, store.RoleManager, store.RoleAdmin}
	return data, nil
}

func userForm(c *fiber.Ctx) (store.UserInput, fiber.Map) {
	in := store.UserInput{
		Username:     formPtr(c, "username"),
		Name:         formPtr(c, "name"),
		Email:        formPtr(c, "email"),
		Phone:        formPtr(c, "phone"),
		Role:         formPtr(c, "role"),
		DepartmentID: formInt64(c, "department_id"),
		Active:       ptrTo(c.FormValue("active") == "on" || c.FormValue("active") == "1"),
		Language:     formPtr(c, "language"),
	}
	form := fiber.Map{"Username": *in.Username, "Name": *in.Name, "Email": *in.Email, "Phone": *in.Phone,
		"Role": *in.Role, "DepartmentID": int64OrZero(in.DepartmentID), "Active": *in.Active, "Language": *in.Language}
	return in, form
}

func int64OrZero(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func (s *Server) adminUserNew(c *fiber.Ctx) error {
	data, err := s.userFormData(c, "users.new", fiber.Map{"Role": store.RoleSales, "Active": true}, nil)
	if err != nil {
		return err
	}
	return c.Render("admin/user_form", data)
}

func (s *Server) adminUserCreate(c *fiber.Ctx) error {
	in, form := userForm(c)
	in.Password = ptrTo(c.FormValue("password"))
	in.Active = ptrTo(true)
	_, err := s.store.CreateUser(c.UserContext(), in)
	if err != nil {
		if !userFacing(err) {
			return err
		}
		data, derr := s.userFormData(c, "users.new", form, fieldMessages(c, err))
		if derr != nil {
			return derr
		}
		return c.Status(fiber.StatusBadRequest).Render("admin/user_form", data)
	}
	s.setFlash(c, "flash.user_created")
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}

func (s *Server) adminUserEdit(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	u, err := s.store.User(c.UserContext(), id)
	if err != nil {
		return err
	}
	form := fiber.Map{"ID": u.ID, "Username": u.Username, "Name": u.Name, "Email": u.Email, "Phone": u.Phone,
		"Role": u.Role, "DepartmentID": int64OrZero(u.DepartmentID), "Active": u.Active, "Language": u.Language}
	data, err := s.userFormData(c, "users.edit", form, nil)
	if err != nil {
		return err
	}
	return c.Render("admin/user_form", data)
}

func (s *Server) adminUserUpdate(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	in, form := userForm(c)
	form["ID"] = id
	if in.DepartmentID == nil {
		in.DepartmentID = nil
	}
	if id == currentUser(c).ID && !*in.Active {
		return s.rerenderUser(c, form, map[string]string{"active": loc(c).T("err.cannot_deactivate_self")})
	}
	if _, err := s.store.UpdateUser(c.UserContext(), id, in); err != nil {
		if !userFacing(err) {
			return err
		}
		return s.rerenderUser(c, form, fieldMessages(c, err))
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}

func (s *Server) rerenderUser(c *fiber.Ctx, form fiber.Map, errs map[string]string) error {
	data, err := s.userFormData(c, "users.edit", form, errs)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusBadRequest).Render("admin/user_form", data)
}

func (s *Server) adminUserPassword(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	pw := c.FormValue("password")
	if _, err := s.store.UpdateUser(c.UserContext(), id, store.UserInput{Password: &pw}); err != nil {
		if !userFacing(err) {
			return err
		}
		u, uerr := s.store.User(c.UserContext(), id)
		if uerr != nil {
			return uerr
		}
		form := fiber.Map{"ID": u.ID, "Username": u.Username, "Name": u.Name, "Email": u.Email, "Phone": u.Phone,
			"Role": u.Role, "DepartmentID": int64OrZero(u.DepartmentID), "Active": u.Active, "Language": u.Language}
		return s.rerenderUser(c, form, fieldMessages(c, err))
	}
	s.setFlash(c, "flash.password_reset")
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}
