package app

import (
	"sync"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"
)

// Data safety and integration (数据与集成): backups and restore, the audit
// log and webhooks. All admin only; the rules live in the store.

// adminDataAPIRoutes registers the JSON API of ../shared/API.md "Backup,
// audit, webhooks".
func (s *Server) adminDataAPIRoutes(api fiber.Router, adminOnly fiber.Handler) {
	api.Get("/admin/backup", adminOnly, s.apiBackup)
	api.Get("/audit", adminOnly, s.apiAudit)
	api.Get("/webhooks", adminOnly, s.apiWebhooks)
	api.Post("/webhooks", adminOnly, s.apiCreateWebhook)
	api.Get("/webhooks/:id<int>", adminOnly, getRecord(s.store.Webhook))
	api.Patch("/webhooks/:id<int>", adminOnly, patchRecord(s.store.UpdateWebhook))
	api.Delete("/webhooks/:id<int>", adminOnly, deleteRecord(s.store.DeleteWebhook))
	api.Get("/webhooks/:id<int>/deliveries", adminOnly, s.apiWebhookDeliveries)
	api.Post("/webhooks/:id<int>/test", adminOnly, s.apiWebhookTest)
}

// adminDataUIRoutes registers the three admin pages, tabs of one section.
func (s *Server) adminDataUIRoutes(ui fiber.Router, adminOnly fiber.Handler) {
	ui.Get("/admin/backups", adminOnly, s.backupsPage)
	ui.Get("/admin/backups/download", adminOnly, s.backupDownloadNow)
	ui.Get("/admin/backups/file/:name", adminOnly, s.backupDownloadStored)
	ui.Post("/admin/backups/file/:name/delete", adminOnly, s.backupDelete)
	ui.Post("/admin/backups/restore", adminOnly, s.backupRestore)
	ui.Get("/admin/audit", adminOnly, s.auditPage)
	ui.Get("/admin/audit/export", adminOnly, s.auditExport)
	ui.Get("/admin/webhooks", adminOnly, s.webhooksPage)
	ui.Post("/admin/webhooks", adminOnly, s.webhookCreate)
	ui.Get("/admin/webhooks/:id<int>", adminOnly, s.webhookShow)
	ui.Post("/admin/webhooks/:id<int>/enabled", adminOnly, s.webhookToggle)
	ui.Post("/admin/webhooks/:id<int>/test", adminOnly, s.webhookTest)
	ui.Post("/admin/webhooks/:id<int>/delete", adminOnly, s.webhookDelete)
}

// dataOps is the server's state for restores: a restore is validated in
// the request, then handed to the process (cli.Run), which drains
// requests, swaps the database and starts a fresh server.
type dataOps struct {
	once      sync.Once
	restores  chan RestoreRequest
	listening atomic.Bool
	mu        sync.Mutex
	outcome   *RestoreOutcome
}

// RestoreRequest is a validated backup (a plain SQLite file in the data
// dir) an admin asked to restore, with who asked and from where.
type RestoreRequest struct {
	Path, Name string
	UserID     int64
	IP         string
}

// RestoreOutcome is what the last in-process restore did, shown on the
// backups page of the server started after it.
type RestoreOutcome struct {
	File, Aside, Err string
	From, To         int64
}

func (d *dataOps) channel() chan RestoreRequest {
	d.once.Do(func() { d.restores = make(chan RestoreRequest, 1) })
	return d.restores
}

// RestoreRequests delivers the validated backups an admin asked to
// restore; the process that runs the server (cli.Run) acts on them. Until
// something has asked for this channel, restoring from the page is off.
func (s *Server) RestoreRequests() <-chan RestoreRequest {
	s.data.listening.Store(true)
	return s.data.channel()
}

// SetRestoreOutcome tells a freshly started server what the restore that
// preceded it did.
func (s *Server) SetRestoreOutcome(o *RestoreOutcome) {
	s.data.mu.Lock()
	s.data.outcome = o
	s.data.mu.Unlock()
}

func (s *Server) restoreOutcome() *RestoreOutcome {
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	return s.data.outcome
}
