package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

func (s *Server) apiDepartments(c *fiber.Ctx) error {
	deps, err := s.store.Departments(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(listEnvelope(deps, len(deps)))
}

// listEnvelope is the API's list shape for lists returned whole.
func listEnvelope[T any](items []T, total int) fiber.Map {
	if items == nil {
		items = []T{}
	}
	return fiber.Map{"items": items, "total": total, "page": 1, "per_page": max(total, len(items))}
}

func (s *Server) apiCreateDepartment(c *fiber.Ctx) error {
	var in store.DepartmentInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	d, err := s.store.CreateDepartment(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(d)
}

func (s *Server) apiUpdateDepartment(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	cur, err := s.store.Department(c.UserContext(), id)
	if err != nil {
		return err
	}
	in := store.DepartmentInput{Name: cur.Name, ParentID: cur.ParentID}
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	d, err := s.store.UpdateDepartment(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (s *Server) apiDeleteDepartment(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteDepartment(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiUsers(c *fiber.Ctx) error {
	users, err := s.store.Users(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(listEnvelope(users, len(users)))
}

func (s *Server) apiUser(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	u, err := s.store.User(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (s *Server) apiCreateUser(c *fiber.Ctx) error {
	var in store.UserInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	u, err := s.store.CreateUser(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (s *Server) apiUpdateUser(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in store.UserInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	if id == currentUser(c).ID && in.Active != nil && !*in.Active {
		return &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"),
			Fields: map[string]store.Msg{"active": store.M("err.cannot_deactivate_self")}}
	}
	u, err := s.store.UpdateUser(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(u)
}
