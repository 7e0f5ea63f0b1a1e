package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Contact is a person at a customer (联系人).
type Contact struct {
	ID         int64     `json:"id"`
	CustomerID int64     `json:"customer_id"`
	Name       string    `json:"name"`
	Position   string    `json:"position"`
	Gender     string    `json:"gender"`
	Birthday   string    `json:"birthday"`
	Phone      string    `json:"phone"`
	Email      string    `json:"email"`
	WeChat     string    `json:"wechat"`
	Hobbies    string    `json:"hobbies"`
	Notes      string    `json:"notes"`
	IsPrimary  bool      `json:"is_primary"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ContactInput is what a form or the API sets on a contact; nil leaves a
// field alone on update.
type ContactInput struct {
	Name      *string `json:"name"`
	Position  *string `json:"position"`
	Gender    *string `json:"gender"`
	Birthday  *string `json:"birthday"`
	Phone     *string `json:"phone"`
	Email     *string `json:"email"`
	WeChat    *string `json:"wechat"`
	Hobbies   *string `json:"hobbies"`
	Notes     *string `json:"notes"`
	IsPrimary *bool   `json:"is_primary"`
}

func (in *ContactInput) fields() map[string]*string {
	return map[string]*string{"name": in.Name, "position": in.Position, "gender": in.Gender, "birthday": in.Birthday,
		"phone": in.Phone, "email": in.Email, "wechat": in.WeChat, "hobbies": in.Hobbies, "notes": in.Notes}
}

var contactMaxLen = map[string]int{"name": 100, "position": 100, "gender": 10, "birthday": 10, "phone": 40,
	"email": 254, "wechat": 100, "hobbies": 300, "notes": 2000}

func (s *Store) validateContact(in *ContactInput, creating bool) fieldErrors {
	fe := fieldErrors{}
	for f, p := range in.fields() {
		if p == nil {
			continue
		}
		*p = strings.TrimSpace(*p)
		if utf8.RuneCountInString(*p) > contactMaxLen[f] {
			fe.add(f, "err.too_long", "Max", contactMaxLen[f])
		}
	}
	if (creating || in.Name != nil) && deref(in.Name) == "" {
		fe.add("name", "err.required")
	}
	if g := deref(in.Gender); g != "" && g != "male" && g != "female" {
		fe.add("gender", "err.gender")
	}
	if b := deref(in.Birthday); b != "" {
		d, err := time.ParseInLocation("2006-01-02", b, s.Location)
		switch {
		case err != nil:
			fe.add("birthday", "err.date")
		case d.After(s.now()):
			fe.add("birthday", "err.birthday_future")
		case d.Year() < 1900:
			fe.add("birthday", "err.date")
		}
	}
	if p := deref(in.Phone); p != "" && !ValidPhone(p) {
		fe.add("phone", "err.phone")
	}
	if e := deref(in.Email); e != "" && !ValidEmail(e) {
		fe.add("email", "err.email")
	}
	if in.Email != nil {
		*in.Email = NormalizeEmail(*in.Email)
	}
	return fe
}

// editableCustomer loads a customer the actor may change: visible, and
// owned (pool customers are claimed before they are worked on) by someone
// the actor may act for.
func (s *Store) editableCustomer(ctx context.Context, q querier, actor *User, customerID int64) (*Customer, error) {
	v, err := s.VisibilityFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	c, err := s.customerVisible(ctx, q, v, customerID)
	if err != nil {
		return nil, err
	}
	if c.Owner == nil && !actor.IsAdmin() {
		return nil, &Error{Code: CodeConflict, Msg: M("err.claim_first")}
	}
	return c, nil
}

// CreateContact adds a contact to a customer. Its phone and email take
// part in the duplicate check like the customer's own.
func (s *Store) CreateContact(ctx context.Context, actor *User, customerID int64, in ContactInput) (*Contact, error) {
	fe := s.validateContact(&in, true)
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.editableCustomer(ctx, tx, actor, customerID); err != nil {
			return err
		}
		if err := fe.err(); err != nil {
			return err
		}
		now := s.now().Unix()
		if deref(in.IsPrimary) {
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET is_primary = 0 WHERE customer_id = ?`, customerID); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM contacts WHERE customer_id = ?`, customerID).Scan(&n); err != nil {
			return err
		}
		primary := deref(in.IsPrimary) || n == 0
		res, err := tx.ExecContext(ctx, `INSERT INTO contacts (customer_id, name, position, gender, birthday, phone, email, wechat,
			hobbies, notes, is_primary, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			customerID, deref(in.Name), deref(in.Position), deref(in.Gender), deref(in.Birthday), deref(in.Phone), deref(in.Email),
			deref(in.WeChat), deref(in.Hobbies), deref(in.Notes), primary, now, now)
		if err != nil {
			return fmt.Errorf("store: insert contact: %w", err)
		}
		id, _ = res.LastInsertId()
		if err := s.afterContactChange(ctx, tx, customerID, actor.ID, "contact_added", deref(in.Name), now); err != nil {
			return err
		}
		return audit(ctx, tx, now, AuditEntry{Action: AuditCreate, Entity: "contact", EntityID: id,
			Detail: M("audit.detail.contact", "Name", deref(in.Name), "Customer", customerID).Encode(), ActorID: actor.ID})
	})
	if err != nil {
		return nil, err
	}
	return s.contact(ctx, s.r, id)
}

