package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// unsubscribeRequest reads the signed link's parameters (query or form).
func unsubscribeRequest(c *fiber.Ctx) store.UnsubscribeRequest {
	get := func(k string) string {
		if v := c.FormValue(k); v != "" {
			return v
		}
		return c.Query(k)
	}
	id, _ := strconv.ParseInt(get("c"), 10, 64)
	return store.UnsubscribeRequest{ContactID: id, Address: get("a"), Token: get("t")}
}

// unsubscribePage is the public page an email's unsubscribe link opens:
// it checks the signature and asks for a confirming click, so a mail
// scanner following links does not unsubscribe anyone.
func (s *Server) unsubscribePage(c *fiber.Ctx) error {
	r := unsubscribeRequest(c)
	done, err := s.store.CheckUnsubscribe(c.UserContext(), r)
	return s.renderUnsubscribe(c, r, done, err)
}

// unsubscribeSave records the unsubscribe.
func (s *Server) unsubscribeSave(c *fiber.Ctx) error {
	r := unsubscribeRequest(c)
	err := s.store.Unsubscribe(c.UserContext(), r)
	return s.renderUnsubscribe(c, r, err == nil, err)
}

func (s *Server) renderUnsubscribe(c *fiber.Ctx, r store.UnsubscribeRequest, done bool, err error) error {
	data := s.page(c, "mailui.unsub_title")
	data["Req"], data["Done"] = r, done
	status := fiber.StatusOK
	if err != nil {
		e, ok := store.AsError(err)
		if !ok {
			return err
		}
		data["Bad"] = loc(c).T(e.Msg.Key, e.Msg.Args)
		status = fiber.StatusNotFound
	}
	return c.Status(status).Render("mail/unsubscribe", data, "layouts/plain")
}

// contactGreeting queues the birthday greeting to one contact (the
// one-click button beside a contact); a refusal shows on the customer page.
func (s *Server) contactGreeting(c *fiber.Ctx) error {
	return s.contactAction(c, s.store.QueueGreeting, "mailui.flash.greeting_queued")
}
