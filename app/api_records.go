package app

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// The JSON API's record endpoints all have the same shape: parse :id (and
// a body), call one store method as the current user, answer the record.
// These adapters keep that shape in one place; the store method decides
// visibility (404), roles (403) and rules.

// localizer is a record whose labels (stage names) follow the reader.
type localizer interface{ Localize(lang string) }

func answerRecord(c *fiber.Ctx, v any) error {
	if l, ok := v.(localizer); ok {
		l.Localize(loc(c).Lang)
	}
	return c.JSON(v)
}

// getRecord answers GET /things/:id with load's record.
func getRecord[T any](load func(context.Context, *store.User, int64) (T, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := paramID(c)
		if err != nil {
			return err
		}
		v, err := load(c.UserContext(), currentUser(c), id)
		if err != nil {
			return err
		}
		return answerRecord(c, v)
	}
}

// patchRecord answers PATCH /things/:id: the JSON body (strictly parsed)
// goes to save, the saved record comes back.
func patchRecord[In, T any](save func(context.Context, *store.User, int64, In) (T, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := paramID(c)
		if err != nil {
			return err
		}
		var in In
		if err := parseJSON(c, &in); err != nil {
			return err
		}
		v, err := save(c.UserContext(), currentUser(c), id, in)
		if err != nil {
			return err
		}
		return answerRecord(c, v)
	}
}

// deleteRecord answers DELETE /things/:id with 204.
func deleteRecord(del func(context.Context, *store.User, int64) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := paramID(c)
		if err != nil {
			return err
		}
		if err := del(c.UserContext(), currentUser(c), id); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
