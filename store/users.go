package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Roles a user may have.
const (
	RoleAdmin   = "admin"
	RoleManager = "manager"
	RoleSales   = "sales"
)

// BcryptCost is the password hashing cost; tests lower it to stay fast.
var BcryptCost = bcrypt.DefaultCost

// MinPasswordLen is the shortest password Tide accepts.
const MinPasswordLen = 8

// User is a person who signs in to Tide.
type User struct {
	ID             int64  `json:"id"`
	Username       string `json:"username"`
	Name           string `json:"name"`
	Email          string `json:"email"`
	Phone          string `json:"phone"`
	Role           string `json:"role"`
	DepartmentID   *int64 `json:"department_id"`
	DepartmentName string `json:"department_name,omitempty"`
	Active         bool   `json:"active"`
	Language       string `json:"language"`
	CreatedAt      int64  `json:"-"`
}

// IsAdmin reports whether u administers the whole company.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// IsManager reports whether u is a manager or admin (may assign, transfer).
func (u *User) IsManager() bool { return u != nil && (u.Role == RoleManager || u.Role == RoleAdmin) }

// UserInput is what a form or API call may set on a user. Nil pointers
// leave a field unchanged on update.
type UserInput struct {
	Username     *string `json:"username"`
	Name         *string `json:"name"`
	Email        *string `json:"email"`
	Phone        *string `json:"phone"`
	Role         *string `json:"role"`
	DepartmentID *int64  `json:"department_id"`
	Active       *bool   `json:"active"`
	Language     *string `json:"language"`
	Password     *string `json:"password"`
}

const userCols = `u.id, u.username, u.name, u.email, u.phone, u.role, u.department_id,
	COALESCE(d.name, ''), u.active, u.language, u.created_at`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var dep sql.NullInt64
	if err := row.Scan(&u.ID, &u.Username, &u.Name, &u.Email, &u.Phone, &u.Role, &dep,
		&u.DepartmentName, &u.Active, &u.Language, &u.CreatedAt); err != nil {
		return nil, err
	}
	if dep.Valid {
		u.DepartmentID = &dep.Int64
	}
	return &u, nil
}

func validateUser(in UserInput, creating bool) fieldErrors {
	fe := fieldErrors{}
	if creating || in.Username != nil {
		u := strings.TrimSpace(deref(in.Username))
		switch {
		case u == "":
			fe.add("username", "err.required")
		case utf8.RuneCountInString(u) < 2 || utf8.RuneCountInString(u) > 64:
			fe.add("username", "err.length", "Min", 2, "Max", 64)
		case strings.ContainsAny(u, " \t\r\n"):
			fe.add("username", "err.username_spaces")
		}
	}
	if creating || in.Name != nil {
		n := strings.TrimSpace(deref(in.Name))
		if n == "" && !creating {
			fe.add("name", "err.required")
		} else if utf8.RuneCountInString(n) > 100 {
			fe.add("name", "err.length", "Min", 1, "Max", 100)
		}
	}
	if e := strings.TrimSpace(deref(in.Email)); e != "" {
		if _, err := mail.ParseAddress(e); err != nil || !strings.Contains(e, "@") {
			fe.add("email", "err.email")
		}
	}
	if creating || in.Role != nil {
		switch deref(in.Role) {
		case RoleAdmin, RoleManager, RoleSales:
		default:
			fe.add("role", "err.role")
		}
	}
	if in.Language != nil && *in.Language != "" && *in.Language != "zh-CN" && *in.Language != "en" {
		fe.add("language", "err.language")
	}
	if creating || in.Password != nil {
		if utf8.RuneCountInString(deref(in.Password)) < MinPasswordLen {
			fe.add("password", "err.password_short", "Min", MinPasswordLen)
		}
	}
	return fe
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// CreateUser adds a user after validating the input; a taken username is
// reported on the username field.
func (s *Store) CreateUser(ctx context.Context, in UserInput) (*User, error) {
	fe := validateUser(in, true)
	if err := fe.err(); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(*in.Password), BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("store: hash password: %w", err)
	}
	username := strings.TrimSpace(*in.Username)
	name := strings.TrimSpace(deref(in.Name))
	if name == "" {
		name = username
	}
	active := true
	if in.Active != nil {
		active = *in.Active
	}
	now := s.now().Unix()
	var id int64
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := checkDepartment(ctx, tx, in.DepartmentID); err != nil {
			return err
		}
		if taken, err := usernameTaken(ctx, tx, username, 0); err != nil {
			return err
		} else if taken {
			return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"username": M("err.username_taken")}}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users
			(username, name, email, phone, role, department_id, active, language, password_hash, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			username, name, strings.TrimSpace(deref(in.Email)), strings.TrimSpace(deref(in.Phone)),
			*in.Role, in.DepartmentID, active, deref(in.Language), string(hash), now, now)
		if err != nil {
			return fmt.Errorf("store: insert user: %w", err)
		}
		id, err = res.LastInsertId()
		if err != nil {
			return err
		}
		return audit(ctx, tx, now, AuditEntry{Action: AuditCreate, Entity: "user", EntityID: id, Detail: M("audit.detail.user", "Name", username, "Role", M("role."+*in.Role)).Encode()})
	})
	if err != nil {
		return nil, err
	}
	return s.User(ctx, id)
}

