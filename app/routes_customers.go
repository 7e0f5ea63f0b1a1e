package app

import "github.com/gofiber/fiber/v2"

// customerAPIRoutes registers the customer, contact, follow-up, tag and
// source endpoints of the JSON API. Role checks are per route
// (adminOnly), never a Group middleware.
func (s *Server) customerAPIRoutes(api fiber.Router, adminOnly fiber.Handler) {
}

// customerUIRoutes registers the customer pages, imports and exports, and
// the tag/source admin pages.
func (s *Server) customerUIRoutes(ui fiber.Router, adminOnly fiber.Handler) {
}
