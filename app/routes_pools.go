package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// poolAPIRoutes registers the public-pool endpoints of the JSON API
// (../shared/API.md "Public pools") and the notifications. Role checks are
// per route; everything else (visibility, rules) is the store's answer.
func (s *Server) poolAPIRoutes(api fiber.Router, adminOnly fiber.Handler) {
	managers := s.requireRole(store.RoleManager)
	api.Get("/pools", s.apiPools)
	api.Post("/pools", adminOnly, s.apiCreatePool)
	api.Get("/pools/:id<int>", getRecord(s.store.Pool))
	api.Patch("/pools/:id<int>", adminOnly, patchRecord(s.store.UpdatePool))
	api.Delete("/pools/:id<int>", adminOnly, deleteRecord(s.store.DeletePool))
	api.Get("/pools/:id<int>/customers", s.apiPoolCustomers)
	api.Post("/pools/:id<int>/assign", managers, s.apiAssign)
	api.Get("/pools/:id<int>/history", s.apiPoolHistory)
	api.Get("/pools/:id<int>/recycle-preview", s.apiRecyclePreview)
	api.Get("/pools/:id<int>/stats", s.apiPoolStats)
	api.Post("/customers/claim", s.apiClaimMany)
	api.Post("/customers/:id<int>/claim", s.apiClaim)
	api.Post("/customers/:id<int>/release", s.apiRelease)
	api.Post("/customers/:id<int>/lock", s.apiLock)
	api.Post("/customers/:id<int>/unlock", s.apiUnlock)
	api.Post("/leads", s.apiCreateLead)
	api.Get("/release-reasons", s.apiReleaseReasons)
	api.Post("/admin/jobs/recycle", adminOnly, s.apiRunRecycle)
	api.Get("/notifications", s.apiNotifications)
	api.Post("/notifications/read", s.apiMarkRead)
}

// poolUIRoutes registers the public-pool pages, the pool actions of the
// customer page, and the notifications page.
func (s *Server) poolUIRoutes(ui fiber.Router, adminOnly fiber.Handler) {
	ui.Get("/pools", s.poolList)
	ui.Get("/pools/new", adminOnly, s.poolNew)
	ui.Post("/pools/new", adminOnly, s.poolCreate)
	ui.Get("/pools/:id<int>", s.poolShow)
	ui.Get("/pools/:id<int>/history", s.poolHistoryPage)
	ui.Get("/pools/:id<int>/stats", s.poolStatsPage)
	ui.Get("/pools/:id<int>/recycle", s.poolRecyclePage)
	ui.Post("/pools/:id<int>/recycle", adminOnly, s.poolRecycleRun)
	ui.Post("/pools/:id<int>/claim", s.poolClaim)
	ui.Post("/pools/:id<int>/assign", s.poolAssign)
	ui.Get("/pools/:id<int>/edit", adminOnly, s.poolEdit)
	ui.Post("/pools/:id<int>/edit", adminOnly, s.poolUpdate)
	ui.Post("/pools/:id<int>/delete", adminOnly, s.poolDelete)

	ui.Post("/customers/:id<int>/claim", s.customerClaim)
	ui.Post("/customers/:id<int>/release", s.customerRelease)
	ui.Post("/customers/:id<int>/lock", s.customerLock)
	ui.Post("/customers/:id<int>/unlock", s.customerUnlock)

	ui.Get("/notifications", s.notificationList)
	ui.Post("/notifications/read", s.notificationsReadAll)
	ui.Get("/notifications/:id<int>/open", s.notificationOpen)
}