func usernameTaken(ctx context.Context, tx *sql.Tx, username string, except int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE username = ? AND id != ?`, username, except).Scan(&n)
	return n > 0, err
}

func checkDepartment(ctx context.Context, tx *sql.Tx, id *int64) error {
	if id == nil {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM departments WHERE id = ?`, *id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"department_id": M("err.department_unknown")}}
	}
	return nil
}

// UpdateUser changes the given fields of a user. Deactivating a user ends
// their sessions and API tokens at once; their customers stay theirs until
// a manager reassigns them.
func (s *Store) UpdateUser(ctx context.Context, id int64, in UserInput) (*User, error) {
	if err := validateUser(in, false).err(); err != nil {
		return nil, err
	}
	var hash string
	if in.Password != nil {
		h, err := bcrypt.GenerateFromPassword([]byte(*in.Password), BcryptCost)
		if err != nil {
			return nil, fmt.Errorf("store: hash password: %w", err)
		}
		hash = string(h)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = ?`, id).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return ErrNotFound
		}
		if in.Username != nil {
			if taken, err := usernameTaken(ctx, tx, strings.TrimSpace(*in.Username), id); err != nil {
				return err
			} else if taken {
				return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"username": M("err.username_taken")}}
			}
		}
		if err := checkDepartment(ctx, tx, in.DepartmentID); err != nil {
			return err
		}
		var changes []Change
		set := func(col string, v any) error {
			var old string
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(CAST(`+col+` AS TEXT), '') FROM users WHERE id = ?`, id).Scan(&old); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE users SET `+col+` = ?, updated_at = ? WHERE id = ?`, v, s.now().Unix(), id)
			changes = append(changes, userChange(col, old, v))
			return err
		}
		for _, f := range []struct {
			col string
			ok  bool
			v   any
		}{
			{"username", in.Username != nil, strings.TrimSpace(deref(in.Username))},
			{"name", in.Name != nil, strings.TrimSpace(deref(in.Name))},
			{"email", in.Email != nil, strings.TrimSpace(deref(in.Email))},
			{"phone", in.Phone != nil, strings.TrimSpace(deref(in.Phone))},
			{"role", in.Role != nil, deref(in.Role)},
			{"department_id", in.DepartmentID != nil, in.DepartmentID},
			{"active", in.Active != nil, deref(in.Active)},
			{"language", in.Language != nil, deref(in.Language)},
			{"password_hash", in.Password != nil, hash},
		} {
			if f.ok {
				if err := set(f.col, f.v); err != nil {
					return fmt.Errorf("store: update user %d %s: %w", id, f.col, err)
				}
			}
		}
		if err := auditUserChanges(ctx, tx, s.now().Unix(), id, changes); err != nil {
			return err
		}
		if (in.Active != nil && !*in.Active) || in.Password != nil {
			return revokeAllSignIns(ctx, tx, id, s.now().Unix())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.User(ctx, id)
}

// userChange describes one user field edit for the audit log; the password
// hash is never written there.
func userChange(col, old string, v any) Change {
	if col == "password_hash" {
		return Change{Field: "password"}
	}
	nv := fmt.Sprint(v)
	switch p := v.(type) {
	case *int64:
		nv = ""
		if p != nil {
			nv = fmt.Sprint(*p)
		}
	case bool:
		nv = map[bool]string{true: "1", false: "0"}[p]
	}
	return Change{Field: col, Old: old, New: nv}
}

// auditUserChanges writes the changed fields of a user edit; a role change
// is also its own "role" row, so permission changes are easy to find.
func auditUserChanges(ctx context.Context, tx *sql.Tx, now, id int64, changes []Change) error {
	var real []Change
	for _, c := range changes {
		if c.Old == c.New && c.Field != "password" {
			continue
		}
		real = append(real, c)
		if c.Field == "role" {
			if err := audit(ctx, tx, now, AuditEntry{Action: "role", Entity: "user", EntityID: id, Changes: []Change{c}}); err != nil {
				return err
			}
		}
	}
	if len(real) == 0 {
		return nil
	}
	return audit(ctx, tx, now, AuditEntry{Action: AuditUpdate, Entity: "user", EntityID: id, Changes: real})
}

// revokeAllSignIns ends every session and API token of a user: after a
// password reset or deactivation, nobody may keep using an old sign-in.
func revokeAllSignIns(ctx context.Context, tx *sql.Tx, userID, now int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now, userID)
	return err
}

// SetPassword resets the password of the user with this username; `tide
// user passwd` uses it as the owner's way back in.
func (s *Store) SetPassword(ctx context.Context, username, password string) error {
	u, err := s.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	_, err = s.UpdateUser(ctx, u.ID, UserInput{Password: &password})
	return err
}

// User loads one user by id.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u
		LEFT JOIN departments d ON d.id = u.department_id WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, err)
	}
	return u, nil
}

