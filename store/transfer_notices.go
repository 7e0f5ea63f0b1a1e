package store

import (
	"context"
	"database/sql"
	"fmt"
)

// notifyTransfer tells the new owner (transferred_in) and the previous
// owner (transferred_out) that cur changed hands, inside the transfer's
// transaction. Whoever made the transfer is not told about their own act.
// The customer's version after the move makes the dedup keys unique per
// transfer.
func notifyTransfer(ctx context.Context, tx *sql.Tx, actor *User, cur *Customer, to, now int64) error {
	from := cur.Owner.ID
	args := map[string]any{"Customer": cur.Name, "By": actor.Name, "From": cur.Owner.Name, "To": userName(ctx, tx, to)}
	notices := []Notification{
		{UserID: to, Kind: "transferred_in", TitleKey: "notify.transferred_in"},
		{UserID: from, Kind: "transferred_out", TitleKey: "notify.transferred_out"},
	}
	for _, n := range notices {
		if n.UserID == actor.ID {
			continue
		}
		n.Args, n.Link = args, customerLink(cur.ID)
		n.DedupKey = fmt.Sprintf("customer:%d:v%d:%s", cur.ID, cur.Version+1, n.Kind)
		if err := notify(ctx, tx, n, now); err != nil {
			return err
		}
	}
	return nil
}
