package app

import "github.com/gofiber/fiber/v2"

// poolAPIRoutes registers the public-pool endpoints of the JSON API.
func (s *Server) poolAPIRoutes(api fiber.Router, adminOnly fiber.Handler) {
}

// poolUIRoutes registers the public-pool pages.
func (s *Server) poolUIRoutes(ui fiber.Router, adminOnly fiber.Handler) {
}