// UserByUsername loads one user by username (case-insensitive).
func (s *Store) UserByUsername(ctx context.Context, username string) (*User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u
		LEFT JOIN departments d ON d.id = u.department_id WHERE u.username = ?`, strings.TrimSpace(username)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: user %q: %w", username, err)
	}
	return u, nil
}

// Users lists every user, ordered by department then name.
func (s *Store) Users(ctx context.Context) ([]*User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userCols+` FROM users u
		LEFT JOIN departments d ON d.id = u.department_id ORDER BY u.active DESC, d.name, u.name`)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers reports how many users exist; zero means first run.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// dummyHash is compared against when the username is unknown, so a failed
// sign-in takes as long whether or not the user exists.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("tide-dummy-password"), BcryptCost)
	return h
})

// Authenticate checks a username and password. Unknown user, wrong password
// and deactivated user all give the same unauthenticated error.
func (s *Store) Authenticate(ctx context.Context, username, password string) (*User, error) {
	var id int64
	var hash string
	var active bool
	err := s.r.QueryRowContext(ctx, `SELECT id, password_hash, active FROM users WHERE username = ?`,
		strings.TrimSpace(username)).Scan(&id, &hash, &active)
	bad := &Error{Code: CodeUnauthenticated, Msg: M("err.bad_credentials")}
	failed := AuditEntry{Action: AuditLoginFailed, Entity: "session", Detail: strings.TrimSpace(username)}
	if errors.Is(err, sql.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return nil, errors.Join(bad, s.Audit(ctx, failed))
	}
	if err != nil {
		return nil, fmt.Errorf("store: authenticate: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || !active {
		failed.EntityID = id
		return nil, errors.Join(bad, s.Audit(ctx, failed))
	}
	return s.User(ctx, id)
}
