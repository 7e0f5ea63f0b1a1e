package app

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// sendBackup writes a fresh verified backup to a temp file in the data dir
// and streams it. The file is unlinked once open, so nothing is left
// behind even if the download is abandoned.
func (s *Server) sendBackup(c *fiber.Ctx) error {
	ctx := c.UserContext()
	tmp := filepath.Join(s.cfg.Data.Dir, ".download-"+randomString(9)+".db")
	if err := s.store.Backup(ctx, tmp, false); err != nil {
		return err
	}
	f, err := os.Open(tmp)
	os.Remove(tmp)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	name := store.BackupName(s.store.Now(), false)
	if err := s.store.Audit(ctx, store.AuditEntry{Action: store.AuditBackup, Entity: "database", Detail: name}); err != nil {
		f.Close()
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEOctetStream)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Context().SetBodyStream(f, int(fi.Size())) // fasthttp closes f when sent
	return nil
}

func (s *Server) apiBackup(c *fiber.Ctx) error { return s.sendBackup(c) }

// auditQuery reads the audit filters shared by the API, the page and the
// export: user_id, entity, action, from/to (dates in the company zone,
// inclusive, or RFC 3339 instants), before (keyset cursor), per_page.
func (s *Server) auditQuery(c *fiber.Ctx) (store.AuditQuery, error) {
	q := store.AuditQuery{Entity: strings.TrimSpace(c.Query("entity")), Action: strings.TrimSpace(c.Query("action"))}
	fe := map[string]store.Msg{}
	num := func(name string) int64 {
		v := strings.TrimSpace(c.Query(name))
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fe[name] = store.M("audit.err_number")
		}
		return n
	}
	q.UserID, q.Before, q.Limit = num("user_id"), num("before"), int(num("per_page"))
	var err error
	if q.From, err = s.auditTime(c.Query("from"), false); err != nil {
		fe["from"] = store.M("audit.err_date")
	}
	if q.To, err = s.auditTime(c.Query("to"), true); err != nil {
		fe["to"] = store.M("audit.err_date")
	}
	if len(fe) > 0 {
		return q, &store.Error{Code: store.CodeInvalid, Msg: store.M("err.invalid"), Fields: fe}
	}
	return q, nil
}

// auditTime parses a date (company zone; an end date includes its whole
// day) or an RFC 3339 instant; "" is no bound.
func (s *Server) auditTime(v string, end bool) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, s.cfg.Location); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	return &t, err
}

func (s *Server) apiAudit(c *fiber.Ctx) error {
	q, err := s.auditQuery(c)
	if err != nil {
		return err
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, 500)
	rows, err := s.store.AuditLog(c.UserContext(), currentUser(c), q)
	if err != nil {
		return err
	}
	total, err := s.store.CountAudit(c.UserContext(), currentUser(c), q)
	if err != nil {
		return err
	}
	translateAudit(loc(c), rows)
	env := fiber.Map{"items": rows, "total": total, "page": 1, "per_page": q.Limit, "next_before": nil}
	if len(rows) == q.Limit {
		env["next_before"] = rows[len(rows)-1].ID
	}
	return c.JSON(env)
}

func (s *Server) apiWebhooks(c *fiber.Ctx) error {
	list, err := s.store.Webhooks(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(listEnvelope(list, len(list)))
}

func (s *Server) apiCreateWebhook(c *fiber.Ctx) error {
	var in store.WebhookInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	w, err := s.store.CreateWebhook(c.UserContext(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(w)
}

func (s *Server) apiWebhookDeliveries(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	list, err := s.store.WebhookDeliveries(c.UserContext(), currentUser(c), id, 100)
	if err != nil {
		return err
	}
	return c.JSON(listEnvelope(list, len(list)))
}

func (s *Server) apiWebhookTest(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.SendTestWebhook(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"queued": true})
}
