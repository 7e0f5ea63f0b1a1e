package app

import (
	"github.com/gofiber/fiber/v2"
)

// taskAPIRoutes registers the schedule endpoints of the JSON API
// (../shared/API.md "Tasks, reminders and notifications"). Visibility,
// assignment and the time rules are the store's answer.
func (s *Server) taskAPIRoutes(api fiber.Router, adminOnly fiber.Handler) {
	api.Get("/tasks", s.apiTasks)
	api.Post("/tasks", s.apiCreateTask)
	api.Get("/tasks/:id<int>", getRecord(s.store.Task))
	api.Patch("/tasks/:id<int>", s.apiUpdateTask)
	api.Delete("/tasks/:id<int>", deleteRecord(s.store.DeleteTask))
	api.Post("/admin/jobs/reminders", adminOnly, s.apiRunReminders)
}

// taskUIRoutes registers My day (日程), the task list, form and page, the
// calendar, and marking one notification read.
func (s *Server) taskUIRoutes(ui fiber.Router, adminOnly fiber.Handler) {
	ui.Get("/today", s.myDay)
	ui.Get("/tasks", s.taskList)
	ui.Get("/tasks/new", s.taskNew)
	ui.Post("/tasks/new", s.taskCreate)
	ui.Get("/tasks/:id<int>", s.taskShow)
	ui.Get("/tasks/:id<int>/edit", s.taskEdit)
	ui.Post("/tasks/:id<int>/edit", s.taskUpdate)
	ui.Post("/tasks/:id<int>/done", s.taskDone)
	ui.Post("/tasks/:id<int>/delete", s.taskDelete)
	ui.Get("/calendar", s.calendar)
	ui.Post("/notifications/:id<int>/read", s.notificationRead)
}
