package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Tag is an admin-managed label with a colour (标签).
type Tag struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color"`
	Count int    `json:"count"`
}

// Source is an admin-managed lead channel (来源渠道).
type Source struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

var colorRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Tags lists every tag with how many live customers carry it.
func (s *Store) Tags(ctx context.Context) ([]*Tag, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT t.id, t.name, t.color, (SELECT count(*) FROM customer_tags ct JOIN customers c ON c.id = ct.customer_id WHERE ct.tag_id = t.id AND c.deleted_at IS NULL)
		FROM tags t ORDER BY t.name`)
	if err != nil {
		return nil, fmt.Errorf("store: tags: %w", err)
	}
	defer rows.Close()
	out := []*Tag{}
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.ID, &t.Name, &t.Color, &t.Count); err != nil {
			return nil, err
		}
		out = append(out, &t)
	}
	return out, rows.Err()
}

// Tag loads one tag by id.
func (s *Store) Tag(ctx context.Context, id int64) (*Tag, error) {
	var t Tag
	err := s.r.QueryRowContext(ctx, `SELECT t.id, t.name, t.color, (SELECT count(*) FROM customer_tags ct JOIN customers c ON c.id = ct.customer_id WHERE ct.tag_id = t.id AND c.deleted_at IS NULL)
		FROM tags t WHERE t.id = ?`, id).Scan(&t.ID, &t.Name, &t.Color, &t.Count)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: tag %d: %w", id, err)
	}
	return &t, nil
}

// SaveTag creates (id 0) or renames/recolours a tag; admins only.
func (s *Store) SaveTag(ctx context.Context, actor *User, id int64, name, color string) (*Tag, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	name, color = strings.TrimSpace(name), strings.TrimSpace(color)
	if color == "" {
		color = "#1668dc"
	}
	fe := fieldErrors{}
	if name == "" {
		fe.add("name", "err.required")
	} else if utf8.RuneCountInString(name) > 30 || strings.Contains(name, ",") {
		fe.add("name", "err.tag_name")
	}
	if !colorRe.MatchString(color) {
		fe.add("color", "err.color")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tags WHERE name = ? AND id != ?`, name, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"name": M("err.name_taken")}}
		}
		if id == 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO tags (name, color, created_at) VALUES (?, ?, ?)`, name, color, s.now().Unix())
			if err != nil {
				return fmt.Errorf("store: insert tag: %w", err)
			}
			id, _ = res.LastInsertId()
			return auditCreate(ctx, tx, s.now().Unix(), "tag", id, name)
		}
		before, err := snapshot(ctx, tx, "tags", id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE tags SET name = ?, color = ? WHERE id = ?`, name, color, id)
		if err != nil {
			return fmt.Errorf("store: update tag %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return auditUpdate(ctx, tx, s.now().Unix(), "tag", "tags", id, before)
	})
	if err != nil {
		return nil, err
	}
	var t Tag
	err = s.r.QueryRowContext(ctx, `SELECT id, name, color FROM tags WHERE id = ?`, id).Scan(&t.ID, &t.Name, &t.Color)
	return &t, err
}

// DeleteTag removes a tag from every customer; admins only.
func (s *Store) DeleteTag(ctx context.Context, actor *User, id int64) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("store: delete tag %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return auditDelete(ctx, tx, s.now().Unix(), "tag", id, "")
	})
}

// Sources lists the lead channels in their display order.
func (s *Store) Sources(ctx context.Context) ([]*Source, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, active FROM sources ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	defer rows.Close()
	out := []*Source{}
	for rows.Next() {
		var src Source
		if err := rows.Scan(&src.ID, &src.Name, &src.Active); err != nil {
			return nil, err
		}
		out = append(out, &src)
	}
	return out, rows.Err()
}

// AddSource adds a lead channel; admins only.
func (s *Store) AddSource(ctx context.Context, actor *User, name string) (*Source, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 50 {
		return nil, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"name": M("err.length", "Min", 1, "Max", 50)}}
	}
	var src Source
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"name": M("err.name_taken")}}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sources (name, position) VALUES (?, (SELECT COALESCE(max(position), 0) + 1 FROM sources))`, name)
		if err != nil {
			return fmt.Errorf("store: insert source: %w", err)
		}
		src.ID, _ = res.LastInsertId()
		src.Name, src.Active = name, true
		return auditCreate(ctx, tx, s.now().Unix(), "source", src.ID, name)
	})
	if err != nil {
		return nil, err
	}
	return &src, nil
}

// DeleteSource removes a lead channel that no customer uses; one in use
// is refused (existing customers keep their history).
func (s *Store) DeleteSource(ctx context.Context, actor *User, id int64) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM sources WHERE id = ?`, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var used int
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM customers WHERE source = ? AND deleted_at IS NULL)`, name).Scan(&used); err != nil {
			return err
		}
		if used == 1 {
			return &Error{Code: CodeConflict, Msg: M("err.source_in_use", "Name", name)}
		}
		if _, err = tx.ExecContext(ctx, `DELETE FROM sources WHERE id = ?`, id); err != nil {
			return err
		}
		return auditDelete(ctx, tx, s.now().Unix(), "source", id, name)
	})
}
