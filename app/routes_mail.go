package app

import "github.com/gofiber/fiber/v2"

// mailPublicRoutes registers the pages reached from an email without
// signing in: the unsubscribe page (退订), whose link is signed.
func (s *Server) mailPublicRoutes(f *fiber.App) {
	f.Get("/unsubscribe", s.unsubscribePage)
	f.Post("/unsubscribe", s.unsubscribeSave)
}

// mailAPIRoutes registers the email API: the caller's notification
// settings and tag campaigns.
func (s *Server) mailAPIRoutes(api fiber.Router, adminOnly fiber.Handler) {
	api.Get("/me/notification-settings", s.apiMailPrefs)
	api.Put("/me/notification-settings", s.apiSaveMailPrefs)
	api.Get("/campaigns", s.apiCampaigns)
	api.Post("/campaigns", s.apiSendCampaign)
	api.Post("/campaigns/preview", s.apiPreviewCampaign)
	api.Get("/campaigns/:id<int>", s.apiCampaign)
}

// mailUIRoutes registers the email pages: the admin email page, the
// profile's email settings, greetings and campaigns.
func (s *Server) mailUIRoutes(ui fiber.Router, adminOnly fiber.Handler) {
	ui.Get("/admin/email", adminOnly, s.adminEmail)
	ui.Post("/admin/email", adminOnly, s.adminEmailSave)
	ui.Post("/admin/email/test", adminOnly, s.adminEmailTest)
	ui.Post("/admin/email/greetings", adminOnly, s.adminGreetingsSave)
	ui.Post("/admin/email/outbox/:id<int>/retry", adminOnly, s.adminOutboxRetry)
	ui.Post("/profile/email", s.profileEmailSave)
	ui.Post("/contacts/:id<int>/greeting", s.contactGreeting)
	ui.Get("/campaigns", s.campaignList)
	ui.Get("/campaigns/new", s.campaignNew)
	ui.Post("/campaigns/new", s.campaignSubmit)
	ui.Get("/campaigns/:id<int>", s.campaignShow)
}
