package app

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
)

// The backups page (备份与恢复): download a fresh backup, the stored
// scheduled ones, their health, and restore from an uploaded file.

func (s *Server) backupSettings() scheduler.BackupSettings {
	b := s.cfg.Backup
	return scheduler.BackupSettings{DailyAt: b.Time, Keep: b.Keep, Compress: b.Compress, Dir: s.cfg.BackupDir()}
}

func (s *Server) renderBackups(c *fiber.Ctx, status int, restoreErr string) error {
	settings := s.backupSettings()
	health, err := scheduler.BackupHealth(c.UserContext(), s.store, settings.Dir)
	if err != nil {
		return err
	}
	list, err := store.ListBackups(settings.Dir)
	if err != nil {
		return err
	}
	data := s.page(c, "backup.title")
	data["Tab"] = "backups"
	data["Settings"] = settings
	data["Health"] = health
	rows := make([]backupRow, len(list))
	for i, b := range list {
		rows[i] = backupRow{BackupInfo: b, SizeText: humanBytes(b.Size)}
	}
	data["Backups"] = rows
	data["RestoreError"] = restoreErr
	data["Outcome"] = s.restoreOutcome()
	data["CanRestore"] = s.data.listening.Load()
	data["UploadLimit"] = humanBytes(s.cfg.Server.UploadLimit)
	return c.Status(status).Render("admindata/backups", data)
}

// backupRow is a stored backup with its size for people.
type backupRow struct {
	store.BackupInfo
	SizeText string
}

func (s *Server) backupsPage(c *fiber.Ctx) error { return s.renderBackups(c, fiber.StatusOK, "") }

func (s *Server) backupDownloadNow(c *fiber.Ctx) error { return s.sendBackup(c) }

// storedBackup resolves :name to a file in the backup dir; anything that
// is not a backup file name (a path, "..") is a 404.
func (s *Server) storedBackup(c *fiber.Ctx) (string, string, error) {
	name := c.Params("name")
	if !store.ValidBackupName(name) {
		return "", "", store.ErrNotFound
	}
	path := filepath.Join(s.cfg.BackupDir(), name)
	if _, err := os.Stat(path); err != nil {
		return "", "", store.ErrNotFound
	}
	return name, path, nil
}

func (s *Server) backupDownloadStored(c *fiber.Ctx) error {
	name, path, err := s.storedBackup(c)
	if err != nil {
		return err
	}
	if err := s.store.Audit(c.UserContext(), store.AuditEntry{Action: store.AuditBackup, Entity: "database", Detail: name}); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Download(path, name)
}

func (s *Server) backupDelete(c *fiber.Ctx) error {
	name, path, err := s.storedBackup(c)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil {
		return err
	}
	if err := s.store.Audit(c.UserContext(), store.AuditEntry{Action: store.AuditDelete, Entity: "database", Detail: name}); err != nil {
		return err
	}
	s.setFlash(c, "backup.flash_deleted")
	return c.Redirect("/admin/backups", fiber.StatusSeeOther)
}

// backupRestore validates the uploaded file and, when it is a good Tide
// backup, hands it to the process for an in-process restart. A refused
// file changes nothing and the page says why, in the user's language.
func (s *Server) backupRestore(c *fiber.Ctx) error {
	if !s.data.listening.Load() {
		return s.renderBackups(c, fiber.StatusServiceUnavailable, loc(c).T("backup.err_no_restart"))
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return s.renderBackups(c, fiber.StatusBadRequest, loc(c).T("backup.err_no_file"))
	}
	upload := filepath.Join(s.cfg.Data.Dir, ".upload-"+randomString(9))
	if err := c.SaveFile(fh, upload); err != nil {
		return err
	}
	defer os.Remove(upload)
	plain, _, err := store.ValidateBackup(c.UserContext(), upload)
	var be *store.BackupError
	if errors.As(err, &be) {
		return s.renderBackups(c, fiber.StatusBadRequest, loc(c).T(be.Key, be.Args))
	}
	if err != nil {
		return err
	}
	req := RestoreRequest{Path: plain, Name: fh.Filename, UserID: currentUser(c).ID, IP: c.IP()}
	select {
	case s.data.channel() <- req:
	default:
		os.Remove(plain)
		return s.renderBackups(c, fiber.StatusConflict, loc(c).T("backup.err_busy"))
	}
	data := s.page(c, "backup.restoring_title")
	data["Tab"] = "backups"
	data["File"] = fh.Filename
	return c.Render("admindata/restoring", data)
}
