package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

func (s *Server) departmentsPage(c *fiber.Ctx, status int, form fiber.Map, errs map[string]string, errMsg string) error {
	deps, err := s.store.Departments(c.UserContext())
	if err != nil {
		return err
	}
	data := s.page(c, "departments.title")
	data["Departments"] = deps
	data["Form"] = form
	if errs != nil {
		data["Errors"] = errs
	}
	data["Error"] = errMsg
	return c.Status(status).Render("admin/departments", data)
}

func (s *Server) adminDepartments(c *fiber.Ctx) error {
	return s.departmentsPage(c, fiber.StatusOK, fiber.Map{}, nil, "")
}

func departmentForm(c *fiber.Ctx) (store.DepartmentInput, fiber.Map) {
	in := store.DepartmentInput{Name: c.FormValue("name"), ParentID: formInt64(c, "parent_id")}
	return in, fiber.Map{"Name": in.Name, "ParentID": int64OrZero(in.ParentID)}
}

func (s *Server) adminDepartmentCreate(c *fiber.Ctx) error {
	in, form := departmentForm(c)
	if _, err := s.store.CreateDepartment(c.UserContext(), in); err != nil {
		if !userFacing(err) {
			return err
		}
		return s.departmentsPage(c, fiber.StatusBadRequest, form, fieldMessages(c, err), "")
	}
	s.setFlash(c, "flash.department_created")
	return c.Redirect("/admin/departments", fiber.StatusSeeOther)
}

func (s *Server) adminDepartmentEdit(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	d, err := s.store.Department(c.UserContext(), id)
	if err != nil {
		return err
	}
	return s.departmentEditPage(c, fiber.StatusOK, fiber.Map{"ID": d.ID, "Name": d.Name, "ParentID": int64OrZero(d.ParentID)}, nil, "")
}

func (s *Server) departmentEditPage(c *fiber.Ctx, status int, form fiber.Map, errs map[string]string, errMsg string) error {
	deps, err := s.store.Departments(c.UserContext())
	if err != nil {
		return err
	}
	data := s.page(c, "departments.edit")
	data["Departments"] = deps
	data["Form"] = form
	if errs != nil {
		data["Errors"] = errs
	}
	data["Error"] = errMsg
	return c.Status(status).Render("admin/department_form", data)
}

func (s *Server) adminDepartmentUpdate(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	in, form := departmentForm(c)
	form["ID"] = id
	if _, err := s.store.UpdateDepartment(c.UserContext(), id, in); err != nil {
		if !userFacing(err) {
			return err
		}
		return s.departmentEditPage(c, fiber.StatusBadRequest, form, fieldMessages(c, err), "")
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/admin/departments", fiber.StatusSeeOther)
}

func (s *Server) adminDepartmentDelete(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteDepartment(c.UserContext(), id); err != nil {
		if e, ok := store.AsError(err); ok && e.Code == store.CodeConflict {
			return s.departmentsPage(c, fiber.StatusConflict, fiber.Map{}, nil, loc(c).T(e.Msg.Key, e.Msg.Args))
		}
		return err
	}
	s.setFlash(c, "flash.department_deleted")
	return c.Redirect("/admin/departments", fiber.StatusSeeOther)
}
