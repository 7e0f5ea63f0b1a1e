package app

import (
	"github.com/gofiber/fiber/v2"
)

// pipelineAPIRoutes registers the sales-pipeline endpoints of the JSON API
// (../shared/API.md "Opportunities (商机) and stages"). Role checks are per
// route; visibility and the stage rules are the store's answer.
func (s *Server) pipelineAPIRoutes(api fiber.Router, adminOnly fiber.Handler) {
	api.Get("/stages", s.apiStages)
	api.Post("/stages", adminOnly, s.apiCreateStage)
	api.Patch("/stages/:id<int>", adminOnly, s.apiUpdateStage)
	api.Delete("/stages/:id<int>", adminOnly, s.apiDeleteStage)
	api.Get("/lost-reasons", s.apiLostReasons)
	api.Get("/opportunities", s.apiOpportunities)
	api.Post("/opportunities", s.apiCreateOpportunity)
	api.Get("/opportunities/:id<int>", getRecord(s.store.Opportunity))
	api.Patch("/opportunities/:id<int>", patchRecord(s.store.UpdateOpportunity))
	api.Delete("/opportunities/:id<int>", deleteRecord(s.store.DeleteOpportunity))
	api.Post("/opportunities/:id<int>/stage", s.apiMoveOpportunity)
	api.Get("/opportunities/:id<int>/history", s.apiOpportunityHistory)
	api.Get("/pipeline/board", s.apiBoard)
	api.Get("/pipeline/forecast", s.apiForecast)
}

// pipelineUIRoutes registers the board (销售看板), the opportunity pages
// and the stage admin page.
func (s *Server) pipelineUIRoutes(ui fiber.Router, adminOnly fiber.Handler) {
	ui.Get("/pipeline", s.pipelineBoard)
	ui.Post("/pipeline/:id<int>/stage", s.pipelineMove)
	ui.Get("/opportunities", s.opportunityList)
	ui.Get("/opportunities/new", s.opportunityNew)
	ui.Post("/opportunities/new", s.opportunityCreate)
	ui.Get("/opportunities/:id<int>", s.opportunityShow)
	ui.Get("/opportunities/:id<int>/edit", s.opportunityEdit)
	ui.Post("/opportunities/:id<int>/edit", s.opportunityUpdate)
	ui.Post("/opportunities/:id<int>/delete", s.opportunityDelete)
	ui.Get("/opportunities/:id<int>/close", s.opportunityCloseForm)
	ui.Post("/opportunities/:id<int>/close", s.opportunityClose)

	ui.Get("/admin/stages", adminOnly, s.adminStages)
	ui.Post("/admin/stages", adminOnly, s.adminStageCreate)
	ui.Get("/admin/stages/:id<int>", adminOnly, s.adminStageEdit)
	ui.Post("/admin/stages/:id<int>", adminOnly, s.adminStageUpdate)
	ui.Post("/admin/stages/:id<int>/delete", adminOnly, s.adminStageDelete)
}
