package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// The webhooks page: register receivers, see each one's latest delivery
// status, enable/disable, send a test, delete; a receiver's page lists its
// delivery log.

func (s *Server) renderWebhooks(c *fiber.Ctx, status int, form fiber.Map, errs map[string]string, secret *store.Webhook) error {
	list, err := s.store.Webhooks(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	data := s.page(c, "webhook.title")
	data["Tab"] = "webhooks"
	data["Webhooks"] = list
	data["Events"] = store.WebhookEvents
	data["Form"] = form
	if errs != nil {
		data["Errors"] = errs
	}
	data["Created"] = secret
	data["Interval"] = s.cfg.Webhooks.Interval.String()
	return c.Status(status).Render("admindata/webhooks", data)
}

func (s *Server) webhooksPage(c *fiber.Ctx) error {
	return s.renderWebhooks(c, fiber.StatusOK, fiber.Map{"Events": map[string]bool{}}, nil, nil)
}

func (s *Server) webhookCreate(c *fiber.Ctx) error {
	url := c.FormValue("url")
	var events []string
	chosen := map[string]bool{}
	for _, e := range store.WebhookEvents {
		if c.FormValue("event_"+e) != "" {
			events = append(events, e)
			chosen[e] = true
		}
	}
	w, err := s.store.CreateWebhook(c.UserContext(), currentUser(c), store.WebhookInput{URL: &url, Events: &events})
	if err != nil {
		if !userFacing(err) {
			return err
		}
		return s.renderWebhooks(c, fiber.StatusBadRequest, fiber.Map{"URL": url, "Events": chosen}, fieldMessages(c, err), nil)
	}
	// The secret is shown on this page once and never again.
	return s.renderWebhooks(c, fiber.StatusCreated, fiber.Map{"Events": map[string]bool{}}, nil, w)
}

func (s *Server) webhookShow(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	w, err := s.store.Webhook(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	log, err := s.store.WebhookDeliveries(c.UserContext(), currentUser(c), id, 100)
	if err != nil {
		return err
	}
	data := s.page(c, "webhook.deliveries_title")
	data["Tab"] = "webhooks"
	data["Webhook"] = w
	data["Deliveries"] = log
	return c.Render("admindata/webhook", data)
}

// webhookAction runs one row action and returns to the list with a flash.
func (s *Server) webhookAction(c *fiber.Ctx, flash string, act func(u *store.User, id int64) error) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := act(currentUser(c), id); err != nil {
		return err
	}
	s.setFlash(c, flash)
	return backTo(c, c.FormValue("next"), "/admin/webhooks")
}

func (s *Server) webhookToggle(c *fiber.Ctx) error {
	on := c.FormValue("enabled") == "1"
	flash := "webhook.flash_disabled"
	if on {
		flash = "webhook.flash_enabled"
	}
	return s.webhookAction(c, flash, func(u *store.User, id int64) error {
		_, err := s.store.UpdateWebhook(c.UserContext(), u, id, store.WebhookInput{Enabled: &on})
		return err
	})
}

func (s *Server) webhookTest(c *fiber.Ctx) error {
	return s.webhookAction(c, "webhook.flash_test", func(u *store.User, id int64) error {
		return s.store.SendTestWebhook(c.UserContext(), u, id)
	})
}

func (s *Server) webhookDelete(c *fiber.Ctx) error {
	return s.webhookAction(c, "webhook.flash_deleted", func(u *store.User, id int64) error {
		return s.store.DeleteWebhook(c.UserContext(), u, id)
	})
}
