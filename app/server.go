// Package app is Tide's HTTP layer: routes, middleware (session, CSRF,
// auth, language), and one file per handler group. Handlers parse, check
// the role, call the store (where the rules live) and render a template or
// JSON; they hold no business rule of their own.
package app

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/template/html/v2"

	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
	"github.com/tidecrm/tide/views"
)

// Jobs is what the admin jobs page needs from the scheduler.
type Jobs interface {
	// Jobs lists the scheduled jobs with their next run.
	Jobs() []scheduler.Info
}

// Server is the HTTP application.
type Server struct {
	cfg      *config.Config
	store    *store.Store
	jobs     Jobs
	log      *slog.Logger
	fiber    *fiber.App
	assets   *assets
	throttle *throttle
	data     dataOps // in-process restore hand-off (routes_admin_data.go)

	setupDone atomic.Bool
	companyMu sync.RWMutex
	company   companySettings
}

type companySettings struct {
	Name     string
	Language string
}

// New builds the application with every route registered.
func New(cfg *config.Config, st *store.Store, jobs Jobs, log *slog.Logger) *Server {
	s := &Server{cfg: cfg, store: st, jobs: jobs, log: log, assets: loadAssets(), throttle: newThrottle()}
	engine := html.NewFileSystem(http.FS(views.FS), ".html")
	engine.AddFuncMap(s.templateFuncs())
	s.fiber = fiber.New(fiber.Config{
		Views:                 engine,
		ViewsLayout:           "layouts/main",
		ErrorHandler:          s.handleError,
		BodyLimit:             int(max(cfg.Server.BodyLimit, cfg.Server.UploadLimit)),
		ReadTimeout:           60 * time.Second,
		WriteTimeout:          5 * time.Minute,
		IdleTimeout:           2 * time.Minute,
		DisableStartupMessage: true,
		AppName:               "Tide",
	})
	s.loadCompany(context.Background())
	s.routes()
	return s
}

// Handler exposes the fiber app (tests drive it with app.Test).
func (s *Server) Handler() *fiber.App { return s.fiber }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.fiber.Listener(ln) }

// Shutdown stops accepting connections and waits for in-flight requests.
func (s *Server) Shutdown(timeout time.Duration) error {
	return s.fiber.ShutdownWithTimeout(timeout)
}

func (s *Server) loadCompany(ctx context.Context) {
	name, _ := s.store.Setting(ctx, store.SettingCompanyName, "")
	lang, _ := s.store.Setting(ctx, store.SettingLanguage, s.cfg.App.Language)
	s.companyMu.Lock()
	s.company = companySettings{Name: name, Language: lang}
	s.companyMu.Unlock()
}

func (s *Server) companyInfo() companySettings {
	s.companyMu.RLock()
	defer s.companyMu.RUnlock()
	return s.company
}

func (s *Server) routes() {
	f := s.fiber
	f.Use(s.logRequests)
	f.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	f.Get("/static/:hash/*", s.assets.serve)
	f.Get("/healthz", s.healthz)
	f.Use(s.authenticate, s.chooseLanguage, s.requireSetup, s.checkBodySize, s.checkCSRF)

	f.Get("/setup", s.setupForm)
	f.Post("/setup", s.setupSave)
	f.Get("/login", s.loginForm)
	f.Post("/login", s.loginSave)
	f.Post("/logout", s.logout)
	f.Post("/lang", s.switchLanguage)

	// Role checks are per route: a fiber Group with a handler is a Use
	// on its prefix and would apply to every route registered after it.
	adminOnly := s.requireRole(store.RoleAdmin)
	api := f.Group("/api/v1")
	api.Post("/auth/login", s.apiLogin)
	api.Get("/openapi.json", s.apiOpenAPI)
	api.Use(s.requireAPIUser)
	api.Get("/me", s.apiMe)
	api.Get("/tokens", s.apiTokens)
	api.Post("/tokens", s.apiCreateToken)
	api.Delete("/tokens/:id", s.apiRevokeToken)
	api.Get("/departments", s.apiDepartments)
	api.Post("/departments", adminOnly, s.apiCreateDepartment)
	api.Patch("/departments/:id", adminOnly, s.apiUpdateDepartment)
	api.Delete("/departments/:id", adminOnly, s.apiDeleteDepartment)
	api.Get("/users", s.apiUsers)
	api.Get("/users/:id", s.apiUser)
	api.Post("/users", adminOnly, s.apiCreateUser)
	api.Patch("/users/:id", adminOnly, s.apiUpdateUser)
	s.customerAPIRoutes(api, adminOnly)
	s.poolAPIRoutes(api, adminOnly)
	s.pipelineAPIRoutes(api, adminOnly)
	s.oppImportAPIRoutes(api, adminOnly)
	s.taskAPIRoutes(api, adminOnly)
	s.adminDataAPIRoutes(api, adminOnly)
	s.mailAPIRoutes(api, adminOnly)
	s.reportsAPIRoutes(api)
	api.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })

	s.mailPublicRoutes(f)
	ui := f.Group("", s.requireLogin)
	ui.Get("/", s.home)
	ui.Get("/profile", s.profile)
	ui.Post("/profile", s.profileSave)
	ui.Post("/profile/password", s.profilePassword)
	ui.Post("/profile/tokens", s.profileCreateToken)
	ui.Post("/profile/tokens/:id/revoke", s.profileRevokeToken)
	s.customerUIRoutes(ui, adminOnly)
	s.poolUIRoutes(ui, adminOnly)
	s.oppImportRoutes(ui, adminOnly)
	s.pipelineUIRoutes(ui, adminOnly)
	s.taskUIRoutes(ui, adminOnly)
	s.adminDataUIRoutes(ui, adminOnly)
	s.mailUIRoutes(ui, adminOnly)
	s.shellUIRoutes(ui, adminOnly)
	s.reportsUIRoutes(ui)

	ui.Get("/admin/users", adminOnly, s.adminUsers)
	ui.Get("/admin/users/new", adminOnly, s.adminUserNew)
	ui.Post("/admin/users/new", adminOnly, s.adminUserCreate)
	ui.Get("/admin/users/:id", adminOnly, s.adminUserEdit)
	ui.Post("/admin/users/:id", adminOnly, s.adminUserUpdate)
	ui.Post("/admin/users/:id/password", adminOnly, s.adminUserPassword)
	ui.Get("/admin/departments", adminOnly, s.adminDepartments)
	ui.Post("/admin/departments", adminOnly, s.adminDepartmentCreate)
	ui.Get("/admin/departments/:id", adminOnly, s.adminDepartmentEdit)
	ui.Post("/admin/departments/:id", adminOnly, s.adminDepartmentUpdate)
	ui.Post("/admin/departments/:id/delete", adminOnly, s.adminDepartmentDelete)
	ui.Get("/admin/jobs", adminOnly, s.adminJobs)
	f.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

func (s *Server) healthz(c *fiber.Ctx) error {
	if err := s.store.Ping(c.UserContext()); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}
