package store

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes, mapped one-to-one to the API's error codes and HTTP statuses.
const (
	CodeInvalid         = "invalid"
	CodeUnauthenticated = "unauthenticated"
	CodeForbidden       = "forbidden"
	CodeNotFound        = "not_found"
	CodeDuplicate       = "duplicate"
	CodeConflict        = "conflict"
	CodeRule            = "rule"
	CodeThrottled       = "throttled"
	CodeTooLarge        = "too_large"
)

// Msg is a user-facing message as a catalogue key plus template data; the
// store never formats text, the caller translates into the user's language.
type Msg struct {
	Key  string         `json:"key"`
	Args map[string]any `json:"args,omitempty"`
}

// M builds a Msg from a key and alternating name/value pairs.
func M(key string, kv ...any) Msg {
	m := Msg{Key: key}
	if len(kv) > 0 {
		m.Args = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m.Args[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return m
}

// Error is a refusal the user should see: a code, a message and, for
// invalid input, one message per field.
type Error struct {
	Code   string
	Msg    Msg
	Fields map[string]Msg
	// Rule names the pool rule that refused a claim or lock.
	Rule string
	// Extra carries structured details (e.g. duplicate_of) for the API.
	Extra map[string]any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Msg.Key != "" {
		b.WriteString(": " + e.Msg.Key)
	}
	for f, m := range e.Fields {
		fmt.Fprintf(&b, " %s=%s", f, m.Key)
	}
	return b.String()
}

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsCode reports whether err is an *Error with the given code.
func IsCode(err error, code string) bool {
	e, ok := AsError(err)
	return ok && e.Code == code
}

// ErrNotFound is the shared answer for missing and invisible records alike.
var ErrNotFound = &Error{Code: CodeNotFound, Msg: M("err.not_found")}

// ErrForbidden is returned when the role may not perform the action.
var ErrForbidden = &Error{Code: CodeForbidden, Msg: M("err.forbidden")}

// fieldErrors collects per-field problems while validating a form.
type fieldErrors map[string]Msg

func (f fieldErrors) add(field, key string, kv ...any) {
	if _, seen := f[field]; !seen {
		f[field] = M(key, kv...)
	}
}

// err returns nil when no field failed, else an invalid *Error.
func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: f}
}
