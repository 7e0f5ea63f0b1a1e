package app

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// notificationView is a notification as the API and the page show it,
// its title translated into the reader's language.
type notificationView struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

func (s *Server) notificationViews(c *fiber.Ctx, unreadOnly bool, limit int) ([]notificationView, error) {
	ns, err := s.store.Notifications(c.UserContext(), currentUser(c), unreadOnly, limit)
	if err != nil {
		return nil, err
	}
	l := loc(c)
	out := make([]notificationView, 0, len(ns))
	for _, n := range ns {
		out = append(out, notificationView{ID: n.ID, Kind: n.Kind, Title: l.T(n.TitleKey, n.Args), Link: n.Link,
			CreatedAt: n.CreatedAt, ReadAt: n.ReadAt})
	}
	return out, nil
}

// unreadCount is the number on the header's bell; 0 when signed out. A
// failure only costs the badge, so it is logged by the caller's request
// log rather than failing the page.
func (s *Server) unreadCount(c *fiber.Ctx) int {
	u := currentUser(c)
	if u == nil {
		return 0
	}
	n, err := s.store.UnreadCount(c.UserContext(), u)
	if err != nil {
		return 0
	}
	return n
}

// apiNotifications lists the caller's notifications, newest first
// (?unread=true for the unread ones only; ?per_page= up to 200).
func (s *Server) apiNotifications(c *fiber.Ctx) error {
	unread := false
	switch strings.TrimSpace(c.Query("unread")) {
	case "", "0", "false":
	case "1", "true":
		unread = true
	default:
		return invalidField("unread", "err.pools_bool")
	}
	limit := c.QueryInt("per_page", 50)
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	items, err := s.notificationViews(c, unread, limit)
	if err != nil {
		return err
	}
	total := len(items)
	if unread && total == limit {
		total = s.unreadCount(c)
	}
	return c.JSON(fiber.Map{"items": items, "total": total, "page": 1, "per_page": limit, "unread": s.unreadCount(c)})
}

// apiMarkRead marks notifications read: {"ids":[…]} or {"all":true}.
func (s *Server) apiMarkRead(c *fiber.Ctx) error {
	var body struct {
		IDs []int64 `json:"ids"`
		All bool    `json:"all"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	if !body.All && len(body.IDs) == 0 {
		return invalidField("ids", "err.required")
	}
	if err := s.store.MarkRead(c.UserContext(), currentUser(c), body.IDs, body.All); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"unread": s.unreadCount(c)})
}

// notificationList is the notifications page (通知), newest first.
func (s *Server) notificationList(c *fiber.Ctx) error {
	items, err := s.notificationViews(c, false, 200)
	if err != nil {
		return err
	}
	data := s.page(c, "notif.title")
	data["Items"] = items
	return c.Render("notifications/index", data)
}

// notificationsReadAll marks every notification read.
func (s *Server) notificationsReadAll(c *fiber.Ctx) error {
	if err := s.store.MarkRead(c.UserContext(), currentUser(c), nil, true); err != nil {
		return err
	}
	s.setFlash(c, "notif.flash.all_read")
	return c.Redirect("/notifications", fiber.StatusSeeOther)
}

// notificationOpen marks one notification read and follows its link.
func (s *Server) notificationOpen(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	items, err := s.store.Notifications(c.UserContext(), currentUser(c), false, 200)
	if err != nil {
		return err
	}
	var link string
	found := false
	for _, n := range items {
		if n.ID == id {
			link, found = n.Link, true
			break
		}
	}
	if !found {
		return store.ErrNotFound
	}
	if err := s.store.MarkRead(c.UserContext(), currentUser(c), []int64{id}, false); err != nil {
		return err
	}
	return backTo(c, link, "/notifications")
}