// afterContactChange refreshes what depends on a customer's contacts:
// duplicate keys, search documents, the timeline.
func (s *Store) afterContactChange(ctx context.Context, tx *sql.Tx, customerID, actorID int64, kind, name string, now int64) error {
	if err := syncDedupKeys(ctx, tx, customerID); err != nil {
		return err
	}
	if err := syncSearch(ctx, tx, customerID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET updated_at = ? WHERE id = ?`, now, customerID); err != nil {
		return err
	}
	return addEvent(ctx, tx, customerID, kind, actorID, nil, name, now)
}

const contactCols = `id, customer_id, name, position, gender, birthday, phone, email, wechat, hobbies, notes, is_primary, created_at, updated_at`

func scanContact(row interface{ Scan(...any) error }) (*Contact, error) {
	var c Contact
	var created, updated int64
	if err := row.Scan(&c.ID, &c.CustomerID, &c.Name, &c.Position, &c.Gender, &c.Birthday, &c.Phone, &c.Email, &c.WeChat,
		&c.Hobbies, &c.Notes, &c.IsPrimary, &created, &updated); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return &c, nil
}

func (s *Store) contact(ctx context.Context, q querier, id int64) (*Contact, error) {
	c, err := scanContact(q.QueryRowContext(ctx, `SELECT `+contactCols+` FROM contacts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return c, err
}

// Contacts lists a visible customer's contacts, primary first. Contacts of
// a pool customer that hides contact details come back masked.
func (s *Store) Contacts(ctx context.Context, u *User, customerID int64) ([]*Contact, error) {
	cust, err := s.Customer(ctx, u, customerID)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+contactCols+` FROM contacts WHERE customer_id = ? ORDER BY is_primary DESC, id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("store: contacts of %d: %w", customerID, err)
	}
	defer rows.Close()
	out := []*Contact{}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, err
		}
		if cust.Masked {
			c.Phone, c.WeChat = MaskPhone(c.Phone), maskText(c.WeChat)
			if c.Email != "" {
				c.Email = MaskEmail(c.Email)
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func maskText(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}

// contactForEdit loads a contact whose customer the actor may edit.
func (s *Store) contactForEdit(ctx context.Context, tx *sql.Tx, actor *User, id int64) (*Contact, error) {
	c, err := s.contact(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.editableCustomer(ctx, tx, actor, c.CustomerID); err != nil {
		return nil, err
	}
	return c, nil
}

// Contact loads one contact of a visible customer.
func (s *Store) Contact(ctx context.Context, u *User, id int64) (*Contact, error) {
	c, err := s.contact(ctx, s.r, id)
	if err != nil {
		return nil, err
	}
	list, err := s.Contacts(ctx, u, c.CustomerID)
	if err != nil {
		return nil, err
	}
	for _, x := range list {
		if x.ID == id {
			return x, nil
		}
	}
	return nil, ErrNotFound
}

// UpdateContact edits a contact; its new phone/email must not collide.
func (s *Store) UpdateContact(ctx context.Context, actor *User, id int64, in ContactInput) (*Contact, error) {
	fe := s.validateContact(&in, false)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.contactForEdit(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := fe.err(); err != nil {
			return err
		}
		now := s.now().Unix()
		before, err := snapshot(ctx, tx, "contacts", id)
		if err != nil {
			return err
		}
		for col, p := range in.fields() {
			if p != nil {
				if _, err := tx.ExecContext(ctx, `UPDATE contacts SET `+col+` = ?, updated_at = ? WHERE id = ?`, *p, now, id); err != nil {
					return fmt.Errorf("store: update contact %d: %w", id, err)
				}
			}
		}
		if deref(in.IsPrimary) {
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET is_primary = (id = ?) WHERE customer_id = ?`, id, cur.CustomerID); err != nil {
				return err
			}
		}
		name := cur.Name
		if in.Name != nil {
			name = *in.Name
		}
		if err := s.afterContactChange(ctx, tx, cur.CustomerID, actor.ID, "contact_updated", name, now); err != nil {
			return err
		}
		return auditUpdate(ctx, tx, now, "contact", "contacts", id, before)
	})
	if err != nil {
		return nil, err
	}
	return s.contact(ctx, s.r, id)
}

// DeleteContact removes a contact; its follow-ups keep their text.
func (s *Store) DeleteContact(ctx context.Context, actor *User, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.contactForEdit(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: delete contact %d: %w", id, err)
		}
		if err := s.afterContactChange(ctx, tx, cur.CustomerID, actor.ID, "contact_deleted", cur.Name, s.now().Unix()); err != nil {
			return err
		}
		return auditDelete(ctx, tx, s.now().Unix(), "contact", id, cur.Name)
	})
}
