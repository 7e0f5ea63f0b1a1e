package app

import (
	"github.com/gofiber/fiber/v2"
)

// shellUIRoutes registers the parts of the page shell that belong to no
// single area: the admin hub (系统设置) that the one Settings item of the
// navigation leads to.
func (s *Server) shellUIRoutes(ui fiber.Router, adminOnly fiber.Handler) {
	ui.Get("/admin", adminOnly, s.adminHub)
}

// adminHub shows one card per admin page. The cards are fixed in the
// template (views/admin/hub.html) so the catalogue test sees their keys.
func (s *Server) adminHub(c *fiber.Ctx) error {
	return c.Render("admin/hub", s.page(c, "shell.admin.title"))
}
