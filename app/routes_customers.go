package app

import "github.com/gofiber/fiber/v2"

// customerAPIRoutes registers the customer, contact, follow-up, tag and
// source endpoints of the JSON API. Role checks are per route
// (adminOnly), never a Group middleware. Ids are constrained to integers
// (:id<int>) so fixed paths such as /customers/check never reach them.
func (s *Server) customerAPIRoutes(api fiber.Router, adminOnly fiber.Handler) {
	s.importAPIRoutes(api)
	api.Get("/customers", s.apiCustomers)
	api.Post("/customers", s.apiCreateCustomer)
	api.Get("/customers/check", s.apiCheckCustomer)
	api.Get("/customers/:id<int>", getRecord(s.store.Customer))
	api.Patch("/customers/:id<int>", patchRecord(s.store.UpdateCustomer))
	api.Delete("/customers/:id<int>", deleteRecord(s.store.DeleteCustomer))
	api.Post("/customers/:id<int>/transfer", s.apiTransferCustomer)
	api.Get("/customers/:id<int>/contacts", s.apiContacts)
	api.Post("/customers/:id<int>/contacts", s.apiCreateContact)
	api.Get("/customers/:id<int>/followups", s.apiFollowups)
	api.Post("/customers/:id<int>/followups", s.apiCreateFollowup)
	api.Get("/customers/:id<int>/timeline", s.apiTimeline)
	api.Get("/contacts/:id<int>", getRecord(s.store.Contact))
	api.Patch("/contacts/:id<int>", patchRecord(s.store.UpdateContact))
	api.Delete("/contacts/:id<int>", deleteRecord(s.store.DeleteContact))

	api.Get("/tags", s.apiTags)
	api.Post("/tags", adminOnly, s.apiCreateTag)
	api.Patch("/tags/:id<int>", adminOnly, s.apiUpdateTag)
	api.Delete("/tags/:id<int>", adminOnly, s.apiDeleteTag)
	api.Get("/sources", s.apiSources)
	api.Post("/sources", adminOnly, s.apiCreateSource)
	api.Delete("/sources/:id<int>", adminOnly, s.apiDeleteSource)
}

// customerUIRoutes registers the customer pages, imports and exports, and
// the tag/source admin pages.
func (s *Server) customerUIRoutes(ui fiber.Router, adminOnly fiber.Handler) {
	s.importUIRoutes(ui)
	ui.Get("/customers", s.customerList)
	ui.Get("/customers/new", s.customerNew)
	ui.Post("/customers/new", s.customerCreate)
	ui.Get("/customers/:id<int>", s.customerDetail)
	ui.Get("/customers/:id<int>/edit", s.customerEdit)
	ui.Post("/customers/:id<int>/edit", s.customerUpdate)
	ui.Post("/customers/:id<int>/delete", s.customerDelete)
	ui.Post("/customers/:id<int>/transfer", s.customerTransfer)
	ui.Post("/customers/:id<int>/contacts", s.contactCreate)
	ui.Post("/customers/:id<int>/followups", s.followupCreate)
	ui.Get("/contacts/:id<int>/edit", s.contactEdit)
	ui.Post("/contacts/:id<int>/edit", s.contactUpdate)
	ui.Post("/contacts/:id<int>/delete", s.contactDelete)

	ui.Get("/admin/tags", adminOnly, s.adminTags)
	ui.Post("/admin/tags", adminOnly, s.adminTagCreate)
	ui.Post("/admin/tags/:id<int>", adminOnly, s.adminTagUpdate)
	ui.Post("/admin/tags/:id<int>/delete", adminOnly, s.adminTagDelete)
	ui.Get("/admin/sources", adminOnly, s.adminSources)
	ui.Post("/admin/sources", adminOnly, s.adminSourceCreate)
	ui.Post("/admin/sources/:id<int>/delete", adminOnly, s.adminSourceDelete)
}
